# Contention and hostile set-ups around the ledger, with real processes:
# concurrent creation, a writer waiting out another's lock, measure keeping its
# run in the spool when the ledger stays locked and the next measure draining
# it, two agents on one host refused, a read-only ledger reported on, a planted
# symbolic link refused as root, and new files made with the umask's mode.
# Bounded loops only; no timing is asserted.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
. "$CT_SOURCE_ROOT/tests/cli/rapl_fake.sh"
export CO2TALLY_NVML_LIBRARY="$tmp/no-libnvidia-ml.so"
log="$CT_SOURCE_ROOT/tests/fixtures/nvidia-smi/query-crlf.csv"
sql() { sqlite3 "$1" "$2" 2>/dev/null; }
# hold DB SECONDS: another process holds DB's write lock for that long (in the background)
hold() {
    sqlite3 "$1" "BEGIN IMMEDIATE;" \
        "INSERT INTO sources(kind, path, sha256, imported_at) VALUES('hold', 'x', 'hold', 0);" \
        ".shell sleep $2" "ROLLBACK;" >/dev/null 2>&1 &
    hold_pid=$!
    # until the lock is taken (bounded): a writer that gives up at once fails
    for _ in $(seq 1 50); do
        CO2TALLY_BUSY_TIMEOUT_MS=1 "$CO2TALLY" --db "$1" import "$CT_SOURCE_ROOT/tests/fixtures/nvidia-smi/query-gap.csv" \
            >/dev/null 2>&1 || return 0
        sql "$1" "PRAGMA foreign_keys = ON; DELETE FROM sources WHERE kind = 'nvidia-smi' AND path LIKE '%query-gap.csv'"
        sleep 0.1
    done
}

# 1. Ten imports creating one new ledger at once, 20 times over: none fails.
nfail=0; nbad=0
for r in $(seq 1 20); do
    rm -f "$tmp/new.db" "$tmp/new.db-wal" "$tmp/new.db-shm"
    pids=""
    for i in $(seq 1 10); do
        "$CO2TALLY" --db "$tmp/new.db" import "$log" >"$tmp/o$i" 2>"$tmp/e$i" & pids="$pids $!"
    done
    for p in $pids; do wait "$p" || nfail=$((nfail + 1)); done
    [ "$(sql "$tmp/new.db" "select count(*) from sources")" = 1 ] || nbad=$((nbad + 1))
    [ "$nfail" -eq 0 ] || { cat "$tmp"/e* | head -3; break; }
done
[ "$nfail" -eq 0 ] && ok "200 concurrent creating imports all succeed" || bad "$nfail concurrent imports failed"
[ "$nbad" -eq 0 ] && ok "each ledger holds the file once" || bad "$nbad ledgers without exactly one source"

# 2. A writer waits for another's lock, says so, and succeeds once it is released.
db="$tmp/w.db"
"$CO2TALLY" --db "$db" import "$log" >/dev/null 2>&1
hold "$db" 3
expect_rc 0 "an import waits for a writer holding the lock" -- \
    "$CO2TALLY" --db "$db" import "$CT_SOURCE_ROOT/tests/fixtures/nvidia-smi/query-gap.csv"
expect_grep "$tmp/err" "is locked by another writer.*waiting for it, up to 120 s" "it says it is waiting"
wait "$hold_pid"
[ "$(sql "$db" "select count(*) from sources where path like '%query-gap.csv'")" = 1 ] \
    && ok "and its file is in the ledger" || bad "the waiting import's file is not in the ledger"
# ... up to the bound, and then fails whole.
hold "$db" 4
expect_rc 1 "past CO2TALLY_BUSY_TIMEOUT_MS the import fails" -- env CO2TALLY_BUSY_TIMEOUT_MS=200 \
    "$CO2TALLY" --db "$db" import "$CT_SOURCE_ROOT/tests/fixtures/nvidia-smi/query-average-instant.csv"
expect_grep "$tmp/err" "database is locked" "with SQLite's reason"
wait "$hold_pid"
[ "$(sql "$db" "select count(*) from sources where path like '%query-average-instant.csv'")" = 0 ] \
    && ok "and nothing of it is kept" || bad "a failed import left rows"

# 3. measure: a ledger that stays locked does not turn the command's success
# into a failure; the run waits in DB.spool and the next measure writes it.
hold "$db" 4
expect_rc 0 "measure -- true on a locked ledger exits 0" -- env CO2TALLY_BUSY_TIMEOUT_MS=200 \
    "$CO2TALLY" --db "$db" measure -o "$tmp/m1" -- true
expect_grep "$tmp/err" "kept in $db.spool" "it says the run is kept in the spool"
wait "$hold_pid"
[ -s "$db.spool" ] && ok "the spool holds the run" || bad "no spool at $db.spool"
expect_rc 7 "the next measure (exit 7)" -- "$CO2TALLY" --db "$db" measure -o "$tmp/m2" -- sh -c 'exit 7'
expect_grep "$tmp/err" "wrote 1 earlier entry .* kept in $db.spool" "drains the spool"
[ "$(sql "$db" "select group_concat(exit_status) from (select exit_status from runs order by exit_status)")" = "0,7" ] \
    && ok "both runs are in the ledger, once each" || bad "runs: $(sql "$db" "select exit_status from runs")"
[ ! -s "$db.spool" ] && ok "the spool is empty after" || bad "the spool still holds: $(head -c 200 "$db.spool")"

# 4. Two agents on one host and ledger: the second is refused.
rapl_tree "$tmp/sys"
export CO2TALLY_SYSFS_ROOT="$tmp/sys"
"$CO2TALLY" --db "$db" agent --host h1 --interval 0.2 --duration 20 >"$tmp/a1" 2>"$tmp/ae1" &
apid=$!
for _ in $(seq 1 100); do grep -q "co2tally agent: host h1" "$tmp/a1" 2>/dev/null && break; sleep 0.1; done
expect_rc 1 "a second agent for h1 on the same ledger is refused" -- \
    "$CO2TALLY" --db "$db" agent --host h1 --interval 0.2 --duration 1
expect_grep "$tmp/err" "another co2tally agent (pid $apid) is already recording host h1" "it names the first agent"
expect_rc 0 "another host's agent runs" -- "$CO2TALLY" --db "$db" agent --host h2 --interval 0.2 --duration 0.5
kill -TERM "$apid"; wait "$apid"

# An agent whose ledger is locked for a while keeps the energy, says so once,
# says once that it writes again, and in the end the ledger holds it all: the
# package's 50 W over the time covered (4%, as in cli_agent).
trap 'rapl_stop; rm -rf "$tmp"' EXIT
rapl_start "$tmp/sys" 50
adb="$tmp/ag.db"
"$CO2TALLY" --db "$adb" agent --host h5 --interval 0.1 --flush 0.2 --duration 6 >"$tmp/a5" 2>"$tmp/ae5" &
apid=$!
for _ in $(seq 1 100); do grep -q "co2tally agent: host h5" "$tmp/a5" 2>/dev/null && break; sleep 0.1; done
hold "$adb" 3
wait "$hold_pid"
wait "$apid"; rc=$?
[ "$rc" -eq 0 ] && ok "the agent rides out a locked ledger" || bad "agent exit $rc: $(cat "$tmp/ae5")"
[ "$(grep -c "cannot write the ledger" "$tmp/ae5")" = 1 ] && ok "it says once that it cannot write" \
    || bad "cannot-write messages: $(cat "$tmp/ae5")"
[ "$(grep -c "the ledger takes writes again" "$tmp/ae5")" = 1 ] && ok "and once that it writes again" \
    || bad "recovery messages: $(cat "$tmp/ae5")"
got=$(sql "$adb" "select sum(joules) || ' ' || sum(covered_s) from energy_records where host = 'h5' and device = 'package-0'")
python3 -c "import sys; j, c = map(float, '$got'.split()); sys.exit(0 if abs(c - 6) < 1 and abs(j - 50 * c) <= 0.04 * 50 * c else 1)" \
    && ok "every joule landed: $got (J, s)" || bad "agent through a lock: $got (J, s), wanted 50 W x the time"
rapl_stop
unset CO2TALLY_SYSFS_ROOT

# 5. A read-only ledger without its -wal and -shm, in a directory its reader
# cannot write, is reported on.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
    chmod 0755 "$tmp"
    mkdir "$tmp/ro"
    cp "$db" "$tmp/ro/r.db"
    sql "$tmp/ro/r.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    rm -f "$tmp/ro/r.db-wal" "$tmp/ro/r.db-shm"
    chmod 0444 "$tmp/ro/r.db"; chmod 0555 "$tmp/ro"
    printf '[team]\nname = ro\ncountry = DEU\n' >"$tmp/team.ini"; chmod 0644 "$tmp/team.ini"
    nb() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$CO2TALLY" \
        --db "$tmp/ro/r.db" --config "$tmp/team.ini" "$@"; }
    expect_rc 0 "ledger info on a read-only ledger and directory" -- nb ledger info
    expect_grep "$tmp/out" "runs *2" "it reads the runs"
    expect_rc 0 "report on it" -- nb report --by host --year 2023 --format csv
    want=$(sql "$db" "select sum(joules) / 3.6e6 from energy_records e join sources s on s.id = e.source_id
                       where e.host = '$(hostname)' and e.detail = 0 and s.kind = 'nvidia-smi'")
    got=$(awk -F, -v h="$(hostname)" '$1 == h {print $3}' "$tmp/out")
    python3 -c "import sys; sys.exit(0 if abs(float('$got') - float('$want')) <= 1e-9 * float('$want') else 1)" \
        && ok "the report has the imported energy ($got kWh)" || bad "report: $got kWh, ledger $want"
    [ ! -e "$tmp/ro/r.db-wal" ] && ok "nothing was created beside it" || bad "a -wal appeared"
    expect_rc 1 "an import into it fails" -- nb import "$log"
    chmod 0755 "$tmp/ro"
else
    ok "# SKIP read-only ledger: needs root and user nobody"
fi

# 6. Run as root, a --db that is a symbolic link owned by another user is refused.
if [ "$(id -u)" -eq 0 ]; then
    ln -s "$tmp/target.db" "$tmp/planted.db"
    chown -h 65534 "$tmp/planted.db"
    expect_rc 1 "import --db through another user's symlink is refused as root" -- \
        "$CO2TALLY" --db "$tmp/planted.db" import "$log"
    expect_grep "$tmp/err" "symbolic link owned by user 65534" "it says why"
    [ ! -e "$tmp/target.db" ] && ok "nothing was created at the link's target" || bad "the target was created"
    expect_rc 0 "measure likewise keeps the run out of it (exit is the command's)" -- \
        "$CO2TALLY" --db "$tmp/planted.db" measure -o "$tmp/m3" -- true
    [ ! -e "$tmp/target.db" ] && ok "measure did not create the target" || bad "measure created the target"
    ln -s "$tmp/own.db" "$tmp/own-link.db"
    expect_rc 0 "root's own symlink is followed" -- "$CO2TALLY" --db "$tmp/own-link.db" import "$log"
else
    ok "# SKIP symlink refusal: needs root"
fi

# 7. A new ledger and its -wal and -shm take the umask's mode.
( umask 027 && "$CO2TALLY" --db "$tmp/um.db" import "$log" >/dev/null 2>&1 )
modes=$(stat -c %a "$tmp/um.db" "$tmp/um.db-wal" "$tmp/um.db-shm" 2>/dev/null | tr '\n' ' ')
[ "$modes" = "640 640 640 " ] && ok "umask 027: the ledger, -wal and -shm are 0640" || bad "modes: $modes"
( umask 002 && "$CO2TALLY" --db "$tmp/um2.db" import "$log" >/dev/null 2>&1 )
modes=$(stat -c %a "$tmp/um2.db" "$tmp/um2.db-wal" "$tmp/um2.db-shm" 2>/dev/null | tr '\n' ' ')
[ "$modes" = "664 664 664 " ] && ok "umask 002: 0664" || bad "modes: $modes"
finish
