#ifndef CT_CALCULATED_H
#define CT_CALCULATED_H
/* The calculated method: energy = power x hours x count, when nothing is measured.
 *
 * Power per unit is watts x utilisation (the plain TDP model, as Green Algorithms
 * and CodeCarbon's fallback use), or idle + (watts - idle) x utilisation when an
 * idle power is known (the min/max model of Cloud Carbon Footprint). */
#include <stdint.h>

#include "config/team.h"
#include "ledger/ledger.h"

double ct_calc_power_w(double watts, double idle_watts, double utilisation);

/* Whole-machine models (chips = ..., ram_gb, storage, base_watts): the mean
 * power per unit of each component. RAM draws CT_RAM_W_PER_GB per GB whatever
 * the load (Cloud Carbon Footprint's MEMORY_COEFFICIENT, 0.000392 kWh per
 * GB-hour); storage and base power are constant too; chips follow their own
 * utilisation (gpu_utilisation, cpu_utilisation, else utilisation). */
#define CT_RAM_W_PER_GB 0.392
enum ct_calc_comp { CT_CALC_GPU = 0, CT_CALC_CPU, CT_CALC_SYSTEM, CT_CALC_RAM, CT_CALC_STORAGE,
                    CT_CALC_BASE, CT_CALC_N };
struct ct_calc_component {
    const char *device;    /* "gpu", "cpu", "system", "ram", "storage", "base" */
    const char *component; /* the ledger's component: "gpu", "cpu", "system", "dram", "other" */
    double watts;          /* mean power per unit */
    double util;           /* the load the chips ran at; NAN for ram, storage, base */
};
/* Fills out[CT_CALC_N] (watts 0 where the machine has none of it); returns the
 * sum of the components' watts. For a plain platform, out[] is all zero and the
 * return is ct_calc_power_w of its watts, idle and utilisation. */
double ct_calc_components(const struct ct_platform *p, struct ct_calc_component out[CT_CALC_N]);
/* Joules a calculated platform uses in a year (hours_per_year is per unit per year). */
double ct_calc_joules_year(const struct ct_platform *p);

/* What `estimate` did for one platform. */
enum ct_estimate_kind {
    CT_EST_WRITTEN,        /* its estimate for the year was written */
    CT_EST_SKIPPED,        /* calculated, but counted from usage rows (source = usage) */
    CT_EST_REMOVED,        /* an earlier estimate of a platform no longer estimated, removed */
};

struct ct_estimate_line {
    int kind;              /* enum ct_estimate_kind; the numbers below are for WRITTEN */
    int year;              /* the estimate's year (REMOVED: the removed one's) */
    const char *reason;    /* SKIPPED, REMOVED: why, as "the platform is now measured" */
    const char *platform;
    double power_w;        /* per unit */
    double count;
    double hours_per_year; /* per unit */
    double joules;         /* the whole platform for the year */
    int replaced;          /* 1 when an earlier estimate of the same platform and year was replaced */
    const char *note;      /* NULL, or how its power was found ("watts = 300 replaces the
                            * 400 W of NVIDIA A100 SXM4 80GB (vendor)"; the components) */
};
typedef void (*ct_estimate_fn)(const struct ct_estimate_line *l, void *ud);

/* Writes every calculated platform's energy for year into the ledger, in one
 * transaction, spread over the months by their length. An earlier estimate for
 * the same platform and year is replaced, never added to. A platform counted
 * from usage rows (source = usage) is skipped. In the same transaction, the
 * estimates of every year of platforms that are no longer estimated (now
 * measured, provided, source = usage, or gone from the team file) are removed:
 * a report counts a platform by its team-file method, so such an estimate
 * would only ever be an overlap. fn (may be NULL) hears of each platform. */
int ct_estimate_write(const struct ct_ledger_h *L, const struct ct_team *t, int year,
                      int64_t now, ct_estimate_fn fn, void *ud, ct_err *e);

#endif
