/* powermetrics parser: the codecarbon M1 text log and catapult's NUL-separated
 * Intel plist (real powermetrics output), and the edge cases in
 * tests/fixtures/powermetrics. Totals are recomputed here from the files' own
 * numbers by a separate, simpler reading, or written out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "formats/format.h"
#include "reading_testutil.h"

extern const struct ct_format_ops ct_fmt_powermetrics;

static int parse_input(struct ct_input *in, const struct ct_parse_opts *o, struct col *c,
                       ct_err *e)
{
    return rt_parse_input(&ct_fmt_powermetrics, in, o, c, e);
}

static int parse(const char *path, const struct ct_parse_opts *o, struct col *c, ct_err *e)
{
    return rt_parse(&ct_fmt_powermetrics, path, o, c, e);
}

static int parse_ok(const char *path, const struct ct_parse_opts *o, struct col *c)
{
    return rt_parse_ok(&ct_fmt_powermetrics, path, o, c);
}

static char *path_of(const char *env, const char *dir, const char *rel)
{
    static char buf[1024];
    const char *root = getenv(env);
    snprintf(buf, sizeof buf, "%s/%s%s", root ? root : ".", dir, rel);
    return buf;
}

static char *shared(const char *rel) { return path_of("CT_SHARED", "fixtures/", rel); }
static char *mine(const char *rel)
{
    return path_of("CT_SOURCE_ROOT", "tests/fixtures/powermetrics/", rel);
}

/* ---- the M1 text log ---- */

/* Per sample: "Package Power: N mW" x "(N ms elapsed)", read with sscanf. */
static void m1_figures(double *package, double *cpu, double *dram, int *samples)
{
    size_t n;
    char *text = strdup(slurp(shared("powermetrics/codecarbon-mock_powermetrics_log-M1.txt"), &n));
    double ms = 0, v;
    char *save = NULL;
    *package = *cpu = *dram = 0;
    *samples = 0;
    for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        char *p = strstr(ln, ") (");
        if (strncmp(ln, "*** Sampled", 11) == 0 && p && sscanf(p + 3, "%lfms", &ms) == 1)
            (*samples)++;
        else if (sscanf(ln, "Package Power: %lf mW", &v) == 1)
            *package += v / 1000 * ms / 1000;
        else if (sscanf(ln, "CPU Power: %lf mW", &v) == 1)
            *cpu += v / 1000 * ms / 1000;
        else if (sscanf(ln, "DRAM Power: %lf mW", &v) == 1)
            *dram += v / 1000 * ms / 1000;
    }
    free(text);
}

static void m1_text(void **state)
{
    (void)state;
    double package, cpu, dram;
    int samples;
    m1_figures(&package, &cpu, &dram, &samples);
    assert_int_equal(samples, 10);
    struct col c;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse_ok(shared("powermetrics/codecarbon-mock_powermetrics_log-M1.txt"), &o, &c), 0);
    /* the package counted once; CPU, GPU, ANE and DRAM inside it as detail */
    assert_near(sum(&c, NULL, 0), package, 1e-12);
    assert_near(sum(&c, "package-0", 0), package, 1e-12);
    assert_near(sum(&c, "cpu", 1), cpu, 1e-12);
    assert_near(sum(&c, "dram-0", 1), dram, 1e-12);
    assert_int_equal(count(&c, "package-0"), 10);
    assert_int_equal(count(&c, "gpu:0"), 10);
    assert_string_equal(c.r[0].model, "MacBookAir10,1");
    /* first sample ends at its date, 12:37:08 +0100 = 11:37:08Z; then back to back */
    assert_near(c.r[0].t1, 1699616228.0, 1e-6);
    assert_near(c.r[0].t1 - c.r[0].t0, 0.10451, 1e-6);
    for (size_t i = 1; i < c.n; i++)
        assert_true(c.r[i].t0 == c.r[i - 1].t0 || c.r[i].t0 == c.r[i - 1].t1);
}

/* ---- the Intel plist log ---- */

static void catapult_plist(void **state)
{
    (void)state;
    size_t n;
    const char *text = slurp(shared("powermetrics/catapult-powermetrics_output-intel-plist-nul-separated.output"), &n);
    /* The file's own numbers, found by a plain search over the bytes. */
    double joules[16], watts[16], elapsed[16];
    int nj = 0, nw = 0, ne = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = text + i;
        if (!memcmp(p, "<key>package_joules</key><real>", 31) && nj < 16)
            joules[nj++] = atof(p + 31);
        else if (!memcmp(p, "<key>package_watts</key><real>", 30) && nw < 16)
            watts[nw++] = atof(p + 30);
        else if (!memcmp(p, "<key>elapsed_ns</key><integer>", 30) && ne < 16)
            elapsed[ne++] = atof(p + 30) / 1e9;
    }
    assert_int_equal(nj, 9);
    assert_int_equal(nw, 9);
    assert_int_equal(ne, 9);
    assert_near(joules[0], 27.5028, 0); /* SOURCES.md */
    assert_near(watts[0], 5.49528, 0);
    struct col c;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse_ok(shared("powermetrics/catapult-powermetrics_output-intel-plist-nul-separated.output"), &o, &c), 0);
    assert_int_equal(c.n, 9);
    double total = 0;
    for (int i = 0; i < 9; i++) {
        total += joules[i];
        assert_string_equal(c.r[i].dev, "package-0");
        assert_int_equal(c.r[i].detail, 0);
        assert_near(c.r[i].j, joules[i], 1e-12);  /* the energy field, as measured */
        assert_near(c.r[i].j, watts[i] * elapsed[i], 1e-4 * c.r[i].j); /* = power x elapsed */
        assert_near(c.r[i].t1 - c.r[i].t0, elapsed[i], 1e-6);
    }
    assert_near(sum(&c, NULL, 0), total, 1e-9);
    assert_string_equal(c.r[0].model, "MacBookPro10,1");
    assert_near(c.r[0].t1, 1390346076.0, 1e-6); /* 2014-01-21T23:14:36Z */
}

/* ---- newer wording, Intel text, edge cases ---- */

/* Combined Power counted; CPU, GPU, ANE detail; GPU Power listed twice per sample
 * (processor and GPU sections) counts once. Sample 1: 552 mW for 1.00352 s;
 * sample 2: 797 mW for 1.00110 s. */
static void check_combined(const char *path)
{
    struct col c;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse_ok(path, &o, &c), 0);
    assert_near(sum(&c, NULL, 0), 0.552 * 1.00352 + 0.797 * 1.00110, 1e-12);
    assert_near(sum(&c, "gpu:0", 1), 0.040 * 1.00352 + 0.055 * 1.00110, 1e-12);
    assert_near(sum(&c, "cpu", 1), 0.512 * 1.00352 + 0.730 * 1.00110, 1e-12);
    assert_int_equal(count(&c, "gpu:0"), 2);
    assert_int_equal(count(&c, "dram-0"), 0);
    assert_near(c.r[0].t1, 1681146001.0, 1e-6); /* 10:00:01 -0700 */
    assert_string_equal(c.r[0].model, "Mac14,2");
}

static void combined(void **state)
{
    (void)state;
    check_combined(mine("combined.txt"));
}

static void combined_crlf(void **state)
{
    (void)state;
    check_combined(mine("combined-crlf.txt"));
}

static void intel_text(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse_ok(mine("intel.txt"), &o, &c), 0);
    assert_int_equal(c.n, 2);
    assert_near(sum(&c, "package-0", 0), 1.63 * 5.00123 + 2.10 * 5.00277, 1e-12);
    assert_near(c.r[0].t1, 1604394005.0, 1e-6); /* 2020-11-03 10:00:05 +0100 */
}

/* The last sample is cut before its Combined line (the last line has no line
 * end): it is dropped and counted as skipped. */
static void truncated_text(void **state)
{
    (void)state;
    struct col c;
    long skipped = 0;
    struct ct_parse_opts o = opts(NAN, NAN);
    o.skipped = &skipped;
    assert_int_equal(parse_ok(mine("truncated.txt"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), 0.552 * 1.00352, 1e-12);
    assert_true(skipped >= 1);
}

/* Sample 3 is dated ten minutes after the chain: re-anchored, not bridged. */
static void gap(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(NAN, NAN);
    long gaps = 0;
    double gap_s = 0;
    o.gaps = &gaps;
    o.gap_seconds = &gap_s;
    assert_int_equal(parse_ok(mine("gap.txt"), &o, &c), 0);
    assert_near(sum(&c, "package-0", 0), 0.5 + 0.6 + 0.7, 1e-12);
    assert_near(c.r[c.n - 1].t1, 1681121402.0, 1e-6); /* 10:10:02Z */
    assert_near(c.r[c.n - 1].t0, 1681121401.0, 1e-6);
    /* one gap: the chain would have ended at 10:00:03, the sample at 10:10:02 */
    assert_int_equal(gaps, 1);
    assert_near(gap_s, 599, 1e-6);
}

static void backwards(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse(mine("backwards.txt"), &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "backwards.txt:37: powermetrics sample is dated before"));
}

static void no_elapsed(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse(mine("no-elapsed.txt"), &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "no-elapsed.txt:8:"));
    assert_non_null(strstr(e.msg, "--interval"));
    o = opts(NAN, 2);
    assert_int_equal(parse_ok(mine("no-elapsed.txt"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), 1.0, 1e-12);
}

static void malformed(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse(mine("malformed.txt"), &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "malformed.txt:14: expected a power in mW or W after 'GPU Power:'"));
}

static void empty(void **state)
{
    (void)state;
    struct col c;
    ct_err e;
    struct ct_parse_opts o = opts(NAN, 1);
    assert_int_equal(parse(mine("empty.txt"), &o, &c, &e), -1);
    assert_non_null(strstr(e.msg, "expected powermetrics samples"));
}

/* DRAM sits outside Combined (counted) but inside Apple's old Package (detail). */
static void dram_rule(void **state)
{
    (void)state;
    static const char combined_text[] =
        "*** Sampled system activity (Mon Apr 10 10:00:01 2023 +0000) (1000ms elapsed) ***\n"
        "CPU Power: 300 mW\nDRAM Power: 100 mW\nCombined Power (CPU + GPU + ANE): 300 mW\n";
    static const char package_text[] =
        "*** Sampled system activity (Mon Apr 10 10:00:01 2023 +0000) (1000ms elapsed) ***\n"
        "CPU Power: 300 mW\nDRAM Power: 100 mW\nPackage Power: 450 mW\n";
    struct ct_input *in;
    ct_err e;
    struct col c = {.n = 0};
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(ct_input_memopen(combined_text, sizeof combined_text - 1, "m", &in, &e), 0);
    assert_int_equal(parse_input(in, &o, &c, &e), 0);
    assert_near(sum(&c, NULL, 0), 0.4, 1e-12);
    assert_near(sum(&c, "dram-0", 0), 0.1, 1e-12);
    c.n = 0;
    assert_int_equal(ct_input_memopen(package_text, sizeof package_text - 1, "m", &in, &e), 0);
    assert_int_equal(parse_input(in, &o, &c, &e), 0);
    assert_near(sum(&c, NULL, 0), 0.45, 1e-12);
    assert_near(sum(&c, "dram-0", 1), 0.1, 1e-12);
}

/* Apple Silicon plist: the mJ energy fields win over combined_power x elapsed;
 * gpu_energy, in both the processor and the gpu dicts, counts once. */
static void apple_plist(void **state)
{
    (void)state;
    struct col c;
    struct ct_parse_opts o = opts(NAN, NAN);
    assert_int_equal(parse_ok(mine("apple.plist"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), (514 + 40 + 0) / 1e3 + (731 + 55 + 12) / 1e3, 1e-12);
    assert_near(sum(&c, "gpu:0", 1), 0.040 + 0.055, 1e-12);
    assert_near(sum(&c, "cpu", 1), 0.514 + 0.731, 1e-12);
    assert_near(c.r[0].t1, 1681146001.0, 1e-6);
    assert_near(c.r[0].t1 - c.r[0].t0, 1.00352, 1e-6);
    /* with powers only (mW): power x elapsed */
    assert_int_equal(parse_ok(mine("apple-power.plist"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), 0.554 * 1.00352 + 0.798 * 1.0011, 1e-12);
    assert_near(sum(&c, "gpu:0", 1), 0.040 * 1.00352 + 0.055 * 1.0011, 1e-12);
}

static void truncated_plist(void **state)
{
    (void)state;
    struct col c;
    long skipped = 0;
    struct ct_parse_opts o = opts(NAN, NAN);
    o.skipped = &skipped;
    assert_int_equal(parse_ok(mine("truncated.plist"), &o, &c), 0);
    assert_near(sum(&c, NULL, 0), 0.554, 1e-12);
    assert_int_equal(skipped, 1);
}

/* Streaming: the parse reads a pipe, as the live macOS sensor reads powermetrics'
 * stdout, and hands over each sample while the writer is still running. The
 * writer sends both samples, then holds the pipe open until the first reading
 * arrives: a parser that waited for more input (a sniffing peek, say) would hang,
 * and the alarm fails the test. */
struct relay {
    struct col *c;
    int ack;
};

static int relay_emit(void *ud, const struct ct_reading *r, ct_err *e)
{
    struct relay *rl = ud;
    if (rl->c->n == 0 && write(rl->ack, "x", 1) != 1)
        return ct_errf(e, "cannot ack");
    return collect(rl->c, r, e);
}

static void streams_from_a_pipe(void **state)
{
    (void)state;
    size_t n;
    const char *text = slurp(mine("apple.plist"), &n);
    int data[2], ack[2];
    assert_int_equal(pipe(data), 0);
    assert_int_equal(pipe(ack), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(data[0]);
        close(ack[1]);
        for (size_t off = 0; off < n;) { /* dribble it out, 100 bytes at a time */
            ssize_t w = write(data[1], text + off, n - off < 100 ? n - off : 100);
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
        char b;
        _exit(read(ack[0], &b, 1) == 1 ? 0 : 1);
    }
    close(data[1]);
    close(ack[0]);
    alarm(30);
    struct ct_input *in;
    ct_err e;
    struct col c = {.n = 0};
    struct relay rl = {&c, ack[1]};
    assert_int_equal(ct_input_fdopen(data[0], "powermetrics", &in, &e), 0);
    struct ct_parse_opts o = opts(NAN, NAN);
    struct ct_reading_sink sink = {.emit = relay_emit, .ud = &rl};
    int rc = ct_fmt_powermetrics.parse(in, &o, &sink, &e);
    ct_input_close(in);
    alarm(0);
    assert_int_equal(rc, 0);
    close(data[0]);
    close(ack[1]);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_near(sum(&c, NULL, 0), 1.352, 1e-12);
}

static int sniff_file(const char *path)
{
    size_t n;
    char *head = slurp(path, &n);
    return ct_fmt_powermetrics.sniff(head, n < 16384 ? n : 16384);
}

static void sniff(void **state)
{
    (void)state;
    static const char *const own[] = {
        "powermetrics/codecarbon-mock_powermetrics_log-M1.txt",
        "powermetrics/catapult-powermetrics_output-intel-plist-nul-separated.output"};
    static const char *const others[] = {
        "nvidia-smi/ksysguard-gpu-27-nvidia-smi-query-loop-driver520.csv",
        "nvidia-smi/bpytop-26-nvidia-smi-query-csv-2gpu-load.csv",
        "nvidia-smi/thamada-RTX3090x2-nvidia-smi.txt",
        "turbostat/telegraf-intel-xeon-6126-input.txt",
        "turbostat/telegraf-usec-whitespace-header-input.txt",
        "other/powerstat-clearlinux-1915-rapl-partial.txt",
        "other/perf-stat-sandmark-378-energy-pkg-system-wide.txt",
        "provider/carbon-json-cloud_example_2-gcp-carbon-export.csv",
        "provider/azure-Get-AzCarbonEmissionReport-ex2-monthly-summary.txt",
        "provider/azure-Get-AzCarbonEmissionReport-ex7-top-items-monthly-summary.txt"};
    static const char *const own_edge[] = {"combined.txt", "intel.txt", "apple.plist", "gap.txt"};
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        assert_true(sniff_file(shared(own[i])) >= 80);
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        assert_true(sniff_file(shared(others[i])) <= 30);
    for (size_t i = 0; i < sizeof own_edge / sizeof *own_edge; i++)
        assert_true(sniff_file(mine(own_edge[i])) >= 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(m1_text),
        cmocka_unit_test(catapult_plist),
        cmocka_unit_test(combined),
        cmocka_unit_test(combined_crlf),
        cmocka_unit_test(intel_text),
        cmocka_unit_test(truncated_text),
        cmocka_unit_test(gap),
        cmocka_unit_test(backwards),
        cmocka_unit_test(no_elapsed),
        cmocka_unit_test(malformed),
        cmocka_unit_test(empty),
        cmocka_unit_test(dram_rule),
        cmocka_unit_test(apple_plist),
        cmocka_unit_test(truncated_plist),
        cmocka_unit_test(streams_from_a_pipe),
        cmocka_unit_test(sniff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
