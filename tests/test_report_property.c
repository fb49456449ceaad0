/* A property of the report document: random ledgers (measured hosts with gaps,
 * calculated estimates of several units, usage rows, providers' figures of
 * both bases, stale and overlapping records, unassigned hosts and accounts,
 * partial months) give the same annual total and the same per-platform
 * figures under every grouping, the months add up to the year, and every
 * renderer prints the document's numbers. Relative tolerance 1e-9. */
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
#include "core/buf.h"
#include "core/rng.h"
#include "core/sha256.h"
#include "core/timeutil.h"
#include "estimate/calculated.h"
#include "formats/json_min.h"
#include "insight/insight.h"
#include "report/render.h"
#include "report/render_html.h"
#include "testutil.h"

#define TRIALS 12
#define REL 1e-9

static double uni(ct_rng *r) { return (double)(ct_rng_next(r) >> 11) / 9007199254740992.0; }
static int below(ct_rng *r, int n) { return (int)ct_rng_below(r, (uint32_t)n); }

static void near(double a, double b, const char *what)
{
    double tol = REL * fmax(1.0, fmax(fabs(a), fabs(b)));
    if (!(fabs(a - b) <= tol))
        fail_msg("%s: %.17g != %.17g", what, a, b);
}

static void energy(struct ct_ledger_h *L, int64_t src, const char *plat, const char *host,
                   const char *dev, const char *comp, int method, int64_t t0, int64_t t1,
                   double cov, double j, double util)
{
    ct_err e = {{0}};
    struct ct_energy_rec r = {plat, host, dev, comp, method, t0, t1, cov, j, 0, 0, util, 0};
    if (L->ops->add_energy(L->db, src, &r, &e) != 0)
        fail_msg("add_energy: %s", e.msg);
}

/* A team of random shape; the text goes to buf. */
static void make_team(ct_rng *r, char *buf, size_t n, int *nmeas)
{
    static const char *locs[] = {"SGP", "FRA", "DEU", "aws:eu-west-1", "gcp:asia-southeast1"};
    int len = snprintf(buf, n, "[team]\nname = P\ncountry = SGP\nyear = 2023\n");
    *nmeas = 1 + below(r, 3);
    for (int m = 0; m < *nmeas; m++)
        len += snprintf(buf + len, n - (size_t)len, "[platform meas%d]\nmethod = measured\n"
                        "hosts = m%da, m%db, m%dc\npue = %.2f\nlocation = %s\n", m, m, m, m,
                        1.1 + 0.5 * uni(r), locs[below(r, 5)]);
    int ncalc = 1 + below(r, 3);
    for (int c = 0; c < ncalc; c++)
        len += snprintf(buf + len, n - (size_t)len, "[platform calc%d]\nmethod = calculated\n"
                        "watts = %d\ncount = %d\nutilisation = %.2f\nhours_per_year = %d\n", c,
                        10 + below(r, 400), 1 + below(r, 12), 0.05 + 0.9 * uni(r),
                        100 + below(r, 8000));
    len += snprintf(buf + len, n - (size_t)len, "[platform ci]\nmethod = calculated\nsource = usage\n"
                    "[platform gcloud]\nmethod = provided\nprovider = gcp\naccounts = acct-a\n"
                    "[platform aws]\nmethod = provided\nprovider = aws\n"
                    "[platform idle]\nmethod = measured\nhosts = nobody-%d\n", below(r, 100));
}

static void measured_host(ct_rng *r, struct ct_ledger_h *L, int64_t src, const char *host,
                          const char *plat)
{
    int ndev = 1 + below(r, 3), ndays = 1 + below(r, 40);
    for (int d = 0; d < ndev; d++) {
        char dev[16];
        snprintf(dev, sizeof dev, "%s:%d", d ? "gpu" : "cpu", d);
        double watts = 20 + 380 * uni(r);
        int64_t day = ct_days_from_civil(2023, 1, 1) * CT_DAY + below(r, 300) * (int64_t)CT_DAY;
        for (int k = 0; k < ndays; k++, day += (1 + below(r, 5)) * (int64_t)CT_DAY) {
            if (day >= ct_days_from_civil(2024, 1, 1) * CT_DAY)
                break;
            int h0 = below(r, 20), nh = 1 + below(r, 24 - h0);
            for (int h = h0; h < h0 + nh; h++) {
                int64_t t0 = day + 3600 * h;
                double cov = below(r, 4) ? 3600 : 600 + below(r, 3000);
                double w = watts * (0.5 + uni(r));
                energy(L, src, plat, host, dev, d ? "gpu" : "cpu", CT_METHOD_MEASURED, t0,
                       t0 + 3600, cov, w * cov, uni(r));
            }
        }
    }
}

static void provided(ct_rng *r, struct ct_ledger_h *L, int64_t src, const char *prov,
                     const char *acct, const char *plat)
{
    ct_err e = {{0}};
    int m0 = below(r, 10), nm = 1 + below(r, 12 - m0);
    int64_t t = ct_days_from_civil(2023, 1 + m0, 1) * CT_DAY;
    for (int m = 0; m < nm; m++, t = ct_next_month(t))
        for (int s = 1; s <= 3; s++) {
            int basis = s == 2 ? below(r, 2) : -1;
            double kg = 1 + 500 * uni(r);
            struct ct_provided_rec p = {prov, acct, "proj", "Compute", "r1", "r1", s, basis, t,
                                        ct_next_month(t), kg, kg, "kg", plat};
            if (L->ops->add_provided(L->db, src, &p, &e) != 0)
                fail_msg("add_provided: %s", e.msg);
        }
}

static void make_ledger(ct_rng *r, struct ct_ledger_h *L, const struct ct_team *t, int nmeas)
{
    ct_err e = {{0}};
    assert_int_equal(ct_estimate_write(L, t, 2023, 1700000000, NULL, NULL, &e), 0);
    assert_int_equal(L->ops->begin(L->db, &e), 0);
    int64_t src = tmpledger_source(L, "agent", "agents");
    for (int m = 0; m < nmeas; m++)
        for (int h = 0; h < 3; h++) {
            if (below(r, 4) == 0)
                continue; /* a silent host */
            char host[16], plat[16];
            snprintf(host, sizeof host, "m%d%c", m, 'a' + h);
            snprintf(plat, sizeof plat, "meas%d", m);
            measured_host(r, L, src, host, below(r, 2) ? plat : "");
        }
    measured_host(r, L, src, "stray", ""); /* no platform: unassigned */
    /* a stale estimate on a measured platform: an overlap */
    int64_t est = tmpledger_source(L, "estimate", "estimate:meas0:2023");
    energy(L, est, "meas0", "meas0", "calculated", "cpu", CT_METHOD_CALCULATED,
           ct_days_from_civil(2023, 2, 1) * CT_DAY, ct_days_from_civil(2023, 3, 1) * CT_DAY,
           28 * CT_DAY, 1e9, NAN);
    /* usage rows: two or three partial months, for the usage platform and,
     * as an overlap, for an estimated one */
    int64_t use = tmpledger_source(L, "usage", "usage.csv");
    for (int k = 0; k < 2 + below(r, 2); k++) {
        int64_t a = ct_days_from_civil(2023, 3 + k, 1 + below(r, 10)) * CT_DAY;
        int64_t b = ct_days_from_civil(2023, 4 + k, 1) * CT_DAY;
        energy(L, use, "ci", below(r, 2) ? "aws:us-east-1" : "gcp:europe-west1", "vm/cpu", "cpu",
               CT_METHOD_CALCULATED, a, b, (double)(b - a), 1e5 * (double)(b - a) / 3600, NAN);
        energy(L, use, "calc0", "aws:us-east-1", "vm/cpu", "cpu", CT_METHOD_CALCULATED, a, b,
               (double)(b - a), 1e8, NAN);
    }
    int64_t prov = tmpledger_source(L, "gcp-carbon", "gcp.csv");
    provided(r, L, prov, "gcp", "acct-a", "");
    provided(r, L, prov, "gcp", "acct-b", "");      /* unclaimed: unassigned provided */
    provided(r, L, prov, "aws", "1234", "");        /* the aws platform takes the rest */
    provided(r, L, prov, "aws", "5678", "meas0");   /* provided on a measured platform: overlap */
    assert_int_equal(L->ops->commit(L->db, &e), 0);
}

/* ---- the renderers read back ---- */

static double json_total(const ct_buf *b)
{
    struct json_doc d;
    char err[128];
    assert_int_equal(json_parse(&d, b->p, b->len, 1, err, sizeof err), 0);
    const struct json_val *tot = json_get(d.root, "total");
    assert_non_null(tot);
    const struct json_val *x = json_get(tot, "extrapolated_kgco2e");
    assert_non_null(x);
    double v = x->num, sum = 0;
    const struct json_val *g = json_get(d.root, "groups");
    for (size_t i = 0; i < g->n; i++)
        sum += json_get(&g->kids[i], "extrapolated_kgco2e")->num;
    near(sum, v, "JSON groups add up to the JSON total");
    json_free(&d);
    return v;
}

static double csv_total(const ct_buf *b)
{
    const char *last = strstr(b->p, "\ntotal,");
    assert_non_null(last);
    /* total,,ENERGY,,,,,KG,1,COVERAGE,EXTRAPOLATED,... */
    const char *p = last + 1;
    for (int commas = 0; commas < 10; p++)
        commas += *p == ',';
    return strtod(p, NULL);
}

static double html_slices(const ct_buf *b)
{
    double sum = 0;
    for (const char *s = b->p; (s = strstr(s, "data-kgco2e=\"")); s++)
        sum += strtod(s + 13, NULL);
    return sum;
}

static void check_renderers(const struct ct_report *r)
{
    ct_buf b = {0};
    ct_render_json(r, 1, &b);
    near(json_total(&b), r->extrapolated, "JSON total");
    b.len = 0;
    ct_render_csv(r, &b);
    ct_buf_puts(&b, "");
    near(csv_total(&b), r->extrapolated, "CSV total");
    b.len = 0;
    ct_render_table(r, 0, &b);
    /* the table's total in its own unit: kg, or t from 100 t, or g under 1 kg */
    char want[64];
    double x = r->extrapolated;
    if (x >= 1e5)
        snprintf(want, sizeof want, " %.2f t", x / 1000);
    else if (x >= 1)
        snprintf(want, sizeof want, " %.1f kg", x);
    else
        snprintf(want, sizeof want, " %.1f g", x * 1000);
    const char *tot = strstr(b.p, "\ntotal ");
    assert_non_null(tot);
    const char *eol = strchr(tot + 1, '\n');
    assert_true(strstr(tot, want) && strstr(tot, want) < eol);
    if (r->by == CT_BY_PLATFORM) {
        b.len = 0;
        struct ct_html_opts ho = {.generated = 1704067200};
        ct_render_html(r, &ho, &b);
        near(html_slices(&b), r->extrapolated, "the page's slices add up to the total");
    }
    ct_buf_free(&b);
}

static void one_trial(uint64_t seed)
{
    ct_rng r = {seed};
    char text[8192];
    int nmeas;
    make_team(&r, text, sizeof text, &nmeas);
    struct ct_team t;
    ct_err e = {{0}};
    if (ct_team_load_string(text, "p.ini", &t, &e) < 0)
        fail_msg("team: %s\n%s", e.msg, text);
    struct tmpledger tl;
    tmpledger_open(&tl);
    make_ledger(&r, &tl.L, &t, nmeas);
    int64_t from, to;
    ct_year_bounds(2023, &from, &to);
    struct ct_report base;
    assert_int_equal(ct_report_build(&tl.L, &t, &(struct ct_report_opts){from, to, CT_BY_PLATFORM, 0, 0}, &base, &e), 0);
    assert_true(base.extrapolated > 0 && base.noverlaps >= 3);
    assert_non_null(ct_report_platform(&base, CT_UNASSIGNED));
    assert_non_null(ct_report_platform(&base, CT_UNASSIGNED_PROVIDED));
    assert_int_equal(ct_report_platform(&base, "idle")->nseries, 0); /* listed, no data */
    for (int by = CT_BY_PLATFORM; by <= CT_BY_METHOD; by++) {
        struct ct_report x;
        assert_int_equal(ct_report_build(&tl.L, &t, &(struct ct_report_opts){from, to, by, 0, 0}, &x, &e), 0);
        near(x.extrapolated, base.extrapolated, "the total under every grouping");
        near(x.kgco2e, base.kgco2e, "the observed total under every grouping");
        double sx = 0, sk = 0;
        for (int i = 0; i < x.ngroups; i++) {
            sx += x.groups[i].extrapolated;
            sk += x.groups[i].kgco2e;
        }
        near(sx, x.extrapolated, "the groups add up to the total");
        near(sk, x.kgco2e, "the observed groups add up");
        if (by == CT_BY_MONTH)
            assert_int_equal(x.ngroups, 12);
        double sp = 0;
        for (int i = 0; i < x.nplats; i++) {
            const struct ct_group *p = ct_report_platform(&base, x.plats[i].key);
            assert_non_null(p);
            near(x.plats[i].extrapolated, p->extrapolated, "a platform under every grouping");
            double months = 0;
            for (int m = 0; m < x.nmonths; m++)
                months += ct_report_cell(&x, i, m)->extrapolated;
            near(months, x.plats[i].extrapolated, "a platform's months add up to its year");
            sp += x.plats[i].extrapolated;
        }
        near(sp, x.extrapolated, "the platforms add up to the total");
        if (x.has_interval)
            assert_true(x.lo <= x.hi);
        check_renderers(&x);
        ct_report_free(&x);
    }
    ct_report_free(&base);
    tmpledger_close(&tl);
    ct_team_free(&t);
}

static void test_random_ledgers(void **state)
{
    (void)state;
    for (uint64_t s = 1; s <= TRIALS; s++)
        one_trial(0x9e3779b97f4a7c15ull * s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_random_ledgers)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
