# One honest annual figure, end to end (issue 9): a few seconds of turbostat get
# no interval and say why in every format; a platform with no data and silent
# hosts are listed, not dropped; advice built on thin data says so; every
# grouping prints the same total.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
cat >"$tmp/team.ini" <<'INI'
[team]
name = SG
country = SGP
year = 2025
[platform servers]
method = measured
hosts = srv-1, srv-2, srv-3
pue = 1.5
[platform gpus]
method = measured
hosts = gpu-01
[platform laptops]
method = calculated
watts = 20
count = 12
utilisation = 0.5
hours_per_year = 2000
pue = 1
INI
ct() { "$CO2TALLY" --db "$tmp/l.db" --config "$tmp/team.ini" "$@"; }
log="$CT_SHARED/fixtures/turbostat/telegraf-intel-xeon-6126-input.txt"
expect_rc 0 "estimate" -- ct estimate
expect_rc 0 "import 5 s of turbostat" -- ct import --host srv-1 --interval 5 "$log"
expect_rc 0 "report" -- ct report
expect_grep "$tmp/out" "too little data in 4 series (one: 5 s of data in 1 week)" "the table says why there is no interval"
expect_grep "$tmp/out" "(1 of 3 hosts)" "the platform says how many of its hosts reported"
expect_grep "$tmp/out" "^gpus .*no data in this period" "the empty platform is listed"
expect_grep "$tmp/out" "nothing from srv-2, srv-3" "the silent hosts are named"
# twelve laptops, fully estimated: 12 units, coverage 100 %
expect_grep "$tmp/out" "^laptops  *calculated  *240.0 kWh .* 100.0%  *119.7 kg$" "twelve laptops cover their whole year"
for by in platform host device month method; do
    ct report --by "$by" --json >"$tmp/$by.json" || bad "report --by $by"
done
python3 - "$tmp" <<'PY' && ok "the same total and no interval under every grouping" || bad "totals differ"
import json, sys
d = sys.argv[1]
r = {by: json.load(open("%s/%s.json" % (d, by))) for by in ("platform", "host", "device", "month", "method")}
tot = r["platform"]["total"]["extrapolated_kgco2e"]
for by, j in r.items():
    t = j["total"]
    assert abs(t["extrapolated_kgco2e"] - tot) <= 1e-9 * tot, (by, t)
    assert t["interval_kgco2e"] is None and "5 s of data" in t["basis"], (by, t)
    assert abs(sum(g["extrapolated_kgco2e"] for g in j["groups"]) - tot) <= 1e-9 * tot, by
# the turbostat host extrapolates alone: its 5 s mean power x the year
p = {x["key"]: x for x in r["platform"]["platforms"]}
assert p["servers"]["interval_kgco2e"] is None and p["servers"]["hosts_reported"] == 1
assert p["gpus"]["status"] == "no data in this period" and p["gpus"]["series"] == 0
lap = p["laptops"]
assert lap["units"] == 12 and abs(lap["coverage"] - 1) < 1e-12, lap
assert lap["interval_kgco2e"] == [lap["extrapolated_kgco2e"]] * 2
# 240 kWh at SGP's factor
assert abs(lap["energy_kwh"] - 240) < 1e-9
PY
expect_rc 0 "advise" -- ct advise
expect_grep "$tmp/out" "a rough figure, no interval: too little data" "advice built on 5 s says so"
expect_rc 0 "csv" -- ct report --format csv
expect_grep "$tmp/out" "too little data in 4 series" "the CSV gives the basis"
finish
