# Ten writers at once into one PostgreSQL ledger (issue 10): ten processes each
# import their own log of 1,000 hourly buckets (four GPUs sampled every 15
# minutes over 1,000 hours) while the others write. Afterwards every bucket is
# there exactly once, and each source's energy equals what the same file gives
# in a SQLite ledger of its own, to the last bit of a sum. Run by
# tests/pg/pgtest.sh.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
[ -n "${CT_TEST_LEDGER_URL:-}" ] || { echo "not ok - no CT_TEST_LEDGER_URL: run under tests/pg/pgtest.sh"; exit 1; }
"$CT_PG_BINDIR/psql" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE writers" >/dev/null \
    || { echo "not ok - cannot create a database on the test server"; exit 1; }
pg="postgresql://co2tally@/writers?host=$PGHOST"
python3 - "$tmp" <<'PY'
import sys, time
for w in range(10):
    with open("%s/w%d.csv" % (sys.argv[1], w), "w") as f:
        f.write("timestamp, index, power.draw [W], utilization.gpu [%]\n")
        t0 = 1672531200 + w * 3600 * 7          # each writer its own stretch of 2023
        for k in range(4 * 1000 + 1):           # every 15 minutes for 1,000 hours
            t = time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime(t0 + 900 * k))
            for g in range(4):
                f.write("%s.000, %d, %.2f W, %d %%\n" % (t, g, 60 + (k * 7 + g * 13 + w) % 300, k % 100))
PY
# the schema first, so that the ten race on records, not on migrations
"$CO2TALLY" --db "$pg" ledger info >/dev/null 2>&1
pids=""
for w in 0 1 2 3 4 5 6 7 8 9; do
    "$CO2TALLY" --db "$pg" import --host "w$w" --max-gap 1800 "$tmp/w$w.csv" >"$tmp/out$w" 2>"$tmp/err$w" &
    pids="$pids $!"
done
n=0
for p in $pids; do wait "$p" && n=$((n + 1)); done
[ "$n" -eq 10 ] && ok "ten concurrent imports all succeeded" || bad "$((10 - n)) imports failed: $(cat "$tmp"/err* | head -c 400)"
for w in 0 1 2 3 4 5 6 7 8 9; do
    "$CO2TALLY" --db "$tmp/w$w.db" import --host "w$w" --max-gap 1800 "$tmp/w$w.csv" >/dev/null || bad "sqlite import $w"
done
"$CO2TALLY" --db "$pg" ledger sources --json >"$tmp/pg.json" || bad "ledger sources on PostgreSQL"
python3 - "$tmp" <<'PY' && ok "every bucket once (4,000 per writer) and each writer's energy as in SQLite" || bad "buckets or energy differ"
import json, sqlite3, sys
d = sys.argv[1]
src = {s["host"]: s for s in json.load(open(d + "/pg.json"))["sources"]}
assert len(src) == 10, sorted(src)
for w in range(10):
    s = src["w%d" % w]
    db = sqlite3.connect("%s/w%d.db" % (d, w))
    n, j = db.execute("select count(*), sum(joules) from energy").fetchone()
    assert n == 4000 and s["records"] == n, (w, s["records"], n)
    assert s["energy_kwh"] == j / 3.6e6 or abs(s["energy_kwh"] - j / 3.6e6) <= 1e-12 * j / 3.6e6, (w, s, j)
PY
finish
