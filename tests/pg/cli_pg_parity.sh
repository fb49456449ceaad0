# The same records in a SQLite ledger and a PostgreSQL ledger give the same
# reports (issue 10): the shared fixtures (nvidia-smi, turbostat, powerstat,
# powermetrics, a Google Cloud export) and an `estimate` of examples/team.ini
# go into both, and `report --json` under every --by, for the team year, for
# a period cut inside months (calculated records count pro rata) and for the
# provider's year, must match number by number to a relative 1e-12 (parsed
# JSON, not text) and string by string. Run by tests/pg/pgtest.sh, which
# starts the server: without one this fails, it never skips.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
[ -n "${CT_TEST_LEDGER_URL:-}" ] || { echo "not ok - no CT_TEST_LEDGER_URL: run under tests/pg/pgtest.sh"; exit 1; }
command -v python3 >/dev/null || { echo "not ok - python3 is missing (scripts/setup.sh installs it)"; exit 1; }
F="$CT_SHARED/fixtures"

# A database of its own on the test server.
"$CT_PG_BINDIR/psql" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE parity" >/dev/null \
    || { echo "not ok - cannot create a database on the test server"; exit 1; }
pg="postgresql://co2tally@/parity?host=$PGHOST"

{
    cat "$CT_SOURCE_ROOT/examples/team.ini"
    printf '[platform gpu-servers]\nmethod = measured\nhosts = gpu-01, srv-1\npue = 1.58\n'
    printf '[platform gcp]\nmethod = provided\nprovider = gcp\n'
} >"$tmp/team.ini"

# Every import and the estimate, into one ledger.
fill() {
    local db=$1 i=0 f
    ct() { "$CO2TALLY" --db "$db" --config "$tmp/team.ini" "$@"; }
    expect_rc 0 "estimate into $2" -- ct estimate
    for f in "$F"/nvidia-smi/*.csv "$F"/nvidia-smi/*.txt; do
        i=$((i + 1))
        expect_rc 0 "$(basename "$f") into $2" -- \
            ct import --host gpu-01 --start "2023-0$((i + 2))-1${i}T10:17:00" --interval 1 "$f"
    done
    expect_rc 0 "turbostat into $2" -- \
        ct import --host srv-1 --interval 5 "$F/turbostat/telegraf-intel-xeon-6126-input.txt"
    expect_rc 0 "powerstat into $2" -- ct import --host srv-1 --start 2023-07-31T23:59:00 \
        "$F/other/powerstat-clearlinux-1915-rapl-partial.txt"
    expect_rc 0 "powermetrics into $2" -- \
        ct import --host mac-1 "$F/powermetrics/codecarbon-mock_powermetrics_log-M1.txt"
    expect_rc 0 "Google Cloud export into $2" -- \
        ct import "$F/provider/carbon-json-cloud_example_2-gcp-carbon-export.csv"
    expect_rc 0 "the same export again into $2" -- \
        ct import "$F/provider/carbon-json-cloud_example_2-gcp-carbon-export.csv"
    expect_grep "$tmp/out" "already imported" "$2 knows the export by its sha256"
}
fill "$tmp/l.db" SQLite
fill "$pg" PostgreSQL

"$CO2TALLY" --db "$tmp/l.db" ledger info | tail -n +2 >"$tmp/info.sqlite"
"$CO2TALLY" --db "$pg" ledger info | tail -n +2 >"$tmp/info.pg"
if cmp -s "$tmp/info.sqlite" "$tmp/info.pg" && grep -q "energy  *[1-9]" "$tmp/info.pg"; then
    ok "both ledgers hold as many sources, energy records, provided emissions and runs"
else
    bad "ledger counts differ: $(paste -d'|' "$tmp/info.sqlite" "$tmp/info.pg" | tr '\n' ' ')"
fi

n=0
for period in "" "--from 2023-03-15 --to 2023-11-10" "--year 2025"; do
    for by in platform host device month method; do
        n=$((n + 1))
        # shellcheck disable=SC2086
        "$CO2TALLY" --db "$tmp/l.db" --config "$tmp/team.ini" report $period --by "$by" --json \
            >"$tmp/s$n.json" 2>"$tmp/err" || bad "SQLite report $period --by $by: $(cat "$tmp/err")"
        # shellcheck disable=SC2086
        "$CO2TALLY" --db "$pg" --config "$tmp/team.ini" report $period --by "$by" --json \
            >"$tmp/p$n.json" 2>"$tmp/err" || bad "PostgreSQL report $period --by $by: $(cat "$tmp/err")"
        if python3 - "$tmp/s$n.json" "$tmp/p$n.json" >"$tmp/diff" 2>&1 <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
numbers = [0]
def same(x, y, path):
    if isinstance(x, bool) or isinstance(y, bool) or x is None or y is None:
        assert x == y, "%s: %r != %r" % (path, x, y)
    elif isinstance(x, (int, float)) and isinstance(y, (int, float)):
        numbers[0] += 1
        assert abs(x - y) <= 1e-12 * max(abs(x), abs(y)), "%s: %r != %r" % (path, x, y)
    elif isinstance(x, dict) and isinstance(y, dict):
        assert sorted(x) == sorted(y), "%s: keys %s != %s" % (path, sorted(x), sorted(y))
        for k in x:
            same(x[k], y[k], path + "." + k)
    elif isinstance(x, list) and isinstance(y, list):
        assert len(x) == len(y), "%s: %d != %d items" % (path, len(x), len(y))
        for i, (u, v) in enumerate(zip(x, y)):
            same(u, v, "%s[%d]" % (path, i))
    else:
        assert x == y, "%s: %r != %r" % (path, x, y)
same(a, b, "")
# A report with nothing in it would match trivially.
assert a["total"]["kgco2e"] > 0 or a["providers"], "the report is empty"
print(numbers[0], "numbers")
PY
        then
            ok "report ${period:-(team year)} --by $by: the same on both backends ($(cat "$tmp/diff"))"
        else
            bad "report ${period:-(team year)} --by $by differs: $(tail -3 "$tmp/diff")"
        fi
    done
done

# The version-4 streams on PostgreSQL: `ledger sources` lists what SQLite lists,
# and a push from the SQLite ledger into a third, empty PostgreSQL database
# gives the same report as the SQLite ledger itself; pushing again adds nothing.
"$CT_PG_BINDIR/psql" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE pushed" >/dev/null \
    || bad "cannot create a second database"
pushed="postgresql://co2tally@/pushed?host=$PGHOST"
expect_rc 0 "ledger sources on PostgreSQL" -- "$CO2TALLY" --db "$pg" ledger sources --json
cp "$tmp/out" "$tmp/src-pg.json"
expect_rc 0 "ledger sources on SQLite" -- "$CO2TALLY" --db "$tmp/l.db" ledger sources --json
cp "$tmp/out" "$tmp/src-sq.json"
python3 - "$tmp/src-pg.json" "$tmp/src-sq.json" <<'PY' && ok "the same sources, records and kWh" || bad "sources differ"
import json, sys
a, b = (json.load(open(p))["sources"] for p in sys.argv[1:3])
key = lambda s: (s["path"], s["sha256"])
a, b = sorted(a, key=key), sorted(b, key=key)
assert [(s["sha256"], s["records"], s["provided"]) for s in a] == [(s["sha256"], s["records"], s["provided"]) for s in b]
assert all(abs(x["energy_kwh"] - y["energy_kwh"]) <= 1e-12 * max(1, y["energy_kwh"]) for x, y in zip(a, b))
PY
expect_rc 0 "push SQLite into an empty PostgreSQL ledger" -- "$CO2TALLY" --db "$tmp/l.db" ledger push --to "$pushed"
expect_rc 0 "push again" -- "$CO2TALLY" --db "$tmp/l.db" ledger push --to "$pushed"
"$CO2TALLY" --db "$pushed" --config "$tmp/team.ini" report --json >"$tmp/pushed.json"
"$CO2TALLY" --db "$tmp/l.db" --config "$tmp/team.ini" report --json >"$tmp/sq.json"
python3 - "$tmp/pushed.json" "$tmp/sq.json" <<'PY' && ok "the pushed ledger reports what SQLite reports" || bad "pushed report differs"
import json, sys
a, b = (json.load(open(p))["total"] for p in sys.argv[1:3])
for k in ("energy_kwh", "kgco2e", "extrapolated_kgco2e"):
    assert abs(a[k] - b[k]) <= 1e-12 * max(1, abs(b[k])), (k, a[k], b[k])
PY
finish
