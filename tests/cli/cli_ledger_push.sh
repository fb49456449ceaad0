# ledger push and merge (issue 10, item 5): a push into an empty ledger copies
# every record (the same rows, the same report), twice is once, a push killed
# with SIGKILL and run again gives exactly the rows of one push, and merging
# per-host files equals importing their files into one ledger.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
. "$CT_SOURCE_ROOT/tests/cli/rapl_fake.sh"
shared="$CT_SHARED/fixtures"
ct() { "$CO2TALLY" "$@"; }
export CO2TALLY_SYSFS_ROOT="$tmp/sys" CO2TALLY_NVML_LIBRARY="$tmp/no-libnvidia-ml.so"
rapl_tree "$tmp/sys"

# N GPUs sampled every 30 s for D days from 2023-10-01: N x 24 x D hourly buckets.
gen() {
    python3 - "$@" <<'PY'
import sys
path, G, D, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(path, "w") as f:
    f.write("timestamp, index, power.draw [W], utilization.gpu [%]\n")
    for s in range(0, D * 86400, 30):
        d, r = divmod(s, 86400)
        for g in range(G):
            f.write("2023/10/%02d %02d:%02d:%02d.000, %d, %d.25 W, %d %%\n" % (1 + d, r // 3600, r // 60 % 60, r % 60, g, base + g + (s // 30) % 7, (g * 10 + s) % 100))
PY
}
gen "$tmp/gpu-01.csv" 4 10 100
gen "$tmp/gpu-02.csv" 4 10 200
gen "$tmp/gpu-03.csv" 4 10 300

# Every table's content, in a fixed order, without ids (they differ between ledgers).
dump() {
    sqlite3 "$1" "SELECT kind, path, sha256, imported_at FROM sources ORDER BY sha256;
      SELECT so.sha256, platform, host, device, component, method, detail, t0, t1, covered_s,
        joules, idle_joules, idle_s, util FROM energy_records e JOIN sources so ON so.id = e.source_id
        ORDER BY so.sha256, host, device, component, method, detail, platform, t0, t1;
      SELECT so.sha256, provider, account, project, service, region, region_raw, scope,
        market_based, p.t0, p.t1, kgco2e, orig_value, orig_unit, platform FROM provided p
        JOIN sources so ON so.id = p.source_id ORDER BY so.sha256, p.id;
      SELECT so.sha256, host, command, r.t0, r.t1, exit_status, cpu_j, dram_j, gpu_j, total_j,
        methods FROM runs r JOIN sources so ON so.id = r.source_id ORDER BY so.sha256, r.id;"
}
counts() { sqlite3 "$1" "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM energy),
    (SELECT count(*) FROM energy_day), (SELECT count(*) FROM provided), (SELECT count(*) FROM runs),
    (SELECT printf('%.6f', total(joules)) FROM energy)"; }
# Two report --json files carry the same numbers (relative 1e-12) and strings.
same_report() {
    python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def cmp(x, y, at):
    if isinstance(x, dict):
        assert isinstance(y, dict) and x.keys() == y.keys(), at
        for k in x: cmp(x[k], y[k], at + "." + k)
    elif isinstance(x, list):
        assert isinstance(y, list) and len(x) == len(y), at
        for i, (u, v) in enumerate(zip(x, y)): cmp(u, v, "%s[%d]" % (at, i))
    elif isinstance(x, float) or isinstance(y, float):
        assert abs(x - y) <= 1e-12 * max(abs(x), abs(y)), "%s: %r != %r" % (at, x, y)
    else:
        assert x == y, "%s: %r != %r" % (at, x, y)
cmp(a, b, "")
assert a["total"]["energy_kwh"] > 0
PY
}

# The laptop's ledger: two GPU logs, turbostat, powermetrics (detail records),
# a provider's export, and a measured command (a run).
a="$tmp/a.db"
expect_rc 0 "import two GPU logs" -- ct --db "$a" import --host gpu-01 --max-gap 120 "$tmp/gpu-01.csv" "$tmp/gpu-02.csv"
expect_rc 0 "import turbostat" -- ct --db "$a" import --host srv-1 --interval 5 --start 2023-10-02T00:00:00 "$shared/turbostat/telegraf-intel-xeon-6126-input.txt"
expect_rc 0 "import powermetrics" -- ct --db "$a" import --host lap-1 --start 2023-10-03T08:00:00 "$shared/powermetrics/codecarbon-mock_powermetrics_log-M1.txt"
expect_rc 0 "import a provider export" -- ct --db "$a" import "$shared/provider/carbon-json-cloud_example_2-gcp-carbon-export.csv"
expect_rc 0 "measure a command" -- ct --db "$a" measure -o /dev/null -- true
[ "$(sqlite3 "$a" 'select count(*) from energy where series_id in (select id from series where detail = 1)')" -gt 0 ] \
    && ok "the origin holds detail records" || bad "no detail records in the origin"

# Push into an empty ledger: every row, the same report.
b="$tmp/b.db"
expect_rc 0 "push into an empty ledger" -- ct --db "$a" ledger push --to "$b"
expect_grep "$tmp/out" "6 sources copied" "all six sources copied"
dump "$a" >"$tmp/a.dump"
dump "$b" >"$tmp/b.dump"
[ -s "$tmp/a.dump" ] && cmp -s "$tmp/a.dump" "$tmp/b.dump" && ok "the target holds the same rows" \
    || bad "the rows differ: $(diff "$tmp/a.dump" "$tmp/b.dump" | head -5)"
[ "$(counts "$a")" = "$(counts "$b")" ] && ok "same counts and joules: $(counts "$b")" \
    || bad "counts differ: $(counts "$a") vs $(counts "$b")"
printf '[team]\nname = t\ncountry = FRA\nyear = 2023\n' >"$tmp/team.ini"
for by in device platform month; do
    ct --db "$a" --config "$tmp/team.ini" report --json --by $by >"$tmp/ra.json" 2>/dev/null
    ct --db "$b" --config "$tmp/team.ini" report --json --by $by >"$tmp/rb.json" 2>/dev/null
    if err=$(same_report "$tmp/ra.json" "$tmp/rb.json" 2>&1); then ok "report --by $by: the same numbers"; else bad "report --by $by differs: $err"; fi
done

# Twice is once; and the other way round adds nothing either.
before=$(counts "$b")
expect_rc 0 "push again" -- ct --db "$a" ledger push --to "$b"
expect_grep "$tmp/out" "0 sources copied (0 energy buckets, 0 provided emissions, 0 runs), 0 updated, 6 already there" "second push sends nothing"
[ "$(counts "$b")" = "$before" ] && ok "second push: counts and totals unchanged" || bad "second push changed $before to $(counts "$b")"
expect_rc 0 "push back" -- ct --db "$b" ledger push --to "$a"
[ "$(counts "$a")" = "$before" ] && ok "pushing back changes nothing" || bad "push back: $(counts "$a")"
expect_rc 1 "push to itself is refused" -- ct --db "$a" ledger push --to "$tmp/../$(basename "$tmp")/a.db"
expect_grep "$tmp/err" "the same ledger" "says why"
expect_rc 2 "push without --to" -- ct --db "$a" ledger push
expect_rc 1 "push from a missing ledger" -- ct --db "$tmp/none.db" ledger push --to "$b"

# An agent's source grows after a push: the next push replaces the target's
# copy with the grown one, in one transaction.
g="$tmp/g.db"
rapl_start "$tmp/sys" 50
ct --db "$g" agent --interval 0.05 --flush 0.1 --duration 0.6 --host lap-2 >/dev/null 2>&1
expect_rc 0 "push an agent's ledger" -- ct --db "$g" ledger push --to "$b"
j1=$(sqlite3 "$b" "select total(joules) from energy_records where host = 'lap-2'")
ct --db "$g" agent --interval 0.05 --flush 0.1 --duration 0.6 --host lap-2 >/dev/null 2>&1
rapl_stop
expect_rc 0 "push it again after the agent ran on" -- ct --db "$g" ledger push --to "$b"
expect_grep "$tmp/out" "1 updated" "the grown agent source is updated"
j2=$(sqlite3 "$b" "select total(joules) from energy_records where host = 'lap-2'")
jg=$(sqlite3 "$g" "select total(joules) from energy_records where host = 'lap-2'")
[ "$j2" = "$jg" ] && python3 -c "import sys; sys.exit(0 if $j2 > $j1 else 1)" \
    && ok "the target has the agent's later energy once ($j1 J, then $j2 J)" || bad "agent energy: first $j1, then $j2, origin $jg"
expect_rc 0 "a third push" -- ct --db "$g" ledger push --to "$b"
expect_grep "$tmp/out" "0 updated, 1 already there" "and nothing after that"

# Killed at random moments (SIGKILL), then run again: exactly one push's rows.
# The origin holds three sources of 960 buckets each, one transaction each,
# so kills land before, inside and between them.
big="$tmp/big.db"
ct --db "$big" import --host gpu-01 --max-gap 120 "$tmp/gpu-01.csv" >/dev/null
ct --db "$big" import --host gpu-02 --max-gap 120 "$tmp/gpu-02.csv" >/dev/null
ct --db "$big" import --host gpu-03 --max-gap 120 "$tmp/gpu-03.csv" >/dev/null
ct --db "$big" ledger push --to "$tmp/ref.db" >/dev/null
dump "$tmp/ref.db" >"$tmp/ref.dump"
RANDOM=7 # the same moments every run, so a failure can be replayed
partial=0 failed=0
for i in $(seq 1 10); do
    t="$tmp/kill-$i.db"
    ct --db "$big" ledger push --to "$t" >/dev/null 2>&1 &
    pid=$!
    sleep "0.$(printf '%03d' $((RANDOM % 1000)))"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ -e "$t" ]; then
        n=$(sqlite3 "$t" "select count(*) from sources" 2>/dev/null || echo 0)
        [ "${n:-0}" -lt 3 ] && partial=$((partial + 1))
        # each source is whole or absent
        bad_src=$(sqlite3 "$t" "select count(*) from sources so where (select count(*) from series se join energy e on e.series_id = se.id where se.source_id = so.id) != 960" 2>/dev/null || echo x)
        [ "$bad_src" = 0 ] || { bad "trial $i: a source is half copied ($bad_src)"; failed=1; }
    fi
    if ! ct --db "$big" ledger push --to "$t" >/dev/null 2>"$tmp/kerr"; then
        bad "trial $i: the push after the kill failed: $(head -c 300 "$tmp/kerr")"; failed=1; continue
    fi
    chk=$(sqlite3 "$t" 'PRAGMA integrity_check')
    [ "$chk" = ok ] || { bad "trial $i: integrity_check: $chk"; failed=1; }
    dump "$t" >"$tmp/kill.dump"
    cmp -s "$tmp/ref.dump" "$tmp/kill.dump" || { bad "trial $i: rows differ from one push"; failed=1; }
done
[ "$failed" = 0 ] && ok "10 pushes killed and rerun: each ledger holds exactly one push's rows ($partial left partial by the kill)"

# Merge: two per-host files gathered into one equal the files imported into one ledger.
ct --db "$tmp/h1.db" import --host gpu-01 --max-gap 120 "$tmp/gpu-01.csv" >/dev/null
ct --db "$tmp/h2.db" import --host gpu-02 --max-gap 120 "$tmp/gpu-02.csv" >/dev/null
ct --db "$tmp/h2.db" import --host srv-1 --interval 5 --start 2023-10-02T00:00:00 "$shared/turbostat/telegraf-intel-xeon-6126-input.txt" >/dev/null
ct --db "$tmp/direct.db" import --host gpu-01 --max-gap 120 "$tmp/gpu-01.csv" >/dev/null
ct --db "$tmp/direct.db" import --host gpu-02 --max-gap 120 "$tmp/gpu-02.csv" >/dev/null
ct --db "$tmp/direct.db" import --host srv-1 --interval 5 --start 2023-10-02T00:00:00 "$shared/turbostat/telegraf-intel-xeon-6126-input.txt" >/dev/null
m="$tmp/merged.db"
expect_rc 0 "merge the first host's file" -- ct --db "$m" ledger merge "$tmp/h1.db"
expect_rc 0 "merge the second host's file" -- ct --db "$m" ledger merge "$tmp/h2.db"
# imported_at differs (the import times), the records do not
strip() { sed -E 's/^([a-z-]+\|[^|]*\|[0-9a-f]{64})\|[0-9]+$/\1/' "$1"; }
dump "$m" >"$tmp/m.dump"
dump "$tmp/direct.db" >"$tmp/d.dump"
strip "$tmp/m.dump" >"$tmp/m.rows"
strip "$tmp/d.dump" >"$tmp/d.rows"
[ -s "$tmp/m.rows" ] && cmp -s "$tmp/m.rows" "$tmp/d.rows" && ok "merged rows equal the direct import's" \
    || bad "merge differs: $(diff "$tmp/m.rows" "$tmp/d.rows" | head -4)"
ct --db "$m" --config "$tmp/team.ini" report --json --by host >"$tmp/rm.json" 2>/dev/null
ct --db "$tmp/direct.db" --config "$tmp/team.ini" report --json --by host >"$tmp/rd.json" 2>/dev/null
if err=$(same_report "$tmp/rm.json" "$tmp/rd.json" 2>&1); then ok "merged report equals the direct one"; else bad "merged report differs: $err"; fi
before=$(counts "$m")
expect_rc 0 "merge again" -- ct --db "$m" ledger merge "$tmp/h2.db"
[ "$(counts "$m")" = "$before" ] && ok "merging twice is merging once" || bad "second merge: $before -> $(counts "$m")"
expect_rc 2 "merge wants a file" -- ct --db "$m" ledger merge
expect_rc 1 "merge of a missing file" -- ct --db "$m" ledger merge "$tmp/none.db"
finish
