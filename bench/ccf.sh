#!/bin/bash
# Usage rows per second: co2tally's CCF-compatible estimator next to CCF's own
# (node, @cloud-carbon-footprint 0.15.0/1.8.0) on the same rows in the same run.
# Usage: bench/ccf.sh [BUILD_DIR] [ROWS]   (default build, 200000 rows)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
n=${2:-200000}
est=$build/tests/ccf_estimate
par=$root/tests/ccf_parity
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The parity rows repeated to n rows.
{ head -1 "$par/rows.csv"; for _ in $(seq $(( n / 300 + 1 ))); do tail -n +2 "$par/rows.csv"; done; } |
    head -$(( n + 1 )) > "$tmp/rows.csv"
t0=$(date +%s.%N); "$est" -q "$tmp/rows.csv" >/dev/null; t1=$(date +%s.%N)
awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "co2tally ccf estimator: %d rows in %.3f s: %.0f rows/s\n", n, b - a, n / (b - a) }'
if [ -d "$par/node_modules/@cloud-carbon-footprint/aws" ]; then
    "$est" "$tmp/rows.csv" > "$tmp/ours.jsonl"
    t0=$(date +%s.%N)
    (cd "$par" && node --no-deprecation parity.js "$tmp/rows.csv" "$tmp/ours.jsonl" >/dev/null)
    t1=$(date +%s.%N)
    awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "CCF estimators (node):  %d rows in %.3f s: %.0f rows/s (includes the comparison)\n", n, b - a, n / (b - a) }'
else
    echo "CCF estimators (node): tests/ccf_parity/node_modules missing (scripts/setup.sh); not run"
fi
