/* Energy in the PostgreSQL ledger: adding a bucket with its day's roll-up
 * (one statement, see postgres_sql.c), and the row streams the
 * backend-neutral scan (ledger/scan.c) reads. */
#include "core/timeutil.h"
#include "ledger/postgres_int.h"

static int upsert(ct_ledger *l, int64_t series, const struct ct_energy_rec *r, int pipelined,
                  ct_err *e)
{
    struct pg_params p = {0};
    pp_i64(&p, series);
    pp_i64(&p, r->t0);
    pp_i64(&p, r->t1);
    pp_f64(&p, r->covered_s);
    pp_f64(&p, r->joules);
    pp_f64(&p, r->idle_joules);
    pp_f64(&p, r->idle_s);
    pp_f64(&p, r->util * r->covered_s); /* NAN (unknown) stays NULL */
    /* Inside the caller's transaction: the bucket now, the day's roll-up
     * folded with its neighbours' (postgres_rollup.c); in our own: both. */
    if (pipelined) {
        if (pg_pipe_send(l, PG_BUCKET_UPSERT, &p, e, "cannot add energy") != 0)
            return -1;
        return pg_rollup_add(l, series, r, e);
    }
    pp_i64(&p, ct_floor(r->t0, CT_DAY));
    return pg_run(l, PG_ENERGY_UPSERT, &p, e, "cannot add energy");
}

int pg_add_energy(ct_ledger *l, int64_t source_id, const struct ct_energy_rec *r, ct_err *e)
{
    if (ct_energy_rec_check(r, e) != 0)
        return -1;
    /* Outside a caller's transaction the series and the bucket go together in
     * one of our own, which is ours to retry on a deadlock. */
    int own_tx = pg_idle(l);
    for (int attempt = 0;; attempt++) {
        int64_t series;
        int ret = own_tx ? pg_run(l, PG_BEGIN, NULL, e, "cannot begin a transaction") : 0;
        if (ret == 0)
            ret = pg_series_id(l, source_id, r, &series, e);
        if (ret == 0)
            ret = upsert(l, series, r, !own_tx, e);
        if (ret == 0 && own_tx)
            ret = pg_run(l, PG_COMMIT, NULL, e, "cannot commit");
        if (ret == 0)
            return 0;
        /* The failed statement took the transaction with it, and with it any
         * series the cache learnt inside. */
        pg_series_clear(&l->series);
        if (!own_tx)
            return -1;
        int retry = pg_retryable(l) && attempt < PG_RETRIES;
        if (!pg_idle(l))
            pg_run(l, PG_ROLLBACK, NULL, NULL, "");
        if (!retry)
            return -1;
        pg_backoff(attempt);
    }
}

/* ---- the scan's row streams ---- */

int pg_read_begin(ct_ledger *l, ct_err *e)
{
    /* Inside a caller's transaction the caller's view is the one to read. */
    if (!pg_idle(l))
        return 0;
    if (pg_run(l, PG_BEGIN_READ, NULL, e, "cannot read the ledger") != 0)
        return -1;
    l->own_read = 1;
    return 0;
}

void pg_read_end(ct_ledger *l)
{
    if (l->own_read && !pg_idle(l))
        pg_run(l, PG_COMMIT, NULL, NULL, "");
    l->own_read = 0;
}

struct sink {
    ct_series_row_fn series;
    ct_day_row_fn day;
    ct_bucket_row_fn bucket;
    void *ud;
};

static int finish(int ret, ct_err *e)
{
    return ret == -2 ? pg_stopped(e, "ledger read") : ret;
}

int pg_series_row(const PGresult *r, ct_series_row_fn fn, void *ud)
{
    struct ct_series_row x = {
        .id = pg_i64(r, 0),
        .platform = pg_str(r, 1),
        .host = pg_str(r, 2),
        .device = pg_str(r, 3),
        .component = pg_str(r, 4),
        .method = (int)pg_i64(r, 5),
        .source_kind = pg_str(r, 6),
    };
    return fn(&x, ud);
}

static int take_series(const PGresult *r, void *ud)
{
    const struct sink *k = ud;
    return pg_series_row(r, k->series, k->ud);
}

int pg_series_rows(ct_ledger *l, ct_series_row_fn fn, void *ud, ct_err *e)
{
    struct sink k = {.series = fn, .ud = ud};
    return finish(pg_stream(l, PG_SERIES_LIST, NULL, take_series, &k, e, "cannot read energy"),
                  e);
}

static int take_day(const PGresult *r, void *ud)
{
    const struct sink *k = ud;
    struct ct_day_row x = {pg_i64(r, 0), pg_i64(r, 1), pg_i64(r, 2), pg_f64(r, 3),
                           pg_f64(r, 4), pg_f64(r, 5), pg_f64(r, 6), pg_f64(r, 7)};
    return k->day(&x, k->ud);
}

int pg_day_rows(ct_ledger *l, int64_t day_from, int64_t day_to, ct_day_row_fn fn, void *ud,
                ct_err *e)
{
    struct pg_params p = {0};
    pp_i64(&p, day_from);
    pp_i64(&p, day_to);
    struct sink k = {.day = fn, .ud = ud};
    return finish(pg_stream(l, PG_DAY_SCAN, &p, take_day, &k, e, "cannot read energy"), e);
}

static int take_bucket(const PGresult *r, void *ud)
{
    const struct sink *k = ud;
    struct ct_bucket_row x = {pg_i64(r, 0), pg_i64(r, 1), pg_f64(r, 2), pg_f64(r, 3),
                              pg_f64(r, 4), pg_f64(r, 5), pg_f64(r, 6)};
    return k->bucket(&x, k->ud);
}

int pg_bucket_rows(ct_ledger *l, int64_t series_id, int64_t t0_from, int64_t t0_to,
                   ct_bucket_row_fn fn, void *ud, ct_err *e)
{
    struct pg_params p = {0};
    pp_i64(&p, series_id);
    pp_i64(&p, t0_from);
    pp_i64(&p, t0_to);
    struct sink k = {.bucket = fn, .ud = ud};
    return finish(pg_stream(l, PG_ENERGY_SCAN, &p, take_bucket, &k, e, "cannot read energy"),
                  e);
}

int pg_scan_energy_days(ct_ledger *l, int64_t from, int64_t to, ct_energy_day_fn fn, void *ud,
                        ct_err *e)
{
    return ct_ledger_scan(&ct_ledger_postgres, l, from, to, fn, ud, e);
}
