/* Findings: what the ledger and the team file show, each with its evidence and
 * the kgCO2e per year it is about. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "config/accounting.h"
#include "insight/insight.h"

void ct_insight_defaults(struct ct_insight_opts *o)
{
    o->low_util = 0.30;
    o->cleaner_ratio = 0.5;
    o->min_idle_share = 0.01;
    o->impact_share = 0.02;
    o->idle_util = 0.05; /* CT_IDLE_UTIL, the threshold imports and the agent use */
}

void ct_finding_add(struct ct_advice *a, const struct ct_finding *f)
{
    struct ct_finding *n = realloc(a->f, sizeof *n * (size_t)(a->nf + 1));
    if (!n)
        abort();
    a->f = n;
    a->f[a->nf++] = *f;
}

static int is_cloud(const char *loc)
{
    return loc && (strncmp(loc, "aws:", 4) == 0 || strncmp(loc, "gcp:", 4) == 0 ||
                   strncmp(loc, "azure:", 6) == 0);
}

/* What a finding about platform `name` knows of the platform itself. */
static void platform_facts(const struct ct_report *b, const struct ct_team *t, const char *name,
                           struct ct_finding *f)
{
    snprintf(f->platform, sizeof f->platform, "%s", name);
    f->util = NAN;
    f->ratio = NAN;
    f->hours = f->kwh = f->hours_per_year = f->kwh_per_year = NAN;
    const struct ct_platform *p = ct_team_platform(t, name);
    f->method = p ? p->method : CT_METHOD_MEASURED;
    f->cloud = p && (p->method == CT_METHOD_PROVIDED || is_cloud(ct_platform_location(t, p)));
    const struct ct_group *g = ct_report_platform(b, name);
    if (g) {
        f->share = g->share;
        f->gpu_share = g->energy_kwh > 0 ? g->gpu_kwh / g->energy_kwh : 0;
        if (!p && strcmp(g->method, "provided") == 0)
            f->method = CT_METHOD_PROVIDED;
    }
}

/* Evidence built on a figure with too little data says so. */
static void thin_note(struct ct_finding *f, int enough, const char *basis)
{
    if (enough)
        return;
    size_t n = strlen(f->evidence);
    snprintf(f->evidence + n, sizeof f->evidence - n, " (a rough figure, no interval: %s)",
             basis && basis[0] ? basis : "too little data");
}

static void share_findings(const struct ct_report *b, const struct ct_team *t, struct ct_advice *a)
{
    for (int i = 0; i < b->nplats; i++) {
        const struct ct_group *g = &b->plats[i];
        if (g->nseries == 0)
            continue;
        struct ct_finding f = {.kind = CT_FIND_SHARE};
        platform_facts(b, t, g->key, &f);
        f.kwh = g->energy_kwh;
        double scale = g->kgco2e > 0 ? g->extrapolated / g->kgco2e : 1;
        f.kwh_per_year = g->energy_kwh * scale * b->year_scale;
        f.kgco2e_per_year = g->extrapolated * b->year_scale;
        snprintf(f.evidence, sizeof f.evidence, "%.1f %% of the team's extrapolated kgCO2e: %.1f "
                 "kgCO2e a year extrapolated from %.1f kgCO2e observed in the period (%s, coverage "
                 "%.0f %%)", g->share * 100, f.kgco2e_per_year, g->kgco2e, g->method,
                 g->coverage * 100);
        thin_note(&f, g->has_interval, g->basis);
        ct_finding_add(a, &f);
    }
}

/* A GPU's figures scaled from its covered time to the period, then to a year. */
static double gpu_scale(const struct ct_report *b, const struct ct_gpu_use *u)
{
    double period = (double)(b->to - b->from);
    return u->covered_s > 0 ? period / u->covered_s * b->year_scale : 0;
}

static void idle_gpu_findings(const struct ct_report *b, const struct ct_team *t,
                              const struct ct_insight_opts *o, struct ct_advice *a)
{
    for (int i = 0; i < b->ngpus; i++) {
        const struct ct_gpu_use *u = &b->gpus[i];
        if (!(u->idle_kwh > 0) || u->idle_s < o->min_idle_share * u->covered_s)
            continue;
        struct ct_finding f = {.kind = CT_FIND_IDLE_GPU};
        platform_facts(b, t, u->platform, &f);
        snprintf(f.host, sizeof f.host, "%s", u->host);
        snprintf(f.device, sizeof f.device, "%s", u->device);
        double s = gpu_scale(b, u);
        f.util = u->covered_s > 0 ? u->util_s / u->covered_s : NAN;
        f.hours = u->idle_s / 3600;
        f.kwh = u->idle_kwh;
        f.hours_per_year = f.hours * s;
        f.kwh_per_year = f.kwh * s;
        f.kgco2e_per_year = u->idle_kg * s;
        snprintf(f.evidence, sizeof f.evidence, "%s on %s: %.1f h of %.1f h measured at under %.0f %% "
                 "utilisation while drawing %.2f kWh (%.0f %% of its %.2f kWh, mean %.0f W idle); "
                 "about %.0f h, %.1f kWh and %.1f kgCO2e a year", u->device, u->host, f.hours,
                 u->covered_s / 3600, o->idle_util * 100, f.kwh, 100 * u->idle_kwh / u->kwh, u->kwh,
                 u->idle_s > 0 ? u->idle_kwh * 3.6e6 / u->idle_s : 0, f.hours_per_year,
                 f.kwh_per_year, f.kgco2e_per_year);
        thin_note(&f, u->has_interval, NULL);
        ct_finding_add(a, &f);
    }
}

/* Calculated platforms: the utilisation the team file gives. */
static void low_util_platforms(const struct ct_report *b, const struct ct_team *t,
                               const struct ct_insight_opts *o, struct ct_advice *a)
{
    for (int i = 0; i < b->nplats; i++) {
        const struct ct_group *g = &b->plats[i];
        const struct ct_platform *p = ct_team_platform(t, g->key);
        if (!p || p->method != CT_METHOD_CALCULATED || p->calc_source != CT_CALC_ESTIMATE ||
            g->nseries == 0 || !(p->utilisation < o->low_util))
            continue;
        struct ct_finding f = {.kind = CT_FIND_LOW_UTIL};
        platform_facts(b, t, g->key, &f);
        f.util = p->utilisation;
        f.hours_per_year = p->hours_per_year * p->count;
        f.kwh = g->energy_kwh;
        f.kwh_per_year = g->energy_kwh * (g->kgco2e > 0 ? g->extrapolated / g->kgco2e : 1) * b->year_scale;
        f.kgco2e_per_year = g->extrapolated * b->year_scale;
        snprintf(f.evidence, sizeof f.evidence, "the team file gives %g x %s at %.0f %% mean "
                 "utilisation for %.0f h a year each (under %.0f %%): %.1f kgCO2e a year",
                 p->count, p->chip ? p->chip : "units", p->utilisation * 100, p->hours_per_year,
                 o->low_util * 100, f.kgco2e_per_year);
        ct_finding_add(a, &f);
    }
}

/* Measured hosts: the ledger's mean utilisation over the devices that report one. */
static void low_util_hosts(const struct ct_report *b, const struct ct_team *t,
                           const struct ct_insight_opts *o, struct ct_advice *a)
{
    double period = (double)(b->to - b->from);
    for (int i = 0; i < b->nhosts; i++) {
        const struct ct_host_use *h = &b->hosts[i];
        if (!(h->util_cov_s > 0) || !(h->util_s / h->util_cov_s < o->low_util))
            continue;
        struct ct_finding f = {.kind = CT_FIND_LOW_UTIL};
        platform_facts(b, t, h->platform, &f);
        snprintf(f.host, sizeof f.host, "%s", h->host);
        f.util = h->util_s / h->util_cov_s;
        double s = h->covered_s > 0 ? h->ndevices * period / h->covered_s * b->year_scale : 0;
        f.hours = h->covered_s / 3600 / (h->ndevices ? h->ndevices : 1);
        f.kwh = h->kwh;
        f.hours_per_year = f.hours * s;
        f.kwh_per_year = h->kwh * s;
        f.kgco2e_per_year = h->kg * s;
        snprintf(f.evidence, sizeof f.evidence, "host %s: mean utilisation %.0f %% (under %.0f %%) "
                 "over %.1f h measured on %d device(s), %.2f kWh; about %.1f kgCO2e a year",
                 h->host, f.util * 100, o->low_util * 100, f.hours, h->ndevices, h->kwh,
                 f.kgco2e_per_year);
        thin_note(&f, h->enough, NULL);
        ct_finding_add(a, &f);
    }
}

static void region_findings(const struct ct_report *b, const struct ct_team *t,
                            const struct ct_insight_opts *o, struct ct_advice *a)
{
    int year = ct_year_of(b->from);
    for (int i = 0; i < b->nplats; i++) {
        const struct ct_group *g = &b->plats[i];
        const struct ct_platform *p = ct_team_platform(t, g->key);
        struct ct_acct rule;
        ct_err e;
        if (!p || p->method == CT_METHOD_PROVIDED || !(g->kgco2e > 0) ||
            ct_acct_lookup(t, p, NULL, year, &rule, &e) < 0)
            continue;
        const char *loc = rule.location;
        if (!is_cloud(loc))
            continue;
        struct ct_finding f = {.kind = CT_FIND_REGION};
        platform_facts(b, t, g->key, &f);
        f.kwh = g->energy_kwh;
        f.kgco2e_per_year = g->extrapolated * b->year_scale;
        if (ct_find_cleaner_region(loc, year, o->cleaner_ratio, &f))
            ct_finding_add(a, &f);
    }
}

static int kind_order(const struct ct_finding *f)
{
    return f->kind == CT_FIND_SHARE ? 0 : 1;
}

static int cmp_findings(const void *x, const void *y)
{
    const struct ct_finding *a = x, *b = y;
    if (kind_order(a) != kind_order(b))
        return kind_order(a) - kind_order(b);
    if (a->kgco2e_per_year != b->kgco2e_per_year)
        return a->kgco2e_per_year < b->kgco2e_per_year ? 1 : -1;
    int c = strcmp(a->platform, b->platform);
    c = c ? c : strcmp(a->host, b->host);
    c = c ? c : strcmp(a->device, b->device);
    return c ? c : a->kind - b->kind;
}

void ct_findings(const struct ct_report *b, const struct ct_team *t, const struct ct_insight_opts *o,
                 struct ct_advice *a)
{
    share_findings(b, t, a);
    idle_gpu_findings(b, t, o, a);
    low_util_platforms(b, t, o, a);
    low_util_hosts(b, t, o, a);
    region_findings(b, t, o, a);
    /* The platforms' shares first, biggest lever first; then the rest by size. */
    if (a->nf)
        qsort(a->f, (size_t)a->nf, sizeof *a->f, cmp_findings);
    a->total_per_year = b->extrapolated * b->year_scale;
    a->from = b->from;
    a->to = b->to;
}
