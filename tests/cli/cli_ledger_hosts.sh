# ledger hosts (issue 10, item 6): every host with its first and last record,
# its sources and its energy in a period, the team-file platform claiming it,
# and the team file's hosts that never reported; numbers checked against sums
# sqlite3 computes over the same file.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
shared="$CT_SHARED/fixtures"
ct() { "$CO2TALLY" "$@"; }
cd "$tmp" || exit 1

# N GPUs for H hours from 2023-10-01 at 30 s.
gen() {
    python3 - "$@" <<'PY'
import sys
path, G, hours, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(path, "w") as f:
    f.write("timestamp, index, power.draw [W], utilization.gpu [%]\n")
    for s in range(0, hours * 3600, 30):
        d, r = divmod(s, 86400)
        for g in range(G):
            f.write("2023/10/%02d %02d:%02d:%02d.000, %d, %d.5 W, 40 %%\n" % (1 + d, r // 3600, r // 60 % 60, r % 60, g, base + g + s % 13))
PY
}
gen "$tmp/a.csv" 2 72 100
gen "$tmp/b.csv" 1 30 250
gen "$tmp/c.csv" 1 5 90
db="$tmp/h.db"
ct --db "$db" import --host gpu-01 --max-gap 120 "$tmp/a.csv" >/dev/null
ct --db "$db" import --host gpu-02 --max-gap 120 "$tmp/b.csv" >/dev/null
ct --db "$db" import --host gpu-02 --max-gap 120 "$tmp/c.csv" >/dev/null
ct --db "$db" import --host srv-1 --interval 5 "$shared/turbostat/telegraf-intel-xeon-6126-input.txt" >/dev/null
ct --db "$db" import --host lap-1 --start 2023-10-03T08:00:00 "$shared/powermetrics/codecarbon-mock_powermetrics_log-M1.txt" >/dev/null
cat >"$tmp/team.ini" <<'EOF'
[team]
name = hosts test
country = FRA
year = 2023

[platform gpu-servers]
method = measured
hosts = gpu-01, gpu-02, gpu-09

[platform laptops]
method = measured
hosts = lap-1, lap-7
EOF

# What sqlite3 says, per host: energy (detail excluded) in [from, to) for
# buckets inside it, first t0, last t1, number of sources and their kinds.
expect_sums() {
    sqlite3 -json "$db" "SELECT host, total(CASE WHEN t0 >= $1 AND t1 <= $2 THEN joules END) AS joules,
        strftime('%Y-%m-%dT%H:%M:%SZ', min(t0), 'unixepoch') AS first,
        strftime('%Y-%m-%dT%H:%M:%SZ', max(t1), 'unixepoch') AS last,
        count(DISTINCT e.source_id) AS sources,
        (SELECT group_concat(kind || '=' || n, ',') FROM (SELECT so.kind, count(DISTINCT so.id) AS n
           FROM energy_records x JOIN sources so ON so.id = x.source_id
           WHERE x.host = e.host AND x.detail = 0 GROUP BY so.kind ORDER BY so.kind)) AS kinds
        FROM energy_records e WHERE detail = 0 GROUP BY host ORDER BY host"
}
check() { # check JSON SQLJSON WANT_HOSTS(host:platform:reported,...)
    python3 - "$@" <<'PY'
import json, sys
got, want, hosts = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
rows = {h["host"]: h for h in got["hosts"]}
names = [h["host"] for h in got["hosts"]]
assert names == sorted(names), "not sorted: %s" % names
expect = {}
for item in hosts.split(","):
    h, plat, rep = item.split(":")
    expect[h] = (plat or None, rep == "y")
assert set(rows) == set(expect), "hosts %s, wanted %s" % (sorted(rows), sorted(expect))
for h, (plat, rep) in expect.items():
    assert rows[h]["platform"] == plat, "%s: platform %r" % (h, rows[h]["platform"])
    assert rows[h]["reported"] == rep, "%s: reported %r" % (h, rows[h]["reported"])
for w in want:
    g = rows[w["host"]]
    assert abs(g["joules"] - w["joules"]) <= 1e-9 * max(1.0, abs(w["joules"])), "%s: %r J, sqlite3 %r J" % (w["host"], g["joules"], w["joules"])
    assert abs(g["energy_kwh"] * 3.6e6 - g["joules"]) <= 1e-6 * max(1.0, g["joules"])
    assert g["first"] == w["first"] and g["last"] == w["last"], "%s: %s..%s, sqlite3 %s..%s" % (w["host"], g["first"], g["last"], w["first"], w["last"])
    assert g["sources"] == w["sources"], "%s: %d sources, sqlite3 %d" % (w["host"], g["sources"], w["sources"])
    kinds = ",".join("%s=%d" % kv for kv in sorted(g["kinds"].items()))
    assert kinds == w["kinds"], "%s: kinds %s, sqlite3 %s" % (w["host"], kinds, w["kinds"])
print(len(rows))
PY
}
everyone="gpu-01:gpu-servers:y,gpu-02:gpu-servers:y,gpu-09:gpu-servers:n,lap-1:laptops:y,lap-7:laptops:n,srv-1::y"

expect_rc 0 "ledger hosts --json (all time)" -- ct --db "$db" --config "$tmp/team.ini" ledger hosts --json
cp "$tmp/out" "$tmp/all.json"
expect_sums 0 253402300800 >"$tmp/all.sql"
if r=$(check "$tmp/all.json" "$tmp/all.sql" "$everyone" 2>&1); then ok "all time: $r hosts, energy, first, last and sources as sqlite3 sums them"; else bad "all time: $r"; fi
grep -q '"kinds": {"nvidia-smi": 2}' "$tmp/all.json" && ok "gpu-02 has two nvidia-smi sources" || bad "gpu-02's sources: $(grep gpu-02 "$tmp/all.json")"

# A period cut on day boundaries (no bucket straddles them): 2023-10-02 .. 2023-10-03.
expect_rc 0 "ledger hosts --from --to" -- ct --db "$db" --config "$tmp/team.ini" ledger hosts --json --from 2023-10-02 --to 2023-10-03
cp "$tmp/out" "$tmp/day.json"
expect_sums 1696204800 1696291200 >"$tmp/day.sql"
if r=$(check "$tmp/day.json" "$tmp/day.sql" "$everyone" 2>&1); then ok "one day: energy as sqlite3 sums it"; else bad "one day: $r"; fi
python3 -c "import json,sys; h={x['host']:x for x in json.load(open(sys.argv[1]))['hosts']}; sys.exit(0 if h['gpu-01']['joules'] > 0 and h['gpu-02']['joules'] > 0 and h['lap-1']['joules'] == 0 else 1)" "$tmp/day.json" \
    && ok "gpu-01 and gpu-02 ran that day, lap-1 did not" || bad "day split: $(head -c 400 "$tmp/day.json")"
expect_rc 0 "ledger hosts --year 2023" -- ct --db "$db" --config "$tmp/team.ini" ledger hosts --json --year 2023
python3 -c "import json,sys; h={x['host']:x for x in json.load(open(sys.argv[1]))['hosts']}; sys.exit(0 if h['srv-1']['joules'] == 0 and h['gpu-01']['joules'] > 0 else 1)" "$tmp/out" \
    && ok "--year 2023: srv-1 (2025) has no energy in it, gpu-01 has" || bad "--year 2023: $(head -c 400 "$tmp/out")"

# The table.
expect_rc 0 "ledger hosts (table)" -- ct --db "$db" --config "$tmp/team.ini" ledger hosts
expect_grep "$tmp/out" "^gpu-09 *gpu-servers *never reported" "a listed host that never reported is shown as such"
expect_grep "$tmp/out" "^lap-7 *laptops *never reported" "so is a laptop"
expect_grep "$tmp/out" "^srv-1 *- *2025-" "srv-1 has no platform"
expect_grep "$tmp/out" "2 (nvidia-smi 2)" "sources with their kinds"

# Without a team file: no platforms, nobody missing.
expect_rc 0 "ledger hosts without a team file" -- ct --db "$db" ledger hosts --json
if r=$(check "$tmp/out" "$tmp/all.sql" "gpu-01::y,gpu-02::y,lap-1::y,srv-1::y" 2>&1); then ok "without a team file: the four hosts that reported"; else bad "no team file: $r"; fi
expect_rc 1 "a team file given but missing" -- ct --db "$db" --config "$tmp/none.ini" ledger hosts
expect_rc 2 "--from without --to" -- ct --db "$db" ledger hosts --from 2023-10-01
expect_rc 2 "--year and --from" -- ct --db "$db" ledger hosts --year 2023 --from 2023-10-01 --to 2023-10-02
expect_rc 1 "no ledger" -- ct --db "$tmp/none.db" ledger hosts
expect_rc 0 "help" -- ct ledger --help
expect_grep "$tmp/out" "ledger hosts" "help names hosts"
finish
