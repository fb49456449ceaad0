/* Extrapolation: the joint Bayesian bootstrap over weeks against answers
 * worked out by hand or from the weights' known distribution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/model.h"

#define WEEK_S (7.0 * 86400)

static struct ct_boot boot(int nweeks)
{
    struct ct_boot bt;
    ct_err e;
    assert_int_equal(ct_boot_init(&bt, nweeks, &e), 0);
    return bt;
}

/* A constant rate seen in every other week extrapolates to rate x period in
 * every replicate. */
static void test_constant_series(void **state)
{
    (void)state;
    double kg[53] = {0}, cov[53] = {0}, reps[CT_BOOT_REPLICATES];
    const double rate = 2.5e-6; /* kg per device-second */
    double cap = 365.0 * 86400 * 4;
    for (int w = 0; w < 53; w += 2) {
        cov[w] = 4 * (w == 52 ? 86400.0 : WEEK_S);
        kg[w] = rate * cov[w];
    }
    struct ct_boot bt = boot(53);
    ct_boot_series(&bt, kg, cov, cap, reps);
    for (int b = 0; b < CT_BOOT_REPLICATES; b++)
        assert_float_equal(reps[b], rate * cap, 1e-9 * rate * cap);
    ct_boot_free(&bt);
}

/* Two weeks of equal coverage c at kg a and b: a replicate is
 * cap/c x (b + (a - b) U) with U = w0 / (w0 + w1), and for Exp(1) weights U is
 * uniform on (0, 1). So the 2.5th and 97.5th percentiles of the replicates
 * lie near cap/c x (b + (a - b) x 0.025) and x 0.975, and their mean near the
 * midpoint. The tolerance is four standard errors of a uniform quantile from
 * 2000 draws (sqrt(0.025 x 0.975 / 2000) = 0.0035). */
static void test_two_weeks_uniform(void **state)
{
    (void)state;
    double kg[2] = {30, 10}, cov[2] = {1, 1}, reps[CT_BOOT_REPLICATES], cap = 2;
    struct ct_boot bt = boot(2);
    ct_boot_series(&bt, kg, cov, cap, reps);
    double mean = 0;
    for (int b = 0; b < CT_BOOT_REPLICATES; b++) {
        assert_true(reps[b] > 20 - 1e-9 && reps[b] < 60 + 1e-9);
        mean += reps[b] / CT_BOOT_REPLICATES;
    }
    double lo, hi;
    ct_percentile_interval(reps, CT_BOOT_REPLICATES, &lo, &hi);
    double span = cap * (30 - 10);
    assert_float_equal(lo, cap * 10 + span * 0.025, span * 0.014);
    assert_float_equal(hi, cap * 10 + span * 0.975, span * 0.014);
    assert_float_equal(mean, 40, span * 0.03);
    ct_boot_free(&bt);
}

/* Ten weeks of equal coverage at rates 1..10: the replicate is a Dirichlet(1,
 * ..., 1) weighted mean of the rates, whose mean is the plain mean (5.5) and
 * whose variance is the population variance over k + 1 = 8.25 / 11 = 0.75. */
static void test_dirichlet_moments(void **state)
{
    (void)state;
    double kg[10], cov[10], reps[CT_BOOT_REPLICATES];
    for (int k = 0; k < 10; k++) {
        cov[k] = 1;
        kg[k] = k + 1;
    }
    struct ct_boot bt = boot(10);
    ct_boot_series(&bt, kg, cov, 1, reps);
    double m = 0, v = 0;
    for (int b = 0; b < CT_BOOT_REPLICATES; b++)
        m += reps[b] / CT_BOOT_REPLICATES;
    for (int b = 0; b < CT_BOOT_REPLICATES; b++)
        v += (reps[b] - m) * (reps[b] - m) / (CT_BOOT_REPLICATES - 1);
    assert_float_equal(m, 5.5, 0.08);        /* 4 standard errors: 4 x 0.866 / sqrt(2000) */
    assert_float_equal(v, 0.75, 0.75 * 0.15); /* the variance's own error is about 3.5 % */
    ct_boot_free(&bt);
}

/* Weeks without data carry no weight in the ratio: adding empty weeks changes
 * nothing but which weights are drawn. */
static void test_empty_weeks_ignored(void **state)
{
    (void)state;
    double kg[5] = {2, 0, 2, 0, 2}, cov[5] = {1, 0, 1, 0, 1}, reps[CT_BOOT_REPLICATES];
    struct ct_boot bt = boot(5);
    ct_boot_series(&bt, kg, cov, 7, reps);
    for (int b = 0; b < CT_BOOT_REPLICATES; b++)
        assert_float_equal(reps[b], 14, 1e-12);
    ct_boot_free(&bt);
}

static void test_deterministic(void **state)
{
    (void)state;
    double kg[5] = {1, 2, 0, 4, 1.5}, cov[5] = {1, 1, 0, 1.5, 1};
    double r1[CT_BOOT_REPLICATES], r2[CT_BOOT_REPLICATES];
    struct ct_boot a = boot(5), b = boot(5);
    ct_boot_series(&a, kg, cov, 10, r1);
    ct_boot_series(&b, kg, cov, 10, r2);
    assert_memory_equal(r1, r2, sizeof r1);
    ct_boot_free(&a);
    ct_boot_free(&b);
}

/* Type 7 percentiles of 0, 1, ..., 100 are the percentages themselves. */
static void test_percentiles(void **state)
{
    (void)state;
    double v[101];
    for (int i = 0; i < 101; i++)
        v[i] = 100 - i; /* unsorted on purpose */
    double lo, hi;
    ct_percentile_interval(v, 101, &lo, &hi);
    assert_float_equal(lo, 2.5, 1e-12);
    assert_float_equal(hi, 97.5, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_series), cmocka_unit_test(test_two_weeks_uniform),
        cmocka_unit_test(test_dirichlet_moments), cmocka_unit_test(test_empty_weeks_ignored),
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_percentiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
