#!/bin/bash
# `make bench`, turbostat part: a generated turbostat log (2 packages x 16 CPUs,
# one interval a second, a header per interval as turbostat prints it; about
# 256 MiB, or $2 MiB) imported into a fresh ledger, timed next to `wc -l` and
# next to an awk one-liner summing the same energy (PkgWatt + RAMWatt of the
# package rows, x the 1 s interval), all reading the same file from the page cache.
set -euo pipefail
build=${1:-build}
mib=${2:-256}
bin="$build/src/co2tally"
[ -x "$bin" ] || bin="$build/co2tally"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log="$work/turbostat.log"

. "$(dirname "$0")/lib.sh"

echo "== import: turbostat log, 2 packages x 16 CPUs, every second"
intervals=$("$build/bench/gen_turbostat" "$log" $((mib * 1048576)) 2 16)
bytes=$(stat -c %s "$log")
printf '  %d MiB, %d intervals, %d lines\n' $((bytes / 1048576)) "$intervals" "$(wc -l <"$log")"
cat "$log" >/dev/null # into the page cache, for every contender alike

# The same energy in awk: package rows carry PkgWatt ($16) and RAMWatt ($18).
awk_sum() {
    awk -F'\t' 'NF >= 18 && $3 != "-" && $1 != "usec" { E += $16 + $18 } END { printf "%.6f\n", E }' "$log"
}
imp() {
    rm -f "$work/l.db" "$work/l.db-wal" "$work/l.db-shm"
    "$bin" --db "$work/l.db" import --host bench --json "$log" >"$work/out.json"
}

t_wc=$(best 3 wc -l "$log")
t_imp=$(best 3 imp)
t_awk=$(best 1 awk_sum)
j_imp=$(python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["files"][0]; assert f["format"] == "turbostat", f["format"]; print("%.6f" % sum(d["joules"] for d in f["devices"] if not d["detail"]))' "$work/out.json")
j_awk=$(awk_sum)
printf '  wc -l                 %7.2f s  %6s MB/s\n' "$t_wc" "$(mbs "$bytes" "$t_wc")"
printf '  co2tally import       %7.2f s  %6s MB/s  (%s x wc -l)\n' "$t_imp" "$(mbs "$bytes" "$t_imp")" "$(ratio "$t_imp" "$t_wc")"
printf '  awk, energy only      %7.2f s  %6s MB/s  (%s x co2tally import)\n' "$t_awk" "$(mbs "$bytes" "$t_awk")" "$(ratio "$t_awk" "$t_imp")"
printf '  energy: import %.1f J, awk %.1f J (relative difference %s)\n' "$j_imp" "$j_awk" \
    "$(awk -v a="$j_imp" -v b="$j_awk" 'BEGIN { d = (a - b) / b; printf "%.1e", d < 0 ? -d : d }')"
printf '  ledger after import: %s records, %d KiB\n' \
    "$(sqlite3 "$work/l.db" 'select count(*) from energy')" $(($(stat -c %s "$work/l.db") / 1024))
