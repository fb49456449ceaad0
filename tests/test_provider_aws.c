/* aws-carbon: the Data Exports CARBON_EMISSIONS CSV (scope-split and legacy)
 * and the Customer Carbon Footprint Tool's rows. Expected totals are the files'
 * own sums, added by hand from the fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "provider_testutil.h"

static void test_scopes(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    const char *path = fixture("aws-carbon-scopes.csv", 0);
    assert_string_equal(sniffed(path), "aws-carbon");
    assert_int_equal(parse_path("aws-carbon", path, &c, &e), 0);
    /* scope 1: 0.012 + 0.001 + 0 + 0.015 t, under both bases */
    NEAR(c.kg[1][0], 28.0);
    NEAR(c.kg[1][1], 28.0);
    NEAR(c.kg[2][0], (0.842 + 0.074 + 0.03 + 1.045) * 1000);
    NEAR(c.kg[2][1], (0.02 + 0 + 0 + 0.055) * 1000);
    NEAR(c.kg[3][0], (0.38 + 0.03 + 0.02 + 0.44) * 1000);
    NEAR(c.kg[3][1], (0.38 + 0.03 + 0.02 + 0.44) * 1000);
    /* location view = the file's total_lbm column, market view = total_mbm */
    NEAR(c.kg[1][0] + c.kg[2][0] + c.kg[3][0], (1.234 + 0.105 + 0.05 + 1.5) * 1000);
    NEAR(c.kg[1][1] + c.kg[2][1] + c.kg[3][1], (0.412 + 0.031 + 0.02 + 0.51) * 1000);
    assert_int_equal(c.warnings, 0);
    assert_string_equal(c.first_region, "aws:us-east-1");
    assert_string_equal(c.first_raw, "us-east-1");
    assert_string_equal(c.first_account, "111122223333");
    assert_string_equal(c.first_project, "444455556666");
    assert_string_equal(c.first_service, "AmazonEC2");
    assert_string_equal(c.first_unit, "MTCO2e");
    assert_int_equal(c.first_t0, 1735689600); /* 2025-01-01 */
    assert_int_equal(c.first_t1, 1738368000); /* 2025-02-01 */
}

static void test_legacy(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    assert_int_equal(parse_path("aws-carbon", fixture("aws-carbon-legacy.csv", 0), &c, &e), 0);
    /* unsplit totals land as scope 2 of their basis */
    NEAR(c.kg[2][0], (0.532 + 0.2875 + 0.0004) * 1000);
    NEAR(c.kg[2][1], (0.011 + 0.2875 + 0) * 1000);
    NEAR(c.kg[1][0] + c.kg[3][0] + c.kg[1][1] + c.kg[3][1], 0);
    assert_int_equal(c.n, 6);
}

static void test_ccft(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    const char *path = fixture("aws-ccft-console.csv", 0);
    assert_string_equal(sniffed(path), "aws-carbon");
    assert_int_equal(parse_path("aws-carbon", path, &c, &e), 0);
    NEAR(c.kg[2][1], (0.031 + 0.004 + 0.118) * 1000);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.first_region, "aws:emea");
    assert_string_equal(c.first_account, "444455556666");
}

#define HDR "usage_period_start,usage_period_end,region_code,product_code,"
static void test_mismatch_warns(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    const char *t = HDR "total_lbm_emissions_value,total_scope_1_emissions_value,"
                        "total_scope_2_lbm_emissions_value\n"
                        "2025-01-01,2025-02-01,us-east-1,AmazonEC2,1.5,0.1,1.0\n";
    assert_int_equal(parse_text("aws-carbon", t, "x.csv", &c, &e), 0);
    assert_int_equal(c.warnings, 1);
    assert_non_null(strstr(c.last_warning, "x.csv:2:"));
    NEAR(c.kg[1][0] + c.kg[2][0], 1100);
}

static void expect_error(const char *text, const char *fmt, const char *needle)
{
    struct collect c;
    ct_err e = {{0}};
    assert_int_equal(parse_text(fmt, text, "bad.csv", &c, &e), -1);
    if (!strstr(e.msg, needle))
        fail_msg("expected '%s' in '%s'", needle, e.msg);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    expect_error("region_code,total_lbm_emissions_value\nus-east-1,1\n", "aws-carbon",
                 "bad.csv:1: no usage_period_start");
    expect_error(HDR "total_lbm_emissions_value\n2025-01-01,2025-02-01,us-east-1,EC2,1.x\n",
                 "aws-carbon", "bad.csv:2: column 'total_lbm_emissions_value': '1.x' is not a number");
    expect_error(HDR "total_lbm_emissions_value,total_lbm_emissions_unit\n"
                     "2025-01-01,2025-02-01,us-east-1,EC2,1,lbCO2e\n",
                 "aws-carbon", "bad.csv:2: column 'total_lbm_emissions_unit': unknown unit 'lbCO2e'");
    expect_error("usage_month,carbon_footprint_kgCO2e.scope1\n2025-01-01,1\n", "aws-carbon",
                 "--format gcp-carbon");
    expect_error(HDR "total_lbm_emissions_value\nJan 2025,2025-02-01,us-east-1,EC2,1\n",
                 "aws-carbon", "bad.csv:2: column 'usage_period_start': 'Jan 2025' is not a date");
}

static void test_no_provided_sink(void **state)
{
    (void)state;
    struct ct_input *in;
    ct_err e;
    const char *t = HDR "total_lbm_emissions_value\n2025-01-01,2025-02-01,us-east-1,EC2,1\n";
    assert_int_equal(ct_input_memopen(t, strlen(t), "x.csv", &in, &e), 0);
    struct ct_parse_opts o = {.start = NAN, .interval = NAN, .max_gap = NAN};
    struct ct_reading_sink sink = {.emit = collect_energy, .ud = NULL, .provided = NULL};
    assert_int_equal(ct_format_find("aws-carbon")->parse(in, &o, &sink, &e), -1);
    assert_non_null(strstr(e.msg, "energy readings only"));
    ct_input_close(in);
}

/* Issue 15: rows of 1e308 made reports print inf, rows of -50 negative totals.
 * Both are bad lines; --skip-bad drops and counts them. */
static void test_bounds(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    expect_error(HDR "total_lbm_emissions_value\n2025-01-01,2025-02-01,us-east-1,EC2,1e308\n",
                 "aws-carbon", "bad.csv:2: the emission is not a finite number (inf kgCO2e)");
    expect_error(HDR "total_lbm_emissions_value\n2025-01-01,2025-02-01,us-east-1,EC2,1e300\n",
                 "aws-carbon", "bad.csv:2: the emission 1e+303 kgCO2e is above the 1e+09 kgCO2e");
    expect_error(HDR "total_lbm_emissions_value\n2025-01-01,2025-02-01,us-east-1,EC2,-50\n",
                 "aws-carbon", "bad.csv:2: the emission -50000 kgCO2e is negative");
    expect_error(HDR "total_lbm_emissions_value\n2025-01-01,9999-02-01,us-east-1,EC2,1\n",
                 "aws-carbon", "bad.csv:2: the period lies outside the plausible window");
    expect_error(HDR "total_lbm_emissions_value\n1999-12-01,2000-01-01,us-east-1,EC2,1\n",
                 "aws-carbon", "bad.csv:2: the period lies outside the plausible window");
    expect_error(HDR "total_lbm_emissions_value\n2020-01-01,2024-01-01,us-east-1,EC2,1\n",
                 "aws-carbon", "bad.csv:2: the period is 1461 days long");
    const char *t = HDR "total_lbm_emissions_value\n2025-01-01,2025-02-01,us-east-1,EC2,1e308\n"
                        "2025-01-01,2025-02-01,us-east-1,EC2,-50\n"
                        "2025-01-01,2025-02-01,us-east-1,EC2,7\n"
                        "2025-01-01,2025-02-01,us-east-1,EC2,1e6\n";
    test_skip_bad = 1;
    test_skipped = 0;
    assert_int_equal(parse_text("aws-carbon", t, "x.csv", &c, &e), 0);
    test_skip_bad = 0;
    assert_int_equal(test_skipped, 2);
    assert_int_equal(c.n, 2);
    NEAR(c.kg[2][0], (7 + 1e6) * 1000); /* metric tons; 1e6 t is the ceiling itself */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_scopes),         cmocka_unit_test(test_legacy),
        cmocka_unit_test(test_ccft),           cmocka_unit_test(test_mismatch_warns),
        cmocka_unit_test(test_bad_inputs),     cmocka_unit_test(test_no_provided_sink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
