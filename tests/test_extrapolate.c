/* Extrapolation to the whole period: known answers worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "report/model.h"

#define WEEK_S (7.0 * 86400)

/* A constant rate seen in every other week must extrapolate to rate x period
 * exactly, with an interval of zero width. */
static void test_constant_series(void **state)
{
    (void)state;
    double kg[53] = {0}, cov[53] = {0};
    const double rate = 2.5e-6; /* kg per device-second */
    double cap = 365.0 * 86400 * 4; /* 4 devices for a 365-day year */
    for (int w = 0; w < 53; w += 2) {
        double len = w == 52 ? 86400.0 : WEEK_S; /* the last block is one day */
        cov[w] = 4 * len;
        kg[w] = rate * cov[w];
    }
    double est, lo, hi;
    ct_extrapolate(kg, cov, 53, cap, &est, &lo, &hi, NULL);
    assert_float_equal(est, rate * cap, 1e-9 * rate * cap);
    assert_true(lo == est && hi == est);
}

static void test_full_coverage(void **state)
{
    (void)state;
    double kg[2] = {3, 5}, cov[2] = {10, 20};
    double est, lo, hi;
    ct_extrapolate(kg, cov, 2, 30, &est, &lo, &hi, NULL);
    assert_true(est == 8 && lo == 8 && hi == 8);
}

static void test_no_data(void **state)
{
    (void)state;
    double kg[3] = {0}, cov[3] = {0};
    double est, lo, hi;
    ct_extrapolate(kg, cov, 3, 100, &est, &lo, &hi, NULL);
    assert_true(est == 0 && lo == 0 && hi == 0);
}

/* Two observed weeks at rates 1 and 3 kg per unit of covered time, a period of
 * 10 units: the ratio estimate is (1 + 6) / (1 + 2) x 10 = 23.33; every
 * resample mixes the two rates, so the interval lies within [10, 30] and is
 * not empty. */
static void test_two_rates(void **state)
{
    (void)state;
    double kg[4] = {1, 0, 6, 0}, cov[4] = {1, 0, 2, 0};
    double est, lo, hi, reps[CT_BOOT_REPLICATES];
    ct_extrapolate(kg, cov, 4, 10, &est, &lo, &hi, reps);
    assert_float_equal(est, 70.0 / 3.0, 1e-12);
    assert_true(lo >= 10 - 1e-9 && hi <= 30 + 1e-9);
    assert_true(lo < est && est < hi);
    /* Replicates take only the values 10 (both draws week 0), 30 (both week 2)
     * and 23.33 (one of each). */
    int n10 = 0, n30 = 0, nmid = 0;
    for (int b = 0; b < CT_BOOT_REPLICATES; b++) {
        if (fabs(reps[b] - 10) < 1e-9) n10++;
        else if (fabs(reps[b] - 30) < 1e-9) n30++;
        else if (fabs(reps[b] - 70.0 / 3.0) < 1e-9) nmid++;
    }
    assert_int_equal(n10 + n30 + nmid, CT_BOOT_REPLICATES);
    /* With probability 1/4 each, both extremes appear hundreds of times. */
    assert_true(n10 > 350 && n30 > 350 && nmid > 800);
    assert_float_equal(lo, 10, 1e-9);
    assert_float_equal(hi, 30, 1e-9);
}

static void test_deterministic(void **state)
{
    (void)state;
    double kg[5] = {1, 2, 0, 4, 1.5}, cov[5] = {1, 1, 0, 1.5, 1};
    double e1, l1, h1, e2, l2, h2;
    ct_extrapolate(kg, cov, 5, 10, &e1, &l1, &h1, NULL);
    ct_extrapolate(kg, cov, 5, 10, &e2, &l2, &h2, NULL);
    assert_true(e1 == e2 && l1 == l2 && h1 == h2);
    assert_true(l1 < e1 && e1 < h1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_series), cmocka_unit_test(test_full_coverage),
        cmocka_unit_test(test_no_data), cmocka_unit_test(test_two_rates),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
