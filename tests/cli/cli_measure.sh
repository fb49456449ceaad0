# co2tally measure: exit status passed through, signals passed on, JSON fields,
# CPU attribution of a busy child, GPU attribution through a fake NVML library.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
. "$CT_SOURCE_ROOT/tests/cli/rapl_fake.sh"
trap 'rapl_stop; rm -rf "$tmp"' EXIT
export CO2TALLY_NVML_LIBRARY="$tmp/no-libnvidia-ml.so"
db="$tmp/m.db"
cd "$tmp"
# json FILE EXPR: python's verdict on the measure JSON in FILE (as j)
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; }

expect_rc 0 "measure --help" -- "$CO2TALLY" measure --help
expect_grep "$tmp/out" "usage: co2tally measure" "help text"
expect_rc 2 "measure without a command" -- "$CO2TALLY" measure
# No team file here: counted at WORLD, with a note.
expect_rc 3 "measure -- sh -c 'exit 3' exits 3" -- "$CO2TALLY" --db "$db" measure -- sh -c 'exit 3'
expect_grep "$tmp/out" "exit 3" "the table says exit 3"
expect_grep "$tmp/out" "WORLD" "no team file: the world average"
expect_rc 143 "a child killed by SIGTERM gives 128 + 15" -- "$CO2TALLY" --db "$db" measure -- sh -c 'kill -TERM $$'
expect_rc 127 "a missing command gives 127" -- "$CO2TALLY" --db "$db" measure -- /nonexistent/cmd
expect_grep "$tmp/err" "cannot run '/nonexistent/cmd'" "and says so"
expect_rc 0 "the command's options are its own" -- "$CO2TALLY" --db "$db" measure -o "$tmp/j0" -- echo --json --interval x
expect_grep "$tmp/out" "^--json --interval x$" "the command got them"
expect_rc 0 "measure -- true" -- "$CO2TALLY" --db "$db" measure --json -o "$tmp/true.json" -- true
json "$tmp/true.json" 'j["duration_s"] < 0.15' && ok "true takes under one sampling period (no sleep after exit)" \
    || bad "measure -- true: $(cat "$tmp/true.json")"

# --json fields, on this machine's own sensors (the procstat fallback at least).
busy='i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done'
expect_rc 0 "measure a busy child" -- "$CO2TALLY" --db "$db" measure --json -o "$tmp/busy.json" -- sh -c "$busy"
json "$tmp/busy.json" 'all(k in j for k in ("duration_s", "energy_j", "kgco2e", "method")) and
    all(k in j["energy_j"] for k in ("cpu", "dram", "gpu", "total")) and
    all(v in (None, "measured", "calculated", "mixed") for v in j["method"].values())' \
    && ok "JSON has duration_s, energy_j {cpu, dram, gpu, total}, kgco2e, method" \
    || bad "JSON fields: $(cat "$tmp/busy.json")"
json "$tmp/busy.json" 'j["share"]["cpu"] > 0 and j["energy_j"]["cpu"] > 0 and j["cpu_time_s"] > 0' \
    && ok "the busy child gets a CPU share" || bad "CPU share: $(cat "$tmp/busy.json")"
json "$tmp/busy.json" 'abs(j["energy_j"]["total"] - sum(v for k, v in j["energy_j"].items() if k != "total")) <= 1e-9 * max(1, j["energy_j"]["total"])' \
    && ok "total = sum of the components" || bad "total: $(cat "$tmp/busy.json")"
json "$tmp/busy.json" 'abs(j["kgco2e"] - j["energy_j"]["total"] / 3.6e6 * j["pue"] * j["factor_kg_per_kwh"]) <= 1e-12' \
    && ok "kgco2e = kWh x PUE x factor" || bad "kgco2e: $(cat "$tmp/busy.json")"
n=$(sqlite3 "$db" "select count(*) from runs")
[ "$n" = 5 ] && ok "every run is in the ledger (5)" || bad "$n runs in the ledger"
st=$(sqlite3 "$db" "select exit_status from runs order by rowid limit 2" | tr '\n' ' ')
[ "$st" = "3 143 " ] && ok "runs keep their exit status" || bad "exit statuses: $st"
n=$(sqlite3 "$db" "select count(distinct id) from sources where kind = 'measure'")
[ "$n" = 5 ] && ok "one measure source per run" || bad "$n measure sources"

# A team file: its country and the PUE of the platform that lists this host.
printf '[team]\nname = t\ncountry = FRA\n[platform here]\nmethod = measured\nhosts = %s\npue = 1.5\n' \
    "$(hostname)" >"$tmp/team.ini"
expect_rc 0 "measure with a team file" -- "$CO2TALLY" --db "$db" --config "$tmp/team.ini" measure --json -- true
json "$tmp/out" 'j["location"] == "FRA" and j["pue"] == 1.5' && ok "team country and platform PUE" \
    || bad "team: $(cat "$tmp/out")"

# Signals sent to measure go on to the command.
"$CO2TALLY" --db "$db" measure -- sleep 30 >/dev/null 2>&1 &
mpid=$!
sleep 0.5
kill -TERM "$mpid"
wait "$mpid"; rc=$?
[ "$rc" -eq 143 ] && ok "SIGTERM to measure reaches the command (exit 143)" || bad "SIGTERM: exit $rc"

# Measured CPU energy from a fake RAPL package at 40 W. The host's energy is only
# checked loosely (30%): the writer competes with the busy child for the CPU, so
# its counter can lag at either end; cli_agent checks the rate precisely.
rapl_tree "$tmp/sys"
rapl_start "$tmp/sys" 40
export CO2TALLY_SYSFS_ROOT="$tmp/sys"
expect_rc 0 "measure over fake RAPL" -- "$CO2TALLY" --db "$db" measure --json -o "$tmp/rapl.json" -- sh -c "$busy"
json "$tmp/rapl.json" 'j["method"]["cpu"] == "measured" and 0 < j["energy_j"]["cpu"] <= j["host_energy_j"]["cpu"] * 1.000001
    and abs(j["host_energy_j"]["cpu"] - 40 * j["duration_s"]) <= 0.3 * 40 * j["duration_s"] + 1' \
    && ok "CPU energy measured, the host's at 40 W x duration, the child's share of it" \
    || bad "fake RAPL: $(cat "$tmp/rapl.json")"
rapl_stop

# GPUs: the fake NVML lists the child's pid on GPU-a, another pid on GPU-b.
if [ -n "${CT_FAKE_NVML_LIB:-}" ] && [ -f "$CT_FAKE_NVML_LIB" ]; then
    export CO2TALLY_NVML_LIBRARY="$CT_FAKE_NVML_LIB" CO2TALLY_FAKE_NVML="$tmp/nvml.txt"
    printf 'gpu uuid=GPU-a name=A energy_mj=0 util=90\ngpu uuid=GPU-b name=B energy_mj=0 util=90 pids=1\n' >"$tmp/nvml.txt"
    # The child names itself on GPU-a and both GPUs draw 100 J every 0.1 s.
    gpu_job='for i in 1 2 3 4 5 6 7 8; do
        printf "gpu uuid=GPU-a name=A energy_mj=%d util=90 pids=$$\ngpu uuid=GPU-b name=B energy_mj=%d util=90 pids=1\n" \
            $((i * 100000)) $((i * 100000)) >"$CO2TALLY_FAKE_NVML.tmp"
        mv "$CO2TALLY_FAKE_NVML.tmp" "$CO2TALLY_FAKE_NVML"; sleep 0.1; done'
    expect_rc 0 "measure with two fake GPUs" -- "$CO2TALLY" --db "$db" measure --json --interval 0.05 -o "$tmp/gpu.json" -- sh -c "$gpu_job"
    json "$tmp/gpu.json" 'j["method"]["gpu"] == "measured" and abs(j["host_energy_j"]["gpu"] - 1600) < 1e-6
        and 700 <= j["energy_j"]["gpu"] <= 800.001' \
        && ok "GPU energy: the child's GPU (800 J of the 1600 J), not the other's" \
        || bad "GPU attribution: $(cat "$tmp/gpu.json")"
else
    ok "# SKIP no fake NVML library (CT_FAKE_NVML_LIB)"
fi
finish
