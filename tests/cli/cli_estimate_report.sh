# estimate + report on the example team: values checked independently in Python.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
team="$CT_SOURCE_ROOT/examples/team.ini"
db="$tmp/l.db"
ct() { "$CO2TALLY" --db "$db" --config "$team" "$@"; }
expect_rc 0 "estimate" -- ct estimate
expect_grep "$tmp/out" "5 calculated platforms written for 2023" "estimate summary"
expect_rc 0 "ledger info" -- ct ledger info
cp "$tmp/out" "$tmp/info1"
expect_rc 0 "estimate again" -- ct estimate
expect_grep "$tmp/out" "(replaced)" "second estimate replaces"
ct ledger info >"$tmp/info2"
cmp -s "$tmp/info1" "$tmp/info2" && ok "re-estimate leaves the ledger's counts unchanged" || bad "counts changed: $(cat "$tmp/info2")"
expect_rc 0 "report json" -- ct report --json --explain
cp "$tmp/out" "$tmp/report.json"
expect_rc 0 "report by month json" -- ct report --by month --format json
cp "$tmp/out" "$tmp/month.json"
expect_rc 0 "report csv" -- ct report --format csv -o "$tmp/report.csv"
expect_rc 0 "report table" -- ct report --explain
expect_grep "$tmp/out" "laptops" "table has laptops"
expect_grep "$tmp/out" "Where each figure comes from" "explain section"
python3 - "$tmp/report.json" "$tmp/month.json" "$tmp/report.csv" <<'PY' && ok "json/csv values" || bad "json/csv values"
import csv, json, sys
r = json.load(open(sys.argv[1])); m = json.load(open(sys.argv[2]))
g = {x["key"]: x for x in r["groups"]}
assert r["period"] == {"from": "2023-01-01T00:00:00Z", "to": "2024-01-01T00:00:00Z"}, r["period"]
# laptops: 12 x 10 W (Apple M1) x 0.3 x 9 h x 230 d = 74.52 kWh, PUE 1, SGP 2023 500.87228 g/kWh
lap = g["laptops"]
assert abs(lap["energy_kwh"] - 74.52) < 1e-9, lap
assert lap["pue"] == 1.0 and abs(lap["factor_kg_per_kwh"] - 0.50087228) < 1e-12, lap
assert lap["factor_year"] == 2023
# onprem-training: 8 x (50 + 200 x 0.35) W x 8760 h = 8409.6 kWh at PUE 1.58
tr = g["onprem-training"]
assert abs(tr["energy_kwh"] - 8409.6) < 1e-9 and tr["pue"] == 1.58, tr
for x in r["groups"]:
    k = x["energy_kwh"] * x["pue"] * x["factor_kg_per_kwh"]
    assert abs(k - x["kgco2e"]) <= 1e-9 * max(1, k), (x["key"], k, x["kgco2e"])
    assert x["coverage"] == 1 and x["extrapolated_kgco2e"] == x["kgco2e"], x
    assert x["interval_kgco2e"] == [x["kgco2e"], x["kgco2e"]]
tot = sum(x["kgco2e"] for x in r["groups"])
assert abs(tot - r["total"]["kgco2e"]) < 1e-9 * tot
assert abs(sum(x["share"] for x in r["groups"]) - 1) < 1e-12
assert abs(sum(x["kgco2e"] for x in m["groups"]) - tot) < 1e-9 * tot
assert [x["key"] for x in m["groups"]] == ["2023-%02d" % i for i in range(1, 13)]
# the cloud platform is counted at Google's asia-southeast1 factor (369 g in 2023)
cl = g["cloud-training"]
assert abs(cl["factor_kg_per_kwh"] - 0.369) < 1e-12, cl
rows = list(csv.DictReader(open(sys.argv[3])))
assert rows[-1]["platform"] == "total"
assert abs(float(rows[-1]["kgco2e"]) - tot) < 1e-6 * tot
assert {x["platform"] for x in rows[:-1]} == set(g)
PY
finish
