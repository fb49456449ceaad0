# Ledger housekeeping (issue 11, item 4): `ledger sources` against sqlite3's own
# sums; `ledger forget` by path, sha256 prefix and id, a report that changes by
# exactly the forgotten source, and a forget killed with kill -9 that leaves the
# ledger whole; `import --replace`; `ledger runs` against what measure printed.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
cd "$tmp" || exit 1
fx="$CT_SOURCE_ROOT/tests/fixtures/nvidia-smi"
a="$fx/query-units-2gpu.csv" b="$fx/query-nounits.csv"
ct() { "$CO2TALLY" --db "$tmp/l.db" "$@"; }
expect_rc 0 "import two logs" -- ct import --host g1 "$a" "$b"
expect_rc 0 "ledger sources --json" -- ct ledger sources --json
cp "$tmp/out" "$tmp/src.json"
python3 - "$tmp/src.json" "$tmp/l.db" <<'PY' && ok "records and kWh per source are sqlite3's own sums" || bad "sources vs sqlite3"
import json, sqlite3, sys
s = json.load(open(sys.argv[1]))["sources"]
db = sqlite3.connect(sys.argv[2])
assert len(s) == 2, s
for x in s:
    n, j = db.execute("select count(*), coalesce(sum(case when se.detail = 0 then e.joules end), 0) "
                      "from energy e join series se on se.id = e.series_id where se.source_id = ?",
                      (x["id"],)).fetchone()
    assert x["records"] == n and abs(x["energy_kwh"] - j / 3.6e6) <= 1e-12 * max(1, j), (x, n, j)
    assert x["host"] == "g1" and x["kind"] == "nvidia-smi"
PY
expect_rc 0 "ledger sources (table)" -- ct ledger sources
expect_grep "$tmp/out" "query-units-2gpu.csv" "the table names the file"

# A report after forgetting a equals a ledger that only ever held b.
"$CO2TALLY" --db "$tmp/b.db" import --host g1 "$b" >/dev/null
expect_rc 0 "forget by path" -- ct ledger forget "$a"
expect_grep "$tmp/out" "forgot source .*query-units-2gpu.csv" "it says what went"
ct report --year 2023 --json >"$tmp/r1.json"
"$CO2TALLY" --db "$tmp/b.db" report --year 2023 --json >"$tmp/r2.json"
python3 - "$tmp/r1.json" "$tmp/r2.json" <<'PY' && ok "the report changed by exactly that source" || bad "report after forget"
import json, sys
x, y = (json.load(open(p))["total"] for p in sys.argv[1:3])
assert x["energy_kwh"] == y["energy_kwh"] and x["kgco2e"] == y["kgco2e"], (x, y)
PY
sha=$(python3 -c "import json; print([s['sha256'] for s in json.load(open('$tmp/src.json'))['sources'] if s['path'].endswith('nounits.csv')][0])")
expect_rc 1 "forget something unknown" -- ct ledger forget no-such-file.csv
expect_grep "$tmp/err" "no source matches 'no-such-file.csv'" "it says so"
expect_rc 0 "forget by sha256 prefix" -- ct ledger forget "${sha:0:12}"
[ "$(sqlite3 "$tmp/l.db" 'select count(*) from sources')" = 0 ] && ok "nothing left" || bad "sources left"

# --replace: the same file again with other options replaces the first import.
t="$CT_SHARED/fixtures/turbostat/telegraf-intel-xeon-6126-input.txt"  # one 5 s interval
expect_rc 0 "import turbostat at 5 s" -- ct import --host t1 --interval 5 --start 2023-03-01T00:00:00 --json "$t"
cp "$tmp/out" "$tmp/t5.json"
expect_rc 0 "the same file again changes nothing" -- ct import --host t1 --interval 5 --start 2023-03-01T00:00:00 "$t"
expect_grep "$tmp/out" "already imported" "without --replace"
expect_rc 0 "import --replace at 10 s" -- ct import --replace --host t1 --interval 10 --start 2023-03-01T00:00:00 --json "$t"
cp "$tmp/out" "$tmp/t10.json"
python3 - "$tmp/t5.json" "$tmp/t10.json" "$tmp/l.db" <<'PY' && ok "--replace forgets the first import and keeps the second" || bad "replace"
import json, sqlite3, sys
f5, f10 = (json.load(open(p))["files"][0] for p in sys.argv[1:3])
assert f10["replaced"] == 1 and f10["status"] == "imported", f10
db = sqlite3.connect(sys.argv[3])
assert db.execute("select count(*) from sources").fetchone()[0] == 1
j = db.execute("select sum(joules) from energy").fetchone()[0]
total10 = sum(d["joules"] for d in f10["devices"])
assert abs(j - total10) <= 1e-9 * total10, (j, total10)
PY

# forget killed at random moments: the ledger stays whole, the source all there or gone.
python3 - "$tmp/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("timestamp, index, power.draw [W], utilization.gpu [%]\n")
    import time
    for k in range(16000):              # eight GPUs every 2 minutes for 22 days:
        t = time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime(1677628800 + 120 * k))
        for g in range(8):              # 4,256 hourly records to forget
            f.write("%s.000, %d, %.1f W, 50 %%\n" % (t, g, 100 + (k + g) % 50))
PY
# how long one forget takes here, so that kills land before, during and after it
"$CO2TALLY" --db "$tmp/k.db" import --host big "$tmp/big.csv" >/dev/null 2>&1
# (no leak check at exit here: it would be most of the time, and a killed
# process never reaches it)
full=$(ASAN_OPTIONS=detect_leaks=0 python3 -c "import subprocess, sys, time; t = time.time(); subprocess.run(sys.argv[1:], capture_output=True); print(time.time() - t)" \
    "$CO2TALLY" --db "$tmp/k.db" ledger forget "$tmp/big.csv")
rm -f "$tmp/k.db" "$tmp/k.db-wal" "$tmp/k.db-shm"
# the kill moments, worked out before (python's own start-up must not delay them)
delays=$(python3 -c "print(' '.join('%.3f' % ($full * (0.3 + 0.09 * i)) for i in range(1, 9)))")
whole=0 gone=0
i=0
for d in $delays; do
    i=$((i + 1))
    "$CO2TALLY" --db "$tmp/k.db" import --host big "$tmp/big.csv" >/dev/null 2>&1 || bad "import big"
    n0=$(sqlite3 "$tmp/k.db" "select count(*) from energy")
    ASAN_OPTIONS=detect_leaks=0 "$CO2TALLY" --db "$tmp/k.db" ledger forget "$tmp/big.csv" >/dev/null 2>&1 &
    pid=$!
    sleep "$d"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ "$(sqlite3 "$tmp/k.db" 'pragma integrity_check')" = ok ] || bad "integrity after kill $i"
    n=$(sqlite3 "$tmp/k.db" "select count(*) from energy")
    s=$(sqlite3 "$tmp/k.db" "select count(*) from sources where path = '$tmp/big.csv'")
    if [ "$s" = 1 ] && [ "$n" = "$n0" ]; then whole=$((whole + 1))
    elif [ "$s" = 0 ] && [ "$n" -lt "$n0" ]; then gone=$((gone + 1))
    else bad "kill $i left $s source(s) and $n of $n0 records"; fi
    rm -f "$tmp/k.db" "$tmp/k.db-wal" "$tmp/k.db-shm"
done
[ $((whole + gone)) -eq 8 ] && ok "forget under kill -9: $whole whole, $gone gone, none partial" \
    || bad "forget under kill -9"

# ledger runs: what measure printed for each run.
expect_rc 3 "measure a command" -- ct measure --json -o "$tmp/m1.json" -- sh -c 'exit 3'
expect_rc 0 "measure another" -- ct measure --json -o "$tmp/m2.json" -- true
expect_rc 0 "ledger runs --json" -- ct ledger runs --json
python3 - "$tmp/out" "$tmp/m1.json" "$tmp/m2.json" <<'PY' && ok "runs: commands, exit, energy and kgCO2e as measure printed them" || bad "runs"
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
ms = [json.load(open(p)) for p in sys.argv[2:4]]
assert len(runs) == 2, runs
for r, m in zip(runs, ms):
    assert r["exit_status"] == m["exit_status"], (r, m)
    assert abs(r["total_j"] - m["energy_j"]["total"]) <= 1e-9 * max(1e-9, m["energy_j"]["total"]), (r, m)
    assert abs(r["kgco2e"] - m["kgco2e"]) <= 1e-9 * max(1e-12, m["kgco2e"]), (r, m)
PY
finish
