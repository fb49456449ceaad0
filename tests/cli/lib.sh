# Shared by the command-line tests. $CO2TALLY is the binary, $CT_SOURCE_ROOT the repo.
set -u
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fails=$((fails + 1)); }
# expect_rc WANT DESCRIPTION -- COMMAND...: runs it, keeps stdout/stderr in $tmp/out, $tmp/err.
expect_rc() {
    want=$1; what=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$what"; else bad "$what (exit $rc, wanted $want): $(head -c 400 "$tmp/err")"; fi
}
expect_grep() {
    file=$1; pattern=$2; what=$3
    if grep -q -- "$pattern" "$file"; then ok "$what"; else bad "$what: no '$pattern' in: $(head -c 400 "$file")"; fi
}
finish() { [ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }; exit 0; }
