/* SCI against a hand computation, and the team-file keys it reads.
 * SGP 2023 = 500.87228 gCO2/kWh (OWID/Ember, as test_report.c uses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "config/team.h"
#include "core/timeutil.h"
#include "estimate/calculated.h"
#include "report/sci.h"
#include "testutil.h"

#define SGP_2023 0.50087228
#define assert_near(a, b, eps)                                                                 \
    do {                                                                                       \
        double a_ = (a), b_ = (b);                                                             \
        if (!(fabs(a_ - b_) <= (eps) * fmax(1, fabs(b_))))                                     \
            fail_msg("%s = %.17g, wanted %.17g", #a, a_, b_);                                  \
    } while (0)

static const char team_text[] =
    "[team]\nname = T\ncountry = SGP\nyear = 2023\n"
    "[platform servers]\nmethod = calculated\nwatts = 100\ncount = 2\nutilisation = 0.5\n"
    "hours_per_year = 8760\npue = 1.5\nembodied_kgco2e = 1000\nlifetime_years = 4\n"
    "[platform laptops]\nmethod = calculated\nwatts = 20\ncount = 10\nutilisation = 0.5\n"
    "hours_per_year = 2000\npue = laptop\n"
    "[platform gpu-boxes]\nmethod = measured\nhosts = g1, g2\nembodied_kgco2e = 500\n"
    "lifetime_years = 5\n";

static void load(const char *text, struct ct_team *t, int want, const char *msg)
{
    ct_err e = {{0}};
    int rc = ct_team_load_string(text, "t.ini", t, &e);
    if (rc != want)
        fail_msg("load gave %d, wanted %d: %s", rc, want, e.msg);
    if (msg && !strstr(e.msg, msg))
        fail_msg("'%s' has no '%s'", e.msg, msg);
    if (rc == 0)
        ct_team_free(t);
}

static void test_team_keys(void **state)
{
    (void)state;
    struct ct_team t;
    ct_err e;
    assert_int_equal(ct_team_load_string(team_text, "t.ini", &t, &e), 0);
    assert_near(ct_team_platform(&t, "servers")->embodied_kgco2e, 1000, 0);
    assert_near(ct_team_platform(&t, "servers")->lifetime_years, 4, 0);
    assert_true(isnan(ct_team_platform(&t, "laptops")->embodied_kgco2e));
    assert_true(isnan(ct_team_platform(&t, "laptops")->lifetime_years));
    assert_near(ct_team_platform(&t, "gpu-boxes")->embodied_kgco2e, 500, 0);
    ct_team_free(&t);
    const char *base = "[team]\ncountry = SGP\n[platform p]\nmethod = measured\nhosts = h\n";
    char text[512];
    snprintf(text, sizeof text, "%sembodied_kgco2e = 100\n", base);
    load(text, &t, -1, "go together");
    snprintf(text, sizeof text, "%slifetime_years = 4\n", base);
    load(text, &t, -1, "go together");
    snprintf(text, sizeof text, "%sembodied_kgco2e = -1\nlifetime_years = 4\n", base);
    load(text, &t, -1, "out of range");
    snprintf(text, sizeof text, "%sembodied_kgco2e = 1\nlifetime_years = 0\n", base);
    load(text, &t, -1, "out of range");
    snprintf(text, sizeof text, "%sembodied_kgco2e = lots\nlifetime_years = 4\n", base);
    load(text, &t, -1, "not a number");
    snprintf(text, sizeof text, "%sembodied_kgco2e = 1\nembodied_kgco2e = 2\nlifetime_years = 4\n", base);
    load(text, &t, -1, "given twice");
    snprintf(text, sizeof text, "%sembodied = 1\n", base);
    load(text, &t, -1, "embodied_kgco2e, lifetime_years");
    snprintf(text, sizeof text, "%sembodied_kgco2e = 0\nlifetime_years = 50\n", base);
    load(text, &t, 0, NULL);
}

static void test_hand_computation(void **state)
{
    (void)state;
    struct ct_team t;
    struct tmpledger tl;
    ct_err e = {{0}};
    assert_int_equal(ct_team_load_string(team_text, "t.ini", &t, &e), 0);
    tmpledger_open(&tl);
    assert_int_equal(ct_estimate_write(&tl.L, &t, 2023, 1700000000, NULL, NULL, &e), 0);
    int64_t from, to;
    ct_year_bounds(2023, &from, &to);
    struct ct_report r;
    struct ct_report_opts o = {.from = from, .to = to, .by = CT_BY_PLATFORM};
    assert_int_equal(ct_report_build(&tl.L, &t, &o, &r, &e), 0);
    struct ct_sci s;
    assert_int_equal(ct_sci_compute(&r, &t, 1000, "training run", &s, &e), 0);

    /* servers: 2 x 100 W x 0.5 x 8760 h = 876 kWh, x PUE 1.5 = 1314 kWh.
     * laptops: 10 x 20 W x 0.5 x 2000 h = 200 kWh, PUE 1 (laptop).
     * E = 1514 kWh; E x I = 1514 x SGP 2023. */
    double e_kwh = 1314 + 200, op = e_kwh * SGP_2023;
    /* M: 2 servers x 1000 kg x 365 d / (4 x 365.25 d) + 2 GPU boxes (no energy in
     * the period, still reserved) x 500 kg x 365 / (5 x 365.25); laptops give none. */
    double m = 2000.0 * 365 / (4 * 365.25) + 1000.0 * 365 / (5 * 365.25);
    assert_near(s.e_kwh, e_kwh, 1e-12);
    assert_near(s.op_kg, op, 1e-12);
    assert_near(s.i_kg_per_kwh, SGP_2023, 1e-12);
    assert_near(s.m_kg, m, 1e-12);
    assert_near(s.sci, (op + m) / 1000, 1e-12);
    assert_near(s.sci_lo, s.sci, 1e-12); /* fully covered: no interval */
    assert_int_equal(s.missing_m, 1);     /* laptops */
    assert_string_equal(s.unit, "training run");
    ct_buf b = {0}, j = {0};
    ct_sci_text(&s, &b);
    assert_non_null(strstr(b.p, "SCI = ((E x I) + M) per R"));
    assert_non_null(strstr(b.p, "per training run"));
    assert_non_null(strstr(b.p, "Excluded: embodied emissions of 1 platform(s)"));
    ct_sci_json(&s, &j);
    assert_non_null(strstr(j.p, "\"kgco2e_per_unit\""));
    assert_non_null(strstr(j.p, "\"platforms_without_embodied\": 1"));
    ct_buf_free(&b);
    ct_buf_free(&j);
    ct_sci_free(&s);

    assert_int_equal(ct_sci_compute(&r, &t, 0, "x", &s, &e), -1);
    assert_non_null(strstr(e.msg, "--per"));
    /* The document always holds its platforms: a report by host gives the same SCI. */
    struct ct_report rh;
    struct ct_sci sh, sp;
    o.by = CT_BY_HOST;
    assert_int_equal(ct_report_build(&tl.L, &t, &o, &rh, &e), 0);
    assert_int_equal(ct_sci_compute(&rh, &t, 1000, "x", &sh, &e), 0);
    assert_int_equal(ct_sci_compute(&r, &t, 1000, "x", &sp, &e), 0);
    assert_float_equal(sh.sci, sp.sci, 1e-12 * sp.sci);
    ct_sci_free(&sh);
    ct_sci_free(&sp);
    ct_report_free(&rh);
    ct_report_free(&r);
    tmpledger_close(&tl);
    ct_team_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_team_keys),
        cmocka_unit_test(test_hand_computation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
