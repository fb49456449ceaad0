#!/bin/bash
# `make bench`, section 7 (issue 10): PostgreSQL next to SQLite on the same
# work. Run by bench/run.sh under tests/pg/pgtest.sh, which starts a throwaway
# server (with its default durability here: CT_PG_DURABLE=1) and exports
# CT_TEST_LEDGER_URL. No timing here is a test.
#  1. rows per second through add_energy: one synthetic day of ten hosts
#     (10 x 4 devices x 24 hourly buckets) in one transaction, best of 3;
#  2. the team-year of section 2 (50 hosts x 4 devices, bench/gen_ledger)
#     written through the same ops into each, then `report` on each.
set -euo pipefail
build=${1:-build}
bin="$build/src/co2tally"
here=$(dirname "$0")
. "$here/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
psql() { "$CT_PG_BINDIR/psql" -qX -v ON_ERROR_STOP=1 "$@"; }
url() { echo "postgresql://co2tally@/$1?host=$PGHOST"; }
fresh_pg() { psql -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; }
# The fastest of three "ROWS SECONDS" lines.
fastest() { sort -k2 -g | head -1; }

for i in 1 2 3; do
    rm -f "$work/day.db"*
    "$build/bench/gen_day" "$work/day.db" 10 4
done | fastest >"$work/day.sqlite"
for i in 1 2 3; do
    fresh_pg day
    "$build/bench/gen_day" "$(url day)" 10 4
done | fastest >"$work/day.pg"
read -r rows s_sq <"$work/day.sqlite"
read -r _ s_pg <"$work/day.pg"
printf '  one day of 10 hosts x 4 devices x 24 h (%s buckets) in one transaction, best of 3:\n' "$rows"
printf '    SQLite      %10.0f rows/s  (%.4f s)\n' "$(awk -v n="$rows" -v s="$s_sq" 'BEGIN{print n/s}')" "$s_sq"
printf '    PostgreSQL  %10.0f rows/s  (%.4f s, %sx SQLite'"'"'s time)\n' \
    "$(awk -v n="$rows" -v s="$s_pg" 'BEGIN{print n/s}')" "$s_pg" "$(ratio "$s_pg" "$s_sq")"

{
    printf '[team]\nname = bench\ncountry = DEU\nyear = 2023\n'
    for p in 0 1 2 3 4; do
        printf '[platform servers-%d]\nmethod = measured\npue = 1.4\nhosts = ' "$p"
        for h in $(seq 0 9); do printf 'host-%02d, ' $((p * 10 + h)); done
        printf '\n'
    done
} >"$work/team50.ini"
fill() {
    local t0 t1 n
    t0=$(date +%s.%N)
    n=$("$build/bench/gen_ledger" "$1" 50 4 2023)
    t1=$(date +%s.%N)
    printf '    %-11s %s rows in %.1f s (%.0f rows/s)\n' "$2" "$n" \
        "$(echo "$t0 $t1" | awk '{print $2-$1}')" "$(echo "$t0 $t1 $n" | awk '{print $3/($2-$1)}')"
}
echo "  the team-year of section 2 (50 hosts x 4 devices, hourly), written through the ops:"
fill "$work/y.db" SQLite
fresh_pg year
fill "$(url year)" PostgreSQL
psql -d year -c "VACUUM ANALYZE" >/dev/null
echo "  report over it, best of 3 (goal: under 1 s on both):"
printf '    %-18s %8s %12s\n' "" SQLite PostgreSQL
for by in platform host device month method; do
    a=$(best 3 "$bin" --db "$work/y.db" --config "$work/team50.ini" report --by "$by")
    b=$(best 3 "$bin" --db "$(url year)" --config "$work/team50.ini" report --by "$by")
    printf '    report --by %-8s %7.3f s %10.3f s\n' "$by" "$a" "$b"
done
"$bin" --db "$work/y.db" --config "$work/team50.ini" report --json >"$work/a.json"
"$bin" --db "$(url year)" --config "$work/team50.ini" report --json >"$work/b.json"
python3 - "$work/a.json" "$work/b.json" <<'PY'
import json, sys
a, b = (json.load(open(p))["total"] for p in sys.argv[1:3])
print("  the same total on both: %s (%.6f and %.6f kgCO2e)" % (
    "yes" if a == b else "NO", a["kgco2e"], b["kgco2e"]))
PY
printf '  peak RSS of report: SQLite %s KiB, PostgreSQL %s KiB\n' \
    "$(peak_kib "$bin" --db "$work/y.db" --config "$work/team50.ini" report)" \
    "$(peak_kib "$bin" --db "$(url year)" --config "$work/team50.ini" report)"
