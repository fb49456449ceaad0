# The main job of `make run` (scripts/run.sh) on the example team, in a scratch folder.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
cd "$tmp"
expect_rc 0 "run.sh" -- sh "$CT_SOURCE_ROOT/scripts/run.sh" "$CO2TALLY" "$tmp/co2tally.db" "$CT_SOURCE_ROOT/examples/team.ini"
expect_grep "$tmp/out" "co2tally report: ML engineering (example), 2023-01-01 to 2023-12-31, by platform" "report header"
expect_grep "$tmp/out" "onprem-training" "platform row"
[ -s "$tmp/report.json" ] && ok "report.json written" || bad "no report.json"

# make run's set-up never needs the npm registry; make test's says what it
# skipped when the registry is unreachable (an npm that fails stands for it).
mkdir -p "$tmp/bin" "$tmp/repo/scripts" "$tmp/repo/tests/ccf_parity"
printf '#!/bin/sh\necho "npm ERR! network request failed" >&2\nexit 1\n' >"$tmp/bin/npm"
chmod +x "$tmp/bin/npm"
cp "$CT_SOURCE_ROOT/scripts/setup.sh" "$CT_SOURCE_ROOT/scripts/setup-test.sh" "$tmp/repo/scripts/"
grep -v '^#' "$CT_SOURCE_ROOT/scripts/setup.sh" | grep -q 'npm ci' \
    && bad "scripts/setup.sh (make run) runs npm" || ok "make run's set-up does not use npm"
PATH="$tmp/bin:$PATH" expect_rc 0 "make test's set-up goes on without the registry" -- \
    sh "$tmp/repo/scripts/setup-test.sh"
expect_grep "$tmp/err" "SKIPPED the CCF parity test's npm packages" "and says what it skipped and why"
finish
