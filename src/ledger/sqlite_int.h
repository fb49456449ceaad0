#ifndef CT_LEDGER_SQLITE_INT_H
#define CT_LEDGER_SQLITE_INT_H
/* Private to the SQLite backend: the handle, its cached statements and the
 * helpers its files share. */
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/ledger.h"

/* Every statement the backend runs more than once, prepared once per open. */
enum sq_stmt {
    SQ_BEGIN,
    SQ_BEGIN_READ,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_SRC_INSERT,
    SQ_SRC_FIND,
    SQ_SRC_DELETE,
    SQ_SERIES_FIND,
    SQ_SERIES_INSERT,
    SQ_ENERGY_UPSERT,
    SQ_DAY_UPSERT,
    SQ_SERIES_LIST,
    SQ_ENERGY_SCAN,
    SQ_DAY_SCAN,
    SQ_PROV_INSERT,
    SQ_PROV_SCAN,
    SQ_RUN_INSERT,
    SQ_RUN_SCAN,
    SQ_COUNT_SOURCES,
    SQ_COUNT_ENERGY,
    SQ_COUNT_PROVIDED,
    SQ_COUNT_RUNS,
    SQ_N
};

/* Maps a series key to its id, so add_energy in a loop skips the lookup.
 * Cleared on rollback, on delete_source and after any failed write, because
 * an id it holds may then name nothing (or, after a rollback, something else). */
struct sq_series_ent {
    uint64_t hash;
    int64_t source_id, id;
    int flags; /* method | detail << 8 */
    char *key;  /* platform NUL host NUL device NUL component NUL */
    size_t key_len;
};
struct sq_series_cache {
    struct sq_series_ent *ent;
    size_t cap, n;
};

struct ct_ledger {
    sqlite3 *db;
    char *path;
    int read_only;
    /* Waiting for another writer's lock (see ledger/open.h). */
    int busy_ms;
    double busy_since;
    int busy_said;
    void (*waiting)(const char *path, double waited_s, double bound_s, void *ud);
    void *waiting_ud;
    sqlite3_stmt *st[SQ_N];
    struct sq_series_cache series;
    int own_read;          /* a read transaction sq_read_begin opened */
};

/* Fills e with "PATH: what: what SQLite said" and returns -1. */
int sq_fail(ct_ledger *l, ct_err *e, const char *what);
/* Resets a statement and drops its bindings (also releases a reader's snapshot). */
void sq_done(sqlite3_stmt *st);
/* Binds a borrowed string (NULL as ""), valid until sq_done. */
void sq_bind_str(sqlite3_stmt *st, int i, const char *s);
/* A column as text, never NULL. */
const char *sq_col_str(sqlite3_stmt *st, int i);
/* Runs a statement that returns no rows (or ignores them). */
int sq_exec_stmt(ct_ledger *l, enum sq_stmt id, ct_err *e, const char *what);
/* Sets e to "... stopped by its callback" unless the callback filled it. */
int sq_stopped(ct_err *e, const char *what);

/* schema.c: brings the schema to the version this build knows; read-only,
 * checks that it is a ledger this build can read. */
int sq_migrate(ct_ledger *l, ct_err *e);
int sq_check_readable(ct_ledger *l, ct_err *e);
int sq_schema_version(void);

/* series.c */
int sq_series_id(ct_ledger *l, int64_t source_id, const struct ct_energy_rec *r, int64_t *id,
                 ct_err *e);
void sq_series_clear(struct sq_series_cache *c);
void sq_series_free(struct sq_series_cache *c);

/* The SQL behind each enum sq_stmt. */
extern const char *const sq_sql[SQ_N];

int sq_add_energy(ct_ledger *l, int64_t source_id, const struct ct_energy_rec *r, ct_err *e);
int sq_scan_energy_days(ct_ledger *l, int64_t from, int64_t to, ct_energy_day_fn fn, void *ud,
                        ct_err *e);
/* A caller's callback, whichever kind of row it takes, and the loop that
 * steps a statement handing each row to a take function (sqlite_scan.c). */
struct sq_sink {
    ct_series_row_fn series;
    ct_day_row_fn day;
    ct_bucket_row_fn bucket;
    ct_energy_fn energy;
    ct_provided_fn provided;
    ct_run_fn run;
    void *ud;
};
typedef int (*sq_take_fn)(sqlite3_stmt *st, const struct sq_sink *k);
/* -1 with e ("cannot read <what>") on a read error, or when take stops. The
 * statement is reset (not finalized) afterwards. */
int sq_stream(ct_ledger *l, sqlite3_stmt *st, sq_take_fn take, const struct sq_sink *k,
              const char *what, ct_err *e);
/* A series row: columns id, platform, host, device, component, method, kind. */
int sq_take_series(sqlite3_stmt *st, const struct sq_sink *k);
int sq_read_begin(ct_ledger *l, ct_err *e);
void sq_read_end(ct_ledger *l);
int sq_series_rows(ct_ledger *l, ct_series_row_fn fn, void *ud, ct_err *e);
int sq_day_rows(ct_ledger *l, int64_t day_from, int64_t day_to, ct_day_row_fn fn, void *ud,
                ct_err *e);
int sq_bucket_rows(ct_ledger *l, int64_t series_id, int64_t t0_from, int64_t t0_to,
                   ct_bucket_row_fn fn, void *ud, ct_err *e);
/* A provided emission or a run from a row whose columns are those of
 * SQ_PROV_SCAN / SQ_RUN_SCAN (sqlite_records.c); strings borrowed from st. */
void sq_read_provided(sqlite3_stmt *st, struct ct_provided_rec *r);
void sq_read_run(sqlite3_stmt *st, struct ct_run_rec *r);
int sq_add_provided(ct_ledger *l, int64_t source_id, const struct ct_provided_rec *r,
                    ct_err *e);
int sq_scan_provided(ct_ledger *l, int64_t from, int64_t to, ct_provided_fn fn, void *ud,
                     ct_err *e);
int sq_add_run(ct_ledger *l, int64_t source_id, const struct ct_run_rec *r, ct_err *e);
int sq_scan_runs(ct_ledger *l, int64_t from, int64_t to, ct_run_fn fn, void *ud, ct_err *e);
/* sqlite_export.c (ops version 4) */
int sq_source_series_rows(ct_ledger *l, int64_t source_id, ct_series_row_fn fn, void *ud,
                          ct_err *e);
int sq_source_energy_rows(ct_ledger *l, int64_t source_id, ct_energy_fn fn, void *ud, ct_err *e);
int sq_source_provided_rows(ct_ledger *l, int64_t source_id, ct_provided_fn fn, void *ud,
                            ct_err *e);
int sq_source_run_rows(ct_ledger *l, int64_t source_id, ct_run_fn fn, void *ud, ct_err *e);

#endif
