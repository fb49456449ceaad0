#ifndef CT_MODEL_H
#define CT_MODEL_H
/* The report document: everything a report says about a period, built once
 * from (ledger, team file, period, options) and read by every renderer (table,
 * JSON, CSV, HTML, advise, SCI). No renderer goes back to the ledger.
 *
 * How the figures are made (README, "The annual figure"):
 *   - Each record is counted under one accounting rule (config/accounting.h): the
 *     location, year, grid factor and PUE of its platform, or of the cloud
 *     region a usage row names.
 *   - A series is one device of one host (or one calculated platform of
 *     `count` units, or one provider account-service-region) under one
 *     method. Each series is extrapolated to the period on its own: observed
 *     kgCO2e per covered unit-second x the unit-seconds of the period. Every
 *     group, month and platform is a sum of series, so the total is the same
 *     whichever way it is cut.
 *   - Intervals come from joint bootstrap replicates: the same resampled week
 *     weights for every series (report/extrapolate.c), summed per group.
 *     A series with too little data (CT_MIN_WEEKS distinct weeks and
 *     CT_MIN_COVER of its unit-time) gets no interval, and neither does any
 *     sum it is part of: "too little data" is said, not hidden.
 *   - A platform is counted by the method its team-file section declares;
 *     records of another kind on it are overlaps, listed and left out. */
#include <stdint.h>

#include "account/factors.h"
#include "config/team.h"
#include "ledger/ledger.h"
#include "report/advice.h"

enum ct_group_by { CT_BY_PLATFORM, CT_BY_HOST, CT_BY_DEVICE, CT_BY_MONTH, CT_BY_METHOD };
int ct_group_by_parse(const char *s); /* -1 if none */
const char *ct_group_by_name(int by);

#define CT_BOOT_REPLICATES 2000
#define CT_BOOT_SEED 0x636f3274616c6c79ull /* "co2tally" */
/* A partly covered series has a bootstrap interval only with data in at least
 * this many distinct weeks and for at least this share of its unit-time. */
#define CT_MIN_WEEKS 4
#define CT_MIN_COVER 0.01

#define CT_UNASSIGNED "(unassigned)"
#define CT_UNASSIGNED_PROVIDED "(unassigned provided)"

struct ct_sci;

/* One (location, year, PUE) some energy was counted at, for --explain. */
struct ct_factor_use {
    struct ct_factor f;
    double pue;
    const char *pue_source;
    double energy_kwh;     /* before PUE */
    double kgco2e;
};

/* A row of a report: a group of the grouping asked for, or a platform. */
struct ct_group {
    char key[160];
    char method[16];          /* "measured", "calculated", "provided", "mixed"; a team
                               * platform's: the method its section declares */
    double energy_kwh;        /* observed, drawn by the devices, before PUE */
    double idle_kwh;          /* observed energy spent idle (where known) */
    double pue;               /* NAN when the group mixes PUEs */
    double factor;            /* kg/kWh; NAN when the group mixes locations or years */
    const char *factor_source;
    int factor_year;
    double kgco2e;            /* observed in the period */
    double extrapolated;      /* kgCO2e over the whole period: the figure to publish */
    double lo, hi;            /* its 95% interval; NAN when has_interval is 0 */
    int has_interval;
    char basis[160];          /* why there is no interval ("5 s of data"); "" otherwise */
    double share;             /* of the extrapolated total */
    double share_observed;    /* of the observed total */
    double coverage;          /* covered unit-time over the period's, 0..1 */
    double units;             /* device units counted (a calculated platform's count) */
    int nseries;
    struct ct_factor_use *uses;
    int nuses;
    /* platforms only */
    int in_team;              /* a platform of the team file */
    int hosts_listed, hosts_reported;
    double gpu_kwh;           /* observed GPU energy */
    int calculated_gpu;       /* some of it from the calculated method */
};

/* Figures left out because a platform is counted by another method. */
struct ct_overlap {
    char platform[160];
    char what[32];            /* "estimate", "usage rows", "measured energy", "provided", ... */
    double energy_kwh;        /* NAN for provided figures */
    double kgco2e;            /* observed, at the accounting rule */
};

/* One platform in one month: observed kgCO2e and unit-seconds, and the
 * extrapolated figure (observed plus the month's share of the gap), so that
 * a platform's months add up to its extrapolated total. */
struct ct_month_cell {
    double kg, cov_s, extrapolated;
};

/* One measured GPU. Energies before PUE; kg at its accounting rule. */
struct ct_gpu_use {
    char platform[160], host[128], device[160];
    double kwh, idle_kwh, kg, idle_kg;
    double covered_s, idle_s, util_s;
    double extrapolated_scale;  /* the GPU's series: extrapolated over observed */
    int has_interval;           /* its series has enough data for an interval */
    int64_t first_day, last_day;
};

/* One host's measured energy, all its devices. */
struct ct_host_use {
    char platform[160], host[128];
    double kwh, kg, covered_s, extrapolated;
    double util_s, util_cov_s;  /* over devices whose utilisation is known */
    int ndevices, enough;       /* enough: every device has enough data for an interval */
};

/* Which scopes a provider's figures in the report cover. */
struct ct_provider_scopes {
    char provider[16];
    int scopes;               /* bit (1 << s) */
    double kgco2e;
};

/* What a report covers and how provided figures are taken. */
struct ct_report_opts {
    int64_t from, to;         /* [from, to) UTC seconds */
    int by;                   /* enum ct_group_by */
    int market;               /* 1: market-based provided figures; 0: location-based */
    int scopes;               /* bit (1 << s) for scope s in 1..3; 0 means all */
};

struct ct_report {
    int64_t from, to;
    int by;
    int market, scopes;
    char team[128];
    /* the grouping asked for, and always the platforms (every platform of the
     * team file, with or without data, then the unassigned groups) */
    struct ct_group *groups, *plats;
    int ngroups, nplats;
    int *plat_by_name;        /* plats indices sorted by key, for ct_report_platform */
    /* totals */
    double energy_kwh, kgco2e, extrapolated, lo, hi;
    int has_interval;
    char basis[160];
    double coverage;
    char interval_method[400];
    /* months x platforms */
    int nmonths;
    int64_t *month_from, *month_to;   /* each month, clipped to the period */
    struct ct_month_cell *cells;      /* [nplats * nmonths], a row per platform */
    /* measured GPUs and hosts, for the findings and the page */
    struct ct_gpu_use *gpus;
    int ngpus;
    struct ct_host_use *hosts;
    int nhosts;
    double year_scale;        /* a period figure times this is a yearly one */
    /* provided figures */
    struct ct_provider_scopes providers[8];
    int nproviders;
    double other_basis_kg;    /* provided figures of the basis not asked for */
    struct ct_overlap *overlaps;
    int noverlaps;
    char **warnings;
    int nwarnings;
    size_t *warn_slot;        /* private: a hash of the warnings, to add each once */
    size_t warn_cap;
    /* filled after the build by the insight layer and SCI, when asked */
    struct ct_advice *advice;
    struct ct_sci *sci;
};

static inline struct ct_month_cell *ct_report_cell(const struct ct_report *r, int plat, int month)
{
    return &r->cells[(size_t)plat * (size_t)r->nmonths + (size_t)month];
}

/* Adds a warning to the document once (a second identical one is dropped). */
void ct_report_warn(struct ct_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Builds the document's figures (not advice or SCI). -1 with e on error. */
int ct_report_build(const struct ct_ledger_h *L, const struct ct_team *t,
                    const struct ct_report_opts *o, struct ct_report *r, ct_err *e);
/* Frees the figures and, when set, the advice and SCI. */
void ct_report_free(struct ct_report *r);

/* The platform row for a name; NULL if none. */
const struct ct_group *ct_report_platform(const struct ct_report *r, const char *name);

/* A period figure scaled to a year: 1 for a whole calendar year, else 365.25
 * days over the period's length. */
double ct_year_scale(int64_t from, int64_t to);

/* ---- extrapolation (report/extrapolate.c), exposed for tests ---- */

/* Joint bootstrap weights: replicate b gives week k the weight
 * w[b * nweeks + k], drawn Exp(1) with a fixed seed (a Bayesian bootstrap
 * over weeks: every week keeps some weight, and every series of a report
 * sees the same weights, so sums of series replicates are joint). */
struct ct_boot {
    int nweeks;
    double *w;
};
int ct_boot_init(struct ct_boot *bt, int nweeks, ct_err *e);
void ct_boot_free(struct ct_boot *bt);
/* reps[b] = cap x sum_k w[b][k] kg[k] / sum_k w[b][k] cov[k], over the weeks
 * with cov[k] > 0 (at least one). */
void ct_boot_series(const struct ct_boot *bt, const double *kg, const double *cov, double cap,
                    double *reps);
/* The 2.5th and 97.5th percentiles (Hyndman and Fan type 7) of n values,
 * sorting v in place. */
void ct_percentile_interval(double *v, int n, double *lo, double *hi);

#endif
