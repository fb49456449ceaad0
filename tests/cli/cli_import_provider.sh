# co2tally import on provider exports (AWS, Google Cloud, Azure): every fixture
# imports, and the kgCO2e the ledger holds per basis matches a total that Python
# computes here from the file itself (tonnes to kg); then bad inputs (a clear
# FILE:LINE error, nothing imported), warnings with FILE:LINE, and duplicates.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
shared="$CT_SHARED/fixtures/provider"
own="$CT_SOURCE_ROOT/tests/fixtures/provider"
db="$tmp/l.db"
ct() { "$CO2TALLY" --db "$db" "$@"; }
count() { sqlite3 "$db" "select (select count(*) from sources) || ' ' || (select count(*) from provided)"; }
command -v sqlite3 >/dev/null && command -v python3 >/dev/null || { echo "1..0 # SKIP no sqlite3 or python3"; exit 77; }

# The file's own totals, per basis: "LOCATION MARKET" in kgCO2e. Scope 1 and 3
# count under both bases; Azure reports market-based only (location 0).
cat >"$tmp/expect.py" <<'PY'
import csv, io, json, re, sys
path = sys.argv[1]
name = path.rsplit("/", 1)[-1]
raw = open(path, encoding="utf-8", errors="replace").read()
T = {"mtco2e": 1000, "tco2e": 1000, "kgco2e": 1, "gco2e": 0.001}
def unit(u): return T[re.sub(r"[^a-z0-9]", "", u.lower())]
def rows(): return list(csv.DictReader(io.StringIO(raw)))
loc = mkt = 0.0
if name.startswith("aws-ccft"):
    mkt = sum(float(r["mbmCarbon"]) * 1000 for r in rows())
elif name.startswith("aws-"):
    for r in rows():
        loc += float(r["total_lbm_emissions_value"]) * unit(r["total_lbm_emissions_unit"])
        mkt += float(r["total_mbm_emissions_value"]) * unit(r["total_mbm_emissions_unit"])
elif name.endswith(".jsonl"):
    for ln in raw.splitlines():
        if ln.strip():
            r = json.loads(ln)["carbon_footprint_total_kgCO2e"]
            loc += r["location_based"]; mkt += r["market_based"]
elif "gcp" in name:
    for r in rows():
        k = {re.sub(r"[._]", "", c): v for c, v in r.items()}
        loc += float(k["carbonfootprinttotalkgCO2elocationbased"])
        mkt += float(k["carbonfootprinttotalkgCO2emarketbased"])
elif name.startswith("azure-enrollment") and name.endswith(".csv"):
    mkt = sum(float(r["TotalEmissions"]) * 1000 for r in rows())
elif name.startswith("azure-enrollment"):
    mkt = sum(float(r["totalEmissions"]) * 1000 for r in json.loads(raw)["value"])
elif name.endswith(".json"):
    mkt = sum(float(r["latestMonthEmissions"]) for r in json.loads(raw)["value"])
else:  # Get-AzCarbonEmissionReport as PowerShell printed it: the complete items
    mkt = sum(float(v) for v in re.findall(r'"latestMonthEmissions":\s*([-0-9.eE]+)', raw))
print("%.6f %.6f" % (loc, mkt))
PY

# Imports one file into a fresh ledger and compares the ledger's sums.
check_file() {
    f=$1; shift
    rm -f "$db"
    base=$(basename "$f")
    expect_rc 0 "$base imports" -- ct import "$@" "$f"
    want=$(python3 "$tmp/expect.py" "$f")
    got=$(sqlite3 "$db" "select printf('%.6f %.6f',
        coalesce((select sum(kgco2e) from provided where market_based in (0, -1)), 0),
        coalesce((select sum(kgco2e) from provided where market_based in (1, -1)), 0))")
    if python3 -c "import sys; w=[float(x) for x in sys.argv[1].split()]; g=[float(x) for x in sys.argv[2].split()]; sys.exit(0 if all(abs(a-b) <= 1e-6*max(1,abs(a)) for a,b in zip(w,g)) else 1)" "$want" "$got"; then
        ok "$base: location/market kgCO2e $got"
    else
        bad "$base: ledger has $got kgCO2e (location market), the file says $want"
    fi
}

for f in "$own"/aws-*.csv "$own"/gcp-* "$own"/azure-* "$shared"/*.csv; do
    check_file "$f"
done
check_file "$shared/azure-Get-AzCarbonEmissionReport-ex1-overall-summary.txt" --scope 2 --period 2024-03..2025-03
check_file "$shared/azure-Get-AzCarbonEmissionReport-ex2-monthly-summary.txt" --scope 2
check_file "$shared/azure-Get-AzCarbonEmissionReport-ex4-item-details.txt" --scope 3 --period 2025-03
check_file "$shared/azure-Get-AzCarbonEmissionReport-ex6-top-items-summary.txt" --scope 3 --period 2025-03
check_file "$shared/azure-Get-AzCarbonEmissionReport-ex7-top-items-monthly-summary.txt" --scope 3
expect_grep "$tmp/err" "warning: .*ex7-top-items-monthly-summary.txt:[0-9]*: PowerShell elided" "elided items: a warning with FILE:LINE"
n=$(sqlite3 "$db" "select count(*) from provided where service like 'top item: %'")
[ "$n" = 5 ] && ok "top items are named as such" || bad "top items: $n named 'top item: ...'"

# Warnings: on stderr with FILE:LINE, and in --json per file.
rm -f "$db"
sed '2s/^\(\([^,]*,\)\{9\}\)2403.513,/\12500,/' "$own/gcp-carbon-underscore.csv" >"$tmp/gcp-mismatch.csv"
expect_rc 0 "a total that is not the sum of its scopes imports" -- ct import --json "$tmp/gcp-mismatch.csv"
expect_grep "$tmp/err" "co2tally import: warning: $tmp/gcp-mismatch.csv:2: " "the mismatch is a warning with FILE:LINE"
python3 -c "import json,sys; w=json.load(open(sys.argv[1]))['files'][0]['warnings']; sys.exit(0 if any(':2: ' in x for x in w) else 1)" "$tmp/out" \
    && ok "--json lists the warning" || bad "--json warnings: $(head -c 400 "$tmp/out")"

# A second import of the same file changes nothing.
before=$(count)
expect_rc 0 "a second import" -- ct import "$tmp/gcp-mismatch.csv"
expect_grep "$tmp/out" "already imported" "a second import says already imported"
[ "$(count)" = "$before" ] && ok "a second import adds nothing" || bad "a second import: $before -> $(count)"

# Bad inputs: a clear FILE:LINE error, exit 1, and nothing imported.
bad_input() {
    lbl=$1; pat=$2; shift 2
    before=$(count)
    expect_rc 1 "$lbl: refused" -- ct import "$@"
    expect_grep "$tmp/err" "$pat" "$lbl: the message"
    [ "$(count)" = "$before" ] && ok "$lbl: nothing imported" || bad "$lbl: $before -> $(count)"
}
printf 'carbon_footprint_total_kgCO2e.location_based,carbon_footprint_kgCO2e.scope1\n1,1\n' >"$tmp/nomonth.csv"
bad_input "a missing column" "nomonth.csv:1: .*usage_month" --format gcp-carbon "$tmp/nomonth.csv"
sed '3s/,32\.139,/,abc,/' "$shared/carbon-json-cloud_example_2-gcp-carbon-export.csv" >"$tmp/nan.csv"
grep -q ',abc,' "$tmp/nan.csv" || sed -i '3s/^\(\([^,]*,\)\{11\}\)[^,]*,/\1abc,/' "$tmp/nan.csv"
bad_input "a value that is not a number" "nan.csv:3: .*'abc' is not a number" "$own/aws-carbon-legacy.csv" "$tmp/nan.csv"
sed '2s/MTCO2e,0.532/lbs,0.532/' "$own/aws-carbon-legacy.csv" >"$tmp/unit.csv"
bad_input "an unknown unit" "unit.csv:2: .*unit 'lbs'" "$tmp/unit.csv"
bad_input "another provider's file with the wrong --format" "cloud_example_2-gcp-carbon-export.csv:1: .*--format gcp-carbon" \
    --format aws-carbon "$shared/carbon-json-cloud_example_2-gcp-carbon-export.csv"
bad_input "an Azure PowerShell output without --scope" "ex2-monthly-summary.txt:3: .*--scope" \
    "$shared/azure-Get-AzCarbonEmissionReport-ex2-monthly-summary.txt"
bad_input "an item details output without --period" "ex4-item-details.txt:[0-9]*: .*--period" \
    --scope 3 "$shared/azure-Get-AzCarbonEmissionReport-ex4-item-details.txt"
expect_rc 2 "--scope 4 is a usage error" -- ct import --scope 4 "$tmp/unit.csv"
expect_rc 2 "--period 2025-13 is a usage error" -- ct import --period 2025-13 "$tmp/unit.csv"
finish
