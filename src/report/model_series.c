/* Extrapolates every series alone and sums the series into the grouping asked
 * for, the platforms, the months and the total (model.h says why). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "core/timeutil.h"
#include "report/model_int.h"

/* A sum of series while it is being made. */
struct acc {
    char key[160];
    double *reps;             /* sum of replicates of bootstrapped members; NULL: none */
    double offset;            /* members with a fixed figure (full or too little data) */
    int thin;                 /* members with too little data */
    char basis[96];           /* the first such member's */
    double kg, est, kwh, idle, cov, cap, units;
    int methods, nseries;
    struct suse *uses;
    int nuses;
};

struct sums {
    struct acc *a;
    int n;
    size_t *slot;             /* key -> index + 1 (groups by a key) */
    size_t capslot;
};

static int sums_init(struct sums *s, int n)
{
    memset(s, 0, sizeof *s);
    s->a = calloc((size_t)(n > 0 ? n : 1), sizeof *s->a);
    s->n = n;
    return s->a ? 0 : -1;
}

/* The accumulator for a key, created when new; -1 when out of memory. Keys
 * are cut to the row's key size first (the full names stay in the ledger). */
static int sums_key(struct sums *s, const char *full)
{
    char key[sizeof s->a->key];
    ct_strlcpy(key, full, sizeof key);
    if ((size_t)(s->n + 1) * 2 > s->capslot) {
        size_t cap = s->capslot ? s->capslot * 2 : 64;
        size_t *slot = calloc(cap, sizeof *slot);
        if (!slot)
            return -1;
        for (int k = 0; k < s->n; k++) {
            size_t i = (size_t)ct_hash_str(CT_HASH_INIT, s->a[k].key) & (cap - 1);
            while (slot[i])
                i = (i + 1) & (cap - 1);
            slot[i] = (size_t)k + 1;
        }
        free(s->slot);
        s->slot = slot;
        s->capslot = cap;
    }
    size_t m = s->capslot - 1, i = (size_t)ct_hash_str(CT_HASH_INIT, key) & m;
    for (; s->slot[i]; i = (i + 1) & m)
        if (strcmp(s->a[s->slot[i] - 1].key, key) == 0)
            return (int)s->slot[i] - 1;
    struct acc *a = realloc(s->a, sizeof *a * (size_t)(s->n + 1));
    if (!a)
        return -1;
    s->a = a;
    memset(&a[s->n], 0, sizeof *a);
    memcpy(a[s->n].key, key, sizeof key);
    s->slot[i] = (size_t)s->n + 1;
    return s->n++;
}

static void sums_free(struct sums *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->a[i].reps);
        free(s->a[i].uses);
    }
    free(s->a);
    free(s->slot);
    memset(s, 0, sizeof *s);
}

/* ---- one series ---- */

static void describe_time(double s, char *out, size_t n)
{
    if (s < 120)
        snprintf(out, n, "%.0f s", s);
    else if (s < 2 * 3600)
        snprintf(out, n, "%.0f min", s / 60);
    else if (s < 3 * CT_DAY)
        snprintf(out, n, "%.1f h", s / 3600);
    else
        snprintf(out, n, "%.1f days", s / CT_DAY);
}

static void finish_series(struct ctx *c, struct series *s)
{
    const struct ct_report *r = c->r;
    double cap = s->units * (double)(r->to - r->from);
    int weeks = 0;
    for (int w = 0; w < c->nweeks; w++)
        weeks += s->cov_w[w] > 0;
    s->state = SS_FULL;
    s->est = s->kg;
    if (s->cov_s > cap * (1 + 1e-9))
        ct_model_warn(c->r, "%s/%s has more data than time (coverage %.3f): two sources measured "
                      "the same device; check for a log imported beside a live agent", s->host,
                      s->device, s->cov_s / cap);
    if (s->cov_s >= cap * (1 - 1e-9))
        return;
    char t[32];
    describe_time(s->cov_s / s->units, t, sizeof t);
    if (!(s->cov_s > 0)) {
        s->state = SS_THIN;
        snprintf(s->basis, sizeof s->basis, "no covered time");
        return;
    }
    s->est = s->kg / s->cov_s * cap;
    if (weeks >= CT_MIN_WEEKS && s->cov_s >= CT_MIN_COVER * cap) {
        s->state = SS_BOOT;
        return;
    }
    s->state = SS_THIN;
    snprintf(s->basis, sizeof s->basis, "%s of data in %d week%s", t, weeks, weeks == 1 ? "" : "s");
}

/* Adds series s (its replicates in reps when bootstrapped) to an accumulator.
 * f scales the figures (a month's part of the series); kg, est, cov, cap are
 * the part's own. */
static int add_to(struct acc *a, const struct series *s, const double *reps, double kg,
                  double est, double cov, double cap, double kwh, double gapf)
{
    a->kg += kg;
    a->est += est;
    a->cov += cov;
    a->cap += cap;
    a->kwh += kwh;
    a->nseries++;
    a->methods |= 1 << s->method;
    if (s->state == SS_THIN) {
        if (!a->thin++)
            snprintf(a->basis, sizeof a->basis, "%s", s->basis);
    }
    if (s->state != SS_BOOT) {
        a->offset += est;
        return 0;
    }
    if (!a->reps && !(a->reps = calloc(CT_BOOT_REPLICATES, sizeof *a->reps)))
        return -1;
    /* A part of the series takes its observed part plus its share (gapf) of
     * the replicate's extrapolated rest, so the parts add up to the whole. */
    for (int b = 0; b < CT_BOOT_REPLICATES; b++)
        a->reps[b] += kg + (reps[b] - s->kg) * gapf;
    return 0;
}

static int add_uses(struct acc *a, const struct series *s, double f)
{
    for (int k = 0; k < s->nuses; k++) {
        int i;
        for (i = 0; i < a->nuses; i++)
            if (a->uses[i].use == s->uses[k].use)
                break;
        if (i == a->nuses) {
            struct suse *u = realloc(a->uses, sizeof *u * (size_t)(a->nuses + 1));
            if (!u)
                return -1;
            a->uses = u;
            a->uses[a->nuses++] = (struct suse){s->uses[k].use, 0, 0};
        }
        a->uses[i].kwh += s->uses[k].kwh * f;
        a->uses[i].kg += s->uses[k].kg * f;
    }
    return 0;
}

static void group_key(const struct ctx *c, const struct series *s, char *key, size_t n)
{
    switch (c->r->by) {
    case CT_BY_HOST: snprintf(key, n, "%s", s->host); break;
    case CT_BY_DEVICE: snprintf(key, n, "%s/%s", s->host, s->device); break;
    case CT_BY_METHOD: snprintf(key, n, "%s", ct_method_name(s->method)); break;
    default: snprintf(key, n, "%s", c->r->plats[s->plat].key);
    }
}

/* The series' months: observed plus a share of the extrapolated rest in
 * proportion to the unit-time each month lacks. */
static void month_gaps(const struct ctx *c, const struct series *s, double *gapf)
{
    const struct ct_report *r = c->r;
    double sum = 0;
    for (int m = 0; m < r->nmonths; m++) {
        double cap = s->units * (double)(r->month_to[m] - r->month_from[m]);
        gapf[m] = cap > s->cov_m[m] ? cap - s->cov_m[m] : 0;
        sum += gapf[m];
    }
    for (int m = 0; m < r->nmonths; m++)
        gapf[m] = sum > 0 ? gapf[m] / sum : 0;
}

/* ---- sums into rows ---- */

static const char *methods_name(int m)
{
    if (m & (m - 1))
        return "mixed";
    return ct_method_name(m == 1 ? 0 : m == 2 ? 1 : 2);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void ct_percentile_interval(double *v, int n, double *lo, double *hi)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double p[2] = {0.025, 0.975}, out[2];
    for (int k = 0; k < 2; k++) {
        double h = (n - 1) * p[k];
        int i = (int)floor(h);
        out[k] = i >= n - 1 ? v[n - 1] : v[i] + (h - i) * (v[i + 1] - v[i]);
    }
    *lo = out[0];
    *hi = out[1];
}

/* Writes an accumulator's figures into a row (keeping the row's key, method
 * and platform facts where it has them). */
static int to_row(const struct ctx *c, struct acc *a, struct ct_group *g)
{
    g->energy_kwh = a->kwh;
    g->kgco2e = a->kg;
    g->extrapolated = a->est;
    g->nseries = a->nseries;
    g->units = a->units;
    g->coverage = a->cap > 0 ? (a->cov < a->cap ? a->cov / a->cap : 1) : 0;
    if (!g->method[0])
        snprintf(g->method, sizeof g->method, "%s", a->nseries ? methods_name(a->methods) : "");
    g->has_interval = a->nseries > 0 && !a->thin;
    g->lo = g->hi = g->has_interval ? a->est : NAN;
    if (a->thin == 1)
        snprintf(g->basis, sizeof g->basis, "too little data: %s", a->basis);
    else if (a->thin > 1)
        snprintf(g->basis, sizeof g->basis, "too little data in %d series (one: %s)", a->thin, a->basis);
    else if (a->nseries == 0)
        snprintf(g->basis, sizeof g->basis, "no data in this period");
    if (g->has_interval && a->reps) {
        for (int b = 0; b < CT_BOOT_REPLICATES; b++)
            a->reps[b] += a->offset;
        ct_percentile_interval(a->reps, CT_BOOT_REPLICATES, &g->lo, &g->hi);
        if (g->hi - g->lo <= 1e-12 * fabs(a->est))
            g->lo = g->hi = a->est;
    }
    free(g->uses);
    g->uses = calloc((size_t)(a->nuses ? a->nuses : 1), sizeof *g->uses);
    if (!g->uses)
        return -1;
    g->nuses = a->nuses;
    for (int i = 0; i < a->nuses; i++) {
        g->uses[i] = c->uses[a->uses[i].use];
        g->uses[i].energy_kwh = a->uses[i].kwh;
        g->uses[i].kgco2e = a->uses[i].kg;
    }
    g->pue = g->factor = NAN;
    g->factor_source = NULL;
    g->factor_year = 0;
    if (g->nuses) {
        g->pue = g->uses[0].pue;
        g->factor = g->uses[0].f.kg_per_kwh;
        g->factor_source = g->uses[0].f.source;
        g->factor_year = g->uses[0].f.year;
    }
    for (int i = 1; i < g->nuses; i++) {
        if (g->uses[i].pue != g->pue)
            g->pue = NAN;
        if (strcmp(g->uses[i].f.code, g->uses[0].f.code) != 0 || g->uses[i].f.year != g->factor_year) {
            g->factor = NAN;
            g->factor_source = NULL;
            g->factor_year = 0;
        }
    }
    return 0;
}

/* ---- the whole ---- */

struct fin {
    struct sums groups, plats, months, total;
    double *reps, *gapf;
    struct ct_boot boot;
};

/* Adds one finished series everywhere it counts. */
static int spread(struct ctx *c, struct fin *f, const struct series *s)
{
    const struct ct_report *r = c->r;
    double cap = s->units * (double)(r->to - r->from);
    if (s->state == SS_BOOT)
        ct_boot_series(&f->boot, s->kg_w, s->cov_w, cap, f->reps);
    struct acc *targets[3] = {&f->plats.a[s->plat], &f->total.a[0], NULL};
    if (r->by != CT_BY_MONTH && r->by != CT_BY_PLATFORM) {
        char key[320];
        group_key(c, s, key, sizeof key);
        int g = sums_key(&f->groups, key);
        if (g < 0)
            return -1;
        targets[2] = &f->groups.a[g];
    }
    for (int k = 0; k < 3 && targets[k]; k++) {
        targets[k]->units += s->units;
        if (add_to(targets[k], s, f->reps, s->kg, s->est, s->cov_s, cap, s->kwh, 1) < 0 ||
            add_uses(targets[k], s, 1) < 0)
            return -1;
        targets[k]->idle += s->idle_kwh;
    }
    month_gaps(c, s, f->gapf);
    for (int m = 0; m < r->nmonths; m++) {
        double mcap = s->units * (double)(r->month_to[m] - r->month_from[m]);
        double est = s->kg_m[m] + (s->est - s->kg) * f->gapf[m];
        struct ct_month_cell *cell = ct_report_cell(r, s->plat, m);
        cell->kg += s->kg_m[m];
        cell->cov_s += s->cov_m[m];
        cell->extrapolated += est;
        if (r->by != CT_BY_MONTH)
            continue;
        struct acc *a = &f->months.a[m];
        double part = s->kg > 0 ? s->kg_m[m] / s->kg : 0;
        a->units += s->units;
        if (add_to(a, s, f->reps, s->kg_m[m], est, s->cov_m[m], mcap, s->kwh * part, f->gapf[m]) < 0 ||
            add_uses(a, s, part) < 0)
            return -1;
        a->idle += s->idle_kwh * part;
    }
    return 0;
}

static int cmp_rows(const void *x, const void *y)
{
    const struct ct_group *a = x, *b = y;
    if ((a->nseries > 0) != (b->nseries > 0))
        return a->nseries > 0 ? -1 : 1;
    if (a->extrapolated != b->extrapolated)
        return a->extrapolated < b->extrapolated ? 1 : -1;
    return strcmp(a->key, b->key);
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(((const struct ct_group *)a)->key, ((const struct ct_group *)b)->key);
}

/* Sorts the platform rows (data first, biggest first; then the team's
 * platforms without data, in team-file order) and their month cells with
 * them. */
static const struct ct_report *sort_report; /* qsort has no context argument */

/* Platform rows in print order: those with data first, biggest extrapolated
 * figure first; then the team's platforms without data, in team-file order
 * (their index). */
static int cmp_plat_order(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    const struct ct_group *x = &sort_report->plats[i], *y = &sort_report->plats[j];
    if ((x->nseries > 0) != (y->nseries > 0))
        return x->nseries > 0 ? -1 : 1;
    if (x->nseries == 0)
        return (i > j) - (i < j);
    return cmp_rows(x, y);
}

/* Sorts the platform rows and their month cells with them. */
static int sort_plats(struct ct_report *r)
{
    int n = r->nplats;
    if (n < 2)
        return 0;
    struct ct_group *sorted = malloc(sizeof *sorted * (size_t)n);
    struct ct_month_cell *cells = malloc(sizeof *cells * (size_t)n * (size_t)r->nmonths);
    int *order = malloc(sizeof *order * (size_t)n);
    if (!sorted || !cells || !order) {
        free(sorted);
        free(cells);
        free(order);
        return -1;
    }
    for (int i = 0; i < n; i++)
        order[i] = i;
    sort_report = r;
    qsort(order, (size_t)n, sizeof *order, cmp_plat_order);
    sort_report = NULL;
    for (int i = 0; i < n; i++) {
        sorted[i] = r->plats[order[i]];
        memcpy(&cells[(size_t)i * (size_t)r->nmonths], ct_report_cell(r, order[i], 0),
               sizeof *cells * (size_t)r->nmonths);
    }
    free(r->plats);
    free(r->cells);
    r->plats = sorted;
    r->cells = cells;
    free(order);
    return 0;
}

static int cmp_plat_names(const void *a, const void *b)
{
    return strcmp(sort_report->plats[*(const int *)a].key, sort_report->plats[*(const int *)b].key);
}

static int index_plats(struct ct_report *r)
{
    r->plat_by_name = malloc(sizeof *r->plat_by_name * (r->nplats > 0 ? (size_t)r->nplats : 1));
    if (!r->plat_by_name)
        return -1;
    for (int i = 0; i < r->nplats; i++)
        r->plat_by_name[i] = i;
    sort_report = r;
    if (r->nplats > 1)
        qsort(r->plat_by_name, (size_t)r->nplats, sizeof *r->plat_by_name, cmp_plat_names);
    sort_report = NULL;
    return 0;
}

static int rows_from(struct ctx *c, struct sums *s, struct ct_group **rows, int *n)
{
    *rows = calloc((size_t)(s->n ? s->n : 1), sizeof **rows);
    if (!*rows)
        return -1;
    *n = s->n;
    for (int i = 0; i < s->n; i++) {
        snprintf((*rows)[i].key, sizeof (*rows)[i].key, "%s", s->a[i].key);
        (*rows)[i].idle_kwh = s->a[i].idle;
        if (to_row(c, &s->a[i], &(*rows)[i]) < 0)
            return -1;
    }
    return 0;
}

static void shares(struct ct_report *r, struct ct_group *g, int n)
{
    for (int i = 0; i < n; i++) {
        g[i].share = r->extrapolated > 0 ? g[i].extrapolated / r->extrapolated : 0;
        g[i].share_observed = r->kgco2e > 0 ? g[i].kgco2e / r->kgco2e : 0;
    }
}

static int finish(struct ctx *c, struct fin *f)
{
    struct ct_report *r = c->r;
    if (sums_init(&f->plats, r->nplats) < 0 || sums_init(&f->total, 1) < 0 ||
        sums_init(&f->months, r->by == CT_BY_MONTH ? r->nmonths : 0) < 0 ||
        sums_init(&f->groups, 0) < 0 || ct_boot_init(&f->boot, c->nweeks, c->e) < 0)
        return -1;
    f->reps = malloc(sizeof *f->reps * CT_BOOT_REPLICATES);
    f->gapf = malloc(sizeof *f->gapf * (size_t)r->nmonths);
    r->cells = calloc((size_t)(r->nplats ? r->nplats : 1) * (size_t)r->nmonths, sizeof *r->cells);
    if (!f->reps || !f->gapf || !r->cells)
        return -1;
    for (size_t i = 0; i < c->nser; i++) {
        struct series *x = &c->ser[i];
        finish_series(c, x);
        /* Bounds at import keep figures far from overflow; a ledger written
         * around them must not make a renderer print (or loop on) inf. */
        if (!isfinite(x->est) || !isfinite(x->kg)) {
            ct_errf(c->e, "%s/%s: its figures overflow when extrapolated to the period (%g kgCO2e "
                    "observed); the ledger holds implausible energy for it: forget that source",
                    x->host, x->device, x->kg);
            c->failed = 1;
            return -1;
        }
        if (spread(c, f, x) < 0)
            return -1;
    }
    for (int m = 0; m < f->months.n; m++)
        ct_fmt_month(r->month_from[m], f->months.a[m].key);
    /* the total */
    struct ct_group tot = {.key = "total"};
    if (to_row(c, &f->total.a[0], &tot) < 0)
        return -1;
    r->energy_kwh = tot.energy_kwh;
    r->kgco2e = tot.kgco2e;
    r->extrapolated = tot.extrapolated;
    if (!isfinite(r->extrapolated) || !isfinite(r->kgco2e)) {
        free(tot.uses);
        ct_errf(c->e, "the period's total overflows: the ledger holds implausible figures");
        c->failed = 1;
        return -1;
    }
    r->lo = tot.lo;
    r->hi = tot.hi;
    r->has_interval = tot.has_interval;
    r->coverage = tot.coverage;
    snprintf(r->basis, sizeof r->basis, "%s", tot.basis);
    free(tot.uses);
    /* the platforms, keeping their team facts */
    unsigned char *seen = calloc(c->t->nby_host + 1, 1);
    if (!seen)
        return -1;
    ct_model_mark_hosts(c, seen);
    for (int i = 0; i < r->nplats; i++) {
        r->plats[i].idle_kwh = f->plats.a[i].idle;
        if (to_row(c, &f->plats.a[i], &r->plats[i]) < 0) {
            free(seen);
            return -1;
        }
        if (i < (int)c->t->nplat)
            ct_model_silent_hosts(c, i, seen);
    }
    free(seen);
    ct_model_no_data_warnings(c);
    /* the grouping asked for */
    struct sums *gs = r->by == CT_BY_MONTH ? &f->months : &f->groups;
    if (r->by != CT_BY_PLATFORM && rows_from(c, gs, &r->groups, &r->ngroups) < 0)
        return -1;
    shares(r, r->plats, r->nplats);
    ct_crosstab_finish(c);
    if (sort_plats(r) < 0)
        return -1;
    if (r->by == CT_BY_PLATFORM) {
        r->groups = calloc((size_t)(r->nplats ? r->nplats : 1), sizeof *r->groups);
        if (!r->groups)
            return -1;
        for (int i = 0; i < r->nplats; i++) {
            r->groups[i] = r->plats[i];
            r->groups[i].uses = malloc(sizeof *r->groups[i].uses * (size_t)(r->plats[i].nuses + 1));
            if (!r->groups[i].uses)
                return -1;
            memcpy(r->groups[i].uses, r->plats[i].uses, sizeof *r->groups[i].uses * (size_t)r->plats[i].nuses);
            r->ngroups++;
        }
    }
    if (index_plats(r) < 0)
        return -1;
    shares(r, r->groups, r->ngroups);
    if (r->ngroups > 1 && r->by != CT_BY_PLATFORM) /* platforms are sorted already */
        qsort(r->groups, (size_t)r->ngroups, sizeof *r->groups,
              r->by == CT_BY_MONTH ? cmp_keys : cmp_rows);
    if (!r->has_interval && r->basis[0] && r->extrapolated > 0)
        ct_model_warn(r, "no interval for the total: %s; the extrapolated figure stands on "
                      "little data", r->basis);
    return 0;
}

int ct_model_finish(struct ctx *c, ct_err *e)
{
    struct fin f;
    memset(&f, 0, sizeof f);
    int rc = finish(c, &f);
    sums_free(&f.groups);
    sums_free(&f.plats);
    sums_free(&f.months);
    sums_free(&f.total);
    free(f.reps);
    free(f.gapf);
    ct_boot_free(&f.boot);
    if (rc < 0 && !c->failed) {
        ct_errf(e, "out of memory building the report");
        c->failed = 1;
    }
    return rc;
}
