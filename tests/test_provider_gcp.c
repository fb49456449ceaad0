/* gcp-carbon: the Carbon Footprint export as CSV (dotted and underscore headers)
 * and as newline-delimited JSON. The shared fixture's sums were computed
 * independently (python over the file): the whole file, and without its
 * ContentDelivery rows as the carbon-json quickstart gives them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "provider_testutil.h"

static const char *const SHARED_GCP = "carbon-json-cloud_example_2-gcp-carbon-export.csv";

static void test_dotted_whole_file(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    const char *path = fixture(SHARED_GCP, 1);
    assert_string_equal(sniffed(path), "gcp-carbon");
    assert_int_equal(parse_path("gcp-carbon", path, &c, &e), 0);
    NEAR(c.kg[1][0], 1817.155);
    NEAR(c.kg[1][1], 1817.155);
    NEAR(c.kg[2][0], 85651.011);
    NEAR(c.kg[2][1], 34392.971);
    NEAR(c.kg[3][0], 122831.832);
    NEAR(c.kg[3][1], 122831.832);
    /* the views equal the file's own total columns */
    /* ... to the rounding of 276 rows of 3-decimal values */
    assert_true(fabs(c.kg[1][0] + c.kg[2][0] + c.kg[3][0] - 210299.999) < 0.002 * 276);
    assert_true(fabs(c.kg[1][1] + c.kg[2][1] + c.kg[3][1] - 159041.949) < 0.002 * 276);
    assert_int_equal(c.n, 276 * 6);
    assert_int_equal(c.warnings, 0);
    assert_string_equal(c.first_region, "gcp:us-central1");
    assert_string_equal(c.first_account, "7429AC-18F0B7-63D9E2");
    assert_string_equal(c.first_project, "ssp-bidding-prod");
    assert_string_equal(c.first_service, "ComputeVM");
    assert_int_equal(c.first_t0, 1735689600);
    assert_int_equal(c.first_t1, 1738368000);
}

/* The quickstart's figures leave ContentDelivery out: the same file without them. */
static void test_without_content_delivery(void **state)
{
    (void)state;
    FILE *f = fopen(fixture(SHARED_GCP, 1), "r");
    assert_non_null(f);
    char *text = calloc(1, 1 << 20), line[4096];
    size_t n = 0;
    while (fgets(line, sizeof line, f))
        if (!strstr(line, ",ContentDelivery,"))
            n += (size_t)snprintf(text + n, (1 << 20) - n, "%s", line);
    fclose(f);
    struct collect c;
    ct_err e;
    assert_int_equal(parse_text("gcp-carbon", text, "nocdn.csv", &c, &e), 0);
    NEAR(c.kg[1][0], 1779.393);
    NEAR(c.kg[2][0], 81819.199);
    NEAR(c.kg[3][0], 118051.278);
    free(text);
}

static void test_underscore_and_json(void **state)
{
    (void)state;
    const char *names[] = {"gcp-carbon-underscore.csv", "gcp-carbon.jsonl"};
    for (int i = 0; i < 2; i++) {
        struct collect c;
        ct_err e;
        const char *path = fixture(names[i], 0);
        assert_string_equal(sniffed(path), "gcp-carbon");
        if (parse_path("gcp-carbon", path, &c, &e) < 0)
            fail_msg("%s", e.msg);
        /* the shared file's first 12 rows */
        NEAR(c.kg[1][0], 93.291);
        NEAR(c.kg[2][0], 4403.715);
        NEAR(c.kg[2][1], 1791.112);
        NEAR(c.kg[3][1], 6212.457);
        assert_int_equal(c.n, 12 * 6);
        assert_string_equal(c.first_project, "ssp-bidding-prod");
    }
}

static void test_total_mismatch(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    const char *t = "usage_month,carbon_footprint_kgCO2e.scope1,"
                    "carbon_footprint_kgCO2e.scope2.location_based,carbon_footprint_kgCO2e.scope3,"
                    "carbon_footprint_total_kgCO2e.location_based\n"
                    "2025-01-01,1.001,2.002,3.003,6.006\n2025-01-01,1,2,3,9\n";
    assert_int_equal(parse_text("gcp-carbon", t, "m.csv", &c, &e), 0);
    assert_int_equal(c.warnings, 1);
    assert_non_null(strstr(c.last_warning, "m.csv:3:"));
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
    expect_error("billing_account_id,carbon_footprint_kgCO2e.scope1\nA,1\n", "gcp-carbon",
                 "bad.csv:1: no usage_month column");
    expect_error("usage_month,carbon_footprint_kgCO2e.scope1\n2025-01-01,abc\n", "gcp-carbon",
                 "bad.csv:2: column 'carbon_footprint_kgCO2e.scope1': 'abc' is not a number");
    expect_error("{\"usage_month\": \"2025-01-01\", \"carbon_footprint_kgCO2e\": {\"scope1\": 1}\n",
                 "gcp-carbon", "bad.csv:1: not a JSON object");
    expect_error("usage_period_start,total_lbm_emissions_value\n2025-01-01,1\n", "gcp-carbon",
                 "--format aws-carbon");
}

/* Issue 15: 1e308 and -50 are bad lines; --skip-bad drops and counts them. */
static void test_bounds(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    expect_error("usage_month,carbon_footprint_kgCO2e.scope1\n2025-01-01,1e308\n", "gcp-carbon",
                 "bad.csv:2: the emission 1e+308 kgCO2e is above the 1e+09 kgCO2e");
    expect_error("usage_month,carbon_footprint_kgCO2e.scope1\n2025-01-01,-50\n", "gcp-carbon",
                 "bad.csv:2: the emission -50 kgCO2e is negative");
    const char *t = "usage_month,carbon_footprint_kgCO2e.scope1\n2025-01-01,1e308\n"
                    "2025-01-01,-50\n2025-02-01,3.5\n";
    test_skip_bad = 1;
    test_skipped = 0;
    assert_int_equal(parse_text("gcp-carbon", t, "x.csv", &c, &e), 0);
    test_skip_bad = 0;
    assert_int_equal(test_skipped, 2);
    assert_int_equal(c.n, 1);
    NEAR(c.kg[1][1] + c.kg[1][0], 3.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_dotted_whole_file), cmocka_unit_test(test_without_content_delivery),
        cmocka_unit_test(test_underscore_and_json), cmocka_unit_test(test_total_mismatch),
        cmocka_unit_test(test_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
