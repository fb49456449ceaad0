# Usage, --help, --version and exit codes.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
cd "$tmp"
expect_rc 0 "--version" -- "$CO2TALLY" --version
expect_grep "$tmp/out" "^co2tally [0-9]" "version printed"
expect_rc 0 "--help" -- "$CO2TALLY" --help
expect_grep "$tmp/out" "estimate" "help lists commands"
expect_rc 2 "no command is bad usage" -- "$CO2TALLY"
expect_rc 2 "unknown command" -- "$CO2TALLY" frobnicate
expect_grep "$tmp/err" "'frobnicate' is not a command" "unknown command named"
for c in estimate report factors ledger; do
    expect_rc 0 "$c --help" -- "$CO2TALLY" "$c" --help
    expect_grep "$tmp/out" "usage: co2tally $c" "$c usage text"
done
expect_rc 2 "report --by nonsense" -- "$CO2TALLY" report --by colour
expect_rc 2 "report --from without --to" -- "$CO2TALLY" report --from 2023-01-01
expect_rc 2 "report bad date" -- "$CO2TALLY" report --from 2023-02-30 --to 2023-03-01
expect_rc 2 "--db without value" -- "$CO2TALLY" report --db
expect_rc 1 "missing team file is a user error" -- "$CO2TALLY" estimate
expect_grep "$tmp/err" "no team file at co2tally.ini" "missing team file explained"
expect_rc 1 "report with no ledger" -- "$CO2TALLY" --config "$CT_SOURCE_ROOT/examples/team.ini" --db "$tmp/none.db" report
expect_grep "$tmp/err" "no ledger at" "missing ledger explained"
[ ! -e "$tmp/none.db" ] && ok "no empty ledger created" || bad "report created a ledger"
finish
