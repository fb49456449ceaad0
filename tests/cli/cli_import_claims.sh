# co2tally import: --platform must name a platform of the team file (else exit 1,
# nothing imported, the message says why), and a provider export's summary gives
# its location-based and market-based totals apart, each equal to the total
# Python computes here from the file's own scope columns, never their sum.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
command -v sqlite3 >/dev/null && command -v python3 >/dev/null || { echo "1..0 # SKIP no sqlite3 or python3"; exit 77; }
gcp="$CT_SHARED/fixtures/provider/carbon-json-cloud_example_2-gcp-carbon-export.csv"
azure="$CT_SOURCE_ROOT/tests/fixtures/provider/azure-enrollment-emissions.json"
db="$tmp/l.db"
cd "$tmp" || exit 1 # no co2tally.ini here: the default team file is absent
ct() { "$CO2TALLY" --db "$db" "$@"; }
count() { sqlite3 "$db" "select (select count(*) from sources) || ' ' || (select count(*) from provided)"; }
# Is the number in $1 within 1e-9 (relative) of $2?
near() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) <= 1e-9 * max(1, abs(b)) else 1)" "$1" "$2"; }

# ---- --platform and the team file ----
expect_rc 1 "--platform with no team file" -- ct import --platform cloud "$gcp"
expect_grep "$tmp/err" "--platform cloud needs the team file that defines it, and co2tally.ini does not load" "the message says --platform needs the team file, and names its path"
expect_grep "$tmp/err" "nothing was imported" "the message says nothing was imported"
[ ! -e "$db" ] && ok "no ledger written without the team file" || bad "a ledger was written"

printf '[team]\ncountry = SGP\n[platform cloud]\nmethod = provided\nprovider = oracle\n' >"$tmp/bad.ini"
expect_rc 1 "--platform with a team file that does not load" -- ct --config "$tmp/bad.ini" import --platform cloud "$gcp"
expect_grep "$tmp/err" "needs the team file that defines it, and $tmp/bad.ini does not load ($tmp/bad.ini:5: provider = 'oracle'" "the team file's own error, with FILE:LINE"
[ ! -e "$db" ] && ok "no ledger written on a bad team file" || bad "a ledger was written"

cat >"$tmp/team.ini" <<'INI'
[team]
country = SGP
[platform gcp-prod]
method = provided
provider = gcp
[platform laptops]
method = calculated
watts = 10
utilisation = 0.5
hours_per_year = 100
INI
expect_rc 0 "an export into a fresh ledger" -- ct import "$azure"
before=$(count)
expect_rc 1 "--platform naming no platform of the team file" -- ct --config "$tmp/team.ini" import --platform azure-misc "$gcp"
expect_grep "$tmp/err" "--platform 'azure-misc' is not a platform of $tmp/team.ini (its platforms: gcp-prod, laptops); nothing was imported" "the message names the known platforms"
[ "$(count)" = "$before" ] && ok "nothing imported for an unknown platform" || bad "ledger changed: $before -> $(count)"
expect_rc 0 "--platform naming a platform of the team file" -- ct --config "$tmp/team.ini" import --platform gcp-prod "$gcp"
got=$(sqlite3 "$db" "select group_concat(distinct coalesce(platform, '-')) from provided p join sources s on s.id = p.source_id where s.path like '%gcp-carbon-export.csv'")
[ "$got" = "gcp-prod" ] && ok "its rows carry the platform" || bad "rows carry platform '$got'"

# ---- summaries: the two bases apart ----
read -r loc mkt <<EOF
$(python3 - "$gcp" <<'PY'
import csv, sys
loc = mkt = 0.0
# Scope 1 and 3 count under both bases; scope 2 has one figure per basis. (The
# file's total columns are rounded: 0.05 kg off the scopes' sum over the file.)
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    s13 = float(r["carbon_footprint_kgCO2e.scope1"]) + float(r["carbon_footprint_kgCO2e.scope3"])
    loc += s13 + float(r["carbon_footprint_kgCO2e.scope2.location_based"])
    mkt += s13 + float(r["carbon_footprint_kgCO2e.scope2.market_based"])
print("%.6f %.6f" % (loc, mkt))
PY
)
EOF
rows=$(($(wc -l <"$gcp") - 1))
rm -f "$db"
expect_rc 0 "the GCP export imports" -- ct import "$gcp"
want=$(printf 'imported as gcp-carbon, %d provided emissions: location-based %.1f kgCO2e, market-based %.1f kgCO2e$' $((rows * 6)) "$loc" "$mkt")
expect_grep "$tmp/out" "$want" "text: location-based and market-based totals apart ($loc, $mkt)"
sum=$(printf '%.1f' "$(python3 -c "print($loc + $mkt)")")
grep -q -- "$sum" "$tmp/out" && bad "text holds the sum of the bases, $sum" || ok "text does not add the bases ($sum)"
rm -f "$db"
expect_rc 0 "the GCP export, --json" -- ct import --json "$gcp"
python3 - "$tmp/out" "$loc" "$mkt" <<'PY' && ok "json: provided_kgco2e_location and _market equal the file's totals, both_bases 0" || bad "json: $(head -c 600 "$tmp/out")"
import json, sys
f = json.load(open(sys.argv[1]))["files"][0]
loc, mkt = float(sys.argv[2]), float(sys.argv[3])
ok = abs(f["provided_kgco2e_location"] - loc) <= 1e-9 * loc and \
     abs(f["provided_kgco2e_market"] - mkt) <= 1e-9 * mkt and \
     f["provided_kgco2e_both_bases"] == 0 and "provided_kgco2e" not in f
sys.exit(0 if ok else 1)
PY
# Azure reports market-based figures only: the location-based total is absent, not 0.
mkt=$(python3 -c "import json, sys; print(sum(float(r['totalEmissions']) * 1000 for r in json.load(open(sys.argv[1]))['value']))" "$azure")
rm -f "$db"
expect_rc 0 "the Azure export imports" -- ct import "$azure"
expect_grep "$tmp/out" "location-based none in the file, market-based $(printf '%.1f' "$mkt") kgCO2e$" "text: Azure's location-based total is none, its market-based total $mkt"
rm -f "$db"
expect_rc 0 "the Azure export, --json" -- ct import --json "$azure"
got=$(python3 -c "import json, sys; f = json.load(open(sys.argv[1]))['files'][0]; print(f['provided_kgco2e_location'], f['provided_kgco2e_market'])" "$tmp/out")
[ "${got%% *}" = "None" ] && near "${got#* }" "$mkt" && ok "json: location null, market $mkt" || bad "json: location market = $got, wanted None $mkt"
finish
