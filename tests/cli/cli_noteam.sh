# Reports without a team file (issue 11): a user who only imported a log gets a
# report and advice at the world average (or --country), told so once; an
# explicit --config that does not exist is still an error.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
cd "$tmp" || exit 1
ct() { "$CO2TALLY" --db "$tmp/l.db" "$@"; }
expect_rc 0 "import a log with no team file" -- ct import --host gpu-01 "$CT_SOURCE_ROOT/tests/fixtures/nvidia-smi/query-units-2gpu.csv"
expect_rc 0 "report with no team file" -- ct report --year 2023 --json
cp "$tmp/out" "$tmp/world.json"
expect_rc 0 "the world average's factor" -- ct factors WORLD --year 2023 --json
cp "$tmp/out" "$tmp/wf.json"
expect_rc 0 "report --country FRA" -- ct report --year 2023 --country FRA --json
cp "$tmp/out" "$tmp/fra.json"
expect_rc 0 "France's factor" -- ct factors FRA --year 2023 --json
cp "$tmp/out" "$tmp/ff.json"
python3 - "$tmp" <<'PY' && ok "counted at WORLD, or at --country, and said once" || bad "factors"
import json, sys
d = sys.argv[1]
for rep, fac, what in (("world", "wf", "world average"), ("fra", "ff", "FRA (--country)")):
    r = json.load(open("%s/%s.json" % (d, rep)))
    f = json.load(open("%s/%s.json" % (d, fac)))["value_kg_per_kwh"]
    g = r["groups"][0]
    assert g["key"] == "(unassigned)" and g["factor_kg_per_kwh"] == f, (g, f)
    assert abs(g["kgco2e"] - g["energy_kwh"] * f) <= 1e-12 * g["kgco2e"], g
    assert sum(what in w for w in r["warnings"]) == 1, r["warnings"]
PY
expect_rc 0 "advise with no team file" -- ct advise --year 2023
expect_grep "$tmp/out" "no team file" "advise says so too"
expect_rc 1 "an explicit --config that is missing is an error" -- ct --config "$tmp/none.ini" report --year 2023
expect_grep "$tmp/err" "none.ini: cannot open the team file" "it names the file"
finish
