#!/bin/bash
# `make bench`, import part: a generated nvidia-smi query log (4 GPUs, 1 s, about
# 1 GiB, or $2 MiB) imported into a fresh ledger, timed next to `wc -l` and next
# to an awk one-liner summing the same energy (trapezoid per GPU), all reading
# the same file from the page cache. Prints throughput and ratios.
set -euo pipefail
build=${1:-build}
mib=${2:-1024}
bin="$build/src/co2tally"
[ -x "$bin" ] || bin="$build/co2tally"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log="$work/nvidia-smi.csv"

. "$(dirname "$0")/lib.sh"

echo "== import: nvidia-smi --query-gpu log, 4 GPUs every second"
samples=$("$build/bench/gen_nvidia_smi" "$log" $((mib * 1048576)) 4)
bytes=$(stat -c %s "$log")
printf '  %d MiB, %d samples\n' $((bytes / 1048576)) "$samples"
cat "$log" >/dev/null # into the page cache, for every contender alike

# The same energy in awk: days from the civil date, the trapezoid per GPU.
awk_sum() {
    awk -F', ' 'NR > 1 { split($1, a, /[\/ :]/); y = a[1] - (a[2] <= 2); e = int(y / 400);
        q = y - e * 400; m = a[2] + (a[2] > 2 ? -3 : 9);
        t = (e * 146097 + q * 365 + int(q / 4) - int(q / 100) + int((153 * m + 2) / 5) + a[3] - 1 - 719468) * 86400 + a[4] * 3600 + a[5] * 60 + a[6];
        g = $2; p = $4 + 0; if (g in T) { d = t - T[g]; if (d > 0) E += (P[g] + p) / 2 * d } T[g] = t; P[g] = p }
        END { printf "%.6f\n", E }' "$log"
}
imp() {
    rm -f "$work/l.db" "$work/l.db-wal" "$work/l.db-shm"
    "$bin" --db "$work/l.db" import --host bench --json "$log" >"$work/out.json"
}

t_wc=$(best 3 wc -l "$log")
t_imp=$(best 3 imp)
t_awk=$(best 1 awk_sum)
j_imp=$(python3 -c 'import json,sys; print("%.6f" % sum(d["joules"] for d in json.load(open(sys.argv[1]))["files"][0]["devices"]))' "$work/out.json")
j_awk=$(awk_sum)
printf '  wc -l                 %7.2f s  %6s MB/s\n' "$t_wc" "$(mbs "$bytes" "$t_wc")"
printf '  co2tally import       %7.2f s  %6s MB/s  (%s x wc -l)\n' "$t_imp" "$(mbs "$bytes" "$t_imp")" "$(ratio "$t_imp" "$t_wc")"
printf '  awk, energy only      %7.2f s  %6s MB/s  (%s x co2tally import)\n' "$t_awk" "$(mbs "$bytes" "$t_awk")" "$(ratio "$t_awk" "$t_imp")"
printf '  energy: import %.1f J, awk %.1f J (relative difference %s)\n' "$j_imp" "$j_awk" \
    "$(awk -v a="$j_imp" -v b="$j_awk" 'BEGIN { d = (a - b) / b; printf "%.1e", d < 0 ? -d : d }')"
printf '  ledger after import: %s hourly records, %d KiB\n' \
    "$(sqlite3 "$work/l.db" 'select count(*) from energy')" $(($(stat -c %s "$work/l.db") / 1024))
