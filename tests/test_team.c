/* The team file: a valid file read back, and each bad case with its message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/team.h"
#include "ledger/ledger.h"

static const char good[] =
    "; comment\n"
    "[team]\n"
    "name = ML team\n"
    "country = SGP   ; inline comment\n"
    "year = 2023\n"
    "\n"
    "[platform laptops]\n"
    "method = calculated\n"
    "chip = Apple M1\n"
    "count = 12\n"
    "hours_per_day = 9\n"
    "days_per_year = 230\n"
    "utilisation = 0.2\n"
    "\n"
    "[platform servers]\n"
    "method = measured\n"
    "hosts = gpu-01, gpu-02 ,gpu-03\n"
    "pue = 1.58\n"
    "location = FRA\n"
    "\n"
    "[platform ci]\n"
    "method = calculated\n"
    "watts = 100\n"
    "idle_watts = 20\n"
    "minutes_per_month = 600\n"
    "utilisation = 0.5\n"
    "location = aws:eu-west-1\n"
    "\n"
    "[platform cloud]\n"
    "method = provided\n";

static void test_good(void **state)
{
    (void)state;
    struct ct_team t;
    ct_err e = {{0}};
    int rc = ct_team_load_string(good, "team.ini", &t, &e);
    if (rc)
        fprintf(stderr, "%s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_string_equal(t.name, "ML team");
    assert_string_equal(t.country, "SGP");
    assert_int_equal(t.year, 2023);
    assert_int_equal(t.nplat, 4);
    const struct ct_platform *p = ct_team_platform(&t, "laptops");
    assert_non_null(p);
    assert_int_equal(p->line, 7);
    assert_int_equal(p->method, CT_METHOD_CALCULATED);
    assert_true(p->watts == 10);          /* Apple M1: 10 W in the CodeCarbon table */
    assert_true(p->hours_per_year == 9 * 230);
    assert_true(p->count == 12);
    assert_true(isnan(p->idle_watts));
    p = ct_team_platform(&t, "servers");
    assert_int_equal(p->nhosts, 3);
    assert_string_equal(p->hosts[2], "gpu-03");
    assert_true(p->pue == 1.58);
    assert_ptr_equal(ct_team_platform_of_host(&t, "gpu-02"), p);
    assert_null(ct_team_platform_of_host(&t, "laptop-7"));
    assert_string_equal(ct_platform_location(&t, p), "FRA");
    p = ct_team_platform(&t, "ci");
    assert_true(p->hours_per_year == 120); /* 600 min x 12 / 60 */
    assert_true(p->idle_watts == 20);
    assert_string_equal(ct_platform_location(&t, ct_team_platform(&t, "laptops")), "SGP");
    ct_team_free(&t);
}

struct bad {
    const char *text;
    const char *expect; /* a part of the message, starting with "bad.ini:LINE:" */
};

#define TEAM "[team]\ncountry = SGP\nyear = 2023\n"
#define CALC "method = calculated\nwatts = 10\nutilisation = 0.5\nhours_per_year = 100\n"

static const struct bad bad_cases[] = {
    {TEAM "colour = blue\n", "bad.ini:4: unknown key 'colour' in [team]"},
    {TEAM "[platform a]\n" CALC "count = twelve\n", "bad.ini:9: count = 'twelve' is not a number"},
    {TEAM "[platform a]\nmethod = calculated\nchip = Xeon Banana 9000\nutilisation = 0.5\n"
          "hours_per_year = 1\n", "bad.ini:6: [platform a]: unknown chip 'Xeon Banana 9000'"},
    {TEAM "[platforms a]\n" CALC, "bad.ini:4: unknown section [platforms a]"},
    {TEAM "[platform a]\nwatts = 10\n", "bad.ini:4: [platform a]: method is missing"},
    {TEAM "[platform a]\nmethod = calculated\nwatts = 10\nutilisation = 0.5\nhours_per_day = 8\n",
     "bad.ini:8: [platform a]: hours_per_day and days_per_year go together"},
    {TEAM "[platform a]\n" CALC "[platform b]\nmethod = calculated\nwatts = 1\nutilisation = 1.5\n",
     "bad.ini:12: utilisation = 1.5 is out of range (0 to 1)"},
    {TEAM "[platform a]\n" CALC "watts = 20\n", "bad.ini:9: watts is given twice in [platform a]"},
    {TEAM "[platform a]\n" CALC "[platform a]\nmethod = measured\n",
     "bad.ini:9: platform 'a' is defined twice"},
    {TEAM "[platform a]\n" CALC "location = XXX\n", "bad.ini:9: location: "},
    {TEAM "[platform a]\nmethod = measured\n", "bad.ini:4: [platform a]: hosts is missing"},
    {TEAM "[platform a]\nmethod = measured\nhosts = h1\nwatts = 5\n",
     "bad.ini:7: [platform a]: count, chip, watts"},
    {TEAM "[platform a]\nmethod = measured\nhosts = h1, h2\n[platform b]\nmethod = measured\n"
          "hosts = h2\n", "bad.ini:9: host 'h2' belongs to both [platform a] and [platform b]"},
    {TEAM "[platform a]\n" CALC "chips = 2 x NVIDIA L4\n",
     "bad.ini:9: [platform a]: watts and idle_watts go with chip = NAME"},
    {TEAM "[platform a]\nmethod = calculated\nchip = NVIDIA L4\nhours_per_year = 1\nchips = NVIDIA T4\n",
     "bad.ini:8: [platform a]: give chip = NAME or chips = N x NAME, ..., not both"},
    {TEAM "[platform a]\nmethod = calculated\nchips = 2 x NVIDIA L4, 1 x AMD EPYC 7763\n"
          "cpu_utilisation = 0.3\nhours_per_year = 1\n",
     "bad.ini:4: [platform a]: utilisation is missing for its GPUs (NVIDIA L4): give gpu_utilisation"},
    {TEAM "[platform a]\nmethod = calculated\nutilisation = 1\nhours_per_year = 1\n"
          "chips = 2 x NVIDIA L4, 3 x Banana Chip\n", "bad.ini:8: [platform a]: chips: unknown chip"},
    {TEAM "[platform a]\n" CALC "storage = 2 x ssd\n", "bad.ini:9: storage: '2 x ssd' is not N x SIZE TB"},
    {TEAM "[platform a]\n" CALC "kind = phone\n", "bad.ini:9: kind = 'phone'; use laptop"},
    {TEAM "[platform a]\nmethod = measured\nhosts = h1\nram_gb = 64\n",
     "bad.ini:7: [platform a]: count, chip, watts"},
    {"name = x\n" TEAM, "bad.ini:1: 'name' stands outside any section"},
    {TEAM "[platform a]\n[platform b]\n" CALC, "bad.ini:4: this section has no keys"},
    {TEAM "[platform a]\n" CALC "this line has no equals sign\n", "bad.ini:9: not an INI line"},
    {"[team]\nyear = 23\n", "bad.ini:2: year = '23' is not a year"},
    {TEAM "[platform a]\n" CALC "pue = 0.8\n", "bad.ini:9: pue = 0.8 is out of range"},
    {TEAM "[platform a]\n" CALC "pue = marsbase\n", "bad.ini:9: pue = 'marsbase' is neither"},
    {TEAM "[platform a]\nmethod = guessed\n", "bad.ini:5: method = 'guessed'; use measured"},
    {TEAM "[platform a]\nmethod = calculated\nwatts = 10\nhours_per_year = 5\n",
     "bad.ini:4: [platform a]: utilisation is missing"},
    {TEAM "[platform a]\nmethod = calculated\nwatts = 10\nidle_watts = 20\nutilisation = 0.1\n"
          "hours_per_year = 5\n", "bad.ini:7: [platform a]: idle_watts is above watts"},
    {"[team]\nyear = 2023\n[platform a]\n" CALC, "bad.ini:3: [platform a]: no location"},
    {TEAM "[platform a]\n" CALC "hours_per_day = 2\ndays_per_year = 3\n",
     "bad.ini:10: [platform a]: give only one of hours_per_year"},
    {TEAM "[platform a]\n" CALC "hours_per_year = 9000\n", "bad.ini:9: hours_per_year is given twice"},
    /* Provided-row claims (provider, accounts) and a calculated platform's source. */
    {TEAM "[platform a]\nmethod = provided\nprovider = oracle\n",
     "bad.ini:6: provider = 'oracle'; use aws, gcp or azure"},
    {TEAM "[platform a]\nmethod = measured\nhosts = h1\nprovider = aws\n",
     "bad.ini:7: [platform a]: provider belongs to provided platforms (the provider rows they "
     "claim); this one is measured"},
    {TEAM "[platform a]\n" CALC "accounts = 1, 2\n",
     "bad.ini:9: [platform a]: accounts belongs to provided platforms"},
    {TEAM "[platform a]\nmethod = provided\nsubscriptions = s1\n",
     "bad.ini:6: [platform a]: accounts (or subscriptions, projects) needs provider = aws"},
    {TEAM "[platform a]\nmethod = provided\nprovider = gcp\nprojects = p1\naccounts = p2\n",
     "bad.ini:8: accounts: accounts, subscriptions and projects are one list; give it once"},
    {TEAM "[platform a]\nmethod = provided\nprovider = aws\naccounts = 1, 2, 1\n",
     "bad.ini:7: accounts lists '1' twice"},
    {TEAM "[platform a]\nmethod = provided\nprovider = aws\naccounts = ,\n",
     "bad.ini:7: accounts = ',' names nothing"},
    {TEAM "[platform a]\nmethod = provided\nprovider = gcp\n"
          "[platform b]\nmethod = provided\nlocation = gcp:europe-west1\n",
     "bad.ini:9: [platform a] and [platform b] both claim every gcp row that no other platform "
     "claims"},
    {TEAM "[platform a]\nmethod = provided\nprovider = azure\nsubscriptions = s1, s2\n"
          "[platform m]\nmethod = measured\nhosts = h\n"
          "[platform b]\nmethod = provided\nprovider = azure\nsubscriptions = s3, s2\n",
     "bad.ini:14: azure account 's2' is claimed by both [platform a] and [platform b]"},
    {TEAM "[platform a]\nmethod = measured\nhosts = h1\nsource = usage\n",
     "bad.ini:7: [platform a]: source (estimate or usage) belongs to calculated platforms; this "
     "one is measured"},
    {TEAM "[platform a]\n" CALC "source = billing\n", "bad.ini:9: source = 'billing'; use estimate"},
    {TEAM "[platform a]\nmethod = calculated\nsource = usage\nutilisation = 0.5\n",
     "bad.ini:7: [platform a]: utilisation: chip, watts, idle_watts, utilisation and hours belong "
     "to estimated platforms; this one is counted from usage rows (source = usage)"},
    {TEAM "[platform a]\nmethod = calculated\nsource = usage\nhours_per_day = 3\n",
     "bad.ini:7: [platform a]: hours_per_day: chip, watts"},
    {TEAM "[platform a]\nmethod = provided\nprovider = gcp\nproject = p1\n",
     "bad.ini:7: unknown key 'project' in [platform a]; known keys: method, location, pue, hosts, "
     "count, chip, watts, idle_watts, utilisation, hours_per_year, hours_per_day, days_per_year, "
     "minutes_per_month, embodied_kgco2e, lifetime_years, source, provider, accounts (or "
     "subscriptions, projects)"},
};

static void test_bad(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        struct ct_team t;
        ct_err e = {{0}};
        int rc = ct_team_load_string(bad_cases[i].text, "bad.ini", &t, &e);
        if (rc != -1 || strncmp(e.msg, bad_cases[i].expect, strlen(bad_cases[i].expect)) != 0) {
            print_error("case %zu: rc %d, message '%s', expected '%s...'\n", i, rc, e.msg,
                        bad_cases[i].expect);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

static void test_unknown_chip_suggests(void **state)
{
    (void)state;
    struct ct_team t;
    ct_err e = {{0}};
    int rc = ct_team_load_string(TEAM "[platform a]\nmethod = calculated\nchip = Apple M1X\n"
                                 "utilisation = 0.5\nhours_per_year = 1\n", "bad.ini", &t, &e);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.msg, "Apple M1"));
}

/* Several provided platforms of three providers, some with accounts lists, and
 * a calculated platform counted from usage rows. */
static const char claims_text[] =
    TEAM
    "[platform gcp-prod]\nmethod = provided\nprovider = gcp\nprojects = prod-1, prod-2\n"
    "[platform gcp-rest]\nmethod = provided\nlocation = gcp:europe-west1\n"
    "[platform gcp-ml]\nmethod = provided\nlocation = gcp:us-central1\nprojects = ml\n"
    "[platform aws-ml]\nmethod = provided\nprovider = aws\naccounts = 111, 222\n"
    "[platform azure-all]\nmethod = provided\nprovider = azure\n"
    "[platform ci]\nmethod = calculated\nsource = usage\ncount = 3\n"
    "location = aws:ap-southeast-1\n"
    "[platform laptops]\n" CALC "source = estimate\n"
    "[platform servers]\nmethod = measured\nhosts = h1\n";

static void test_provided_claims(void **state)
{
    (void)state;
    struct ct_team t;
    ct_err e = {{0}};
    int rc = ct_team_load_string(claims_text, "team.ini", &t, &e);
    if (rc)
        fprintf(stderr, "%s\n", e.msg);
    assert_int_equal(rc, 0);
    const struct ct_platform *prod = ct_team_platform(&t, "gcp-prod");
    const struct ct_platform *rest = ct_team_platform(&t, "gcp-rest");
    const struct ct_platform *ml = ct_team_platform(&t, "gcp-ml");
    const struct ct_platform *aws = ct_team_platform(&t, "aws-ml");
    const struct ct_platform *az = ct_team_platform(&t, "azure-all");
    assert_int_equal(prod->naccounts, 2);
    assert_string_equal(prod->accounts[1], "prod-2");
    assert_string_equal(prod->provider, "gcp");
    assert_null(rest->provider); /* taken from the location, not stored as a key */
    assert_string_equal(ct_platform_provider(rest), "gcp");
    assert_string_equal(ct_platform_provider(ml), "gcp");
    assert_string_equal(ct_platform_provider(az), "azure");
    assert_null(ct_platform_provider(ct_team_platform(&t, "ci")));      /* not provided */
    assert_null(ct_platform_provider(ct_team_platform(&t, "servers")));
    /* A row goes to the platform that lists its account or project ... */
    assert_ptr_equal(ct_team_platform_of_provided(&t, "gcp", "bill-1", "prod-2"), prod);
    assert_ptr_equal(ct_team_platform_of_provided(&t, "gcp", "bill-1", "ml"), ml);
    assert_ptr_equal(ct_team_platform_of_provided(&t, "aws", "222", "999"), aws);
    assert_ptr_equal(ct_team_platform_of_provided(&t, "aws", "999", "111"), aws);
    /* ... else to the provider's platform without a list ... */
    assert_ptr_equal(ct_team_platform_of_provided(&t, "gcp", "bill-1", "other"), rest);
    assert_ptr_equal(ct_team_platform_of_provided(&t, "gcp", "bill-1", ""), rest);
    assert_ptr_equal(ct_team_platform_of_provided(&t, "azure", "enr", "sub-9"), az);
    /* ... else nowhere: AWS has no such platform, nor has an unknown provider;
     * another provider's project name does not claim the row. */
    assert_null(ct_team_platform_of_provided(&t, "aws", "333", ""));
    assert_null(ct_team_platform_of_provided(&t, "aws", "333", "prod-1"));
    assert_null(ct_team_platform_of_provided(&t, "oracle", "111", "prod-1"));
    /* source: usage, count kept, no power or hours needed; estimate is the default. */
    const struct ct_platform *ci = ct_team_platform(&t, "ci");
    assert_int_equal(ci->calc_source, CT_CALC_USAGE);
    assert_true(ci->count == 3);
    assert_true(isnan(ci->watts) && isnan(ci->hours_per_year));
    assert_int_equal(ct_team_platform(&t, "laptops")->calc_source, CT_CALC_ESTIMATE);
    ct_team_free(&t);
    /* subscriptions is the same list under Azure's word. */
    rc = ct_team_load_string(TEAM "[platform a]\nmethod = provided\nprovider = azure\n"
                             "subscriptions = s1, s2\n[platform b]\nmethod = provided\n"
                             "provider = azure\n[platform c]\nmethod = provided\n"
                             "provider = gcp\naccounts = s1\n", "team.ini", &t, &e);
    assert_int_equal(rc, 0);
    assert_ptr_equal(ct_team_platform_of_provided(&t, "azure", "", "s2"), &t.plat[0]);
    assert_ptr_equal(ct_team_platform_of_provided(&t, "azure", "", "s3"), &t.plat[1]);
    assert_ptr_equal(ct_team_platform_of_provided(&t, "gcp", "", "s1"), &t.plat[2]);
    assert_int_equal(ct_team_platform(&t, "b")->calc_source, CT_CALC_ESTIMATE);
    ct_team_free(&t);
}

static void test_file(void **state)
{
    (void)state;
    struct ct_team t;
    ct_err e = {{0}};
    assert_int_equal(ct_team_load("/nonexistent/team.ini", &t, &e), -1);
    assert_non_null(strstr(e.msg, "/nonexistent/team.ini: cannot open the team file"));
    char path[512];
    snprintf(path, sizeof path, "%s/examples/team.ini", getenv("CT_SOURCE_ROOT"));
    int rc = ct_team_load(path, &t, &e);
    if (rc)
        fprintf(stderr, "%s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_true(t.nplat >= 4);
    ct_team_free(&t);
}

/* Lines longer than inih's buffer (Debian's libinih: INI_MAX_LINE 200, which
 * must hold the line, CR, LF and NUL, so 197 characters) are named as what they
 * are, at their line, whatever section or key they hold: before, a cut
 * [header] left its keys under the section above and the error said "unknown
 * key". Texts are built here with the lengths counted by hand (197 is
 * 200 - 3). */
static char *repeat(const char *head, char c, size_t n, const char *tail)
{
    size_t h = strlen(head), t = strlen(tail);
    char *s = malloc(h + n + t + 1);
    assert_non_null(s);
    memcpy(s, head, h);
    memset(s + h, c, n);
    memcpy(s + h + n, tail, t + 1);
    return s;
}

static void expect_load(const char *text, const char *want_error, const char *want_name)
{
    struct ct_team t;
    ct_err e = {{0}};
    int rc = ct_team_load_string(text, "long.ini", &t, &e);
    if (want_error) {
        if (rc != -1 || strcmp(e.msg, want_error) != 0)
            fail_msg("rc %d, message '%s', expected '%s'", rc, e.msg, want_error);
        return;
    }
    if (rc != 0)
        fail_msg("rc %d, message '%s'", rc, e.msg);
    assert_string_equal(t.name, want_name);
    ct_team_free(&t);
}

static void test_long_lines(void **state)
{
    (void)state;
    const char *too_long = "long.ini:%d: line %d is longer than the 197 characters a team-file "
                           "line may have";
    char want[160];
    /* "name = " is 7 characters: 190 more make 197, the longest line read. */
    char *name190 = repeat("", 'n', 190, "");
    char *text = repeat("[team]\nname = ", 'n', 190, "\ncountry = SGP\nyear = 2023\n");
    expect_load(text, NULL, name190);
    free(text);
    /* the same with CRLF line ends: the CR does not count */
    text = repeat("[team]\r\nname = ", 'n', 190, "\r\ncountry = SGP\r\nyear = 2023\r\n");
    expect_load(text, NULL, name190);
    free(text);
    /* one more character: 198 */
    snprintf(want, sizeof want, too_long, 2, 2);
    text = repeat("[team]\nname = ", 'n', 191, "\ncountry = SGP\nyear = 2023\n");
    expect_load(text, want, NULL);
    free(text);
    /* the last line, without its newline */
    snprintf(want, sizeof want, too_long, 3, 3);
    text = repeat("[team]\ncountry = SGP\nname = ", 'n', 191, "");
    expect_load(text, want, NULL);
    free(text);
    /* a [platform] header of 201 characters, its keys below it (the case) */
    snprintf(want, sizeof want, too_long, 4, 4);
    text = repeat(TEAM "[platform ", 'p', 190, "]\n" CALC);
    expect_load(text, want, NULL);
    free(text);
    /* a comment line is a line too */
    snprintf(want, sizeof want, too_long, 1, 1);
    text = repeat("; ", 'c', 300, "\n" TEAM);
    expect_load(text, want, NULL);
    free(text);
    /* an earlier error is still the one reported */
    text = repeat("[team]\ncolour = red\n; ", 'c', 300, "\ncountry = SGP\n");
    struct ct_team t;
    ct_err e = {{0}};
    assert_int_equal(ct_team_load_string(text, "long.ini", &t, &e), -1);
    assert_non_null(strstr(e.msg, "long.ini:2: unknown key 'colour'"));
    free(text);
    free(name190);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good), cmocka_unit_test(test_bad),
        cmocka_unit_test(test_unknown_chip_suggests), cmocka_unit_test(test_provided_claims),
        cmocka_unit_test(test_file), cmocka_unit_test(test_long_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
