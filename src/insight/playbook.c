/* Interprets the playbook's data: when a measure applies to a finding, what it
 * would save, and the ranking (quick wins first, then saving over effort). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/insight.h"

/* Does the lower-cased name hold any word of the comma list? */
static int name_has(const char *name, const char *list)
{
    char low[128], word[64];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    low[i] = '\0';
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        snprintf(word, sizeof word, "%.*s", (int)n, p);
        if (n && strstr(low, word))
            return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

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
    if (m->name_any[0] && !name_has(f->platform, m->name_any))
        return 0;
    return !(m->name_none[0] && name_has(f->platform, m->name_none));
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

/* "idle_gpu: gpu-01 gpu:0, gpu-01 gpu:1 and 3 more" */
static void subject(const struct ct_finding *f, char *out, size_t n)
{
    if (f->device[0])
        snprintf(out, n, "%s %s", f->host, f->device);
    else if (f->host[0])
        snprintf(out, n, "%s", f->host);
    else
        snprintf(out, n, "%s", f->platform);
}

static void because(struct ct_recommendation *r, const struct ct_finding *f)
{
    size_t len = strlen(r->because);
    char s[300];
    if (r->nfindings == 1) {
        subject(f, s, sizeof s);
        snprintf(r->because, sizeof r->because, "%s: %s", ct_finding_kind_name(f->kind), s);
    } else if (r->nfindings <= 3) {
        subject(f, s, sizeof s);
        snprintf(r->because + len, sizeof r->because - len, ", %s", s);
    } else if (r->nfindings == 4) {
        snprintf(r->because + len, sizeof r->because - len, " and more");
    }
}

/* " (when gpu and share>=0.1)": the measure's conditions, as the CSV gives them. */
static void add_when(struct ct_recommendation *r, const char *when)
{
    char text[200];
    size_t n = 0;
    for (const char *p = when; *p && n + 6 < sizeof text; p++) {
        if (*p == ';') {
            memcpy(text + n, " and ", 5);
            n += 5;
        } else {
            text[n++] = *p;
        }
    }
    text[n] = '\0';
    size_t len = strlen(r->because);
    snprintf(r->because + len, sizeof r->because - len, " (when %s)", text);
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
    if (m->when[0])
        add_when(&r, m->when);
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

