/* Sources, provided emissions, runs and row counts in the PostgreSQL ledger.
 * Provided emissions and runs are few (a row per provider line or command),
 * so they are stored and read back as they are. */
#include <string.h>

#include "ledger/postgres_int.h"

/* ---- sources ---- */

static int is_sha256_hex(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return 0;
    return n == 64;
}

int pg_find_source(ct_ledger *l, const char *sha256, int64_t *id, ct_err *e)
{
    struct pg_params p = {0};
    pp_str(&p, sha256);
    PGresult *r = pg_exec(l, PG_SRC_FIND, &p, e, "cannot look up a source");
    if (!r)
        return -1;
    *id = PQntuples(r) == 1 ? pg_i64(r, 0) : 0;
    PQclear(r);
    return 0;
}

int pg_add_source(ct_ledger *l, const struct ct_source_rec *s, int64_t *id, int *existed,
                  ct_err *e)
{
    if (!s->kind || !*s->kind || !is_sha256_hex(s->sha256))
        return ct_errf(e, "%s: a source needs a kind and a sha256 of 64 lowercase hex digits",
                       l->label);
    struct pg_params p = {0};
    pp_str(&p, s->kind);
    pp_str(&p, s->path);
    pp_str(&p, s->sha256);
    pp_i64(&p, s->imported_at);
    /* ON CONFLICT DO NOTHING waits for a writer adding the same sha256, then
     * returns no row; the lookup below then sees the committed source. */
    PGresult *r = pg_exec(l, PG_SRC_INSERT, &p, e, "cannot add a source");
    if (!r)
        return -1;
    int added = PQntuples(r) == 1;
    if (added)
        *id = pg_i64(r, 0);
    PQclear(r);
    if (existed)
        *existed = !added;
    if (added)
        return 0;
    if (pg_find_source(l, s->sha256, id, e) != 0)
        return -1;
    if (*id == 0)
        return ct_errf(e, "%s: a source with this sha256 vanished while it was added",
                       l->label);
    return 0;
}

int pg_delete_source(ct_ledger *l, int64_t id, ct_err *e)
{
    /* The cascade removes series (and their roll-up) whose ids the cache may hold. */
    pg_series_clear(&l->series);
    struct pg_params p = {0};
    pp_i64(&p, id);
    PGresult *r = pg_exec(l, PG_SRC_DELETE, &p, e, "cannot delete a source");
    if (!r)
        return -1;
    int gone = strcmp(PQcmdTuples(r), "0") != 0;
    PQclear(r);
    if (!gone)
        return ct_errf(e, "%s: no source %lld in the ledger", l->label, (long long)id);
    return 0;
}

struct list_ctx {
    ct_source_fn fn;
    void *ud;
};

static int take_source(const PGresult *r, void *ud)
{
    struct list_ctx *c = ud;
    struct ct_source_rec s = {pg_str(r, 1), pg_str(r, 2), pg_str(r, 3), pg_i64(r, 4)};
    return c->fn(pg_i64(r, 0), &s, c->ud);
}

int pg_list_sources(ct_ledger *l, const char *kind, ct_source_fn fn, void *ud, ct_err *e)
{
    struct pg_params p = {0};
    if (kind) /* NULL: every source (version 4) */
        pp_str(&p, kind);
    struct list_ctx c = {fn, ud};
    int ret = pg_stream(l, kind ? PG_SRC_LIST : PG_SRC_LIST_ALL, &p, take_source, &c, e,
                        "cannot list sources");
    return ret == -2 ? pg_stopped(e, "listing sources") : ret;
}

/* ---- counts ---- */

int pg_count(ct_ledger *l, const char *table, int64_t *n, ct_err *e)
{
    /* Fixed names mapped to fixed statements: the name never reaches SQL. */
    static const struct {
        const char *name;
        enum pg_stmt st;
    } tables[] = {{"sources", PG_COUNT_SOURCES},
                  {"energy", PG_COUNT_ENERGY},
                  {"provided", PG_COUNT_PROVIDED},
                  {"runs", PG_COUNT_RUNS}};
    for (size_t i = 0; table && i < sizeof tables / sizeof tables[0]; i++) {
        if (strcmp(table, tables[i].name) != 0)
            continue;
        PGresult *r = pg_exec(l, tables[i].st, NULL, e, "cannot count rows");
        if (!r)
            return -1;
        *n = pg_i64(r, 0);
        PQclear(r);
        return 0;
    }
    return ct_errf(e, "%s: no table '%.40s' to count (sources, energy, provided, runs)",
                   l->label, table ? table : "");
}

/* ---- provided emissions and runs ---- */

int pg_add_provided(ct_ledger *l, int64_t source_id, const struct ct_provided_rec *r,
                    ct_err *e)
{
    if (ct_provided_rec_check(r, e) != 0)
        return -1;
    struct pg_params p = {0};
    pp_i64(&p, source_id);
    pp_str(&p, r->provider);
    pp_str(&p, r->account);
    pp_str(&p, r->project);
    pp_str(&p, r->service);
    pp_str(&p, r->region);
    pp_str(&p, r->region_raw);
    pp_i64(&p, r->scope);
    pp_i64(&p, r->market_based);
    pp_i64(&p, r->t0);
    pp_i64(&p, r->t1);
    pp_f64(&p, r->kgco2e);
    pp_f64(&p, r->orig_value);
    pp_str(&p, r->orig_unit);
    pp_str(&p, r->platform);
    return pg_run(l, PG_PROV_INSERT, &p, e, "cannot add a provided emission");
}

int pg_add_run(ct_ledger *l, int64_t source_id, const struct ct_run_rec *r, ct_err *e)
{
    if (ct_run_rec_check(r, e) != 0)
        return -1;
    struct pg_params p = {0};
    pp_i64(&p, source_id);
    pp_str(&p, r->host);
    pp_str(&p, r->command);
    pp_i64(&p, r->t0);
    pp_i64(&p, r->t1);
    pp_i64(&p, r->exit_status);
    pp_f64(&p, r->cpu_j);
    pp_f64(&p, r->dram_j);
    pp_f64(&p, r->gpu_j);
    pp_f64(&p, r->total_j);
    pp_str(&p, r->methods);
    return pg_run(l, PG_RUN_INSERT, &p, e, "cannot add a run");
}

int pg_take_provided(const PGresult *r, void *ud)
{
    struct prov_ctx *c = ud;
    struct ct_provided_rec x = {
        .provider = pg_str(r, 0),
        .account = pg_str(r, 1),
        .project = pg_str(r, 2),
        .service = pg_str(r, 3),
        .region = pg_str(r, 4),
        .region_raw = pg_str(r, 5),
        .scope = (int)pg_i64(r, 6),
        .market_based = (int)pg_i64(r, 7),
        .t0 = pg_i64(r, 8),
        .t1 = pg_i64(r, 9),
        .kgco2e = pg_f64(r, 10),
        .orig_value = pg_f64(r, 11),
        .orig_unit = pg_str(r, 12),
        .platform = pg_str(r, 13),
    };
    /* Stored as '' so that it can be compared; handed back as "not set". */
    if (!*x.platform)
        x.platform = NULL;
    return c->fn(&x, c->ud);
}

int pg_take_run(const PGresult *r, void *ud)
{
    struct prov_ctx *c = ud;
    struct ct_run_rec x = {
        .host = pg_str(r, 0),
        .command = pg_str(r, 1),
        .t0 = pg_i64(r, 2),
        .t1 = pg_i64(r, 3),
        .exit_status = (int)pg_i64(r, 4),
        .cpu_j = pg_f64(r, 5),
        .dram_j = pg_f64(r, 6),
        .gpu_j = pg_f64(r, 7),
        .total_j = pg_f64(r, 8),
        .methods = pg_str(r, 9),
    };
    return c->run(&x, c->ud);
}

int pg_scan_provided(ct_ledger *l, int64_t from, int64_t to, ct_provided_fn fn, void *ud,
                     ct_err *e)
{
    if (e)
        e->msg[0] = '\0';
    struct pg_params p = {0};
    pp_i64(&p, from);
    pp_i64(&p, to);
    struct prov_ctx c = {.fn = fn, .ud = ud};
    int ret = pg_stream(l, PG_PROV_SCAN, &p, pg_take_provided, &c, e,
                        "cannot read provided emissions");
    return ret == -2 ? pg_stopped(e, "provided-emission scan") : ret;
}

int pg_scan_runs(ct_ledger *l, int64_t from, int64_t to, ct_run_fn fn, void *ud, ct_err *e)
{
    if (e)
        e->msg[0] = '\0';
    struct pg_params p = {0};
    pp_i64(&p, from);
    pp_i64(&p, to);
    struct prov_ctx c = {.run = fn, .ud = ud};
    int ret = pg_stream(l, PG_RUN_SCAN, &p, pg_take_run, &c, e, "cannot read runs");
    return ret == -2 ? pg_stopped(e, "run scan") : ret;
}
