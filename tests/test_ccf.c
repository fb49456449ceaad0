/* The CCF-compatible estimator and the "usage" format, against values worked
 * by hand from CCF's constants (data/ccf). tests/ccf_parity checks 300 rows
 * against CCF's own code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estimate/ccf.h"
#include "formats/format.h"
#include "formats/usage_ccf.h"

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-12 * fabs((double)(b)) + 1e-15)

static struct ct_ccf_usage blank(const char *prov, const char *region)
{
    return (struct ct_ccf_usage){.provider = prov, .region = region, .service = "", .usage_type = "",
                                 .processor = "", .instance_hours = NAN, .vcpu_hours = NAN,
                                 .gpu_hours = NAN, .gpu_model = "", .memory_gb_hours = NAN,
                                 .storage_tb_hours = NAN, .storage_type = "", .replication = "",
                                 .network_gb = NAN, .utilisation = NAN};
}

static void test_compute_cascade_lake(void **state)
{
    (void)state;
    struct ct_ccf_usage u = blank("aws", "us-east-1");
    struct ct_ccf_result r;
    ct_err e;
    u.processor = "Cascade Lake";
    u.vcpu_hours = 1000;
    assert_int_equal(ct_ccf_estimate(&u, &r, &e), 0);
    double w = 0.64 + 0.5 * (3.97 - 0.64); /* 2.305 W per vCPU */
    NEAR(r.part[CT_CCF_CPU].kwh, w * 1000 * 1.135 / 1000);
    NEAR(r.part[CT_CCF_CPU].kwh_device, w * 1000 / 1000);
    NEAR(r.co2e_t, w * 1000 * 1.135 / 1000 * 0.000379069);
}

static void test_median_and_unknown(void **state)
{
    (void)state;
    struct ct_ccf_usage u = blank("azure", "nowhere");
    struct ct_ccf_result r;
    ct_err e;
    u.processor = "Ivy Bridge;Sandy Bridge;Haswell"; /* median: 2.17 | 8.25 */
    u.vcpu_hours = 10;
    assert_int_equal(ct_ccf_estimate(&u, &r, &e), 0);
    NEAR(r.min_w, 2.17);
    NEAR(r.max_w, 8.25);
    assert_int_equal(r.factor_unknown, 1);
    NEAR(r.factor_t, 0.0003512799615);
    u = blank("gcp", "europe-west1");
    u.vcpu_hours = 10;
    assert_int_equal(ct_ccf_estimate(&u, &r, &e), 0);
    NEAR(r.min_w, 0.68); /* GCP: the median for unknown processors */
    NEAR(r.pue, 1.09);
}

static void test_storage_network_memory(void **state)
{
    (void)state;
    struct ct_ccf_usage u = blank("aws", "eu-west-1");
    struct ct_ccf_result r;
    ct_err e;
    u.storage_tb_hours = 100;
    u.storage_type = "hdd";
    u.replication = "S3";
    u.network_gb = 50;
    u.memory_gb_hours = 1000;
    assert_int_equal(ct_ccf_estimate(&u, &r, &e), 0);
    NEAR(r.part[CT_CCF_STORAGE].kwh, 100 * 0.65 * 1.135 * 6 / 1000);
    NEAR(r.part[CT_CCF_NETWORK].kwh, 50 * 0.001 * 1.135);
    NEAR(r.part[CT_CCF_MEMORY].kwh, 1000 * 0.000392 * 1.135 * 6);
    u.replication = "NOPE";
    assert_int_equal(ct_ccf_estimate(&u, &r, &e), -1);
    u.replication = "";
    u.storage_type = "tape";
    assert_int_equal(ct_ccf_estimate(&u, &r, &e), -1);
}

/* m5.large (Skylake, 2 vCPU, 8 GB; family 96 vCPU / 384 GB): CCF's extra
 * memory is (384 - 81.32) / (384 / 8) GB per hour. */
static void test_instance_memory_embodied(void **state)
{
    (void)state;
    struct ct_ccf_usage u = blank("aws", "us-west-2");
    struct ct_ccf_result r;
    ct_err e;
    u.usage_type = "m5.large";
    u.instance_hours = 100;
    u.embodied = 1;
    assert_int_equal(ct_ccf_estimate(&u, &r, &e), 0);
    NEAR(r.vcpu_hours, 200);
    NEAR(r.memory_gb_hours, ((384 - 81.32) / (384.0 / 8)) * 100);
    NEAR(r.embodied_t, 1.61079 * ((100.0 / 2) / 35040) * (2.0 / 96));
    u.usage_type = "no.such";
    assert_int_equal(ct_ccf_estimate(&u, &r, &e), -1);
}

static int count_reading(void *ud, const struct ct_reading *r, ct_err *e)
{
    (void)e;
    double *j = ud;
    assert_int_equal(r->method, 2 - 1); /* CT_METHOD_CALCULATED */
    assert_string_equal(r->host, "aws:us-east-1");
    *j += r->joules;
    return 0;
}

static void test_usage_format(void **state)
{
    (void)state;
    const char *t = "provider,region,processor,vcpu_hours,start,end\n"
                    "aws,us-east-1,Cascade Lake,1000,2024-01-15,2024-02-15\n";
    struct ct_input *in;
    ct_err e;
    double j = 0;
    assert_int_equal(ct_input_memopen(t, strlen(t), "u.csv", &in, &e), 0);
    struct ct_parse_opts o = {.start = NAN, .interval = NAN, .max_gap = NAN};
    struct ct_reading_sink sink = {.emit = count_reading, .ud = &j};
    assert_int_equal(ct_format_find("usage")->parse(in, &o, &sink, &e), 0);
    ct_input_close(in);
    NEAR(j, (0.64 + 0.5 * (3.97 - 0.64)) * 1000 / 1000 * 3.6e6); /* device energy, no PUE */
    const char *bad = "provider,region,vcpu_hours,start,end\naws,us-east-1,lots,2024-01-01,2024-02-01\n";
    assert_int_equal(ct_input_memopen(bad, strlen(bad), "b.csv", &in, &e), 0);
    assert_int_equal(ct_format_find("usage")->parse(in, &o, &sink, &e), -1);
    assert_non_null(strstr(e.msg, "b.csv:2: column 'vcpu_hours': 'lots' is not a number"));
    ct_input_close(in);
}

/* Readings as the usage format hands them over, with their order checked the
 * way the importer's bucketer does: per device, never backwards in time. */
#define SEEN_MAX 1024
struct seen {
    int n;
    double j;
    char dev[SEEN_MAX][256]; /* host and device */
    double t1[SEEN_MAX];
    int backwards;
};

static int keep_reading(void *ud, const struct ct_reading *r, ct_err *e)
{
    (void)e;
    struct seen *s = ud;
    char key[256];
    snprintf(key, sizeof key, "%s %s", r->host ? r->host : "", r->device);
    s->j += r->joules;
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->dev[i], key)) {
            s->backwards |= r->t0 < s->t1[i];
            s->t1[i] = r->t1;
            return 0;
        }
    assert_true(s->n < SEEN_MAX);
    if (s->n < SEEN_MAX) {
        snprintf(s->dev[s->n], sizeof s->dev[0], "%s", key);
        s->t1[s->n++] = r->t1;
    }
    return 0;
}

static int parse_usage(const char *t, const struct ct_parse_opts *o, struct seen *s, ct_err *e)
{
    struct ct_input *in;
    memset(s, 0, sizeof *s);
    assert_int_equal(ct_input_memopen(t, strlen(t), "u.csv", &in, e), 0);
    struct ct_reading_sink sink = {.emit = keep_reading, .ud = s};
    int rc = ct_format_find("usage")->parse(in, o, &sink, e);
    ct_input_close(in);
    return rc;
}

/* Issue 15: rows repeating a (provider, region, type) in one month add up, as
 * CCF sums them, instead of failing with "time went backwards". */
static void test_usage_rows_add_up(void **state)
{
    (void)state;
    const double w = 0.64 + 0.5 * (3.97 - 0.64); /* Cascade Lake at 50 %: 2.305 W per vCPU */
    const char *t = "provider,region,processor,vcpu_hours,start,end\n"
                    "aws,us-east-1,Cascade Lake,1000,2024-01-01,2024-02-01\n"
                    "aws,us-east-1,Cascade Lake,500,2024-01-01,2024-02-01\n"
                    "aws,us-east-1,Cascade Lake,250,2024-01-10,2024-01-20\n"
                    "aws,us-east-1,Cascade Lake,100,2024-02-01,2024-03-01\n";
    struct ct_parse_opts o = {.start = NAN, .interval = NAN, .max_gap = NAN};
    static struct seen s;
    ct_err e;
    assert_int_equal(parse_usage(t, &o, &s, &e), 0);
    assert_int_equal(s.backwards, 0);
    assert_int_equal(s.n, 1); /* one device: aws:usage/cpu */
    NEAR(s.j, w * (1000 + 500 + 250 + 100) / 1000 * 3.6e6);
}

/* Issue 15: a row ending in 9999 took 7 GB and wrote a 1.9 GB ledger. Rows
 * outside 2000 .. now + a year, or longer than a year, are bad lines. */
static void test_usage_bounds(void **state)
{
    (void)state;
    struct ct_parse_opts o = {.start = NAN, .interval = NAN, .max_gap = NAN, .now = 1735689600};
    static struct seen s;
    ct_err e;
    long skipped = 0;
    const char *t = "provider,region,processor,vcpu_hours,start,end\n"
                    "aws,us-east-1,Cascade Lake,1000,2024-01-01,2024-02-01\n"
                    "aws,us-east-1,Cascade Lake,1000,2024-01-01,9999-12-31\n";
    assert_int_equal(parse_usage(t, &o, &s, &e), -1);
    assert_non_null(strstr(e.msg, "u.csv:3: usage: "));
    assert_non_null(strstr(e.msg, "outside the plausible window"));
    o.skip_bad = 1;
    o.skipped = &skipped;
    assert_int_equal(parse_usage(t, &o, &s, &e), 0);
    assert_int_equal(skipped, 1);
    NEAR(s.j, (0.64 + 0.5 * (3.97 - 0.64)) * 1000 / 1000 * 3.6e6);
    o.skip_bad = 0;
    t = "provider,region,processor,vcpu_hours,start,end\n"
        "aws,us-east-1,Cascade Lake,1000,2022-01-01,2024-01-01\n";
    assert_int_equal(parse_usage(t, &o, &s, &e), -1);
    assert_non_null(strstr(e.msg, "u.csv:2: usage: one reading spans 63072000 s, longer than "
                                  "the year allowed"));
}

/* The parity rows (tests/ccf_parity/rows.csv: 300 rows, many repeating a
 * type and region in January 2024) import, and their energy is the sum of
 * each row's own estimate, taken one row at a time by ct_usage_each. */
static int sum_row(void *ud, const struct ct_usage_row *row, const struct ct_ccf_result *r,
                   ct_err *e)
{
    (void)row;
    (void)e;
    double *j = ud;
    for (int p = 0; p < CT_CCF_NPARTS; p++)
        if (r->part[p].kwh_device > 0)
            *j += r->part[p].kwh_device * 3.6e6;
    return 0;
}

static void test_parity_rows_import(void **state)
{
    (void)state;
    char path[1024];
    const char *root = getenv("CT_SOURCE_ROOT");
    snprintf(path, sizeof path, "%s/tests/ccf_parity/rows.csv", root ? root : ".");
    struct ct_input *in;
    ct_err e;
    double want = 0;
    assert_int_equal(ct_input_open(path, &in, &e), 0);
    assert_int_equal(ct_usage_each(in, 1, sum_row, &want, &e), 0);
    ct_input_close(in);
    assert_true(want > 0);
    static struct seen s; /* large: off the stack */
    memset(&s, 0, sizeof s);
    assert_int_equal(ct_input_open(path, &in, &e), 0);
    struct ct_parse_opts o = {.start = NAN, .interval = NAN, .max_gap = NAN};
    struct ct_reading_sink sink = {.emit = keep_reading, .ud = &s};
    assert_int_equal(ct_format_find("usage")->parse(in, &o, &sink, &e), 0);
    ct_input_close(in);
    assert_int_equal(s.backwards, 0);
    assert_true(fabs(s.j - want) <= 1e-9 * want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compute_cascade_lake), cmocka_unit_test(test_median_and_unknown),
        cmocka_unit_test(test_storage_network_memory), cmocka_unit_test(test_instance_memory_embodied),
        cmocka_unit_test(test_usage_format),   cmocka_unit_test(test_usage_rows_add_up),
        cmocka_unit_test(test_usage_bounds),   cmocka_unit_test(test_parity_rows_import),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
