#!/bin/sh
# Installs what the build and the tests need, once. Run by `make run` and `make test`.
# As root it installs missing Debian packages with apt-get; otherwise it prints the
# exact command to run and fails, so nothing half-works. Nothing here needs the npm
# registry: `make run` works offline (scripts/setup-test.sh, run by `make test`
# only, installs the CCF parity test's npm packages).
set -eu

# Debian packages, each checked by dpkg.
PKGS="build-essential clang meson ninja-build pkg-config python3 \
libsqlite3-dev sqlite3 libinih-dev libcmocka-dev time zlib1g-dev \
postgresql libpq-dev"
# Tools that may come from elsewhere (Node.js from NodeSource brings its own npm,
# which Debian's npm package conflicts with): checked by command, PACKAGE:COMMAND.
TOOLS="nodejs:node npm:npm chromium:chromium"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
for t in $TOOLS; do
    command -v "${t#*:}" >/dev/null 2>&1 || missing="$missing ${t%%:*}"
done

if [ -n "$missing" ]; then
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
fi
