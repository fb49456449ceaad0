#ifndef CT_LEDGER_H
#define CT_LEDGER_H
/* The ledger: records of energy, provided emissions and runs, and the sources
 * they came from. It stores records only; kgCO2e is computed at report time.
 *
 * A backend is a const struct ct_ledger_ops (SQLite now; PostgreSQL later shares
 * the same contract test). Calls return 0 on success and -1 with e filled.
 *
 * Buckets: energy is kept in buckets of at most one hour that never cross a UTC
 * hour boundary, except calculated records, which may span up to one UTC month
 * but never cross a month boundary. A team-year of 200 devices is then 1.75 M
 * rows, small enough for a report to scan in well under a second. */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "ledger/records.h"

/* Version 2 appended list_sources to struct ct_ledger_ops; version 3 the row
 * streams (read_begin .. bucket_rows) the backend-neutral scan reads; version 4
 * the per-source streams (source_series_rows .. source_run_rows) that `ledger
 * push` and `ledger merge` copy sources with, and list_sources(kind NULL). */
#define CT_LEDGER_OPS_VERSION 4
#define CT_BUCKET_SECONDS 3600

/* A handle is for one thread at a time (SQLite opens it without a mutex). */
typedef struct ct_ledger ct_ledger;
/* An energy bucket read back (source_energy_rows); valid only during the call. */
typedef int (*ct_energy_fn)(const struct ct_energy_rec *r, void *ud);

struct ct_ledger_ops {
    int version;           /* CT_LEDGER_OPS_VERSION */
    const char *name;      /* "sqlite" */
    /* Opens (creating and migrating as needed). url is a path for SQLite. */
    int (*open)(const char *url, ct_ledger **out, ct_err *e);
    void (*close)(ct_ledger *l);
    int (*begin)(ct_ledger *l, ct_err *e);
    int (*commit)(ct_ledger *l, ct_err *e);
    void (*rollback)(ct_ledger *l);
    /* Adds a source; if one with the same sha256 exists, sets *existed = 1 and
     * returns its id without changing anything. */
    int (*add_source)(ct_ledger *l, const struct ct_source_rec *s, int64_t *id,
                      int *existed, ct_err *e);
    /* Looks a source up by sha256; *id = 0 when absent. */
    int (*find_source)(ct_ledger *l, const char *sha256, int64_t *id, ct_err *e);
    /* Deletes a source and every record that came from it. */
    int (*delete_source)(ct_ledger *l, int64_t id, ct_err *e);
    /* Adds energy into the bucket (source, platform, host, device, component,
     * method, t0, t1): a second add to the same bucket sums joules, covered_s,
     * idle_joules and idle_s, and keeps util as the covered-time weighted mean. */
    int (*add_energy)(ct_ledger *l, int64_t source_id, const struct ct_energy_rec *r,
                      ct_err *e);
    int (*add_provided)(ct_ledger *l, int64_t source_id, const struct ct_provided_rec *r,
                        ct_err *e);
    int (*add_run)(ct_ledger *l, int64_t source_id, const struct ct_run_rec *r, ct_err *e);
    /* Calls fn for each (platform, host, device, component, method, source kind, day)
     * with energy in [from, to), in that sort order. Detail records are stored
     * but not scanned here, since their energy is already in another record.
     * Every backend sets this to a call of ct_ledger_scan (below) with its own
     * ops: the clipping, grouping and order of sums are the core's, not SQL's. */
    int (*scan_energy_days)(ct_ledger *l, int64_t from, int64_t to, ct_energy_day_fn fn,
                            void *ud, ct_err *e);
    /* Row counts, for `ledger info` and tests. */
    int (*count)(ct_ledger *l, const char *table, int64_t *n, ct_err *e);
    /* Added after version 1's first draft (appended, so nothing above moves).
     * Calls fn for each provided emission overlapping [from, to), unclipped
     * (the caller pro-rates), sorted by provider, account, project, service,
     * region, scope, market_based, t0. */
    int (*scan_provided)(ct_ledger *l, int64_t from, int64_t to, ct_provided_fn fn,
                         void *ud, ct_err *e);
    /* Calls fn for each run overlapping [from, to), sorted by t0. */
    int (*scan_runs)(ct_ledger *l, int64_t from, int64_t to, ct_run_fn fn, void *ud,
                     ct_err *e);
    /* Version 2 (appended). Calls fn for each source of the kind (every source
     * when kind is NULL, since version 4), sorted by
     * path then id, with its id; a callback that returns non-zero stops the
     * list, which then returns -1. For `estimate`, which finds its own earlier
     * estimates ("estimate:NAME:YEAR") by kind. Deleting a source from inside
     * fn is not allowed: collect the ids, then delete. */
    int (*list_sources)(ct_ledger *l, const char *kind, ct_source_fn fn, void *ud, ct_err *e);
    /* Version 3: the row streams of the backend-neutral scan (ledger/scan.c).
     * read_begin opens one consistent snapshot for the calls that follow and
     * read_end closes it (both do nothing inside a write transaction). */
    int (*read_begin)(ct_ledger *l, ct_err *e);
    void (*read_end)(ct_ledger *l);
    /* Every series that is not detail, in any order. */
    int (*series_rows)(ct_ledger *l, ct_series_row_fn fn, void *ud, ct_err *e);
    /* Every day roll-up row with day in [day_from, day_to), in any order. */
    int (*day_rows)(ct_ledger *l, int64_t day_from, int64_t day_to, ct_day_row_fn fn, void *ud,
                    ct_err *e);
    /* The buckets of one series with t0 in [t0_from, t0_to), in any order. */
    int (*bucket_rows)(ct_ledger *l, int64_t series_id, int64_t t0_from, int64_t t0_to,
                       ct_bucket_row_fn fn, void *ud, ct_err *e);
    /* Version 4: one source's records read back whole, so that a source can be
     * copied to another ledger (ledger/transfer.c) and the copy stores the same
     * records. Each streams in a fixed order (series then t0; provided and runs
     * by insertion) and, like the others, stops when fn returns non-zero.
     * Every series of the source that is not detail (source_kind is its kind). */
    int (*source_series_rows)(ct_ledger *l, int64_t source_id, ct_series_row_fn fn, void *ud,
                              ct_err *e);
    /* Every energy bucket of the source, detail ones too, as the record that
     * add_energy would store again: platform "" when unset, util NAN when no
     * add to the bucket knew it, else the bucket's covered-time weighted mean. */
    int (*source_energy_rows)(ct_ledger *l, int64_t source_id, ct_energy_fn fn, void *ud,
                              ct_err *e);
    int (*source_provided_rows)(ct_ledger *l, int64_t source_id, ct_provided_fn fn, void *ud,
                                ct_err *e);
    int (*source_run_rows)(ct_ledger *l, int64_t source_id, ct_run_fn fn, void *ud, ct_err *e);
};

/* The backend-neutral scan_energy_days over a backend's row streams: pro-rata
 * clipping at the period's edges, grouping of series by key, and a fixed order
 * of floating-point sums, so every backend gives the same numbers. */
int ct_ledger_scan(const struct ct_ledger_ops *ops, ct_ledger *l, int64_t from, int64_t to,
                   ct_energy_day_fn fn, void *ud, ct_err *e);

extern const struct ct_ledger_ops ct_ledger_sqlite;

/* Picks the backend for a --db value ("postgresql://..." later; a path: SQLite). */
const struct ct_ledger_ops *ct_ledger_backend(const char *url, ct_err *e);

/* A ledger handle bundles its backend so callers write L->ops->add_energy(L->db,...).*/
struct ct_ledger_h {
    const struct ct_ledger_ops *ops;
    ct_ledger *db;
};
int ct_ledger_open(const char *url, struct ct_ledger_h *h, ct_err *e);
void ct_ledger_close(struct ct_ledger_h *h);

/* SQLite only (sqlite_export.c), for `ledger backup` and `ledger info`.
 * Copies the SQLite ledger at path into dest (which must not exist) with
 * SQLite's online backup API: one consistent snapshot, taken while writers go
 * on, written to dest's main file alone (no -wal), then renamed into place. */
int ct_sqlite_backup(const char *path, const char *dest, ct_err *e);
/* What sits in path's write-ahead log, read from the files without opening
 * the ledger: *bytes is the -wal file's size (0: none or empty) and *frames
 * the pages logged in it. A copy of the main file alone lacks those pages
 * until a checkpoint moves them in. */
int ct_sqlite_wal_size(const char *path, int64_t *bytes, int64_t *frames, ct_err *e);

/* Record checks every backend applies before storing (0, or -1 with e filled):
 * energy: host, device and component set; method measured or calculated;
 * detail 0 or 1; t1 > t0, both within CT_LEDGER_T_MAX; finite numbers;
 * joules, idle_joules, covered_s, idle_s >= 0;
 * covered_s <= t1 - t0, idle_s <= covered_s and idle_joules <= joules (each
 * within CT_LEDGER_EPS_S seconds or a relative 1e-9); util in [0, 1] or NAN;
 * a measured record inside one UTC hour, a calculated one inside one UTC month.
 * provided: provider set, scope 1..3, t1 > t0 (in range), finite kgco2e.
 * run: host set, t1 >= t0 (in range), finite non-negative joules. */
#define CT_LEDGER_EPS_S 1e-3
/* Record times lie in [0, CT_LEDGER_T_MAX]: 1970 to 10000-01-01T00:00:00Z. */
#define CT_LEDGER_T_MAX 253402300800LL
int ct_energy_rec_check(const struct ct_energy_rec *r, ct_err *e);
int ct_provided_rec_check(const struct ct_provided_rec *r, ct_err *e);
int ct_run_rec_check(const struct ct_run_rec *r, ct_err *e);

#endif
