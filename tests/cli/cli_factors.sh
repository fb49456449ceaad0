# co2tally factors: text, --json, --list, --year fallback and errors.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
cd "$tmp"
# json_get FILE EXPR: prints EXPR evaluated on the parsed JSON (as d), or fails.
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
expect_eq() {
    got=$1; want=$2; what=$3
    if [ "$got" = "$want" ]; then ok "$what"; else bad "$what: got '$got', wanted '$want'"; fi
}

expect_rc 0 "factors SGP" -- "$CO2TALLY" factors SGP
expect_grep "$tmp/out" "^SGP  Singapore" "code and name"
expect_grep "$tmp/out" "kgCO2e/kWh" "unit shown"
expect_grep "$tmp/out" "year    2024 (asked: latest)" "latest year shown"
expect_grep "$tmp/out" "basis   lifecycle" "basis shown"
expect_grep "$tmp/out" "Our World in Data.*\[CC-BY-4.0\]" "source and licence shown"
expect_grep "$tmp/out" "https://ourworldindata.org" "source url shown"

expect_rc 0 "factors SGP --year 2023" -- "$CO2TALLY" factors SGP --year 2023
expect_grep "$tmp/out" "0.50087228 kgCO2e/kWh" "SGP 2023 value (500.87228 g)"

expect_rc 0 "factors USA --year 2023 --json" -- "$CO2TALLY" factors USA --year 2023 --json
expect_eq "$(json_get "$tmp/out" "d['code'], d['year'], d['year_asked'], d['value_kg_per_kwh']")" \
    "USA 2023 2023 0.392848" "json code, year, value"
expect_eq "$(json_get "$tmp/out" "d['source'], d['basis'], d['licence']")" \
    "owid-ember lifecycle CC-BY-4.0" "json source, basis, licence"
expect_eq "$(json_get "$tmp/out" "sorted(d)")" \
    "['basis', 'code', 'licence', 'name', 'note', 'source', 'source_title', 'url', 'value_kg_per_kwh', 'year', 'year_asked']" \
    "json keys"

expect_rc 0 "--year=2030 falls back" -- "$CO2TALLY" factors --year=2030 DEU --json
expect_eq "$(json_get "$tmp/out" "d['year'], d['value_kg_per_kwh']")" "2024 0.34413992" "DEU 2030 -> 2024"
expect_grep "$tmp/out" "nearest earlier year" "fallback explained"

expect_rc 0 "Electricity Maps zone, direct" -- "$CO2TALLY" factors em:FR/direct --json
expect_eq "$(json_get "$tmp/out" "d['value_kg_per_kwh'], d['basis']")" "0.0184 direct" "FR direct 18.4 g"
expect_rc 0 "gcp region 2019" -- "$CO2TALLY" factors gcp:us-central1 --year 2019 --json
expect_eq "$(json_get "$tmp/out" "d['value_kg_per_kwh'], d['basis']")" "0.479 lifecycle" "us-central1 2019"
expect_rc 0 "aws region (undated)" -- "$CO2TALLY" factors aws:us-east-1 --json
expect_eq "$(json_get "$tmp/out" "d['value_kg_per_kwh'], d['year']")" "0.415755 None" "aws undated"

expect_rc 1 "unknown location is a user error" -- "$CO2TALLY" factors Germny
expect_grep "$tmp/err" "unknown location 'Germny'; did you mean: DEU (Germany)" "suggestion given"
expect_rc 2 "no location is bad usage" -- "$CO2TALLY" factors
expect_grep "$tmp/err" "usage: co2tally factors" "usage printed"
expect_rc 2 "bad year" -- "$CO2TALLY" factors SGP --year soon
expect_rc 2 "missing year" -- "$CO2TALLY" factors SGP --year
expect_rc 2 "unknown option" -- "$CO2TALLY" factors SGP --colour
expect_rc 2 "two locations" -- "$CO2TALLY" factors SGP FRA
expect_rc 2 "location and --list" -- "$CO2TALLY" factors SGP --list
expect_rc 0 "--help" -- "$CO2TALLY" factors --help
expect_grep "$tmp/out" "usage: co2tally factors" "help text"

expect_rc 0 "--list" -- "$CO2TALLY" factors --list
expect_grep "$tmp/out" "^SGP  *0.498742 *2024 *lifecycle *Singapore" "list row for SGP"
cp "$tmp/out" "$tmp/list1"
"$CO2TALLY" factors --list >"$tmp/list2" 2>/dev/null
cmp -s "$tmp/list1" "$tmp/list2" && ok "list is deterministic" || bad "list differs between runs"
LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 "$CO2TALLY" factors --list >"$tmp/list3" 2>/dev/null
cmp -s "$tmp/list1" "$tmp/list3" && ok "list ignores the locale" || bad "list depends on the locale"

expect_rc 0 "--list --json" -- "$CO2TALLY" factors --list --json
expect_eq "$(json_get "$tmp/out" "len(d) > 600, len({x['code'] for x in d}) == len(d)")" "True True" \
    "json list: many, unique codes"
expect_eq "$(json_get "$tmp/out" "[x['value_kg_per_kwh'] for x in d if x['code'] == 'FR']")" "[0.03344]" \
    "json list: FR lifecycle"
expect_eq "$(json_get "$tmp/out" "all(x['source'] and x['licence'] and x['url'] for x in d)")" "True" \
    "json list: every row has its source"
expect_rc 0 "--list --json --year 2019" -- "$CO2TALLY" factors --list --json --year 2019
expect_eq "$(json_get "$tmp/out" "[(x['year'], x['value_kg_per_kwh']) for x in d if x['code'] == 'gcp:us-central1']")" \
    "[(2019, 0.479)]" "list for a year"
finish
