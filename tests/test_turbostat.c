/* turbostat parser: the telegraf fixtures (real turbostat output) and the edge
 * cases in tests/fixtures/turbostat. Figures are checked against the file's own
 * numbers, recomputed here by a separate reading of the table, or by hand (the
 * sums are written out next to each check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "reading_testutil.h"

extern const struct ct_format_ops ct_fmt_turbostat;

/* ---- collecting readings ---- */

static char *path_of(const char *env, const char *rel)
{
    static char buf[1024];
    const char *root = getenv(env);
    snprintf(buf, sizeof buf, "%s/%s", root ? root : ".", rel);
    return buf;
}

static int parse(const char *path, const struct ct_parse_opts *o, struct col *c, ct_err *e)
{
    return rt_parse(&ct_fmt_turbostat, path, o, c, e);
}

static int parse_ok(const char *path, const struct ct_parse_opts *o, struct col *c)
{
    return rt_parse_ok(&ct_fmt_turbostat, path, o, c);
}

#define SHARED(rel) path_of("CT_SHARED", "fixtures/" rel)
#define MINE(rel) path_of("CT_SOURCE_ROOT", "tests/fixtures/turbostat/" rel)

static char *shared(const char *rel)
{
    char r[512];
    snprintf(r, sizeof r, "fixtures/%s", rel);
    return path_of("CT_SHARED", r);
}

static char *mine_path(const char *rel)
{
    char r[512];
    snprintf(r, sizeof r, "tests/fixtures/turbostat/%s", rel);
    return path_of("CT_SOURCE_ROOT", r);
}

/* Sum of joules of one device (NULL: all), counted (detail 0), detail (1) or both (-1). */
/* ---- an independent reading of the xeon table: summary and package rows ---- */

struct xeon {
    double sum_pkg, sum_ram, pkg[2], ram[2], busy[2], tod_max;
    int nbusy[2];
};

static int col_of(char **h, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(h[i], name) == 0)
            return i;
    return -1;
}

static void read_xeon(struct xeon *x)
{
    size_t n;
    char *text = strdup(slurp(SHARED("turbostat/telegraf-intel-xeon-6126-input.txt"), &n));
    char *h[64], *f[64], *save = NULL;
    int nh = 0;
    memset(x, 0, sizeof *x);
    for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        int nf = 0;
        for (char *p = ln, *t; (t = strsep(&p, "\t"));)
            f[nf++] = t;
        if (nh == 0) {
            memcpy(h, f, sizeof f);
            nh = nf;
            continue;
        }
        int pw = col_of(h, nh, "PkgWatt"), rw = col_of(h, nh, "RAMWatt"), pk = col_of(h, nh, "Package");
        double tod = atof(f[col_of(h, nh, "Time_Of_Day_Seconds")]);
        x->tod_max = tod > x->tod_max ? tod : x->tod_max;
        if (strcmp(f[pk], "-") == 0) {
            x->sum_pkg = atof(f[pw]);
            x->sum_ram = atof(f[rw]);
            continue;
        }
        int p = atoi(f[pk]);
        x->busy[p] += atof(f[col_of(h, nh, "Busy%")]);
        x->nbusy[p]++;
        if (nf > pw) {
            x->pkg[p] = atof(f[pw]);
            x->ram[p] = atof(f[rw]);
        }
    }
    free(text);
}

/* The summary row equals the sum of the package rows (to the printed 0.01 W), and
 * only the package rows are counted. */
static void xeon_packages_not_summary(void **state)
{
    (void)state;
    struct xeon x;
    read_xeon(&x);
    assert_true(fabs(x.sum_pkg - (x.pkg[0] + x.pkg[1])) <= 0.011);
    assert_true(fabs(x.sum_ram - (x.ram[0] + x.ram[1])) <= 0.011);
    assert_true(fabs(x.sum_pkg - 83.25) < 1e-9 && fabs(x.sum_ram - 41.78) < 1e-9); /* SOURCES.md */

    struct col c;
    struct ct_parse_opts o = opts(NAN, 5);
    assert_int_equal(parse_ok(SHARED("turbostat/telegraf-intel-xeon-6126-input.txt"), &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), x.pkg[0] * 5, 1e-9);
    assert_near(sum(&c, "package-1", 0), x.pkg[1] * 5, 1e-9);
    assert_near(sum(&c, "dram-0", 0), x.ram[0] * 5, 1e-9);
    assert_near(sum(&c, "dram-1", 0), x.ram[1] * 5, 1e-9);
    /* counted total vs the summary row x interval: equal to the printed rounding */
    assert_true(fabs(sum(&c, NULL, 0) - (x.sum_pkg + x.sum_ram) * 5) <= 0.02 * 5);
    assert_int_equal(count(&c, "cpu"), 0);
    assert_int_equal(count(&c, "dram"), 0);
    for (size_t i = 0; i < c.n; i++) {
        assert_near(c.r[i].t1, x.tod_max, 1e-6);
        assert_near(c.r[i].t1 - c.r[i].t0, 5, 1e-6);
    }
    /* util: the package's mean Busy% */
    for (size_t i = 0; i < c.n; i++)
        if (strcmp(c.r[i].dev, "package-1") == 0)
            assert_near(c.r[i].util, x.busy[1] / x.nbusy[1] / 100, 1e-9);
}

/* One timed interval and no --interval: an error that names the fix. */
static void xeon_needs_interval(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse(SHARED("turbostat/telegraf-intel-xeon-6126-input.txt"), &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "--interval"));
    assert_non_null(strstr(e.msg, "telegraf-intel-xeon-6126-input.txt:2:"));
    assert_int_equal(c.n, 0);
}

/* telegraf's usec-whitespace-header: the second header (a space after each tab)
 * is read as a header; the log has no power columns, which is an error. */
static void whitespace_header_no_power(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    struct ct_parse_opts o = opts(NAN, 1);
    assert_int_equal(parse(SHARED("turbostat/telegraf-usec-whitespace-header-input.txt"), &o, &c, &e),
                     -1);
    assert_non_null(strstr(e.msg, "no power columns"));
}

/* Three intervals 2 s apart, each under its own header (the second with a space
 * after each tab). Package 0: 20, 22, 25 W; package 1: 10, 11, 12 W; RAM 4, 5, 4 and
 * 2, 3, 2 W. The first interval's length is the first delta (2 s). */
static void check_repeated(const char *path)
{
    struct col c;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse_ok(path, &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), (20 + 22 + 25) * 2.0, 1e-9);
    assert_near(sum(&c, "package-1", 0), (10 + 11 + 12) * 2.0, 1e-9);
    assert_near(sum(&c, "dram-0", 0), (4 + 5 + 4) * 2.0, 1e-9);
    assert_near(sum(&c, "dram-1", 0), (2 + 3 + 2) * 2.0, 1e-9);
    /* CorWatt is detail, never added */
    assert_near(sum(&c, "cores-0", 1), 0.4 * (20 + 22 + 25) * 2.0, 1e-6);
    assert_near(sum(&c, "cores-0", 0), 0, 0);
    assert_near(sum(&c, NULL, 0), (67 + 33 + 13 + 7) * 2.0, 1e-9);
    assert_int_equal(count(&c, "package-0"), 3);
    /* back to back: 1700000000.0001 to 1700000006.0001 */
    double lo = 1e300, hi = 0;
    for (size_t i = 0; i < c.n; i++) {
        lo = fmin(lo, c.r[i].t0);
        hi = fmax(hi, c.r[i].t1);
    }
    assert_near(lo, 1700000000.0001, 1e-6);
    assert_near(hi, 1700000006.0001, 1e-6);
    /* util of package 0, first interval: Busy% 20 and 10 */
    assert_near(c.r[0].util, 0.15, 1e-9);
}

static void repeated_header(void **state)
{
    (void)state;
    check_repeated(MINE("repeated-header.txt"));
}

static void crlf(void **state)
{
    (void)state;
    check_repeated(MINE("crlf.txt"));
}

static void space_separated(void **state)
{
    (void)state;
    check_repeated(MINE("spaces.txt"));
}

/* The last line stops inside package 1's row, without a line end: the unfinished
 * interval is dropped (and counted as skipped), the two before are kept. */
static void truncated_last_line(void **state)
{
    (void)state;
    struct col c;
    long skipped = 0;
    struct ct_parse_opts o = opts(NAN, NAN);
    o.skipped = &skipped;
    assert_int_equal(parse_ok(MINE("truncated.txt"), &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), (20 + 22) * 2.0, 1e-9);
    assert_near(sum(&c, "package-1", 0), (10 + 11) * 2.0, 1e-9);
    assert_true(skipped >= 1);
}

static void empty_file(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    struct ct_parse_opts o = opts(NAN, 1);
    assert_int_equal(parse(MINE("empty.txt"), &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "expected a turbostat header"));
}

/* Blocks at 100, 102, 104, 200, 202 s: the 96 s gap is not bridged (max_gap 10),
 * the interval after it lasts the nominal 2 s. PkgWatt 10..14, RAMWatt 1. */
static void gap(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(NAN, NAN);
    o.max_gap = 10;
    assert_int_equal(parse_ok(MINE("gap.txt"), &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), (10 + 11 + 12 + 13 + 14) * 2.0, 1e-9);
    for (size_t i = 0; i < c.n; i++)
        if (strcmp(c.r[i].dev, "package-0") == 0 && c.r[i].t1 == 1700000200.0)
            assert_near(c.r[i].t0, 1700000198.0, 1e-9);
    /* the default limit is 5 x the log's step (10 s here): the same */
    o.max_gap = NAN;
    assert_int_equal(parse_ok(MINE("gap.txt"), &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), (10 + 11 + 12 + 13 + 14) * 2.0, 1e-9);
    /* with a limit above 96 s they are bridged, at the 13 W the row reports */
    o.max_gap = 100;
    assert_int_equal(parse_ok(MINE("gap.txt"), &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), (10 + 11 + 12) * 2.0 + 13 * 96.0 + 14 * 2.0, 1e-9);
}

/* SysWatt (psys) is counted; packages, RAM, cores and GFX become detail.
 * Intervals of 1 s (the first from --interval): psys 25 + 27 W. */
static void syswatt_counts_psys(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(NAN, 1);
    assert_int_equal(parse_ok(MINE("syswatt.txt"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), 25 + 27, 1e-9);
    assert_near(sum(&c, "psys", 0), 25 + 27, 1e-9);
    assert_near(sum(&c, "package-0", 1), 15 + 16, 1e-9);
    assert_near(sum(&c, "dram-0", 1), 2 + 2, 1e-9);
    assert_near(sum(&c, "gfx-0", 1), 1 + 1, 1e-9);
    assert_int_equal(count(&c, "cpu"), 0);
}

/* --Joules: energy as printed, not watts x interval. */
static void joules_columns(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(NAN, 5);
    assert_int_equal(parse_ok(MINE("joules.txt"), &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), 100.5 + 110.0, 1e-9);
    assert_near(sum(&c, "dram-0", 0), 20.25 + 21.0, 1e-9);
}

/* No timestamps: --start and --interval place the intervals; without --interval
 * it is an error naming it (5 s is never assumed), without --start too. */
static void no_timestamps(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    struct ct_parse_opts o = opts(1700000000, 5);
    assert_int_equal(parse_ok(MINE("notime.txt"), &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), (12 + 14) * 5.0, 1e-9);
    assert_near(sum(&c, "dram-0", 0), (3 + 3) * 5.0, 1e-9);
    assert_near(c.r[0].t0, 1700000000, 0);
    assert_near(c.r[c.n - 1].t1, 1700000010, 0);
    o = opts(1700000000, NAN);
    assert_int_equal(parse(MINE("notime.txt"), &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "--interval"));
    assert_non_null(strstr(e.msg, "not assumed"));
    o = opts(NAN, 5);
    assert_int_equal(parse(MINE("notime.txt"), &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "--start"));
}

/* turbostat COMMAND: one interval, its length on the closing "N sec" line. */
static void command_sec_line(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(1700000000, NAN);
    assert_int_equal(parse_ok(MINE("command.txt"), &o, &c), 0);
    assert_int_equal(count(&c, "package-0"), 1);
    assert_near(sum(&c, "package-0", 0), 12.5 * 2.500123, 1e-9);
}

static void backwards(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    struct ct_parse_opts o = opts(NAN, 10);
    assert_int_equal(parse(MINE("backwards.txt"), &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "backwards.txt:4: Time_Of_Day_Seconds goes back"));
}

/* A bad number names the file, the line and the column; --skip-bad skips it. */
static void malformed(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    struct ct_parse_opts o = opts(NAN, 1);
    assert_int_equal(parse(MINE("malformed.txt"), &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "malformed.txt:3: expected a number in PkgWatt, got 'abc'"));
    long skipped = 0;
    o.skip_bad = 1;
    o.skipped = &skipped;
    assert_int_equal(parse_ok(MINE("malformed.txt"), &o, &c), 0);
    assert_int_equal(skipped, 1);
    /* interval 1 has only its summary left (10 W as "cpu"); interval 2 its package */
    assert_near(sum(&c, NULL, 0), 10 + 10, 1e-9);
}

/* Columns in another order, empty fields on the CPU rows. */
static void reordered(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse_ok(MINE("reordered.txt"), &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), (9 + 7) * 2.0, 1e-9);
    assert_near(sum(&c, "dram-0", 0), (2 + 2) * 2.0, 1e-9);
    assert_near(c.r[0].util, 0.5, 1e-9); /* Busy% 60 and 40 */
}

/* --Summary: only summary rows, counted as "cpu" and "dram" (no package rows). */
static void summary_only(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse_ok(MINE("summary.txt"), &o, &c), 0);
    assert_near(sum(&c, "cpu", 0), 10 + 11 + 12, 1e-9);
    assert_near(sum(&c, "dram", 0), 3 * 3, 1e-9);
}

static void preamble(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse_ok(MINE("preamble.txt"), &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), 10 + 20, 1e-9);
}

/* From memory too (the fuzzers' and the live sensors' path). */
static void memory_input(void **state)
{
    (void)state;
    static const char text[] = "Time_Of_Day_Seconds\tCPU\tBusy%\tPkgWatt\n"
                               "1700000001.5\t-\t1\t4\n1700000001.5\t0\t1\t4\n";
    struct ct_input *in;
    ct_err e;
    struct col c = {.n = 0};
    assert_int_equal(ct_input_memopen(text, sizeof text - 1, "mem", &in, &e), 0);
    struct ct_parse_opts o = opts(NAN, 0.5);
    struct ct_reading_sink sink = {.emit = collect, .ud = &c};
    assert_int_equal(ct_fmt_turbostat.parse(in, &o, &sink, &e), 0);
    ct_input_close(in);
    assert_int_equal(c.n, 1);
    assert_near(c.r[0].j, 2, 1e-12);
    assert_near(c.r[0].t0, 1700000001.0, 1e-6);
}

/* ---- issue 15: bounds and gaps ---- */

static int parse_mem(const char *text, const struct ct_parse_opts *o, struct col *c, ct_err *e)
{
    struct ct_input *in;
    c->n = 0;
    e->msg[0] = '\0';
    assert_int_equal(ct_input_memopen(text, strlen(text), "mem", &in, e), 0);
    return rt_parse_input(&ct_fmt_turbostat, in, o, c, e);
}

#define TS_HDR "Time_Of_Day_Seconds\tCore\tCPU\tBusy%\tPkgWatt\n"
#define TS_ROW(t, w) t "\t-\t-\t50\t" w "\n" t "\t0\t0\t50\t" w "\n"

/* A first interval a year before the rest is a gap, not a year of power:
 * every interval lasts the 2 s step, 4 x 10 W x 2 s = 80 J (before the fix the
 * second interval spanned the year: 315 MJ). */
static void first_gap_not_bridged(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    long gaps = 0;
    double gap_s = 0;
    static const char text[] = TS_HDR TS_ROW("1668464100", "10") TS_HDR
        TS_ROW("1700000100", "10") TS_HDR TS_ROW("1700000102", "10") TS_HDR
        TS_ROW("1700000104", "10");
    struct ct_parse_opts o = opts(NAN, NAN);
    o.now = 1700000200;
    o.gaps = &gaps;
    o.gap_seconds = &gap_s;
    assert_int_equal(parse_mem(text, &o, &c, &e), 0);
    assert_near(sum(&c, "package-0", 0), 80, 1e-9);
    assert_int_equal(gaps, 1);
    assert_near(gap_s, 1700000100.0 - 1668464100.0, 1e-6);
    /* The same gap last: 3 intervals in a row, then a lone one; 80 J again. */
    static const char last[] = TS_HDR TS_ROW("1700000100", "10") TS_HDR
        TS_ROW("1700000102", "10") TS_HDR TS_ROW("1700000104", "10") TS_HDR
        TS_ROW("1731536104", "10");
    o.now = 1731536200;
    assert_int_equal(parse_mem(last, &o, &c, &e), 0);
    assert_near(sum(&c, "package-0", 0), 80, 1e-9);
    assert_int_equal(gaps, 2);
    /* And in the middle. */
    static const char mid[] = TS_HDR TS_ROW("1700000100", "10") TS_HDR
        TS_ROW("1700000102", "10") TS_HDR TS_ROW("1731536102", "10") TS_HDR
        TS_ROW("1731536104", "10");
    assert_int_equal(parse_mem(mid, &o, &c, &e), 0);
    assert_near(sum(&c, "package-0", 0), 80, 1e-9);
    assert_int_equal(gaps, 3);
}

/* The 354-byte file: one far-future epoch stored 3,087,846 hourly
 * records. It is a bad line now; --skip-bad drops its interval only. */
static void far_future_epoch(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    long skipped = 0;
    static const char text[] = TS_HDR TS_ROW("1700000100", "10") TS_HDR
        TS_ROW("1700000102", "10") TS_HDR TS_ROW("12800000000", "10") TS_HDR
        TS_ROW("1700000104", "10");
    struct ct_parse_opts o = opts(NAN, NAN);
    o.now = 1700000200;
    o.skipped = &skipped;
    assert_int_equal(parse_mem(text, &o, &c, &e), -1);
    assert_string_equal(e.msg, "mem:8: the time is more than a day ahead of now");
    o.skip_bad = 1;
    assert_int_equal(parse_mem(text, &o, &c, &e), 0);
    assert_int_equal(skipped, 1);
    assert_near(sum(&c, "package-0", 0), 3 * 10 * 2.0, 1e-9);
    /* 6 kW from one package is a misread column, not a measurement. */
    static const char hot[] = TS_HDR TS_ROW("1700000100", "6000") TS_HDR
        TS_ROW("1700000102", "6000");
    o.skip_bad = 0;
    assert_int_equal(parse_mem(hot, &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "mem:2: package-0: 12000 J in 2 s is 6000 W, above the 5000 W"));
}

/* ---- sniffing ---- */

static int sniff_file(const char *path)
{
    size_t n;
    char *head = slurp(path, &n);
    return ct_fmt_turbostat.sniff(head, n < 16384 ? n : 16384);
}

static void sniff(void **state)
{
    (void)state;
    static const char *const own[] = {"turbostat/telegraf-intel-xeon-6126-input.txt",
                                      "turbostat/telegraf-usec-whitespace-header-input.txt"};
    static const char *const others[] = {
        "nvidia-smi/ksysguard-gpu-27-nvidia-smi-query-loop-driver520.csv",
        "nvidia-smi/bpytop-26-nvidia-smi-query-csv-2gpu-idle.csv",
        "nvidia-smi/thamada-RTX3090x2-nvidia-smi.txt",
        "powermetrics/codecarbon-mock_powermetrics_log-M1.txt",
        "powermetrics/catapult-powermetrics_output-intel-plist-nul-separated.output",
        "other/powerstat-clearlinux-1915-rapl-partial.txt",
        "other/perf-stat-sandmark-378-energy-pkg-system-wide.txt",
        "other/perf-stat-sandmark-378-energy-pkg-per-process-not-supported.txt",
        "provider/carbon-json-cloud_example_2-gcp-carbon-export.csv",
        "provider/azure-Get-AzCarbonEmissionReport-ex1-overall-summary.txt",
        "provider/azure-Get-AzCarbonEmissionReport-ex4-item-details.txt"};
    static const char *const mine[] = {"repeated-header.txt", "spaces.txt", "gap.txt", "syswatt.txt",
                                       "notime.txt", "summary.txt", "reordered.txt", "joules.txt"};
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        assert_true(sniff_file(shared(own[i])) >= 80);
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        assert_true(sniff_file(shared(others[i])) <= 30);
    for (size_t i = 0; i < sizeof mine / sizeof *mine; i++)
        assert_true(sniff_file(mine_path(mine[i])) >= 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xeon_packages_not_summary),
        cmocka_unit_test(xeon_needs_interval),
        cmocka_unit_test(whitespace_header_no_power),
        cmocka_unit_test(repeated_header),
        cmocka_unit_test(crlf),
        cmocka_unit_test(space_separated),
        cmocka_unit_test(truncated_last_line),
        cmocka_unit_test(empty_file),
        cmocka_unit_test(gap),
        cmocka_unit_test(syswatt_counts_psys),
        cmocka_unit_test(joules_columns),
        cmocka_unit_test(no_timestamps),
        cmocka_unit_test(command_sec_line),
        cmocka_unit_test(backwards),
        cmocka_unit_test(malformed),
        cmocka_unit_test(reordered),
        cmocka_unit_test(summary_only),
        cmocka_unit_test(preamble),
        cmocka_unit_test(memory_input),
        cmocka_unit_test(first_gap_not_bridged),
        cmocka_unit_test(far_future_epoch),
        cmocka_unit_test(sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
