#!/bin/sh
# What only the tests need beyond scripts/setup.sh: the CCF parity test's npm
# packages (pinned in tests/ccf_parity/package-lock.json). Run by `make test`.
# Without the npm registry this says what it skipped and why, and goes on: the
# parity test then reports itself skipped; everything else still runs.
set -eu
ccf_dir="$(dirname "$0")/../tests/ccf_parity"
if [ ! -d "$ccf_dir/node_modules/@cloud-carbon-footprint/aws" ]; then
    echo "setup: installing the CCF parity test's npm packages (tests/ccf_parity)"
    if ! (cd "$ccf_dir" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null 2>&1); then
        echo "setup: SKIPPED the CCF parity test's npm packages: \`npm ci\` failed in" \
             "tests/ccf_parity (is the npm registry reachable?); the ccf_parity test will" \
             "be reported as skipped" >&2
    fi
fi
