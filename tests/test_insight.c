/* Findings and the playbook: idle GPUs, low utilisation and cleaner regions
 * against figures computed here by hand; every playbook measure made to apply and
 * made not to apply, condition by condition; the ranking.
 * SGP 2023 = 500.87228 gCO2/kWh (OWID/Ember, as test_report.c uses). */
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
#include "insight/insight.h"
#include "testutil.h"

#define SGP_2023 0.50087228
/* cmocka compares floats; this keeps doubles (relative above 1, absolute below). */
#define assert_near(a, b, eps)                                                                 \
    do {                                                                                       \
        double a_ = (a), b_ = (b);                                                             \
        if (!(fabs(a_ - b_) <= (eps) * fmax(1, fabs(b_))))                                     \
            fail_msg("%s = %.17g, wanted %.17g", #a, a_, b_);                                  \
    } while (0)

static const char team_text[] =
    "[team]\nname = T\ncountry = SGP\nyear = 2023\n"
    "[platform gpus]\nmethod = measured\nhosts = gpu-01, gpu-02\npue = 1.5\n"
    "[platform devbox]\nmethod = calculated\nwatts = 200\nutilisation = 0.2\n"
    "hours_per_year = 8760\npue = 1.2\n"
    "[platform busy]\nmethod = calculated\nwatts = 100\nutilisation = 0.5\n"
    "hours_per_year = 8760\npue = 1.2\n"
    "[platform cloudy]\nmethod = calculated\nlocation = aws:ap-southeast-1\nwatts = 100\n"
    "utilisation = 0.5\nhours_per_year = 1000\n";

struct fixture {
    struct ct_team t;
    struct tmpledger tl;
    struct ct_report b;
    struct ct_advice a;
};

static void add(struct ct_ledger_h *L, int64_t src, const char *host, const char *dev,
                const char *comp, int64_t t0, double watts, double util, int idle)
{
    ct_err e;
    struct ct_energy_rec r = {"", host, dev, comp, CT_METHOD_MEASURED, t0, t0 + 3600, 3600,
                              watts * 3600, idle ? watts * 3600 : 0, idle ? 3600 : 0, util, 0};
    assert_int_equal(L->ops->add_energy(L->db, src, &r, &e), 0);
}

/* On 2023-03-01, ten hours: gpu-01's gpu:A busy for 4 h at 300 W, then idle for 6 h
 * at 60 W; gpu:B busy at 300 W; a CPU with no utilisation; gpu-02's one GPU at
 * 10 % utilisation, 100 W, never under the idle threshold. */
static void write_gpus(struct ct_ledger_h *L)
{
    ct_err e;
    char sha[65];
    ct_sha256_hex("gpus", 4, sha);
    struct ct_source_rec s = {"agent", "gpus", sha, 1700000000};
    int64_t id;
    int existed;
    assert_int_equal(L->ops->begin(L->db, &e), 0);
    assert_int_equal(L->ops->add_source(L->db, &s, &id, &existed, &e), 0);
    int64_t t0 = ct_days_from_civil(2023, 3, 1) * CT_DAY;
    for (int h = 0; h < 10; h++) {
        int64_t t = t0 + 3600 * h;
        add(L, id, "gpu-01", "gpu:A", "gpu", t, h < 4 ? 300 : 60, h < 4 ? 0.9 : 0.01, h >= 4);
        add(L, id, "gpu-01", "gpu:B", "gpu", t, 300, 0.9, 0);
        add(L, id, "gpu-01", "cpu0", "cpu", t, 50, NAN, 0);
        add(L, id, "gpu-02", "gpu:C", "gpu", t, 100, 0.1, 0);
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
    write_gpus(&f.tl.L);
    int64_t from, to;
    ct_year_bounds(2023, &from, &to);
    struct ct_report_opts o = {.from = from, .to = to, .by = CT_BY_PLATFORM};
    if (ct_report_build(&f.tl.L, &f.t, &o, &f.b, &e) < 0) {
        fprintf(stderr, "%s\n", e.msg);
        return -1;
    }
    ct_advise(&f.b, &f.t, NULL, &f.a);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    ct_advice_free(&f->a);
    ct_report_free(&f->b);
    tmpledger_close(&f->tl);
    ct_team_free(&f->t);
    return 0;
}

static const struct ct_finding *find(const struct ct_advice *a, int kind, const char *who)
{
    for (int i = 0; i < a->nf; i++)
        if (a->f[i].kind == kind && (strcmp(a->f[i].platform, who) == 0 ||
                                     strcmp(a->f[i].host, who) == 0 || strcmp(a->f[i].device, who) == 0))
            return &a->f[i];
    return NULL;
}

static void test_idle_gpu(void **state)
{
    struct fixture *f = *state;
    const struct ct_finding *g = find(&f->a, CT_FIND_IDLE_GPU, "gpu:A");
    assert_non_null(g);
    assert_string_equal(g->host, "gpu-01");
    assert_string_equal(g->platform, "gpus");
    /* 6 h at 60 W idle; 10 h covered of the year's 8760 h: x 876 a year. */
    assert_near(g->hours, 6, 1e-9);
    assert_near(g->kwh, 6 * 60 / 1000.0, 1e-12);
    assert_near(g->hours_per_year, 6 * 876.0, 1e-6);
    assert_near(g->kwh_per_year, 0.36 * 876, 1e-9);
    assert_near(g->kgco2e_per_year, 0.36 * 876 * 1.5 * SGP_2023, 1e-9);
    assert_non_null(strstr(g->evidence, "6.0 h of 10.0 h"));
    /* Busy GPUs, the CPU and the never-idle GPU are not idle findings. */
    assert_null(find(&f->a, CT_FIND_IDLE_GPU, "gpu:B"));
    assert_null(find(&f->a, CT_FIND_IDLE_GPU, "gpu:C"));
    assert_null(find(&f->a, CT_FIND_IDLE_GPU, "cpu0"));
}

static void test_low_util(void **state)
{
    struct fixture *f = *state;
    /* Team file: devbox at 0.2 is low, busy at 0.5 is not. */
    const struct ct_finding *d = find(&f->a, CT_FIND_LOW_UTIL, "devbox");
    assert_non_null(d);
    assert_near(d->util, 0.2, 1e-12);
    /* 200 W x 0.2 x 8760 h x PUE 1.2 x SGP. */
    assert_near(d->kgco2e_per_year, 40 * 8.76 * 1.2 * SGP_2023, 1e-6);
    assert_null(find(&f->a, CT_FIND_LOW_UTIL, "busy"));
    /* Ledger: gpu-02 at 10 % is low; gpu-01 is (0.9 x 4 + 0.01 x 6 + 0.9 x 10) / 20 =
     * 0.633 over its GPUs (the CPU reports no utilisation and is left out). */
    const struct ct_finding *h = find(&f->a, CT_FIND_LOW_UTIL, "gpu-02");
    assert_non_null(h);
    assert_near(h->util, 0.1, 1e-12);
    assert_near(h->kwh, 1.0, 1e-12);
    assert_near(h->kgco2e_per_year, 876 * 1.5 * SGP_2023, 1e-9);
    assert_null(find(&f->a, CT_FIND_LOW_UTIL, "gpu-01"));
    for (int i = 0; i < f->b.nhosts; i++)
        if (strcmp(f->b.hosts[i].host, "gpu-01") == 0) {
            assert_near(f->b.hosts[i].util_s / f->b.hosts[i].util_cov_s, 12.66 / 20, 1e-12);
            assert_int_equal(f->b.hosts[i].ndevices, 3);
        }
}

static void test_shares_first(void **state)
{
    struct fixture *f = *state;
    int last_share = -1;
    for (int i = 0; i < f->a.nf; i++)
        if (f->a.f[i].kind == CT_FIND_SHARE)
            last_share = i;
    int with_data = 0;
    for (int i = 0; i < f->b.nplats; i++)
        with_data += f->b.plats[i].nseries > 0;
    assert_int_equal(last_share, with_data - 1);
    for (int i = 1; i <= last_share; i++)
        assert_true(f->a.f[i - 1].kgco2e_per_year >= f->a.f[i].kgco2e_per_year);
    /* By the yearly (extrapolated) figure: gpus, 10 h measured, is the biggest lever. */
    assert_string_equal(f->a.f[0].platform, "gpus");
    for (int i = 0; i < f->b.nplats; i++)
        if (strcmp(f->b.plats[i].key, "gpus") == 0) {
            assert_near(f->a.f[0].share, f->b.plats[i].share, 1e-15);
            assert_near(f->a.f[0].kgco2e_per_year, f->b.plats[i].extrapolated, 1e-12);
        }
}

static void test_cleaner_region(void **state)
{
    struct fixture *f = *state;
    const struct ct_finding *r = find(&f->a, CT_FIND_REGION, "cloudy");
    assert_non_null(r);
    assert_string_equal(r->region, "aws:ap-southeast-1");
    assert_string_equal(r->cleaner, "aws:eu-north-1");
    assert_near(r->ratio, 8 / 408.5, 1e-12); /* CCF's g/kWh for the two */
    assert_null(find(&f->a, CT_FIND_REGION, "busy"));  /* not in the cloud */
    struct ct_finding x = {0};
    assert_int_equal(ct_find_cleaner_region("aws:eu-north-1", 2023, 0.5, &x), 0); /* the cleanest */
    assert_int_equal(ct_find_cleaner_region("SGP", 2023, 0.5, &x), 0);            /* no provider */
    assert_int_equal(ct_find_cleaner_region("aws:eu-west-3", 2023, 0.01, &x), 0);  /* not much cleaner */
    /* Same area first: from Frankfurt, a European region of Google Cloud. */
    assert_int_equal(ct_find_cleaner_region("gcp:europe-west3", 2023, 0.5, &x), 1);
    assert_memory_equal(x.cleaner, "gcp:europe-", 11);
    assert_non_null(strstr(x.evidence, "same area"));
    /* Azure names carry no area: the cleanest anywhere; government regions never. */
    assert_int_equal(ct_find_cleaner_region("azure:westeurope", 2023, 0.5, &x), 1);
    assert_string_equal(x.cleaner, "azure:swedencentral");
    assert_int_equal(ct_find_cleaner_region("aws:us-east-1", 2023, 0.99, &x), 1);
    assert_null(strstr(x.cleaner, "gov"));
}

/* ------------------------------------------------------------ the playbook */

/* A finding that meets every condition of m. */
static struct ct_finding meeting(const struct ct_measure *m)
{
    struct ct_finding f = {.kind = m->applies, .share = 0.5, .gpu_share = 0.5, .util = 0.1,
                           .ratio = 0.1, .kgco2e_per_year = 1000, .method = CT_METHOD_MEASURED};
    f.gpu_share = m->gpu == 0 ? 0 : 0.5;
    f.cloud = m->cloud == 1;
    for (int k = 0; m->methods && !(m->methods & (1 << f.method)); k++)
        f.method = k;
    double cap = m->max_util < 1.5 ? m->max_util : 1;
    if (m->rule == CT_RULE_UTIL && m->a < cap)
        cap = m->a;
    f.util = cap / 2;
    /* The first kind the measure allows and does not exclude. */
    f.platform_kind = CT_KIND_OTHER;
    for (int k = 0; k < CT_KIND_COUNT; k++)
        if ((!m->kinds_any || (m->kinds_any & (1 << k))) && !(m->kinds_none & (1 << k))) {
            f.platform_kind = k;
            break;
        }
    snprintf(f.platform, sizeof f.platform, "plat");
    return f;
}

/* The saving, computed here from the rule's definition in playbook.h. */
static double expected(const struct ct_measure *m, const struct ct_finding *f)
{
    switch (m->rule) {
    case CT_RULE_FRACTION: return m->a * f->kgco2e_per_year;
    case CT_RULE_GPU_FRACTION: return m->a * f->kgco2e_per_year * f->gpu_share;
    case CT_RULE_REGION: return m->a * f->kgco2e_per_year * (1 - f->ratio);
    default: return m->b * f->kgco2e_per_year * (1 - f->util / m->a);
    }
}

static void check_not(const struct ct_measure *m, struct ct_finding f, const char *why)
{
    if (ct_measure_matches(m, &f) && ct_measure_saving(m, &f) > 0)
        fail_msg("%s applies although %s", m->id, why);
}

/* Each condition of m broken alone. */
static int break_each(const struct ct_measure *m)
{
    int n = 0;
    struct ct_finding f = meeting(m);
    f.kind = (m->applies + 1) % CT_FIND_KINDS, n++;
    check_not(m, f, "the finding is of another kind");
    if (m->gpu >= 0) {
        f = meeting(m), f.gpu_share = m->gpu ? 0 : 0.5, n++;
        check_not(m, f, "gpu");
    }
    if (m->cloud >= 0) {
        f = meeting(m), f.cloud = !m->cloud, n++;
        check_not(m, f, "cloud");
    }
    if (m->methods) {
        f = meeting(m), n++;
        for (int k = 0; k < 3 && (m->methods & (1 << f.method)); k++)
            f.method = k;
        check_not(m, f, "method");
    }
    if (m->min_share > 0) {
        f = meeting(m), f.share = m->min_share / 2, n++;
        check_not(m, f, "share");
    }
    if (m->max_util < 1.5) {
        f = meeting(m), f.util = m->max_util + 0.01, n++;
        check_not(m, f, "util");
    }
    for (int k = 0; k < CT_KIND_COUNT; k++) { /* every kind it excludes or does not list */
        if (!((m->kinds_any && !(m->kinds_any & (1 << k))) || (m->kinds_none & (1 << k))))
            continue;
        f = meeting(m), f.platform_kind = k, n++;
        check_not(m, f, "the platform's kind");
    }
    /* Names never matter: the same finding under any name gets the same answer. */
    f = meeting(m);
    snprintf(f.platform, sizeof f.platform, "laptops-ci-macbooks");
    assert_int_equal(ct_measure_matches(m, &f), 1);
    if (m->rule == CT_RULE_UTIL) {
        f = meeting(m), f.util = m->a, n++;
        check_not(m, f, "utilisation already at the target");
    }
    if (m->rule == CT_RULE_GPU_FRACTION && m->gpu != 1) {
        f = meeting(m), f.gpu_share = 0, n++;
        check_not(m, f, "no GPU energy to save");
    }
    if (m->rule == CT_RULE_REGION) {
        f = meeting(m), f.ratio = 1, n++;
        check_not(m, f, "the region is not cleaner");
    }
    return n;
}

static void test_every_measure(void **state)
{
    (void)state;
    int themes[6] = {0};
    static const char *names[] = {"models", "applications", "servers", "storage", "transfer", "templates"};
    assert_true(ct_playbook_n >= 30);
    for (int i = 0; i < ct_playbook_n; i++) {
        const struct ct_measure *m = &ct_playbook[i];
        struct ct_finding f = meeting(m);
        if (!ct_measure_matches(m, &f))
            fail_msg("%s does not apply to a finding that meets its conditions", m->id);
        assert_near(ct_measure_saving(m, &f), expected(m, &f), 1e-9);
        assert_true(ct_measure_saving(m, &f) > 0);
        assert_true(break_each(m) >= 1);
        for (int k = 0; k < 6; k++)
            themes[k] += strcmp(m->theme, names[k]) == 0;
    }
    for (int k = 0; k < 6; k++)
        assert_true(themes[k] >= 3);
}

static const struct ct_measure *measure(const char *id)
{
    for (int i = 0; i < ct_playbook_n; i++)
        if (strcmp(ct_playbook[i].id, id) == 0)
            return &ct_playbook[i];
    fail_msg("no measure %s", id);
    return NULL;
}

static const struct ct_recommendation *rec(const struct ct_advice *a, const char *id)
{
    for (int i = 0; i < a->nrec; i++)
        if (strcmp(a->rec[i].m->id, id) == 0)
            return &a->rec[i];
    return NULL;
}

static void test_recommendations(void **state)
{
    struct fixture *f = *state;
    const struct ct_finding *g = find(&f->a, CT_FIND_IDLE_GPU, "gpu:A");
    const struct ct_recommendation *r = rec(&f->a, "servers-shutdown-idle-gpus");
    assert_non_null(r);
    assert_near(r->saving, measure("servers-shutdown-idle-gpus")->a * g->kgco2e_per_year, 1e-9);
    assert_int_equal(r->nfindings, 1);
    /* A sentence about the GPU, never the measure's rule syntax. */
    assert_int_equal(strncmp(r->because, "gpu-01's gpu:A idle ", 20), 0);
    assert_non_null(strstr(r->because, " % of the time"));
    assert_null(strstr(r->because, "when"));
    assert_null(strstr(r->because, "idle_gpu"));
    /* The cleaner region: all of cloudy's kgCO2e times (1 - 8 / 408.5). */
    const struct ct_finding *c = find(&f->a, CT_FIND_REGION, "cloudy");
    r = rec(&f->a, "servers-cleaner-region");
    assert_non_null(r);
    assert_near(r->saving, c->kgco2e_per_year * (1 - 8 / 408.5), 1e-9);
    /* No CI platform here: no CI measure. */
    assert_null(rec(&f->a, "templates-ci"));
    /* Quick wins first, then saving over effort. */
    int i = 0;
    while (i < f->a.nrec && f->a.rec[i].quadrant == CT_Q_QUICK_WIN)
        i++;
    assert_true(i > 0);
    for (int k = i; k < f->a.nrec; k++) {
        assert_int_not_equal(f->a.rec[k].quadrant, CT_Q_QUICK_WIN);
        if (k > i)
            assert_true(f->a.rec[k - 1].saving / f->a.rec[k - 1].m->effort >=
                        f->a.rec[k].saving / f->a.rec[k].m->effort);
    }
    for (int k = 0; k < f->a.nrec; k++) {
        int high = f->a.rec[k].saving >= f->a.impact_kg, low = f->a.rec[k].m->effort == CT_EFFORT_LOW;
        assert_int_equal(f->a.rec[k].quadrant, high ? (low ? CT_Q_QUICK_WIN : CT_Q_MAJOR)
                                                   : (low ? CT_Q_FILL_IN : CT_Q_THANKLESS));
    }
}

static void test_render(void **state)
{
    struct fixture *f = *state;
    ct_buf j = {0}, t = {0}, s = {0};
    ct_advice_json(&f->a, &j);
    for (const char *k = "\"kind\": \"idle_gpu\"\0\"host\": \"gpu-01\"\0\"device\": \"gpu:A\"\0"
                         "\"hours\": 6\0\"kwh\": 0.36\0\"kgco2e_per_year\"\0\"evidence\"\0"
                         "\"id\": \"servers-shutdown-idle-gpus\"\0\"theme\": \"servers\"\0"
                         "\"effort\": \"low\"\0\"applies_because\"\0\"saving_kgco2e_per_year\"\0";
         *k; k += strlen(k) + 1)
        if (!strstr(j.p, k))
            fail_msg("no %s in the JSON", k);
    ct_advice_text(&f->a, &t);
    assert_non_null(strstr(t.p, "Impact x effort"));
    assert_non_null(strstr(t.p, "  1. "));
    ct_quadrant_svg(&f->a, &s);
    int points = 0;
    for (const char *p = s.p; (p = strstr(p, "class=\"rec\"")); p++)
        points++;
    assert_int_equal(points, f->a.nrec);
    ct_buf_free(&j);
    ct_buf_free(&t);
    ct_buf_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_gpu),
        cmocka_unit_test(test_low_util),
        cmocka_unit_test(test_shares_first),
        cmocka_unit_test(test_cleaner_region),
        cmocka_unit_test(test_every_measure),
        cmocka_unit_test(test_recommendations),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
