# co2tally estimate on a real ledger after the team file changed: a platform now
# measured, one now counted from usage rows (source = usage) and one gone from
# the file lose their estimates of every year, each listed (text and JSON); the
# platforms still estimated keep theirs; a source = usage platform is skipped.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
command -v sqlite3 >/dev/null && command -v python3 >/dev/null || { echo "1..0 # SKIP no sqlite3 or python3"; exit 77; }
team="$CT_SOURCE_ROOT/examples/team.ini"
db="$tmp/l.db"
ct() { "$CO2TALLY" --db "$db" "$@"; }
paths() { sqlite3 "$db" "select group_concat(path, ' ') from (select path from sources order by path)"; }

expect_rc 0 "estimate 2023 on the example team" -- ct --config "$team" estimate
expect_rc 0 "estimate 2024 on the example team" -- ct --config "$team" estimate --year 2024
n=$(sqlite3 "$db" "select count(*) from sources where kind = 'estimate'")
[ "$n" = 10 ] && ok "5 platforms x 2 years of estimates" || bad "$n estimate sources, wanted 10"

# The example team, later: onprem-dev measured, cicd from usage rows, cloud-training gone.
python3 - "$team" "$tmp/later.ini" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
sec = re.split(r"(?m)^(?=\[platform )", text)
out = []
for s in sec:
    if s.startswith("[platform onprem-dev]"):
        s = "[platform onprem-dev]\nmethod = measured\nhosts = dev1\n\n"
    elif s.startswith("[platform cicd]"):
        s = "[platform cicd]\nmethod = calculated\nsource = usage\nlocation = aws:ap-southeast-1\n\n"
    elif s.startswith("[platform cloud-training]"):
        continue
    out.append(s)
open(sys.argv[2], "w").write("".join(out))
PY
expect_rc 0 "estimate after the team changed" -- ct --config "$tmp/later.ini" estimate
for says in \
    "cicd .* skipped: counted from usage rows (source = usage), not estimated" \
    "removed the estimate of 'onprem-dev' for 2023: the platform is now measured" \
    "removed the estimate of 'onprem-dev' for 2024: the platform is now measured" \
    "removed the estimate of 'cicd' for 2023: the platform is now counted from usage rows (source = usage)" \
    "removed the estimate of 'cicd' for 2024: the platform is now counted from usage rows" \
    "removed the estimate of 'cloud-training' for 2023: the platform is no longer in the team file" \
    "removed the estimate of 'cloud-training' for 2024: the platform is no longer in the team file" \
    "^2 calculated platforms written for 2023$"; do
    expect_grep "$tmp/out" "$says" "says: $says"
done
n=$(grep -c "^removed the estimate" "$tmp/out")
[ "$n" = 6 ] && ok "six estimates removed" || bad "$n removed lines, wanted 6"
kept="estimate:laptops:2023 estimate:laptops:2024 estimate:onprem-training:2023 estimate:onprem-training:2024"
[ "$(paths)" = "$kept" ] && ok "the ledger keeps only the estimated platforms' estimates" || bad "sources: $(paths)"
n=$(sqlite3 "$db" "select count(*) from energy_records where platform in ('onprem-dev', 'cicd', 'cloud-training')")
[ "$n" = 0 ] && ok "no energy left of the removed estimates" || bad "$n energy rows left"

# Again, in JSON: nothing more to remove; then back to the example team and to
# the later one, to see the removed list in JSON.
expect_rc 0 "estimate again, --json" -- ct --config "$tmp/later.ini" estimate --json
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['removed']==[] and [x['platform'] for x in d['skipped']]==['cicd'] and len(d['platforms'])==2 else 1)" "$tmp/out" \
    && ok "json: nothing removed the second time, cicd skipped" || bad "json: $(head -c 600 "$tmp/out")"
expect_rc 0 "estimate 2023 on the example team again" -- ct --config "$team" estimate
expect_rc 0 "estimate after the change, --json" -- ct --config "$tmp/later.ini" estimate --json
python3 - "$tmp/out" <<'PY' && ok "json: the removed estimates with year and reason" || bad "json removed: $(head -c 800 "$tmp/out")"
import json, sys
d = json.load(open(sys.argv[1]))
got = [(x["platform"], x["year"], x["reason"]) for x in d["removed"]]
assert got == [("cicd", 2023, "the platform is now counted from usage rows (source = usage)"),
               ("cloud-training", 2023, "the platform is no longer in the team file"),
               ("onprem-dev", 2023, "the platform is now measured")], got
assert d["year"] == 2023 and [x["platform"] for x in d["platforms"]] == ["laptops", "onprem-training"]
PY
[ "$(paths)" = "$kept" ] && ok "the ledger is as before" || bad "sources: $(paths)"
finish
