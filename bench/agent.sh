#!/bin/bash
# The agent's own cost and what measure adds to a command, each next to the bare
# cost of reading the counters. Runs anywhere: the counters are a fake sysfs RAPL
# tree (one package at 50 W, written by a helper) plus this machine's /proc for the
# memory fallback. No timing here is a test; README "Benchmarks" states the goals.
#   bench/agent.sh [BUILD]    AGENT_BENCH_SECONDS (default 60), MEASURE_REPS (default 200)
set -euo pipefail
build=${1:-build}
bin="$build/src/co2tally"
[ -x "$bin" ] || bin="$build/co2tally"
reader="$build/bench/read_counters"
secs=${AGENT_BENCH_SECONDS:-60}
reps=${MEASURE_REPS:-200}
work=$(mktemp -d)
writer=""
trap '[ -n "$writer" ] && kill "$writer" 2>/dev/null; rm -rf "$work"' EXIT

z="$work/sys/class/powercap/intel-rapl:0"
mkdir -p "$z"
echo package-0 >"$z/name"
echo 1000000000 >"$z/energy_uj"
echo 262143328850 >"$z/max_energy_range_uj"
python3 - "$z/energy_uj" <<'PY' &
import os, sys, time
fd, t0 = os.open(sys.argv[1], os.O_WRONLY), time.monotonic()
while True:
    os.pwrite(fd, b"%010d\n" % (1000000000 + int(50e6 * (time.monotonic() - t0))), 0)
    time.sleep(0.05)
PY
writer=$!
export CO2TALLY_SYSFS_ROOT="$work/sys" CO2TALLY_NVML_LIBRARY="$work/none.so"
echo "== agent and measure (fake sysfs RAPL tree at $CO2TALLY_SYSFS_ROOT; this host's /proc)"

# CPU seconds a process has run so far: schedstat's nanoseconds where the kernel
# has them (ticks of 10 ms are too coarse for a process this idle), else stat's.
cpu_s() {
    if [ -r "/proc/$1/schedstat" ]; then
        awk '{printf "%.6f", $1 / 1e9}' "/proc/$1/schedstat"
    else
        awk -v t="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); printf "%.6f", ($12 + $13) / t}' "/proc/$1/stat"
    fi
}

echo "-- bare cost of reading the counters"
printf '  read_counters: %s\n' "$("$reader" 20000)"

echo "-- agent at 1 s sampling for $secs s"
"$bin" --db "$work/a.db" agent --interval 1 --duration "$secs" --host bench >/dev/null &
apid=$!
sleep 3 # past start-up: the ledger, the sensors, the first flush
c0=$(cpu_s "$apid"); t0=$(date +%s.%N)
sleep $((secs - 5))
c1=$(cpu_s "$apid"); t1=$(date +%s.%N)
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$apid/status")
anon=$(awk '/^RssAnon:/ {print $2}' "/proc/$apid/status")
file=$(awk '/^RssFile:/ {print $2}' "/proc/$apid/status")
wait "$apid"
awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hwm="$hwm" -v anon="$anon" -v file="$file" 'BEGIN {
    share = (c1 - c0) / (t1 - t0) * 100
    printf "  steady state: %.3f ms of CPU over %.1f s = %.4f%% of one core (goal < 0.01%%)\n",
           (c1 - c0) * 1e3, t1 - t0, share
    printf "  peak RSS: %.2f MiB (goal < 4 MiB): %.2f MiB private (heap, data), %.2f MiB\n", hwm / 1024, anon / 1024, file / 1024
    printf "    mapped from files shared with other processes (libc, SQLite, the binary)\n" }'
/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$bin" --db "$work/a2.db" agent --interval 1 \
    --duration 5 --host bench2 >/dev/null
read -r el us sy kib <"$work/time"
printf '  a whole 5 s run, start-up included: %.2f s of CPU, peak RSS %.2f MiB (/usr/bin/time)\n' \
    "$(echo "$us $sy" | awk '{print $1 + $2}')" "$(echo "$kib" | awk '{print $1 / 1024}')"

echo "-- what measure adds to \`true\` ($reps runs each)"
t0=$(date +%s.%N)
for _ in $(seq "$reps"); do /bin/true; done
t1=$(date +%s.%N)
for _ in $(seq "$reps"); do "$bin" --db "$work/m.db" measure -o /dev/null -- /bin/true; done
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$reps" 'BEGIN {
    bare = (b - a) / n * 1e3; meas = (c - b) / n * 1e3
    printf "  true: %.2f ms   measure -- true: %.2f ms   added: %.2f ms per run (goal: a few ms)\n",
           bare, meas, meas - bare }'
printf '  (measure reads the counters twice, at the start and at the exit, and writes one run)\n'
