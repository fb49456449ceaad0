# ledger backup and the write-ahead log (issue 10, item 5): `ledger info` says
# when records sit in the -wal file (a copy of the main file alone lacks
# them), and `ledger backup` copies a ledger that another process is writing
# to into one complete file that passes PRAGMA integrity_check and holds every
# import committed before it started.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
shared="$CT_SHARED/fixtures"
ct() { "$CO2TALLY" "$@"; }
cd "$tmp" || exit 1

# One GPU for H hours from 2023-10-01 at 30 s, its power offset so each file differs.
gen() {
    python3 - "$@" <<'PY'
import sys
path, hours, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w") as f:
    f.write("timestamp, index, power.draw [W], utilization.gpu [%]\n")
    for s in range(0, hours * 3600, 30):
        d, r = divmod(s, 86400)
        f.write("2023/10/%02d %02d:%02d:%02d.000, 0, %d.5 W, 50 %%\n" % (1 + d, r // 3600, r // 60 % 60, r % 60, base + s % 11))
PY
}

# A small import leaves its pages in the -wal (no checkpoint on close).
db="$tmp/l.db"
expect_rc 0 "import turbostat" -- ct --db "$db" import --host srv-1 --interval 5 "$shared/turbostat/telegraf-intel-xeon-6126-input.txt"
wal_bytes=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
[ "$wal_bytes" -gt 0 ] && ok "the import left $wal_bytes bytes in the -wal" || bad "no -wal after an import"
frames=$(python3 - "$db" <<'PY'
import os, struct, sys
w = sys.argv[1] + "-wal"
page = struct.unpack(">I", open(w, "rb").read(32)[8:12])[0]
print((os.path.getsize(w) - 32) // (24 + page))
PY
)
expect_rc 0 "ledger info" -- ct --db "$db" ledger info
expect_grep "$tmp/err" "write-ahead log: $frames frames ($wal_bytes bytes) sit in $db-wal" "info counts the frames and bytes in the -wal (on stderr)"
expect_grep "$tmp/err" "ledger backup DEST" "and says how to copy safely"
expect_grep "$tmp/out" "energy *4" "stdout keeps the counts"
# What the warning is about: the main file alone lacks the records.
cp "$db" "$tmp/alone.db"
n_alone=$(sqlite3 "$tmp/alone.db" "select count(*) from energy" 2>/dev/null || echo 0)
n_live=$(sqlite3 "$db" "select count(*) from energy")
[ "$n_live" -gt 0 ] && [ "${n_alone:-0}" -lt "$n_live" ] && ok "a copy of the main file alone holds ${n_alone:-0} of $n_live records" \
    || bad "copy alone: ${n_alone:-0} of $n_live"
expect_rc 0 "backup" -- ct --db "$db" ledger backup "$tmp/copy.db"
[ ! -s "$tmp/copy.db-wal" ] && ok "the backup has no -wal" || bad "the backup left a -wal"
[ "$(sqlite3 "$tmp/copy.db" "select count(*) from energy")" = "$n_live" ] && ok "the backup holds all $n_live records" || bad "backup lacks records"
expect_rc 0 "ledger info on the backup" -- ct --db "$tmp/copy.db" ledger info
if grep -q "write-ahead log" "$tmp/err"; then bad "info warns about a -wal the backup lacks"; else ok "no -wal warning for the backup"; fi
expect_rc 1 "backup onto an existing file is refused" -- ct --db "$db" ledger backup "$tmp/copy.db"
expect_grep "$tmp/err" "already exists" "says why"
expect_rc 1 "backup of a missing ledger" -- ct --db "$tmp/none.db" ledger backup "$tmp/x.db"
[ ! -e "$tmp/x.db" ] && ok "and writes nothing" || bad "a file was left"
expect_rc 2 "backup wants DEST" -- ct --db "$db" ledger backup

# A live ledger: a large base, then a writer importing 20 files one after the
# other (one transaction each) while the backup runs.
big="$tmp/big.db"
gen "$tmp/base.csv" 480 100
ct --db "$big" import --host gpu-00 --max-gap 120 "$tmp/base.csv" >/dev/null
for i in $(seq 1 20); do gen "$tmp/w$i.csv" 6 $((200 + i)); done
: >"$tmp/committed"
(
    for i in $(seq 1 20); do
        "$CO2TALLY" --db "$big" import --host "w$i" --max-gap 120 "$tmp/w$i.csv" >/dev/null 2>&1 && echo "w$i" >>"$tmp/committed"
    done
) &
writer=$!
# wait (however long it takes) until a few imports are committed
while [ "$(wc -l <"$tmp/committed")" -lt 5 ] && kill -0 "$writer" 2>/dev/null; do sleep 0.05; done
cp "$tmp/committed" "$tmp/before"
expect_rc 0 "backup while the writer imports" -- ct --db "$big" ledger backup "$tmp/live-copy.db"
wait "$writer"
[ "$(wc -l <"$tmp/committed")" = 20 ] && ok "the writer committed its 20 imports" || bad "the writer committed $(wc -l <"$tmp/committed")"
chk=$(sqlite3 "$tmp/live-copy.db" 'PRAGMA integrity_check')
[ "$chk" = ok ] && ok "the backup passes integrity_check" || bad "integrity_check: $chk"
fk=$(sqlite3 "$tmp/live-copy.db" 'PRAGMA foreign_key_check' | wc -l)
[ "$fk" = 0 ] && ok "and foreign_key_check" || bad "foreign_key_check: $fk rows"
missing=0
while read -r h; do
    n=$(sqlite3 "$tmp/live-copy.db" "select count(*) from energy_records where host = '$h'")
    [ "$n" -gt 0 ] || missing=$((missing + 1))
done <"$tmp/before"
[ "$missing" = 0 ] && ok "every import committed before the backup ($(wc -l <"$tmp/before")) is in it" \
    || bad "$missing imports committed before the backup are missing"
# Whatever the backup holds, it holds whole: each host's rows as in the live ledger.
q="select host, count(*), printf('%.6f', total(joules)) from energy_records group by host order by host"
sqlite3 "$tmp/live-copy.db" "$q" >"$tmp/copy.rows"
sqlite3 "$big" "$q" >"$tmp/live.rows"
if [ -s "$tmp/copy.rows" ] && grep -qxF -f "$tmp/copy.rows" "$tmp/live.rows" && \
    [ "$(grep -cxF -f "$tmp/live.rows" "$tmp/copy.rows")" = "$(wc -l <"$tmp/copy.rows")" ]; then
    ok "each host in the backup ($(wc -l <"$tmp/copy.rows")) has exactly its live rows"
else
    bad "hosts differ: $(diff "$tmp/copy.rows" "$tmp/live.rows" | head -4)"
fi
expect_rc 0 "the backup opens as a ledger" -- ct --db "$tmp/live-copy.db" ledger info
finish
