#!/bin/bash
# Runs a command against a throwaway PostgreSQL server: initdb on a temporary
# directory, a Unix socket only (no TCP), trust authentication for one role,
# stopped and removed afterwards whatever happens (trap). The command finds the
# server in CT_TEST_LEDGER_URL (and PGHOST/PGUSER/PGDATABASE for psql, whose
# directory is in CT_PG_BINDIR).
#
# Usage: pgtest.sh COMMAND [ARGS...]
#
# Debian's binaries from the postgresql package (/usr/lib/postgresql/N/bin),
# not whatever else is on PATH. PostgreSQL refuses to run as root, so under
# root (CI) the server runs as `nobody`. A server that cannot start is a
# failure, never a skip: scripts/setup.sh installs postgresql.
set -euo pipefail

die() { echo "pgtest: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: pgtest.sh COMMAND [ARGS...]"

bindir=${CT_PG_BINDIR:-}
if [ -z "$bindir" ]; then
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir=$d; break; fi
    done
fi
[ -n "$bindir" ] || die "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (run scripts/setup.sh: it installs Debian's postgresql)"

# Under root the server runs as nobody, who may not reach root's TMPDIR: /tmp.
base=${TMPDIR:-/tmp}
[ "$(id -u)" -ne 0 ] || base=/tmp
dir=$(mktemp -d "$base/ct_pg.XXXXXX")
chmod 755 "$dir"
as_server=()
if [ "$(id -u)" -eq 0 ]; then
    chown nobody:nogroup "$dir"
    as_server=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
started=0
cleanup() {
    local rc=$?
    if [ "$started" = 1 ]; then
        (cd "$dir" && "${as_server[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop \
            >/dev/null 2>&1) || true
    fi
    rm -rf "$dir"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Under root, the server's user must be able to reach the directory it works in.
cd "$dir"
"${as_server[@]}" "$bindir/initdb" -D "$dir/data" -U co2tally --auth=trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
opts="-c listen_addresses= -c unix_socket_directories=$dir -c max_connections=40"
# fsync off: the data is thrown away, and the tests should not wait on disks.
# The benchmarks keep the server's durable defaults (CT_PG_DURABLE=1).
if [ "${CT_PG_DURABLE:-0}" != 1 ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
started=1
"${as_server[@]}" "$bindir/pg_ctl" -D "$dir/data" -o "$opts" -l "$dir/server.log" -w -t 60 \
    start >/dev/null || { cat "$dir/server.log" >&2; die "the server did not start"; }
"${as_server[@]}" "$bindir/createdb" -h "$dir" -U co2tally co2tally_test \
    || die "createdb failed"
cd - >/dev/null

export PGHOST=$dir PGUSER=co2tally PGDATABASE=co2tally_test
unset PGPASSWORD PGSERVICE PGSERVICEFILE PGPORT PGHOSTADDR PGSSLMODE
# The socket directory travels as the host parameter (a path), the role in the URL.
export CT_TEST_LEDGER_URL="postgresql://co2tally@/co2tally_test?host=$dir"
export CT_PG_BINDIR=$bindir
"$@"
