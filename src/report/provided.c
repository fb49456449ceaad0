/* The provided-emissions pass of the report model: the providers' own kgCO2e,
 * taken as they are, spread over the days they cover.
 *
 * Coverage: each (provider, account, project, service, region) is one device; the
 * time it covers is the union of its rows' periods, so the scopes of one month
 * count that month once. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "core/timeutil.h"
#include "report/model_int.h"

#define MAX_SPANS 4096

struct span {
    int64_t t0, t1;
};

struct pctx {
    struct ctx *c;
    /* the device being collected (rows of one device arrive together) */
    char dev_key[512], host[160], device[320];
    const struct ct_platform *plat;
    char plat_name[128];
    struct span spans[MAX_SPANS];
    int nspans;
    int failed;
};

/* The platform a provider's figures belong to: the row's own, else the provided
 * platform at that provider's location, else the only provided platform. */
static const struct ct_platform *platform_of(const struct ct_team *t, const struct ct_provided_rec *r)
{
    if (r->platform && r->platform[0])
        return ct_team_platform(t, r->platform);
    const struct ct_platform *only = NULL;
    int nprov = 0;
    size_t plen = strlen(r->provider);
    for (size_t i = 0; i < t->nplat; i++) {
        const struct ct_platform *p = &t->plat[i];
        if (p->method != CT_METHOD_PROVIDED)
            continue;
        if (p->location && strncmp(p->location, r->provider, plen) == 0 && p->location[plen] == ':')
            return p;
        if (strcmp(p->name, r->provider) == 0)
            return p;
        only = p;
        nprov++;
    }
    return nprov == 1 ? only : NULL;
}

/* Group keys are cut to the key's size; the full names stay in the ledger. */
static void key_for(struct pctx *pc, int64_t day, char *key, size_t n)
{
    switch (pc->c->r->by) {
    case CT_BY_PLATFORM: ct_strlcpy(key, pc->plat_name, n); break;
    case CT_BY_HOST: ct_strlcpy(key, pc->host, n); break;
    case CT_BY_DEVICE:
        ct_strlcpy(key, pc->host, n);
        ct_strlcat(key, "/", n);
        ct_strlcat(key, pc->device, n);
        break;
    case CT_BY_MONTH: ct_fmt_month(day, key); break;
    default: ct_strlcpy(key, "provided", n);
    }
}

static struct ct_group *group_at(struct pctx *pc, int64_t day)
{
    char key[160];
    key_for(pc, day, key, sizeof key);
    struct ct_group *g = ct_model_group(pc->c, key, day);
    ct_model_device(g->priv, pc->host, pc->device);
    return g;
}

/* Calls add(day, seconds of [a, b) in that day) for each day [a, b) touches. */
static void each_day(struct pctx *pc, int64_t a, int64_t b, double kg_per_s, int cov)
{
    for (int64_t d = ct_floor(a, CT_DAY); d < b; d += CT_DAY) {
        int64_t lo = d > a ? d : a, hi = d + CT_DAY < b ? d + CT_DAY : b;
        double s = (double)(hi - lo);
        ct_model_add(pc->c, group_at(pc, d), d, cov ? 0 : kg_per_s * s, cov ? s : 0,
                     CT_METHOD_PROVIDED);
    }
}

static int cmp_span(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return (x->t0 > y->t0) - (x->t0 < y->t0);
}

/* Adds the union of the device's spans as covered time. */
static void flush_device(struct pctx *pc)
{
    if (pc->nspans == 0)
        return;
    qsort(pc->spans, (size_t)pc->nspans, sizeof *pc->spans, cmp_span);
    int64_t a = pc->spans[0].t0, b = pc->spans[0].t1;
    for (int i = 1; i <= pc->nspans; i++) {
        if (i < pc->nspans && pc->spans[i].t0 <= b) {
            if (pc->spans[i].t1 > b)
                b = pc->spans[i].t1;
            continue;
        }
        each_day(pc, a, b, 0, 1);
        if (i < pc->nspans) {
            a = pc->spans[i].t0;
            b = pc->spans[i].t1;
        }
    }
    pc->nspans = 0;
}

static int wanted(const struct ct_report *r, const struct ct_provided_rec *p)
{
    if (p->scope < 1 || p->scope > 3 || !(r->scopes & (1 << p->scope)))
        return 0;
    /* market_based < 0: the figure does not depend on the basis (scopes 1 and 3). */
    return p->market_based < 0 || p->market_based == r->market;
}

static void note_provider(struct ct_report *r, const struct ct_provided_rec *p, double kg)
{
    int i;
    for (i = 0; i < r->nproviders; i++)
        if (strcmp(r->providers[i].provider, p->provider) == 0)
            break;
    if (i == r->nproviders) {
        if (i == (int)(sizeof r->providers / sizeof *r->providers))
            return;
        snprintf(r->providers[i].provider, sizeof r->providers[i].provider, "%s", p->provider);
        r->nproviders++;
    }
    r->providers[i].scopes |= 1 << p->scope;
    r->providers[i].kgco2e += kg;
}

static void start_device(struct pctx *pc, const struct ct_provided_rec *p, const char *key)
{
    flush_device(pc);
    snprintf(pc->dev_key, sizeof pc->dev_key, "%s", key);
    snprintf(pc->host, sizeof pc->host, "%s:%s", p->provider, p->account);
    snprintf(pc->device, sizeof pc->device, "%s%s%s@%s", p->project, p->project[0] ? "/" : "",
             p->service, p->region);
    pc->plat = platform_of(pc->c->t, p);
    snprintf(pc->plat_name, sizeof pc->plat_name, "%s", pc->plat ? pc->plat->name : UNASSIGNED);
}

static int on_row(const struct ct_provided_rec *p, void *ud)
{
    struct pctx *pc = ud;
    struct ct_report *r = pc->c->r;
    if (!wanted(r, p) || p->t1 <= p->t0)
        return 0;
    char key[512];
    snprintf(key, sizeof key, "%s\x1f%s\x1f%s\x1f%s\x1f%s", p->provider, p->account, p->project,
             p->service, p->region);
    if (strcmp(key, pc->dev_key) != 0)
        start_device(pc, p, key);
    int64_t a = p->t0 > r->from ? p->t0 : r->from, b = p->t1 < r->to ? p->t1 : r->to;
    if (b <= a || ct_model_overlap(pc->c, pc->plat, CT_METHOD_PROVIDED, a))
        return 0;
    double kg_per_s = p->kgco2e / (double)(p->t1 - p->t0);
    each_day(pc, a, b, kg_per_s, 0);
    note_provider(r, p, kg_per_s * (double)(b - a));
    if (pc->nspans == MAX_SPANS)
        flush_device(pc); /* a union in pieces only over-counts overlapping pieces */
    pc->spans[pc->nspans++] = (struct span){a, b};
    return 0;
}

int ct_model_provided(const struct ct_ledger_h *L, struct ctx *c, ct_err *e)
{
    struct pctx *pc = calloc(1, sizeof *pc);
    if (!pc)
        abort();
    pc->c = c;
    int rc = L->ops->scan_provided(L->db, c->r->from, c->r->to, on_row, pc, e);
    flush_device(pc);
    free(pc);
    return rc;
}
