/* The cases of issue 9, each with its numbers worked out by hand: one total
 * under every grouping; stale estimates and usage rows beside an estimate are
 * overlaps; usage rows count at their own region's factor; providers' rows go
 * where the team file says; a few seconds of data have no interval; a platform
 * with no data is listed; a calculated platform of count 12 is 12 units.
 * Factors: SGP 2023 = 0.50087228 (OWID/Ember), aws:ap-southeast-1 = 0.4085
 * and azure:westeurope's CCF value, AWS PUE 1.15 (data/pue.csv). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "agent/measure.h"
#include "config/team.h"
#include "core/sha256.h"
#include "core/timeutil.h"
#include "estimate/calculated.h"
#include "insight/insight.h"
#include "report/model.h"
#include "testutil.h"

#define SGP_2023 0.50087228
#define AWS_SG 0.4085

static int64_t day(int y, int m, int d) { return ct_days_from_civil(y, m, d) * CT_DAY; }

static void energy(struct ct_ledger_h *L, int64_t src, const char *plat, const char *host,
                   const char *dev, int method, int64_t t0, int64_t t1, double cov, double j)
{
    ct_err e = {{0}};
    struct ct_energy_rec r = {plat, host, dev, "cpu", method, t0, t1, cov, j, 0, 0, NAN, 0};
    if (L->ops->add_energy(L->db, src, &r, &e) != 0)
        fail_msg("add_energy: %s", e.msg);
}

static void load(struct ct_team *t, const char *text)
{
    ct_err e = {{0}};
    if (ct_team_load_string(text, "t.ini", t, &e) < 0)
        fail_msg("%s", e.msg);
}

static struct ct_report build(struct ct_ledger_h *L, const struct ct_team *t, int by, int market)
{
    struct ct_report r;
    ct_err e = {{0}};
    int64_t from, to;
    ct_year_bounds(2023, &from, &to);
    if (ct_report_build(L, t, &(struct ct_report_opts){from, to, by, market, 0}, &r, &e) < 0)
        fail_msg("%s", e.msg);
    return r;
}

static int warned(const struct ct_report *r, const char *what)
{
    for (int i = 0; i < r->nwarnings; i++)
        if (strstr(r->warnings[i], what))
            return 1;
    return 0;
}

/* One platform mixes a fully covered estimate with two months of usage rows
 * (the usage rows are an overlap and left out); one measured host is seen
 * for two whole weeks at 100 W. Every grouping gives the estimate plus the
 * host's year: 100 W x 8760 h x 1.5 x SGP. */
static void test_one_total(void **state)
{
    (void)state;
    struct ct_team t;
    load(&t, "[team]\ncountry = SGP\nyear = 2023\n"
             "[platform ci]\nmethod = calculated\nwatts = 100\nutilisation = 0.5\n"
             "hours_per_year = 1000\n"
             "[platform gpu]\nmethod = measured\nhosts = g1\npue = 1.5\n");
    struct tmpledger tl;
    tmpledger_open(&tl);
    ct_err e = {{0}};
    assert_int_equal(ct_estimate_write(&tl.L, &t, 2023, 1, NULL, NULL, &e), 0);
    struct ct_ledger_h *L = &tl.L;
    assert_int_equal(L->ops->begin(L->db, &e), 0);
    int64_t u = tmpledger_source(L, "usage", "u.csv"), a = tmpledger_source(L, "agent", "g1");
    energy(L, u, "ci", "aws:ap-southeast-1", "vm/cpu", CT_METHOD_CALCULATED, day(2023, 3, 1),
           day(2023, 4, 1), 31 * CT_DAY, 3.6e8);
    energy(L, u, "ci", "aws:ap-southeast-1", "vm/cpu", CT_METHOD_CALCULATED, day(2023, 4, 1),
           day(2023, 5, 1), 30 * CT_DAY, 3.6e8);
    for (int64_t h = day(2023, 1, 2); h < day(2023, 1, 16); h += 3600)
        energy(L, a, "", "g1", "gpu:0", CT_METHOD_MEASURED, h, h + 3600, 3600, 100 * 3600.0);
    assert_int_equal(L->ops->commit(L->db, &e), 0);

    double ci = 50 * 1000 / 1000.0 * SGP_2023; /* 50 kWh, PUE 1 (none given) */
    double gpu = 876 * 1.5 * SGP_2023;
    for (int by = CT_BY_PLATFORM; by <= CT_BY_METHOD; by++) {
        struct ct_report r = build(L, &t, by, 0);
        assert_float_equal(r.extrapolated, ci + gpu, 1e-9 * (ci + gpu));
        assert_float_equal(ct_report_platform(&r, "ci")->extrapolated, ci, 1e-9 * ci);
        assert_float_equal(ct_report_platform(&r, "gpu")->extrapolated, gpu, 1e-9 * gpu);
        assert_int_equal(r.noverlaps, 1);
        assert_string_equal(r.overlaps[0].what, "usage rows");
        assert_float_equal(r.overlaps[0].energy_kwh, 200, 1e-9);
        assert_true(warned(&r, "set `source = usage`"));
        ct_report_free(&r);
    }
    tmpledger_close(&tl);
    ct_team_free(&t);
}

/* A platform once calculated is now measured: its old estimate stays in the
 * ledger but is left out; one second of measured data is extrapolated alone
 * and has no interval. */
static void test_stale_estimate_and_thin_data(void **state)
{
    (void)state;
    struct ct_team old, now;
    load(&old, "[team]\ncountry = SGP\nyear = 2023\n[platform mac]\nmethod = calculated\n"
               "watts = 20\nutilisation = 1\nhours_per_year = 8760\n");
    load(&now, "[team]\ncountry = SGP\nyear = 2023\n[platform mac]\nmethod = measured\n"
               "hosts = mac1\npue = 1\n[platform empty]\nmethod = measured\n"
               "hosts = e1, e2, e3\n");
    struct tmpledger tl;
    tmpledger_open(&tl);
    ct_err e = {{0}};
    struct ct_ledger_h *L = &tl.L;
    assert_int_equal(ct_estimate_write(L, &old, 2023, 1, NULL, NULL, &e), 0);
    assert_int_equal(L->ops->begin(L->db, &e), 0);
    int64_t p = tmpledger_source(L, "powermetrics", "pm.txt");
    energy(L, p, "", "mac1", "package", CT_METHOD_MEASURED, day(2023, 6, 1), day(2023, 6, 1) + 1,
           1, 10.0); /* 10 W for 1 s */
    assert_int_equal(L->ops->commit(L->db, &e), 0);
    struct ct_report r = build(L, &now, CT_BY_PLATFORM, 0);
    const struct ct_group *g = ct_report_platform(&r, "mac");
    double year_kg = 10 * 8760 * 3600 / 3.6e6 * SGP_2023; /* 10 W all year */
    assert_float_equal(g->extrapolated, year_kg, 1e-9 * year_kg);
    assert_string_equal(g->method, "measured");
    assert_true(!g->has_interval && isnan(g->lo) && isnan(g->hi));
    assert_non_null(strstr(g->basis, "1 s of data"));
    assert_true(!r.has_interval);
    assert_int_equal(r.noverlaps, 1);
    assert_string_equal(r.overlaps[0].what, "estimate");
    assert_float_equal(r.overlaps[0].energy_kwh, 20 * 8760 / 1000.0, 1e-9);
    assert_true(warned(&r, "still holds an estimate"));
    /* the empty platform is listed, with its silence explained */
    const struct ct_group *em = ct_report_platform(&r, "empty");
    assert_non_null(em);
    assert_int_equal(em->nseries, 0);
    assert_int_equal(em->hosts_listed, 3);
    assert_true(warned(&r, "platform 'empty' has no data in this period"));
    /* advice built on it says the figure is rough */
    struct ct_advice a;
    ct_advise(&r, &now, NULL, &a);
    int rough = 0;
    for (int i = 0; i < a.nf; i++)
        rough |= strcmp(a.f[i].platform, "mac") == 0 && strstr(a.f[i].evidence, "too little data");
    assert_true(rough);
    ct_advice_free(&a);
    ct_report_free(&r);
    tmpledger_close(&tl);
    ct_team_free(&old);
    ct_team_free(&now);
}

/* Usage rows of a `source = usage` platform count at the factor and PUE of
 * the region each row names, not the platform's own location. Twelve laptops
 * fully estimated cover 12 units of device-time; 2 of 3 hosts reported. */
static void test_usage_region_and_units(void **state)
{
    (void)state;
    struct ct_team t;
    load(&t, "[team]\ncountry = SGP\nyear = 2023\n"
             "[platform ci]\nmethod = calculated\nsource = usage\nlocation = azure:westeurope\n"
             "[platform laptops]\nmethod = calculated\nwatts = 10\ncount = 12\n"
             "utilisation = 0.5\nhours_per_year = 2000\npue = 1\n"
             "[platform servers]\nmethod = measured\nhosts = s1, s2, s3\npue = 1\n");
    struct tmpledger tl;
    tmpledger_open(&tl);
    ct_err e = {{0}};
    struct ct_ledger_h *L = &tl.L;
    assert_int_equal(ct_estimate_write(L, &t, 2023, 1, NULL, NULL, &e), 0);
    assert_int_equal(L->ops->begin(L->db, &e), 0);
    int64_t u = tmpledger_source(L, "usage", "u.csv"), a = tmpledger_source(L, "agent", "s");
    for (int m = 1; m <= 12; m++) /* the whole year: nothing to extrapolate */
        energy(L, u, "ci", "aws:ap-southeast-1", "vm/cpu", CT_METHOD_CALCULATED, day(2023, m, 1),
               ct_next_month(day(2023, m, 1)), (double)(ct_next_month(day(2023, m, 1)) - day(2023, m, 1)),
               3.6e6);
    for (int64_t h = day(2023, 1, 1); h < day(2024, 1, 1); h += 3600) {
        energy(L, a, "", "s1", "cpu0", CT_METHOD_MEASURED, h, h + 3600, 3600, 3600.0);
        energy(L, a, "", "s2", "cpu0", CT_METHOD_MEASURED, h, h + 3600, 3600, 3600.0);
    }
    assert_int_equal(L->ops->commit(L->db, &e), 0);
    struct ct_report r = build(L, &t, CT_BY_PLATFORM, 0);
    const struct ct_group *ci = ct_report_platform(&r, "ci");
    assert_float_equal(ci->kgco2e, 12 * 1.15 * AWS_SG, 1e-9);
    assert_float_equal(ci->factor, AWS_SG, 1e-12);
    assert_float_equal(ci->pue, 1.15, 0);
    const struct ct_group *lap = ct_report_platform(&r, "laptops");
    assert_float_equal(lap->units, 12, 0);
    assert_float_equal(lap->coverage, 1, 1e-12);
    const struct ct_group *s = ct_report_platform(&r, "servers");
    assert_int_equal(s->hosts_listed, 3);
    assert_int_equal(s->hosts_reported, 2);
    assert_true(warned(&r, "2 of 3 hosts reported"));
    assert_true(warned(&r, "nothing from s3"));
    /* measure counts by the same rule: the platform's kgCO2e for its energy */
    struct ct_measure_co2 m;
    assert_int_equal(ct_measure_co2(&t, "s1", 2023, s->energy_kwh * 3.6e6, &m, &e), 0);
    assert_float_equal(m.kgco2e, s->kgco2e, 1e-12 * s->kgco2e);
    assert_string_equal(m.platform, "servers");
    ct_report_free(&r);
    tmpledger_close(&tl);
    ct_team_free(&t);
}

static void provided(struct ct_ledger_h *L, int64_t src, const char *prov, const char *acct,
                     int market, double kg, const char *plat)
{
    ct_err e = {{0}};
    for (int m = 1; m <= 12; m++) {
        struct ct_provided_rec p = {prov, acct, "", "Compute", "r", "r", 2, market,
                                    day(2023, m, 1), ct_next_month(day(2023, m, 1)), kg, kg, "kg",
                                    plat};
        assert_int_equal(L->ops->add_provided(L->db, src, &p, &e), 0);
    }
}

/* Providers' rows go only where the team file claims them: Azure rows beside
 * a GCP platform are "(unassigned provided)", never the GCP platform's; an
 * account list picks its rows; figures of only the other basis are said. */
static void test_provided_attribution(void **state)
{
    (void)state;
    struct ct_team t;
    load(&t, "[team]\ncountry = SGP\nyear = 2023\n"
             "[platform gcp-train]\nmethod = provided\nlocation = gcp:asia-southeast1\n"
             "[platform aws-a]\nmethod = provided\nprovider = aws\naccounts = 111\n"
             "[platform aws-rest]\nmethod = provided\nprovider = aws\n");
    struct tmpledger tl;
    tmpledger_open(&tl);
    ct_err e = {{0}};
    struct ct_ledger_h *L = &tl.L;
    assert_int_equal(L->ops->begin(L->db, &e), 0);
    int64_t s = tmpledger_source(L, "x", "p.csv");
    provided(L, s, "azure", "sub-1", 1, 10, "");  /* market-based only */
    provided(L, s, "gcp", "proj", 0, 2, "");
    provided(L, s, "aws", "111", 0, 3, "");
    provided(L, s, "aws", "222", 0, 5, "");
    assert_int_equal(L->ops->commit(L->db, &e), 0);
    struct ct_report r = build(L, &t, CT_BY_PLATFORM, 0);
    assert_float_equal(ct_report_platform(&r, "gcp-train")->kgco2e, 24, 1e-9);
    assert_float_equal(ct_report_platform(&r, "aws-a")->kgco2e, 36, 1e-9);
    assert_float_equal(ct_report_platform(&r, "aws-rest")->kgco2e, 60, 1e-9);
    assert_null(ct_report_platform(&r, CT_UNASSIGNED_PROVIDED)); /* Azure is market-based */
    assert_float_equal(r.other_basis_kg, 120, 1e-9);
    assert_true(warned(&r, "120.0 kgCO2e of market-based provided figures"));
    assert_true(warned(&r, "--basis market"));
    ct_report_free(&r);
    r = build(L, &t, CT_BY_PLATFORM, 1);
    const struct ct_group *un = ct_report_platform(&r, CT_UNASSIGNED_PROVIDED);
    assert_non_null(un);
    assert_float_equal(un->kgco2e, 120, 1e-9);
    assert_float_equal(ct_report_platform(&r, "gcp-train")->kgco2e, 0, 0);
    assert_float_equal(r.other_basis_kg, 120, 1e-9); /* the location-based rows, now left */
    ct_report_free(&r);
    tmpledger_close(&tl);
    ct_team_free(&t);
}

/* A ledger written around the import bounds (1e308 J in one second) is an
 * error naming the device, never a report of inf or NaN. */
static void test_overflow_refused(void **state)
{
    (void)state;
    struct ct_team t;
    load(&t, "[team]\ncountry = SGP\nyear = 2023\n");
    struct tmpledger tl;
    tmpledger_open(&tl);
    ct_err e = {{0}};
    struct ct_ledger_h *L = &tl.L;
    assert_int_equal(L->ops->begin(L->db, &e), 0);
    int64_t a = tmpledger_source(L, "agent", "x");
    energy(L, a, "", "h", "cpu0", CT_METHOD_MEASURED, day(2023, 5, 1), day(2023, 5, 1) + 1, 1, 1e308);
    assert_int_equal(L->ops->commit(L->db, &e), 0);
    struct ct_report r;
    int64_t from, to;
    ct_year_bounds(2023, &from, &to);
    assert_int_equal(ct_report_build(L, &t, &(struct ct_report_opts){from, to, CT_BY_PLATFORM, 0, 0},
                                     &r, &e), -1);
    assert_non_null(strstr(e.msg, "h/cpu0: its figures overflow"));
    tmpledger_close(&tl);
    ct_team_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_total),
        cmocka_unit_test(test_stale_estimate_and_thin_data),
        cmocka_unit_test(test_usage_region_and_units),
        cmocka_unit_test(test_provided_attribution),
        cmocka_unit_test(test_overflow_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
