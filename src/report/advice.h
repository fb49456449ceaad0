#ifndef CT_ADVICE_H
#define CT_ADVICE_H
/* The advice part of the report document: findings (what the ledger shows)
 * and recommendations (the playbook's measures that apply, ranked). The
 * insight layer fills it from the document's figures; the renderers here
 * (render_advice.c, render_quadrant.c, the HTML page) only read it, so the
 * report layer never reaches up into insight. */
#include <stdint.h>

#include "core/buf.h"

/* A measure of the playbook (data/playbook.csv, compiled in by
 * tools/gen_playbook.py; src/insight/playbook.c interprets it). */
/* How a measure's saving follows from the findings it applies to (each finding
 * f with its kgCO2e per year K):
 *   fraction A       A x K
 *   gpu_fraction A   A x K x the platform's GPU share of its energy
 *   region A         A x K x (1 - cleaner factor / current factor)
 *   util T A         A x K x max(0, 1 - utilisation / T): the part of the
 *                    capacity that running at utilisation T would free */
enum ct_rule { CT_RULE_FRACTION = 0, CT_RULE_GPU_FRACTION, CT_RULE_REGION, CT_RULE_UTIL };

enum ct_effort { CT_EFFORT_LOW = 1, CT_EFFORT_MEDIUM = 2, CT_EFFORT_HIGH = 3 };

struct ct_measure {
    const char *id, *theme, *title;
    int effort;              /* enum ct_effort */
    int applies;             /* enum ct_finding_kind */
    /* conditions ("when"), all of which must hold */
    int gpu;                 /* -1 any; 1 the platform draws GPU energy; 0 it does not */
    int cloud;               /* -1 any; 1 at a cloud provider; 0 not */
    int methods;             /* bit (1 << ct_method) per allowed method; 0 any */
    double min_share;        /* the platform's share of the total at least this */
    double max_util;         /* utilisation under this (2: any) */
    int kinds_any;           /* 0 any; else bit (1 << enum ct_kind) per kind it applies to */
    int kinds_none;          /* bit per kind it never applies to */
    int rule;                /* enum ct_rule */
    double a, b;             /* fraction A; for util: T and A */
    const char *when, *rule_text;   /* as written in the CSV */
    const char *how;         /* what to do */
};

const char *ct_effort_name(int effort); /* "low", "medium", "high" */

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
    int platform_kind;       /* the platform's enum ct_kind (config/team.h) */
    int kind_inferred;       /* 1: not given in the team file but inferred from its keys */
    char about[200];         /* what the finding is about, as a person says it: "laptops:
                              * 12 laptops, on 9 h a day", "gpu-01's gpu:0 idle 38 % of the time" */
};

struct ct_insight_opts {
    double low_util;         /* a mean utilisation under this is low (0.30) */
    double cleaner_ratio;    /* a region is much cleaner at or under this factor ratio (0.5) */
    double min_idle_share;   /* an idle GPU is idle for at least this share of its time (0.01) */
    double impact_share;     /* a saving of at least this share of the total is high impact (0.02) */
    double idle_util;        /* the threshold the ledger's idle figures were taken at, for text */
};

enum ct_quadrant { CT_Q_QUICK_WIN = 0, CT_Q_MAJOR, CT_Q_FILL_IN, CT_Q_THANKLESS };
const char *ct_quadrant_name(int q); /* "quick win", "major project", "fill-in", "thankless" */

struct ct_recommendation {
    const struct ct_measure *m;
    double saving;           /* kgCO2e per year, estimated alone */
    int quadrant;            /* enum ct_quadrant */
    int nfindings;           /* findings that made it apply */
    char because[400];       /* the findings it applies to, in words (never rule syntax) */
};

struct ct_advice {
    int64_t from, to;        /* the report's period */
    struct ct_finding *f;
    int nf, capf;             /* capf: room in f (grown by doubling) */
    struct ct_recommendation *rec;
    int nrec;
    double total_per_year;   /* the team's kgCO2e per year */
    double impact_kg;        /* the high-impact threshold, kgCO2e per year */
    struct ct_insight_opts opts;
};

/* Renderers. */
void ct_advice_json(const struct ct_advice *a, ct_buf *b);      /* one JSON object */
void ct_advice_text(const struct ct_advice *a, ct_buf *b);      /* the terminal form */
void ct_quadrant_text(const struct ct_advice *a, ct_buf *b);
void ct_quadrant_svg(const struct ct_advice *a, ct_buf *b);
void ct_advice_free(struct ct_advice *a);

#endif
