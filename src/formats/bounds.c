/* Plausibility bounds (see bounds.h for each limit and why). */
#include "formats/bounds.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ledger/ledger.h"

double ct_bounds_now(const struct ct_parse_opts *o)
{
    if (o && isfinite(o->now) && o->now > 0)
        return o->now;
    return (double)time(NULL);
}

const char *ct_bounds_measured_time(const struct ct_parse_opts *o, double t)
{
    if (!isfinite(t))
        return "the time is not a number";
    if (t < CT_BOUND_MEASURED_T_MIN)
        return "the time is before 1990-01-01";
    if (t > ct_bounds_now(o) + CT_BOUND_MEASURED_AHEAD_S)
        return "the time is more than a day ahead of now";
    return NULL;
}

double ct_bounds_watts(const char *component)
{
    return component && strcmp(component, "system") == 0 ? CT_BOUND_SYSTEM_W : CT_BOUND_DEVICE_W;
}

const char *ct_bounds_reading(const struct ct_parse_opts *o, const struct ct_reading *r,
                              char *buf, size_t n)
{
    int calc = r->method == CT_METHOD_CALCULATED;
    double lo = calc ? CT_BOUND_PROVIDER_T_MIN : CT_BOUND_MEASURED_T_MIN;
    double hi = ct_bounds_now(o) + (calc ? CT_BOUND_PROVIDER_AHEAD_S : CT_BOUND_MEASURED_AHEAD_S);
    double span = calc ? CT_BOUND_USAGE_SPAN_S : CT_BOUND_MEASURED_SPAN_S;
    double watts = calc ? CT_BOUND_CALCULATED_W : ct_bounds_watts(r->component);
    if (!isfinite(r->t0) || !isfinite(r->t1) || !(r->t1 > r->t0))
        snprintf(buf, n, "%s: the interval is empty or not a number", r->device);
    else if (r->t0 < lo || r->t1 > hi)
        snprintf(buf, n, "%s: [%.0f, %.0f) lies outside the plausible window (%s to now + %s)",
                 r->device, r->t0, r->t1, calc ? "2000" : "1990", calc ? "a year" : "a day");
    else if (r->t1 - r->t0 > span)
        snprintf(buf, n, "%s: one reading spans %.0f s, longer than the %s allowed", r->device,
                 r->t1 - r->t0, calc ? "year" : "31 days");
    else if (!isfinite(r->joules) || r->joules < 0)
        snprintf(buf, n, "%s: energy %g J is negative or not a number", r->device, r->joules);
    else if (r->joules / (r->t1 - r->t0) > watts)
        snprintf(buf, n, "%s: %g J in %g s is %g W, above the %g W a %s can draw", r->device,
                 r->joules, r->t1 - r->t0, r->joules / (r->t1 - r->t0), watts,
                 calc ? "cloud usage row" : strcmp(r->component, "system") == 0 ? "whole system"
                                                                                : "device");
    else
        return NULL;
    return buf;
}

const char *ct_bounds_provided(const struct ct_parse_opts *o, const struct ct_provided_rec *p,
                               char *buf, size_t n)
{
    double t0 = (double)p->t0, t1 = (double)p->t1;
    if (!(t1 > t0))
        snprintf(buf, n, "the period ends before it starts");
    else if (t0 < CT_BOUND_PROVIDER_T_MIN || t1 > ct_bounds_now(o) + CT_BOUND_PROVIDER_AHEAD_S ||
             t1 > (double)CT_LEDGER_T_MAX)
        snprintf(buf, n, "the period lies outside the plausible window (2000 to now + a year)");
    else if (t1 - t0 > CT_BOUND_PERIOD_MAX_S)
        snprintf(buf, n, "the period is %.0f days long, longer than the 3 years allowed",
                 (t1 - t0) / 86400);
    else if (!isfinite(p->kgco2e))
        snprintf(buf, n, "the emission is not a finite number (%g kgCO2e)", p->kgco2e);
    else if (p->kgco2e < 0)
        snprintf(buf, n, "the emission %g kgCO2e is negative", p->kgco2e);
    else if (p->kgco2e > CT_BOUND_PROVIDED_KG)
        snprintf(buf, n, "the emission %g kgCO2e is above the %g kgCO2e one row can hold",
                 p->kgco2e, CT_BOUND_PROVIDED_KG);
    else
        return NULL;
    return buf;
}

/* Under --skip-bad one line can hold several readings out of bounds (a row
 * of RAPL domains): it is counted once. Per thread, as the parse is. */
static _Thread_local const struct ct_input *last_in;
static _Thread_local const long *last_ctr;
static _Thread_local long last_line, last_count;

int ct_bounds_bad(const struct ct_parse_opts *o, struct ct_input *in, long line, ct_err *e,
                  const char *msg)
{
    if (o && o->skip_bad) {
        if (!o->skipped)
            return 0;
        if (!(last_in == in && last_line == line && last_ctr == o->skipped &&
              last_count == *o->skipped))
            (*o->skipped)++;
        last_in = in;
        last_ctr = o->skipped;
        last_line = line;
        last_count = *o->skipped;
        return 0;
    }
    return ct_errf(e, "%s:%ld: %s", ct_input_name(in), line, msg);
}

int ct_bounds_check(const struct ct_parse_opts *o, struct ct_input *in, const struct ct_reading *r,
                    ct_err *e)
{
    char buf[256];
    const char *why = ct_bounds_reading(o, r, buf, sizeof buf);
    if (!why)
        return 1;
    return ct_bounds_bad(o, in, r->line, e, why) < 0 ? -1 : 0;
}

double ct_gap_limit(const struct ct_parse_opts *o, double step)
{
    if (o && isfinite(o->max_gap) && o->max_gap > 0)
        return o->max_gap;
    return isfinite(step) && step > 0 ? CT_GAP_STEPS * step : CT_GAP_FIRST_S;
}

void ct_gap_note(const struct ct_parse_opts *o, double seconds)
{
    if (o && o->gaps)
        (*o->gaps)++;
    if (o && o->gap_seconds && isfinite(seconds) && seconds > 0)
        *o->gap_seconds += seconds;
}
