/* The SQLite ledger backend: opening, transactions, sources and counts.
 * Adding energy is in sqlite_energy.c, reading it in sqlite_scan.c, provided
 * emissions and runs in sqlite_records.c, the schema in schema.c and every
 * statement's SQL in statements.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/strutil.h"
#include "ledger/open.h"
#include "ledger/sqlite_int.h"

int sq_fail(ct_ledger *l, ct_err *e, const char *what)
{
    /* Locked past the wait: say how long it waited and what sets that. */
    if ((sqlite3_extended_errcode(l->db) & 0xff) == SQLITE_BUSY && l->busy_ms >= 1000)
        return ct_errf(e, "%s: %s: %s (after waiting %g s for another writer; "
                       "CO2TALLY_BUSY_TIMEOUT_MS sets the wait)", l->path, what,
                       sqlite3_errmsg(l->db), l->busy_ms / 1000.0);
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

int ct_ledger_busy_timeout_ms(void)
{
    const char *s = getenv("CO2TALLY_BUSY_TIMEOUT_MS");
    if (s && *s) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (!*end && errno == 0 && v >= 0 && v <= INT_MAX)
            return (int)v;
    }
    return CT_LEDGER_BUSY_TIMEOUT_MS;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* SQLite's busy handler: called while another connection holds the lock this
 * one needs, with count 0 on the first call of each wait. Returns 1 to try
 * again, 0 to give up ("database is locked"). */
static int on_busy(void *ud, int count)
{
    ct_ledger *l = ud;
    double now = mono_s();
    if (count == 0) {
        l->busy_since = now;
        l->busy_said = 0;
    }
    double waited_ms = (now - l->busy_since) * 1000.0;
    if (waited_ms >= (double)l->busy_ms)
        return 0;
    if (!l->busy_said && waited_ms >= 1000.0 && l->waiting) {
        l->busy_said = 1;
        l->waiting(l->path, waited_ms / 1000.0, l->busy_ms / 1000.0, l->waiting_ud);
    }
    /* Most waits are another writer's flush of a few ms: short sleeps first. */
    double ms = count < 10 ? 1 + count : 50;
    if (ms > (double)l->busy_ms - waited_ms)
        ms = (double)l->busy_ms - waited_ms + 1;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms - 1000.0 * (long)(ms / 1000)) * 1000000L};
    nanosleep(&ts, NULL);
    return 1;
}

static int is_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

/* Switching a new ledger to WAL needs the whole file to itself, and SQLite
 * answers SQLITE_BUSY at once where it could deadlock instead of waiting: the
 * switch is retried for as long as a writer waits. */
static int set_journal_wal(ct_ledger *l, ct_err *e)
{
    for (int tries = 0;; tries++) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(l->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            /* An in-memory database answers "memory" and cannot do WAL. */
            const char *mode = sq_col_str(st, 0);
            int ret = 0;
            if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)
                ret = ct_errf(e, "%s: cannot use WAL journal mode (SQLite kept %s)", l->path, mode);
            sqlite3_finalize(st);
            return ret;
        }
        sqlite3_finalize(st);
        if (!is_busy(rc) || !on_busy(l, tries))
            return sq_fail(l, e, "cannot open the ledger");
    }
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
    sqlite3_busy_handler(l->db, on_busy, l);
    if (l->read_only)
        return 0;
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

/* A plain path, not ":memory:" nor a "file:" URI. */
static int plain_path(const char *url)
{
    return strcmp(url, ":memory:") != 0 && strncmp(url, "file:", 5) != 0 && url[0];
}

/* A new ledger file is made here rather than by SQLite, whose default mode is
 * 0644 whatever the umask: 0666 less the umask, as other tools' files. Its -wal
 * and -shm then take its mode (SQLite copies the database's). O_NOFOLLOW and
 * O_EXCL: a link planted in its place is never followed to create a file. */
static void create_file(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0)
        close(fd);
}

/* "file:PATH?mode=ro[&immutable=1]", with the characters a URI reserves escaped. */
static char *ro_uri(const char *path, int immutable)
{
    size_t n = strlen(path);
    char *u = malloc(3 * n + 40);
    if (!u)
        return NULL;
    char *p = u + sprintf(u, "file:");
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("/._-~", *c))
            *p++ = (char)*c;
        else
            p += sprintf(p, "%%%02X", *c);
    }
    sprintf(p, "?mode=ro%s", immutable ? "&immutable=1" : "");
    return u;
}

/* Nothing can write a ledger whose directory is read-only and that has no
 * -wal: it can be read as immutable, without the -shm SQLite could not make. */
static int cannot_change(const char *path)
{
    char *dir = ct_strdup(path), wal[4096];
    if (!dir)
        return 0;
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, strlen(dir) + 1, ".");
    else
        slash[slash == dir] = '\0';
    int ro_dir = access(dir, W_OK) != 0;
    free(dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    return ro_dir && access(wal, F_OK) != 0;
}

static int open_db(ct_ledger *l, const char *url, ct_err *e)
{
    /* NOMUTEX: a handle serves one thread at a time, and SQLite's per-call
     * locking was a tenth of a scan's time. */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    char *uri = NULL;
    if (l->read_only && plain_path(url)) {
        uri = ro_uri(url, cannot_change(url));
        if (!uri)
            return ct_errf(e, "%s: cannot open the ledger: out of memory", url);
        flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    } else if (l->read_only) {
        flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    } else if (plain_path(url)) {
        create_file(url);
    }
    int rc = sqlite3_open_v2(uri ? uri : url, &l->db, flags, NULL);
    free(uri);
    if (rc == SQLITE_OK)
        return 0;
    if (l->db)
        return sq_fail(l, e, "cannot open the ledger");
    return ct_errf(e, "%s: cannot open the ledger: out of memory", url);
}

static int sq_open_opts(const char *url, const struct ct_ledger_open_opts *o, ct_ledger **out,
                        ct_err *e)
{
    *out = NULL;
    ct_ledger *l = calloc(1, sizeof *l);
    if (!l)
        return ct_errf(e, "%s: out of memory", url);
    l->path = ct_strdup(url);
    l->read_only = o && o->read_only;
    l->busy_ms = o && o->busy_timeout_ms > 0 ? o->busy_timeout_ms : ct_ledger_busy_timeout_ms();
    l->waiting = o ? o->waiting : NULL;
    l->waiting_ud = o ? o->ud : NULL;
    if (!l->path || open_db(l, url, e) != 0 || configure(l, e) != 0 ||
        (l->read_only ? sq_check_readable(l, e) : sq_migrate(l, e)) != 0 ||
        prepare_all(l, e) != 0) {
        if (!l->path)
            ct_errf(e, "%s: out of memory", url);
        sq_close(l);
        return -1;
    }
    *out = l;
    return 0;
}

static int sq_open(const char *url, ct_ledger **out, ct_err *e)
{
    return sq_open_opts(url, NULL, out, e);
}

int ct_ledger_open_with(const char *url, const struct ct_ledger_open_opts *o,
                        struct ct_ledger_h *h, ct_err *e)
{
    h->ops = NULL;
    h->db = NULL;
    const struct ct_ledger_ops *ops = ct_ledger_backend(url, e);
    if (!ops)
        return -1;
    /* A server backend (PostgreSQL) waits on its server's own locks and needs
     * no read-only file mode: it opens as it always does. */
    if (ops != &ct_ledger_sqlite) {
        if (ops->open(url, &h->db, e) != 0)
            return -1;
        h->ops = ops;
        return 0;
    }
    if (sq_open_opts(url, o, &h->db, e) != 0)
        return -1;
    h->ops = ops;
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
