/* The backend-neutral scan of energy per key and UTC day over a period
 * (ct_ledger_scan in ledger.h), over a backend's three row streams.
 *
 * 1. The series come with their keys; they are sorted here into output order,
 *    and series that share a key (several sources of one kind for one device,
 *    say a log file a day) share a group number.
 * 2. The day roll-up rows of the period (and of the days before it that a
 *    long record may reach from) are taken whole where the day lies inside
 *    the period, skipped where every record ended before it, and otherwise
 *    noted; the buckets of the noted days are read afterwards (a backend
 *    need not run a query while it streams another) and clipped pro rata.
 * 3. The amounts are sorted by (group, day, series id, bucket start) and equal
 *    days added up, so the order of floating-point sums depends on the keys
 *    alone, never on the order a backend streamed its rows in: every backend
 *    gives the same numbers to the last bit. */
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "ledger/ledger.h"

/* The longest record the checks allow (a calculated month), plus a day. */
#define MAX_RECORD_S (32 * (int64_t)CT_DAY)

enum { K_PLATFORM, K_HOST, K_DEVICE, K_COMPONENT, K_KIND, K_N };

/* A series and its output key. The strings live in one arena, so loading
 * thousands of series costs a few allocations: off[] while loading (the arena
 * moves), k[] once it is complete. */
struct ser {
    int64_t id;
    size_t group;
    int method;
    size_t off[K_N];
    const char *k[K_N];
};

/* Amounts for one (group, day) from one series and bucket start. */
struct ent {
    size_t group;
    int64_t day, series_id, t0;
    double v[5]; /* covered_s, joules, idle_joules, idle_s, util_s */
};

/* A day whose buckets must be read: it straddles an edge of the period. */
struct cut {
    const struct ser *x;
    int64_t a, b;
};

struct scan {
    const struct ct_ledger_ops *ops;
    ct_ledger *l;
    int64_t from, to;
    struct ser *ser;    /* sorted by id once loaded */
    size_t nser, capser;
    struct ser **bykey; /* in output order */
    struct ser **first; /* first[g]: group g's first series */
    char *arena;
    size_t narena, caparena;
    struct ent *ent;
    size_t nent, capent;
    struct cut *cut;
    size_t ncut, capcut;
    const struct ser *cur; /* the series whose buckets are being read */
    int oom;
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

/* ---- 1. series and groups ---- */

static int arena_add(struct scan *s, const char *str, size_t *off)
{
    size_t n = strlen(str ? str : "") + 1;
    if (reserve((void **)&s->arena, &s->caparena, s->narena + n, 1) != 0)
        return -1;
    memcpy(s->arena + s->narena, str ? str : "", n);
    *off = s->narena;
    s->narena += n;
    return 0;
}

static int on_series(const struct ct_series_row *r, void *ud)
{
    struct scan *s = ud;
    if (reserve((void **)&s->ser, &s->capser, s->nser + 1, sizeof *s->ser) != 0)
        return s->oom = 1;
    struct ser *x = &s->ser[s->nser];
    x->id = r->id;
    x->method = r->method;
    const char *k[K_N] = {r->platform, r->host, r->device, r->component, r->source_kind};
    for (int i = 0; i < K_N; i++)
        if (arena_add(s, k[i], &x->off[i]) != 0)
            return s->oom = 1;
    s->nser++;
    return 0;
}

static int cmp_id(const void *pa, const void *pb)
{
    const struct ser *a = pa, *b = pb;
    return (a->id > b->id) - (a->id < b->id);
}

/* Output order: platform, host, device, component, method, source kind; then
 * id, so that series sharing a key are summed in a fixed order. strcmp
 * orders as a binary collation would. */
static int cmp_key(const void *pa, const void *pb)
{
    const struct ser *a = *(struct ser *const *)pa, *b = *(struct ser *const *)pb;
    for (int k = 0; k <= K_KIND; k++) {
        if (k == K_KIND && a->method != b->method)
            return a->method < b->method ? -1 : 1;
        int c = strcmp(a->k[k], b->k[k]);
        if (c != 0)
            return c;
    }
    return (a->id > b->id) - (a->id < b->id);
}

static int same_key(const struct ser *a, const struct ser *b)
{
    if (a->method != b->method)
        return 0;
    for (int k = 0; k < K_N; k++)
        if (strcmp(a->k[k], b->k[k]) != 0)
            return 0;
    return 1;
}

static int make_groups(struct scan *s)
{
    if (s->nser > 1)
        qsort(s->ser, s->nser, sizeof *s->ser, cmp_id);
    for (size_t i = 0; i < s->nser; i++)
        for (int k = 0; k < K_N; k++)
            s->ser[i].k[k] = s->arena + s->ser[i].off[k];
    size_t n = s->nser ? s->nser : 1;
    s->bykey = malloc(n * sizeof *s->bykey);
    s->first = malloc(n * sizeof *s->first);
    if (!s->bykey || !s->first)
        return -1;
    for (size_t i = 0; i < s->nser; i++)
        s->bykey[i] = &s->ser[i];
    if (s->nser > 1)
        qsort(s->bykey, s->nser, sizeof *s->bykey, cmp_key);
    size_t g = 0;
    for (size_t i = 0; i < s->nser; i++) {
        if (i > 0 && !same_key(s->bykey[i - 1], s->bykey[i]))
            g++;
        if (i == 0 || s->bykey[i - 1]->group != g)
            s->first[g] = s->bykey[i];
        s->bykey[i]->group = g;
    }
    return 0;
}

static const struct ser *find_series(const struct scan *s, int64_t id)
{
    size_t lo = 0, hi = s->nser;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->ser[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nser && s->ser[lo].id == id ? &s->ser[lo] : NULL;
}

/* ---- 2. the roll-up, and buckets where days are cut ---- */

static int add_ent(struct scan *s, size_t group, int64_t day, int64_t sid, int64_t t0,
                   const double *v, double f)
{
    if (reserve((void **)&s->ent, &s->capent, s->nent + 1, sizeof *s->ent) != 0)
        return -1;
    struct ent *x = &s->ent[s->nent++];
    x->group = group;
    x->day = day;
    x->series_id = sid;
    x->t0 = t0;
    for (int i = 0; i < 5; i++)
        x->v[i] = v[i] * f;
    return 0;
}

static int on_day(const struct ct_day_row *r, void *ud)
{
    struct scan *s = ud;
    const struct ser *x = find_series(s, r->series_id);
    if (!x || r->max_t1 <= s->from) /* a detail series, or all over before the period */
        return 0;
    if (r->day >= s->from && r->max_t1 <= s->to) {
        const double v[5] = {r->covered_s, r->joules, r->idle_joules, r->idle_s, r->util_s};
        return add_ent(s, x->group, r->day, x->id, r->day, v, 1.0) == 0 ? 0 : (s->oom = 1);
    }
    if (reserve((void **)&s->cut, &s->capcut, s->ncut + 1, sizeof *s->cut) != 0)
        return s->oom = 1;
    s->cut[s->ncut++] = (struct cut){x, r->day, r->day + CT_DAY < s->to ? r->day + CT_DAY : s->to};
    return 0;
}

/* A bucket clipped to the period, counted on the day it starts in after
 * clipping. */
static int on_bucket(const struct ct_bucket_row *r, void *ud)
{
    struct scan *s = ud;
    if (r->t1 <= s->from || r->t0 >= s->to || r->t1 <= r->t0)
        return 0;
    int64_t c0 = r->t0 > s->from ? r->t0 : s->from, c1 = r->t1 < s->to ? r->t1 : s->to;
    double f = (double)(c1 - c0) / (double)(r->t1 - r->t0);
    const double v[5] = {r->covered_s, r->joules, r->idle_joules, r->idle_s, r->util_s};
    if (add_ent(s, s->cur->group, ct_floor(c0, CT_DAY), s->cur->id, r->t0, v, f) != 0)
        return s->oom = 1;
    return 0;
}

/* ---- 3. sorted, summed, handed out ---- */

static int cmp_ent(const void *a, const void *b)
{
    const struct ent *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    if (x->series_id != y->series_id)
        return x->series_id < y->series_id ? -1 : 1;
    return (x->t0 > y->t0) - (x->t0 < y->t0);
}

static int emit(struct scan *s, ct_energy_day_fn fn, void *ud, ct_err *e)
{
    if (s->nent > 1)
        qsort(s->ent, s->nent, sizeof *s->ent, cmp_ent);
    for (size_t i = 0, j; i < s->nent; i = j) {
        double v[5] = {0};
        for (j = i; j < s->nent && s->ent[j].group == s->ent[i].group &&
                    s->ent[j].day == s->ent[i].day;
             j++)
            for (int k = 0; k < 5; k++)
                v[k] += s->ent[j].v[k];
        const struct ser *x = s->first[s->ent[i].group];
        struct ct_energy_day d = {
            .platform = x->k[K_PLATFORM],
            .host = x->k[K_HOST],
            .device = x->k[K_DEVICE],
            .component = x->k[K_COMPONENT],
            .source_kind = x->k[K_KIND],
            .method = x->method,
            .day = s->ent[i].day,
            .covered_s = v[0],
            .joules = v[1],
            .idle_joules = v[2],
            .idle_s = v[3],
            .util_s = v[4],
        };
        if (fn(&d, ud) != 0) {
            if (e && !e->msg[0])
                ct_errf(e, "energy scan stopped by its callback");
            return -1;
        }
    }
    return 0;
}

static int read_all(struct scan *s, ct_err *e)
{
    const struct ct_ledger_ops *ops = s->ops;
    if (ops->series_rows(s->l, on_series, s, e) != 0 || s->oom)
        return -1;
    if (make_groups(s) != 0) {
        s->oom = 1;
        return -1;
    }
    if (ops->day_rows(s->l, ct_floor(s->from - MAX_RECORD_S, CT_DAY), s->to, on_day, s, e) != 0 ||
        s->oom)
        return -1;
    for (size_t i = 0; i < s->ncut; i++) {
        s->cur = s->cut[i].x;
        if (ops->bucket_rows(s->l, s->cur->id, s->cut[i].a, s->cut[i].b, on_bucket, s, e) != 0 ||
            s->oom)
            return -1;
    }
    return 0;
}

int ct_ledger_scan(const struct ct_ledger_ops *ops, ct_ledger *l, int64_t from, int64_t to,
                   ct_energy_day_fn fn, void *ud, ct_err *e)
{
    if (e)
        e->msg[0] = '\0';
    /* Records lie in [0, CT_LEDGER_T_MAX]; clamping changes no result and
     * keeps the arithmetic below from overflowing on "everything" periods. */
    from = from > -CT_LEDGER_T_MAX ? from : -CT_LEDGER_T_MAX;
    to = to < 2 * CT_LEDGER_T_MAX ? to : 2 * CT_LEDGER_T_MAX;
    if (to <= from)
        return 0;
    struct scan s = {.ops = ops, .l = l, .from = from, .to = to};
    /* One snapshot even while an agent commits. */
    if (ops->read_begin(l, e) != 0)
        return -1;
    int ret = read_all(&s, e);
    ops->read_end(l);
    if (s.oom)
        ret = ct_errf(e, "out of memory reading the ledger");
    if (ret == 0)
        ret = emit(&s, fn, ud, e);
    free(s.ser);
    free(s.first);
    free(s.bykey);
    free(s.arena);
    free(s.ent);
    free(s.cut);
    return ret;
}
