/* Sources and their figures (sources.h). */
#include "ledger/sources.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct collect {
    struct ct_source_info *s;
    size_t n, cap;
    int oom;
};

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static int on_source(int64_t id, const struct ct_source_rec *r, void *ud)
{
    struct collect *c = ud;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        struct ct_source_info *s = realloc(c->s, sizeof *s * cap);
        if (!s)
            return c->oom = 1;
        c->s = s;
        c->cap = cap;
    }
    struct ct_source_info *x = &c->s[c->n];
    memset(x, 0, sizeof *x);
    x->id = id;
    x->imported_at = r->imported_at;
    x->kind = dup_or_empty(r->kind);
    x->path = dup_or_empty(r->path);
    x->sha256 = dup_or_empty(r->sha256);
    c->n++;
    if (!x->kind || !x->path || !x->sha256)
        return c->oom = 1;
    return 0;
}

static void span(struct ct_source_info *x, int64_t t0, int64_t t1)
{
    if (!x->t0 && !x->t1) {
        x->t0 = t0;
        x->t1 = t1;
        return;
    }
    x->t0 = t0 < x->t0 ? t0 : x->t0;
    x->t1 = t1 > x->t1 ? t1 : x->t1;
}

/* Counts distinct names cheaply: records come grouped by series, so a name
 * that differs from the first is counted once per change (an upper bound
 * only where names interleave, which a source's series do not). */
static void name(char *first, size_t n, int *count, char *last, size_t nlast, const char *v)
{
    if (!v || !*v)
        return;
    if (!*first)
        snprintf(first, n, "%s", v);
    if (strcmp(last, v) != 0) {
        snprintf(last, nlast, "%s", v);
        (*count)++;
    }
}

struct stats {
    struct ct_source_info *x;
    char last_host[128], last_plat[160];
};

static int on_energy(const struct ct_energy_rec *r, void *ud)
{
    struct stats *st = ud;
    struct ct_source_info *x = st->x;
    x->records++;
    if (!r->detail)
        x->kwh += r->joules / 3.6e6;
    span(x, r->t0, r->t1);
    name(x->host, sizeof x->host, &x->nhosts, st->last_host, sizeof st->last_host, r->host);
    name(x->platform, sizeof x->platform, &x->nplatforms, st->last_plat, sizeof st->last_plat,
         r->platform);
    return 0;
}

static int on_provided(const struct ct_provided_rec *r, void *ud)
{
    struct stats *st = ud;
    st->x->provided++;
    span(st->x, r->t0, r->t1);
    name(st->x->platform, sizeof st->x->platform, &st->x->nplatforms, st->last_plat,
         sizeof st->last_plat, r->platform);
    return 0;
}

static int on_run(const struct ct_run_rec *r, void *ud)
{
    struct stats *st = ud;
    st->x->runs++;
    span(st->x, r->t0, r->t1);
    name(st->x->host, sizeof st->x->host, &st->x->nhosts, st->last_host, sizeof st->last_host,
         r->host);
    return 0;
}

int ct_ledger_sources(const struct ct_ledger_h *L, struct ct_source_info **out, size_t *n,
                      ct_err *e)
{
    struct collect c = {0};
    *out = NULL;
    *n = 0;
    const struct ct_ledger_ops *ops = L->ops;
    int rc = ops->list_sources(L->db, NULL, on_source, &c, e);
    if (rc == 0 && c.oom)
        rc = ct_errf(e, "out of memory listing the ledger's sources");
    for (size_t i = 0; rc == 0 && i < c.n; i++) {
        struct stats st = {.x = &c.s[i]};
        if (ops->source_energy_rows(L->db, c.s[i].id, on_energy, &st, e) < 0 ||
            ops->source_provided_rows(L->db, c.s[i].id, on_provided, &st, e) < 0 ||
            ops->source_run_rows(L->db, c.s[i].id, on_run, &st, e) < 0)
            rc = -1;
    }
    if (rc < 0) {
        ct_ledger_sources_free(c.s, c.n);
        return -1;
    }
    *out = c.s;
    *n = c.n;
    return 0;
}

void ct_ledger_sources_free(struct ct_source_info *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        free(s[i].kind);
        free(s[i].path);
        free(s[i].sha256);
    }
    free(s);
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int hex_prefix(const char *s)
{
    size_t n = strlen(s);
    if (n < 8 || n > 64)
        return 0;
    for (; *s; s++)
        if (!isxdigit((unsigned char)*s))
            return 0;
    return 1;
}

size_t ct_ledger_source_match(const struct ct_source_info *s, size_t n, const char *spec,
                              size_t *idx, size_t max)
{
    size_t k = 0;
    int digits = all_digits(spec), hex = hex_prefix(spec);
    long long id = digits ? atoll(spec) : -1;
    for (size_t i = 0; i < n; i++) {
        int hit = (digits && s[i].id == id) ||
                  (hex && strncasecmp(s[i].sha256, spec, strlen(spec)) == 0) ||
                  strcmp(s[i].path, spec) == 0;
        if (hit && k++ < max)
            idx[k - 1] = i;
    }
    return k;
}
