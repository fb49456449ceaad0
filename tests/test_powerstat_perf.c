/* powerstat and perf stat parsers: the clearlinux powerstat log and the sandmark
 * perf outputs (real output), and the edge cases in tests/fixtures/{powerstat,perf}.
 * The powerstat total is recomputed here from the file's own columns; the other
 * figures are written out by hand next to each check. */
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

extern const struct ct_format_ops ct_fmt_powerstat, ct_fmt_perf_stat;

#define T0 1700000000.0

static char *path_of(const char *env, const char *dir, const char *rel)
{
    static char buf[1024];
    const char *root = getenv(env);
    snprintf(buf, sizeof buf, "%s/%s%s", root ? root : ".", dir, rel);
    return buf;
}

static char *shared(const char *rel) { return path_of("CT_SHARED", "fixtures/", rel); }
static char *ps_file(const char *rel)
{
    return path_of("CT_SOURCE_ROOT", "tests/fixtures/powerstat/", rel);
}
static char *pf_file(const char *rel) { return path_of("CT_SOURCE_ROOT", "tests/fixtures/perf/", rel); }

/* The error a parse ends with must contain want. */
static void fails(const struct ct_format_ops *f, const char *path, const struct ct_parse_opts *o,
                  const char *want)
{
    struct col c;
    ct_err e;
    assert_int_equal(rt_parse(f, path, o, &c, &e), -1);
    if (!strstr(e.msg, want))
        fail_msg("error '%s' lacks '%s'", e.msg, want);
}

/* ---- powerstat ---- */

/* Sums of the Watts and pkg-0 columns over the rows that start with a time. */
static void clearlinux_columns(double *watts, double *pkg0, int *rows)
{
    size_t n;
    char *text = strdup(slurp(shared("other/powerstat-clearlinux-1915-rapl-partial.txt"), &n));
    int iw = -1, ip = -1;
    char *save = NULL;
    *watts = *pkg0 = 0;
    *rows = 0;
    for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        char *f[40], *s2 = NULL;
        int nf = 0;
        for (char *t = strtok_r(ln, " ", &s2); t && nf < 40; t = strtok_r(NULL, " ", &s2))
            f[nf++] = t;
        if (nf && strcmp(f[0], "Time") == 0)
            for (int i = 0; i < nf; i++) {
                iw = strcmp(f[i], "Watts") == 0 ? i : iw;
                ip = strcmp(f[i], "pkg-0") == 0 ? i : ip;
            }
        else if (nf > ip && ip > 0 && strlen(f[0]) == 8 && f[0][2] == ':') {
            *watts += atof(f[iw]);
            *pkg0 += atof(f[ip]);
            (*rows)++;
        }
    }
    free(text);
}

static void powerstat_clearlinux(void **state)
{
    (void)state;
    double watts, pkg0;
    int rows;
    clearlinux_columns(&watts, &pkg0, &rows);
    assert_int_equal(rows, 11);
    struct col c;
    struct ct_parse_opts o = opts(T0, NAN);
    assert_int_equal(rt_parse_ok(&ct_fmt_powerstat, shared("other/powerstat-clearlinux-1915-rapl-partial.txt"), &o, &c), 0);
    /* "samples at 2.0 second intervals": pkg-0 x 2 s counted; Watts is that same sum */
    assert_near(sum(&c, NULL, 0), pkg0 * 2, 1e-9);
    assert_near(sum(&c, "package-0", 0), watts * 2, 1e-9);
    assert_int_equal(count(&c, "package-0"), 11);
    assert_true(sum(&c, "cores-0", 1) > 0 && sum(&c, "uncore-0", 1) > 0);
    assert_near(sum(&c, "cores-0", 0) + sum(&c, "uncore-0", 0), 0, 0);
    assert_near(c.r[0].t0, T0, 0);
    assert_near(c.r[c.n - 1].t1, T0 + 22, 1e-9);
    /* no date in the log: --start is required */
    o = opts(NAN, NAN);
    fails(&ct_fmt_powerstat, shared("other/powerstat-clearlinux-1915-rapl-partial.txt"), &o,
          "powerstat-clearlinux-1915-rapl-partial.txt:5: powerstat prints the time of day without a date");
}

/* Without -R: Watts is the battery's, the whole machine; the summary is not counted. */
static void check_battery(const char *path)
{
    struct col c;
    struct ct_parse_opts o = opts(T0, NAN);
    assert_int_equal(rt_parse_ok(&ct_fmt_powerstat, path, &o, &c), 0);
    assert_int_equal(c.n, 5);
    assert_near(sum(&c, "system", 0), (8.93 + 9.48 + 10.44 + 12.12 + 6.58) * 2, 1e-9);
    assert_string_equal(c.r[0].comp, "system");
}

static void powerstat_battery(void **state)
{
    (void)state;
    check_battery(ps_file("battery.txt"));
    check_battery(ps_file("crlf.txt"));
}

/* Two packages (each with its core), one dram; the clock passes midnight. */
static void powerstat_midnight(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(T0, NAN);
    assert_int_equal(rt_parse_ok(&ct_fmt_powerstat, ps_file("midnight.txt"), &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), (20 + 22 + 24) * 2.0, 1e-9);
    assert_near(sum(&c, "package-1", 0), (15 + 16 + 17) * 2.0, 1e-9);
    assert_near(sum(&c, "dram-0", 0), (5 + 5 + 6) * 2.0, 1e-9);
    assert_near(sum(&c, "cores-0", 1), (10 + 11 + 12) * 2.0, 1e-9);
    assert_near(sum(&c, "cores-1", 1), (7 + 8 + 9) * 2.0, 1e-9);
    assert_near(sum(&c, NULL, 0), (40 + 43 + 47) * 2.0, 1e-9); /* = Watts */
    assert_near(c.r[c.n - 1].t1, T0 + 6, 1e-9);
}

static void powerstat_psys(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(T0, NAN);
    assert_int_equal(rt_parse_ok(&ct_fmt_powerstat, ps_file("psys.txt"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), 20 + 22, 1e-9);
    assert_near(sum(&c, "psys", 0), 20 + 22, 1e-9);
    assert_near(sum(&c, "package-0", 1), 10 + 11, 1e-9);
}

/* 10:00:02, :04, then :12: the third sample is re-anchored, not bridged. */
static void powerstat_gap(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(T0, NAN);
    long gaps = 0;
    double gap_s = 0;
    o.gaps = &gaps;
    o.gap_seconds = &gap_s;
    assert_int_equal(rt_parse_ok(&ct_fmt_powerstat, ps_file("gap.txt"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), (5 + 6 + 7) * 2.0, 1e-9);
    assert_near(c.r[2].t0, T0 + 10, 1e-9);
    assert_near(c.r[2].t1, T0 + 12, 1e-9);
    /* one gap: the chain ended at T0 + 4, the next row began at T0 + 10 */
    assert_int_equal(gaps, 1);
    assert_near(gap_s, 6, 1e-9);
}

/* No preamble: the interval is the first step between rows, or --interval. */
static void powerstat_interval(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(T0, NAN);
    assert_int_equal(rt_parse_ok(&ct_fmt_powerstat, ps_file("nopreamble.txt"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), (5 + 6) * 3.0, 1e-9);
    o = opts(T0, 1);
    assert_int_equal(rt_parse_ok(&ct_fmt_powerstat, ps_file("nopreamble.txt"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), 5 + 6, 1e-9);
    o = opts(T0, NAN);
    fails(&ct_fmt_powerstat, ps_file("single.txt"), &o, "single.txt:2: powerstat log has one sample");
    o = opts(T0, 4);
    assert_int_equal(rt_parse_ok(&ct_fmt_powerstat, ps_file("single.txt"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), 20, 1e-9);
}

static void powerstat_truncated(void **state)
{
    (void)state;
    struct col c;
    long skipped = 0;
    struct ct_parse_opts o = opts(T0, NAN);
    o.skipped = &skipped;
    assert_int_equal(rt_parse_ok(&ct_fmt_powerstat, ps_file("truncated.txt"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), (8.93 + 9.48 + 10.44) * 2, 1e-9);
    assert_int_equal(skipped, 1);
}

static void powerstat_errors(void **state)
{
    (void)state;
    struct ct_parse_opts o = opts(T0, NAN);
    fails(&ct_fmt_powerstat, ps_file("malformed.txt"), &o,
          "malformed.txt:6: expected watts in column 13, got '9.4x'");
    fails(&ct_fmt_powerstat, ps_file("empty.txt"), &o, "expected a powerstat header");
}

/* ---- perf stat ---- */

static void perf_sandmark(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(T0, NAN);
    assert_int_equal(rt_parse_ok(&ct_fmt_perf_stat, shared("other/perf-stat-sandmark-378-energy-pkg-system-wide.txt"), &o, &c), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.r[0].dev, "cpu");
    assert_near(c.r[0].j, 43.26, 0);
    assert_near(c.r[0].t0, T0, 0);
    assert_near(c.r[0].t1 - c.r[0].t0, 1.001041336, 1e-6);
    fails(&ct_fmt_perf_stat, shared("other/perf-stat-sandmark-378-energy-pkg-per-process-not-supported.txt"), &o,
          "perf-stat-sandmark-378-energy-pkg-per-process-not-supported.txt:4: perf could not count "
          "power/energy-pkg/ (<not supported>)");
    fails(&ct_fmt_perf_stat, shared("other/perf-stat-sandmark-378-energy-pkg-per-process-not-supported.txt"), &o,
          "perf stat -a");
    o = opts(NAN, NAN);
    fails(&ct_fmt_perf_stat, shared("other/perf-stat-sandmark-378-energy-pkg-system-wide.txt"), &o,
          "--start");
}

static void perf_ram_and_sockets(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(T0, NAN);
    assert_int_equal(rt_parse_ok(&ct_fmt_perf_stat, pf_file("ram-pkg.txt"), &o, &c), 0);
    assert_near(sum(&c, "cpu", 0), 52.37, 1e-12);
    assert_near(sum(&c, "dram", 0), 10.05, 1e-12);
    assert_near(c.r[0].t1 - c.r[0].t0, 2.002012345, 1e-6);
    assert_int_equal(rt_parse_ok(&ct_fmt_perf_stat, pf_file("per-socket.txt"), &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), 21.63, 1e-12);
    assert_near(sum(&c, "package-1", 0), 20.10, 1e-12);
    assert_near(sum(&c, "dram-0", 0), 5.25, 1e-12);
    assert_near(sum(&c, "dram-1", 0), 4.75, 1e-12);
    assert_int_equal(rt_parse_ok(&ct_fmt_perf_stat, pf_file("started-on.txt"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), 43.26, 1e-12);
}

/* -I: each timestamp ends its interval, the first starts at --start. */
static void perf_intervals(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(T0, NAN);
    assert_int_equal(rt_parse_ok(&ct_fmt_perf_stat, pf_file("interval.txt"), &o, &c), 0);
    assert_int_equal(count(&c, "cpu"), 3);
    assert_near(sum(&c, "cpu", 0), 21.25 + 22.75 + 20.00, 1e-12);
    assert_near(sum(&c, "dram", 0), 3.50 + 3.25 + 3.00, 1e-12);
    assert_near(c.r[0].t0, T0, 0);
    assert_near(c.r[0].t1, T0 + 1.001054826, 1e-6);
    assert_near(c.r[2].t0, T0 + 1.001054826, 1e-6);
    assert_near(c.r[5].t1, T0 + 3.003500120, 1e-6);
}

static void perf_csv(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(T0, 1.001041336);
    assert_int_equal(rt_parse_ok(&ct_fmt_perf_stat, pf_file("csv.txt"), &o, &c), 0);
    assert_near(sum(&c, "cpu", 0), 43.26, 1e-12);
}

/* energy-psys counted, all else detail; without it, cores and gpu stay detail. */
static void perf_psys_and_detail(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(T0, NAN);
    assert_int_equal(rt_parse_ok(&ct_fmt_perf_stat, pf_file("psys.txt"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), 45, 1e-12);
    assert_near(sum(&c, "psys", 0), 45, 1e-12);
    assert_near(sum(&c, "cpu", 1), 30, 1e-12);
    assert_int_equal(rt_parse_ok(&ct_fmt_perf_stat, pf_file("cores-gpu.txt"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), 30, 1e-12);
    assert_near(sum(&c, "cores", 1), 12, 1e-12);
    assert_near(sum(&c, "gfx", 1), 1.5, 1e-12);
}

static void perf_errors(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(T0, NAN);
    fails(&ct_fmt_perf_stat, pf_file("no-elapsed.txt"), &o,
          "no-elapsed.txt:4: perf stat output has no \"seconds time elapsed\" line: pass --interval");
    o = opts(T0, 2);
    assert_int_equal(rt_parse_ok(&ct_fmt_perf_stat, pf_file("no-elapsed.txt"), &o, &c), 0);
    assert_near(c.r[0].t1, T0 + 2, 0);
    o = opts(T0, NAN);
    fails(&ct_fmt_perf_stat, pf_file("not-counted.txt"), &o, "not-counted.txt:4: perf could not count power/energy-ram/ (<not counted>)");
    fails(&ct_fmt_perf_stat, pf_file("malformed.txt"), &o,
          "malformed.txt:4: expected joules for power/energy-pkg/, got '4x.26'");
    fails(&ct_fmt_perf_stat, pf_file("no-energy.txt"), &o, "no RAPL energy counts");
    fails(&ct_fmt_perf_stat, pf_file("empty.txt"), &o, "no RAPL energy counts");
}

/* ---- issue 15: bounds ---- */

static int parse_mem(const struct ct_format_ops *f, const char *text,
                     const struct ct_parse_opts *o, struct col *c, ct_err *e)
{
    struct ct_input *in;
    c->n = 0;
    e->msg[0] = '\0';
    assert_int_equal(ct_input_memopen(text, strlen(text), "mem", &in, e), 0);
    return rt_parse_input(f, in, o, c, e);
}

/* "1e308 seconds time elapsed" ran for minutes and reached 24 GB; a wrapped
 * counter (2^64 - 1 J) stored 1.8e19 J for a 2 s run. Both are bad lines. */
static void perf_bounds(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    long skipped = 0;
    struct ct_parse_opts o = opts(T0, NAN);
    o.now = T0 + 3600;
    o.skipped = &skipped;
    static const char huge_elapsed[] = "\n Performance counter stats for 'system wide':\n\n"
                                       "             52.37 Joules power/energy-pkg/\n\n"
                                       "       1e308 seconds time elapsed\n";
    assert_int_equal(parse_mem(&ct_fmt_perf_stat, huge_elapsed, &o, &c, &e), -1);
    assert_string_equal(e.msg, "mem:6: perf stat's elapsed time 1e+308 s is longer than the 31 "
                               "days one run may span");
    /* --skip-bad drops the line; --interval then says how long perf counted. */
    o.skip_bad = 1;
    o.interval = 2;
    assert_int_equal(parse_mem(&ct_fmt_perf_stat, huge_elapsed, &o, &c, &e), 0);
    assert_int_equal(skipped, 1);
    assert_near(sum(&c, NULL, 0), 52.37, 1e-9);
    static const char wrapped[] = "\n Performance counter stats for 'system wide':\n\n"
                                  "18,446,744,073,709,551,615 Joules power/energy-pkg/\n"
                                  "             10.05 Joules power/energy-ram/\n\n"
                                  "       2.002012345 seconds time elapsed\n";
    o = opts(T0, NAN);
    o.now = T0 + 3600;
    o.skipped = &skipped;
    skipped = 0;
    assert_int_equal(parse_mem(&ct_fmt_perf_stat, wrapped, &o, &c, &e), -1);
    if (!strstr(e.msg, "mem:4: cpu: 1.84467e+19 J in 2.00201 s is 9.2141e+18 W, above the "
                       "5000 W a device can draw"))
        fail_msg("got '%s'", e.msg);
    o.skip_bad = 1;
    assert_int_equal(parse_mem(&ct_fmt_perf_stat, wrapped, &o, &c, &e), 0);
    assert_int_equal(skipped, 1);
    assert_near(sum(&c, NULL, 0), 10.05, 1e-9); /* DRAM kept, the wrapped package dropped */
    /* --start before 1990 puts the run outside the window. */
    o = opts(600000000, NAN);
    assert_int_equal(parse_mem(&ct_fmt_perf_stat, wrapped, &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "outside the plausible window"));
}

/* powerstat with no preamble learns its interval from the first step; a first
 * step longer than the 300 s gap limit is a gap, not the interval. */
static void powerstat_first_gap(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    struct ct_parse_opts o = opts(T0, NAN);
    static const char text[] =
        "  Time   User   Nice    Sys   Idle     IO    Run Ctxt/s  IRQ/s   Fork   Exec   Exit  Watts\n"
        "10:00:00    3.4    0.0    2.0   94.6    0.0      2   6236   1144      0      0      0   5.00\n"
        "11:00:00    3.4    0.0    2.0   94.6    0.0      2   6236   1144      0      0      0   6.00\n";
    assert_int_equal(parse_mem(&ct_fmt_powerstat, text, &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "mem:3: cannot tell powerstat's interval"));
    o.interval = 2; /* then each row lasts 2 s: 5 x 2 + 6 x 2 */
    assert_int_equal(parse_mem(&ct_fmt_powerstat, text, &o, &c, &e), 0);
    assert_near(sum(&c, NULL, 0), 22, 1e-9);
}

/* ---- sniffing ---- */

static int sniff_file(const struct ct_format_ops *f, const char *path)
{
    size_t n;
    char *head = slurp(path, &n);
    return f->sniff(head, n < 16384 ? n : 16384);
}

static const char *const all_shared[] = {
    "nvidia-smi/ksysguard-gpu-27-nvidia-smi-query-loop-driver520.csv",
    "nvidia-smi/bpytop-26-nvidia-smi-query-csv-2gpu-idle.csv",
    "nvidia-smi/thamada-RTX3090x2-nvidia-smi.txt",
    "turbostat/telegraf-intel-xeon-6126-input.txt",
    "turbostat/telegraf-usec-whitespace-header-input.txt",
    "powermetrics/codecarbon-mock_powermetrics_log-M1.txt",
    "powermetrics/catapult-powermetrics_output-intel-plist-nul-separated.output",
    "other/powerstat-clearlinux-1915-rapl-partial.txt",
    "other/perf-stat-sandmark-378-energy-pkg-system-wide.txt",
    "other/perf-stat-sandmark-378-energy-pkg-per-process-not-supported.txt",
    "provider/carbon-json-cloud_example_2-gcp-carbon-export.csv",
    "provider/azure-Get-AzCarbonEmissionReport-ex1-overall-summary.txt",
    "provider/azure-Get-AzCarbonEmissionReport-ex6-top-items-summary.txt",
};

static void sniff(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof all_shared / sizeof *all_shared; i++) {
        const char *p = all_shared[i];
        int ps = sniff_file(&ct_fmt_powerstat, shared(p)), pf = sniff_file(&ct_fmt_perf_stat, shared(p));
        int is_ps = strstr(p, "powerstat") != NULL, is_pf = strstr(p, "perf-stat") != NULL;
        if (is_ps ? ps < 80 : ps > 30)
            fail_msg("powerstat sniff %d on %s", ps, p);
        if (is_pf ? pf < 80 : pf > 30)
            fail_msg("perf-stat sniff %d on %s", pf, p);
    }
    static const char *const ps_own[] = {"battery.txt", "midnight.txt", "psys.txt", "gap.txt"};
    static const char *const pf_own[] = {"ram-pkg.txt", "per-socket.txt", "interval.txt", "csv.txt",
                                         "psys.txt"};
    for (size_t i = 0; i < sizeof ps_own / sizeof *ps_own; i++)
        assert_true(sniff_file(&ct_fmt_powerstat, ps_file(ps_own[i])) >= 80);
    for (size_t i = 0; i < sizeof pf_own / sizeof *pf_own; i++)
        assert_true(sniff_file(&ct_fmt_perf_stat, pf_file(pf_own[i])) >= 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(powerstat_clearlinux),
        cmocka_unit_test(powerstat_battery),
        cmocka_unit_test(powerstat_midnight),
        cmocka_unit_test(powerstat_psys),
        cmocka_unit_test(powerstat_gap),
        cmocka_unit_test(powerstat_interval),
        cmocka_unit_test(powerstat_truncated),
        cmocka_unit_test(powerstat_errors),
        cmocka_unit_test(perf_sandmark),
        cmocka_unit_test(perf_ram_and_sockets),
        cmocka_unit_test(perf_intervals),
        cmocka_unit_test(perf_csv),
        cmocka_unit_test(perf_psys_and_detail),
        cmocka_unit_test(perf_errors),
        cmocka_unit_test(perf_bounds),
        cmocka_unit_test(powerstat_first_gap),
        cmocka_unit_test(sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
