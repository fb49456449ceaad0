/* The backend-neutral scan (ct_ledger_scan) over a backend made of arrays: the
 * rows of a small ledger streamed in two different orders give bit-identical
 * days, days at the period's edges are cut pro rata from their buckets, series
 * that share a key are one, and detail series are left out. The expected
 * amounts are worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "ledger/ledger.h"

#define D0 ((int64_t)19358 * CT_DAY) /* 2023-01-01 */

/* The "ledger": three series; 7 and 9 share a key (two log files of one GPU);
 * 8 is a CPU; a detail series (not listed) has a day row too. */
static const struct ct_series_row series[] = {
    {7, "", "h1", "gpu:0", "gpu", "nvidia-smi", CT_METHOD_MEASURED},
    {8, "", "h1", "cpu0", "cpu", "agent", CT_METHOD_MEASURED},
    {9, "", "h1", "gpu:0", "gpu", "nvidia-smi", CT_METHOD_MEASURED},
};
/* Day rows: series 7 on day 0 and 1, series 9 on day 1, series 8 on day 1
 * whose last bucket ends at 12:00, the detail series 99 on day 1. */
static const struct ct_day_row days[] = {
    {7, D0, D0 + CT_DAY, 86400, 8.64e6, 0, 0, 0},
    {7, D0 + CT_DAY, D0 + 2 * CT_DAY, 86400, 8.64e6, 0, 0, 0},
    {9, D0 + CT_DAY, D0 + CT_DAY + 3600, 3600, 0.1, 0, 0, 0},
    {8, D0 + CT_DAY, D0 + CT_DAY + 12 * 3600, 43200, 4.32e6, 0, 0, 0},
    {99, D0 + CT_DAY, D0 + 2 * CT_DAY, 86400, 1e9, 0, 0, 0},
};
/* Series 8's buckets on day 1: two 6-hour ones at 100 W. */
static const struct ct_bucket_row buckets8[] = {
    {D0 + CT_DAY, D0 + CT_DAY + 6 * 3600, 21600, 2.16e6, 0, 0, 0},
    {D0 + CT_DAY + 6 * 3600, D0 + CT_DAY + 12 * 3600, 21600, 2.16e6, 0, 0, 0},
};

static int reversed;   /* stream every row list backwards */
static int reads_open; /* read_begin without read_end */

static int rb(ct_ledger *l, ct_err *e) { (void)l; (void)e; reads_open++; return 0; }
static void re(ct_ledger *l) { (void)l; reads_open--; }

#define N(a) (int)(sizeof a / sizeof a[0])
#define AT(i, n) (reversed ? (n) - 1 - (i) : (i))

static int srows(ct_ledger *l, ct_series_row_fn fn, void *ud, ct_err *e)
{
    (void)l; (void)e;
    for (int i = 0; i < N(series); i++)
        if (fn(&series[AT(i, N(series))], ud))
            return -1;
    return 0;
}

static int drows(ct_ledger *l, int64_t a, int64_t b, ct_day_row_fn fn, void *ud, ct_err *e)
{
    (void)l; (void)e;
    for (int i = 0; i < N(days); i++) {
        const struct ct_day_row *r = &days[AT(i, N(days))];
        if (r->day >= a && r->day < b && fn(r, ud))
            return -1;
    }
    return 0;
}

static int brows(ct_ledger *l, int64_t id, int64_t a, int64_t b, ct_bucket_row_fn fn, void *ud,
                 ct_err *e)
{
    (void)l; (void)e;
    if (id == 99)
        fail_msg("buckets of a detail series were read");
    if (id != 8) /* series 7 straddles the edge too, but has no buckets in this fake */
        return 0;
    for (int i = 0; i < N(buckets8); i++) {
        const struct ct_bucket_row *r = &buckets8[AT(i, N(buckets8))];
        if (r->t0 >= a && r->t0 < b && fn(r, ud))
            return -1;
    }
    return 0;
}

static const struct ct_ledger_ops arrays = {
    .version = CT_LEDGER_OPS_VERSION, .name = "arrays",
    .read_begin = rb, .read_end = re, .series_rows = srows, .day_rows = drows, .bucket_rows = brows,
};

struct got {
    struct ct_energy_day d[8];
    char dev[8][16];
    int n;
};

static int collect(const struct ct_energy_day *d, void *ud)
{
    struct got *g = ud;
    if (g->n == 8)
        return 1;
    g->d[g->n] = *d;
    snprintf(g->dev[g->n], sizeof g->dev[g->n], "%s", d->device);
    g->d[g->n].device = g->dev[g->n];
    g->n++;
    return 0;
}

/* The period ends at 09:00 on day 1: series 8's day is cut to its first 9 h. */
static void scan(struct got *g)
{
    ct_err e = {{0}};
    memset(g, 0, sizeof *g);
    assert_int_equal(ct_ledger_scan(&arrays, NULL, D0, D0 + CT_DAY + 9 * 3600, collect, g, &e), 0);
    assert_int_equal(reads_open, 0);
}

static void test_order_does_not_matter(void **state)
{
    (void)state;
    struct got a, b;
    reversed = 0;
    scan(&a);
    reversed = 1;
    scan(&b);
    assert_int_equal(a.n, b.n);
    for (int i = 0; i < a.n; i++) {
        assert_string_equal(a.dev[i], b.dev[i]);
        assert_true(a.d[i].day == b.d[i].day);
        assert_memory_equal(&a.d[i].joules, &b.d[i].joules, sizeof(double));
        assert_memory_equal(&a.d[i].covered_s, &b.d[i].covered_s, sizeof(double));
    }
}

static void test_amounts(void **state)
{
    (void)state;
    struct got g;
    reversed = 0;
    scan(&g);
    /* Output order: cpu0 before gpu:0 (by device), then by day. */
    assert_int_equal(g.n, 3);
    assert_string_equal(g.dev[0], "cpu0");
    assert_true(g.d[0].day == D0 + CT_DAY);
    /* 6 h whole + 3 of the second 6 h bucket: 9 h at 100 W */
    assert_float_equal(g.d[0].joules, 100 * 9 * 3600.0, 1e-6);
    assert_float_equal(g.d[0].covered_s, 9 * 3600.0, 1e-9);
    assert_string_equal(g.dev[1], "gpu:0");
    assert_true(g.d[1].day == D0);
    assert_float_equal(g.d[1].joules, 8.64e6, 0);
    /* day 1 of gpu:0: series 9's hour ends at 01:00, inside the period, so it
     * is taken whole; series 7's day reaches past 09:00 and has no buckets */
    assert_string_equal(g.dev[2], "gpu:0");
    assert_float_equal(g.d[2].joules, 0.1, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_does_not_matter),
        cmocka_unit_test(test_amounts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
