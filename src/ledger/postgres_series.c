/* Series in the PostgreSQL ledger: the (source, platform, host, device,
 * component, method, detail) an energy row belongs to. An import adds
 * thousands of rows to a handful of series, so the handle keeps the ids it
 * has seen in a small hash table and add_energy usually skips a round trip.
 * The table is cleared on rollback, on delete_source and after any failed
 * write, because an id it holds may then name nothing. */
#include <stdlib.h>
#include <string.h>

#include "ledger/postgres_int.h"

#define KEY_PARTS 4

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t key_hash(int64_t source_id, int flags, const char *const parts[])
{
    uint64_t h = fnv1a(0xcbf29ce484222325ULL, &source_id, sizeof source_id);
    h = fnv1a(h, &flags, sizeof flags);
    for (int i = 0; i < KEY_PARTS; i++)
        h = fnv1a(h, parts[i], strlen(parts[i]) + 1);
    return h;
}

static int key_eq(const char *k, const char *const parts[])
{
    for (int i = 0; i < KEY_PARTS; i++) {
        if (strcmp(k, parts[i]) != 0)
            return 0;
        k += strlen(k) + 1;
    }
    return 1;
}

static struct pg_series_ent *find_slot(struct pg_series_cache *c, uint64_t h, int64_t source_id,
                                       int flags, const char *const parts[])
{
    for (size_t i = (size_t)h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        struct pg_series_ent *s = &c->ent[i];
        if (!s->key || (s->hash == h && s->source_id == source_id && s->flags == flags &&
                        key_eq(s->key, parts)))
            return s;
    }
}

static int grow(struct pg_series_cache *c)
{
    size_t cap = c->cap ? c->cap * 2 : 64;
    struct pg_series_ent *ent = calloc(cap, sizeof *ent);
    if (!ent)
        return -1;
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->ent[i].key)
            continue;
        size_t j = (size_t)c->ent[i].hash & (cap - 1);
        while (ent[j].key)
            j = (j + 1) & (cap - 1);
        ent[j] = c->ent[i];
    }
    free(c->ent);
    c->ent = ent;
    c->cap = cap;
    return 0;
}

/* Failing to remember (out of memory) only costs a round trip later. */
static void remember(struct pg_series_cache *c, uint64_t h, int64_t source_id, int flags,
                     const char *const parts[], int64_t id)
{
    if ((c->n + 1) * 2 > c->cap && grow(c) != 0)
        return;
    size_t len = 0;
    for (int i = 0; i < KEY_PARTS; i++)
        len += strlen(parts[i]) + 1;
    char *key = malloc(len), *p = key;
    if (!key)
        return;
    for (int i = 0; i < KEY_PARTS; i++) {
        size_t n = strlen(parts[i]) + 1;
        memcpy(p, parts[i], n);
        p += n;
    }
    *find_slot(c, h, source_id, flags, parts) = (struct pg_series_ent){h, source_id, id, flags, key};
    c->n++;
}

/* Finds or adds the series. A writer adding the same key at the same moment
 * makes one round come back empty; the next sees its commit. */
static int fetch_id(ct_ledger *l, int64_t source_id, int flags, const char *const parts[],
                    int64_t *id, ct_err *e)
{
    struct pg_params p = {0};
    pp_i64(&p, source_id);
    for (int i = 0; i < KEY_PARTS; i++)
        pp_str(&p, parts[i]);
    pp_i64(&p, flags & 0xff);
    pp_i64(&p, flags >> 8);
    for (int round = 0; round < 3; round++) {
        PGresult *r = pg_exec(l, PG_SERIES_GET, &p, e, "cannot add a series");
        if (!r)
            return -1;
        int found = PQntuples(r) >= 1;
        if (found)
            *id = pg_i64(r, 0);
        PQclear(r);
        if (found)
            return 0;
    }
    return ct_errf(e, "%s: cannot add a series: it is neither there nor addable", l->label);
}

int pg_series_id(ct_ledger *l, int64_t source_id, const struct ct_energy_rec *r, int64_t *id,
                 ct_err *e)
{
    const char *const parts[KEY_PARTS] = {r->platform ? r->platform : "", r->host, r->device,
                                          r->component};
    struct pg_series_cache *c = &l->series;
    int flags = r->method | (r->detail ? 1 << 8 : 0);
    uint64_t h = key_hash(source_id, flags, parts);
    if (c->cap) {
        struct pg_series_ent *s = find_slot(c, h, source_id, flags, parts);
        if (s->key) {
            *id = s->id;
            return 0;
        }
    }
    if (fetch_id(l, source_id, flags, parts, id, e) != 0)
        return -1;
    remember(c, h, source_id, flags, parts, *id);
    return 0;
}

void pg_series_clear(struct pg_series_cache *c)
{
    for (size_t i = 0; i < c->cap; i++)
        free(c->ent[i].key);
    if (c->cap)
        memset(c->ent, 0, c->cap * sizeof *c->ent);
    c->n = 0;
}

void pg_series_free(struct pg_series_cache *c)
{
    pg_series_clear(c);
    free(c->ent);
    c->ent = NULL;
    c->cap = 0;
}
