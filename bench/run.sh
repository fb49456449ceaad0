#!/bin/bash
# `make bench`: times co2tally against baselines measured in the same run on the
# same data, and prints the ratios. No timing here is a test: the numbers are for
# people to read (README "Benchmarks" says what they aim at).
set -euo pipefail
build=${1:-build}
bin="$build/src/co2tally"
[ -x "$bin" ] || { echo "bench: no $bin; build first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. "$(dirname "$0")/lib.sh"

echo "== 1. estimate + report, a team file of 500 calculated platforms"
{
    printf '[team]\nname = bench\ncountry = DEU\nyear = 2023\n'
    for i in $(seq 1 500); do
        printf '[platform p%03d]\nmethod = calculated\nwatts = %d\nidle_watts = 10\n' "$i" $((20 + i % 300))
        printf 'utilisation = 0.%d\nhours_per_year = %d\ncount = %d\n' $((i % 9 + 1)) $((1000 + i)) $((i % 7 + 1))
        if [ $((i % 3)) -eq 0 ]; then printf 'location = FRA\n'; fi
    done
} >"$work/team500.ini"
est=$(best 3 bash -c "rm -f '$work/e.db'*; '$bin' --db '$work/e.db' --config '$work/team500.ini' estimate")
rep=$(best 3 "$bin" --db "$work/e.db" --config "$work/team500.ini" report)
# Baseline: the sqlite3 shell inserting the same 6000 rows in one transaction.
rows=$(sqlite3 "$work/e.db" 'select count(*) from energy')
sqlite3 "$work/e.db" '.dump energy' | grep '^INSERT' >"$work/rows.sql"
cols=$(sqlite3 "$work/e.db" "select group_concat(name, ', ') from pragma_table_info('energy')")
base=$(best 3 bash -c "rm -f '$work/b.db'; (echo 'CREATE TABLE energy($cols);'; echo 'BEGIN;'; cat '$work/rows.sql'; echo 'COMMIT;') | sqlite3 '$work/b.db'")
printf '  estimate: %.3f s   report: %.3f s   (%s energy rows)\n' "$est" "$rep" "$rows"
printf '  baseline, sqlite3 shell inserting the same rows: %.3f s; ratio estimate/baseline %s\n' "$base" "$(ratio "$est" "$base")"

echo "== 2. report over a synthetic team-year: 50 hosts x 4 devices, hourly buckets"
t0=$(date +%s.%N)
n=$("$build/bench/gen_ledger" "$work/y.db" 50 4 2023)
t1=$(date +%s.%N)
printf '  generated %s rows in %.1f s\n' "$n" "$(echo "$t0 $t1" | awk '{print $2-$1}')"
{
    printf '[team]\nname = bench\ncountry = DEU\nyear = 2023\n'
    for p in 0 1 2 3 4; do
        printf '[platform servers-%d]\nmethod = measured\npue = 1.4\nhosts = ' "$p"
        for h in $(seq 0 9); do printf 'host-%02d, ' $((p * 10 + h)); done
        printf '\n'
    done
} >"$work/team50.ini"
sqlite3 "$work/y.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
size=$(stat -c %s "$work/y.db")
printf '  ledger size on disk: %.1f MiB (%d bytes, %.0f bytes per record)\n' \
    "$(echo "$size" | awk '{print $1/1048576}')" "$size" "$(echo "$size $n" | awk '{print $1/$2}')"
for by in platform host device month; do
    t=$(best 3 "$bin" --db "$work/y.db" --config "$work/team50.ini" report --by "$by")
    printf '  report --by %-8s %.3f s\n' "$by" "$t"
done
rep=$(best 3 "$bin" --db "$work/y.db" --config "$work/team50.ini" report)
raw=$(best 3 sqlite3 "$work/y.db" 'select sum(joules), sum(covered_s) from energy')
printf '  baseline, sqlite3 summing the energy column over the same ledger: %.3f s\n' "$raw"
printf '  ratio report/baseline: %s (goal: report under 1 s)\n' "$(ratio "$rep" "$raw")"
printf '  peak RSS of report: %s KiB\n' "$(peak_kib "$bin" --db "$work/y.db" --config "$work/team50.ini" report)"

echo "== 2b. report, HTML and advise for a team file of 10,000 calculated platforms (goal: linear, under 1 s)"
python3 - "$work/team10k.ini" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("[team]\nname = bench\ncountry = DEU\nyear = 2023\n")
    for i in range(10000):
        f.write("[platform p%05d]\nmethod = calculated\nwatts = %d\nutilisation = 0.5\n"
                "hours_per_year = 1000\ncount = %d\n" % (i, 20 + i % 300, 1 + i % 7))
PY
"$bin" --db "$work/t10k.db" --config "$work/team10k.ini" estimate >/dev/null
for what in "report" "report --format html -o $work/t10k.html" "advise"; do
    # shellcheck disable=SC2086
    t=$(best 3 "$bin" --db "$work/t10k.db" --config "$work/team10k.ini" $what)
    printf '  %-28s %.3f s\n' "${what%% -o*}" "$t"
done
# Baseline: the same with 500 platforms (section 1's ledger): 20 x the platforms
# should cost about 20 x the time, not 400 x.
t500=$(best 3 "$bin" --db "$work/e.db" --config "$work/team500.ini" report)
t10k=$(best 3 "$bin" --db "$work/t10k.db" --config "$work/team10k.ini" report)
printf '  report, 10,000 over 500 platforms: %s (linear: about 20)\n' "$(ratio "$t10k" "$t500")"

# The other benchmarks, each against its own baseline in the same run.
here=$(dirname "$0")
echo "== 3. the agent and measure (issue 3)"
bash "$here/agent.sh" "$build"
echo "== 4. importing a 1 GB nvidia-smi log (issue 4)"
bash "$here/import_nvidia.sh" "$build"
echo "== 5. importing a turbostat log (issue 4)"
bash "$here/import_turbostat.sh" "$build"
echo "== 6. the CCF-compatible usage estimator against CCF itself (issue 5)"
bash "$here/ccf.sh" "$build"
echo "== 7. PostgreSQL next to SQLite (issue 10): rows per second, and the team-year report"
CT_PG_DURABLE=1 bash "$here/../tests/pg/pgtest.sh" bash "$here/pg.sh" "$build"
