/* azure-carbon: Carbon Optimization reports (monthly summary, item details) as
 * the API's JSON, and EnrollmentEmission rows (JSON and CSV, tonnes). The
 * JSON fixtures carry the items of the Get-AzCarbonEmissionReport help page's
 * examples 2 and 4 (shared/fixtures/provider, the .txt files) in the API's value[]
 * shape; the expected totals are those items added by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "provider_testutil.h"

static void test_monthly_summary(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    const char *path = fixture("azure-monthly-summary-scope1.json", 0);
    assert_string_equal(sniffed(path), "azure-carbon");
    assert_int_equal(parse_path("azure-carbon", path, &c, &e), 0);
    NEAR(c.kg[1][1], 3525.67179020239 + 3589.80751350466 + 3767.01931731306 + 3683.0046913582);
    assert_int_equal(c.n, 4);
    assert_int_equal(c.first_t0, 1709251200); /* 2024-03-01 */
    assert_int_equal(c.first_t1, 1711929600); /* 2024-04-01 */
    assert_int_equal(c.first_market, 1);
}

static void test_item_details(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    assert_int_equal(parse_path("azure-carbon", fixture("azure-item-details-scope3-2024-05.json", 0),
                                &c, &e), 0);
    NEAR(c.kg[3][1], 0.4);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.first_region, "azure:eastus");
    assert_string_equal(c.first_raw, "east us");
    assert_string_equal(c.first_project, "00000000-0000-0000-0000-000000000000");
    assert_string_equal(c.first_service, "microsoft.storage/storageaccounts");
    assert_int_equal(c.first_t0, 1714521600); /* 2024-05-01 (from the file name) */
}

static void test_enrollment(void **state)
{
    (void)state;
    const char *names[] = {"azure-enrollment-emissions.json", "azure-enrollment-emissions.csv"};
    for (int i = 0; i < 2; i++) {
        struct collect c;
        ct_err e;
        const char *path = fixture(names[i], 0);
        assert_string_equal(sniffed(path), "azure-carbon");
        if (parse_path("azure-carbon", path, &c, &e) < 0)
            fail_msg("%s", e.msg);
        NEAR(c.kg[1][1], 2.1);
        NEAR(c.kg[2][1], 187.3 + 44.2);
        NEAR(c.kg[3][1], 912.5 + 120.9);
        assert_int_equal(c.n, 5);
        assert_string_equal(c.first_region, "azure:westeurope");
        assert_string_equal(c.first_account, "12345678");
        assert_string_equal(c.first_unit, "mtCO2e");
    }
}

static void test_summaries_left_out(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    const char *t = "{\"carbonScopeList\": [\"Scope2\"], \"value\": [{\"dataType\": "
                    "\"OverallSummaryData\", \"latestMonthEmissions\": 9}]}";
    assert_int_equal(parse_text("azure-carbon", t, "o.json", &c, &e), 0);
    assert_int_equal(c.n, 0);
    assert_int_equal(c.warnings, 1);
}

static void expect_error(const char *text, const char *name, const char *needle)
{
    struct collect c;
    ct_err e = {{0}};
    assert_int_equal(parse_text("azure-carbon", text, name, &c, &e), -1);
    if (!strstr(e.msg, needle))
        fail_msg("expected '%s' in '%s'", needle, e.msg);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    const char *item = "{\"value\": [{\"dataType\": \"MonthlySummaryData\", \"date\": \"2024-03-01\", "
                       "\"latestMonthEmissions\": 1}]}";
    expect_error(item, "r.json", "r.json:1: which scope is this?");
    expect_error("{\"carbonScopeList\": [\"Scope1\", \"Scope2\"], \"value\": []}", "r.json",
                 "r.json:1: carbonScopeList names 2 scopes");
    expect_error("{\"carbonScopeList\": [\"Scope1\"], \"value\": [\n{\"dataType\": "
                 "\"MonthlySummaryData\", \"date\": \"2024-03-01\", \"latestMonthEmissions\": "
                 "\"x\"}]}", "r.json", "r.json:2: column 'latestMonthEmissions': 'x' is not a number");
    expect_error("DateKey,Scope,TotalEmissions\n20240101,Scope2,1\n20240101,Scope2,one\n", "e.csv",
                 "e.csv:3: column 'TotalEmissions': 'one' is not a number");
    expect_error("DateKey,Scope\n20240101,Scope2\n", "e.csv", "e.csv:1: no totalemissions column");
    expect_error("DateKey,Scope,TotalEmissions,Unit\n20240101,Scope2,1,lb\n", "e.csv",
                 "e.csv:2: unknown unit 'lb'");
    expect_error("usage_month,carbon_footprint_kgCO2e.scope1\n2025-01-01,1\n", "g.csv",
                 "--format gcp-carbon");
}

/* The help page's outputs are PowerShell's formatting, not the API's JSON. */
static void test_powershell_output_refused(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    const char *path = fixture("azure-Get-AzCarbonEmissionReport-ex2-monthly-summary.txt", 1);
    assert_int_equal(parse_path("azure-carbon", path, &c, &e), -1);
    assert_non_null(strstr(e.msg, ":1: not JSON"));
    assert_int_equal(c.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monthly_summary), cmocka_unit_test(test_item_details),
        cmocka_unit_test(test_enrollment),      cmocka_unit_test(test_summaries_left_out),
        cmocka_unit_test(test_bad_inputs),      cmocka_unit_test(test_powershell_output_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
