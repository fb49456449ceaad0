# The agent killed with SIGKILL at random moments: after each kill the ledger
# opens, reports, passes SQLite's integrity check, and its energy never goes down.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
. "$CT_SOURCE_ROOT/tests/cli/rapl_fake.sh"
trap 'rapl_stop; rm -rf "$tmp"' EXIT
rapl_tree "$tmp/sys"
export CO2TALLY_SYSFS_ROOT="$tmp/sys" CO2TALLY_NVML_LIBRARY="$tmp/no-libnvidia-ml.so"
printf '[team]\nname = kill test\ncountry = FRA\n' >"$tmp/team.ini"
db="$tmp/k.db"
runs=${CT_KILL_RUNS:-25}
RANDOM=42 # the same "random" moments every time, so a failure can be replayed
rapl_start "$tmp/sys" 100
# the fake package's joules (the sensor set may add a calculated memory device)
total() {
    python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(sum(g["energy_kwh"] for g in r["groups"] if g["key"] == "k/package-0") * 3.6e6)' "$1"
}
prev=0 grew=0 failed=0 alive_ms=0
for i in $(seq 1 "$runs"); do
    # fast sampling and flushing, so kills land in every phase: sleeping,
    # sampling, and inside a flush's transaction
    "$CO2TALLY" --db "$db" agent --interval 0.02 --flush 0.05 --duration 10 --host k >/dev/null 2>"$tmp/err" &
    apid=$!
    ms=$((RANDOM % 900 + 100))
    alive_ms=$((alive_ms + ms))
    sleep "0.$(printf '%03d' "$ms")"
    kill -KILL "$apid"
    wait "$apid" 2>/dev/null
    if ! "$CO2TALLY" --db "$db" --config "$tmp/team.ini" report --by device --json >"$tmp/r.json" 2>"$tmp/rerr"; then
        bad "run $i: report failed after SIGKILL: $(head -c 300 "$tmp/rerr")"; failed=1; break
    fi
    chk=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
    [ "$chk" = ok ] || { bad "run $i: integrity_check: $chk"; failed=1; break; }
    now=$(total "$tmp/r.json")
    if python3 -c "import sys; sys.exit(0 if $now + 1e-9 >= $prev else 1)"; then
        python3 -c "import sys; sys.exit(0 if $now > $prev else 1)" && grew=$((grew + 1))
        prev=$now
    else
        bad "run $i: energy went down from $prev to $now J"; failed=1; break
    fi
done
[ "$failed" -eq 0 ] && ok "$runs SIGKILLs: the ledger always opened and reported, energy never went down"
# Most runs live through several flushes, so the energy must have grown often.
[ "$grew" -ge $((runs / 2)) ] && ok "energy grew in $grew of $runs runs (now $prev J)" \
    || bad "energy grew in only $grew of $runs runs"
# Nothing is counted twice: at 100 W the ledger cannot hold more than the agents
# lived (each starts its count after start-up and loses its last flush interval),
# with 2% for the writer's jitter.
python3 -c "import sys; sys.exit(0 if $prev <= 100 * $alive_ms / 1000 * 1.02 else 1)" \
    && ok "no more energy than 100 W x the agents' lives ($prev J <= $((alive_ms / 10)) J)" \
    || bad "$prev J is more than 100 W x $alive_ms ms"
expect_rc 0 "ledger info after the kills" -- "$CO2TALLY" --db "$db" ledger info
n=$(sqlite3 "$db" "select count(*) from sources where kind = 'agent'")
[ "$n" = 1 ] && ok "one agent source across $runs restarts" || bad "$n agent sources"
finish
