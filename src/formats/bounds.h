#ifndef CT_BOUNDS_H
#define CT_BOUNDS_H
/* Plausibility bounds on every number a parser hands over (issue 15). A few
 * bytes of bad input must not store absurd energy, nor make the importer spend
 * memory or ledger space out of proportion to the input: a far-future time
 * would make millions of hourly records, a huge span as many, a wrapped
 * counter exajoules. Every parser checks its readings (and provider rows) here,
 * so the limits live in one place; README's "Plausibility bounds" lists them.
 *
 * A value outside the bounds is a bad line: an error naming FILE:LINE (nothing
 * is imported), or under --skip-bad a skipped and counted line. */
#include <stdint.h>

#include "formats/format.h"

/* Measured logs: no power log predates 1990-01-01T00:00:00Z, and none is
 * written more than a day ahead of the importing machine's clock (a day covers
 * any time zone a log read as UTC may really be in). */
#define CT_BOUND_MEASURED_T_MIN 631152000.0
#define CT_BOUND_MEASURED_AHEAD_S 86400.0
/* Provider exports and cloud usage rows: carbon reporting of clouds starts
 * after 2000-01-01; a period may end up to a year ahead (a budget or a
 * forecast month), and one row covers at most CT_BOUND_PERIOD_MAX_S (three
 * years: the longest reporting period any export uses is a year). */
#define CT_BOUND_PROVIDER_T_MIN 946684800.0
#define CT_BOUND_PROVIDER_AHEAD_S (366.0 * 86400)
#define CT_BOUND_PERIOD_MAX_S (3 * 366.0 * 86400)
/* One cloud usage row (the "usage" format) covers at most a year. */
#define CT_BOUND_USAGE_SPAN_S (366.0 * 86400)
/* One measured reading (a sample's interval, perf stat's whole run) spans at
 * most 31 days: no tool samples less often, and perf stat runs are jobs. */
#define CT_BOUND_MEASURED_SPAN_S (31.0 * 86400)
/* Mean power of one measured reading: a GPU, CPU package, DRAM, ANE or other
 * single device draws under 5 kW (the largest accelerators are near 1.2 kW);
 * a whole node or system (psys, a battery's figure) under 100 kW. */
#define CT_BOUND_DEVICE_W 5e3
#define CT_BOUND_SYSTEM_W 1e5
/* Calculated energy (cloud usage rows, one per account, region and type): at
 * most 1 GW mean over the row's period, more than any cloud region draws. */
#define CT_BOUND_CALCULATED_W 1e9
/* A provider row's emission: at most 1e9 kgCO2e (a million tonnes; the largest
 * cloud's whole yearly footprint is under twenty), never negative. */
#define CT_BOUND_PROVIDED_KG 1e9
/* Gaps. Without --max-gap, samples further apart than 5 x the log's own step
 * are not bridged; until a step is known (the first pair of a log) the limit
 * is CT_GAP_FIRST_S, so the first gap is never bridged either. */
#define CT_GAP_STEPS 5.0
#define CT_GAP_FIRST_S 300.0

/* The clock the bounds use: o->now when set (> 0), else the system clock. */
double ct_bounds_now(const struct ct_parse_opts *o);
/* NULL when t is a plausible time for a measured log, else what is wrong
 * ("before 1990", "more than a day ahead of now"). */
const char *ct_bounds_measured_time(const struct ct_parse_opts *o, double t);
/* NULL when the measured reading r is plausible (time window, span, energy
 * finite and not negative, mean power under the ceiling for its component),
 * else what is wrong, written into buf. */
const char *ct_bounds_reading(const struct ct_parse_opts *o, const struct ct_reading *r,
                              char *buf, size_t n);
/* The same for a provided emission (period window and length, kgCO2e). */
const char *ct_bounds_provided(const struct ct_parse_opts *o, const struct ct_provided_rec *p,
                               char *buf, size_t n);
/* Checks reading r against ct_bounds_reading: 1 when it may be emitted; 0
 * when it is out of bounds and o->skip_bad (dropped; its line counted once in
 * o->skipped); -1 with "FILE:LINE: ..." in e otherwise. */
int ct_bounds_check(const struct ct_parse_opts *o, struct ct_input *in, const struct ct_reading *r,
                    ct_err *e);
/* A bad line named by number: "FILE:LINE: msg" into e and -1, or under
 * o->skip_bad 0 with the line counted once in o->skipped. */
int ct_bounds_bad(const struct ct_parse_opts *o, struct ct_input *in, long line, ct_err *e,
                  const char *msg);
/* The power ceiling for a reading's component ("system": 100 kW, else 5 kW). */
double ct_bounds_watts(const char *component);

/* The gap limit without --max-gap: CT_GAP_STEPS x step, or CT_GAP_FIRST_S while
 * step is unknown (NAN); --max-gap (o->max_gap > 0) wins. */
double ct_gap_limit(const struct ct_parse_opts *o, double step);
/* Counts one gap of the given length in the caller's counters (o->gaps). */
void ct_gap_note(const struct ct_parse_opts *o, double seconds);

#endif
