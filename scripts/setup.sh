#!/bin/sh
# Installs what the build and the tests need, once. Run by `make run` and `make test`.
# As root it installs missing Debian packages with apt-get; otherwise it prints the
# exact command to run and fails, so nothing half-works.
set -eu

PKGS="build-essential clang meson ninja-build pkg-config python3 \
libsqlite3-dev sqlite3 libinih-dev libcmocka-dev time zlib1g-dev nodejs npm \
chromium"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "setup: missing Debian packages:$missing" >&2
    echo "setup: run: sudo apt-get install -y$missing" >&2
    exit 1
fi

# The CCF parity test's npm packages (tests/ccf_parity), when missing.
ccf_dir="$(dirname "$0")/../tests/ccf_parity"
if [ ! -d "$ccf_dir/node_modules/@cloud-carbon-footprint/aws" ] && command -v npm >/dev/null; then
    echo "setup: installing the CCF parity test's npm packages"
    (cd "$ccf_dir" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null) ||
        echo "setup: npm ci failed in tests/ccf_parity; the ccf_parity test will be skipped" >&2
fi
