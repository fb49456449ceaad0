#ifndef CT_PROVIDER_INT_H
#define CT_PROVIDER_INT_H
/* What the provider-export parsers (aws-carbon, gcp-carbon, azure-carbon) share:
 * the checked hand-over of a provided emission, "FILE:LINE: ..." errors and
 * warnings, units, numbers, times and region names. Private to src/formats.
 *
 * Rules every provider parser keeps:
 *  - columns and keys are found by name, never by position;
 *  - a row that is a total of other rows or columns is never emitted; a total
 *    is used only to check its parts, and a mismatch beyond rounding is a
 *    warning that names the row;
 *  - scope 1 and scope 3 do not depend on the basis, so where a file gives
 *    both location- and market-based scope 2 they are emitted once per basis:
 *    a report adds records of one basis only, so either view is complete. */
#include <stdint.h>

#include "formats/format.h"

struct pv_ctx {
    struct ct_input *in;
    const struct ct_parse_opts *o;
    struct ct_reading_sink *sink;
    const char *provider;    /* "aws", "gcp", "azure" */
    long emitted;
};

/* Checks the sink takes provided emissions; -1 with e filled otherwise. */
int pv_begin(struct pv_ctx *c, struct ct_input *in, const struct ct_parse_opts *o,
             struct ct_reading_sink *sink, const char *provider, ct_err *e);
/* "FILE:LINE: ..." into e; returns -1. */
int pv_fail(struct pv_ctx *c, long line, ct_err *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "FILE:LINE: ..." to the warning hook (provider.h), when set. */
void pv_warn(struct pv_ctx *c, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* kgCO2e per one unit of a provider's emission unit: "MTCO2e", "tCO2e",
 * "metric tons", "kgCO2e", "kg", "gCO2e"... (case ignored). 0 or -1. */
int pv_unit_kg(const char *unit, double *kg);
/* A field as a finite number. "" (and "null", "NaN" is not accepted) sets
 * *have = 0 and returns 0; text that is not a number is an error naming the
 * column. *decimals, when not NULL, gets the digits after the point (for the
 * rounding tolerance of sum checks). */
int pv_num(struct pv_ctx *c, long line, const char *col, const char *s, double *v, int *have,
           int *decimals, ct_err *e);
/* "2024-01-01", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00.000Z", "20240101",
 * "2024-01-01 00:00:00 UTC", "2024-01-01T00:00:00+00:00". 0 or -1. */
int pv_time(const char *s, int64_t *t);
/* The normalised region: "aws:us-east-1", "gcp:us-central1", "azure:eastus"
 * (lowercase, for Azure letters and digits only, as the grid table keys it);
 * "" stays "". */
void pv_region(const char *provider, const char *raw, char *out, size_t n);
/* The tolerance for "adds up": half a unit in the last place of each of n
 * terms and the total, plus a relative 1e-9. */
double pv_tolerance(int decimals, int nterms, double total);

/* Hands one emission to the sink after the checks the ledger makes (scope
 * 1..3, t1 > t0, finite kg). */
int pv_emit(struct pv_ctx *c, const struct ct_provided_rec *p, long line, ct_err *e);


struct csv_rec;
/* " (this looks like a Google Cloud carbon export: --format gcp-carbon)" when a
 * header names another provider's columns; "" otherwise. */
const char *pv_other_hint(const struct csv_rec *hdr, const char *self);

#endif
