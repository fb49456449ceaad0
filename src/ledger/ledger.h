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

/* Version 2 appended list_sources to struct ct_ledger_ops. */
#define CT_LEDGER_OPS_VERSION 2
#define CT_BUCKET_SECONDS 3600

enum ct_method { CT_METHOD_MEASURED = 0, CT_METHOD_CALCULATED = 1, CT_METHOD_PROVIDED = 2 };
const char *ct_method_name(int method);   /* "measured", "calculated", "provided" */
int ct_method_parse(const char *s);       /* -1 if none */

/* Where records came from. Identified by sha256 (a file's hash; for estimates and
 * live sensors a hash of a stable key such as "estimate:laptops"). */
struct ct_source_rec {
    const char *kind;     /* "estimate", "agent", "nvidia-smi", "turbostat", "aws", ... */
    const char *path;     /* file path or descriptive key */
    const char *sha256;   /* 64 hex chars */
    int64_t imported_at;  /* UTC seconds */
};

/* One energy interval. Strings are borrowed for the duration of the call. */
struct ct_energy_rec {
    const char *platform;  /* team-file platform, or NULL/"" to resolve from host at report time */
    const char *host;
    const char *device;    /* "cpu0", "gpu:GPU-UUID", "dram0", "system", "calculated" */
    const char *component; /* "cpu", "gpu", "dram", "system", "other" */
    int method;            /* enum ct_method (measured or calculated) */
    int64_t t0, t1;        /* [t0, t1) UTC seconds, inside one bucket (see above) */
    double covered_s;      /* seconds of [t0, t1) that had data, <= t1 - t0 */
    double joules;         /* energy drawn by the device, before PUE */
    double idle_joules;    /* part of joules spent while utilisation was under the idle threshold */
    double idle_s;         /* seconds spent idle */
    double util;           /* mean utilisation 0..1 over covered_s; NAN if unknown */
    int detail;            /* 1: contained in another record of the same host (a core inside
                            * its package, CPU inside "Combined Power"): kept as detail,
                            * never added to a host's total */
};

/* A provided emission (a provider's own figure). */
struct ct_provided_rec {
    const char *provider;  /* "aws", "gcp", "azure" */
    const char *account;
    const char *project;   /* project or subscription; may be "" */
    const char *service;
    const char *region;    /* normalised */
    const char *region_raw;
    int scope;             /* 1, 2 or 3 */
    int market_based;      /* 0 location-based, 1 market-based, -1 the same under both
                            * bases (scope 1 and scope 3 figures) */
    int64_t t0, t1;
    double kgco2e;
    double orig_value;
    const char *orig_unit;
    const char *platform;  /* may be NULL */
};

/* A measured command. */
struct ct_run_rec {
    const char *host;
    const char *command;
    int64_t t0, t1;        /* microsecond precision is not needed at ledger level */
    int exit_status;
    double cpu_j, dram_j, gpu_j, total_j;
    const char *methods;   /* e.g. "cpu=measured,dram=measured,gpu=calculated" */
};

/* What a report reads: energy summed per key and UTC day, clipped to the asked
 * period (a record that straddles the period edge counts pro rata). */
struct ct_energy_day {
    const char *platform;  /* "" when not set in the record */
    const char *host, *device, *component, *source_kind;
    int method;
    int64_t day;           /* UTC day start */
    double covered_s, joules, idle_joules, idle_s;
    double util_s;         /* sum of util x covered_s, for a weighted mean */
};
/* Scan callbacks: the record and its strings are valid only during the call.
 * A callback that returns non-zero stops the scan, which then returns -1 (with
 * e left as the callback filled it, else "... stopped by its callback"). */
typedef int (*ct_energy_day_fn)(const struct ct_energy_day *d, void *ud);
typedef int (*ct_provided_fn)(const struct ct_provided_rec *r, void *ud);
typedef int (*ct_run_fn)(const struct ct_run_rec *r, void *ud);
typedef int (*ct_source_fn)(int64_t id, const struct ct_source_rec *s, void *ud);

/* A handle is for one thread at a time (SQLite opens it without a mutex). */
typedef struct ct_ledger ct_ledger;

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
     * but not scanned here, since their energy is already in another record. */
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
    /* Version 2 (appended). Calls fn for each source of the kind, sorted by
     * path then id, with its id; a callback that returns non-zero stops the
     * list, which then returns -1. For `estimate`, which finds its own earlier
     * estimates ("estimate:NAME:YEAR") by kind. Deleting a source from inside
     * fn is not allowed: collect the ids, then delete. */
    int (*list_sources)(ct_ledger *l, const char *kind, ct_source_fn fn, void *ud, ct_err *e);
};

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
