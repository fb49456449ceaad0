/* Adding energy to the SQLite ledger: the bucket itself, and its day's
 * roll-up in energy_day (see schema.c), in the same transaction. */
#include <math.h>

#include "core/timeutil.h"
#include "ledger/sqlite_int.h"

static void bind_amounts(sqlite3_stmt *st, int first, const struct ct_energy_rec *r)
{
    sqlite3_bind_double(st, first, r->covered_s);
    sqlite3_bind_double(st, first + 1, r->joules);
    sqlite3_bind_double(st, first + 2, r->idle_joules);
    sqlite3_bind_double(st, first + 3, r->idle_s);
    if (isnan(r->util))
        sqlite3_bind_null(st, first + 4);
    else
        sqlite3_bind_double(st, first + 4, r->util * r->covered_s);
}

static int step_write(ct_ledger *l, sqlite3_stmt *st, ct_err *e)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        sq_fail(l, e, "cannot add energy");
    sq_done(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int upsert(ct_ledger *l, int64_t series, const struct ct_energy_rec *r, ct_err *e)
{
    sqlite3_stmt *st = l->st[SQ_ENERGY_UPSERT];
    sqlite3_bind_int64(st, 1, series);
    sqlite3_bind_int64(st, 2, r->t0);
    sqlite3_bind_int64(st, 3, r->t1);
    bind_amounts(st, 4, r);
    if (step_write(l, st, e) != 0)
        return -1;

    st = l->st[SQ_DAY_UPSERT];
    sqlite3_bind_int64(st, 1, series);
    sqlite3_bind_int64(st, 2, ct_floor(r->t0, CT_DAY));
    sqlite3_bind_int64(st, 3, r->t1);
    bind_amounts(st, 4, r);
    return step_write(l, st, e);
}

int sq_add_energy(ct_ledger *l, int64_t source_id, const struct ct_energy_rec *r, ct_err *e)
{
    int64_t series;
    if (ct_energy_rec_check(r, e) != 0)
        return -1;
    /* Outside a caller's transaction the two upserts still go together. */
    int own_tx = sqlite3_get_autocommit(l->db);
    if (own_tx && sq_exec_stmt(l, SQ_BEGIN, e, "cannot begin a transaction") != 0)
        return -1;
    int ret = sq_series_id(l, source_id, r, &series, e);
    if (ret == 0)
        ret = upsert(l, series, r, e);
    if (ret != 0) {
        /* A failed write may have rolled the transaction back, taking with it
         * series the cache still names. */
        sq_series_clear(&l->series);
        if (own_tx && !sqlite3_get_autocommit(l->db))
            sq_exec_stmt(l, SQ_ROLLBACK, NULL, "");
        return -1;
    }
    if (own_tx && sq_exec_stmt(l, SQ_COMMIT, e, "cannot commit") != 0) {
        sq_series_clear(&l->series);
        sq_exec_stmt(l, SQ_ROLLBACK, NULL, "");
        return -1;
    }
    return 0;
}
