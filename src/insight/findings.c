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
    if (a->nf == a->capf) { /* doubling: thousands of platforms, thousands of findings */
        int cap = a->capf ? 2 * a->capf : 16;
        struct ct_finding *n = realloc(a->f, sizeof *n * (size_t)cap);
        if (!n)
            abort();
        a->f = n;
        a->capf = cap;
    }
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
    /* A platform the team file does not list (unassigned provider rows, a
     * host of no platform) has no kind of its own: other, inferred. */
    f->platform_kind = p ? p->kind : CT_KIND_OTHER;
    f->kind_inferred = p ? p->kind_inferred : 1;
    f->cloud = p && (p->method == CT_METHOD_PROVIDED || is_cloud(ct_platform_location(t, p)));
    const struct ct_group *g = ct_report_platform(b, name);
    if (g) {
        f->share = g->share;
        f->gpu_share = g->energy_kwh > 0 ? g->gpu_kwh / g->energy_kwh : 0;
        if (!p && strcmp(g->method, "provided") == 0) {
            f->method = CT_METHOD_PROVIDED;
            f->platform_kind = CT_KIND_CLOUD;
        }
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
        snprintf(f.about, sizeof f.about, "%.60s's %.60s idle %.0f %% of the time", u->host, u->device,
                 u->covered_s > 0 ? 100 * u->idle_s / u->covered_s : 0);
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

static const char *kind_noun(int kind, int plural)
{
    static const char *const one[CT_KIND_COUNT] = {
        "laptop", "desktop", "CI runner", "server", "GPU server", "cloud machine",
        "storage system", "network device", "unit"};
    static const char *const many[CT_KIND_COUNT] = {
        "laptops", "desktops", "CI runners", "servers", "GPU servers", "cloud machines",
        "storage systems", "network devices", "units"};
    return kind >= 0 && kind < CT_KIND_COUNT ? (plural ? many : one)[kind] : plural ? "units" : "unit";
}

/* "12 laptops, on 9 h a day", "4 vCPU CI runners, 40000 min a month", "2 measured hosts". */
static void describe(const struct ct_platform *p, char *out, size_t n)
{
    if (!p) {
        snprintf(out, n, "figures no platform of the team file claims");
        return;
    }
    if (p->method == CT_METHOD_MEASURED) {
        snprintf(out, n, "%zu measured %s", p->nhosts, p->nhosts == 1 ? "host" : "hosts");
        return;
    }
    if (p->method == CT_METHOD_PROVIDED) {
        snprintf(out, n, "the %s's own figures", ct_platform_provider(p) ? ct_platform_provider(p)
                                                                          : "provider");
        return;
    }
    if (p->calc_source == CT_CALC_USAGE) {
        snprintf(out, n, "cloud usage rows");
        return;
    }
    /* count is machines for a whole-machine model, people's laptops and CI
     * runners; otherwise units of its chip ("8 x NVIDIA A100 40GB PCIe"). */
    int w;
    if (p->chip && !p->machine && p->kind != CT_KIND_LAPTOP && p->kind != CT_KIND_DESKTOP &&
        p->kind != CT_KIND_CI)
        w = snprintf(out, n, "%g x %.80s", p->count, p->chip);
    else
        w = snprintf(out, n, "%g %s", p->count, kind_noun(p->kind, p->count != 1));
    if (w < 0 || (size_t)w >= n)
        return;
    if (!isnan(p->hours_per_day))
        snprintf(out + w, n - (size_t)w, ", on %g h a day", p->hours_per_day);
    else if (!isnan(p->minutes_per_month))
        snprintf(out + w, n - (size_t)w, ", %g min a month", p->minutes_per_month);
    else
        snprintf(out + w, n - (size_t)w, ", %g h a year each", p->hours_per_year);
}

/* What each finding is about, in words, and where the platform's kind was
 * inferred, a phrase saying so in its evidence. */
static void explain(const struct ct_team *t, struct ct_finding *f)
{
    const struct ct_platform *p = ct_team_platform(t, f->platform);
    char d[160];
    describe(p, d, sizeof d);
    if (!f->about[0]) {
        switch (f->kind) {
        case CT_FIND_SHARE:
            snprintf(f->about, sizeof f->about, "%.60s: %.100s, %.0f %% of the team's emissions",
                     f->platform, d, f->share * 100);
            break;
        case CT_FIND_LOW_UTIL:
            if (f->host[0])
                snprintf(f->about, sizeof f->about, "host %.60s at %.0f %% mean utilisation",
                         f->host, f->util * 100);
            else
                snprintf(f->about, sizeof f->about, "%.60s: %.100s at %.0f %% mean utilisation",
                         f->platform, d, f->util * 100);
            break;
        case CT_FIND_REGION:
            snprintf(f->about, sizeof f->about, "%.60s in %.40s; %.40s is %.0f %% cleaner",
                     f->platform, f->region, f->cleaner, 100 * (1 - f->ratio));
            break;
        default:
            snprintf(f->about, sizeof f->about, "%.60s", f->platform);
        }
    }
    if (f->kind_inferred) {
        size_t n = strlen(f->evidence);
        snprintf(f->evidence + n, sizeof f->evidence - n, " (kind %s, inferred: %s)",
                 ct_kind_name(f->platform_kind), p && p->kind_why[0] ? p->kind_why
                                                                     : "not in the team file");
    }
}

void ct_findings(const struct ct_report *b, const struct ct_team *t, const struct ct_insight_opts *o,
                 struct ct_advice *a)
{
    share_findings(b, t, a);
    idle_gpu_findings(b, t, o, a);
    low_util_platforms(b, t, o, a);
    low_util_hosts(b, t, o, a);
    region_findings(b, t, o, a);
    for (int i = 0; i < a->nf; i++)
        explain(t, &a->f[i]);
    /* The platforms' shares first, biggest lever first; then the rest by size. */
    if (a->nf)
        qsort(a->f, (size_t)a->nf, sizeof *a->f, cmp_findings);
    a->total_per_year = b->extrapolated * b->year_scale;
    a->from = b->from;
    a->to = b->to;
}
