/* The nvidia-smi parsers: energies worked out by hand, the rules for gaps,
 * single readings and bad lines, and sniffing on every fixture. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "formats/nvidia_smi_int.h"

#define T0 1696165200.0 /* 2023-10-01T13:00:00Z */

/* cmocka's assert_float_equal works in float: useless at 1.7e9 seconds. */
#define assert_near(a, b, eps) near_((a), (b), (eps), #a, __LINE__)
static void near_(double a, double b, double eps, const char *what, int line)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("line %d: %s = %.17g, wanted %.17g", line, what, a, b);
}

struct got {
    struct ct_reading r[64];
    char dev[64][72];
    int n;
};

static int keep(void *ud, const struct ct_reading *r, ct_err *e)
{
    (void)e;
    struct got *g = ud;
    if (g->n == 64)
        return 0;
    g->r[g->n] = *r;
    snprintf(g->dev[g->n], sizeof g->dev[0], "%s", r->device);
    g->r[g->n].device = g->dev[g->n];
    g->r[g->n].model = NULL;
    g->n++;
    return 0;
}

/* Parses s as format fmt; returns the parser's result, readings in g, error in e. */
static int run(const char *fmt, const char *s, double start, double interval, double gap,
               int skip_bad, long *skipped, struct got *g, ct_err *e)
{
    const struct ct_format_ops *f = ct_format_find(fmt);
    assert_non_null(f);
    struct ct_input *in;
    assert_int_equal(ct_input_memopen(s, strlen(s), "t.log", &in, e), 0);
    struct ct_parse_opts o = {.start = start, .interval = interval, .max_gap = gap,
                              .skip_bad = skip_bad, .skipped = skipped};
    struct ct_reading_sink sink = {.emit = keep, .ud = g};
    g->n = 0;
    e->msg[0] = '\0';
    int rc = f->parse(in, &o, &sink, e);
    ct_input_close(in);
    return rc;
}

static double total(const struct got *g, const char *dev)
{
    double j = 0;
    for (int i = 0; i < g->n; i++)
        if (!dev || strcmp(g->r[i].device, dev) == 0)
            j += g->r[i].joules;
    return j;
}

static void test_trapezoid(void **state)
{
    (void)state;
    struct got g;
    ct_err e;
    const char *s = "timestamp, index, power.draw [W], utilization.gpu [%]\n"
                    "2023/10/01 13:00:00.000, 0, 100.00 W, 0 %\n"
                    "2023/10/01 13:00:01.000, 0, 200.00 W, 10 %\n"
                    "2023/10/01 13:00:03.000, 0, 300.00 W, 100 %\n";
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 0, NULL, &g, &e), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.r[0].device, "gpu:0");
    assert_string_equal(g.r[0].component, "gpu");
    assert_near(g.r[0].t0, T0, 1e-6);
    assert_near(g.r[0].t1, T0 + 1, 1e-6);
    assert_near(g.r[0].joules, 150, 1e-9);        /* (100 + 200) / 2 x 1 s */
    assert_near(g.r[0].util, 0.05, 1e-12);
    assert_near(g.r[1].joules, 500, 1e-9);        /* (200 + 300) / 2 x 2 s */
    assert_near(g.r[1].util, 0.55, 1e-12);
    assert_int_equal(g.r[1].line, 4);
}

static void test_columns(void **state)
{
    (void)state;
    struct got g;
    ct_err e;
    /* nounits, reordered, uuid wins over index, average over draw over instant */
    const char *s = "power.draw.instant, uuid, power.draw.average, index, timestamp, power.draw\n"
                    "1, GPU-aa, 10, 0, 2023/10/01 13:00:00, 5\n"
                    "1, GPU-aa, 30, 0, 2023/10/01 13:00:02, 5\n";
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 0, NULL, &g, &e), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.r[0].device, "gpu:GPU-aa");
    assert_near(g.r[0].joules, 40, 1e-9);
    assert_true(isnan(g.r[0].util));
    /* With units in the header a bare number is a truncated or bad value. */
    s = "timestamp, index, power.draw [W]\n2023/10/01 13:00:00, 0, 100\n";
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 0, NULL, &g, &e), -1);
    assert_non_null(strstr(e.msg, "t.log:2: expected a power draw such as '250.00 W', got '100'"));
}

static void test_untimed(void **state)
{
    (void)state;
    struct got g;
    ct_err e;
    const char *s = "index, power.draw [W]\n0, 100 W\n1, 50 W\n0, 300 W\n1, 50 W\n";
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 0, NULL, &g, &e), -1);
    assert_non_null(strstr(e.msg, "t.log:2: the log has no timestamps: pass --start"));
    assert_non_null(strstr(e.msg, "--interval"));
    assert_int_equal(run("nvidia-smi", s, T0, 2, NAN, 0, NULL, &g, &e), 0);
    assert_int_equal(g.n, 2);
    assert_near(total(&g, "gpu:0"), 400, 1e-9);   /* (100 + 300) / 2 x 2 s */
    assert_near(total(&g, "gpu:1"), 100, 1e-9);
    assert_near(g.r[1].t1, T0 + 2, 1e-9);
    /* No id column: GPUs by their place, a sample ends when the first name returns. */
    s = "name, power.draw [W]\nA100, 100 W\nT4, 10 W\nA100, 100 W\nT4, 30 W\n";
    assert_int_equal(run("nvidia-smi", s, T0, 1, NAN, 0, NULL, &g, &e), 0);
    assert_near(total(&g, "gpu:1"), 20, 1e-9);
}

static void test_single(void **state)
{
    (void)state;
    struct got g;
    ct_err e;
    const char *s = "timestamp, index, power.draw [W]\n2023/10/01 13:00:00, 0, 120 W\n";
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 0, NULL, &g, &e), -1);
    assert_non_null(strstr(e.msg, "single reading (120 W)"));
    assert_non_null(strstr(e.msg, "pass --interval S"));
    assert_int_equal(run("nvidia-smi", s, NAN, 10, NAN, 0, NULL, &g, &e), 0);
    assert_int_equal(g.n, 1);
    assert_near(g.r[0].joules, 1200, 1e-9);       /* 120 W x 10 s */
    assert_near(g.r[0].t1 - g.r[0].t0, 10, 1e-9);
}

static void test_gaps(void **state)
{
    (void)state;
    struct got g;
    ct_err e;
    /* 1 s steps, then 100 s away: not bridged (5 x 1 s); the lone sample after the
     * gap counts for one step. */
    const char *s = "timestamp, index, power.draw [W]\n"
                    "2023/10/01 13:00:00, 0, 100 W\n2023/10/01 13:00:01, 0, 100 W\n"
                    "2023/10/01 13:01:41, 0, 50 W\n";
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 0, NULL, &g, &e), 0);
    assert_int_equal(g.n, 2);
    assert_near(total(&g, NULL), 100 + 50, 1e-9);
    /* --max-gap 200 bridges it. */
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, 200, 0, NULL, &g, &e), 0);
    assert_near(total(&g, NULL), 100 + 75 * 100, 1e-9);
    /* [N/A] is no sample: its neighbours are bridged. */
    s = "timestamp, index, power.draw [W], utilization.gpu [%]\n"
        "2023/10/01 13:00:00, 0, 100 W, [Not Supported]\n2023/10/01 13:00:01, 0, [N/A], 1 %\n"
        "2023/10/01 13:00:02, 0, 300 W, [N/A]\n";
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 0, NULL, &g, &e), 0);
    assert_int_equal(g.n, 1);
    assert_near(g.r[0].joules, 400, 1e-9);
    assert_true(isnan(g.r[0].util));
}

/* Issue 15: options with a fixed "now" and the gap counters. */
static int run_now(const char *s, double now, double interval, int skip_bad, long *skipped,
                   long *gaps, double *gap_s, struct got *g, ct_err *e)
{
    struct ct_input *in;
    assert_int_equal(ct_input_memopen(s, strlen(s), "t.log", &in, e), 0);
    struct ct_parse_opts o = {.start = NAN, .interval = interval, .max_gap = NAN,
                              .skip_bad = skip_bad, .skipped = skipped, .now = now,
                              .gaps = gaps, .gap_seconds = gap_s};
    struct ct_reading_sink sink = {.emit = keep, .ud = g};
    g->n = 0;
    e->msg[0] = '\0';
    int rc = ct_format_find("nvidia-smi")->parse(in, &o, &sink, e);
    ct_input_close(in);
    return rc;
}

/* A gap is never bridged, first, last or in between. Before the fix a first
 * sample a year early was bridged (2635 kWh from a 3-second log). Each case
 * holds four seconds' worth of 100 W by hand: 400 J. */
static void test_gap_first_last_middle(void **state)
{
    (void)state;
    struct got g;
    ct_err e;
    long gaps;
    double gap_s;
    const double now = T0 + 400 * 86400.0;
    const char *hdr = "timestamp, index, power.draw [W]\n";
    char s[1024];
    /* First: the lone sample a year early counts for one step (1 s, learnt
     * from the pairs after it), then three 1-s pairs: 100 + 3 x 100 J. */
    snprintf(s, sizeof s, "%s2022/10/01 13:00:00, 0, 100 W\n2023/10/01 13:00:00, 0, 100 W\n"
             "2023/10/01 13:00:01, 0, 100 W\n2023/10/01 13:00:02, 0, 100 W\n"
             "2023/10/01 13:00:03, 0, 100 W\n", hdr);
    gaps = 0, gap_s = 0;
    assert_int_equal(run_now(s, now, NAN, 0, NULL, &gaps, &gap_s, &g, &e), 0);
    assert_near(total(&g, NULL), 400, 1e-9);
    assert_int_equal(g.n, 4);
    assert_near(g.r[0].t0, T0 - 365 * 86400.0, 1e-6); /* 2022-10-01 .. 2023-10-01: 365 days */
    assert_near(g.r[0].t1 - g.r[0].t0, 1, 1e-6);
    assert_int_equal(gaps, 1);
    assert_near(gap_s, 365 * 86400.0, 1e-6);
    /* Last: three pairs, then a lone sample a year on (2024 is a leap year). */
    snprintf(s, sizeof s, "%s2023/10/01 13:00:00, 0, 100 W\n2023/10/01 13:00:01, 0, 100 W\n"
             "2023/10/01 13:00:02, 0, 100 W\n2023/10/01 13:00:03, 0, 100 W\n"
             "2024/10/01 13:00:03, 0, 100 W\n", hdr);
    gaps = 0, gap_s = 0;
    assert_int_equal(run_now(s, now, NAN, 0, NULL, &gaps, &gap_s, &g, &e), 0);
    assert_near(total(&g, NULL), 400, 1e-9);
    assert_int_equal(gaps, 1);
    assert_near(gap_s, 366 * 86400.0, 1e-6);
    /* Middle: two pairs, the gap, two pairs. */
    snprintf(s, sizeof s, "%s2023/10/01 13:00:00, 0, 100 W\n2023/10/01 13:00:01, 0, 100 W\n"
             "2023/10/01 13:00:02, 0, 100 W\n2024/10/01 13:00:00, 0, 100 W\n"
             "2024/10/01 13:00:01, 0, 100 W\n2024/10/01 13:00:02, 0, 100 W\n", hdr);
    gaps = 0, gap_s = 0;
    assert_int_equal(run_now(s, now, NAN, 0, NULL, &gaps, &gap_s, &g, &e), 0);
    assert_near(total(&g, NULL), 400, 1e-9);
    assert_int_equal(gaps, 1);
    assert_near(gap_s, 366 * 86400.0 - 2, 1e-6);
    /* Two GPUs sampled together: one gap, not two; 2 GPUs x 4 s x 100 W. */
    snprintf(s, sizeof s, "%s2022/10/01 13:00:00, 0, 100 W\n2022/10/01 13:00:00, 1, 100 W\n"
             "2023/10/01 13:00:00, 0, 100 W\n2023/10/01 13:00:00, 1, 100 W\n"
             "2023/10/01 13:00:01, 0, 100 W\n2023/10/01 13:00:01, 1, 100 W\n"
             "2023/10/01 13:00:02, 0, 100 W\n2023/10/01 13:00:02, 1, 100 W\n"
             "2023/10/01 13:00:03, 0, 100 W\n2023/10/01 13:00:03, 1, 100 W\n", hdr);
    gaps = 0, gap_s = 0;
    assert_int_equal(run_now(s, now, NAN, 0, NULL, &gaps, &gap_s, &g, &e), 0);
    assert_near(total(&g, NULL), 800, 1e-9);
    assert_int_equal(gaps, 1);
    /* Samples 10 minutes apart and no --interval: no step is ever learnt, so
     * the lone samples cannot be counted, and the error says what to pass. */
    snprintf(s, sizeof s, "%s2023/10/01 13:00:00, 0, 100 W\n2023/10/01 13:10:00, 0, 100 W\n"
             "2023/10/01 13:20:00, 0, 100 W\n", hdr);
    assert_int_equal(run_now(s, now, NAN, 0, NULL, NULL, NULL, &g, &e), -1);
    assert_non_null(strstr(e.msg, "pass --interval S"));
    /* With --interval 600 the limit is 5 x 600 s: bridged, 100 W x 1200 s. */
    assert_int_equal(run_now(s, now, 600, 0, NULL, NULL, NULL, &g, &e), 0);
    assert_near(total(&g, NULL), 120000, 1e-6);
}

/* Times outside 1990 .. now + 1 day and power above 5 kW are bad lines. */
static void test_bounds(void **state)
{
    (void)state;
    struct got g;
    ct_err e;
    long skipped = 0;
    const char *s = "timestamp, index, power.draw [W]\n2023/10/01 13:00:00, 0, 100 W\n"
                    "2023/10/01 13:00:01, 0, 100 W\n2099/10/01 13:00:02, 0, 100 W\n"
                    "2023/10/01 13:00:02, 0, 100 W\n";
    assert_int_equal(run_now(s, T0 + 3600, NAN, 0, &skipped, NULL, NULL, &g, &e), -1);
    assert_string_equal(e.msg, "t.log:4: the time is more than a day ahead of now");
    /* --skip-bad: the far-future sample is dropped, the rest are bridged as if
     * it had never been there (100 W x 2 s). */
    assert_int_equal(run_now(s, T0 + 3600, NAN, 1, &skipped, NULL, NULL, &g, &e), 0);
    assert_int_equal(skipped, 1);
    assert_near(total(&g, NULL), 200, 1e-9);
    /* Up to a day ahead of now is fine (a log in local time read as UTC). */
    s = "timestamp, index, power.draw [W]\n2023/10/02 13:59:59, 0, 100 W\n"
        "2023/10/02 14:00:00, 0, 100 W\n";
    assert_int_equal(run_now(s, T0 + 3600, NAN, 0, NULL, NULL, NULL, &g, &e), 0);
    assert_near(total(&g, NULL), 100, 1e-9);
    assert_int_equal(run_now(s, T0 + 3599, NAN, 0, NULL, NULL, NULL, &g, &e), -1);
    s = "timestamp, index, power.draw [W]\n1989/12/31 23:59:59, 0, 100 W\n";
    assert_int_equal(run_now(s, T0, 1, 0, NULL, NULL, NULL, &g, &e), -1);
    assert_string_equal(e.msg, "t.log:2: the time is before 1990-01-01");
    /* 6 kW from one GPU over a second: above the 5 kW ceiling. */
    s = "timestamp, index, power.draw [W]\n2023/10/01 13:00:00, 0, 6000 W\n"
        "2023/10/01 13:00:01, 0, 6000 W\n";
    assert_int_equal(run_now(s, T0 + 3600, NAN, 0, NULL, NULL, NULL, &g, &e), -1);
    assert_non_null(strstr(e.msg, "t.log:3: gpu:0: 6000 J in 1 s is 6000 W, above the 5000 W"));
    s = "timestamp, index, power.draw [W]\n2023/10/01 13:00:00, 0, 4000 W\n"
        "2023/10/01 13:00:01, 0, 4000 W\n";
    assert_int_equal(run_now(s, T0 + 3600, NAN, 0, NULL, NULL, NULL, &g, &e), 0);
    assert_near(total(&g, NULL), 4000, 1e-9);
}

static void test_bad_lines(void **state)
{
    (void)state;
    struct got g;
    ct_err e;
    long skipped = 0;
    const char *s = "timestamp, index, power.draw [W]\n2023/10/01 13:00:00, 0, 100 W\n"
                    "2023/10/01 13:00:01, 0\n2023/10/01 13:00:02, 0, 100 W\n"
                    "2023/10/01 13:00:01, 0, 100 W\n";
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 0, &skipped, &g, &e), -1);
    assert_string_equal(e.msg, "t.log:3: expected 3 comma-separated values, got 2");
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 1, &skipped, &g, &e), 0);
    assert_int_equal(skipped, 2);                        /* the short line and the step back */
    assert_near(total(&g, NULL), 200, 1e-9);
    /* A cut-off last line is skipped and counted even without --skip-bad. */
    skipped = 0;
    s = "timestamp, index, power.draw [W]\n2023/10/01 13:00:00, 0, 100 W\n"
        "2023/10/01 13:00:01, 0, 100 W\n2023/10/01 13:00:02, 0, 1";
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 0, &skipped, &g, &e), 0);
    assert_int_equal(skipped, 1);
    assert_near(total(&g, NULL), 100, 1e-9);
    s = "timestamp, index, power.draw [W]\n2023/13/01 13:00:00, 0, 100 W\n";
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 0, NULL, &g, &e), -1);
    assert_non_null(strstr(e.msg, "t.log:2: expected a timestamp"));
    s = "1, 2, 3\n";
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 0, NULL, &g, &e), -1);
    assert_non_null(strstr(e.msg, "t.log:1: expected a header line"));
    s = "timestamp, index, temperature.gpu\n";
    assert_int_equal(run("nvidia-smi", s, NAN, NAN, NAN, 0, NULL, &g, &e), -1);
    assert_non_null(strstr(e.msg, "expected a power column"));
}

static void test_dmon(void **state)
{
    (void)state;
    struct got g;
    ct_err e;
    /* -o T: the day comes from --start and rolls over at midnight; csv separators. */
    const char *s = "#Time, gpu, pwr, sm\n#HH:MM:SS, Idx, W, %\n"
                    "23:59:59, 0, 100, 50\n00:00:01, 0, 200, -\n";
    assert_int_equal(run("nvidia-smi-dmon", s, 1696118400, NAN, NAN, 0, NULL, &g, &e), 0);
    assert_int_equal(g.n, 1);
    assert_near(g.r[0].t0, 1696118400.0 + 86399, 1e-9);
    assert_near(g.r[0].joules, 300, 1e-9);
    assert_near(g.r[0].util, 0.5, 1e-12);
    assert_int_equal(run("nvidia-smi-dmon", s, NAN, NAN, NAN, 0, NULL, &g, &e), -1);
    assert_non_null(strstr(e.msg, "pass --start DATE"));
    s = "    0    43\n";
    assert_int_equal(run("nvidia-smi-dmon", s, NAN, NAN, NAN, 0, NULL, &g, &e), -1);
    assert_non_null(strstr(e.msg, "t.log:1: expected dmon's header"));
}

static void test_times(void **state)
{
    (void)state;
    struct nv_datecache c = {{0}, 0, 0};
    double t;
    const char *s = "2023/10/01 13:00:00.250";
    assert_int_equal(nv_time(s, s + strlen(s), &c, &t), 0);
    assert_near(t, T0 + 0.25, 1e-9);
    s = "2023-10-01T13:00:01";
    assert_int_equal(nv_time(s, s + strlen(s), &c, &t), 0);
    assert_near(t, T0 + 1, 1e-9);
    s = "2023/10/01 25:00:00";
    assert_int_equal(nv_time(s, s + strlen(s), &c, &t), -1);
    s = "Sun Oct  1 13:00:00 2023";
    assert_int_equal(nv_ctime(s, s + strlen(s), &t), 0);
    assert_near(t, T0, 1e-9);
    s = "Sun Foo  1 13:00:00 2023";
    assert_int_equal(nv_ctime(s, s + strlen(s), &t), -1);
    const char *end;
    double v;
    s = "83.92 W";
    assert_int_equal(nv_num(s, s + strlen(s), &v, &end), 0);
    assert_true(v == 83.92); /* exactly strtod's double */
    assert_string_equal(end, " W");
    s = "1.5e3";
    assert_int_equal(nv_num(s, s + strlen(s), &v, &end), 0);
    assert_near(v, 1500, 0);
    s = "W";
    assert_int_equal(nv_num(s, s + 1, &v, &end), -1);
}

/* ---- every fixture: sniffed as its format, parsed ---- */

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *p = malloc(1 << 20);
    *n = fread(p, 1, 1 << 20, f);
    fclose(f);
    return p;
}

static const char *expected_format(const char *name)
{
    if (strstr(name, "dmon"))
        return "nvidia-smi-dmon";
    if (strncmp(name, "q-", 2) == 0)
        return "nvidia-smi-q";
    if (strstr(name, "table") || strstr(name, "nvidia-smi.txt"))
        return "nvidia-smi-table";
    if (strstr(name, ".csv") && strcmp(name, "empty.csv") != 0)
        return "nvidia-smi";
    return NULL;
}

/* sniffs every file in dir; nvidia: 1 when they must be nvidia-smi logs */
static int sniff_dir(const char *dir, int nvidia)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        char path[1024];
        if (de->d_name[0] == '.' || strstr(de->d_name, ".gz"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t len;
        char *p = slurp(path, &len);
        const struct ct_format_ops *f = ct_format_sniff(p, len);
        const char *want = nvidia ? expected_format(de->d_name) : NULL;
        const char *got = f ? f->name : NULL;
        if (nvidia || (got && strncmp(got, "nvidia-smi", 10) == 0)) {
            if (!want != !got || (want && strcmp(want, got) != 0))
                fail_msg("%s sniffed as %s, wanted %s", path, got ? got : "nothing",
                         want ? want : "nothing");
        }
        free(p);
        n++;
    }
    closedir(d);
    return n;
}

static void test_sniff_fixtures(void **state)
{
    (void)state;
    const char *shared = getenv("CT_SHARED"), *root = getenv("CT_SOURCE_ROOT");
    char dir[1024];
    assert_non_null(shared);
    assert_non_null(root);
    snprintf(dir, sizeof dir, "%s/fixtures/nvidia-smi", shared);
    assert_int_equal(sniff_dir(dir, 1), 4);
    snprintf(dir, sizeof dir, "%s/tests/fixtures/nvidia-smi", root);
    assert_true(sniff_dir(dir, 1) >= 15);
    /* No other tool's log is taken for an nvidia-smi one. */
    static const char *const others[] = {"turbostat", "powermetrics", "other", "provider"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        snprintf(dir, sizeof dir, "%s/fixtures/%s", shared, others[i]);
        sniff_dir(dir, 0);
    }
}

static void test_formats_table(void **state)
{
    (void)state;
    int n;
    const struct ct_format_ops *const *t = ct_formats(&n);
    assert_true(n >= 4);
    for (int i = 0; i < n; i++) {
        assert_int_equal(t[i]->version, CT_FORMAT_OPS_VERSION);
        assert_ptr_equal(ct_format_find(t[i]->name), t[i]);
        for (int k = 0; k < i; k++)
            assert_string_not_equal(t[i]->name, t[k]->name);
    }
    assert_null(ct_format_find("nope"));
    assert_null(ct_format_sniff("", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trapezoid), cmocka_unit_test(test_columns),
        cmocka_unit_test(test_untimed),   cmocka_unit_test(test_single),
        cmocka_unit_test(test_gaps),      cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_gap_first_last_middle), cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_dmon),      cmocka_unit_test(test_times),
        cmocka_unit_test(test_sniff_fixtures), cmocka_unit_test(test_formats_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
