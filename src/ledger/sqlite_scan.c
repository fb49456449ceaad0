/* The SQLite backend's row streams for the backend-neutral scan (ledger/scan.c):
 * SQL and rows, nothing more. The prepared statements are in statements.c. */
#include <stdio.h>

#include "ledger/sqlite_int.h"

int sq_read_begin(ct_ledger *l, ct_err *e)
{
    /* Inside a caller's transaction the snapshot is already there. */
    if (!sqlite3_get_autocommit(l->db))
        return 0;
    if (sq_exec_stmt(l, SQ_BEGIN_READ, e, "cannot read the ledger") != 0)
        return -1;
    l->own_read = 1;
    return 0;
}

void sq_read_end(ct_ledger *l)
{
    if (l->own_read)
        sq_exec_stmt(l, SQ_COMMIT, NULL, "");
    l->own_read = 0;
}

int sq_stream(ct_ledger *l, sqlite3_stmt *st, sq_take_fn take, const struct sq_sink *k,
              const char *what, ct_err *e)
{
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (take(st, k) != 0) {
            ret = sq_stopped(e, what);
            break;
        }
    if (ret == 0 && rc != SQLITE_DONE) {
        char msg[96];
        snprintf(msg, sizeof msg, "cannot read %s", what);
        ret = sq_fail(l, e, msg);
    }
    sq_done(st);
    return ret;
}

int sq_take_series(sqlite3_stmt *st, const struct sq_sink *k)
{
    struct ct_series_row r = {
        .id = sqlite3_column_int64(st, 0),
        .platform = sq_col_str(st, 1),
        .host = sq_col_str(st, 2),
        .device = sq_col_str(st, 3),
        .component = sq_col_str(st, 4),
        .method = sqlite3_column_int(st, 5),
        .source_kind = sq_col_str(st, 6),
    };
    return k->series(&r, k->ud);
}

int sq_series_rows(ct_ledger *l, ct_series_row_fn fn, void *ud, ct_err *e)
{
    struct sq_sink k = {.series = fn, .ud = ud};
    return sq_stream(l, l->st[SQ_SERIES_LIST], sq_take_series, &k, "the ledger's series", e);
}

/* Columns 3..7 of SQ_DAY_SCAN and SQ_ENERGY_SCAN; a NULL util_s reads as 0. */
static void amounts(sqlite3_stmt *st, double *v)
{
    for (int i = 0; i < 5; i++)
        v[i] = sqlite3_column_double(st, 3 + i);
}

static int take_day(sqlite3_stmt *st, const struct sq_sink *k)
{
    double v[5];
    amounts(st, v);
    struct ct_day_row r = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                           sqlite3_column_int64(st, 2), v[0], v[1], v[2], v[3], v[4]};
    return k->day(&r, k->ud);
}

int sq_day_rows(ct_ledger *l, int64_t day_from, int64_t day_to, ct_day_row_fn fn, void *ud,
                ct_err *e)
{
    sqlite3_stmt *st = l->st[SQ_DAY_SCAN];
    sqlite3_bind_int64(st, 1, day_from);
    sqlite3_bind_int64(st, 2, day_to);
    struct sq_sink k = {.day = fn, .ud = ud};
    return sq_stream(l, st, take_day, &k, "energy", e);
}

static int take_bucket(sqlite3_stmt *st, const struct sq_sink *k)
{
    double v[5];
    amounts(st, v);
    struct ct_bucket_row r = {sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                              v[0], v[1], v[2], v[3], v[4]};
    return k->bucket(&r, k->ud);
}

int sq_bucket_rows(ct_ledger *l, int64_t series_id, int64_t t0_from, int64_t t0_to,
                   ct_bucket_row_fn fn, void *ud, ct_err *e)
{
    sqlite3_stmt *st = l->st[SQ_ENERGY_SCAN];
    sqlite3_bind_int64(st, 1, series_id);
    sqlite3_bind_int64(st, 2, t0_from);
    sqlite3_bind_int64(st, 3, t0_to);
    struct sq_sink k = {.bucket = fn, .ud = ud};
    return sq_stream(l, st, take_bucket, &k, "energy", e);
}

int sq_scan_energy_days(ct_ledger *l, int64_t from, int64_t to, ct_energy_day_fn fn, void *ud,
                        ct_err *e)
{
    return ct_ledger_scan(&ct_ledger_sqlite, l, from, to, fn, ud, e);
}
