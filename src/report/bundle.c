/* The report by platform and its cross-tabs, gathered through the model's tap
 * during its one pass over the ledger. */
#include "report/bundle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

/* A platform's months while the pass runs (the report's groups are not final
 * until it ends, so rows are keyed by name and matched afterwards). */
struct trow {
    char key[160];
    double *kg, *cov;
    struct ct_platform_use use;
};

struct bctx {
    struct ct_bundle *b;
    int y0, m0;                  /* the period's first month */
    struct trow *rows;
    int nrows, last_row;
    int last_host, last_gpu;
    char last_dev[160];          /* to count a host's devices (they arrive together) */
};

static void *grow(void *p, int n, size_t size)
{
    /* Doubling at powers of two keeps appends amortised O(1). */
    if (n & (n - 1))
        return p;
    void *q = realloc(p, size * (size_t)(n ? 2 * n : 1));
    if (!q)
        abort();
    return q;
}

static int month_index(const struct bctx *c, int64_t day)
{
    int y, m, d;
    ct_civil_from_days(ct_floor(day, CT_DAY) / CT_DAY, &y, &m, &d);
    int i = (y - c->y0) * 12 + (m - c->m0);
    return i < 0 ? 0 : i >= c->b->nmonths ? c->b->nmonths - 1 : i;
}

static struct trow *row_for(struct bctx *c, const char *key)
{
    if (c->nrows && strcmp(c->rows[c->last_row].key, key) == 0)
        return &c->rows[c->last_row];
    for (int i = 0; i < c->nrows; i++)
        if (strcmp(c->rows[i].key, key) == 0)
            return &c->rows[c->last_row = i];
    c->rows = grow(c->rows, c->nrows, sizeof *c->rows);
    struct trow *r = &c->rows[c->nrows];
    memset(r, 0, sizeof *r);
    snprintf(r->key, sizeof r->key, "%s", key);
    r->kg = calloc((size_t)c->b->nmonths, sizeof *r->kg);
    r->cov = calloc((size_t)c->b->nmonths, sizeof *r->cov);
    if (!r->kg || !r->cov)
        abort();
    c->last_row = c->nrows++;
    return r;
}

static struct ct_host_use *host_for(struct bctx *c, const char *plat, const char *host)
{
    struct ct_bundle *b = c->b;
    int i = c->last_host;
    if (!(b->nhosts && strcmp(b->hosts[i].host, host) == 0 && strcmp(b->hosts[i].platform, plat) == 0)) {
        for (i = 0; i < b->nhosts; i++)
            if (strcmp(b->hosts[i].host, host) == 0 && strcmp(b->hosts[i].platform, plat) == 0)
                break;
        if (i == b->nhosts) {
            b->hosts = grow(b->hosts, b->nhosts, sizeof *b->hosts);
            memset(&b->hosts[i], 0, sizeof b->hosts[i]);
            snprintf(b->hosts[i].platform, sizeof b->hosts[i].platform, "%s", plat);
            snprintf(b->hosts[i].host, sizeof b->hosts[i].host, "%s", host);
            b->nhosts++;
        }
        c->last_dev[0] = '\0';
    }
    c->last_host = i;
    return &b->hosts[i];
}

static struct ct_gpu_use *gpu_for(struct bctx *c, const char *plat, const struct ct_energy_day *d)
{
    struct ct_bundle *b = c->b;
    int i = c->last_gpu;
    if (b->ngpus && strcmp(b->gpus[i].device, d->device) == 0 && strcmp(b->gpus[i].host, d->host) == 0 &&
        strcmp(b->gpus[i].platform, plat) == 0)
        return &b->gpus[i];
    for (i = 0; i < b->ngpus; i++)
        if (strcmp(b->gpus[i].device, d->device) == 0 && strcmp(b->gpus[i].host, d->host) == 0 &&
            strcmp(b->gpus[i].platform, plat) == 0)
            return &b->gpus[c->last_gpu = i];
    b->gpus = grow(b->gpus, b->ngpus, sizeof *b->gpus);
    struct ct_gpu_use *u = &b->gpus[b->ngpus];
    memset(u, 0, sizeof *u);
    snprintf(u->platform, sizeof u->platform, "%s", plat);
    snprintf(u->host, sizeof u->host, "%s", d->host);
    snprintf(u->device, sizeof u->device, "%s", d->device);
    u->first_day = d->day;
    c->last_gpu = b->ngpus++;
    return u;
}

/* Measured energy per host and per GPU. Utilisation is known for a record when
 * it carries some (the ledger reads an unknown one as 0) or idle time (which
 * only a utilisation reading can give). */
static void add_measured(struct bctx *c, const char *plat, const struct ct_energy_day *d, double kg)
{
    double kwh = d->joules / 3.6e6;
    struct ct_host_use *h = host_for(c, plat, d->host);
    if (strcmp(c->last_dev, d->device) != 0) {
        snprintf(c->last_dev, sizeof c->last_dev, "%s", d->device);
        h->ndevices++;
    }
    h->kwh += kwh;
    h->kg += kg;
    h->covered_s += d->covered_s;
    if (d->util_s > 0 || d->idle_s > 0) {
        h->util_s += d->util_s;
        h->util_cov_s += d->covered_s;
    }
    if (strcmp(d->component, "gpu") != 0)
        return;
    struct ct_gpu_use *g = gpu_for(c, plat, d);
    double idle_share = d->joules > 0 ? d->idle_joules / d->joules : 0;
    g->kwh += kwh;
    g->idle_kwh += d->idle_joules / 3.6e6;
    g->kg += kg;
    g->idle_kg += kg * idle_share;
    g->covered_s += d->covered_s;
    g->idle_s += d->idle_s;
    g->util_s += d->util_s;
    g->last_day = d->day;
}

static void tap(void *ud, const struct ct_group *g, const struct ct_energy_day *d, int64_t day,
                double kg, double cov_s, int method)
{
    struct bctx *c = ud;
    struct trow *row = row_for(c, g->key);
    int m = month_index(c, day);
    row->kg[m] += kg;
    row->cov[m] += cov_s;
    if (!d)
        return;
    double kwh = d->joules / 3.6e6;
    row->use.kwh += kwh;
    if (strcmp(d->component, "gpu") == 0) {
        row->use.gpu_kwh += kwh;
        row->use.calculated_gpu |= method == CT_METHOD_CALCULATED;
    }
    if (method == CT_METHOD_MEASURED)
        add_measured(c, g->key, d, kg);
}

static void set_months(struct ct_bundle *b, struct bctx *c)
{
    int y, m, dd;
    ct_civil_from_days(ct_floor(b->r.from, CT_DAY) / CT_DAY, &c->y0, &c->m0, &dd);
    int64_t from = b->r.from, to = b->r.to;
    ct_civil_from_days(ct_floor(to - 1, CT_DAY) / CT_DAY, &y, &m, &dd);
    b->nmonths = (y - c->y0) * 12 + (m - c->m0) + 1;
    b->month_from = malloc(sizeof(int64_t) * (size_t)b->nmonths);
    b->month_to = malloc(sizeof(int64_t) * (size_t)b->nmonths);
    if (!b->month_from || !b->month_to)
        abort();
    for (int i = 0; i < b->nmonths; i++) {
        int64_t a = i ? ct_next_month(b->month_from[i - 1]) : ct_month_start(from);
        int64_t z = ct_next_month(a);
        b->month_from[i] = a;
        b->month_to[i] = z < to ? z : to;
    }
    b->month_from[0] = from;
}

/* The extrapolated part of a platform's total, spread over its months in
 * proportion to the device-time they lack, so the months add up to the total. */
static void spread_extra(struct ct_bundle *b, int gi, const struct trow *row)
{
    const struct ct_group *g = &b->r.groups[gi];
    double extra = g->extrapolated - g->kgco2e, unc_sum = 0;
    double *unc = calloc((size_t)b->nmonths, sizeof *unc);
    if (!unc)
        abort();
    for (int m = 0; m < b->nmonths; m++) {
        double cap = (double)g->ndevices * (double)(b->month_to[m] - b->month_from[m]);
        ct_bundle_cell(b, gi, m)->kg = row->kg[m];
        ct_bundle_cell(b, gi, m)->cov_s = row->cov[m];
        unc[m] = cap > row->cov[m] ? cap - row->cov[m] : 0;
        unc_sum += unc[m];
    }
    for (int m = 0; m < b->nmonths && extra > 0 && unc_sum > 0; m++)
        ct_bundle_cell(b, gi, m)->extra_kg = extra * unc[m] / unc_sum;
    free(unc);
}

static void finish(struct ct_bundle *b, struct bctx *c)
{
    int n = b->r.ngroups;
    b->cells = calloc((size_t)(n ? n : 1) * (size_t)b->nmonths, sizeof *b->cells);
    b->plat = calloc((size_t)(n ? n : 1), sizeof *b->plat);
    if (!b->cells || !b->plat)
        abort();
    for (int gi = 0; gi < n; gi++)
        for (int k = 0; k < c->nrows; k++)
            if (strcmp(c->rows[k].key, b->r.groups[gi].key) == 0) {
                b->plat[gi] = c->rows[k].use;
                spread_extra(b, gi, &c->rows[k]);
            }
}

static void free_rows(struct bctx *c)
{
    for (int i = 0; i < c->nrows; i++) {
        free(c->rows[i].kg);
        free(c->rows[i].cov);
    }
    free(c->rows);
}

double ct_year_scale(int64_t from, int64_t to)
{
    int64_t y0, y1;
    ct_year_bounds(ct_year_of(from), &y0, &y1);
    if (from == y0 && to == y1)
        return 1.0;
    return to > from ? 365.25 * CT_DAY / (double)(to - from) : 0;
}

int ct_bundle_build(const struct ct_ledger_h *L, const struct ct_team *t,
                    const struct ct_report_opts *o, struct ct_bundle *b, ct_err *e)
{
    memset(b, 0, sizeof *b);
    if (o->to <= o->from)
        return ct_errf(e, "the period is empty: --to must be after --from");
    struct bctx c = {.b = b};
    b->r.from = o->from;
    b->r.to = o->to;
    set_months(b, &c);
    struct ct_report_opts ro = *o;
    ro.by = CT_BY_PLATFORM;
    ro.tap = tap;
    ro.tap_ud = &c;
    int rc = ct_report_build(L, t, &ro, &b->r, e);
    if (rc == 0)
        finish(b, &c);
    free_rows(&c);
    b->year_scale = ct_year_scale(o->from, o->to);
    if (rc < 0)
        ct_bundle_free(b);
    return rc;
}

void ct_bundle_free(struct ct_bundle *b)
{
    ct_report_free(&b->r);
    free(b->month_from);
    free(b->month_to);
    free(b->cells);
    free(b->plat);
    free(b->gpus);
    free(b->hosts);
    memset(b, 0, sizeof *b);
}
