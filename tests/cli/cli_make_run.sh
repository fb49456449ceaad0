# The main job of `make run` (scripts/run.sh) on the example team, in a scratch folder.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
cd "$tmp"
expect_rc 0 "run.sh" -- sh "$CT_SOURCE_ROOT/scripts/run.sh" "$CO2TALLY" "$tmp/co2tally.db" "$CT_SOURCE_ROOT/examples/team.ini"
expect_grep "$tmp/out" "co2tally report: ML engineering (example), 2023-01-01 to 2023-12-31, by platform" "report header"
expect_grep "$tmp/out" "onprem-training" "platform row"
[ -s "$tmp/report.json" ] && ok "report.json written" || bad "no report.json"
finish
