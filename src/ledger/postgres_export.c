/* The PostgreSQL backend's version-4 streams: one source's records read back
 * (for `ledger push`, `merge`, `sources` and `hosts`), as sqlite_export.c does
 * for SQLite. */
#include <math.h>

#include "ledger/postgres_int.h"

struct sink {
    ct_series_row_fn series;
    ct_energy_fn energy;
    void *ud;
};

static int take_series(const PGresult *r, void *ud)
{
    const struct sink *k = ud;
    return pg_series_row(r, k->series, k->ud);
}

/* util_s is util x covered_s; NULL (no add knew the utilisation) and a bucket
 * with nothing covered both hand back NAN, as in SQLite. */
static int take_energy(const PGresult *r, void *ud)
{
    const struct sink *k = ud;
    double covered = pg_f64(r, 8), util = NAN;
    if (!PQgetisnull(r, 0, 12) && covered > 0) {
        util = pg_f64(r, 12) / covered;
        if (util > 1)
            util = 1;
    }
    struct ct_energy_rec x = {
        .platform = pg_str(r, 0),
        .host = pg_str(r, 1),
        .device = pg_str(r, 2),
        .component = pg_str(r, 3),
        .method = (int)pg_i64(r, 4),
        .detail = (int)pg_i64(r, 5),
        .t0 = pg_i64(r, 6),
        .t1 = pg_i64(r, 7),
        .covered_s = covered,
        .joules = pg_f64(r, 9),
        .idle_joules = pg_f64(r, 10),
        .idle_s = pg_f64(r, 11),
        .util = util,
    };
    return k->energy(&x, k->ud);
}

static int run(ct_ledger *l, enum pg_stmt id, int64_t source_id, pg_take_fn take, void *ud,
               ct_err *e)
{
    if (e)
        e->msg[0] = '\0';
    struct pg_params p = {0};
    pp_i64(&p, source_id);
    int ret = pg_stream(l, id, &p, take, ud, e, "cannot read a source's records");
    return ret == -2 ? pg_stopped(e, "reading a source's records") : ret;
}

int pg_source_series_rows(ct_ledger *l, int64_t source_id, ct_series_row_fn fn, void *ud,
                          ct_err *e)
{
    struct sink k = {.series = fn, .ud = ud};
    return run(l, PG_SRC_SERIES, source_id, take_series, &k, e);
}

int pg_source_energy_rows(ct_ledger *l, int64_t source_id, ct_energy_fn fn, void *ud, ct_err *e)
{
    struct sink k = {.energy = fn, .ud = ud};
    return run(l, PG_SRC_ENERGY, source_id, take_energy, &k, e);
}

int pg_source_provided_rows(ct_ledger *l, int64_t source_id, ct_provided_fn fn, void *ud,
                            ct_err *e)
{
    struct prov_ctx c = {.fn = fn, .ud = ud};
    return run(l, PG_SRC_PROVIDED, source_id, pg_take_provided, &c, e);
}

int pg_source_run_rows(ct_ledger *l, int64_t source_id, ct_run_fn fn, void *ud, ct_err *e)
{
    struct prov_ctx c = {.run = fn, .ud = ud};
    return run(l, PG_SRC_RUNS, source_id, pg_take_run, &c, e);
}
