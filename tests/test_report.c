/* The report model: kgCO2e, coverage and extrapolation against hand computations.
 * Grid factors are the source's own numbers (OWID/Ember, gCO2/kWh): SGP 2023 =
 * 500.87228, FRA 2023 = 55.27541 (../shared/data/SOURCES.md spot checks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "config/team.h"
#include "core/sha256.h"
#include "core/timeutil.h"
#include "estimate/calculated.h"
#include "report/render.h"
#include "testutil.h"

#define SGP_2023 0.50087228
#define FRA_2023 0.05527541

static const char team_text[] =
    "[team]\nname = T\ncountry = SGP\nyear = 2023\n"
    "[platform plain]\nmethod = calculated\nwatts = 100\nutilisation = 0.5\n"
    "hours_per_year = 1000\ncount = 3\npue = 1.2\n"
    "[platform servers]\nmethod = measured\nhosts = h1\npue = 1.5\nlocation = FRA\n";

struct fixture {
    struct ct_team t;
    struct tmpledger tl;
    double hours; /* measured hours written */
};

/* 100 W for every hour of the even-numbered weeks of 2023 (weeks counted from 1 January). */
static void write_measured(struct fixture *f)
{
    ct_err e;
    struct ct_ledger_h *L = &f->tl.L;
    char sha[65];
    ct_sha256_hex("h1-agent", 8, sha);
    struct ct_source_rec src = {"agent", "h1", sha, 1700000000};
    int64_t id;
    int existed;
    assert_int_equal(L->ops->begin(L->db, &e), 0);
    assert_int_equal(L->ops->add_source(L->db, &src, &id, &existed, &e), 0);
    int64_t from, to;
    ct_year_bounds(2023, &from, &to);
    f->hours = 0;
    for (int64_t t = from; t < to; t += 3600) {
        if (((t - from) / (7 * CT_DAY)) % 2 != 0)
            continue;
        struct ct_energy_rec r = {"", "h1", "cpu0", "cpu", CT_METHOD_MEASURED, t, t + 3600,
                                  3600, 360000, 0, 0, 0.5, 0};
        assert_int_equal(L->ops->add_energy(L->db, id, &r, &e), 0);
        f->hours += 1;
    }
    assert_int_equal(L->ops->commit(L->db, &e), 0);
}

static int setup(void **state)
{
    static struct fixture f;
    ct_err e = {{0}};
    if (ct_team_load_string(team_text, "t.ini", &f.t, &e) < 0) {
        fprintf(stderr, "%s\n", e.msg);
        return -1;
    }
    tmpledger_open(&f.tl);
    if (ct_estimate_write(&f.tl.L, &f.t, 2023, 1700000000, NULL, NULL, &e) < 0)
        return -1;
    write_measured(&f);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tmpledger_close(&f->tl);
    ct_team_free(&f->t);
    return 0;
}

static const struct ct_group *find(const struct ct_report *r, const char *key)
{
    for (int i = 0; i < r->ngroups; i++)
        if (strcmp(r->groups[i].key, key) == 0)
            return &r->groups[i];
    fail_msg("no group %s", key);
    return NULL;
}

static void test_by_platform(void **state)
{
    struct fixture *f = *state;
    int64_t from, to;
    ct_year_bounds(2023, &from, &to);
    struct ct_report r;
    ct_err e = {{0}};
    assert_int_equal(ct_report_build(&f->tl.L, &f->t, &(struct ct_report_opts){.from = from, .to = to, .by = CT_BY_PLATFORM, .market = 0, .scopes = 0}, &r, &e), 0);
    assert_int_equal(r.ngroups, 2);

    const struct ct_group *g = find(&r, "plain");
    double plain_kg = 150 * 1.2 * SGP_2023;
    assert_float_equal(g->energy_kwh, 150, 1e-9);
    assert_float_equal(g->pue, 1.2, 0);
    assert_float_equal(g->factor, SGP_2023, 1e-12);
    assert_int_equal(g->factor_year, 2023);
    assert_float_equal(g->kgco2e, plain_kg, 1e-9);
    assert_float_equal(g->coverage, 1, 1e-12);
    assert_true(g->extrapolated == g->kgco2e && g->lo == g->kgco2e && g->hi == g->kgco2e);
    assert_string_equal(g->method, "calculated");

    /* 4392 hours measured (26 full weeks and the 1-day block 52) at 100 W. */
    assert_float_equal(f->hours, 26 * 168 + 24, 0);
    g = find(&r, "servers");
    double seen_kg = f->hours * 0.1 * 1.5 * FRA_2023, year_kg = 8760 * 0.1 * 1.5 * FRA_2023;
    assert_float_equal(g->energy_kwh, f->hours * 0.1, 1e-9);
    assert_float_equal(g->kgco2e, seen_kg, 1e-9);
    assert_float_equal(g->coverage, f->hours / 8760, 1e-12);
    /* A constant series extrapolates exactly, with a zero-width interval. */
    assert_float_equal(g->extrapolated, year_kg, 1e-9 * year_kg);
    assert_true(g->lo == g->extrapolated && g->hi == g->extrapolated);
    assert_string_equal(g->method, "measured");

    assert_float_equal(r.kgco2e, plain_kg + seen_kg, 1e-9);
    assert_float_equal(r.extrapolated, plain_kg + year_kg, 1e-9);
    /* Shares are of the extrapolated year; the observed share stays beside it. */
    assert_float_equal(find(&r, "plain")->share, plain_kg / (plain_kg + year_kg), 1e-12);
    assert_float_equal(find(&r, "plain")->share_observed, plain_kg / (plain_kg + seen_kg), 1e-12);
    /* Largest extrapolated figure first. */
    assert_string_equal(r.groups[0].key, year_kg > plain_kg ? "servers" : "plain");
    /* Three units of the calculated platform: three units of device-time. */
    assert_float_equal(find(&r, "plain")->units, 3, 0);
    ct_report_free(&r);
}

static void test_by_month_sums(void **state)
{
    struct fixture *f = *state;
    int64_t from, to;
    ct_year_bounds(2023, &from, &to);
    struct ct_report r, p;
    ct_err e = {{0}};
    assert_int_equal(ct_report_build(&f->tl.L, &f->t, &(struct ct_report_opts){.from = from, .to = to, .by = CT_BY_MONTH, .market = 0, .scopes = 0}, &r, &e), 0);
    assert_int_equal(ct_report_build(&f->tl.L, &f->t, &(struct ct_report_opts){.from = from, .to = to, .by = CT_BY_PLATFORM, .market = 0, .scopes = 0}, &p, &e), 0);
    assert_int_equal(r.ngroups, 12);
    assert_string_equal(r.groups[0].key, "2023-01");
    assert_string_equal(r.groups[11].key, "2023-12");
    double sum = 0;
    for (int i = 0; i < r.ngroups; i++)
        sum += r.groups[i].kgco2e;
    assert_float_equal(sum, p.kgco2e, 1e-9);
    /* The months' extrapolated figures add up to the year's. */
    double xsum = 0;
    for (int i = 0; i < r.ngroups; i++)
        xsum += r.groups[i].extrapolated;
    assert_float_equal(xsum, p.extrapolated, 1e-9 * p.extrapolated);
    assert_float_equal(r.extrapolated, p.extrapolated, 1e-9 * p.extrapolated);
    /* January: 31/365 of the calculated platform, plus the measured hours in January
     * (weeks 0, 2, 4: days 1-7, 15-21, 29-31 = 17 days). */
    double jan = 150 * 1.2 * SGP_2023 * 31 / 365 + 17 * 24 * 0.1 * 1.5 * FRA_2023;
    assert_float_equal(r.groups[0].kgco2e, jan, 1e-9);
    assert_true(isnan(r.groups[0].factor)); /* two locations in one month */
    ct_report_free(&r);
    ct_report_free(&p);
}

static void test_by_method_and_period(void **state)
{
    struct fixture *f = *state;
    struct ct_report r;
    ct_err e = {{0}};
    /* The first week only: 1 to 8 January. */
    int64_t from = 1672531200, to = from + 7 * CT_DAY;
    assert_int_equal(ct_report_build(&f->tl.L, &f->t, &(struct ct_report_opts){.from = from, .to = to, .by = CT_BY_METHOD, .market = 0, .scopes = 0}, &r, &e), 0);
    assert_int_equal(r.ngroups, 2);
    const struct ct_group *m = find(&r, "measured");
    assert_float_equal(m->energy_kwh, 168 * 0.1, 1e-9);
    assert_float_equal(m->coverage, 1, 1e-12);
    /* The calculated January record straddles the period: 7/31 of it counts. */
    const struct ct_group *c = find(&r, "calculated");
    assert_float_equal(c->energy_kwh, 150.0 * 31 / 365 * 7 / 31, 1e-9);
    ct_report_free(&r);
}

static void test_render(void **state)
{
    struct fixture *f = *state;
    int64_t from, to;
    ct_year_bounds(2023, &from, &to);
    struct ct_report r;
    ct_err e = {{0}};
    assert_int_equal(ct_report_build(&f->tl.L, &f->t, &(struct ct_report_opts){.from = from, .to = to, .by = CT_BY_PLATFORM, .market = 0, .scopes = 0}, &r, &e), 0);
    ct_buf b = {0};
    ct_render_json(&r, 1, &b);
    assert_non_null(strstr(b.p, "\"period\": {\"from\": \"2023-01-01T00:00:00Z\", \"to\": \"2024-01-01T00:00:00Z\"}"));
    assert_non_null(strstr(b.p, "\"key\": \"plain\""));
    assert_non_null(strstr(b.p, "\"factor_kg_per_kwh\": 0.50087228"));
    b.len = 0;
    ct_render_csv(&r, &b);
    assert_true(strncmp(b.p, "platform,method,energy_kwh,pue,", 31) == 0);
    b.len = 0;
    ct_render_table(&r, 1, &b);
    assert_non_null(strstr(b.p, "plain"));
    assert_non_null(strstr(b.p, "flight"));
    ct_buf_free(&b);
    ct_report_free(&r);
}

/* Provided figures: six monthly GCP rows (January to June 2023) of scope 2
 * location-based 100 kg, market-based 10 kg, and basis-free scope 1 5 kg and
 * scope 3 50 kg; plus calculated energy wrongly filed under the same platform. */
static void test_provided(void **state)
{
    (void)state;
    struct ct_team t;
    ct_err e = {{0}};
    assert_int_equal(ct_team_load_string("[team]\ncountry = DEU\nyear = 2023\n"
                                         "[platform cloud]\nmethod = provided\nlocation = gcp:europe-west1\n",
                                         "t.ini", &t, &e), 0);
    struct tmpledger tl;
    tmpledger_open(&tl);
    struct ct_ledger_h *L = &tl.L;
    char sha[65];
    ct_sha256_hex("gcp.csv", 7, sha);
    struct ct_source_rec src = {"gcp-carbon", "gcp.csv", sha, 1700000000};
    int64_t id;
    int existed;
    assert_int_equal(L->ops->begin(L->db, &e), 0);
    assert_int_equal(L->ops->add_source(L->db, &src, &id, &existed, &e), 0);
    static const struct { int scope, market; double kg; } parts[] = {
        {2, 0, 100}, {2, 1, 10}, {1, -1, 5}, {3, -1, 50}};
    int64_t m = 1672531200; /* 2023-01-01 */
    for (int i = 0; i < 6; i++, m = ct_next_month(m))
        for (int k = 0; k < 4; k++) {
            struct ct_provided_rec p = {"gcp", "acct", "proj", "Compute Engine", "europe-west1",
                                        "europe-west1", parts[k].scope, parts[k].market, m,
                                        ct_next_month(m), parts[k].kg, parts[k].kg, "kg", ""};
            assert_int_equal(L->ops->add_provided(L->db, id, &p, &e), 0);
        }
    struct ct_energy_rec r = {.platform = "cloud", .host = "cloud", .device = "calculated",
                              .component = "cpu", .method = CT_METHOD_CALCULATED,
                              .t0 = 1672531200, .t1 = 1675209600, .covered_s = 2678400,
                              .joules = 3.6e9, .util = NAN};
    assert_int_equal(L->ops->add_energy(L->db, id, &r, &e), 0);
    assert_int_equal(L->ops->commit(L->db, &e), 0);

    int64_t from, to;
    ct_year_bounds(2023, &from, &to);
    struct ct_report rep;
    assert_int_equal(ct_report_build(L, &t, &(struct ct_report_opts){.from = from, .to = to, .by = CT_BY_PLATFORM, .market = 0, .scopes = 0}, &rep, &e), 0);
    assert_int_equal(rep.ngroups, 1);
    const struct ct_group *g = &rep.groups[0];
    assert_string_equal(g->key, "cloud");
    assert_string_equal(g->method, "provided");
    assert_float_equal(g->kgco2e, 6 * (100 + 5 + 50), 1e-9);
    assert_float_equal(g->energy_kwh, 0, 0); /* the calculated record is an overlap */
    assert_float_equal(g->coverage, 181.0 / 365, 1e-12);
    assert_true(isnan(g->pue) && isnan(g->factor));
    assert_true(g->extrapolated > g->kgco2e);
    assert_int_equal(rep.nproviders, 1);
    assert_int_equal(rep.providers[0].scopes, (1 << 1) | (1 << 2) | (1 << 3));
    int warned = 0;
    for (int i = 0; i < rep.nwarnings; i++)
        warned |= strstr(rep.warnings[i], "platform 'cloud' is counted from its provider's figures") != NULL;
    assert_true(warned);
    ct_report_free(&rep);

    assert_int_equal(ct_report_build(L, &t, &(struct ct_report_opts){.from = from, .to = to, .by = CT_BY_PLATFORM, .market = 1, .scopes = 0}, &rep, &e), 0);
    assert_float_equal(rep.kgco2e, 6 * (10 + 5 + 50), 1e-9);
    ct_report_free(&rep);
    assert_int_equal(ct_report_build(L, &t, &(struct ct_report_opts){.from = from, .to = to, .by = CT_BY_MONTH, .market = 0, .scopes = 1 << 2}, &rep, &e), 0);
    assert_float_equal(rep.kgco2e, 600, 1e-9);
    assert_int_equal(rep.ngroups, 12); /* every month of the period, with data or not */
    assert_float_equal(rep.groups[1].kgco2e, 100, 1e-9); /* February: one month's row */
    assert_float_equal(rep.groups[1].coverage, 1, 1e-12);
    assert_float_equal(rep.groups[8].kgco2e, 0, 0);     /* September: nothing observed, */
    assert_true(rep.groups[8].extrapolated > 0);          /* but its share of the year */
    assert_int_equal(rep.noverlaps, 1);
    assert_float_equal(rep.overlaps[0].energy_kwh, 1000, 1e-9);
    ct_report_free(&rep);
    tmpledger_close(&tl);
    ct_team_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_platform), cmocka_unit_test(test_by_month_sums),
        cmocka_unit_test(test_by_method_and_period), cmocka_unit_test(test_render),
        cmocka_unit_test(test_provided),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
