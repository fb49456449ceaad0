# CSV injection (issue 15, item 7): platform names that a spreadsheet would run
# as formulas come out of `report --format csv` as quoted text with a leading
# single quote (OWASP's advice), and the numbers of the same rows are untouched.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
command -v python3 >/dev/null || { echo "1..0 # SKIP no python3"; exit 77; }
cat >"$tmp/team.ini" <<'INI'
[team]
name = csv
country = FRA
year = 2023

[platform =HYPERLINK("http://example.invalid","x")]
method = calculated
watts = 100
utilisation = 1
hours_per_year = 10

[platform -2+3]
method = calculated
watts = 50
utilisation = 1
hours_per_year = 10

[platform @SUM(A1)]
method = calculated
watts = 10
utilisation = 1
hours_per_year = 10
INI
ct() { "$CO2TALLY" --db "$tmp/l.db" --config "$tmp/team.ini" "$@"; }
expect_rc 0 "estimate" -- ct estimate
expect_rc 0 "report --format csv" -- ct report --format csv -o "$tmp/r.csv"
# Read back with Python's csv module: each key cell is the name with a ' in
# front, and energy_kwh is watts x hours / 1000, worked out here: 1, 0.5, 0.1.
python3 - "$tmp/r.csv" <<'PY' && ok "formula-like names quoted with a leading ', numbers as they were" || bad "CSV cells: $(cat "$tmp/r.csv")"
import csv, sys
rows = {r[0]: r for r in csv.reader(open(sys.argv[1], newline=""))}
want = {"'=HYPERLINK(\"http://example.invalid\",\"x\")": 1.0, "'-2+3": 0.5, "'@SUM(A1)": 0.1}
for key, kwh in want.items():
    r = rows[key]
    assert abs(float(r[2]) - kwh) < 1e-9, (key, r)
assert not any(k[:1] in "=+-@" for k in rows), rows.keys()
PY
grep -q '^"'"'"'=HYPERLINK(""http://example.invalid"",""x"")",' "$tmp/r.csv" \
    && ok "the cell is written as \"'=HYPERLINK(\"\"...\"\")\"" || bad "raw cell: $(head -c 300 "$tmp/r.csv")"
finish
