#!/bin/bash
# CCF parity: tests/ccf_estimate over rows.csv, then CCF's own estimators (node) on the
# same rows. Exit 77 (skipped) when node or the npm packages are missing: scripts/setup.sh
# installs them (npm ci here).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
est=$1
if ! command -v node >/dev/null || [ ! -d "$here/node_modules/@cloud-carbon-footprint/aws" ]; then
    echo "ccf_parity: node or tests/ccf_parity/node_modules missing (run scripts/setup.sh); skipped"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$est" "$here/rows.csv" > "$tmp/ours.jsonl"
cd "$here"
node --no-deprecation parity.js rows.csv "$tmp/ours.jsonl" "$tmp/differences.txt"
echo "ccf_parity: rows whose instance facts differ from CCF 0.15.0's own tables (documented):"
sed 's/^/  /' "$tmp/differences.txt" | head -40
