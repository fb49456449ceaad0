#ifndef CT_INSIGHT_H
#define CT_INSIGHT_H
/* Findings and recommendations: what the ledger shows (idle GPUs, lightly used
 * platforms and hosts, cleaner cloud regions, each platform's share), and which
 * measures of the playbook (data/playbook.csv) apply, with their estimated
 * yearly saving, ranked by saving over effort, quick wins first.
 *
 * Every figure is per year: a period's figure is extrapolated to the period (as
 * the report does) and scaled to 365.25 days unless the period is a calendar
 * year. Library code: nothing here prints; renderers append to a ct_buf. */
#include "config/team.h"
#include "core/buf.h"
#include "insight/playbook.h"
#include "report/bundle.h"

enum ct_finding_kind {
    CT_FIND_SHARE = 0,    /* a platform's share of the total: the biggest lever first */
    CT_FIND_IDLE_GPU,     /* a GPU drawing power while under the idle threshold */
    CT_FIND_LOW_UTIL,     /* a platform or host whose mean utilisation is low */
    CT_FIND_REGION,       /* a cloud platform with a much cleaner region of its provider */
    CT_FIND_KINDS
};
const char *ct_finding_kind_name(int kind); /* "platform_share", "idle_gpu", ... */
int ct_finding_kind_parse(const char *s);  /* -1 if none */

struct ct_finding {
    int kind;
    char platform[160], host[128], device[160];  /* host, device: "" when not about one */
    int method;              /* the platform's enum ct_method */
    int cloud;               /* the platform runs at a cloud provider */
    double share;            /* the platform's share of the total kgCO2e */
    double gpu_share;        /* the platform's GPU share of its energy */
    double util;             /* mean utilisation 0..1 (NAN when not known) */
    double hours, kwh;       /* observed in the period (idle ones for idle_gpu) */
    double hours_per_year, kwh_per_year;
    double kgco2e_per_year;  /* the emissions the finding is about */
    double ratio;            /* cleaner_region: the cleaner factor over the current one */
    char region[64], cleaner[64];   /* cleaner_region: the codes */
    char evidence[480];
};

struct ct_insight_opts {
    double low_util;         /* a mean utilisation under this is low (0.30) */
    double cleaner_ratio;    /* a region is much cleaner at or under this factor ratio (0.5) */
    double min_idle_share;   /* an idle GPU is idle for at least this share of its time (0.01) */
    double impact_share;     /* a saving of at least this share of the total is high impact (0.02) */
    double idle_util;        /* the threshold the ledger's idle figures were taken at, for text */
};
void ct_insight_defaults(struct ct_insight_opts *o);

enum ct_quadrant { CT_Q_QUICK_WIN = 0, CT_Q_MAJOR, CT_Q_FILL_IN, CT_Q_THANKLESS };
const char *ct_quadrant_name(int q); /* "quick win", "major project", "fill-in", "thankless" */

struct ct_recommendation {
    const struct ct_measure *m;
    double saving;           /* kgCO2e per year, estimated alone */
    int quadrant;            /* enum ct_quadrant */
    int nfindings;           /* findings that made it apply */
    char because[400];
};

struct ct_advice {
    int64_t from, to;        /* the report's period */
    struct ct_finding *f;
    int nf;
    struct ct_recommendation *rec;
    int nrec;
    double total_per_year;   /* the team's kgCO2e per year */
    double impact_kg;        /* the high-impact threshold, kgCO2e per year */
    struct ct_insight_opts opts;
};

/* Findings from the bundle and team file, then the playbook's measures that
 * apply, ranked. */
void ct_advise(const struct ct_bundle *b, const struct ct_team *t, const struct ct_insight_opts *o,
               struct ct_advice *a);
void ct_advice_free(struct ct_advice *a);

/* The parts, exposed for tests. */
void ct_findings(const struct ct_bundle *b, const struct ct_team *t, const struct ct_insight_opts *o,
                 struct ct_advice *a);
void ct_finding_add(struct ct_advice *a, const struct ct_finding *f);
/* The cleaner-region finding for a platform at location loc in year (0: none). */
int ct_find_cleaner_region(const char *loc, int year, double ratio_max, struct ct_finding *f);
/* Does measure m apply to finding f? */
int ct_measure_matches(const struct ct_measure *m, const struct ct_finding *f);
/* m's saving from f, kgCO2e per year. */
double ct_measure_saving(const struct ct_measure *m, const struct ct_finding *f);
/* Evaluates every measure of the playbook (n rows) against a->f and ranks. */
void ct_recommend(struct ct_advice *a, const struct ct_measure *playbook, int n);

/* Renderers. */
void ct_advice_json(const struct ct_advice *a, ct_buf *b);      /* one JSON object */
void ct_advice_text(const struct ct_advice *a, ct_buf *b);      /* the terminal form */
void ct_quadrant_text(const struct ct_advice *a, ct_buf *b);
void ct_quadrant_svg(const struct ct_advice *a, ct_buf *b);

/* The JSON report (report/render.h) with an "advice" member holding
 * ct_advice_json for the same period: one pass when o->by is platform. */
int ct_json_report_advised(const struct ct_ledger_h *L, const struct ct_team *t,
                           const struct ct_report_opts *o, int explain, ct_buf *out, ct_err *e);

#endif
