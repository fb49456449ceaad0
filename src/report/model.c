/* Builds the report document: the energy pass over the ledger's daily sums,
 * the provided pass, then the series extrapolated and summed (model_series.c). */
#include "report/model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "core/timeutil.h"
#include "report/model_int.h"
#include "report/sci.h"

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

/* Keeps the warnings' hash at most half full. */
static int warn_rehash(struct ct_report *r)
{
    size_t cap = r->warn_cap ? r->warn_cap * 2 : 64;
    size_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return -1;
    for (int k = 0; k < r->nwarnings; k++) {
        size_t i = (size_t)ct_hash_str(CT_HASH_INIT, r->warnings[k]) & (cap - 1);
        while (slot[i])
            i = (i + 1) & (cap - 1);
        slot[i] = (size_t)k + 1;
    }
    free(r->warn_slot);
    r->warn_slot = slot;
    r->warn_cap = cap;
    return 0;
}

static void warn_text(struct ct_report *r, const char *fmt, va_list ap);

void ct_model_warn(struct ct_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    warn_text(r, fmt, ap);
    va_end(ap);
}

void ct_report_warn(struct ct_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    warn_text(r, fmt, ap);
    va_end(ap);
}

static void warn_text(struct ct_report *r, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* a warning lost to memory pressure is not worth failing the report for */
    if ((size_t)(r->nwarnings + 1) * 2 > r->warn_cap && warn_rehash(r) < 0)
        return;
    size_t m = r->warn_cap - 1, i = (size_t)ct_hash_str(CT_HASH_INIT, msg) & m;
    for (; r->warn_slot[i]; i = (i + 1) & m)
        if (strcmp(r->warnings[r->warn_slot[i] - 1], msg) == 0)
            return;
    char **w = realloc(r->warnings, sizeof *w * (size_t)(r->nwarnings + 1));
    char *d = strdup(msg);
    if (!w || !d) {
        free(d);
        if (w)
            r->warnings = w;
        return;
    }
    r->warnings = w;
    r->warnings[r->nwarnings++] = d;
    r->warn_slot[i] = (size_t)r->nwarnings;
}

int ct_model_oom(struct ctx *c)
{
    if (!c->failed)
        ct_errf(c->e, "out of memory building the report");
    c->failed = 1;
    return -1;
}

/* ---- platform rows ---- */

static int add_plat_row(struct ctx *c, const char *name, const struct ct_platform *p)
{
    struct ct_report *r = c->r;
    struct ct_group *g = realloc(r->plats, sizeof *g * (size_t)(r->nplats + 1));
    if (!g)
        return ct_model_oom(c);
    r->plats = g;
    g = &r->plats[r->nplats];
    memset(g, 0, sizeof *g);
    snprintf(g->key, sizeof g->key, "%s", name);
    g->in_team = p != NULL;
    if (p) {
        snprintf(g->method, sizeof g->method, "%s", ct_method_name(p->method));
        g->hosts_listed = (int)p->nhosts;
    }
    return r->nplats++;
}

int ct_model_plat_row(struct ctx *c, const char *name)
{
    struct ct_report *r = c->r;
    if (c->last_row >= 0 && c->last_row < r->nplats && strcmp(r->plats[c->last_row].key, name) == 0)
        return c->last_row;
    for (int i = 0; i < r->nplats; i++)
        if (strcmp(r->plats[i].key, name) == 0)
            return c->last_row = i;
    if (strcmp(name, CT_UNASSIGNED) != 0 && strcmp(name, CT_UNASSIGNED_PROVIDED) != 0)
        ct_model_warn(r, "the ledger holds figures for platform '%s', which the team file does "
                      "not define; they are shown under that name (add a [platform %s] section "
                      "to say how to count them)", name, name);
    int i = add_plat_row(c, name, NULL);
    return i < 0 ? i : (c->last_row = i);
}

const struct ct_platform *ct_model_team_plat(const struct ctx *c, int plat)
{
    return plat < (int)c->t->nplat ? &c->t->plat[plat] : NULL;
}

/* ---- accounting ---- */

int ct_model_use(struct ctx *c, int plat, const char *row_loc, int year)
{
    const char *loc = row_loc ? row_loc : "";
    for (int i = c->nrules - 1; i >= 0; i--)
        if (c->rules[i].plat == plat && c->rules[i].year == year && strcmp(c->rules[i].loc, loc) == 0)
            return c->rules[i].use;
    struct ct_acct rule;
    const struct ct_platform *p = ct_model_team_plat(c, plat);
    if (ct_acct_lookup(c->t, p, loc, year, &rule, c->e) < 0) {
        c->failed = 1;
        return -1;
    }
    if (rule.f.note[0])
        ct_model_warn(c->r, "%s: %s", rule.location, rule.f.note);
    if (rule.pue_defaulted)
        ct_model_warn(c->r, "platform '%s' gives no pue; 1.0 used (device energy only)",
                      c->r->plats[plat].key);
    int use = -1;
    for (int i = 0; i < c->nuses && use < 0; i++)
        if (c->uses[i].f.year_asked == year && c->uses[i].pue == rule.pue &&
            strcmp(c->uses[i].f.code, rule.location) == 0)
            use = i;
    if (use < 0) {
        struct ct_factor_use *u = realloc(c->uses, sizeof *u * (size_t)(c->nuses + 1));
        if (!u)
            return ct_model_oom(c);
        c->uses = u;
        snprintf(rule.f.code, sizeof rule.f.code, "%s", rule.location); /* as configured */
        c->uses[c->nuses] = (struct ct_factor_use){.f = rule.f, .pue = rule.pue,
                                                   .pue_source = rule.pue_source};
        use = c->nuses++;
    }
    struct rkey *k = realloc(c->rules, sizeof *k * (size_t)(c->nrules + 1));
    if (!k)
        return ct_model_oom(c);
    c->rules = k;
    k = &c->rules[c->nrules++];
    *k = (struct rkey){.plat = plat, .year = year, .use = use};
    snprintf(k->loc, sizeof k->loc, "%s", loc);
    return use;
}

/* ---- series ---- */

static size_t hash_key(int plat, const char *host, const char *device, const char *component,
                       int method, int kind)
{
    uint64_t h = ct_hash_str(ct_hash_str(ct_hash_str(CT_HASH_INIT, host), device), component);
    h ^= (uint64_t)plat * 0x9E3779B97F4A7C15ull + (uint64_t)(method * 8 + kind);
    h *= 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

static int same(const struct series *s, int plat, const char *host, const char *device,
                const char *component, int method, int kind)
{
    return s->plat == plat && s->method == method && s->kind == kind &&
           strcmp(s->host, host) == 0 && strcmp(s->device, device) == 0 &&
           strcmp(s->component, component) == 0;
}

struct series *ct_model_find(struct ctx *c, int plat, const char *host, const char *device,
                             const char *component, int method, int kind)
{
    if (!c->capslot)
        return NULL;
    size_t m = c->capslot - 1, i = hash_key(plat, host, device, component, method, kind) & m;
    for (; c->slot[i]; i = (i + 1) & m) {
        struct series *s = &c->ser[c->slot[i] - 1];
        if (same(s, plat, host, device, component, method, kind))
            return s;
    }
    return NULL;
}

static int rehash(struct ctx *c)
{
    size_t cap = c->capslot ? c->capslot * 2 : 256;
    size_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t k = 0; k < c->nser; k++) {
        const struct series *s = &c->ser[k];
        size_t i = hash_key(s->plat, s->host, s->device, s->component, s->method, s->kind) & (cap - 1);
        while (slot[i])
            i = (i + 1) & (cap - 1);
        slot[i] = k + 1;
    }
    free(c->slot);
    c->slot = slot;
    c->capslot = cap;
    return 0;
}

struct series *ct_model_series(struct ctx *c, int plat, const char *host, const char *device,
                               const char *component, int method, int kind, double units)
{
    struct series *s = ct_model_find(c, plat, host, device, component, method, kind);
    if (s)
        return s;
    if ((c->nser + 1) * 2 > c->capslot && rehash(c) < 0)
        return ct_model_oom(c), NULL;
    if (c->nser == c->capser) {
        size_t cap = c->capser ? c->capser * 2 : 64;
        struct series *n = realloc(c->ser, sizeof *n * cap);
        if (!n)
            return ct_model_oom(c), NULL;
        c->ser = n;
        c->capser = cap;
    }
    s = &c->ser[c->nser];
    memset(s, 0, sizeof *s);
    int nm = c->r->nmonths;
    s->kg_w = calloc((size_t)(2 * c->nweeks + 2 * nm), sizeof(double));
    s->host = strdup(host);
    s->device = strdup(device);
    s->component = strdup(component);
    if (!s->kg_w || !s->host || !s->device || !s->component) {
        free(s->kg_w);
        free(s->host);
        free(s->device);
        free(s->component);
        return ct_model_oom(c), NULL;
    }
    s->cov_w = s->kg_w + c->nweeks;
    s->kg_m = s->cov_w + c->nweeks;
    s->cov_m = s->kg_m + nm;
    s->plat = plat;
    s->method = method;
    s->kind = kind;
    s->units = units;
    s->hostu = s->gpu = -1;
    size_t m = c->capslot - 1, i = hash_key(plat, host, device, component, method, kind) & m;
    while (c->slot[i])
        i = (i + 1) & m;
    c->slot[i] = ++c->nser;
    return s;
}

int ct_model_week(const struct ctx *c, int64_t day)
{
    int w = (int)((day - c->r->from) / WEEK);
    return w < 0 ? 0 : w >= c->nweeks ? c->nweeks - 1 : w;
}

int ct_model_month(const struct ctx *c, int64_t day)
{
    int y, m, d;
    ct_civil_from_days(ct_floor(day, CT_DAY) / CT_DAY, &y, &m, &d);
    int i = (y - c->y0) * 12 + (m - c->m0);
    return i < 0 ? 0 : i >= c->r->nmonths ? c->r->nmonths - 1 : i;
}

void ct_model_add(struct ctx *c, struct series *s, int64_t day, double kg, double kwh,
                  double cov_s, int use)
{
    int w = ct_model_week(c, day), m = ct_model_month(c, day);
    double cov = cov_s * s->units;
    s->kg_w[w] += kg;
    s->cov_w[w] += cov;
    s->kg_m[m] += kg;
    s->cov_m[m] += cov;
    s->kg += kg;
    s->kwh += kwh;
    s->cov_s += cov;
    if (use < 0)
        return;
    for (int i = s->nuses - 1; i >= 0; i--)
        if (s->uses[i].use == use) {
            s->uses[i].kwh += kwh;
            s->uses[i].kg += kg;
            return;
        }
    struct suse *u = realloc(s->uses, sizeof *u * (size_t)(s->nuses + 1));
    if (!u) {
        ct_model_oom(c);
        return;
    }
    s->uses = u;
    s->uses[s->nuses++] = (struct suse){use, kwh, kg};
}

/* ---- the energy pass ---- */

static int plat_of_day(struct ctx *c, const struct ct_energy_day *d)
{
    if (d->platform[0]) {
        const struct ct_platform *p = ct_team_platform(c->t, d->platform);
        return p ? (int)(p - c->t->plat) : ct_model_plat_row(c, d->platform);
    }
    if (strcmp(c->last_host, d->host) != 0) {
        snprintf(c->last_host, sizeof c->last_host, "%s", d->host);
        c->last_plat = ct_team_platform_of_host(c->t, d->host);
    }
    return c->last_plat ? (int)(c->last_plat - c->t->plat) : ct_model_plat_row(c, CT_UNASSIGNED);
}

static int kind_of(const char *source_kind)
{
    if (strcmp(source_kind, "estimate") == 0)
        return SK_ESTIMATE;
    if (strcmp(source_kind, "usage") == 0)
        return SK_USAGE;
    return SK_SENSOR;
}

static int on_day(const struct ct_energy_day *d, void *ud)
{
    struct ctx *c = ud;
    int plat = plat_of_day(c, d);
    if (plat < 0)
        return 1;
    int kind = kind_of(d->source_kind);
    int use = ct_model_use(c, plat, ct_acct_row_location(d->source_kind, d->host), ct_year_of(d->day));
    if (use < 0)
        return 1;
    const struct ct_factor_use *u = &c->uses[use];
    double kwh = d->joules / 3.6e6, kg = kwh * u->pue * u->f.kg_per_kwh;
    if (!isfinite(kg)) {
        ct_errf(c->e, "the ledger holds a non-finite energy for %s/%s on the day of %lld "
                "(source kind %s); remove that source", d->host, d->device, (long long)d->day,
                d->source_kind);
        c->failed = 1;
        return 1;
    }
    if (!ct_model_accepts(c, plat, kind, kwh, kg))
        return c->failed;
    const struct ct_platform *p = ct_model_team_plat(c, plat);
    double units = p && kind == SK_ESTIMATE && p->method == CT_METHOD_CALCULATED ? p->count : 1;
    struct series *s = ct_model_series(c, plat, d->host, d->device, d->component, d->method, kind, units);
    if (!s)
        return 1;
    ct_model_add(c, s, d->day, kg, kwh, d->covered_s, use);
    s->idle_kwh += d->idle_joules / 3.6e6;
    struct ct_group *row = &c->r->plats[plat];
    if (strcmp(d->component, "gpu") == 0) {
        row->gpu_kwh += kwh;
        row->calculated_gpu |= d->method == CT_METHOD_CALCULATED;
    }
    if (d->method == CT_METHOD_MEASURED)
        ct_crosstab_day(c, plat, s, d, kg);
    return c->failed;
}

/* ---- the period's months ---- */

static int set_months(struct ctx *c)
{
    struct ct_report *r = c->r;
    int y, m, dd;
    ct_civil_from_days(ct_floor(r->from, CT_DAY) / CT_DAY, &c->y0, &c->m0, &dd);
    ct_civil_from_days(ct_floor(r->to - 1, CT_DAY) / CT_DAY, &y, &m, &dd);
    r->nmonths = (y - c->y0) * 12 + (m - c->m0) + 1;
    r->month_from = malloc(sizeof(int64_t) * (size_t)r->nmonths);
    r->month_to = malloc(sizeof(int64_t) * (size_t)r->nmonths);
    if (!r->month_from || !r->month_to)
        return ct_model_oom(c);
    for (int i = 0; i < r->nmonths; i++) {
        int64_t a = i ? r->month_to[i - 1] : r->from;
        int64_t z = ct_next_month(a);
        r->month_from[i] = a;
        r->month_to[i] = z < r->to ? z : r->to;
    }
    return 0;
}

double ct_year_scale(int64_t from, int64_t to)
{
    int64_t y0, y1;
    ct_year_bounds(ct_year_of(from), &y0, &y1);
    if (from == y0 && to == y1)
        return 1.0;
    return to > from ? 365.25 * CT_DAY / (double)(to - from) : 0;
}

static void free_ctx(struct ctx *c)
{
    for (size_t i = 0; i < c->nser; i++) {
        free(c->ser[i].kg_w);
        free(c->ser[i].host);
        free(c->ser[i].device);
        free(c->ser[i].component);
        free(c->ser[i].uses);
    }
    free(c->ser);
    free(c->slot);
    free(c->uses);
    free(c->rules);
}

/* Periods longer than this are refused: a report holds per-week and
 * per-month figures for every series. */
#define MAX_PERIOD_S (200 * 366 * (int64_t)CT_DAY)

int ct_report_build(const struct ct_ledger_h *L, const struct ct_team *t,
                    const struct ct_report_opts *o, struct ct_report *r, ct_err *e)
{
    memset(r, 0, sizeof *r);
    if (o->to <= o->from)
        return ct_errf(e, "the period is empty: --to must be after --from");
    if (o->to - o->from > MAX_PERIOD_S || o->from < 0 || o->to > CT_LEDGER_T_MAX)
        return ct_errf(e, "the period must lie within 1970..9999 and span at most 200 years");
    r->from = o->from;
    r->to = o->to;
    r->by = o->by;
    r->market = o->market;
    r->scopes = o->scopes ? o->scopes : (1 << 1) | (1 << 2) | (1 << 3);
    r->year_scale = ct_year_scale(o->from, o->to);
    snprintf(r->team, sizeof r->team, "%s", t->name ? t->name : "");
    snprintf(r->interval_method, sizeof r->interval_method,
             "each series (a device, a calculated platform, a provider's account and service) is "
             "extrapolated alone: observed kgCO2e per covered unit-second x the period's "
             "unit-seconds; the 95%% interval is the percentile interval of %d joint bootstrap "
             "replicates over weeks (the same week weights for every series, fixed seed), summed",
             CT_BOOT_REPLICATES);
    struct ctx c = {.t = t, .r = r, .e = e, .last_row = -1};
    c.nweeks = (int)((o->to - o->from + WEEK - 1) / WEEK);
    int rc = set_months(&c);
    for (size_t i = 0; rc == 0 && i < t->nplat; i++)
        rc = add_plat_row(&c, t->plat[i].name, &t->plat[i]) < 0 ? -1 : 0;
    if (rc == 0 && L->ops->scan_energy_days(L->db, o->from, o->to, on_day, &c, e) < 0)
        rc = -1;
    if (rc == 0 && !c.failed && ct_model_provided(L, &c, e) < 0)
        rc = -1;
    if (rc == 0 && !c.failed)
        rc = ct_model_finish(&c, e);
    if (c.failed)
        rc = -1;
    free_ctx(&c);
    if (rc < 0)
        ct_report_free(r);
    return rc;
}

static void free_groups(struct ct_group *g, int n)
{
    for (int i = 0; i < n; i++)
        free(g[i].uses);
    free(g);
}

void ct_report_free(struct ct_report *r)
{
    free_groups(r->groups, r->ngroups);
    free_groups(r->plats, r->nplats);
    free(r->plat_by_name);
    free(r->month_from);
    free(r->month_to);
    free(r->cells);
    free(r->gpus);
    free(r->hosts);
    free(r->overlaps);
    for (int i = 0; i < r->nwarnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    free(r->warn_slot);
    if (r->advice) {
        ct_advice_free(r->advice);
        free(r->advice);
    }
    if (r->sci) {
        ct_sci_free(r->sci);
        free(r->sci);
    }
    memset(r, 0, sizeof *r);
}

const struct ct_group *ct_report_platform(const struct ct_report *r, const char *name)
{
    if (!r->plat_by_name) {
        for (int i = 0; i < r->nplats; i++)
            if (strcmp(r->plats[i].key, name) == 0)
                return &r->plats[i];
        return NULL;
    }
    int lo = 0, hi = r->nplats;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(r->plats[r->plat_by_name[mid]].key, name);
        if (c == 0)
            return &r->plats[r->plat_by_name[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
