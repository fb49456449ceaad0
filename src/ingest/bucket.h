#ifndef CT_BUCKET_H
#define CT_BUCKET_H
/* Integrates one device's energy into the ledger's hourly buckets.
 *
 * Every source of measured energy (a live sensor, a log being imported) hands
 * over intervals [t0, t1) with the joules spent in them; the bucketer splits
 * them at UTC hour boundaries (uniformly in time), sums them per hour, and
 * emits each hour as one ct_energy_rec keyed by the bucket's bounds. Emitting
 * the same hour twice (the agent flushes a partial hour, then more of it) is
 * fine: the ledger's add_energy sums records of the same bucket.
 *
 * Contract: no allocation after init, so the agent's sampling loop stays
 * allocation-free. Strings passed to init are borrowed for the bucketer's life. */
#include <stdint.h>

#include "core/err.h"
#include "ledger/ledger.h"

/* The longest interval one call may add: a year and a day, so one reading makes
 * at most 8808 hourly records whatever a log says (the parsers' own bounds,
 * formats/bounds.h, are tighter: a cloud usage row spans at most 366 days). */
#define CT_BUCKET_MAX_SPAN_S (367.0 * 86400)

typedef int (*ct_bucket_emit)(const struct ct_energy_rec *r, void *ud, ct_err *e);

struct ct_bucketer {
    struct ct_energy_rec proto;  /* platform, host, device, component, method */
    double idle_below;           /* utilisation under this counts as idle (NAN: never) */
    int64_t hour;                /* start of the hour being filled; INT64_MIN when empty */
    double covered_s, joules, idle_joules, idle_s, util_s, util_cov;
};

void ct_bucket_init(struct ct_bucketer *b, const char *platform, const char *host,
                    const char *device, const char *component, int method, double idle_below);
/* Adds joules spent uniformly over [t0, t1) (seconds, fractional allowed) at mean
 * utilisation util (0..1, NAN when unknown). Intervals must not go backwards in
 * time, nor be longer than CT_BUCKET_MAX_SPAN_S (an error); a completed hour is
 * emitted as soon as an interval passes its end. */
int ct_bucket_add(struct ct_bucketer *b, double t0, double t1, double joules, double util,
                  ct_bucket_emit emit, void *ud, ct_err *e);
/* Emits the partly filled hour, if any, and empties the accumulator. */
int ct_bucket_flush(struct ct_bucketer *b, ct_bucket_emit emit, void *ud, ct_err *e);

#endif
