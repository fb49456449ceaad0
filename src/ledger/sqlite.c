/* The SQLite ledger backend: opening, transactions, sources and counts.
 * Adding energy is in sqlite_energy.c, reading it in sqlite_scan.c, provided
 * emissions and runs in sqlite_records.c, the schema in schema.c and every
 * statement's SQL in statements.c. */
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "ledger/sqlite_int.h"

/* How long a writer waits for another writer (an agent, an import) before
 * giving up with "database is locked". */
#define SQ_BUSY_TIMEOUT_MS 5000

int sq_fail(ct_ledger *l, ct_err *e, const char *what)
{
    return ct_errf(e, "%s: %s: %s", l->path, what, sqlite3_errmsg(l->db));
}

void sq_done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

void sq_bind_str(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

const char *sq_col_str(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

int sq_exec_stmt(ct_ledger *l, enum sq_stmt id, ct_err *e, const char *what)
{
    sqlite3_stmt *st = l->st[id];
    int rc = sqlite3_step(st);
    int ret = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sq_fail(l, e, what);
    sq_done(st);
    return ret;
}

int sq_stopped(ct_err *e, const char *what)
{
    if (e && e->msg[0])
        return -1;
    return ct_errf(e, "%s stopped by its callback", what);
}

/* ---- open and close ---- */

static int set_journal_wal(ct_ledger *l, ct_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(l->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
        return sq_fail(l, e, "cannot open the ledger");
    int ret = 0;
    if (sqlite3_step(st) != SQLITE_ROW) {
        ret = sq_fail(l, e, "cannot open the ledger");
    } else {
        /* An in-memory database answers "memory" and cannot do WAL. */
        const char *mode = sq_col_str(st, 0);
        if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)
            ret = ct_errf(e, "%s: cannot use WAL journal mode (SQLite kept %s)", l->path, mode);
    }
    sqlite3_finalize(st);
    return ret;
}

/* WAL lets a report read while an agent writes; synchronous=NORMAL is durable
 * to the last checkpoint-safe commit in WAL mode and much faster than FULL.
 * No checkpoint on close: a short-lived writer (`measure -- true`) would
 * otherwise pay for fsyncs of the whole WAL; SQLite still checkpoints when the
 * WAL grows past its limit, and readers see the WAL either way. */
static int configure(ct_ledger *l, ct_err *e)
{
    sqlite3_extended_result_codes(l->db, 1);
    sqlite3_db_config(l->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    sqlite3_busy_timeout(l->db, SQ_BUSY_TIMEOUT_MS);
    if (set_journal_wal(l, e) != 0)
        return -1;
    if (sqlite3_exec(l->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", NULL,
                     NULL, NULL) != SQLITE_OK)
        return sq_fail(l, e, "cannot configure the ledger");
    return 0;
}

static int prepare_all(ct_ledger *l, ct_err *e)
{
    for (int i = 0; i < SQ_N; i++) {
        if (sqlite3_prepare_v3(l->db, sq_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &l->st[i],
                               NULL) != SQLITE_OK)
            return sq_fail(l, e, "cannot prepare a ledger statement");
    }
    return 0;
}

static void sq_close(ct_ledger *l)
{
    if (!l)
        return;
    for (int i = 0; i < SQ_N; i++)
        sqlite3_finalize(l->st[i]);
    sqlite3_close(l->db);
    sq_series_free(&l->series);
    free(l->path);
    free(l);
}

static int sq_open(const char *url, ct_ledger **out, ct_err *e)
{
    *out = NULL;
    ct_ledger *l = calloc(1, sizeof *l);
    if (!l)
        return ct_errf(e, "%s: out of memory", url);
    l->path = ct_strdup(url);
    /* NOMUTEX: a handle serves one thread at a time, and SQLite's per-call
     * locking was a tenth of a scan's time. */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(url, &l->db, flags, NULL);
    if (rc != SQLITE_OK) {
        if (l->db)
            sq_fail(l, e, "cannot open the ledger");
        else
            ct_errf(e, "%s: cannot open the ledger: out of memory", url);
        sq_close(l);
        return -1;
    }
    if (configure(l, e) != 0 || sq_migrate(l, e) != 0 || prepare_all(l, e) != 0) {
        sq_close(l);
        return -1;
    }
    *out = l;
    return 0;
}

/* ---- transactions ---- */

static int sq_begin(ct_ledger *l, ct_err *e)
{
    return sq_exec_stmt(l, SQ_BEGIN, e, "cannot begin a transaction");
}

static void sq_rollback(ct_ledger *l)
{
    sq_series_clear(&l->series);
    if (!sqlite3_get_autocommit(l->db))
        sq_exec_stmt(l, SQ_ROLLBACK, NULL, "");
}

static int sq_commit(ct_ledger *l, ct_err *e)
{
    if (sq_exec_stmt(l, SQ_COMMIT, e, "cannot commit") == 0)
        return 0;
    sq_rollback(l);
    return -1;
}

/* ---- sources ---- */

static int is_sha256_hex(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return 0;
    return n == 64;
}

static int sq_find_source(ct_ledger *l, const char *sha256, int64_t *id, ct_err *e)
{
    sqlite3_stmt *st = l->st[SQ_SRC_FIND];
    sq_bind_str(st, 1, sha256);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(l, e, "cannot look up a source");
    sq_done(st);
    return ret;
}

static int sq_add_source(ct_ledger *l, const struct ct_source_rec *s, int64_t *id, int *existed,
                         ct_err *e)
{
    if (!s->kind || !*s->kind || !is_sha256_hex(s->sha256))
        return ct_errf(e, "%s: a source needs a kind and a sha256 of 64 lowercase hex digits",
                       l->path);
    sqlite3_stmt *st = l->st[SQ_SRC_INSERT];
    sq_bind_str(st, 1, s->kind);
    sq_bind_str(st, 2, s->path);
    sq_bind_str(st, 3, s->sha256);
    sqlite3_bind_int64(st, 4, s->imported_at);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sq_fail(l, e, "cannot add a source");
        sq_done(st);
        return -1;
    }
    sq_done(st);
    int added = sqlite3_changes(l->db) == 1;
    if (existed)
        *existed = !added;
    if (added) {
        *id = sqlite3_last_insert_rowid(l->db);
        return 0;
    }
    return sq_find_source(l, s->sha256, id, e);
}

static int sq_delete_source(ct_ledger *l, int64_t id, ct_err *e)
{
    /* The cascade removes series whose ids the cache may hold. */
    sq_series_clear(&l->series);
    sqlite3_stmt *st = l->st[SQ_SRC_DELETE];
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sq_fail(l, e, "cannot delete a source");
        sq_done(st);
        return -1;
    }
    sq_done(st);
    if (sqlite3_changes(l->db) == 0)
        return ct_errf(e, "%s: no source %lld in the ledger", l->path, (long long)id);
    return 0;
}

/* Prepared per call, not cached with the others: `estimate` runs it once. */
static int sq_list_sources(ct_ledger *l, const char *kind, ct_source_fn fn, void *ud, ct_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(l->db, "SELECT id, kind, path, sha256, imported_at FROM sources"
                           " WHERE ?1 IS NULL OR kind = ?1 ORDER BY path, id", -1, &st,
                           NULL) != SQLITE_OK)
        return sq_fail(l, e, "cannot list sources");
    if (kind) /* NULL: every source */
        sq_bind_str(st, 1, kind);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ct_source_rec s = {sq_col_str(st, 1), sq_col_str(st, 2), sq_col_str(st, 3),
                                  sqlite3_column_int64(st, 4)};
        if (fn(sqlite3_column_int64(st, 0), &s, ud) != 0)
            ret = sq_stopped(e, "listing sources");
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = sq_fail(l, e, "cannot list sources");
    sqlite3_finalize(st);
    return ret;
}

/* ---- counts ---- */

static int sq_count(ct_ledger *l, const char *table, int64_t *n, ct_err *e)
{
    /* Fixed names mapped to fixed statements: the name never reaches SQL. */
    static const struct {
        const char *name;
        enum sq_stmt st;
    } tables[] = {{"sources", SQ_COUNT_SOURCES},
                  {"energy", SQ_COUNT_ENERGY},
                  {"provided", SQ_COUNT_PROVIDED},
                  {"runs", SQ_COUNT_RUNS}};
    for (size_t i = 0; table && i < sizeof tables / sizeof tables[0]; i++) {
        if (strcmp(table, tables[i].name) != 0)
            continue;
        sqlite3_stmt *st = l->st[tables[i].st];
        int rc = sqlite3_step(st);
        *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        int ret = rc == SQLITE_ROW ? 0 : sq_fail(l, e, "cannot count rows");
        sq_done(st);
        return ret;
    }
    return ct_errf(e, "%s: no table '%.40s' to count (sources, energy, provided, runs)",
                   l->path, table ? table : "");
}

const struct ct_ledger_ops ct_ledger_sqlite = {
    .version = CT_LEDGER_OPS_VERSION,
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .add_source = sq_add_source,
    .find_source = sq_find_source,
    .delete_source = sq_delete_source,
    .add_energy = sq_add_energy,
    .add_provided = sq_add_provided,
    .add_run = sq_add_run,
    .scan_energy_days = sq_scan_energy_days,
    .count = sq_count,
    .scan_provided = sq_scan_provided,
    .scan_runs = sq_scan_runs,
    .list_sources = sq_list_sources,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .series_rows = sq_series_rows,
    .day_rows = sq_day_rows,
    .bucket_rows = sq_bucket_rows,
    .source_series_rows = sq_source_series_rows,
    .source_energy_rows = sq_source_energy_rows,
    .source_provided_rows = sq_source_provided_rows,
    .source_run_rows = sq_source_run_rows,
};
