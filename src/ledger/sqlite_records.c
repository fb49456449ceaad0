/* Provided emissions and runs in the SQLite ledger. Both are few (a row per
 * provider line or per command), so they are stored and read back as they
 * are. */
#include "ledger/sqlite_int.h"

/* Steps a write statement once and resets it. */
static int step_write(ct_ledger *l, sqlite3_stmt *st, ct_err *e, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        sq_fail(l, e, what);
    sq_done(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int sq_add_provided(ct_ledger *l, int64_t source_id, const struct ct_provided_rec *r,
                    ct_err *e)
{
    if (ct_provided_rec_check(r, e) != 0)
        return -1;
    sqlite3_stmt *st = l->st[SQ_PROV_INSERT];
    sqlite3_bind_int64(st, 1, source_id);
    sq_bind_str(st, 2, r->provider);
    sq_bind_str(st, 3, r->account);
    sq_bind_str(st, 4, r->project);
    sq_bind_str(st, 5, r->service);
    sq_bind_str(st, 6, r->region);
    sq_bind_str(st, 7, r->region_raw);
    sqlite3_bind_int(st, 8, r->scope);
    sqlite3_bind_int(st, 9, r->market_based);
    sqlite3_bind_int64(st, 10, r->t0);
    sqlite3_bind_int64(st, 11, r->t1);
    sqlite3_bind_double(st, 12, r->kgco2e);
    sqlite3_bind_double(st, 13, r->orig_value);
    sq_bind_str(st, 14, r->orig_unit);
    sq_bind_str(st, 15, r->platform);
    return step_write(l, st, e, "cannot add a provided emission");
}

int sq_add_run(ct_ledger *l, int64_t source_id, const struct ct_run_rec *r, ct_err *e)
{
    if (ct_run_rec_check(r, e) != 0)
        return -1;
    sqlite3_stmt *st = l->st[SQ_RUN_INSERT];
    sqlite3_bind_int64(st, 1, source_id);
    sq_bind_str(st, 2, r->host);
    sq_bind_str(st, 3, r->command);
    sqlite3_bind_int64(st, 4, r->t0);
    sqlite3_bind_int64(st, 5, r->t1);
    sqlite3_bind_int(st, 6, r->exit_status);
    sqlite3_bind_double(st, 7, r->cpu_j);
    sqlite3_bind_double(st, 8, r->dram_j);
    sqlite3_bind_double(st, 9, r->gpu_j);
    sqlite3_bind_double(st, 10, r->total_j);
    sq_bind_str(st, 11, r->methods);
    return step_write(l, st, e, "cannot add a run");
}

void sq_read_provided(sqlite3_stmt *st, struct ct_provided_rec *r)
{
    *r = (struct ct_provided_rec){
        .provider = sq_col_str(st, 0),
        .account = sq_col_str(st, 1),
        .project = sq_col_str(st, 2),
        .service = sq_col_str(st, 3),
        .region = sq_col_str(st, 4),
        .region_raw = sq_col_str(st, 5),
        .scope = sqlite3_column_int(st, 6),
        .market_based = sqlite3_column_int(st, 7),
        .t0 = sqlite3_column_int64(st, 8),
        .t1 = sqlite3_column_int64(st, 9),
        .kgco2e = sqlite3_column_double(st, 10),
        .orig_value = sqlite3_column_double(st, 11),
        .orig_unit = sq_col_str(st, 12),
        .platform = sq_col_str(st, 13),
    };
    /* Stored as '' so that it can be compared; handed back as "not set". */
    if (!*r->platform)
        r->platform = NULL;
}

void sq_read_run(sqlite3_stmt *st, struct ct_run_rec *r)
{
    *r = (struct ct_run_rec){
        .host = sq_col_str(st, 0),
        .command = sq_col_str(st, 1),
        .t0 = sqlite3_column_int64(st, 2),
        .t1 = sqlite3_column_int64(st, 3),
        .exit_status = sqlite3_column_int(st, 4),
        .cpu_j = sqlite3_column_double(st, 5),
        .dram_j = sqlite3_column_double(st, 6),
        .gpu_j = sqlite3_column_double(st, 7),
        .total_j = sqlite3_column_double(st, 8),
        .methods = sq_col_str(st, 9),
    };
}

int sq_scan_provided(ct_ledger *l, int64_t from, int64_t to, ct_provided_fn fn, void *ud,
                     ct_err *e)
{
    if (e)
        e->msg[0] = '\0';
    sqlite3_stmt *st = l->st[SQ_PROV_SCAN];
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ct_provided_rec r;
        sq_read_provided(st, &r);
        if (fn(&r, ud) != 0)
            ret = sq_stopped(e, "provided-emission scan");
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = sq_fail(l, e, "cannot read provided emissions");
    sq_done(st);
    return ret;
}

int sq_scan_runs(ct_ledger *l, int64_t from, int64_t to, ct_run_fn fn, void *ud, ct_err *e)
{
    if (e)
        e->msg[0] = '\0';
    sqlite3_stmt *st = l->st[SQ_RUN_SCAN];
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ct_run_rec r;
        sq_read_run(st, &r);
        if (fn(&r, ud) != 0)
            ret = sq_stopped(e, "run scan");
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = sq_fail(l, e, "cannot read runs");
    sq_done(st);
    return ret;
}
