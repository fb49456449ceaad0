/* Builds the report model in one pass over the ledger's daily energy sums. */
#include "report/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "core/timeutil.h"
#include "report/model_int.h"


static const char *by_names[] = {"platform", "host", "device", "month", "method"};

int ct_group_by_parse(const char *s)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(s, by_names[i]) == 0)
            return i;
    return -1;
}

const char *ct_group_by_name(int by)
{
    return by >= 0 && by < 5 ? by_names[by] : "?";
}

void ct_model_warn(struct ct_report *r, const char *msg)
{
    for (int i = 0; i < r->nwarnings; i++)
        if (strcmp(r->warnings[i], msg) == 0)
            return;
    char **w = realloc(r->warnings, sizeof *w * (size_t)(r->nwarnings + 1));
    if (!w)
        abort();
    r->warnings = w;
    r->warnings[r->nwarnings++] = ct_strdup(msg);
}

static const struct ct_platform *platform_of(struct ctx *c, const struct ct_energy_day *d)
{
    if (d->platform[0])
        return ct_team_platform(c->t, d->platform);
    if (strcmp(c->last_host, d->host) != 0) {
        snprintf(c->last_host, sizeof c->last_host, "%s", d->host);
        c->last_plat = ct_team_platform_of_host(c->t, d->host);
    }
    return c->last_plat;
}

/* PUE: the platform's own, else the provider's for a cloud location, else 1. */
static double pue_of(struct ctx *c, const struct ct_platform *p, const char *loc, const char **src)
{
    double pue;
    if (p && !isnan(p->pue)) {
        *src = p->pue_source;
        return p->pue;
    }
    if (ct_pue_lookup(loc, &pue, src, NULL) == 0)
        return pue;
    char msg[256];
    snprintf(msg, sizeof msg, "platform '%s' gives no pue; 1.0 used (device energy only)",
             p ? p->name : UNASSIGNED);
    ct_model_warn(c->r, msg);
    *src = "none given";
    return 1.0;
}

static struct ct_factor_use *factor_for(struct ctx *c, const struct ct_platform *p, int year)
{
    const char *loc = p ? ct_platform_location(c->t, p) : c->t->country;
    if (!loc)
        loc = "WORLD";
    const char *psrc;
    double pue = pue_of(c, p, loc, &psrc);
    for (int i = 0; i < c->ncache; i++) {
        struct ct_factor_use *u = &c->cache[i];
        if (u->f.year_asked == year && u->pue == pue && strcmp(u->f.code, loc) == 0)
            return u;
    }
    struct ct_factor f;
    if (ct_factor_lookup(loc, year, &f, c->e) < 0)
        return NULL;
    snprintf(f.code, sizeof f.code, "%s", loc); /* cache by the name as configured */
    if (f.note[0]) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s: %s", loc, f.note);
        ct_model_warn(c->r, msg);
    }
    struct ct_factor_use *u = realloc(c->cache, sizeof *u * (size_t)(c->ncache + 1));
    if (!u)
        abort();
    c->cache = u;
    u = &c->cache[c->ncache++];
    *u = (struct ct_factor_use){.f = f, .pue = pue, .pue_source = psrc};
    return u;
}

static void group_key(struct ctx *c, const struct ct_energy_day *d, const struct ct_platform *p,
                      char *key, size_t n)
{
    switch (c->r->by) {
    case CT_BY_PLATFORM: snprintf(key, n, "%s", p ? p->name : d->platform[0] ? d->platform : UNASSIGNED); break;
    case CT_BY_HOST: snprintf(key, n, "%s", d->host); break;
    case CT_BY_DEVICE: snprintf(key, n, "%s/%s", d->host, d->device); break;
    case CT_BY_MONTH: ct_fmt_month(d->day, key); break;
    default: snprintf(key, n, "%s", ct_method_name(d->method));
    }
}

struct ct_group *ct_model_group(struct ctx *c, const char *key, int64_t day)
{
    struct ct_report *r = c->r;
    if (c->last_group && strcmp(c->last_group->key, key) == 0)
        return c->last_group;
    for (int i = 0; i < r->ngroups; i++)
        if (strcmp(r->groups[i].key, key) == 0)
            return c->last_group = &r->groups[i];
    struct ct_group *g = realloc(r->groups, sizeof *g * (size_t)(r->ngroups + 1));
    if (!g)
        abort();
    r->groups = g;
    g = &r->groups[r->ngroups++];
    memset(g, 0, sizeof *g);
    snprintf(g->key, sizeof g->key, "%s", key);
    struct gpriv *gp = calloc(1, sizeof *gp);
    if (!gp)
        abort();
    gp->kg_w = calloc((size_t)c->nweeks, sizeof(double));
    gp->cov_w = calloc((size_t)c->nweeks, sizeof(double));
    if (!gp->kg_w || !gp->cov_w)
        abort();
    gp->g_from = r->from;
    gp->g_to = r->to;
    if (r->by == CT_BY_MONTH) {
        int64_t m = ct_month_start(day), m1 = ct_next_month(day);
        gp->g_from = m > r->from ? m : r->from;
        gp->g_to = m1 < r->to ? m1 : r->to;
    }
    g->priv = gp;
    c->last_group = NULL; /* realloc may have moved the array */
    return g;
}

void ct_model_device(struct gpriv *gp, const char *host, const char *dev)
{
    char id[256];
    snprintf(id, sizeof id, "%s\x1f%s", host, dev);
    if (gp->ndev && strcmp(gp->devices[gp->ndev - 1], id) == 0)
        return;
    for (int i = 0; i < gp->ndev; i++)
        if (strcmp(gp->devices[i], id) == 0)
            return;
    if (gp->ndev == gp->capdev) {
        gp->capdev = gp->capdev ? gp->capdev * 2 : 8;
        char **d = realloc(gp->devices, sizeof *d * (size_t)gp->capdev);
        if (!d)
            abort();
        gp->devices = d;
    }
    gp->devices[gp->ndev++] = ct_strdup(id);
}

static void add_use(struct ct_group *g, const struct ct_factor_use *u, double kwh, double kg)
{
    for (int i = 0; i < g->nuses; i++) {
        struct ct_factor_use *x = &g->uses[i];
        if (x->pue == u->pue && x->f.year == u->f.year && x->f.year_asked == u->f.year_asked &&
            strcmp(x->f.code, u->f.code) == 0) {
            x->energy_kwh += kwh;
            x->kgco2e += kg;
            return;
        }
    }
    struct ct_factor_use *n = realloc(g->uses, sizeof *n * (size_t)(g->nuses + 1));
    if (!n)
        abort();
    g->uses = n;
    g->uses[g->nuses] = *u;
    g->uses[g->nuses].energy_kwh = kwh;
    g->uses[g->nuses].kgco2e = kg;
    g->nuses++;
}

void ct_model_add(struct ctx *c, struct ct_group *g, int64_t day, double kg, double cov_s,
                  int method)
{
    struct gpriv *gp = g->priv;
    int w = (int)((day - c->r->from) / WEEK);
    if (w < 0)
        w = 0;
    if (w >= c->nweeks)
        w = c->nweeks - 1;
    gp->kg_w[w] += kg;
    gp->cov_w[w] += cov_s;
    gp->cov_s += cov_s;
    gp->methods |= 1 << method;
    g->kgco2e += kg;
    if (method == CT_METHOD_PROVIDED && c->r->tap) /* energy days tap in on_day */
        c->r->tap(c->r->tap_ud, g, NULL, day, kg, cov_s, method);
}

/* A platform is counted by one method: energy that lands on a platform whose
 * figures come from its provider is an overlap, reported and left out. */
int ct_model_overlap(struct ctx *c, const struct ct_platform *p, int method, int64_t day)
{
    int provided = method == CT_METHOD_PROVIDED;
    if (!p || (p->method == CT_METHOD_PROVIDED) == provided)
        return 0;
    char msg[300], month[8];
    ct_fmt_month(day, month);
    snprintf(msg, sizeof msg, "platform '%s' is counted as %s, but the ledger also holds %s "
             "figures for it (%s): those are left out, never added",
             p->name, ct_method_name(p->method), provided ? "provided" : "energy", month);
    ct_model_warn(c->r, msg);
    return 1;
}

static int on_day(const struct ct_energy_day *d, void *ud)
{
    struct ctx *c = ud;
    const struct ct_platform *p = platform_of(c, d);
    if (ct_model_overlap(c, p, d->method, d->day))
        return 0;
    struct ct_factor_use *u = factor_for(c, p, ct_year_of(d->day));
    if (!u) {
        c->failed = 1;
        return 1;
    }
    char key[160];
    group_key(c, d, p, key, sizeof key);
    struct ct_group *g = ct_model_group(c, key, d->day);
    c->last_group = g;
    double kwh = d->joules / 3.6e6, kg = kwh * u->pue * u->f.kg_per_kwh;
    ct_model_add(c, g, d->day, kg, d->covered_s, d->method);
    if (c->r->tap)
        c->r->tap(c->r->tap_ud, g, d, d->day, kg, d->covered_s, d->method);
    g->energy_kwh += kwh;
    g->idle_kwh += d->idle_joules / 3.6e6;
    ct_model_device(g->priv, d->host, d->device);
    add_use(g, u, kwh, kg);
    return 0;
}

static void finish_group(struct ct_report *r, struct ct_group *g, int nweeks)
{
    struct gpriv *gp = g->priv;
    int m = gp->methods;
    snprintf(g->method, sizeof g->method, "%s",
             (m & (m - 1)) ? "mixed" : ct_method_name(m == 1 ? 0 : m == 2 ? 1 : 2));
    g->pue = g->nuses ? g->uses[0].pue : NAN;
    g->factor = g->nuses ? g->uses[0].f.kg_per_kwh : NAN;
    g->factor_source = g->nuses ? g->uses[0].f.source : NULL;
    g->factor_year = g->nuses ? g->uses[0].f.year : 0;
    for (int i = 1; i < g->nuses; i++) {
        if (g->uses[i].pue != g->pue)
            g->pue = NAN;
        if (strcmp(g->uses[i].f.code, g->uses[0].f.code) != 0 || g->uses[i].f.year != g->factor_year) {
            g->factor = NAN;
            g->factor_source = NULL;
            g->factor_year = 0;
        }
    }
    g->ndevices = gp->ndev;
    double cap = (double)gp->ndev * (double)(gp->g_to - gp->g_from);
    g->coverage = cap > 0 ? gp->cov_s / cap : 0;
    if (g->coverage > 1 + 1e-9) {
        char msg[300];
        snprintf(msg, sizeof msg, "'%s' has more data than time (coverage %.3f): two sources "
                 "measured the same device; check for a log imported beside a live agent", g->key,
                 g->coverage);
        ct_model_warn(r, msg);
        g->coverage = 1;
    }
    gp->reps = malloc(sizeof(double) * CT_BOOT_REPLICATES);
    if (!gp->reps)
        abort();
    ct_extrapolate(gp->kg_w, gp->cov_w, nweeks, cap, &g->extrapolated, &g->lo, &g->hi, gp->reps);
}

static int cmp_groups(const void *a, const void *b)
{
    const struct ct_group *x = a, *y = b;
    if (x->kgco2e != y->kgco2e)
        return x->kgco2e < y->kgco2e ? 1 : -1;
    return strcmp(x->key, y->key);
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(((const struct ct_group *)a)->key, ((const struct ct_group *)b)->key);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The total's interval: per replicate, the sum of the groups' replicates. */
static void finish_total(struct ct_report *r)
{
    double *tot = calloc(CT_BOOT_REPLICATES, sizeof *tot), cov = 0, cap = 0;
    if (!tot)
        abort();
    for (int i = 0; i < r->ngroups; i++) {
        struct ct_group *g = &r->groups[i];
        struct gpriv *gp = g->priv;
        r->energy_kwh += g->energy_kwh;
        r->kgco2e += g->kgco2e;
        r->extrapolated += g->extrapolated;
        cov += gp->cov_s;
        cap += (double)gp->ndev * (double)(gp->g_to - gp->g_from);
        for (int b = 0; b < CT_BOOT_REPLICATES; b++)
            tot[b] += gp->reps[b];
    }
    for (int i = 0; i < r->ngroups; i++)
        r->groups[i].share = r->kgco2e > 0 ? r->groups[i].kgco2e / r->kgco2e : 0;
    r->coverage = cap > 0 ? (cov < cap ? cov / cap : 1) : 0;
    qsort(tot, CT_BOOT_REPLICATES, sizeof *tot, cmp_double);
    double h = (CT_BOOT_REPLICATES - 1) * 0.025, k = (CT_BOOT_REPLICATES - 1) * 0.975;
    r->lo = tot[(int)h] + (h - (int)h) * (tot[(int)h + 1] - tot[(int)h]);
    r->hi = tot[(int)k] + (k - (int)k) * (tot[(int)k + 1] - tot[(int)k]);
    if (r->hi - r->lo <= 1e-12 * fabs(r->extrapolated))
        r->lo = r->hi = r->extrapolated;
    free(tot);
}

int ct_report_build(const struct ct_ledger_h *L, const struct ct_team *t,
                    const struct ct_report_opts *o, struct ct_report *r, ct_err *e)
{
    int64_t from = o->from, to = o->to;
    int by = o->by;
    memset(r, 0, sizeof *r);
    r->market = o->market;
    r->scopes = o->scopes ? o->scopes : (1 << 1) | (1 << 2) | (1 << 3);
    r->tap = o->tap;
    r->tap_ud = o->tap_ud;
    if (to <= from)
        return ct_errf(e, "the period is empty: --to must be after --from");
    r->from = from;
    r->to = to;
    r->by = by;
    snprintf(r->team, sizeof r->team, "%s", t->name ? t->name : "");
    snprintf(r->interval_method, sizeof r->interval_method,
             "95%% percentile interval of a block bootstrap over weeks (%d replicates, fixed "
             "seed); point estimate = observed kgCO2e / covered device-time x period",
             CT_BOOT_REPLICATES);
    struct ctx c = {.t = t, .r = r, .e = e};
    c.nweeks = (int)((to - from + WEEK - 1) / WEEK);
    if (L->ops->scan_energy_days(L->db, from, to, on_day, &c, e) < 0 || c.failed ||
        ct_model_provided(L, &c, e) < 0) {
        free(c.cache);
        ct_report_free(r);
        return -1;
    }
    free(c.cache);
    r->tap = NULL; /* the pass is over */
    for (int i = 0; i < r->ngroups; i++)
        finish_group(r, &r->groups[i], c.nweeks);
    finish_total(r);
    if (r->ngroups) /* qsort wants a non-null array even for none */
        qsort(r->groups, (size_t)r->ngroups, sizeof *r->groups, by == CT_BY_MONTH ? cmp_keys : cmp_groups);
    return 0;
}

void ct_report_free(struct ct_report *r)
{
    for (int i = 0; i < r->ngroups; i++) {
        struct gpriv *gp = r->groups[i].priv;
        if (gp) {
            for (int d = 0; d < gp->ndev; d++)
                free(gp->devices[d]);
            free(gp->devices);
            free(gp->kg_w);
            free(gp->cov_w);
            free(gp->reps);
            free(gp);
        }
        free(r->groups[i].uses);
    }
    free(r->groups);
    for (int i = 0; i < r->nwarnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    memset(r, 0, sizeof *r);
}
