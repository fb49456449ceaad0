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

/* An overall summary is the query's total over its date range; a data type
 * co2tally does not know is left out with a warning. */
static void test_overall_summary(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    const char *t = "{\"carbonScopeList\": [\"Scope2\"], \"dateRange\": {\"start\": "
                    "\"2024-03-01\", \"end\": \"2024-04-01\"}, \"value\": [{\"dataType\": "
                    "\"OverallSummaryData\", \"latestMonthEmissions\": 9},\n{\"dataType\": "
                    "\"FutureData\", \"latestMonthEmissions\": 1}]}";
    assert_int_equal(parse_text("azure-carbon", t, "o.json", &c, &e), 0);
    assert_int_equal(c.n, 1);
    NEAR(c.kg[2][1], 9);
    assert_int_equal(c.first_t0, 1709251200); /* 2024-03-01 */
    assert_int_equal(c.first_t1, 1714521600); /* 2024-05-01 */
    assert_int_equal(c.warnings, 1);
    assert_non_null(strstr(c.last_warning, "o.json:2: FutureData left out"));
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

/* The help page's outputs as PowerShell printed them: --scope is required, and
 * --period where the items carry no date; elided items are a warning. */
static void test_powershell_outputs(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    const char *ex2 = fixture("azure-Get-AzCarbonEmissionReport-ex2-monthly-summary.txt", 1);
    assert_string_equal(sniffed(ex2), "azure-carbon");
    assert_int_equal(parse_path("azure-carbon", ex2, &c, &e), -1);
    assert_non_null(strstr(e.msg, "ex2-monthly-summary.txt:3: which scope is this?"));
    assert_non_null(strstr(e.msg, "--scope"));
    assert_int_equal(c.n, 0);

    test_scope = 1;
    if (parse_path("azure-carbon", ex2, &c, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(c.n, 4);
    NEAR(c.kg[1][1], 3525.67179020239 + 3589.80751350466 + 3767.01931731306 + 3683.0046913582);
    assert_int_equal(c.first_t0, 1709251200); /* 2024-03-01 */
    assert_int_equal(c.warnings, 1);
    assert_non_null(strstr(c.last_warning, "ex2-monthly-summary.txt:35: PowerShell elided"));

    const char *ex4 = fixture("azure-Get-AzCarbonEmissionReport-ex4-item-details.txt", 1);
    assert_int_equal(parse_path("azure-carbon", ex4, &c, &e), -1);
    assert_non_null(strstr(e.msg, "--period"));
    test_scope = 3;
    test_period[0] = 1740787200; /* 2025-03-01 */
    test_period[1] = 1743465600; /* 2025-04-01 */
    if (parse_path("azure-carbon", ex4, &c, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(c.n, 4);
    NEAR(c.kg[3][1], 0.4);
    assert_string_equal(c.first_service, "microsoft.storage/storageaccounts");
    assert_string_equal(c.first_region, "azure:eastus");
    assert_int_equal(c.first_t0, 1740787200);
    assert_int_equal(c.warnings, 2); /* the elision, the SkipToken */

    const char *ex6 = fixture("azure-Get-AzCarbonEmissionReport-ex6-top-items-summary.txt", 1);
    if (parse_path("azure-carbon", ex6, &c, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(c.n, 5);
    NEAR(c.kg[3][1], 0.5);
    assert_string_equal(c.first_service, "top item: microsoft.storage/storageaccounts/rgName1");
    assert_int_equal(c.warnings, 2); /* a subset; elided */

    const char *ex7 =
        fixture("azure-Get-AzCarbonEmissionReport-ex7-top-items-monthly-summary.txt", 1);
    if (parse_path("azure-carbon", ex7, &c, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(c.n, 5);
    assert_int_equal(c.first_t0, 1714521600); /* its own date, 2024-05-01 */

    const char *ex1 = fixture("azure-Get-AzCarbonEmissionReport-ex1-overall-summary.txt", 1);
    test_period[0] = 1709251200; /* 2024-03 .. 2025-03 */
    if (parse_path("azure-carbon", ex1, &c, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(c.n, 1);
    NEAR(c.kg[3][1], 39383.3366448505);
    assert_int_equal(c.first_t1, 1743465600);
    assert_int_equal(c.warnings, 0);

    /* A cut-off item is left out with a warning; bad JSON in an item is an error. */
    const char *cut = "SkipToken SubscriptionAccessDecisionList Value\n"
                      "--------- ------------------------------ -----\n"
                      "   {{\"dataType\": \"OverallSummaryData\", \"latestMonthEmissions\": 2},\n"
                      "    {\"dataType\": \"OverallSummaryData\",\n";
    assert_int_equal(parse_text("azure-carbon", cut, "p.txt", &c, &e), 0);
    assert_int_equal(c.n, 1);
    assert_non_null(strstr(c.last_warning, "p.txt:4: an item cut off"));
    const char *bad = "SkipToken SubscriptionAccessDecisionList Value\n"
                      "--------- ------------------------------ -----\n"
                      "   {{\"dataType\": \"OverallSummaryData\",\n"
                      "     \"latestMonthEmissions\": 2 3}}\n";
    assert_int_equal(parse_text("azure-carbon", bad, "p.txt", &c, &e), -1);
    assert_non_null(strstr(e.msg, "p.txt:4: an item is not valid JSON"));
    test_scope = 0;
    test_period[0] = test_period[1] = 0;
}

/* Issue 15: 1e308 and -50 are bad lines; --skip-bad drops and counts them. */
static void test_bounds(void **state)
{
    (void)state;
    struct collect c;
    ct_err e;
    expect_error("DateKey,Scope,TotalEmissions\n20240101,Scope2,1e308\n", "e.csv",
                 "e.csv:2: the emission ");
    expect_error("DateKey,Scope,TotalEmissions\n20240101,Scope2,-50\n", "e.csv",
                 "e.csv:2: the emission -50");
    const char *t = "DateKey,Scope,TotalEmissions\n20240101,Scope2,1e308\n20240101,Scope2,-50\n"
                    "20240201,Scope2,2\n";
    test_skip_bad = 1;
    test_skipped = 0;
    assert_int_equal(parse_text("azure-carbon", t, "e.csv", &c, &e), 0);
    test_skip_bad = 0;
    assert_int_equal(test_skipped, 2);
    assert_int_equal(c.n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_monthly_summary), cmocka_unit_test(test_item_details),
        cmocka_unit_test(test_enrollment),      cmocka_unit_test(test_overall_summary),
        cmocka_unit_test(test_bad_inputs),      cmocka_unit_test(test_powershell_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
