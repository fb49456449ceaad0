/* Interprets the playbook's data: when a measure applies to a finding, what it
 * would save, and the ranking (quick wins first, then saving over effort). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/insight.h"

int ct_measure_matches(const struct ct_measure *m, const struct ct_finding *f)
{
    if (f->kind != m->applies)
        return 0;
    if (m->gpu >= 0 && (f->gpu_share > 0) != m->gpu)
        return 0;
    if (m->cloud >= 0 && !!f->cloud != m->cloud)
        return 0;
    if (m->methods && !(m->methods & (1 << f->method)))
        return 0;
    if (f->share < m->min_share)
        return 0;
    if (m->max_util < 1.5 && !(f->util < m->max_util))
        return 0;
    /* Kinds, never names: a platform renamed gets the same advice. */
    int kind = f->platform_kind >= 0 && f->platform_kind < 31 ? 1 << f->platform_kind : 0;
    if (m->kinds_any && !(m->kinds_any & kind))
        return 0;
    return !(m->kinds_none & kind);
}

double ct_measure_saving(const struct ct_measure *m, const struct ct_finding *f)
{
    double k = f->kgco2e_per_year > 0 ? f->kgco2e_per_year : 0, s = 0;
    switch (m->rule) {
    case CT_RULE_FRACTION: s = m->a * k; break;
    case CT_RULE_GPU_FRACTION: s = m->a * k * f->gpu_share; break;
    case CT_RULE_REGION: s = isnan(f->ratio) ? 0 : m->a * k * (1 - f->ratio); break;
    case CT_RULE_UTIL:
        if (!isnan(f->util) && f->util < m->a)
            s = m->b * k * (1 - f->util / m->a);
        break;
    }
    return s > 0 ? s : 0;
}

/* The findings a measure applies to, in words: "laptops: 12 laptops, on 9 h a
 * day; cicd: 4 vCPU CI runners, 40000 min a month and 2 more". Never the
 * measure's conditions: those are data (the JSON's "when"), not prose. */
static void because(struct ct_recommendation *r, const struct ct_finding *f)
{
    size_t len = strlen(r->because);
    const char *about = f->about[0] ? f->about : f->platform;
    if (r->nfindings == 1)
        snprintf(r->because, sizeof r->because, "%s", about);
    else if (r->nfindings <= 3)
        snprintf(r->because + len, sizeof r->because - len, "; %s", about);
}

/* "... and 2 more" once every finding is counted. */
static void because_more(struct ct_recommendation *r)
{
    if (r->nfindings <= 3)
        return;
    size_t len = strlen(r->because);
    snprintf(r->because + len, sizeof r->because - len, " and %d more", r->nfindings - 3);
}

static void evaluate(struct ct_advice *a, const struct ct_measure *m)
{
    struct ct_recommendation r = {.m = m};
    for (int i = 0; i < a->nf; i++) {
        if (!ct_measure_matches(m, &a->f[i]))
            continue;
        r.nfindings++;
        r.saving += ct_measure_saving(m, &a->f[i]);
        because(&r, &a->f[i]);
    }
    if (r.nfindings == 0 || !(r.saving > 0))
        return;
    because_more(&r);
    int high = r.saving >= a->impact_kg, low_effort = m->effort == CT_EFFORT_LOW;
    r.quadrant = high ? (low_effort ? CT_Q_QUICK_WIN : CT_Q_MAJOR)
                      : (low_effort ? CT_Q_FILL_IN : CT_Q_THANKLESS);
    struct ct_recommendation *n = realloc(a->rec, sizeof *n * (size_t)(a->nrec + 1));
    if (!n)
        abort();
    a->rec = n;
    a->rec[a->nrec++] = r;
}

static int cmp_recs(const void *x, const void *y)
{
    const struct ct_recommendation *a = x, *b = y;
    int qa = a->quadrant != CT_Q_QUICK_WIN, qb = b->quadrant != CT_Q_QUICK_WIN;
    if (qa != qb)
        return qa - qb;
    double ra = a->saving / a->m->effort, rb = b->saving / b->m->effort;
    if (ra != rb)
        return ra < rb ? 1 : -1;
    return strcmp(a->m->id, b->m->id);
}

void ct_recommend(struct ct_advice *a, const struct ct_measure *playbook, int n)
{
    a->impact_kg = a->opts.impact_share * a->total_per_year;
    for (int i = 0; i < n; i++)
        evaluate(a, &playbook[i]);
    if (a->nrec)
        qsort(a->rec, (size_t)a->nrec, sizeof *a->rec, cmp_recs);
}

void ct_advise(const struct ct_report *b, const struct ct_team *t, const struct ct_insight_opts *o,
               struct ct_advice *a)
{
    memset(a, 0, sizeof *a);
    if (o)
        a->opts = *o;
    else
        ct_insight_defaults(&a->opts);
    ct_findings(b, t, &a->opts, a);
    ct_recommend(a, ct_playbook, ct_playbook_n);
}

