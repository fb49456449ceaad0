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
    assert_int_equal(ct_chip_lookup("Apple M9", &c, &e), -1);
    assert_non_null(strstr(e.msg, "unknown chip 'Apple M9'; did you mean: "));
    assert_non_null(strstr(e.msg, "Apple M1"));
    assert_int_equal(ct_chip_lookup("Xeon Gold 6284", &c, &e), -1);
    assert_non_null(strstr(e.msg, "Xeon Gold 6248"));
    assert_int_equal(ct_chip_lookup("A100", &c, &e), -1); /* a substring suggests */
    assert_non_null(strstr(e.msg, "NVIDIA A100"));
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

/* Today's chips, each with the figure its vendor publishes (or, where the
 * vendor publishes none, the pinned CCF or Apple figure), the source id and the
 * address it is cited from: typed here from the datasheets, not read back from
 * data/chips_vendor.csv. */
static const struct {
    const char *chip; int kind; double watts, idle; const char *src, *url;
} today[] = {
    {"NVIDIA B200", CT_CHIP_GPU, 1000, NAN, "vendor", "https://www.nvidia.com/en-us/data-center/hgx/"},
    {"NVIDIA H200 SXM", CT_CHIP_GPU, 700, NAN, "vendor", "https://www.nvidia.com/en-us/data-center/h200/"},
    {"NVIDIA H200 NVL", CT_CHIP_GPU, 600, NAN, "vendor", "https://www.nvidia.com/en-us/data-center/h200/"},
    {"NVIDIA H100 SXM", CT_CHIP_GPU, 700, NAN, "vendor", "https://www.nvidia.com/en-us/data-center/h100/"},
    {"NVIDIA H100 PCIe", CT_CHIP_GPU, 350, NAN, "vendor", "https://www.nvidia.com/content/dam/"},
    {"NVIDIA H100 NVL", CT_CHIP_GPU, 400, NAN, "vendor", "https://www.nvidia.com/en-us/data-center/h100/"},
    {"NVIDIA A100 SXM4 40GB", CT_CHIP_GPU, 400, NAN, "vendor", "https://www.nvidia.com/content/dam/"},
    {"nvidia-a100-sxm4-80gb", CT_CHIP_GPU, 400, NAN, "vendor", "https://www.nvidia.com/content/dam/"},
    {"NVIDIA A100 PCIe 40GB", CT_CHIP_GPU, 250, NAN, "vendor", "https://www.nvidia.com/content/dam/"},
    {"NVIDIA A100 PCIe 80GB", CT_CHIP_GPU, 300, NAN, "vendor", "https://www.nvidia.com/content/dam/"},
    {"NVIDIA L40S", CT_CHIP_GPU, 350, NAN, "vendor", "https://www.nvidia.com/en-us/data-center/l40s/"},
    {"NVIDIA L40", CT_CHIP_GPU, 300, NAN, "vendor", "https://www.nvidia.com/en-us/data-center/l40/"},
    {"NVIDIA L4", CT_CHIP_GPU, 72, NAN, "vendor", "https://www.nvidia.com/en-us/data-center/l4/"},
    {"NVIDIA A40", CT_CHIP_GPU, 300, NAN, "vendor", "https://www.nvidia.com/en-us/data-center/a40/"},
    {"NVIDIA A30", CT_CHIP_GPU, 165, NAN, "vendor", "https://www.nvidia.com/en-us/data-center/products/a30"},
    {"NVIDIA A10", CT_CHIP_GPU, 150, NAN, "vendor", "https://www.nvidia.com/en-us/data-center/products/a10"},
    {"NVIDIA A10G", CT_CHIP_GPU, 153, 18, "ccf-app", "https://github.com/cloud-carbon-footprint/"},
    {"NVIDIA T4", CT_CHIP_GPU, 70, NAN, "vendor", "https://www.nvidia.com/en-us/data-center/tesla-t4/"},
    {"NVIDIA V100 SXM2", CT_CHIP_GPU, 300, NAN, "vendor", "https://images.nvidia.com/"},
    {"NVIDIA V100 PCIe", CT_CHIP_GPU, 250, NAN, "vendor", "https://images.nvidia.com/"},
    {"NVIDIA RTX 6000 Ada", CT_CHIP_GPU, 300, NAN, "vendor", "https://www.nvidia.com/en-us/design-"},
    {"NVIDIA RTX A6000", CT_CHIP_GPU, 300, NAN, "vendor", "https://www.nvidia.com/en-us/design-"},
    {"nvidia rtx a5000", CT_CHIP_GPU, 230, NAN, "vendor", "https://www.nvidia.com/en-us/design-"},
    {"NVIDIA RTX A4000", CT_CHIP_GPU, 140, NAN, "vendor", "https://www.nvidia.com/en-us/design-"},
    {"NVIDIA GeForce RTX 5090", CT_CHIP_GPU, 575, NAN, "vendor", "https://www.nvidia.com/en-us/geforce/"},
    {"NVIDIA GeForce RTX 4090", CT_CHIP_GPU, 450, NAN, "vendor", "https://www.nvidia.com/en-us/geforce/"},
    {"NVIDIA GeForce RTX 4080", CT_CHIP_GPU, 320, NAN, "vendor", "https://www.nvidia.com/en-us/geforce/"},
    {"NVIDIA GeForce RTX 3090", CT_CHIP_GPU, 350, NAN, "vendor", "https://www.nvidia.com/en-us/geforce/"},
    {"NVIDIA GeForce RTX 3080", CT_CHIP_GPU, 320, NAN, "vendor", "https://www.nvidia.com/en-us/geforce/"},
    {"AMD Instinct MI300X", CT_CHIP_GPU, 750, NAN, "vendor", "https://www.amd.com/en/products/"},
    {"AMD_Instinct_MI250X", CT_CHIP_GPU, 560, NAN, "vendor", "https://www.amd.com/en/products/"},
    {"Apple M1 Max", CT_CHIP_CPU, 115, 11, "apple-power", "https://support.apple.com/en-us/102027"},
    {"Apple M1 Ultra", CT_CHIP_CPU, 215, 13, "apple-power", "https://support.apple.com/en-us/102027"},
    {"Apple M2", CT_CHIP_CPU, 50, NAN, "apple-power", "https://support.apple.com/en-us/103253"},
    {"Apple M2 Max", CT_CHIP_CPU, 145, 9, "apple-power", "https://support.apple.com/en-us/102027"},
    {"Apple M2 Ultra", CT_CHIP_CPU, 295, 10, "apple-power", "https://support.apple.com/en-us/102027"},
    {"Apple M4", CT_CHIP_CPU, 65, 4, "apple-power", "https://support.apple.com/en-us/103253"},
    {"Apple M4 Pro", CT_CHIP_CPU, 140, 5, "apple-power", "https://support.apple.com/en-us/103253"},
};

static void test_today(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof today / sizeof *today; i++) {
        struct ct_chip c;
        ct_err e = {{0}};
        if (ct_chip_lookup(today[i].chip, &c, &e) < 0)
            fail_msg("%s: %s", today[i].chip, e.msg);
        assert_int_equal(c.kind, today[i].kind);
        REL_EQ(c.watts, today[i].watts);
        if (isnan(today[i].idle))
            assert_true(isnan(c.idle_watts));
        else
            REL_EQ(c.idle_watts, today[i].idle);
        assert_string_equal(c.source, today[i].src);
        assert_non_null(c.url);
        if (strncmp(c.url, today[i].url, strlen(today[i].url)) != 0)
            fail_msg("%s: url %s, expected %s...", today[i].chip, c.url, today[i].url);
        assert_true(c.note && c.note[0]);
        if (strncmp(today[i].chip, "Apple", 5) == 0) /* Apple publishes no TDP: the note says so */
            assert_non_null(strstr(c.note, "Apple publishes no TDP"));
        assert_non_null(ct_source_get(c.source));
    }
}

/* "A100" names NVIDIA's GPUs and an Intel CPU: the GPUs come first. */
static void test_suggest_kind_first(void **state)
{
    (void)state;
    struct ct_chip c;
    ct_err e = {{0}};
    assert_int_equal(ct_chip_lookup("A100", &c, &e), -1);
    const char *list = strstr(e.msg, "did you mean: ");
    assert_non_null(list);
    list += strlen("did you mean: ");
    assert_int_equal(strncmp(list, "NVIDIA A100", 11), 0);
    const char *intel = strstr(list, "Intel A100");
    int before = 0; /* every NVIDIA A100 shown comes before Intel's */
    for (const char *p = list; (p = strstr(p, "NVIDIA A100")) != NULL; p++)
        before += !intel || p < intel;
    assert_true(before >= 4);
    assert_int_equal(ct_chip_lookup("Xeon Gold 628", &c, &e), -1); /* CPUs stay CPUs */
    assert_non_null(strstr(e.msg, "did you mean: Xeon Gold") ? e.msg : strstr(e.msg, "Intel Xeon Gold"));
}

/* N vCPU takes the provider's CCF figures (CONSTANTS.md: AWS 0.74/3.5, Azure
 * 0.74/3.54, GCP median 0.68/4.11); named in the chip, or given by the caller. */
static void test_vcpu_provider(void **state)
{
    (void)state;
    struct ct_chip c;
    ct_err e = {{0}};
    assert_int_equal(ct_chip_lookup_for("4 vCPU", "gcp", &c, &e), 0);
    REL_EQ(c.watts, 4 * 4.11);
    REL_EQ(c.idle_watts, 4 * 0.68);
    assert_string_equal(c.provider, "gcp");
    assert_int_equal(ct_chip_lookup_for("4 vCPU", "azure", &c, &e), 0);
    REL_EQ(c.watts, 4 * 3.54);
    REL_EQ(c.idle_watts, 4 * 0.74);
    assert_int_equal(ct_chip_lookup_for("2 gcp vCPU", "aws", &c, &e), 0); /* the chip's word wins */
    REL_EQ(c.watts, 2 * 4.11);
    assert_string_equal(c.name, "2 gcp vCPU");
    assert_int_equal(ct_chip_lookup("8 aws vCPUs", &c, &e), 0);
    REL_EQ(c.watts, 8 * 3.5);
    assert_int_equal(ct_chip_lookup("8 azure vcpu", &c, &e), 0);
    REL_EQ(c.watts, 8 * 3.54);
    assert_int_equal(ct_chip_lookup("8 oracle vCPU", &c, &e), -1);
}

static int count_row(const struct ct_chip *c, void *ud)
{
    int *n = ud;
    n[0]++;
    n[1] += c->kind == CT_CHIP_GPU;
    n[2] += c->kind == CT_CHIP_VCPU;
    return 0;
}

/* The listing behind `co2tally chips QUERY`. */
static void test_each(void **state)
{
    (void)state;
    int n[3] = {0, 0, 0};
    ct_chip_each("h100", count_row, n);
    assert_int_equal(n[0], 3); /* SXM, PCIe, NVL */
    assert_int_equal(n[1], 3);
    memset(n, 0, sizeof n);
    ct_chip_each("vcpu", count_row, n);
    assert_int_equal(n[0], 4); /* average, aws, azure, gcp */
    assert_int_equal(n[2], 4);
    memset(n, 0, sizeof n);
    ct_chip_each(NULL, count_row, n);
    assert_true(n[0] > 4900);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact),         cmocka_unit_test(test_case_and_separators),
        cmocka_unit_test(test_vcpu),          cmocka_unit_test(test_gpu),
        cmocka_unit_test(test_unknown),       cmocka_unit_test(test_every_codecarbon_row),
        cmocka_unit_test(test_every_green_algorithms_row), cmocka_unit_test(test_today),
        cmocka_unit_test(test_suggest_kind_first), cmocka_unit_test(test_vcpu_provider),
        cmocka_unit_test(test_each),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
