/* The provided-emissions pass of the report model: the providers' own kgCO2e,
 * taken as they are, spread over the days they cover.
 *
 * A series is one (platform, provider, account, project, service, region); the
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
    struct series *cur;       /* the series being collected (its rows arrive together) */
    struct span spans[MAX_SPANS];
    int nspans;
};

/* The platform row a provider's figure belongs to: the row's own platform
 * (import --platform), else the team platform that claims the provider's
 * account or project, else "(unassigned provided)". Never a guess. */
static int platform_of(struct ctx *c, const struct ct_provided_rec *r)
{
    const struct ct_team *t = c->t;
    if (r->platform && r->platform[0]) {
        const struct ct_platform *p = ct_team_platform(t, r->platform);
        return p ? (int)(p - t->plat) : ct_model_plat_row(c, r->platform);
    }
    const struct ct_platform *p = ct_team_platform_of_provided(t, r->provider, r->account, r->project);
    return p ? (int)(p - t->plat) : ct_model_plat_row(c, CT_UNASSIGNED_PROVIDED);
}

/* Adds kg_per_s (or, with cov, the covered seconds) for each day [a, b) touches. */
static void each_day(struct pctx *pc, int64_t a, int64_t b, double kg_per_s, int cov)
{
    for (int64_t d = ct_floor(a, CT_DAY); d < b; d += CT_DAY) {
        int64_t lo = d > a ? d : a, hi = d + CT_DAY < b ? d + CT_DAY : b;
        double s = (double)(hi - lo);
        ct_model_add(pc->c, pc->cur, d, cov ? 0 : kg_per_s * s, 0, cov ? s : 0, -1);
    }
}

static int cmp_span(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return (x->t0 > y->t0) - (x->t0 < y->t0);
}

/* Adds the union of the series' spans as covered time. */
static void flush_series(struct pctx *pc)
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

/* 1: counted; 0: not asked for (another scope or basis). */
static int wanted_scope(const struct ct_report *r, const struct ct_provided_rec *p)
{
    return p->scope >= 1 && p->scope <= 3 && (r->scopes & (1 << p->scope));
}

static int wanted_basis(const struct ct_report *r, const struct ct_provided_rec *p)
{
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

static int on_row(const struct ct_provided_rec *p, void *ud)
{
    struct pctx *pc = ud;
    struct ctx *c = pc->c;
    struct ct_report *r = c->r;
    if (!wanted_scope(r, p) || p->t1 <= p->t0)
        return 0;
    int64_t a = p->t0 > r->from ? p->t0 : r->from, b = p->t1 < r->to ? p->t1 : r->to;
    if (b <= a)
        return 0;
    if (!isfinite(p->kgco2e)) {
        ct_errf(c->e, "the ledger holds a non-finite provided figure (%s %s %s); remove that "
                "source", p->provider, p->account, p->service);
        return c->failed = 1;
    }
    double kg_per_s = p->kgco2e / (double)(p->t1 - p->t0), kg = kg_per_s * (double)(b - a);
    if (!wanted_basis(r, p)) {
        r->other_basis_kg += kg;
        return 0;
    }
    int plat = platform_of(c, p);
    if (plat < 0)
        return 1;
    if (!ct_model_accepts(c, plat, SK_PROVIDED, NAN, kg))
        return c->failed;
    char host[160], dev[320];
    snprintf(host, sizeof host, "%s:%s", p->provider, p->account);
    snprintf(dev, sizeof dev, "%s%s%s@%s", p->project, p->project[0] ? "/" : "", p->service,
             p->region);
    struct series *s = ct_model_series(c, plat, host, dev, "provided", CT_METHOD_PROVIDED,
                                       SK_PROVIDED, 1);
    if (!s)
        return 1;
    if (s != pc->cur) {
        flush_series(pc);
        pc->cur = s;
    }
    each_day(pc, a, b, kg_per_s, 0);
    note_provider(r, p, kg);
    if (pc->nspans == MAX_SPANS)
        flush_series(pc); /* a union in pieces only over-counts overlapping pieces */
    pc->spans[pc->nspans++] = (struct span){a, b};
    return c->failed;
}

int ct_model_provided(const struct ct_ledger_h *L, struct ctx *c, ct_err *e)
{
    struct pctx *pc = calloc(1, sizeof *pc);
    if (!pc)
        return ct_errf(e, "out of memory building the report");
    pc->c = c;
    int rc = L->ops->scan_provided(L->db, c->r->from, c->r->to, on_row, pc, e);
    if (rc == 0)
        flush_series(pc);
    free(pc);
    struct ct_report *r = c->r;
    if (rc == 0 && r->other_basis_kg > 0)
        ct_model_warn(r, "this period also holds %.1f kgCO2e of %s-based provided figures, not "
                      "counted: reports take one basis at a time (use --basis %s for those)",
                      r->other_basis_kg, r->market ? "location" : "market",
                      r->market ? "location" : "market");
    return rc;
}
