# Issue 15's reproductions through co2tally import: each gives a clear FILE:LINE
# error with nothing written (or, with --skip-bad, a counted skip), or the
# right figure, worked out by hand next to each check.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
db="$tmp/l.db"
ct() { "$CO2TALLY" --db "$db" "$@"; }
count() { sqlite3 "$db" "select (select count(*) from sources) || ' ' || (select count(*) from energy) || ' ' || (select count(*) from provided)" 2>/dev/null || echo "0 0 0"; }
json_get() { python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['files'][0]; print($2)" "$1"; }
cd "$tmp"

# perf stat claiming 1e308 seconds (it ran for 121 s and reached 24 GB).
printf '\n Performance counter stats for '"'"'system wide'"'"':\n\n      52.37 Joules power/energy-pkg/\n\n      1e308 seconds time elapsed\n' >perf-huge.txt
expect_rc 1 "perf stat 1e308 s: an error" -- ct import --start 2024-01-01T00:00:00 perf-huge.txt
expect_grep "$tmp/err" "perf-huge.txt:6: perf stat's elapsed time 1e+308 s is longer than the 31 days" "it names the line"
[ "$(count)" = "0 0 0" ] && ok "nothing written" || bad "ledger holds $(count)"

# A wrapped RAPL counter: 2^64 - 1 J for a 2 s run (1.8e19 J were stored).
printf '\n Performance counter stats for '"'"'system wide'"'"':\n\n18446744073709551615 Joules power/energy-pkg/\n      10.05 Joules power/energy-ram/\n\n      2.002 seconds time elapsed\n' >perf-wrap.txt
expect_rc 1 "perf stat 1.8e19 J in 2 s: an error" -- ct import --start 2024-01-01T00:00:00 perf-wrap.txt
expect_grep "$tmp/err" "perf-wrap.txt:4: cpu: 1.84467e+19 J in 2.002 s is .* W, above the 5000 W" "the power ceiling names it"
expect_rc 0 "--skip-bad keeps the DRAM count" -- ct import --skip-bad --json --start 2024-01-01T00:00:00 perf-wrap.txt
[ "$(json_get "$tmp/out" "f['skipped_lines']")" = 1 ] && ok "one line skipped" || bad "skipped: $(cat "$tmp/out")"
j=$(json_get "$tmp/out" "sum(d['joules'] for d in f['devices'])")
python3 -c "import sys; sys.exit(abs($j - 10.05) > 1e-9)" && ok "10.05 J stored ($j)" || bad "stored $j J"

# A 354-byte turbostat file with one far-future epoch (3,087,846 hourly records).
{
    for t in 1700000100 1700000102 99999999999 1700000104; do
        printf 'Time_Of_Day_Seconds\tCore\tCPU\tBusy%%\tPkgWatt\tRAMWatt\n'
        printf '%s\t-\t-\t50.0\t10.00\t1.00\n%s\t0\t0\t50.0\t10.00\t1.00\n' $t $t
    done
} >ts-future.txt
expect_rc 1 "turbostat far-future epoch: an error" -- ct import ts-future.txt
expect_grep "$tmp/err" "ts-future.txt:8: the time is more than a day ahead of now" "it names the line"
expect_rc 0 "--skip-bad skips that interval" -- ct import --skip-bad --json ts-future.txt
[ "$(json_get "$tmp/out" "f['records']")" -le 2 ] && ok "a couple of hourly records, not millions" || bad "records: $(cat "$tmp/out")"
# package-0: three intervals of 2 s at 10 W (the first lasts the 2 s step).
j=$(json_get "$tmp/out" "sum(d['joules'] for d in f['devices'] if d['device']=='package-0')")
python3 -c "import sys; sys.exit(abs($j - 60) > 1e-9)" && ok "60 J for package-0 ($j)" || bad "package-0 $j J"

# A 3-second nvidia-smi log whose first sample is a year early (2635.2 kWh):
# the lone sample counts for one 1-s step, then three 1-s pairs, at 100 W: 400 J.
printf 'timestamp, index, power.draw [W]\n2022/10/01 13:00:00, 0, 100 W\n2023/10/01 13:00:00, 0, 100 W\n2023/10/01 13:00:01, 0, 100 W\n2023/10/01 13:00:02, 0, 100 W\n2023/10/01 13:00:03, 0, 100 W\n' >nv-first.csv
printf 'timestamp, index, power.draw [W]\n2023/10/01 13:00:00, 0, 100 W\n2023/10/01 13:00:01, 0, 100 W\n2023/10/01 13:00:02, 0, 100 W\n2023/10/01 13:00:03, 0, 100 W\n2024/10/01 13:00:03, 0, 100 W\n' >nv-last.csv
printf 'timestamp, index, power.draw [W]\n2023/10/01 13:00:00, 0, 100 W\n2023/10/01 13:00:01, 0, 100 W\n2023/10/01 13:00:02, 0, 100 W\n2024/10/01 13:00:00, 0, 100 W\n2024/10/01 13:00:01, 0, 100 W\n2024/10/01 13:00:02, 0, 100 W\n' >nv-mid.csv
for f in nv-first nv-last nv-mid; do
    expect_rc 0 "$f imports" -- ct import --json "$f.csv"
    j=$(json_get "$tmp/out" "f['devices'][0]['joules']")
    python3 -c "import sys; sys.exit(abs($j - 400) > 1e-9)" && ok "$f: 400 J ($j)" || bad "$f: $j J"
    [ "$(json_get "$tmp/out" "f['gaps']")" = 1 ] && ok "$f: one gap counted" || bad "$f gaps: $(cat "$tmp/out")"
done
expect_rc 0 "text summary" -- ct import nv-first.csv
expect_grep "$tmp/out" "already imported" "(already in the ledger)"
cp nv-first.csv nv-first2.csv && echo "2023/10/01 13:00:04, 0, 100 W" >>nv-first2.csv
expect_rc 0 "text summary of a new file" -- ct import nv-first2.csv
expect_grep "$tmp/out" "nv-first2.csv: 1 gap not bridged, 3.1536e+07 s in all" "the summary counts the gap and its length"

# Provider rows of 1e308 (report printed inf) and of -50 (negative totals).
hdr="usage_period_start,usage_period_end,region_code,product_code,total_lbm_emissions_value"
printf '%s\n2025-01-01,2025-02-01,us-east-1,EC2,1e300\n' "$hdr" >aws-huge.csv
printf '%s\n2025-01-01,2025-02-01,us-east-1,EC2,-50\n2025-01-01,2025-02-01,us-east-1,S3,2\n' "$hdr" >aws-neg.csv
before=$(count)
expect_rc 1 "provider row of 1e300 t: an error" -- ct import aws-huge.csv
expect_grep "$tmp/err" "aws-huge.csv:2: the emission 1e+303 kgCO2e is above the 1e+09 kgCO2e" "it names the line"
expect_rc 1 "provider row of -50: an error" -- ct import aws-neg.csv
expect_grep "$tmp/err" "aws-neg.csv:2: the emission -50000 kgCO2e is negative" "it names the line"
[ "$(count)" = "$before" ] && ok "nothing written" || bad "ledger went from $before to $(count)"
expect_rc 0 "--skip-bad drops the negative row" -- ct import --skip-bad --json aws-neg.csv
[ "$(json_get "$tmp/out" "f['provided_kgco2e_location'] == 2000")" = True ] && ok "2 t kept" || bad "kept: $(cat "$tmp/out")"

# A usage row ending in 9999 (7.1 GB of memory, a 1.9 GB ledger).
printf 'provider,region,processor,vcpu_hours,start,end\naws,us-east-1,Cascade Lake,1000,2024-01-01,2024-02-01\naws,us-east-1,Cascade Lake,1000,2024-01-01,9999-12-31\n' >u9999.csv
expect_rc 1 "usage row ending in 9999: an error" -- ct import --format usage u9999.csv
expect_grep "$tmp/err" "u9999.csv:3: usage: .* lies outside the plausible window" "it names the line"
expect_rc 0 "--skip-bad skips it" -- ct import --skip-bad --json --format usage u9999.csv
[ "$(json_get "$tmp/out" "f['records']")" = 744 ] && ok "January's 744 hourly records only" || bad "records: $(cat "$tmp/out")"

# The CCF parity rows repeat (provider, region, type) in one month: they add up.
# Their device energy is each row's CCF kWh over its PUE (tests/ccf_estimate).
est="${CO2TALLY%/src/co2tally}/tests/ccf_estimate"
expect_rc 0 "tests/ccf_parity/rows.csv imports" -- ct import --json --format usage "$CT_SOURCE_ROOT/tests/ccf_parity/rows.csv"
got=$(json_get "$tmp/out" "sum(d['joules'] for d in f['devices']) / 3.6e6")
if [ -x "$est" ]; then
    "$est" "$CT_SOURCE_ROOT/tests/ccf_parity/rows.csv" >rows.jsonl
    want=$(python3 -c "
import json
t = 0.0
for l in open('rows.jsonl'):
    r = json.loads(l)
    t += sum(r[k] or 0 for k in ('cpu_kwh', 'gpu_kwh', 'memory_kwh', 'storage_kwh', 'network_kwh')) / r['pue']
print(repr(t))")
    python3 -c "import sys; sys.exit(abs($got - $want) > 1e-9 * $want)" \
        && ok "rows.csv: $got kWh, the per-row sum $want" || bad "rows.csv: $got kWh, per-row sum $want"
else
    ok "# SKIP no tests/ccf_estimate next to $CO2TALLY"
fi
finish
