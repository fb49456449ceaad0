# co2tally advise: usage; the example team's findings and recommendations as text
# and JSON; the same advice inside `report --json`; SCI against a computation made
# here; an imported nvidia-smi log whose idle energy this script computes itself;
# a live agent run on the fake NVML library with one idle GPU.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
team="$CT_SOURCE_ROOT/examples/team.ini"
db="$tmp/ex.db"
ct() { "$CO2TALLY" --db "$db" --config "$team" "$@"; }

expect_rc 0 "advise --help" -- ct advise --help
expect_grep "$tmp/out" "^usage: co2tally advise" "help text"
expect_rc 2 "advise rejects an unknown option" -- ct advise --bogus
expect_rc 2 "advise rejects --low-util 2" -- ct advise --low-util 2
expect_rc 1 "advise without a ledger" -- ct advise
expect_rc 0 "estimate the example team" -- ct estimate

expect_rc 0 "advise (text)" -- ct advise
expect_grep "$tmp/out" "^Findings" "findings listed"
expect_grep "$tmp/out" "platform_share *onprem-training" "the biggest platform first"
expect_grep "$tmp/out" "cleaner_region *cloud-training" "a cleaner region for the cloud platform"
expect_grep "$tmp/out" "high impact *|" "the text quadrant"
expect_grep "$tmp/out" "  1\\. .*quick win" "rank 1 is a quick win"

expect_rc 0 "advise --json" -- ct advise --json
cp "$tmp/out" "$tmp/advise.json"
python3 - "$tmp/advise.json" <<'PY' && ok "advise --json: fields, order and savings" || bad "advise --json"
import json, sys
a = json.load(open(sys.argv[1]))
for f in a["findings"]:
    for k in ("kind", "host", "device", "hours", "kwh", "kgco2e_per_year", "evidence"):
        assert k in f, k
kinds = [f["kind"] for f in a["findings"]]
n = kinds.count("platform_share")
assert kinds[:n] == ["platform_share"] * n, kinds
shares = [f["kgco2e_per_year"] for f in a["findings"][:n]]
assert shares == sorted(shares, reverse=True)
assert abs(sum(shares) - a["total_kgco2e_per_year"]) < 1e-6 * a["total_kgco2e_per_year"]
region = [f for f in a["findings"] if f["kind"] == "cleaner_region"]
assert {f["platform"] for f in region} == {"cloud-training", "cicd"}, region
low = [f for f in a["findings"] if f["kind"] == "low_utilisation"]
assert [f["platform"] for f in low] == ["onprem-dev"] and low[0]["utilisation"] == 0.25, low
recs = a["recommendations"]
assert len(recs) >= 10
for r in recs:
    for k in ("id", "theme", "effort", "applies_because", "saving_kgco2e_per_year", "quadrant"):
        assert k in r, k
q = [r["quadrant"] == "quick win" for r in recs]
assert q == sorted(q, reverse=True), "quick wins first"
rest = [r["saving_kgco2e_per_year"] / {"low": 1, "medium": 2, "high": 3}[r["effort"]]
        for r in recs if r["quadrant"] != "quick win"]
assert rest == sorted(rest, reverse=True), "then saving over effort"
byid = {r["id"]: r for r in recs}
move = byid["servers-cleaner-region"]
want = sum(f["kgco2e_per_year"] * (1 - f["factor_ratio"]) for f in region)
assert abs(move["saving_kgco2e_per_year"] - want) < 1e-9 * want, (move, want)
PY

# Advice follows what a platform is, never its name: the seed's team with its
# laptops and CI renamed (issue 11) gets the same measures, savings and
# findings; the sentences differ only by the names.
sed 's/^\[platform laptops\]$/[platform macbooks]/; s/^\[platform cicd\]$/[platform github-actions]/' \
    "$team" >"$tmp/renamed.ini"
cr() { "$CO2TALLY" --db "$tmp/renamed.db" --config "$tmp/renamed.ini" "$@"; }
expect_rc 0 "estimate the renamed team" -- cr estimate
expect_rc 0 "advise the renamed team" -- cr advise --json
python3 - "$tmp/advise.json" "$tmp/out" <<'PY' && ok "renamed platforms get the same advice" || bad "renaming changed the advice"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
ren = lambda s: s.replace("macbooks", "laptops").replace("github-actions", "cicd")
def recs(x, f=lambda s: s):
    return [(r["id"], round(r["saving_kgco2e_per_year"], 9), r["quadrant"], f(r["applies_because"]))
            for r in x["recommendations"]]
assert recs(a) == recs(b, ren), (recs(a), recs(b, ren))
ids = {r["id"] for r in a["recommendations"]}
# the laptop-sleep and CI measures apply; none of the servers' to the laptops
for want in ("servers-laptop-power", "transfer-cache-dependencies", "templates-ci"):
    assert want in ids, (want, ids)
byid = {r["id"]: r for r in b["recommendations"]}
assert "macbooks" in byid["servers-laptop-power"]["applies_because"]
for r in b["recommendations"]:
    if r["id"].startswith(("servers-right-size", "servers-consolidate", "servers-shutdown-off-hours")):
        assert "macbooks" not in r["applies_because"], r
fa = [(f["kind"], f["platform"], round(f["kgco2e_per_year"], 9)) for f in a["findings"]]
fb = [(f["kind"], ren(f["platform"]), round(f["kgco2e_per_year"], 9)) for f in b["findings"]]
assert sorted(fa) == sorted(fb), (fa, fb)
# the inferred kinds are said in the evidence
lap = [f for f in b["findings"] if f["platform"] == "macbooks" and f["kind"] == "platform_share"][0]
assert "(kind laptop, inferred: several units of a laptop chip on hours a day)" in lap["evidence"], lap
ci = [f for f in b["findings"] if f["platform"] == "github-actions" and f["kind"] == "platform_share"][0]
assert "(kind ci, inferred: " in ci["evidence"], ci
# applies_because is a sentence: "macbooks: 12 laptops, on 9 h a day, ..."
assert byid["servers-laptop-power"]["applies_because"].startswith("macbooks: 12 laptops, on 9 h a day"), byid["servers-laptop-power"]
for r in b["recommendations"]:
    for syntax in ("share>=", "name~", "name!~", "kind=", "kind!=", "(when", "platform_share:"):
        assert syntax not in r["applies_because"], (syntax, r)
PY
expect_rc 0 "the renamed team as HTML" -- cr report --format html -o "$tmp/renamed.html"
if grep -E -q 'share(&gt;|>)=|name!?~|kind!?=|\(when |util(&lt;|<)0' "$tmp/renamed.html"; then
    bad "rule syntax in the HTML: $(grep -E -o '.{40}(share(&gt;|>)=|name!?~|kind!?=|\(when ).{40}' "$tmp/renamed.html" | head -3)"
else
    ok "the HTML shows no rule syntax"
fi
grep -q "macbooks: 12 laptops, on 9 h a day" "$tmp/renamed.html" && ok "the HTML says why in words" \
    || bad "no sentence in the HTML"

# A period with nothing in it: no findings, an empty page, no complaint.
expect_rc 0 "advise on an empty year" -- ct advise --year 2020
expect_grep "$tmp/out" "No measure of the playbook applies" "nothing applies"
[ ! -s "$tmp/err" ] && ok "no message on stderr" || bad "stderr: $(head -c 300 "$tmp/err")"
expect_rc 0 "an empty year as HTML" -- ct report --format html --year 2020 -o "$tmp/empty.html"
# Nothing vanishes: every platform of the team file is listed, with no data.
[ ! -s "$tmp/err" ] && grep -q "no data in this period" "$tmp/empty.html" && ok "the empty page says so" \
    || bad "empty page: $(head -c 300 "$tmp/err")"

expect_rc 0 "report --json" -- ct report --json
python3 - "$tmp/out" "$tmp/advise.json" <<'PY' && ok "report --json carries the same advice" || bad "report --json advice"
import json, sys
r, a = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert r["advice"] == a, "differs"
assert r["groups"] and r["total"]
PY
expect_rc 0 "report --json --by month still has advice" -- ct report --json --by month
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["by"] == "month" and r["advice"]["findings"]' \
    "$tmp/out" && ok "by month with advice" || bad "by month with advice"

# SCI: ((E x I) + M) per R, with M from team-file keys, computed here.
sed 's/^pue = onprem$/pue = onprem\nembodied_kgco2e = 1200\nlifetime_years = 4/' "$team" >"$tmp/team-sci.ini"
cs() { "$CO2TALLY" --db "$db" --config "$tmp/team-sci.ini" "$@"; }
expect_rc 2 "--sci needs --per" -- cs report --sci
expect_rc 2 "--per needs a positive number" -- cs report --sci --per 0
expect_rc 0 "report --sci" -- cs report --sci --per 5000 --unit "training run"
expect_grep "$tmp/out" "per training run" "SCI per the unit"
expect_grep "$tmp/out" "Excluded: embodied emissions of 4 platform" "says what is left out"
expect_rc 0 "report --sci --json" -- cs report --sci --per 5000 --unit run --json
cp "$tmp/out" "$tmp/sci.json"
expect_rc 0 "report --json (for SCI)" -- cs report --json
python3 - "$tmp/sci.json" "$tmp/out" <<'PY' && ok "SCI = ((E x I) + M) / R by hand" || bad "SCI by hand"
import json, sys
s, r = json.load(open(sys.argv[1]))["sci"], json.load(open(sys.argv[2]))
op = r["total"]["extrapolated_kgco2e"]
m = 1200 * 2 * 365 / (4 * 365.25)          # onprem-dev: 2 EPYCs, 2023 over 4 years
e = sum(f["energy_kwh"] * f["pue"] for g in r["groups"] for f in [g])
want = (op + m) / 5000
assert abs(s["embodied_kgco2e"] - m) < 1e-9 * m, s
assert abs(s["operational_kgco2e"] - op) < 1e-9 * op, s
assert abs(s["e_kwh"] - e) < 1e-9 * e, (s["e_kwh"], e)
assert abs(s["kgco2e_per_unit"] - want) < 1e-12 * want, (s, want)
assert s["platforms_without_embodied"] == 4
PY

# An nvidia-smi log with idle stretches: the finding's idle hours and energy equal
# the trapezoid over the intervals whose mean utilisation is under 5 %.
cat >"$tmp/gen.py" <<'PY'
import datetime, sys
t0 = datetime.datetime(2023, 6, 1)
out = ["timestamp, index, power.draw [W], utilization.gpu [%]"]
for i in range(720):
    ts = (t0 + datetime.timedelta(seconds=10 * i)).strftime("%Y/%m/%d %H:%M:%S") + ".000"
    busy = i < 180 or 600 <= i < 660
    out.append("%s, 0, %.2f W, %d %%" % (ts, 250 + i % 7 if busy else 55 + (i % 5) * 0.5,
                                        90 if busy else i % 3))
    out.append("%s, 1, %.2f W, 80 %%" % (ts, 200 + i % 4))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
python3 "$tmp/gen.py" "$tmp/smi.csv"
printf '[team]\nname = gpu team\ncountry = SGP\nyear = 2023\n[platform gpus]\nmethod = measured\nhosts = gpu-01\npue = 1.4\n' >"$tmp/gpu.ini"
cg() { "$CO2TALLY" --db "$tmp/gpu.db" --config "$tmp/gpu.ini" "$@"; }
expect_rc 0 "import the nvidia-smi log" -- cg import --format nvidia-smi --host gpu-01 "$tmp/smi.csv"
expect_rc 0 "factor for SGP 2023" -- cg factors SGP --year 2023 --json
cp "$tmp/out" "$tmp/sgp.json"
expect_rc 0 "advise on the imported log" -- cg advise --json
python3 - "$tmp/smi.csv" "$tmp/out" "$tmp/sgp.json" <<'PY' && ok "idle GPU from the imported log, computed here" || bad "idle GPU from the log"
import json, sys
rows = [l.split(", ") for l in open(sys.argv[1]).read().splitlines()[1:]]
g0 = [(float(r[2].split()[0]), float(r[3].split()[0])) for r in rows if r[1] == "0"]
idle_j = idle_s = cov = 0.0
for (w1, u1), (w2, u2) in zip(g0, g0[1:]):
    cov += 10
    if (u1 + u2) / 2 < 5:
        idle_j += (w1 + w2) / 2 * 10
        idle_s += 10
a = json.load(open(sys.argv[2]))
factor = json.load(open(sys.argv[3]))["value_kg_per_kwh"]
idle = [f for f in a["findings"] if f["kind"] == "idle_gpu"]
assert [(f["host"], f["device"]) for f in idle] == [("gpu-01", "gpu:0")], idle
f = idle[0]
kwh = idle_j / 3.6e6
assert abs(f["kwh"] - kwh) < 1e-9 * kwh, (f["kwh"], kwh)
assert abs(f["hours"] - idle_s / 3600) < 1e-9, (f["hours"], idle_s)
year = 365 * 86400
assert abs(f["kwh_per_year"] - kwh * year / cov) < 1e-9 * kwh * year / cov
want = kwh * year / cov * 1.4 * factor
assert abs(f["kgco2e_per_year"] - want) < 1e-9 * want, (f["kgco2e_per_year"], want)
ids = {r["id"] for r in a["recommendations"]}
assert "servers-shutdown-idle-gpus" in ids and "servers-share-gpus" in ids, ids
PY

# Live: the agent on the fake NVML library, one GPU idle at 60 W, one busy.
if [ -n "${CT_FAKE_NVML_LIB:-}" ] && [ -f "$CT_FAKE_NVML_LIB" ]; then
    mkdir -p "$tmp/sys"
    printf 'driver 550.54.15\ngpu uuid=GPU-idle name=Fake_A power_mw=60000 util=0\ngpu uuid=GPU-busy name=Fake_B power_mw=200000 util=90\n' >"$tmp/nvml.txt"
    printf '[team]\nname = live\ncountry = DEU\n[platform lab]\nmethod = measured\nhosts = live1\n' >"$tmp/live.ini"
    cl() { CO2TALLY_SYSFS_ROOT="$tmp/sys" CO2TALLY_NVML_LIBRARY="$CT_FAKE_NVML_LIB" \
           CO2TALLY_FAKE_NVML="$tmp/nvml.txt" "$CO2TALLY" --db "$tmp/live.db" --config "$tmp/live.ini" "$@"; }
    expect_rc 0 "agent on the fake NVML for 2 s" -- cl agent --interval 0.1 --duration 2 --host live1
    from=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) - d.timedelta(days=1)).strftime("%Y-%m-%d"))')
    to=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(days=2)).strftime("%Y-%m-%d"))')
    expect_rc 0 "advise on the live run" -- cl advise --json --from "$from" --to "$to"
    python3 - "$tmp/out" <<'PY' && ok "the live idle GPU is found (60 W for about 2 s)" || bad "live idle GPU: $(head -c 600 "$tmp/out")"
import json, sys
a = json.load(open(sys.argv[1]))
idle = [f for f in a["findings"] if f["kind"] == "idle_gpu"]
assert [(f["host"], f["device"]) for f in idle] == [("live1", "gpu:GPU-idle")], idle
j = idle[0]["kwh"] * 3.6e6
assert 60 <= j <= 150, j                      # 60 W x 2 s = 120 J, sampling at the edges
assert 1.0 / 3600 <= idle[0]["hours"] <= 2.5 / 3600, idle[0]["hours"]
PY
else
    ok "# SKIP no fake NVML library (CT_FAKE_NVML_LIB)"
fi
finish
