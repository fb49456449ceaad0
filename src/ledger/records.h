#ifndef CT_RECORDS_H
#define CT_RECORDS_H
/* The record vocabulary every source speaks and every backend stores: energy
 * intervals, provided emissions, runs, the sources they came from, and the
 * daily sums a report reads. Apart from storage (ledger.h), so parsers,
 * sensors and reports can speak it without knowing any backend. */
#include <stddef.h>
#include <stdint.h>

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

/* The rows a backend streams to the backend-neutral scan (ledger.h). Strings
 * are valid only during the call; a callback that returns non-zero stops. */
struct ct_series_row {
    int64_t id;
    const char *platform, *host, *device, *component, *source_kind;
    int method;
};
/* One series' energy on one UTC day (the roll-up), with the latest end of the
 * buckets it sums, so the scan knows whether the day lies inside a period. */
struct ct_day_row {
    int64_t series_id, day, max_t1;
    double covered_s, joules, idle_joules, idle_s, util_s;
};
struct ct_bucket_row {
    int64_t t0, t1;
    double covered_s, joules, idle_joules, idle_s, util_s;
};
typedef int (*ct_series_row_fn)(const struct ct_series_row *r, void *ud);
typedef int (*ct_day_row_fn)(const struct ct_day_row *r, void *ud);
typedef int (*ct_bucket_row_fn)(const struct ct_bucket_row *r, void *ud);

#endif
