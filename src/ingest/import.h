#ifndef CT_IMPORT_H
#define CT_IMPORT_H
/* Importing logs into the ledger: each file is sniffed (or --format), parsed into
 * readings, bucketed per (host, device) into hourly energy records, and written
 * with its source (kind = format name, path, sha256 of the content).
 *
 * One import is one transaction: every file is parsed first, with its records
 * kept in memory (hourly buckets: a GPU-year is under 9000), then all are written
 * in one short transaction, so a bad line anywhere leaves the ledger untouched
 * and the ledger is never locked while a big file is read. A file whose sha256
 * is already in the ledger is reported as such and changes nothing, even when it
 * would no longer parse with today's options. A file that yields no readings
 * (empty, or headers only) is reported and not recorded. Provider exports
 * (emissions, not energy) go through the same path, with add_provided. */
#include <stdint.h>

#include "formats/format.h"
#include "ledger/ledger.h"

/* Utilisation under this counts as idle: the energy a GPU spends at under 5 %
 * busy is what "idle GPUs" findings are built on. */
#define CT_IDLE_UTIL 0.05

struct ct_import_opts {
    const char *format;     /* a format name, or NULL to sniff each file */
    const char *host;       /* NULL: this machine's hostname */
    const char *platform;   /* NULL or "": resolved from the team file at report time */
    double start, interval, max_gap;  /* as in struct ct_parse_opts (NAN: not given) */
    int skip_bad;
    int replace;            /* forget the earlier import of each file (same sha256, or the
                             * same path as given and the same format) first, in the same
                             * transaction, and import it with these options */
    int64_t imported_at;    /* UTC seconds; also "now" for the plausibility bounds */
    /* Called now and then while a file is read; total is 0 when unknown (a pipe). */
    void (*progress)(void *ud, const char *path, uint64_t done, uint64_t total);
    void *progress_ud;
    /* Provider exports that do not say their query (struct ct_parse_opts): */
    int scope;                        /* --scope 1..3; 0 when not given */
    int64_t period_t0, period_t1;     /* --period; 0, 0 when not given */
};

/* What one file said about one device. A reading's own host (cloud usage rows:
 * "aws:us-east-1") and method (calculated) make it a device of its own. */
struct ct_import_device {
    char *host, *device, *component, *model;   /* model may be NULL */
    int method, detail;
    long samples;                       /* readings (for nvidia-smi: intervals between samples) */
    double first, last;                 /* earliest t0 and latest t1, UTC seconds */
    double seconds, joules, idle_joules;
};

enum ct_import_status {
    CT_IMPORT_DONE,         /* written */
    CT_IMPORT_ALREADY,      /* its sha256 was in the ledger: nothing changed */
    CT_IMPORT_NOTHING,      /* no readings in it (empty, or headers only): not recorded */
};

struct ct_import_file {
    char *path;
    const char *format;     /* the format's name */
    char sha256[65];
    int status, gzip;
    int replaced;           /* earlier imports of it forgotten (--replace) */
    long skipped;           /* bad lines skipped (--skip-bad) and a truncated last line */
    long gaps;              /* gaps not bridged (formats/bounds.h) ... */
    double gap_seconds;     /* ... and their total length */
    uint64_t bytes;         /* bytes read (decompressed) */
    size_t records;         /* hourly records written */
    size_t provided;        /* provided emissions (provider exports) */
    /* Their kgCO2e per basis, never added across bases: the location-based and
     * the market-based totals each include provided_kg_both, the rows that are
     * the same under both bases (scope 1 and scope 3, market_based = -1). */
    double provided_kg_location, provided_kg_market, provided_kg_both;
    size_t provided_location, provided_market; /* rows of one basis only (0, 1) */
    struct ct_import_device *dev;
    int ndev;
    /* What the parser warned about ("FILE:LINE: ..."), kept whatever the status. */
    char **warnings;
    int nwarnings;
};

struct ct_import_result {
    char host[256];
    struct ct_import_file *files;
    int nfiles;
};

/* Imports paths ("-" is standard input) into the ledger; -1 with e filled (and
 * nothing written) on any error. r is filled either way; free it. */
int ct_import(struct ct_ledger_h *L, char *const *paths, int npaths,
              const struct ct_import_opts *o, struct ct_import_result *r, ct_err *e);
void ct_import_result_free(struct ct_import_result *r);

#endif
