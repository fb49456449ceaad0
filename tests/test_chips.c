/* Chip power lookups, checked against the shared TDP tables (read here
 * independently of tools/) and the CCF vCPU averages in
 * ../shared/data/cloud/ccf/CONSTANTS.md (0.74 / 3.5 W per vCPU). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/factors.h"

#define REL_EQ(a, b) assert_true(fabs((a) - (b)) <= 1e-12 * fabs(b) + 1e-15)

static FILE *open_shared(const char *rel)
{
    const char *root = getenv("CT_SHARED");
    char path[1024];
    snprintf(path, sizeof path, "%s/data/%s", root ? root : "../shared", rel);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (CT_SHARED not set?)", path);
    return f;
}

/* "name,watts,..." with neither quoted in these files; strips CR/LF and
 * trailing spaces from the name. Returns 0 when the line has no usable TDP. */
static int name_watts(char *line, char **name, double *w)
{
    line[strcspn(line, "\r\n")] = '\0';
    char *comma = strchr(line, ',');
    if (!comma)
        return 0;
    *comma = '\0';
    for (char *end = comma; end > line && end[-1] == ' ';)
        *--end = '\0';
    char *rest = comma + 1, *end;
    *w = strtod(rest, &end);
    *name = line;
    return end != rest && (*end == ',' || *end == '\0') && *w > 0;
}

static int ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

static void expect_chip(const char *chip, int kind, double watts, const char *src, const char *name)
{
    struct ct_chip c;
    ct_err e = {{0}};
    if (ct_chip_lookup(chip, &c, &e) < 0)
        fail_msg("%s: %s", chip, e.msg);
    assert_int_equal(c.kind, kind);
    REL_EQ(c.watts, watts);
    assert_string_equal(c.source, src);
    if (name)
        assert_string_equal(c.name, name);
    if (kind != CT_CHIP_VCPU)
        assert_true(isnan(c.idle_watts));
}

static void test_exact(void **state)
{
    (void)state;
    expect_chip("Intel Xeon Gold 6248", CT_CHIP_CPU, 150, "codecarbon", "Intel Xeon Gold 6248");
    expect_chip("AMD EPYC 7763", CT_CHIP_CPU, 280, "codecarbon", NULL);
    expect_chip("Apple M1", CT_CHIP_CPU, 10, "codecarbon", NULL);
    /* Only in Green Algorithms. */
    expect_chip("Xeon Gold 6248", CT_CHIP_CPU, 150, "green-algorithms", "Xeon Gold 6248");
    expect_chip("Rasberry Pi 4", CT_CHIP_CPU, 6.4, "green-algorithms", NULL);
}

static void test_case_and_separators(void **state)
{
    (void)state;
    expect_chip("intel xeon gold 6248", CT_CHIP_CPU, 150, "codecarbon", "Intel Xeon Gold 6248");
    expect_chip("INTEL_XEON-GOLD  6248", CT_CHIP_CPU, 150, "codecarbon", NULL);
    expect_chip("  Intel Core i7 8700K ", CT_CHIP_CPU, 95, "codecarbon", "Intel Core i7-8700K");
    /* The spelling of /proc/cpuinfo, and a missing vendor word. */
    expect_chip("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", CT_CHIP_CPU, 150, "codecarbon", NULL);
    expect_chip("NVIDIA_Tesla-T4", CT_CHIP_GPU, 70, "green-algorithms", "NVIDIA Tesla T4");
    expect_chip("Intel Core i9-12900K", CT_CHIP_CPU, 125, "green-algorithms", "Core i9-12900K");
}

static void test_vcpu(void **state)
{
    (void)state;
    struct ct_chip c;
    ct_err e;
    assert_int_equal(ct_chip_lookup("8 vCPU", &c, &e), 0);
    assert_int_equal(c.kind, CT_CHIP_VCPU);
    REL_EQ(c.watts, 8 * 3.5);
    REL_EQ(c.idle_watts, 8 * 0.74);
    assert_string_equal(c.name, "8 vCPU");
    assert_string_equal(c.source, "ccf-app");
    expect_chip("2vcpus", CT_CHIP_VCPU, 7, "ccf-app", "2 vCPU");
    expect_chip("1 VCPU", CT_CHIP_VCPU, 3.5, "ccf-app", "1 vCPU");
    assert_int_equal(ct_chip_lookup("0 vCPU", &c, &e), -1);
}

static void test_gpu(void **state)
{
    (void)state;
    expect_chip("NVIDIA A100 80GB PCIe", CT_CHIP_GPU, 300, "green-algorithms", NULL);
    expect_chip("nvidia tesla v100", CT_CHIP_GPU, 300, "green-algorithms", NULL);
    expect_chip("TPU v4", CT_CHIP_GPU, 170, "green-algorithms", NULL);
}

static void test_unknown(void **state)
{
    (void)state;
    struct ct_chip c;
    ct_err e = {{0}};
    assert_int_equal(ct_chip_lookup("Apple M2", &c, &e), -1);
    assert_non_null(strstr(e.msg, "unknown chip 'Apple M2'; did you mean: "));
    assert_non_null(strstr(e.msg, "Apple M1"));
    assert_int_equal(ct_chip_lookup("Xeon Gold 6284", &c, &e), -1);
    assert_non_null(strstr(e.msg, "Xeon Gold 6248"));
    assert_int_equal(ct_chip_lookup("A100", &c, &e), -1); /* a substring suggests */
    assert_non_null(strstr(e.msg, "NVIDIA A100 40GB PCIe"));
    assert_int_equal(ct_chip_lookup("Tesla T4", &c, &e), -1); /* no vendor word is added */
    assert_non_null(strstr(e.msg, "NVIDIA Tesla T4"));
    assert_int_equal(ct_chip_lookup("Any", &c, &e), -1); /* placeholder rows are not chips */
    assert_int_equal(ct_chip_lookup("", &c, &e), -1);
    assert_int_equal(ct_chip_lookup(NULL, &c, &e), -1);
    assert_int_equal(ct_chip_lookup("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", &c, &e), -1);
    assert_non_null(strstr(e.msg, "unknown chip"));
}

/* Every CodeCarbon row with a usable TDP comes back with its value. */
static void test_every_codecarbon_row(void **state)
{
    (void)state;
    FILE *f = open_shared("hardware/codecarbon-cpu-power.csv");
    char line[256], *name;
    double w;
    int rows = 0;
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        if (!name_watts(line, &name, &w) || !ascii(name))
            continue;
        expect_chip(name, CT_CHIP_CPU, w, "codecarbon", NULL);
        rows++;
    }
    fclose(f);
    assert_true(rows > 4800);
}

/* Green Algorithms rows, where CodeCarbon does not already have the name. */
static void test_every_green_algorithms_row(void **state)
{
    (void)state;
    static const char *const files[] = {"hardware/green-algorithms-TDP_cpu.csv",
                                        "hardware/green-algorithms-TDP_gpu.csv"};
    int rows = 0;
    for (int k = 0; k < 2; k++) {
        FILE *f = open_shared(files[k]);
        char line[512], *name;
        double w;
        struct ct_chip c;
        ct_err e;
        assert_non_null(fgets(line, sizeof line, f)); /* units row */
        assert_non_null(fgets(line, sizeof line, f)); /* header */
        while (fgets(line, sizeof line, f)) {
            if (!name_watts(line, &name, &w))
                continue;
            if (ct_chip_lookup(name, &c, &e) < 0)
                fail_msg("%s: %s", name, e.msg);
            if (strcmp(c.source, "codecarbon") == 0)
                continue;
            assert_int_equal(c.kind, k ? CT_CHIP_GPU : CT_CHIP_CPU);
            REL_EQ(c.watts, w);
            rows++;
        }
        fclose(f);
    }
    assert_true(rows > 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),         cmocka_unit_test(test_case_and_separators),
        cmocka_unit_test(test_vcpu),          cmocka_unit_test(test_gpu),
        cmocka_unit_test(test_unknown),       cmocka_unit_test(test_every_codecarbon_row),
        cmocka_unit_test(test_every_green_algorithms_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
