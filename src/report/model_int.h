#ifndef CT_MODEL_INT_H
#define CT_MODEL_INT_H
/* Private to the report model: the builder's working state, shared by the
 * energy pass (model.c) and the provided-emissions pass (provided.c). */
#include "report/model.h"

#define WEEK (7 * CT_DAY)
#define UNASSIGNED "(unassigned)"

/* Per-group working state. */
struct gpriv {
    double *kg_w, *cov_w;     /* per week block */
    double *reps;             /* bootstrap replicates */
    char **devices;           /* "host\x1f" "device" */
    int ndev, capdev;
    int methods;              /* bit per enum ct_method */
    double cov_s;
    int64_t g_from, g_to;     /* the part of the period the group stands for */
};

/* What a day record resolves to: its platform and how its energy is counted. */
struct ctx {
    const struct ct_team *t;
    struct ct_report *r;
    int nweeks;
    struct ct_factor_use *cache;   /* factor per (location, year, pue) */
    int ncache;
    char last_host[128];
    const struct ct_platform *last_plat;
    struct ct_group *last_group;
    ct_err *e;
    int failed;
};

void ct_model_warn(struct ct_report *r, const char *msg);
/* The group for key (created on first use; a month group covers its month). */
struct ct_group *ct_model_group(struct ctx *c, const char *key, int64_t day);
/* Counts a device (host, device) once in the group, for coverage. */
void ct_model_device(struct gpriv *gp, const char *host, const char *dev);
/* Adds kgCO2e and covered device-seconds on a day to a group. */
void ct_model_add(struct ctx *c, struct ct_group *g, int64_t day, double kg, double cov_s,
                  int method);
/* 1 when a record of this method must be left out of platform p (and warns). */
int ct_model_overlap(struct ctx *c, const struct ct_platform *p, int method, int64_t day);
/* The provided-emissions pass. */
int ct_model_provided(const struct ct_ledger_h *L, struct ctx *c, ct_err *e);

#endif
