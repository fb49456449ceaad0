# co2tally chips: what the power tables know, with sources; a team file's
# chip = A100 suggests NVIDIA's A100s first; N vCPU takes its location's
# provider; a whole GPU server estimated per component, its report --by device
# checked against a hand computation of the components.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
ct() { "$CO2TALLY" --db "$tmp/l.db" "$@"; }

expect_rc 0 "chips --help" -- ct chips --help
expect_grep "$tmp/out" "^usage: co2tally chips" "help text"
expect_rc 2 "chips rejects an unknown option" -- ct chips --bogus
expect_rc 1 "a query nothing holds" -- ct chips zzzzqqq
expect_grep "$tmp/err" "no chip name holds 'zzzzqqq'" "says so"
expect_rc 0 "chips h100" -- ct chips h100
expect_grep "$tmp/out" "NVIDIA H100 SXM .* gpu .* 700 .*vendor https://www.nvidia.com/en-us/data-center/h100/" "H100 SXM with its source"
expect_rc 0 "chips --json" -- ct chips --json
python3 - "$tmp/out" <<'PY' && ok "every row has a kind, watts and a source with an address" || bad "chips --json"
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) > 4900, len(rows)
for r in rows:
    assert r["kind"] in ("cpu", "gpu", "vcpu"), r
    assert r["watts"] > 0 and r["source"] and r["url"].startswith(("http://", "https://")), r
by = {r["name"]: r for r in rows}
# typed from the vendors' pages, not read back from data/
want = {"NVIDIA B200": 1000, "NVIDIA H200 SXM": 700, "NVIDIA L4": 72, "NVIDIA L40S": 350,
        "AMD Instinct MI300X": 750, "NVIDIA GeForce RTX 4090": 450, "NVIDIA T4": 70}
for n, w in want.items():
    assert by[n]["watts"] == w and by[n]["source"] == "vendor", by[n]
m = by["Apple M2 Ultra"]
assert (m["watts"], m["idle_watts"], m["source"]) == (295, 10, "apple-power"), m
assert "Apple publishes no TDP" in m["note"], m
g = by["1 gcp vCPU"]
assert (g["watts"], g["idle_watts"], g["per"]) == (4.11, 0.68, "vcpu"), g
PY

# chip = A100 is NVIDIA's A100, not Intel's 3 W CPU of the same name.
printf '[team]\ncountry = SGP\nyear = 2023\n[platform g]\nmethod = calculated\nchip = A100\nutilisation = 0.5\nhours_per_year = 10\n' >"$tmp/a100.ini"
expect_rc 1 "chip = A100 is ambiguous" -- ct --config "$tmp/a100.ini" estimate
expect_grep "$tmp/err" "a100.ini:6: \[platform g\]: unknown chip 'A100'; did you mean: NVIDIA A100" "NVIDIA's A100s suggested first"

# watts with chip: the given watts replace the table's, and estimate says which.
printf '[team]\ncountry = SGP\nyear = 2023\n[platform c]\nmethod = calculated\nchip = NVIDIA H100 SXM\nwatts = 500\nutilisation = 0.5\nhours_per_year = 10\n' >"$tmp/cap.ini"
expect_rc 0 "chip with watts" -- ct --config "$tmp/cap.ini" estimate
expect_grep "$tmp/out" "250.00 W x .*10.0 h" "500 W x 0.5, not 700 W x 0.5"
expect_grep "$tmp/out" "(watts = 500 replaces the 700 W of NVIDIA H100 SXM (vendor))" "the note says what it replaced"

cat >"$tmp/m.ini" <<'INI'
[team]
country = DEU
year = 2023
[platform box]
method = calculated
chips = 4 x NVIDIA A100 SXM4 80GB, 2 x AMD EPYC 7763
ram_gb = 512
storage = 2 x 3.84 TB ssd, 4 x 16 TB hdd
base_watts = 150
gpu_utilisation = 0.6
cpu_utilisation = 0.2
hours_per_year = 1000
count = 2
pue = 1.5
[platform gce]
method = calculated
location = gcp:us-central1
chip = 4 vCPU
utilisation = 0.5
hours_per_year = 1000
INI
cm() { "$CO2TALLY" --db "$tmp/m.db" --config "$tmp/m.ini" "$@"; }
expect_rc 0 "estimate a whole server" -- cm estimate
expect_grep "$tmp/out" "box .*1473.52 W" "the machine's mean power"
expect_rc 0 "report --by device --json" -- cm report --by device --json
python3 - "$tmp/out" <<'PY' && ok "components by hand: gpu, cpu, ram, storage, base" || bad "components"
import json, sys
r = json.load(open(sys.argv[1]))
g = {x["key"]: x["energy_kwh"] for x in r["groups"]}
h, n = 1000, 2
want = {
    "box/gpu": 4 * 400 * 0.6 * h * n / 1000,          # A100 SXM4 80GB: 400 W datasheet
    "box/cpu": 2 * 280 * 0.2 * h * n / 1000,          # EPYC 7763: 280 W, CodeCarbon
    "box/ram": 512 * 0.000392 * h * n,                # CCF: 0.000392 kWh per GB-hour
    "box/storage": (2 * 3.84 * 1.2 + 4 * 16 * 0.65) * h * n / 1000,  # CCF: Wh per TB-hour
    "box/base": 150 * h * n / 1000,
    "gce/calculated": 4 * (0.68 + (4.11 - 0.68) * 0.5) * h / 1000,   # CCF's GCP median per vCPU
}
assert set(g) == set(want), g
for k, v in want.items():
    assert abs(g[k] - v) < 1e-9 * v, (k, g[k], v)
assert abs(r["total"]["energy_kwh"] - sum(want.values())) < 1e-9 * sum(want.values())
PY
expect_rc 0 "advise on the server" -- cm advise --json
python3 - "$tmp/out" <<'PY' && ok "the server's kind is inferred and said" || bad "kind of the server"
import json, sys
a = json.load(open(sys.argv[1]))
f = [f for f in a["findings"] if f["platform"] == "box" and f["kind"] == "platform_share"][0]
assert "(kind gpu-server, inferred: its chips include a GPU)" in f["evidence"], f
PY
finish
