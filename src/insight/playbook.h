#ifndef CT_PLAYBOOK_H
#define CT_PLAYBOOK_H
/* The playbook of measures, compiled in from data/playbook.csv by
 * tools/gen_playbook.py. Each row says when it applies (a finding kind and
 * conditions on it) and how to estimate its saving from the ledger (a rule), as
 * data; src/insight/playbook.c interprets both. */

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
    const char *name_any;    /* "": any; else comma list: the platform's name holds one */
    const char *name_none;   /* "": none; else comma list: the name holds none of them */
    int rule;                /* enum ct_rule */
    double a, b;             /* fraction A; for util: T and A */
    const char *when, *rule_text;   /* as written in the CSV */
    const char *how;         /* what to do */
};

extern const struct ct_measure ct_playbook[];
extern const int ct_playbook_n;

const char *ct_effort_name(int effort); /* "low", "medium", "high" */

#endif
