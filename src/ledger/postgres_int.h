#ifndef CT_LEDGER_POSTGRES_INT_H
#define CT_LEDGER_POSTGRES_INT_H
/* Private to the PostgreSQL backend: the handle, its prepared statements, the
 * parameter builder and the helpers its files share. */
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/ledger.h"

/* Every statement with a value in it, prepared once per connection
 * (PQprepare), run with PQexecPrepared: no SQL is ever built from values. */
enum pg_stmt {
    PG_BEGIN,
    PG_BEGIN_READ,
    PG_COMMIT,
    PG_ROLLBACK,
    PG_SRC_INSERT,
    PG_SRC_FIND,
    PG_SRC_DELETE,
    PG_SRC_LIST,
    PG_SERIES_GET,
    PG_ENERGY_UPSERT,
    PG_BUCKET_UPSERT,
    PG_DAY_FOLD,
    PG_SERIES_LIST,
    PG_ENERGY_SCAN,
    PG_DAY_SCAN,
    PG_PROV_INSERT,
    PG_PROV_SCAN,
    PG_RUN_INSERT,
    PG_RUN_SCAN,
    PG_COUNT_SOURCES,
    PG_COUNT_ENERGY,
    PG_COUNT_PROVIDED,
    PG_COUNT_RUNS,
    /* version 4: one source's records, and every source (postgres_export.c) */
    PG_SRC_LIST_ALL,
    PG_SRC_SERIES,
    PG_SRC_ENERGY,
    PG_SRC_PROVIDED,
    PG_SRC_RUNS,
    PG_N
};
extern const char *const pg_sql[PG_N];

/* The backend (postgres.c); ledger.c picks it for postgresql:// URLs. */
extern const struct ct_ledger_ops ct_ledger_postgres;

/* Parameters in text form. Doubles travel as %.17g, which PostgreSQL's float8
 * input reads back to the same IEEE double, so sums match SQLite's bit for bit. */
#define PG_MAXPARAM 16
struct pg_params {
    int n;
    const char *v[PG_MAXPARAM];
    char buf[PG_MAXPARAM][32];
};
void pp_str(struct pg_params *p, const char *s); /* NULL as "" */
void pp_i64(struct pg_params *p, int64_t v);
void pp_f64(struct pg_params *p, double v);      /* NAN as SQL NULL */

/* Maps a series key to its id (see postgres_series.c). */
struct pg_series_ent {
    uint64_t hash;
    int64_t source_id, id;
    int flags;  /* method | detail << 8 */
    char *key;  /* platform NUL host NUL device NUL component NUL */
};
struct pg_series_cache {
    struct pg_series_ent *ent;
    size_t cap, n;
};

/* The day roll-up of the adds a transaction is making to one (series, day),
 * not yet written: see postgres_rollup.c. v holds n x 5 amounts (covered_s,
 * joules, idle_joules, idle_s, util_s) in the order they were added. */
#define PG_FOLD_MAX 2048
struct pg_rollup {
    int64_t series, day, max_t1;
    size_t n;
    double v[PG_FOLD_MAX * 5];
    char *text;            /* the five array parameters, one after another */
    size_t textcap;
};

struct ct_ledger {
    PGconn *conn;
    char *label;           /* "PostgreSQL ledger DB on HOST": never the URL */
    char state[6];         /* SQLSTATE of the last failure, "" if none */
    int own_read;          /* a read transaction pg_read_begin opened */
    struct pg_series_cache series;
    /* Pipelined writes (see pg_pipe_send): sent, results not yet read. */
    int pipe, pending;
    ct_err pipe_err;       /* the first pipelined write that failed, "" if none */
    struct pg_rollup *roll; /* allocated on the first pipelined add */
};

/* Serialization failures and deadlocks are retried this many times, with a
 * short growing pause, wherever the backend owns the transaction. */
#define PG_RETRIES 8
int pg_retryable(const ct_ledger *l);
void pg_backoff(int attempt);
/* Whether the connection is outside any transaction. */
int pg_idle(const ct_ledger *l);

/* Fills e with "LABEL: what: what the server said" and returns -1. */
int pg_fail(ct_ledger *l, ct_err *e, const char *what, const PGresult *r);
/* Runs a prepared statement; the result (to PQclear) or NULL with e filled.
 * Outside a transaction a serialization failure or deadlock is retried. */
PGresult *pg_exec(ct_ledger *l, enum pg_stmt id, const struct pg_params *p, ct_err *e,
                  const char *what);
/* Sends a write inside the caller's transaction without waiting for its
 * result (libpq's pipeline mode): a bulk import then costs one round trip per
 * PG_PIPE_MAX rows, not per row, and the server runs the statements in the
 * same order, so sums are the same. A failure is kept and reported by the
 * next call (any statement first reads the pending results), by the next
 * pipelined write or by the commit; the transaction is lost either way. */
#define PG_PIPE_MAX 1000
int pg_pipe_send(ct_ledger *l, enum pg_stmt id, const struct pg_params *p, ct_err *e,
                 const char *what);
/* Reads every pending result and leaves pipeline mode. */
void pg_pipe_drain(ct_ledger *l);
/* Runs a statement for its effect alone. */
int pg_run(ct_ledger *l, enum pg_stmt id, const struct pg_params *p, ct_err *e,
           const char *what);
/* Streams the rows of a prepared statement to take in single-row mode, so
 * memory stays bounded whatever the result's size: 0, -1 with e filled, or
 * -2 when take returned non-zero to stop (the rest is drained, e untouched:
 * the caller names what stopped with pg_stopped). */
typedef int (*pg_take_fn)(const PGresult *r, void *ud);
int pg_stream(ct_ledger *l, enum pg_stmt id, const struct pg_params *p, pg_take_fn take,
              void *ud, ct_err *e, const char *what);
int pg_stopped(ct_err *e, const char *what);

/* A provided emission or a run from a row of PG_PROV_SCAN / PG_RUN_SCAN's
 * columns (postgres_records.c), to fn or run. */
struct prov_ctx {
    ct_provided_fn fn;
    ct_run_fn run;
    void *ud;
};
int pg_take_provided(const PGresult *r, void *ud);
int pg_take_run(const PGresult *r, void *ud);

/* A series row (columns id, platform, host, device, component, method, kind)
 * handed to fn (postgres_energy.c). */
int pg_series_row(const PGresult *r, ct_series_row_fn fn, void *ud);

/* postgres_export.c: the version-4 per-source streams. */
int pg_source_series_rows(ct_ledger *l, int64_t source_id, ct_series_row_fn fn, void *ud,
                          ct_err *e);
int pg_source_energy_rows(ct_ledger *l, int64_t source_id, ct_energy_fn fn, void *ud, ct_err *e);
int pg_source_provided_rows(ct_ledger *l, int64_t source_id, ct_provided_fn fn, void *ud,
                            ct_err *e);
int pg_source_run_rows(ct_ledger *l, int64_t source_id, ct_run_fn fn, void *ud, ct_err *e);

/* Column readers for a single-row result. */
int64_t pg_i64(const PGresult *r, int col);
double pg_f64(const PGresult *r, int col);   /* NULL reads as 0 */
const char *pg_str(const PGresult *r, int col);

/* postgres_schema.c: creates or upgrades the schema (under an advisory lock). */
int pg_migrate(ct_ledger *l, ct_err *e);
int pg_schema_version(void);

/* postgres_series.c */
int pg_series_id(ct_ledger *l, int64_t source_id, const struct ct_energy_rec *r, int64_t *id,
                 ct_err *e);
void pg_series_clear(struct pg_series_cache *c);
void pg_series_free(struct pg_series_cache *c);

/* postgres_rollup.c: adds a bucket's amounts to the pending roll-up (sending
 * the pending one first when this is another series or day); sends the
 * pending roll-up (pipelined); forgets it (on rollback). */
int pg_rollup_add(ct_ledger *l, int64_t series, const struct ct_energy_rec *r, ct_err *e);
int pg_rollup_send(ct_ledger *l, ct_err *e);
void pg_rollup_discard(ct_ledger *l);
void pg_rollup_free(ct_ledger *l);

/* The ops, by file. */
int pg_add_energy(ct_ledger *l, int64_t source_id, const struct ct_energy_rec *r, ct_err *e);
int pg_add_source(ct_ledger *l, const struct ct_source_rec *s, int64_t *id, int *existed,
                  ct_err *e);
int pg_find_source(ct_ledger *l, const char *sha256, int64_t *id, ct_err *e);
int pg_delete_source(ct_ledger *l, int64_t id, ct_err *e);
int pg_list_sources(ct_ledger *l, const char *kind, ct_source_fn fn, void *ud, ct_err *e);
int pg_count(ct_ledger *l, const char *table, int64_t *n, ct_err *e);
int pg_add_provided(ct_ledger *l, int64_t source_id, const struct ct_provided_rec *r,
                    ct_err *e);
int pg_add_run(ct_ledger *l, int64_t source_id, const struct ct_run_rec *r, ct_err *e);
int pg_scan_provided(ct_ledger *l, int64_t from, int64_t to, ct_provided_fn fn, void *ud,
                     ct_err *e);
int pg_scan_runs(ct_ledger *l, int64_t from, int64_t to, ct_run_fn fn, void *ud, ct_err *e);
int pg_read_begin(ct_ledger *l, ct_err *e);
void pg_read_end(ct_ledger *l);
int pg_series_rows(ct_ledger *l, ct_series_row_fn fn, void *ud, ct_err *e);
int pg_day_rows(ct_ledger *l, int64_t day_from, int64_t day_to, ct_day_row_fn fn, void *ud,
                ct_err *e);
int pg_bucket_rows(ct_ledger *l, int64_t series_id, int64_t t0_from, int64_t t0_to,
                   ct_bucket_row_fn fn, void *ud, ct_err *e);
int pg_scan_energy_days(ct_ledger *l, int64_t from, int64_t to, ct_energy_day_fn fn, void *ud,
                        ct_err *e);

#endif
