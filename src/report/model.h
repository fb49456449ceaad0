#ifndef CT_MODEL_H
#define CT_MODEL_H
/* The report model: the ledger's energy for a period, turned into kgCO2e with the
 * factors and PUE in force, grouped one way, extrapolated to the whole period.
 * Built in one pass over the ledger's daily sums; every renderer (table, JSON,
 * CSV) reads only this. */
#include <stdint.h>

#include "account/factors.h"
#include "config/team.h"
#include "ledger/ledger.h"

enum ct_group_by { CT_BY_PLATFORM, CT_BY_HOST, CT_BY_DEVICE, CT_BY_MONTH, CT_BY_METHOD };
int ct_group_by_parse(const char *s); /* -1 if none */
const char *ct_group_by_name(int by);

#define CT_BOOT_REPLICATES 2000
#define CT_BOOT_SEED 0x636f3274616c6c79ull /* "co2tally" */

/* One (location, year, PUE) a group's energy was counted at, for --explain. */
struct ct_factor_use {
    struct ct_factor f;
    double pue;
    const char *pue_source;
    double energy_kwh;     /* before PUE */
    double kgco2e;
};

struct ct_group {
    char key[160];
    char method[16];          /* "measured", "calculated", "mixed" */
    double energy_kwh;        /* drawn by the devices, before PUE */
    double pue;               /* NAN when the group mixes PUEs */
    double factor;            /* kg/kWh; NAN when the group mixes locations or years */
    const char *factor_source;
    int factor_year;
    double kgco2e;
    double share;             /* of the total kgCO2e */
    double coverage;          /* fraction of device-time in the period with data, 0..1 */
    double extrapolated;      /* kgCO2e over the whole period */
    double lo, hi;            /* 95% interval of extrapolated */
    double idle_kwh;          /* energy spent idle (where known) */
    int ndevices;
    struct ct_factor_use *uses;
    int nuses;
    /* private to the builder */
    void *priv;
};

/* Optional observer of every contribution the model counts, called during its
 * one pass: d is the energy day (NULL for a provider's figure), g the group it
 * went to (copy what you need: g may move later), kg its kgCO2e and cov_s its
 * covered device-seconds. Lets cross-tabs (report/bundle.c) agree with the
 * report exactly without a second pass. */
typedef void (*ct_report_tap)(void *ud, const struct ct_group *g, const struct ct_energy_day *d,
                              int64_t day, double kg, double cov_s, int method);

/* What a report covers and how provided figures are taken. */
struct ct_report_opts {
    int64_t from, to;         /* [from, to) UTC seconds */
    int by;                   /* enum ct_group_by */
    int market;               /* 1: market-based provided figures; 0: location-based */
    int scopes;               /* bit (1 << s) for scope s in 1..3; 0 means all */
    ct_report_tap tap;        /* NULL: none */
    void *tap_ud;
};

/* Which scopes a provider's figures in the report cover. */
struct ct_provider_scopes {
    char provider[16];
    int scopes;               /* bit (1 << s) */
    double kgco2e;
};

struct ct_report {
    int64_t from, to;
    int by;
    int market, scopes;
    struct ct_provider_scopes providers[8];
    int nproviders;
    char team[128];
    struct ct_group *groups;
    int ngroups;
    double energy_kwh, kgco2e, extrapolated, lo, hi;
    double coverage;          /* energy-weighted mean coverage */
    char interval_method[256];
    char **warnings;
    int nwarnings;
    ct_report_tap tap;        /* from the opts, while building */
    void *tap_ud;
};

/* Builds the report. Energy becomes kgCO2e at the factor and PUE of each
 * platform's location; provided emissions are taken as they are, location- or
 * market-based (never both), for the scopes asked. A platform is counted by the
 * method the team file gives it: other figures for it are an overlap, warned
 * about and left out. */
int ct_report_build(const struct ct_ledger_h *L, const struct ct_team *t,
                    const struct ct_report_opts *o, struct ct_report *r, ct_err *e);
void ct_report_free(struct ct_report *r);

/* Extrapolation from weekly blocks (exposed for tests).
 * kg[i], cov[i]: observed kgCO2e and covered device-seconds in block i;
 * cap_total: device-seconds in the whole period. Blocks with cov[i] == 0 carry no
 * data. Writes the point estimate and the 95% percentile interval of a bootstrap
 * that resamples the observed blocks with replacement (fixed seed).
 * reps, when not NULL, receives the CT_BOOT_REPLICATES replicate estimates. */
void ct_extrapolate(const double *kg, const double *cov, int nblocks, double cap_total,
                    double *est, double *lo, double *hi, double *reps);

#endif
