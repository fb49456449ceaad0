/* Energy in the SQLite ledger: adding to buckets, and the per-day scan that a
 * report reads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "ledger/sqlite_int.h"

/* The longest record the checks allow (a calculated month), plus a day. */
#define SQ_MAX_RECORD_S (32 * (int64_t)CT_DAY)

int sq_add_energy(ct_ledger *l, int64_t source_id, const struct ct_energy_rec *r, ct_err *e)
{
    int64_t series;
    if (ct_energy_rec_check(r, e) != 0)
        return -1;
    if (sq_series_id(l, source_id, r, &series, e) != 0) {
        sq_series_clear(&l->series);
        return -1;
    }
    sqlite3_stmt *st = l->st[SQ_ENERGY_UPSERT];
    sqlite3_bind_int64(st, 1, series);
    sqlite3_bind_int64(st, 2, r->t0);
    sqlite3_bind_int64(st, 3, r->t1);
    sqlite3_bind_double(st, 4, r->covered_s);
    sqlite3_bind_double(st, 5, r->joules);
    sqlite3_bind_double(st, 6, r->idle_joules);
    sqlite3_bind_double(st, 7, r->idle_s);
    if (isnan(r->util))
        sqlite3_bind_null(st, 8);
    else
        sqlite3_bind_double(st, 8, r->util * r->covered_s);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        sq_fail(l, e, "cannot add energy");
        /* A failed write may have rolled the transaction back, taking with
         * it series the cache still names. */
        sq_series_clear(&l->series);
    }
    sq_done(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- the scan ---- */

enum { K_PLATFORM, K_HOST, K_DEVICE, K_COMPONENT, K_KIND, K_N };

/* A series and its output key; strings are offsets into one arena, so that
 * loading thousands of series costs a few allocations, not thousands. */
struct ser {
    int64_t id;
    int method;
    size_t off[K_N];
};

struct day_acc {
    int64_t day;
    double covered_s, joules, idle_joules, idle_s, util_s;
};

struct scan {
    ct_ledger *l;
    int64_t from, to;
    struct ser *ser;
    size_t nser, capser;
    char *arena;
    size_t narena, caparena;
    struct day_acc *days;
    size_t ndays, capdays;
};

/* Grows *p (of *cap elements of size sz) to hold need; 0 or -1. */
static int reserve(void **p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap * 2 : 64;
    while (cap2 < need)
        cap2 *= 2;
    void *q = realloc(*p, cap2 * sz);
    if (!q)
        return -1;
    *p = q;
    *cap = cap2;
    return 0;
}

static int arena_add(struct scan *s, const char *str, size_t *off)
{
    size_t n = strlen(str) + 1;
    if (reserve((void **)&s->arena, &s->caparena, s->narena + n, 1) != 0)
        return -1;
    memcpy(s->arena + s->narena, str, n);
    *off = s->narena;
    s->narena += n;
    return 0;
}

static int load_one_series(struct scan *s, sqlite3_stmt *st)
{
    if (reserve((void **)&s->ser, &s->capser, s->nser + 1, sizeof *s->ser) != 0)
        return -1;
    struct ser *x = &s->ser[s->nser];
    x->id = sqlite3_column_int64(st, 0);
    x->method = sqlite3_column_int(st, 5);
    static const int col[K_N] = {1, 2, 3, 4, 6};
    for (int k = 0; k < K_N; k++)
        if (arena_add(s, sq_col_str(st, col[k]), &x->off[k]) != 0)
            return -1;
    s->nser++;
    return 0;
}

/* Every series with its key, already in output order (see SQ_SERIES_LIST). */
static int load_series(struct scan *s, ct_err *e)
{
    sqlite3_stmt *st = s->l->st[SQ_SERIES_LIST];
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        if (load_one_series(s, st) != 0)
            ret = ct_errf(e, "%s: out of memory reading the ledger", s->l->path);
    if (ret == 0 && rc != SQLITE_DONE)
        ret = sq_fail(s->l, e, "cannot read the ledger's series");
    sq_done(st);
    return ret;
}

static const char *key_str(const struct scan *s, size_t i, int k)
{
    return s->arena + s->ser[i].off[k];
}

static int same_key(const struct scan *s, size_t a, size_t b)
{
    if (s->ser[a].method != s->ser[b].method)
        return 0;
    for (int k = 0; k < K_N; k++)
        if (strcmp(key_str(s, a, k), key_str(s, b, k)) != 0)
            return 0;
    return 1;
}

/* Adds one stored record, clipped to the period, to the day it starts in.
 * Rows of one series arrive in time order, so the day is usually the last. */
static int add_row(struct scan *s, sqlite3_stmt *st)
{
    int64_t t0 = sqlite3_column_int64(st, 0), t1 = sqlite3_column_int64(st, 1);
    int64_t a = t0 > s->from ? t0 : s->from, b = t1 < s->to ? t1 : s->to;
    double f = (double)(b - a) / (double)(t1 - t0);
    int64_t day = ct_floor(a, CT_DAY);
    if (s->ndays == 0 || s->days[s->ndays - 1].day != day) {
        if (reserve((void **)&s->days, &s->capdays, s->ndays + 1, sizeof *s->days) != 0)
            return -1;
        s->days[s->ndays++] = (struct day_acc){.day = day};
    }
    struct day_acc *d = &s->days[s->ndays - 1];
    d->covered_s += sqlite3_column_double(st, 2) * f;
    d->joules += sqlite3_column_double(st, 3) * f;
    d->idle_joules += sqlite3_column_double(st, 4) * f;
    d->idle_s += sqlite3_column_double(st, 5) * f;
    d->util_s += sqlite3_column_double(st, 6) * f; /* NULL reads as 0 */
    return 0;
}

static int scan_series(struct scan *s, int64_t id, ct_err *e)
{
    sqlite3_stmt *st = s->l->st[SQ_ENERGY_SCAN];
    int64_t lo = s->from > INT64_MIN + SQ_MAX_RECORD_S ? s->from - SQ_MAX_RECORD_S : INT64_MIN;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, lo);
    sqlite3_bind_int64(st, 3, s->to);
    sqlite3_bind_int64(st, 4, s->from);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        if (add_row(s, st) != 0)
            ret = ct_errf(e, "%s: out of memory reading the ledger", s->l->path);
    if (ret == 0 && rc != SQLITE_DONE)
        ret = sq_fail(s->l, e, "cannot read energy");
    sq_done(st);
    return ret;
}

static int cmp_day(const void *a, const void *b)
{
    int64_t x = ((const struct day_acc *)a)->day, y = ((const struct day_acc *)b)->day;
    return (x > y) - (x < y);
}

/* Several series share a key when several sources (say, one log file a day)
 * cover the same device: sort their days together and add up equal ones. */
static void merge_days(struct scan *s)
{
    qsort(s->days, s->ndays, sizeof *s->days, cmp_day);
    size_t w = 0;
    for (size_t r = 1; r < s->ndays; r++) {
        struct day_acc *o = &s->days[w], *x = &s->days[r];
        if (x->day != o->day) {
            s->days[++w] = *x;
            continue;
        }
        o->covered_s += x->covered_s;
        o->joules += x->joules;
        o->idle_joules += x->idle_joules;
        o->idle_s += x->idle_s;
        o->util_s += x->util_s;
    }
    s->ndays = w + 1;
}

static int emit_group(struct scan *s, size_t i, ct_energy_day_fn fn, void *ud, ct_err *e)
{
    struct ct_energy_day d = {
        .platform = key_str(s, i, K_PLATFORM),
        .host = key_str(s, i, K_HOST),
        .device = key_str(s, i, K_DEVICE),
        .component = key_str(s, i, K_COMPONENT),
        .source_kind = key_str(s, i, K_KIND),
        .method = s->ser[i].method,
    };
    for (size_t k = 0; k < s->ndays; k++) {
        const struct day_acc *a = &s->days[k];
        d.day = a->day;
        d.covered_s = a->covered_s;
        d.joules = a->joules;
        d.idle_joules = a->idle_joules;
        d.idle_s = a->idle_s;
        d.util_s = a->util_s;
        if (fn(&d, ud) != 0)
            return sq_stopped(e, "energy scan");
    }
    return 0;
}

/* Series [i, j) share a key: gather their days, then hand them out. */
static int scan_group(struct scan *s, size_t i, size_t j, ct_energy_day_fn fn, void *ud,
                      ct_err *e)
{
    s->ndays = 0;
    for (size_t k = i; k < j; k++)
        if (scan_series(s, s->ser[k].id, e) != 0)
            return -1;
    if (s->ndays == 0)
        return 0;
    if (j - i > 1)
        merge_days(s);
    return emit_group(s, i, fn, ud, e);
}

int sq_scan_energy_days(ct_ledger *l, int64_t from, int64_t to, ct_energy_day_fn fn, void *ud,
                        ct_err *e)
{
    if (e)
        e->msg[0] = '\0';
    if (to <= from)
        return 0;
    /* One read transaction, so the report sees one snapshot even while an
     * agent commits between our per-series queries. */
    int own_tx = sqlite3_get_autocommit(l->db);
    if (own_tx && sq_exec_stmt(l, SQ_BEGIN_READ, e, "cannot read the ledger") != 0)
        return -1;
    struct scan s = {.l = l, .from = from, .to = to};
    int ret = load_series(&s, e);
    for (size_t i = 0, j; ret == 0 && i < s.nser; i = j) {
        for (j = i + 1; j < s.nser && same_key(&s, i, j); j++)
            ;
        ret = scan_group(&s, i, j, fn, ud, e);
    }
    if (own_tx)
        sq_exec_stmt(l, SQ_COMMIT, NULL, "");
    free(s.ser);
    free(s.arena);
    free(s.days);
    return ret;
}
