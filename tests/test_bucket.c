/* Hourly buckets: splitting at hour edges, idle energy, partial flushes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "ingest/bucket.h"

struct got {
    struct ct_energy_rec r[8];
    int n;
};

static int keep(const struct ct_energy_rec *r, void *ud, ct_err *e)
{
    (void)e;
    struct got *g = ud;
    g->r[g->n++] = *r;
    return 0;
}

#define H 1672531200.0 /* 2023-01-01T00:00:00Z, an hour edge */

static void test_split(void **state)
{
    (void)state;
    struct ct_bucketer b;
    struct got g = {.n = 0};
    ct_err e;
    ct_bucket_init(&b, "", "h", "gpu:0", "gpu", CT_METHOD_MEASURED, 0.05);
    /* 100 W from 00:59:00 to 01:01:00: 6000 J over the edge, split 3000/3000. */
    assert_int_equal(ct_bucket_add(&b, H + 3540, H + 3660, 12000, 0.5, keep, &g, &e), 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.r[0].t0, (int64_t)H);
    assert_int_equal(g.r[0].t1, (int64_t)H + 3600);
    assert_float_equal(g.r[0].joules, 6000, 1e-9);
    assert_float_equal(g.r[0].covered_s, 60, 1e-9);
    assert_float_equal(g.r[0].util, 0.5, 1e-12);
    /* Idle: utilisation 0.01 is under 0.05. */
    assert_int_equal(ct_bucket_add(&b, H + 3660, H + 3720, 3000, 0.01, keep, &g, &e), 0);
    assert_int_equal(ct_bucket_flush(&b, keep, &g, &e), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.r[1].t0, (int64_t)H + 3600);
    assert_float_equal(g.r[1].joules, 9000, 1e-9);
    assert_float_equal(g.r[1].covered_s, 120, 1e-9);
    assert_float_equal(g.r[1].idle_joules, 3000, 1e-9);
    assert_float_equal(g.r[1].idle_s, 60, 1e-9);
    assert_float_equal(g.r[1].util, (0.5 * 60 + 0.01 * 60) / 120, 1e-12);
    /* A flush of an empty bucketer emits nothing. */
    assert_int_equal(ct_bucket_flush(&b, keep, &g, &e), 0);
    assert_int_equal(g.n, 2);
}

static void test_long_interval(void **state)
{
    (void)state;
    struct ct_bucketer b;
    struct got g = {.n = 0};
    ct_err e;
    ct_bucket_init(&b, "", "h", "cpu0", "cpu", CT_METHOD_MEASURED, NAN);
    /* 2.5 hours at a uniform 10 W from 00:30: 18000, 36000, 36000 J. */
    assert_int_equal(ct_bucket_add(&b, H + 1800, H + 10800, 90000, NAN, keep, &g, &e), 0);
    assert_int_equal(ct_bucket_flush(&b, keep, &g, &e), 0);
    assert_int_equal(g.n, 3);
    assert_float_equal(g.r[0].joules, 18000, 1e-6);
    assert_float_equal(g.r[1].joules, 36000, 1e-6);
    assert_float_equal(g.r[2].joules, 36000, 1e-6);
    assert_true(isnan(g.r[2].util));
    assert_float_equal(g.r[2].idle_joules, 0, 0);
}

static void test_backwards(void **state)
{
    (void)state;
    struct ct_bucketer b;
    struct got g = {.n = 0};
    ct_err e;
    ct_bucket_init(&b, "", "h", "cpu0", "cpu", CT_METHOD_MEASURED, NAN);
    assert_int_equal(ct_bucket_add(&b, H + 7200, H + 7201, 1, NAN, keep, &g, &e), 0);
    assert_int_equal(ct_bucket_add(&b, H + 10, H + 11, 1, NAN, keep, &g, &e), -1);
    assert_non_null(strstr(e.msg, "time went backwards"));
    assert_int_equal(ct_bucket_add(&b, H + 7300, H + 7200, 1, NAN, keep, &g, &e), -1);
}

static int count_rec(const struct ct_energy_rec *r, void *ud, ct_err *e)
{
    (void)e;
    double *sum = ud;
    sum[0] += 1;
    sum[1] += r->joules;
    return 0;
}

/* Issue 15: one reading can never make more than a year's worth of records,
 * whatever a parser lets through (a far-future t1 made 3 million). */
static void test_span_bounded(void **state)
{
    (void)state;
    struct ct_bucketer b;
    ct_err e;
    double sum[2] = {0, 0};
    ct_bucket_init(&b, "", "h", "aws:x/cpu", "cpu", CT_METHOD_CALCULATED, NAN);
    /* 366 days (2024, a leap year) from an hour edge: 8784 records, all the energy. */
    double t0 = 1704067200.0; /* 2024-01-01T00:00:00Z */
    assert_int_equal(ct_bucket_add(&b, t0, t0 + 366 * 86400.0, 8784, NAN, count_rec, sum, &e), 0);
    assert_int_equal(ct_bucket_flush(&b, count_rec, sum, &e), 0);
    assert_float_equal(sum[0], 8784, 0);
    assert_float_equal(sum[1], 8784, 1e-6);
    /* Longer than CT_BUCKET_MAX_SPAN_S (367 days): refused, nothing emitted. */
    sum[0] = sum[1] = 0;
    ct_bucket_init(&b, "", "h", "gpu:0", "gpu", CT_METHOD_MEASURED, 0.05);
    assert_int_equal(ct_bucket_add(&b, t0, t0 + 368 * 86400.0, 1, NAN, count_rec, sum, &e), -1);
    assert_non_null(strstr(e.msg, "gpu:0: an interval of"));
    assert_int_equal(ct_bucket_add(&b, t0, 1e308, 1, NAN, count_rec, sum, &e), -1);
    assert_int_equal(ct_bucket_flush(&b, count_rec, sum, &e), 0);
    assert_float_equal(sum[0], 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split), cmocka_unit_test(test_long_interval),
        cmocka_unit_test(test_backwards), cmocka_unit_test(test_span_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
