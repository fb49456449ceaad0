#ifndef CT_MODEL_INT_H
#define CT_MODEL_INT_H
/* Private to the report builder: the series and the working state shared by
 * the energy pass (model.c), the provided pass (provided.c), the cross-tabs
 * (crosstab.c) and the extrapolation and grouping of series (model_series.c). */
#include <stddef.h>

#include "config/accounting.h"
#include "report/model.h"

#define WEEK (7 * CT_DAY)

/* What kind of record a series holds; a platform accepts one kind. */
enum ct_series_kind {
    SK_SENSOR = 0,   /* the agent, measure and imported logs (measured platforms) */
    SK_ESTIMATE,     /* `co2tally estimate` from the team file (calculated platforms) */
    SK_USAGE,        /* imported cloud usage rows (calculated, source = usage) */
    SK_PROVIDED,     /* providers' own figures (provided platforms) */
};

/* One (factor use, energy, kg) a series was counted at. */
struct suse {
    int use;                  /* index into ctx.uses */
    double kwh, kg;
};

/* One device of one host (or one calculated platform, or one provider's
 * account-service-region) under one method, on one platform row. */
struct series {
    int plat;                 /* index into r->plats */
    char *host, *device, *component;
    int method, kind;
    double units;             /* unit count: a calculated platform's count, else 1 */
    double *kg_w, *cov_w;     /* per week of the period: kgCO2e, covered unit-seconds */
    double *kg_m, *cov_m;     /* per month of the period */
    double kwh, idle_kwh, kg, cov_s;
    struct suse *uses;
    int nuses;
    int hostu, gpu;           /* the cross-tab rows it feeds (measured), -1 none */
    /* set when finished */
    double est;               /* extrapolated kgCO2e */
    int state;                /* SS_FULL, SS_BOOT or SS_THIN */
    char basis[96];
};
enum { SS_FULL = 0, SS_BOOT, SS_THIN };

struct ctx {
    const struct ct_team *t;
    struct ct_report *r;
    ct_err *e;
    int failed;
    int nweeks;
    int y0, m0;               /* the period's first month */
    struct series *ser;
    size_t nser, capser;
    size_t *slot;             /* open addressing: series index + 1, 0 free */
    size_t capslot;
    struct ct_factor_use *uses;   /* every (location, year, PUE) used */
    int nuses;
    /* rule cache, keyed by (platform row, row location, year) */
    struct rkey { int plat, year, use; char loc[64]; } *rules;
    int nrules;
    /* last lookups (records arrive sorted by platform and host) */
    char last_host[128];
    const struct ct_platform *last_plat;
    int last_row;
    /* cross-tab state (crosstab.c) */
    int last_gpu, last_hostu;
    char last_dev[160];
};

/* The team platform of a platform row, or NULL (rows past the team's). */
const struct ct_platform *ct_model_team_plat(const struct ctx *c, int plat);
/* Fills c->e with "out of memory", marks the build failed; returns -1. */
int ct_model_oom(struct ctx *c);
/* model_platforms.c: seen[k] for each by_host entry some series came from;
 * the warnings about silent hosts and platforms without data. */
void ct_model_mark_hosts(const struct ctx *c, unsigned char *seen);
void ct_model_silent_hosts(struct ctx *c, int plat, const unsigned char *seen);
void ct_model_no_data_warnings(struct ctx *c);

/* Adds a warning once. */
void ct_model_warn(struct ct_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The platform row named name (created, outside the team file, when new). */
int ct_model_plat_row(struct ctx *c, const char *name);
/* The factor use for platform row plat, a record's own location and a year;
 * -1 with c->failed set when the location is unknown. */
int ct_model_use(struct ctx *c, int plat, const char *row_loc, int year);
/* Does the platform of row plat count records of this kind? 1 yes; 0: an
 * overlap, noted with its figures and warned about once. */
int ct_model_accepts(struct ctx *c, int plat, int kind, double kwh, double kg);
/* The series for (plat, host, device, component, method, kind), created on
 * first use; NULL with c->failed set when out of memory. */
struct series *ct_model_series(struct ctx *c, int plat, const char *host, const char *device,
                               const char *component, int method, int kind, double units);
/* Adds kgCO2e, energy and covered seconds (before units) on a day. */
void ct_model_add(struct ctx *c, struct series *s, int64_t day, double kg, double kwh,
                  double cov_s, int use);
int ct_model_week(const struct ctx *c, int64_t day);
int ct_model_month(const struct ctx *c, int64_t day);

/* The provided-emissions pass. */
int ct_model_provided(const struct ct_ledger_h *L, struct ctx *c, ct_err *e);
/* Measured GPUs and hosts, per energy day counted (crosstab.c). */
void ct_crosstab_day(struct ctx *c, int plat, struct series *s, const struct ct_energy_day *d,
                     double kg);
/* After the series are finished: the GPUs' and hosts' extrapolation. */
void ct_crosstab_finish(struct ctx *c);
/* Extrapolates every series and sums them into groups, platforms, months and
 * the total (model_series.c). */
int ct_model_finish(struct ctx *c, ct_err *e);
/* The series for a key, or NULL. */
struct series *ct_model_find(struct ctx *c, int plat, const char *host, const char *device,
                             const char *component, int method, int kind);

#endif
