# co2tally agent over a fake RAPL tree whose counter moves at a known rate, so the
# energy it writes into the ledger is known.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
. "$CT_SOURCE_ROOT/tests/cli/rapl_fake.sh"
trap 'rapl_stop; rm -rf "$tmp"' EXIT
rapl_tree "$tmp/sys"
export CO2TALLY_SYSFS_ROOT="$tmp/sys" CO2TALLY_NVML_LIBRARY="$tmp/no-libnvidia-ml.so"
printf '[team]\nname = agent test\ncountry = DEU\n' >"$tmp/team.ini"
db="$tmp/a.db"
ct() { "$CO2TALLY" --db "$db" --config "$tmp/team.ini" "$@"; }
# joules of one host/device in `report --by device --json`
device_j() {
    python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(sum(g["energy_kwh"] for g in r["groups"] if g["key"] == sys.argv[2]) * 3.6e6)' "$1" "$2"
}

expect_rc 2 "agent rejects a bad interval" -- ct agent --interval 0
expect_rc 0 "agent --help" -- ct agent --help
expect_grep "$tmp/out" "usage: co2tally agent" "help text"

expect_rc 1 "no sensor at all: an error" -- env CO2TALLY_SYSFS_ROOT=/nonexistent \
    CO2TALLY_PROCFS_ROOT=/nonexistent "$CO2TALLY" --db "$db" agent --duration 1
expect_grep "$tmp/err" "no sensor works here" "it says so"
expect_grep "$tmp/err" "^  rapl .*no /nonexistent/class/powercap" "and why, sensor by sensor"
expect_grep "$tmp/err" "^  procstat .*/nonexistent/stat" "the fallback too"

rapl_start "$tmp/sys" 50
expect_rc 0 "agent --interval 0.2 --duration 3" -- ct agent --interval 0.2 --duration 3 --host h1
expect_grep "$tmp/out" "package-0 *cpu *measured *rapl" "the fake package is sampled"
expect_grep "$tmp/out" "stopped after 1[345] samples" "15 samples at 0.2 s over 3 s (a late tick may be skipped)"
expect_rc 0 "report by device" -- ct report --by device --json
cp "$tmp/out" "$tmp/r1.json"
# Expected: 50 W x the time the ledger says it covered (3 s from the first read to
# the last, plus however late the last tick woke). Tolerance 4% (6 J): the writer
# updates every 5 ms, so each end may see a value up to 5 ms old, and on a loaded
# machine somewhat older (2 x 60 ms x 50 W = 6 J). A lost or doubled flush would
# be off by a third or more.
j=$(device_j "$tmp/r1.json" h1/package-0)
cov=$(sqlite3 "$db" "select sum(covered_s) from energy join series on series.id = series_id
                     where host = 'h1' and device = 'package-0'")
python3 -c "import sys; j, c = float('$j'), float('$cov'); sys.exit(0 if abs(c - 3) < 0.5 and abs(j - 50 * c) <= 0.04 * 50 * c else 1)" \
    && ok "ledger holds 50 W x $cov s +- 4% ($j J)" || bad "ledger holds $j J over $cov s, wanted 50 W x that +- 4%"

# A restart reuses the host's source.
expect_rc 0 "second run, same host" -- ct agent --interval 0.2 --duration 0.4 --host h1
expect_grep "$tmp/out" "reused" "the source is reused"
n=$(sqlite3 "$db" "select count(*) from sources where kind = 'agent'" 2>/dev/null || echo 1)
[ "$n" = 1 ] && ok "one agent source for h1" || bad "$n agent sources for h1"

# SIGTERM: the loop flushes and exits cleanly, even before the first flush is due.
# (the binary itself in the background, not the ct function: $! must be the agent;
# --duration only bounds it should the test go wrong)
"$CO2TALLY" --db "$db" agent --interval 0.1 --flush 60 --duration 30 --host h2 >"$tmp/out2" 2>"$tmp/err2" &
apid=$!
sleep 1.5
kill -TERM "$apid"
wait "$apid"; rc=$?
[ "$rc" -eq 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc: $(cat "$tmp/err2")"
ct report --by device --json >"$tmp/r2.json"
j=$(device_j "$tmp/r2.json" h2/package-0)
python3 -c "import sys; sys.exit(0 if 40 <= float('$j') <= 100 else 1)" \
    && ok "SIGTERM flushed the energy so far ($j J for about 1.5 s at 50 W)" || bad "SIGTERM: $j J"

# Root dropping: the counter is root-only, opened first, then read as nobody.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
    chmod 0400 "$tmp/sys/class/powercap/intel-rapl:0/energy_uj"
    chmod 0755 "$tmp"
    mkdir -m 0777 "$tmp/nb"
    ct_nb() { "$CO2TALLY" --db "$tmp/nb/n.db" --config "$tmp/team.ini" "$@"; }
    "$CO2TALLY" --db "$tmp/nb/n.db" agent --interval 0.2 --duration 1.5 --host h3 --user nobody \
        >"$tmp/out3" 2>"$tmp/err3" &
    apid=$!
    sleep 0.8
    uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$apid/status" 2>/dev/null)
    gids=$(awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$apid/status" 2>/dev/null)
    groups=$(awk '/^Groups:/ {print $2 $3}' "/proc/$apid/status" 2>/dev/null)
    wait "$apid"; rc=$?
    nu=$(id -u nobody); ng=$(id -g nobody)
    [ "$rc" -eq 0 ] && ok "--user nobody runs" || bad "--user nobody: exit $rc: $(cat "$tmp/err3")"
    [ "$uids" = "$nu $nu $nu $nu" ] && [ "$gids" = "$ng $ng $ng $ng" ] && [ "$groups" = "$ng" ] \
        && ok "runs as nobody: real, effective, saved and fs ids, no extra groups" \
        || bad "ids after dropping: uid '$uids' gid '$gids' groups '$groups'"
    ct_nb report --by device --json >"$tmp/r3.json" 2>"$tmp/err3"
    j=$(device_j "$tmp/r3.json" h3/package-0)
    python3 -c "import sys; sys.exit(0 if float('$j') > 40 else 1)" \
        && ok "the root-only counter was read after dropping root ($j J)" || bad "as nobody: $j J"
    chmod 0644 "$tmp/sys/class/powercap/intel-rapl:0/energy_uj"
    if su -s /bin/sh nobody -c "test -x '$CO2TALLY'" 2>/dev/null; then
        su -s /bin/sh nobody -c "'$CO2TALLY' --db '$tmp/nb/x.db' agent --duration 0.1 --user nobody" \
            >"$tmp/out" 2>"$tmp/err" && bad "--user without root should fail" \
            || expect_grep "$tmp/err" "needs the agent started as root" "--user without root is refused"
    fi
else
    ok "# SKIP --user checks need root and a 'nobody' user"
fi
rapl_stop

# A GPU that falls off the bus is reported once; the other goes on.
if [ -n "${CT_FAKE_NVML_LIB:-}" ] && [ -f "$CT_FAKE_NVML_LIB" ]; then
    export CO2TALLY_NVML_LIBRARY="$CT_FAKE_NVML_LIB" CO2TALLY_FAKE_NVML="$tmp/nvml.txt"
    gpus() { # $1: energy of both in mJ, $2: "lost=1" or ""
        printf 'driver 550.54.15\ngpu uuid=GPU-a name=Fake_A energy_mj=%s util=50 %s\n' "$1" "$2" >"$tmp/nvml.tmp"
        printf 'gpu uuid=GPU-b name=Fake_B energy_mj=%s util=1\n' "$1" >>"$tmp/nvml.tmp"
        mv "$tmp/nvml.tmp" "$tmp/nvml.txt"
    }
    gpus 1000 ""
    # The agent first, the counters moving only once it has its first read, and
    # stopped only after their last move: a loaded machine cannot make it miss one.
    "$CO2TALLY" --db "$db" --config "$tmp/team.ini" agent --interval 0.1 --duration 120 --host h4 \
        >"$tmp/out" 2>"$tmp/err" &
    apid=$!
    for _ in $(seq 1 200); do grep -q "co2tally agent: host h4" "$tmp/out" 2>/dev/null && break; sleep 0.1; done
    for i in $(seq 1 10); do sleep 0.1; gpus $((1000 + i * 10000)) ""; done
    for i in $(seq 11 20); do sleep 0.1; gpus $((1000 + i * 10000)) "lost=1"; done
    sleep 0.5
    kill -TERM "$apid"
    wait "$apid"; rc=$?
    [ "$rc" -eq 0 ] && ok "agent with two fake GPUs, one lost half way" || bad "agent with two GPUs: exit $rc: $(cat "$tmp/err")"
    n=$(grep -c "stopped answering" "$tmp/err")
    [ "$n" -eq 1 ] && ok "the lost GPU is reported once" || bad "lost reported $n times: $(cat "$tmp/err")"
    expect_grep "$tmp/err" "gpu:GPU-a" "the message names the lost GPU"
    ct report --by device --json >"$tmp/r4.json"
    a=$(device_j "$tmp/r4.json" h4/gpu:GPU-a); b=$(device_j "$tmp/r4.json" h4/gpu:GPU-b)
    python3 -c "import sys; a,b=float('$a'),float('$b'); sys.exit(0 if 70 - 1e-6 <= a <= 101 and 170 - 1e-6 <= b <= 201 else 1)" \
        && ok "the lost GPU stops at about 100 J, the other goes on to 190 J ($a, $b)" \
        || bad "GPU energy after a loss: a=$a b=$b"
else
    ok "# SKIP no fake NVML library (CT_FAKE_NVML_LIB)"
fi
finish
