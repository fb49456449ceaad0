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
          "hours_per_year = 1\n", "bad.ini:4: [platform a]: unknown chip 'Xeon Banana 9000'"},
    {TEAM "[platforms a]\n" CALC, "bad.ini:4: unknown section [platforms a]"},
    {TEAM "[platform a]\nwatts = 10\n", "bad.ini:4: [platform a]: method is missing"},
    {TEAM "[platform a]\nmethod = calculated\nwatts = 10\nutilisation = 0.5\nhours_per_day = 8\n",
     "bad.ini:4: [platform a]: hours_per_day and days_per_year go together"},
    {TEAM "[platform a]\n" CALC "[platform b]\nmethod = calculated\nwatts = 1\nutilisation = 1.5\n",
     "bad.ini:12: utilisation = 1.5 is out of range (0 to 1)"},
    {TEAM "[platform a]\n" CALC "watts = 20\n", "bad.ini:9: watts is given twice in [platform a]"},
    {TEAM "[platform a]\n" CALC "[platform a]\nmethod = measured\n",
     "bad.ini:9: platform 'a' is defined twice"},
    {TEAM "[platform a]\n" CALC "location = XXX\n", "bad.ini:9: location: "},
    {TEAM "[platform a]\nmethod = measured\n", "bad.ini:4: [platform a]: hosts is missing"},
    {TEAM "[platform a]\nmethod = measured\nhosts = h1\nwatts = 5\n",
     "bad.ini:4: [platform a]: count, chip, watts"},
    {TEAM "[platform a]\nmethod = measured\nhosts = h1, h2\n[platform b]\nmethod = measured\n"
          "hosts = h2\n", "bad.ini:7: host 'h2' belongs to both [platform a] and [platform b]"},
    {TEAM "[platform a]\n" CALC "chip = Apple M1\n", "bad.ini:4: [platform a]: give its power as chip"},
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
          "hours_per_year = 5\n", "bad.ini:4: [platform a]: idle_watts is above watts"},
    {"[team]\nyear = 2023\n[platform a]\n" CALC, "bad.ini:3: [platform a]: no location"},
    {TEAM "[platform a]\n" CALC "hours_per_day = 2\ndays_per_year = 3\n",
     "bad.ini:4: [platform a]: give only one of hours_per_year"},
    {TEAM "[platform a]\n" CALC "hours_per_year = 9000\n", "bad.ini:9: hours_per_year is given twice"},
};

static void test_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
        struct ct_team t;
        ct_err e = {{0}};
        int rc = ct_team_load_string(bad_cases[i].text, "bad.ini", &t, &e);
        if (rc != -1 || strncmp(e.msg, bad_cases[i].expect, strlen(bad_cases[i].expect)) != 0)
            fail_msg("case %zu: rc %d, message '%s', expected '%s...'", i, rc, e.msg,
                     bad_cases[i].expect);
    }
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good), cmocka_unit_test(test_bad),
        cmocka_unit_test(test_unknown_chip_suggests), cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
