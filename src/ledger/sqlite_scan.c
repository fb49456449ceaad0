/* The report's read: energy per key and UTC day over a period.
 *
 * 1. Series are loaded with their keys and sorted here into output order;
 *    series that share a key (several sources of one kind for one device, say
 *    a log file a day) share a group number.
 * 2. One pass over the day roll-up (energy_day, in series order) takes each
 *    day that lies whole inside the period as it is, skips days whose records
 *    all end before the period, and reads the buckets of the few days that
 *    must be clipped at the period's edges.
 * 3. The day amounts are sorted by (group, day) and equal days added up.
 * Sorting and summing happen in C: SQLite's aggregates cost more per row
 * than reading the columns, its sorter spills tens of thousands of series to
 * a temporary file, and a query per series costs too much when sources are
 * many. */
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "ledger/sqlite_int.h"

/* The longest record the checks allow (a calculated month), plus a day. */
#define SQ_MAX_RECORD_S (32 * (int64_t)CT_DAY)

enum { K_PLATFORM, K_HOST, K_DEVICE, K_COMPONENT, K_KIND, K_N };

/* A series and its output key. The strings live in one arena, so that
 * loading thousands of series costs a few allocations, not thousands: off[]
 * while loading (the arena moves), k[] once it is complete. */
struct ser {
    int64_t id;
    size_t group;
    int method;
    size_t off[K_N];
    const char *k[K_N];
};

/* Amounts for one (group, day); seq keeps the sort, and so the order of
 * floating-point sums, the same from run to run. */
struct ent {
    size_t group, seq;
    int64_t day;
    double v[5]; /* covered_s, joules, idle_joules, idle_s, util_s */
};

struct scan {
    ct_ledger *l;
    int64_t from, to;
    struct ser *ser;    /* in id order, as the roll-up comes */
    size_t nser, capser;
    struct ser **bykey; /* in output order */
    struct ser **first; /* first[g]: group g's first series */
    char *arena;
    size_t narena, caparena;
    struct ent *ent;
    size_t nent, capent;
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

static int oom(struct scan *s, ct_err *e)
{
    return ct_errf(e, "%s: out of memory reading the ledger", s->l->path);
}

/* ---- 1. series and groups ---- */

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

/* Every series with its key, in id order (see SQ_SERIES_LIST). */
static int load_series(struct scan *s, ct_err *e)
{
    sqlite3_stmt *st = s->l->st[SQ_SERIES_LIST];
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        if (load_one_series(s, st) != 0)
            ret = oom(s, e);
    if (ret == 0 && rc != SQLITE_DONE)
        ret = sq_fail(s->l, e, "cannot read the ledger's series");
    sq_done(st);
    for (size_t i = 0; ret == 0 && i < s->nser; i++)
        for (int k = 0; k < K_N; k++)
            s->ser[i].k[k] = s->arena + s->ser[i].off[k];
    return ret;
}

/* Output order: platform, host, device, component, method, source kind; then
 * id, so that series sharing a key are summed in a fixed order. strcmp
 * orders as SQLite's BINARY collation would. */
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

/* Sorts a view of the series into output order and numbers the groups. */
static int make_groups(struct scan *s, ct_err *e)
{
    size_t n = s->nser ? s->nser : 1;
    s->bykey = malloc(n * sizeof *s->bykey);
    s->first = malloc(n * sizeof *s->first);
    if (!s->bykey || !s->first)
        return oom(s, e);
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

/* ---- 2. the roll-up, and buckets where days are cut ---- */

static int add_ent(struct scan *s, size_t group, int64_t day, sqlite3_stmt *st, double f)
{
    if (reserve((void **)&s->ent, &s->capent, s->nent + 1, sizeof *s->ent) != 0)
        return -1;
    struct ent *x = &s->ent[s->nent];
    x->group = group;
    x->seq = s->nent++;
    x->day = day;
    /* Columns 3..7 of SQ_ENERGY_SCAN and SQ_DAY_SCAN; a NULL util_s reads as 0. */
    for (int i = 0; i < 5; i++)
        x->v[i] = sqlite3_column_double(st, 3 + i) * f;
    return 0;
}

/* Buckets of one series starting in [a, b), clipped to the period, each
 * counted on the day it starts in after clipping. */
static int scan_buckets(struct scan *s, const struct ser *x, int64_t a, int64_t b, ct_err *e)
{
    sqlite3_stmt *st = s->l->st[SQ_ENERGY_SCAN];
    sqlite3_bind_int64(st, 1, x->id);
    sqlite3_bind_int64(st, 2, a);
    sqlite3_bind_int64(st, 3, b);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t t0 = sqlite3_column_int64(st, 1), t1 = sqlite3_column_int64(st, 2);
        if (t1 <= s->from)
            continue;
        int64_t c0 = t0 > s->from ? t0 : s->from, c1 = t1 < s->to ? t1 : s->to;
        double f = (double)(c1 - c0) / (double)(t1 - t0);
        if (add_ent(s, x->group, ct_floor(c0, CT_DAY), st, f) != 0)
            ret = oom(s, e);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = sq_fail(s->l, e, "cannot read energy");
    sq_done(st);
    return ret;
}

/* One roll-up row: whole, nothing, or cut bucket by bucket. */
static int take_day(struct scan *s, const struct ser *x, sqlite3_stmt *st, ct_err *e)
{
    int64_t day = sqlite3_column_int64(st, 1), max_t1 = sqlite3_column_int64(st, 2);
    if (max_t1 <= s->from)
        return 0;
    if (day >= s->from && max_t1 <= s->to)
        return add_ent(s, x->group, day, st, 1.0) == 0 ? 0 : oom(s, e);
    int64_t end = day + CT_DAY < s->to ? day + CT_DAY : s->to;
    return scan_buckets(s, x, day, end, e);
}

static int scan_rollup(struct scan *s, ct_err *e)
{
    sqlite3_stmt *st = s->l->st[SQ_DAY_SCAN];
    sqlite3_bind_int64(st, 1, ct_floor(s->from - SQ_MAX_RECORD_S, CT_DAY));
    sqlite3_bind_int64(st, 2, s->to);
    size_t p = 0;
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        while (p < s->nser && s->ser[p].id < id)
            p++;
        if (p < s->nser && s->ser[p].id == id) /* else a detail series */
            ret = take_day(s, &s->ser[p], st, e);
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = sq_fail(s->l, e, "cannot read energy");
    sq_done(st);
    return ret;
}

/* ---- 3. sorted, summed, handed out ---- */

static int cmp_ent(const void *a, const void *b)
{
    const struct ent *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
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
        if (fn(&d, ud) != 0)
            return sq_stopped(e, "energy scan");
    }
    return 0;
}

int sq_scan_energy_days(ct_ledger *l, int64_t from, int64_t to, ct_energy_day_fn fn, void *ud,
                        ct_err *e)
{
    if (e)
        e->msg[0] = '\0';
    /* Records lie in [0, CT_LEDGER_T_MAX]; clamping changes no result and
     * keeps the arithmetic below from overflowing on "everything" periods. */
    from = from > -CT_LEDGER_T_MAX ? from : -CT_LEDGER_T_MAX;
    to = to < 2 * CT_LEDGER_T_MAX ? to : 2 * CT_LEDGER_T_MAX;
    if (to <= from)
        return 0;
    /* One read transaction: one snapshot even while an agent commits. */
    int own_tx = sqlite3_get_autocommit(l->db);
    if (own_tx && sq_exec_stmt(l, SQ_BEGIN_READ, e, "cannot read the ledger") != 0)
        return -1;
    struct scan s = {.l = l, .from = from, .to = to};
    int ret = load_series(&s, e);
    if (ret == 0)
        ret = make_groups(&s, e);
    if (ret == 0)
        ret = scan_rollup(&s, e);
    if (own_tx)
        sq_exec_stmt(l, SQ_COMMIT, NULL, "");
    if (ret == 0)
        ret = emit(&s, fn, ud, e);
    free(s.ser);
    free(s.first);
    free(s.bykey);
    free(s.arena);
    free(s.ent);
    return ret;
}
