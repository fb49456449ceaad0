#ifndef CT_BUNDLE_H
#define CT_BUNDLE_H
/* The report by platform together with the cross-tabs the HTML page and the
 * findings need, built in the report model's one pass (through its tap), so
 * every figure agrees with `co2tally report` exactly:
 *   - per platform and month: observed kgCO2e and covered device-seconds, and
 *     the extrapolated part of the platform's total that falls in the month;
 *   - per measured GPU (host, device): energy, idle energy and idle hours;
 *   - per measured host: energy, kgCO2e and mean utilisation where known;
 *   - per platform: its GPU share of energy. */
#include <stdint.h>

#include "report/model.h"

/* One platform in one month. */
struct ct_bundle_cell {
    double kg;        /* observed kgCO2e */
    double cov_s;     /* covered device-seconds */
    double extra_kg;  /* the part of the platform's extrapolated total put in this month */
};

/* One measured GPU. Energies before PUE; kg at the platform's PUE and factor. */
struct ct_gpu_use {
    char platform[160], host[128], device[160];
    double kwh, idle_kwh, kg, idle_kg;
    double covered_s, idle_s, util_s;
    int64_t first_day, last_day;
};

/* One host's measured energy, all its devices. */
struct ct_host_use {
    char platform[160], host[128];
    double kwh, kg, covered_s;
    double util_s, util_cov_s;  /* over devices whose utilisation is known */
    int ndevices;
};

/* Per platform (in r.groups order). */
struct ct_platform_use {
    double kwh, gpu_kwh;
    int calculated_gpu;         /* GPU energy from the calculated method */
};

struct ct_bundle {
    struct ct_report r;         /* by platform */
    int nmonths;
    int64_t *month_from, *month_to;   /* each month, clipped to the period */
    struct ct_bundle_cell *cells;     /* [r.ngroups * nmonths], row per group */
    struct ct_platform_use *plat;     /* [r.ngroups] */
    struct ct_gpu_use *gpus;
    int ngpus;
    struct ct_host_use *hosts;
    int nhosts;
    double year_scale;          /* a period figure times this is a yearly one */
};

/* o->by is ignored (always by platform); o->tap must be NULL. */
int ct_bundle_build(const struct ct_ledger_h *L, const struct ct_team *t,
                    const struct ct_report_opts *o, struct ct_bundle *b, ct_err *e);
void ct_bundle_free(struct ct_bundle *b);

static inline struct ct_bundle_cell *ct_bundle_cell(const struct ct_bundle *b, int group, int month)
{
    return &b->cells[(size_t)group * (size_t)b->nmonths + (size_t)month];
}

/* A period figure scaled to a year: 1 for a whole calendar year, else 365.25 days
 * over the period's length. */
double ct_year_scale(int64_t from, int64_t to);

#endif
