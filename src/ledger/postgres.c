/* The PostgreSQL ledger backend (libpq): connecting, running prepared
 * statements, retrying what the server asks to retry, transactions. Sources,
 * provided emissions, runs and counts are in postgres_records.c, energy in
 * postgres_energy.c and postgres_series.c, the scan's row streams in
 * postgres_scan.c, the schema in postgres_schema.c and the SQL in
 * postgres_sql.c.
 *
 * The --db value is handed to libpq unchanged, so its environment variables
 * (PGHOST, PGUSER, PGPASSWORD, ...), service files and sslmode fill in and
 * secure whatever the URL leaves out. It is never copied into a message: it
 * may hold a password. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/strutil.h"
#include "ledger/postgres_int.h"

/* ---- parameters and columns ---- */

static char *slot(struct pg_params *p)
{
    /* The statements have at most PG_MAXPARAM parameters; a caller past that
     * is a bug, kept in bounds rather than trusted. */
    if (p->n >= PG_MAXPARAM)
        p->n = PG_MAXPARAM - 1;
    p->v[p->n] = p->buf[p->n];
    return p->buf[p->n++];
}

void pp_str(struct pg_params *p, const char *s)
{
    slot(p);
    p->v[p->n - 1] = s ? s : "";
}

void pp_i64(struct pg_params *p, int64_t v)
{
    snprintf(slot(p), sizeof p->buf[0], "%lld", (long long)v);
}

void pp_f64(struct pg_params *p, double v)
{
    char *b = slot(p);
    if (isnan(v))
        p->v[p->n - 1] = NULL;
    else
        snprintf(b, sizeof p->buf[0], "%.17g", v);
}

int64_t pg_i64(const PGresult *r, int col) { return strtoll(PQgetvalue(r, 0, col), NULL, 10); }

double pg_f64(const PGresult *r, int col)
{
    return PQgetisnull(r, 0, col) ? 0.0 : strtod(PQgetvalue(r, 0, col), NULL);
}

const char *pg_str(const PGresult *r, int col) { return PQgetvalue(r, 0, col); }

/* ---- errors and retries ---- */

/* Pipelined writes happen only inside a transaction. */
int pg_idle(const ct_ledger *l)
{
    return !l->pipe && PQtransactionStatus(l->conn) == PQTRANS_IDLE;
}

int pg_retryable(const ct_ledger *l)
{
    return strcmp(l->state, "40001") == 0 || strcmp(l->state, "40P01") == 0;
}

/* 2, 4, 8 ... ms, capped, with jitter so that two writers that collided do
 * not collide again in step. */
void pg_backoff(int attempt)
{
    long ms = 2L << (attempt < 7 ? attempt : 7);
    ms += rand() % (ms + 1);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One line, whatever libpq's message looked like. */
static void one_line(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    for (char *c = s; *c; c++)
        if (*c == '\n' || *c == '\t')
            *c = ' ';
}

int pg_fail(ct_ledger *l, ct_err *e, const char *what, const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(l->state, sizeof l->state, "%s", state ? state : "");
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", msg ? msg : PQerrorMessage(l->conn));
    one_line(buf);
    return ct_errf(e, "%s: %s: %s", l->label, what, buf[0] ? buf : "unknown error");
}

int pg_stopped(ct_err *e, const char *what)
{
    if (e && e->msg[0])
        return -1;
    return ct_errf(e, "%s stopped by its callback", what);
}

static const char *stmt_name(enum pg_stmt id, char buf[16])
{
    snprintf(buf, 16, "ct%d", (int)id);
    return buf;
}

/* ---- pipelined writes ---- */

void pg_pipe_drain(ct_ledger *l)
{
    /* The pending roll-up goes first: whatever comes next may read it. */
    if (l->roll && l->roll->n) {
        ct_err e;
        if (pg_rollup_send(l, &e) != 0 && !l->pipe_err.msg[0])
            l->pipe_err = e;
    }
    if (!l->pipe)
        return;
    int synced = PQpipelineSync(l->conn) == 1, nulls = 0;
    while (synced) {
        PGresult *r = PQgetResult(l->conn);
        if (!r) {
            /* One NULL ends each statement's results; more means the
             * connection is gone. */
            if (++nulls > l->pending + 1 || PQstatus(l->conn) == CONNECTION_BAD)
                break;
            continue;
        }
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_FATAL_ERROR && !l->pipe_err.msg[0])
            pg_fail(l, &l->pipe_err, "cannot add energy", r);
        PQclear(r);
        if (s == PGRES_PIPELINE_SYNC)
            break;
    }
    if (!synced && !l->pipe_err.msg[0])
        pg_fail(l, &l->pipe_err, "cannot add energy", NULL);
    PQexitPipelineMode(l->conn);
    l->pipe = 0;
    l->pending = 0;
}

/* The kept failure of a pipelined write, handed to e once; 0 if none. */
static int pipe_failed(ct_ledger *l, ct_err *e)
{
    if (!l->pipe_err.msg[0])
        return 0;
    ct_errf(e, "%s", l->pipe_err.msg);
    l->pipe_err.msg[0] = '\0';
    return -1;
}

int pg_pipe_send(ct_ledger *l, enum pg_stmt id, const struct pg_params *p, ct_err *e,
                 const char *what)
{
    char name[16];
    if (pipe_failed(l, e) != 0)
        return -1;
    if (l->pending >= PG_PIPE_MAX) {
        pg_pipe_drain(l);
        if (pipe_failed(l, e) != 0)
            return -1;
    }
    if (!l->pipe) {
        if (PQenterPipelineMode(l->conn) != 1)
            return pg_fail(l, e, what, NULL);
        l->pipe = 1;
    }
    if (!PQsendQueryPrepared(l->conn, stmt_name(id, name), p->n, p->v, NULL, NULL, 0))
        return pg_fail(l, e, what, NULL);
    l->pending++;
    return 0;
}

PGresult *pg_exec(ct_ledger *l, enum pg_stmt id, const struct pg_params *p, ct_err *e,
                  const char *what)
{
    char name[16];
    pg_pipe_drain(l);
    /* A ROLLBACK goes through whatever failed before it. */
    if (id != PG_ROLLBACK && pipe_failed(l, e) != 0)
        return NULL;
    for (int attempt = 0;; attempt++) {
        int idle = pg_idle(l);
        PGresult *r = PQexecPrepared(l->conn, stmt_name(id, name), p ? p->n : 0,
                                     p ? p->v : NULL, NULL, NULL, 0);
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
            l->state[0] = '\0';
            return r;
        }
        pg_fail(l, e, what, r);
        PQclear(r);
        /* Inside a caller's transaction the whole transaction is lost: only
         * the caller can redo it. */
        if (!idle || !pg_retryable(l) || attempt >= PG_RETRIES)
            return NULL;
        pg_backoff(attempt);
    }
}

int pg_run(ct_ledger *l, enum pg_stmt id, const struct pg_params *p, ct_err *e,
           const char *what)
{
    PGresult *r = pg_exec(l, id, p, e, what);
    PQclear(r);
    return r ? 0 : -1;
}

/* One pass of pg_stream; *rows counts the rows handed out. */
static int stream_once(ct_ledger *l, const char *name, const struct pg_params *p,
                       pg_take_fn take, void *ud, ct_err *e, const char *what, int *rows)
{
    if (!PQsendQueryPrepared(l->conn, name, p ? p->n : 0, p ? p->v : NULL, NULL, NULL, 0))
        return pg_fail(l, e, what, NULL);
    PQsetSingleRowMode(l->conn);
    int stopped = 0, failed = 0;
    PGresult *r;
    /* Every result is read, even after a stop or an error: the connection
     * serves the next statement only once this one is finished. */
    while ((r = PQgetResult(l->conn)) != NULL) {
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_SINGLE_TUPLE) {
            if (!stopped && !failed) {
                ++*rows;
                stopped = take(r, ud) != 0;
            }
        } else if (s != PGRES_TUPLES_OK && !failed) {
            pg_fail(l, e, what, r);
            failed = 1;
        }
        PQclear(r);
    }
    if (stopped)
        return -2;
    if (!failed)
        l->state[0] = '\0';
    return failed ? -1 : 0;
}

int pg_stream(ct_ledger *l, enum pg_stmt id, const struct pg_params *p, pg_take_fn take,
              void *ud, ct_err *e, const char *what)
{
    char name[16];
    stmt_name(id, name);
    pg_pipe_drain(l);
    if (pipe_failed(l, e) != 0)
        return -1;
    for (int attempt = 0;; attempt++) {
        int idle = pg_idle(l), rows = 0;
        l->state[0] = '\0';
        int ret = stream_once(l, name, p, take, ud, e, what, &rows);
        if (ret != -1)
            return ret;
        if (!idle || rows || !pg_retryable(l) || attempt >= PG_RETRIES)
            return -1;
        pg_backoff(attempt);
    }
}

/* ---- open and close ---- */

/* Replaces each [p, p + n) of msg by "***". */
static void blot(char *msg, size_t cap, const char *p, size_t n)
{
    char out[sizeof ((ct_err *)0)->msg];
    size_t o = 0;
    if (n == 0)
        return;
    for (const char *m = msg; *m && o + 4 < sizeof out;) {
        if (strncmp(m, p, n) == 0) {
            memcpy(out + o, "***", 3);
            o += 3;
            m += n;
        } else {
            out[o++] = *m++;
        }
    }
    out[o] = '\0';
    snprintf(msg, cap, "%s", out);
}

/* libpq quotes a token it cannot decode, and that token may be the URL's
 * password ("user:PASSWORD@" or "password=PASSWORD"): blotted out of msg. */
static void redact(char *msg, size_t cap, const char *url)
{
    const char *s = strstr(url, "://");
    if (!s)
        return;
    s += 3;
    const char *at = strchr(s, '@'), *end = strpbrk(s, "/?");
    if (at && (!end || at < end)) {
        const char *colon = memchr(s, ':', (size_t)(at - s));
        if (colon)
            blot(msg, cap, colon + 1, (size_t)(at - colon - 1));
    }
    for (const char *q = strchr(s, '?'); q && *q; q = strchr(q + 1, '&')) {
        if (strncmp(q + 1, "password=", 9) == 0) {
            const char *v = q + 10;
            blot(msg, cap, v, strcspn(v, "&"));
        }
    }
}

/* libpq prints notices to stderr by default; a library never prints. */
static void quiet(void *arg, const char *message)
{
    (void)arg, (void)message;
}

static int prepare_all(ct_ledger *l, ct_err *e)
{
    char name[16];
    for (int i = 0; i < PG_N; i++) {
        PGresult *r = PQprepare(l->conn, stmt_name((enum pg_stmt)i, name), pg_sql[i], 0, NULL);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            pg_fail(l, e, "cannot prepare a ledger statement", r);
        PQclear(r);
        if (!ok)
            return -1;
    }
    return 0;
}

/* Session settings: float8 output that reads back to the same double, and no
 * chatter. Constant SQL, no values. */
static int configure(ct_ledger *l, ct_err *e)
{
    PGresult *r = PQexec(l->conn, "SET extra_float_digits = 3; "
                                  "SET client_min_messages = warning");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        pg_fail(l, e, "cannot configure the session", r);
    PQclear(r);
    return ok ? 0 : -1;
}

static void set_label(ct_ledger *l)
{
    char buf[512];
    const char *db = PQdb(l->conn), *host = PQhost(l->conn);
    snprintf(buf, sizeof buf, "PostgreSQL ledger %s on %s", db && *db ? db : "?",
             host && *host ? host : "localhost");
    free(l->label);
    l->label = ct_strdup(buf);
}

static void pg_close(ct_ledger *l)
{
    if (!l)
        return;
    if (l->conn)
        PQfinish(l->conn);
    pg_series_free(&l->series);
    pg_rollup_free(l);
    free(l->label);
    free(l);
}

static int pg_open(const char *url, ct_ledger **out, ct_err *e)
{
    *out = NULL;
    ct_ledger *l = calloc(1, sizeof *l);
    if (!l || !(l->label = ct_strdup("PostgreSQL ledger"))) {
        free(l);
        return ct_errf(e, "PostgreSQL ledger: out of memory");
    }
    /* The URL as dbname, expanded by libpq; the application name shows in
     * pg_stat_activity unless the URL or PGAPPNAME names another. */
    const char *const keys[] = {"dbname", "fallback_application_name", NULL};
    const char *const vals[] = {url, "co2tally", NULL};
    l->conn = PQconnectdbParams(keys, vals, 1);
    if (!l->conn) {
        pg_close(l);
        return ct_errf(e, "PostgreSQL ledger: out of memory");
    }
    if (PQstatus(l->conn) != CONNECTION_OK) {
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(l->conn));
        one_line(msg);
        redact(msg, sizeof msg, url);
        ct_errf(e, "PostgreSQL ledger: cannot connect: %s", msg);
        pg_close(l);
        return -1;
    }
    PQsetNoticeProcessor(l->conn, quiet, NULL);
    set_label(l);
    if (!l->label || configure(l, e) != 0 || pg_migrate(l, e) != 0 || prepare_all(l, e) != 0) {
        if (!l->label)
            ct_errf(e, "PostgreSQL ledger: out of memory");
        pg_close(l);
        return -1;
    }
    *out = l;
    return 0;
}

/* ---- transactions ---- */

static int pg_begin(ct_ledger *l, ct_err *e)
{
    if (!pg_idle(l))
        return ct_errf(e, "%s: cannot begin a transaction inside another", l->label);
    return pg_run(l, PG_BEGIN, NULL, e, "cannot begin a transaction");
}

static void pg_rollback(ct_ledger *l)
{
    pg_series_clear(&l->series);
    pg_rollup_discard(l);
    pg_pipe_drain(l);
    l->pipe_err.msg[0] = '\0';
    l->own_read = 0;
    if (!pg_idle(l))
        pg_run(l, PG_ROLLBACK, NULL, NULL, "");
}

static int pg_commit(ct_ledger *l, ct_err *e)
{
    if (pg_idle(l))
        return ct_errf(e, "%s: cannot commit: no transaction is open", l->label);
    PGresult *r = pg_exec(l, PG_COMMIT, NULL, e, "cannot commit");
    /* A transaction that failed earlier answers COMMIT with ROLLBACK. */
    int ok = r && strcmp(PQcmdStatus(r), "COMMIT") == 0;
    if (r && !ok)
        ct_errf(e, "%s: cannot commit: an earlier statement failed, so the whole "
                   "transaction was rolled back", l->label);
    PQclear(r);
    if (!ok)
        pg_rollback(l);
    return ok ? 0 : -1;
}

const struct ct_ledger_ops ct_ledger_postgres = {
    .version = CT_LEDGER_OPS_VERSION,
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .add_source = pg_add_source,
    .find_source = pg_find_source,
    .delete_source = pg_delete_source,
    .add_energy = pg_add_energy,
    .add_provided = pg_add_provided,
    .add_run = pg_add_run,
    .scan_energy_days = pg_scan_energy_days,
    .count = pg_count,
    .scan_provided = pg_scan_provided,
    .scan_runs = pg_scan_runs,
    .list_sources = pg_list_sources,
    .read_begin = pg_read_begin,
    .read_end = pg_read_end,
    .series_rows = pg_series_rows,
    .day_rows = pg_day_rows,
    .bucket_rows = pg_bucket_rows,
    .source_series_rows = pg_source_series_rows,
    .source_energy_rows = pg_source_energy_rows,
    .source_provided_rows = pg_source_provided_rows,
    .source_run_rows = pg_source_run_rows,
};
