/* Who reported: hosts, their first and last records, sources and energy. */
#include "ledger/hosts.h"

#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "core/timeutil.h"

static size_t lower(const struct ct_hosts *h, const char *host)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(h->v[mid].host, host) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct ct_host_sum *ct_hosts_find(const struct ct_hosts *h, const char *host)
{
    size_t i = lower(h, host);
    return i < h->n && strcmp(h->v[i].host, host) == 0 ? &h->v[i] : NULL;
}

/* Counts a source under its kind, kinds kept in name order. */
static int add_kind(struct ct_host_sum *s, const char *kind)
{
    for (size_t i = 0; i < s->nkinds; i++)
        if (strcmp(s->kinds[i].kind, kind) == 0) {
            s->kinds[i].sources++;
            return 0;
        }
    struct ct_host_kind *k = realloc(s->kinds, (s->nkinds + 1) * sizeof *k);
    if (!k)
        return -1;
    s->kinds = k;
    size_t i = s->nkinds;
    while (i > 0 && strcmp(k[i - 1].kind, kind) > 0) {
        k[i] = k[i - 1];
        i--;
    }
    k[i] = (struct ct_host_kind){ct_strdup(kind), 1};
    s->nkinds++;
    return k[i].kind ? 0 : -1;
}

/* One series of one source, with its host: what the sources' series lists
 * give, gathered first and then sorted, so the hosts are built in order. */
struct tup {
    int64_t source, series;
    const char *kind; /* borrowed from the source list */
    char *host;
    size_t hix;       /* the host's index, once built */
    int64_t first_day;
};

struct gather {
    struct tup *v;
    size_t n, cap;
    int64_t source;
    const char *kind;
    int oom;
};

struct srcs {
    int64_t *id;
    char **kind;
    size_t n, cap;
    int oom;
};

static int take_source(int64_t id, const struct ct_source_rec *s, void *ud)
{
    struct srcs *l = ud;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        int64_t *ids = realloc(l->id, cap * sizeof *ids);
        if (ids)
            l->id = ids;
        char **kinds = realloc(l->kind, cap * sizeof *kinds);
        if (kinds)
            l->kind = kinds;
        if (!ids || !kinds)
            return l->oom = 1;
        l->cap = cap;
    }
    l->id[l->n] = id;
    l->kind[l->n] = ct_strdup(s->kind);
    return l->kind[l->n++] ? 0 : (l->oom = 1);
}

static int take_series(const struct ct_series_row *r, void *ud)
{
    struct gather *g = ud;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        struct tup *v = realloc(g->v, cap * sizeof *v);
        if (!v)
            return g->oom = 1;
        g->v = v;
        g->cap = cap;
    }
    g->v[g->n] = (struct tup){g->source, r->id, g->kind, ct_strdup(r->host), 0, INT64_MAX};
    return g->v[g->n++].host ? 0 : (g->oom = 1);
}

static int by_host(const void *a, const void *b)
{
    const struct tup *x = a, *y = b;
    int c = strcmp(x->host, y->host);
    return c ? c : x->source < y->source ? -1 : x->source > y->source;
}

static int by_series(const void *a, const void *b)
{
    const struct tup *x = a, *y = b;
    return x->series < y->series ? -1 : x->series > y->series;
}

/* Builds the hosts from tuples sorted by host then source. */
static int build_hosts(struct gather *g, struct ct_hosts *h)
{
    h->v = calloc(g->n ? g->n : 1, sizeof *h->v);
    if (!h->v)
        return -1;
    for (size_t i = 0; i < g->n; i++) {
        struct tup *t = &g->v[i];
        if (i == 0 || strcmp(t->host, g->v[i - 1].host) != 0) {
            struct ct_host_sum *s = &h->v[h->n++];
            s->first = INT64_MAX;
            if (!(s->host = ct_strdup(t->host)))
                return -1;
        }
        struct ct_host_sum *s = &h->v[h->n - 1];
        t->hix = h->n - 1;
        if (i == 0 || t->hix != g->v[i - 1].hix || t->source != g->v[i - 1].source) {
            s->sources++;
            if (add_kind(s, t->kind) != 0)
                return -1;
        }
    }
    return 0;
}

static struct tup *find_series(struct gather *g, int64_t series)
{
    struct tup key = {.series = series};
    return bsearch(&key, g->v, g->n, sizeof *g->v, by_series);
}

struct walk {
    struct gather *g;
    struct ct_hosts *h;
    int64_t t0;
};

/* The roll-up: each series' first day, each host's last record's end. */
static int take_day(const struct ct_day_row *r, void *ud)
{
    struct walk *w = ud;
    struct tup *t = find_series(w->g, r->series_id);
    if (!t)
        return 0; /* a detail series: its energy is in another */
    if (r->day < t->first_day)
        t->first_day = r->day;
    if (r->max_t1 > w->h->v[t->hix].last)
        w->h->v[t->hix].last = r->max_t1;
    return 0;
}

static int take_bucket(const struct ct_bucket_row *r, void *ud)
{
    struct walk *w = ud;
    if (r->t0 < w->t0)
        w->t0 = r->t0;
    return 0;
}

static int take_energy(const struct ct_energy_day *d, void *ud)
{
    struct walk *w = ud;
    size_t i = lower(w->h, d->host);
    if (i < w->h->n && strcmp(w->h->v[i].host, d->host) == 0)
        w->h->v[i].joules += d->joules;
    return 0;
}

/* First and last records over all time, from the roll-up; the buckets of
 * each series' first day give the exact start. */
static int times(const struct ct_ledger_h *L, struct gather *g, struct ct_hosts *h, ct_err *e)
{
    struct walk w = {g, h, 0};
    if (L->ops->day_rows(L->db, 0, CT_LEDGER_T_MAX + CT_DAY, take_day, &w, e) != 0)
        return -1;
    for (size_t i = 0; i < g->n; i++) {
        struct tup *t = &g->v[i];
        if (t->first_day == INT64_MAX)
            continue;
        w.t0 = INT64_MAX;
        if (L->ops->bucket_rows(L->db, t->series, t->first_day, t->first_day + CT_DAY,
                                take_bucket, &w, e) != 0)
            return -1;
        if (w.t0 < h->v[t->hix].first)
            h->v[t->hix].first = w.t0;
    }
    return 0;
}

static int gather_series(const struct ct_ledger_h *L, struct srcs *s, struct gather *g,
                         ct_err *e)
{
    if (L->ops->list_sources(L->db, NULL, take_source, s, e) != 0)
        return s->oom ? ct_errf(e, "out of memory listing sources") : -1;
    for (size_t i = 0; i < s->n; i++) {
        g->source = s->id[i];
        g->kind = s->kind[i];
        if (L->ops->source_series_rows(L->db, s->id[i], take_series, g, e) != 0)
            return g->oom ? ct_errf(e, "out of memory listing series") : -1;
    }
    return 0;
}

static int hosts(const struct ct_ledger_h *L, int64_t from, int64_t to, struct srcs *s,
                 struct gather *g, struct ct_hosts *out, ct_err *e)
{
    if (gather_series(L, s, g, e) != 0)
        return -1;
    if (g->n)
        qsort(g->v, g->n, sizeof *g->v, by_host);
    if (build_hosts(g, out) != 0)
        return ct_errf(e, "out of memory listing hosts");
    if (g->n)
        qsort(g->v, g->n, sizeof *g->v, by_series);
    if (times(L, g, out, e) != 0)
        return -1;
    struct walk w = {g, out, 0};
    return L->ops->scan_energy_days(L->db, from, to, take_energy, &w, e);
}

int ct_ledger_hosts(const struct ct_ledger_h *L, int64_t from, int64_t to, struct ct_hosts *out,
                    ct_err *e)
{
    memset(out, 0, sizeof *out);
    struct srcs s = {0};
    struct gather g = {0};
    /* One snapshot: the lists, the roll-up and the scan agree while writers go on. */
    int ret = L->ops->read_begin(L->db, e);
    if (ret == 0) {
        ret = hosts(L, from, to, &s, &g, out, e);
        L->ops->read_end(L->db);
    }
    for (size_t i = 0; i < g.n; i++)
        free(g.v[i].host);
    free(g.v);
    for (size_t i = 0; i < s.n; i++)
        free(s.kind[i]);
    free(s.kind);
    free(s.id);
    if (ret != 0)
        ct_hosts_free(out);
    return ret;
}

void ct_hosts_free(struct ct_hosts *h)
{
    for (size_t i = 0; h && i < h->n; i++) {
        for (size_t k = 0; k < h->v[i].nkinds; k++)
            free(h->v[i].kinds[k].kind);
        free(h->v[i].kinds);
        free(h->v[i].host);
    }
    if (h) {
        free(h->v);
        h->v = NULL;
        h->n = 0;
    }
}
