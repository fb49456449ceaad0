/* Series: the (source, platform, host, device, component, method, detail) an energy
 * row belongs to. An import adds thousands of rows to a handful of series, so
 * the handle keeps a small hash table of the ids it has seen, and add_energy
 * usually skips the lookup. */
#include <stdlib.h>
#include <string.h>

#include "ledger/sqlite_int.h"

#define SQ_KEY_PARTS 4

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

/* The method and the detail flag travel together as one int. */
static int flags_of(const struct ct_energy_rec *r)
{
    return r->method | (r->detail ? 1 << 8 : 0);
}

static uint64_t key_hash(int64_t source_id, int flags, const char *const parts[])
{
    uint64_t h = fnv1a(0xcbf29ce484222325ULL, &source_id, sizeof source_id);
    h = fnv1a(h, &flags, sizeof flags);
    for (int i = 0; i < SQ_KEY_PARTS; i++)
        h = fnv1a(h, parts[i], strlen(parts[i]) + 1);
    return h;
}

/* strcmp rather than memcmp: never reads past the stored key's end. */
static int key_eq(const char *k, const char *const parts[])
{
    for (int i = 0; i < SQ_KEY_PARTS; i++) {
        if (strcmp(k, parts[i]) != 0)
            return 0;
        k += strlen(k) + 1;
    }
    return 1;
}

static struct sq_series_ent *slot(struct sq_series_cache *c, uint64_t h, int64_t source_id,
                                  int flags, const char *const parts[])
{
    for (size_t i = (size_t)h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        struct sq_series_ent *s = &c->ent[i];
        if (!s->key || (s->hash == h && s->source_id == source_id && s->flags == flags &&
                        key_eq(s->key, parts)))
            return s;
    }
}

static int grow(struct sq_series_cache *c)
{
    size_t cap = c->cap ? c->cap * 2 : 64;
    struct sq_series_ent *ent = calloc(cap, sizeof *ent);
    if (!ent)
        return -1;
    for (size_t i = 0; i < c->cap; i++) {
        struct sq_series_ent *o = &c->ent[i];
        if (!o->key)
            continue;
        size_t j = (size_t)o->hash & (cap - 1);
        while (ent[j].key)
            j = (j + 1) & (cap - 1);
        ent[j] = *o;
    }
    free(c->ent);
    c->ent = ent;
    c->cap = cap;
    return 0;
}

/* Remembers an id; failing to (out of memory) only costs a lookup later. */
static void remember(struct sq_series_cache *c, uint64_t h, int64_t source_id, int flags,
                     const char *const parts[], int64_t id)
{
    if ((c->n + 1) * 2 > c->cap && grow(c) != 0)
        return;
    size_t len = 0;
    for (int i = 0; i < SQ_KEY_PARTS; i++)
        len += strlen(parts[i]) + 1;
    char *key = malloc(len), *p = key;
    if (!key)
        return;
    for (int i = 0; i < SQ_KEY_PARTS; i++) {
        size_t n = strlen(parts[i]) + 1;
        memcpy(p, parts[i], n);
        p += n;
    }
    struct sq_series_ent *s = slot(c, h, source_id, flags, parts);
    *s = (struct sq_series_ent){h, source_id, id, flags, key, len};
    c->n++;
}

static void bind_key(sqlite3_stmt *st, int64_t source_id, int flags,
                     const char *const parts[])
{
    sqlite3_bind_int64(st, 1, source_id);
    for (int i = 0; i < SQ_KEY_PARTS; i++)
        sq_bind_str(st, i + 2, parts[i]);
    sqlite3_bind_int(st, 6, flags & 0xff);
    sqlite3_bind_int(st, 7, flags >> 8);
}

static int find_or_insert(ct_ledger *l, int64_t source_id, int flags,
                          const char *const parts[], int64_t *id, ct_err *e)
{
    sqlite3_stmt *st = l->st[SQ_SERIES_FIND];
    bind_key(st, source_id, flags, parts);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        sq_fail(l, e, "cannot look up a series");
    sq_done(st);
    if (rc != SQLITE_DONE)
        return rc == SQLITE_ROW ? 0 : -1;

    st = l->st[SQ_SERIES_INSERT];
    bind_key(st, source_id, flags, parts);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        *id = sqlite3_last_insert_rowid(l->db);
    else
        sq_fail(l, e, "cannot add a series");
    sq_done(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int sq_series_id(ct_ledger *l, int64_t source_id, const struct ct_energy_rec *r, int64_t *id,
                 ct_err *e)
{
    const char *const parts[SQ_KEY_PARTS] = {r->platform ? r->platform : "", r->host, r->device,
                                             r->component};
    struct sq_series_cache *c = &l->series;
    int flags = flags_of(r);
    uint64_t h = key_hash(source_id, flags, parts);
    if (c->cap) {
        struct sq_series_ent *s = slot(c, h, source_id, flags, parts);
        if (s->key) {
            *id = s->id;
            return 0;
        }
    }
    if (find_or_insert(l, source_id, flags, parts, id, e) != 0)
        return -1;
    remember(c, h, source_id, flags, parts, *id);
    return 0;
}

void sq_series_clear(struct sq_series_cache *c)
{
    for (size_t i = 0; i < c->cap; i++)
        free(c->ent[i].key);
    if (c->cap)
        memset(c->ent, 0, c->cap * sizeof *c->ent);
    c->n = 0;
}

void sq_series_free(struct sq_series_cache *c)
{
    sq_series_clear(c);
    free(c->ent);
    c->ent = NULL;
    c->cap = 0;
}
