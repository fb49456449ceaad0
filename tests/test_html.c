/* The HTML report: self-contained, every user string escaped, the donut's slices
 * equal to the report's shares, the monthly columns adding up to each platform's
 * extrapolated total, GPU energy split into active and idle per host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config/team.h"
#include "core/sha256.h"
#include "core/timeutil.h"
#include "estimate/calculated.h"
#include "insight/insight.h"
#include "report/render_html.h"
#include "report/sci.h"
#include "report/svg.h"
#include "testutil.h"

#define assert_near(a, b, eps)                                                                 \
    do {                                                                                       \
        double a_ = (a), b_ = (b);                                                             \
        if (!(fabs(a_ - b_) <= (eps) * fmax(1, fabs(b_))))                                     \
            fail_msg("%s = %.17g, wanted %.17g", #a, a_, b_);                                  \
    } while (0)

static const char team_text[] =
    "[team]\nname = <script>alert(\"x\")</script> & co\ncountry = SGP\nyear = 2023\n"
    "[platform <b>gpus</b>]\nmethod = measured\nhosts = h&1\npue = 1.5\n"
    "[platform laptops]\nmethod = calculated\nwatts = 20\ncount = 10\nutilisation = 0.5\n"
    "hours_per_year = 2000\npue = laptop\n";

struct fixture {
    struct ct_team t;
    struct tmpledger tl;
    struct ct_report b;
    ct_buf html;
};

/* h&1 has two GPUs measured on the first day of each week of March and April
 * 2023: 24 h at 200 W, 8 of them idle at under 5 %. */
static void write_gpus(struct ct_ledger_h *L)
{
    ct_err e;
    char sha[65];
    ct_sha256_hex("g", 1, sha);
    struct ct_source_rec s = {"nvidia-smi", "g.csv", sha, 1700000000};
    int64_t id;
    int existed;
    assert_int_equal(L->ops->begin(L->db, &e), 0);
    assert_int_equal(L->ops->add_source(L->db, &s, &id, &existed, &e), 0);
    int64_t d0 = ct_days_from_civil(2023, 3, 1) * CT_DAY, d1 = ct_days_from_civil(2023, 5, 1) * CT_DAY;
    for (int64_t d = d0; d < d1; d += 7 * CT_DAY)
        for (int h = 0; h < 24; h++)
            for (int g = 0; g < 2; g++) {
                int idle = h < 8;
                struct ct_energy_rec r = {"", "h&1", g ? "gpu:1" : "gpu:0", "gpu", CT_METHOD_MEASURED,
                                          d + 3600 * h, d + 3600 * (h + 1), 3600, 200 * 3600.0,
                                          idle ? 200 * 3600.0 : 0, idle ? 3600 : 0, idle ? 0.01 : 0.8, 0};
                assert_int_equal(L->ops->add_energy(L->db, id, &r, &e), 0);
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
    f.b.advice = calloc(1, sizeof *f.b.advice);
    f.b.sci = calloc(1, sizeof *f.b.sci);
    if (!f.b.advice || !f.b.sci)
        return -1;
    ct_advise(&f.b, &f.t, NULL, f.b.advice);
    if (ct_sci_compute(&f.b, &f.t, 100, "model <v2>", f.b.sci, &e) < 0)
        return -1;
    struct ct_html_opts ho = {.generated = 1704067200};
    ct_render_html(&f.b, &ho, &f.html);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    ct_buf_free(&f->html);
    ct_report_free(&f->b);
    tmpledger_close(&f->tl);
    ct_team_free(&f->t);
    return 0;
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static void test_self_contained(void **state)
{
    struct fixture *f = *state;
    const char *p = f->html.p;
    assert_int_equal(strncmp(p, "<!DOCTYPE html>", 15), 0);
    for (const char *bad = "<script\0<link\0src=\0href=\0@import\0url(http\0<iframe\0<img\0";
         *bad; bad += strlen(bad) + 1)
        if (strstr(p, bad))
            fail_msg("the page holds %s", bad);
    assert_non_null(strstr(p, "@page{size:A4"));
    assert_non_null(strstr(p, "@media print"));
    assert_non_null(strstr(p, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"));
    assert_non_null(strstr(p, "&lt;b&gt;gpus&lt;/b&gt;"));
    assert_non_null(strstr(p, "h&amp;1"));
    assert_non_null(strstr(p, "per model &lt;v2&gt;"));
    assert_null(strstr(p, "<b>gpus"));
    assert_non_null(strstr(p, "</html>\n"));
}

static void test_sections(void **state)
{
    struct fixture *f = *state;
    const char *p = f->html.p;
    for (const char *id = "id=\"platforms\"\0id=\"months\"\0id=\"gpus\"\0id=\"findings\"\0"
                          "id=\"advice\"\0id=\"sci\"\0id=\"sources\"\0id=\"scale\"\0";
         *id; id += strlen(id) + 1)
        if (!strstr(p, id))
            fail_msg("no section %s", id);
    assert_non_null(strstr(p, "GPT-3"));
    assert_non_null(strstr(p, "Llama 2"));
    assert_non_null(strstr(p, "idle_gpu"));
    assert_non_null(strstr(p, "Our World in Data"));
    assert_true(count(p, "data-part=\"extrapolated\"") > 0);
    assert_true(count(p, "class=\"rec\"") > 0);
}

/* The slices carry the platforms' extrapolated kgCO2e and shares (the year,
 * not what the ledger holds), and add up to the whole. */
static void test_donut(void **state)
{
    struct fixture *f = *state;
    const char *p = f->html.p;
    double sum = 0;
    int n = 0;
    for (const char *s = p; (s = strstr(s, "data-share=\"")); s++, n++) {
        double share = strtod(s + 12, NULL);
        const char *k = strstr(s - 80 > p ? s - 80 : p, "data-kgco2e=\"");
        assert_non_null(k);
        double kg = strtod(k + 13, NULL);
        const struct ct_group *g = &f->b.plats[n];
        assert_near(share, g->share, 1e-15);
        assert_near(share, g->extrapolated / f->b.extrapolated, 1e-12);
        assert_near(kg, g->extrapolated, 1e-12 * g->extrapolated);
        sum += share;
    }
    assert_int_equal(n, f->b.nplats);
    assert_near(sum, 1, 1e-12);
}

static void test_months_add_up(void **state)
{
    struct fixture *f = *state;
    const struct ct_report *b = &f->b;
    assert_int_equal(b->nmonths, 12);
    for (int g = 0; g < b->nplats; g++) {
        double kg = 0, all = 0;
        for (int m = 0; m < b->nmonths; m++) {
            kg += ct_report_cell(b, g, m)->kg;
            all += ct_report_cell(b, g, m)->extrapolated;
        }
        assert_near(kg, b->plats[g].kgco2e, 1e-12 * kg);
        assert_near(all, b->plats[g].extrapolated, 1e-12 * all);
        if (strcmp(b->plats[g].key, "laptops") == 0)
            assert_near(all, kg, 1e-12 * kg); /* calculated: fully covered, nothing extrapolated */
        else /* measured in March and April only: January is all extrapolated */
            assert_true(ct_report_cell(b, g, 0)->kg == 0 && ct_report_cell(b, g, 0)->extrapolated > 0);
    }
}

static void test_gpus(void **state)
{
    struct fixture *f = *state;
    const struct ct_report *b = &f->b;
    int days = 0;
    for (int64_t d = ct_days_from_civil(2023, 3, 1); d < ct_days_from_civil(2023, 5, 1); d += 7)
        days++;
    assert_int_equal(b->ngpus, 2);
    for (int i = 0; i < 2; i++) {
        assert_string_equal(b->gpus[i].host, "h&1");
        assert_string_equal(b->gpus[i].platform, "<b>gpus</b>");
        assert_near(b->gpus[i].kwh, days * 24 * 0.2, 1e-12);
        assert_near(b->gpus[i].idle_kwh, days * 8 * 0.2, 1e-12);
        assert_near(b->gpus[i].idle_s, days * 8 * 3600.0, 1e-12);
        assert_near(b->gpus[i].idle_kg, b->gpus[i].kg / 3, 1e-12);
    }
    assert_non_null(strstr(f->html.p, "h&amp;1 (2 GPUs)"));
    assert_int_equal(b->plats[0].gpu_kwh > 0 || b->plats[1].gpu_kwh > 0, 1);
}

static void test_svg_helpers(void **state)
{
    (void)state;
    assert_near(ct_svg_nice(730), 1000, 0);
    assert_near(ct_svg_nice(0.3), 0.5, 1e-15);
    assert_near(ct_svg_nice(2.2), 2.5, 1e-15);
    assert_near(ct_svg_nice(1), 1, 0);
    char s[32];
    ct_svg_num(s, sizeof s, 1234.5);
    assert_string_equal(s, "1234");
    ct_svg_num(s, sizeof s, 0.01234);
    assert_string_equal(s, "0.0123");
    /* One platform: a whole ring, still one slice with its share. */
    struct ct_svg_item it = {"only", 5, 1, "#000"};
    ct_buf b = {0};
    ct_svg_donut(&b, &it, 1, "kgCO2e");
    assert_int_equal(count(b.p, "class=\"slice\""), 1);
    assert_non_null(strstr(b.p, "data-share=\"1\""));
    assert_non_null(strstr(b.p, "evenodd"));
    ct_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_contained),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_donut),
        cmocka_unit_test(test_months_add_up),
        cmocka_unit_test(test_gpus),
        cmocka_unit_test(test_svg_helpers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
