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
/* Joules a calculated platform uses in a year (hours_per_year is per unit per year). */
double ct_calc_joules_year(const struct ct_platform *p);

struct ct_estimate_line {
    const char *platform;
    double power_w;        /* per unit */
    double count;
    double hours_per_year; /* per unit */
    double joules;         /* the whole platform for the year */
    int replaced;          /* 1 when an earlier estimate of the same platform and year was replaced */
};
typedef void (*ct_estimate_fn)(const struct ct_estimate_line *l, void *ud);

/* Writes every calculated platform's energy for year into the ledger, in one
 * transaction, spread over the months by their length. An earlier estimate for
 * the same platform and year is replaced, never added to. */
int ct_estimate_write(const struct ct_ledger_h *L, const struct ct_team *t, int year,
                      int64_t now, ct_estimate_fn fn, void *ud, ct_err *e);

#endif
