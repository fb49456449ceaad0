/* The CCF-compatible estimator and the "usage" format, against values worked
 * by hand from CCF's constants (data/ccf). tests/ccf_parity checks 300 rows
 * against CCF's own code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "estimate/ccf.h"
#include "formats/format.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compute_cascade_lake), cmocka_unit_test(test_median_and_unknown),
        cmocka_unit_test(test_storage_network_memory), cmocka_unit_test(test_instance_memory_embodied),
        cmocka_unit_test(test_usage_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
