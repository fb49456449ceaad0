/* The sensor set: which sensors open on a host, the fallbacks left closed when a
 * measured sensor covers the CPU or the memory, reads landing in each sensor's
 * slots, and the environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <time.h>

#include "fakes/fixture.h"
#include "formats/formats_int.h"
#include "ledger/ledger.h"
#include "sensors/backends.h"

enum { RAPL, NVML, HWMON, POWERMETRICS, PROCSTAT, MEMINFO };

struct ctx {
    struct fixture sys, proc, nvml;
    struct ct_env env;
    char conf[400];
    struct ct_sensor_set set;
    ct_err e;
};

static void setup_host(struct ctx *c, const char *sysfs, const char *procfs, const char *gpus)
{
    memset(c, 0, sizeof *c);
    fixture_copy(&c->sys, sysfs);
    fixture_copy(&c->proc, procfs);
    fixture_copy(&c->nvml, NULL);
    fixture_path(&c->nvml, "nvml.conf", c->conf, sizeof c->conf);
    fixture_write(&c->nvml, "nvml.conf", gpus ? gpus : "");
    setenv("CO2TALLY_FAKE_NVML", c->conf, 1);
    c->env = (struct ct_env){c->sys.dir, c->proc.dir, getenv("CT_FAKE_NVML_LIB"), "/nonexistent"};
}

static void done(struct ctx *c)
{
    ct_sensor_set_close(&c->set);
    fixture_remove(&c->sys);
    fixture_remove(&c->proc);
    fixture_remove(&c->nvml);
}

/* The names of the open sensors, in order. */
static const char *open_names(const struct ct_sensor_set *set, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (int k = 0; k < set->ns; k++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", k ? " " : "", set->s[k].ops->name);
    return buf;
}

static void test_table(void **state)
{
    (void)state;
    int n;
    const struct ct_sensor_ops *const *t = ct_sensors(&n);
    static const char *const names[] = {"rapl", "nvml", "hwmon-amdgpu", "powermetrics",
                                        "procstat", "meminfo"};
    assert_int_equal(n, 6);
    for (int i = 0; i < n; i++) {
        assert_string_equal(t[i]->name, names[i]);
        assert_int_equal(t[i]->version, CT_SENSOR_OPS_VERSION);
        assert_non_null(t[i]->reads);
        assert_non_null(t[i]->open);
        assert_non_null(t[i]->close);
    }
}

static void test_server_measured(void **state)
{
    (void)state;
    struct ctx c;
    char names[200];
    setup_host(&c, "sysfs/rapl-server", "procfs/xeon2",
               "gpu uuid=GPU-1 name=NVIDIA_H100 energy_mj=0 util=90\n");
    if (ct_sensor_set_open(&c.set, &c.env, &c.e) < 0)
        fail_msg("open: %s", c.e.msg);
    assert_string_equal(open_names(&c.set, names, sizeof names), "rapl nvml");
    assert_int_equal(c.set.ndev, 5);
    assert_string_equal(c.set.dev[4].id, "gpu:GPU-1");
    assert_int_equal(c.set.s[1].first, 4);
    assert_string_equal(c.set.why[RAPL], "");
    assert_string_equal(c.set.why[NVML], "");
    assert_non_null(strstr(c.set.why[HWMON], "class/hwmon"));
    assert_non_null(strstr(c.set.why[POWERMETRICS], "/nonexistent"));
    assert_int_equal(c.set.unneeded[PROCSTAT], 1);
    assert_string_equal(c.set.why[PROCSTAT], "not used: rapl measures the CPU");
    assert_int_equal(c.set.unneeded[MEMINFO], 1);
    assert_string_equal(c.set.why[MEMINFO], "not used: rapl measures the memory");
    assert_int_equal(c.set.unneeded[HWMON], 0);

    assert_int_equal(ct_sensor_set_read(&c.set, 1, &c.e), 0);
    fixture_write(&c.sys, "class/powercap/intel-rapl:1/energy_uj", "102000000\n");
    fixture_write(&c.nvml, "nvml.conf", "gpu uuid=GPU-1 name=NVIDIA_H100 energy_mj=2500 util=90\n");
    assert_int_equal(ct_sensor_set_read(&c.set, 2, &c.e), 0);
    assert_float_equal(c.set.val[2].joules, 1, 1e-9);   /* package-1: 101000000 -> 102000000 uJ */
    assert_float_equal(c.set.val[4].joules, 2.5, 1e-9); /* the GPU */
    assert_float_equal(c.set.val[4].util, 0.9, 1e-12);
    done(&c);
}

static void test_laptop_psys_covers_memory(void **state)
{
    (void)state;
    struct ctx c;
    char names[200];
    setup_host(&c, "sysfs/rapl-laptop", "procfs/xeon2", NULL);
    assert_int_equal(ct_sensor_set_open(&c.set, &c.env, &c.e), 0);
    assert_string_equal(open_names(&c.set, names, sizeof names), "rapl");
    assert_non_null(strstr(c.set.why[NVML], "NVML sees no usable GPU"));
    assert_string_equal(c.set.why[MEMINFO], "not used: rapl measures the memory");
    done(&c);
}

/* Packages without a dram zone: the CPU is measured, the RAM estimated. */
static void test_packages_without_dram(void **state)
{
    (void)state;
    struct ctx c;
    char names[200], cmd[700];
    setup_host(&c, "sysfs/rapl-server", "procfs/xeon2", NULL);
    snprintf(cmd, sizeof cmd, "rm -r '%s/class/powercap/intel-rapl:0:0' "
             "'%s/class/powercap/intel-rapl:1:0'", c.sys.dir, c.sys.dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(ct_sensor_set_open(&c.set, &c.env, &c.e), 0);
    assert_string_equal(open_names(&c.set, names, sizeof names), "rapl meminfo");
    assert_int_equal(c.set.dev[2].method, CT_METHOD_CALCULATED);
    assert_string_equal(c.set.dev[2].id, "ram");
    assert_int_equal(c.set.unneeded[PROCSTAT], 1);
    done(&c);
}

static void test_fallback_only(void **state)
{
    (void)state;
    struct ctx c;
    char names[200];
    setup_host(&c, NULL, "procfs/xeon2", NULL);
    assert_int_equal(ct_sensor_set_open(&c.set, &c.env, &c.e), 0);
    assert_string_equal(open_names(&c.set, names, sizeof names), "procstat meminfo");
    assert_int_equal(c.set.ndev, 2);
    for (int i = 0; i < 2; i++)
        assert_int_equal(c.set.dev[i].method, CT_METHOD_CALCULATED);
    assert_int_equal(c.set.unneeded[PROCSTAT], 0);
    assert_string_equal(c.set.why[PROCSTAT], "");
    assert_non_null(strstr(c.set.why[RAPL], "modprobe intel_rapl_msr"));
    assert_int_equal(ct_sensor_set_read(&c.set, 0, &c.e), 0);
    assert_int_equal(ct_sensor_set_read(&c.set, 10, &c.e), 0);
    assert_float_equal(c.set.val[1].joules, 16 * 0.3725 * 10, 1e-9);
    done(&c);
}

static void test_nothing_works(void **state)
{
    (void)state;
    struct ctx c;
    setup_host(&c, NULL, NULL, NULL);
    assert_int_equal(ct_sensor_set_open(&c.set, &c.env, &c.e), -1);
    assert_int_equal(c.set.ns, 0);
    assert_non_null(strstr(c.e.msg, "no sensor works here"));
    assert_non_null(strstr(c.e.msg, "procstat: cannot read CPU time"));
    done(&c);
}

static void test_env(void **state)
{
    (void)state;
    struct ct_env env;
    setenv("CO2TALLY_SYSFS_ROOT", "/tmp/sys", 1);
    setenv("CO2TALLY_PROCFS_ROOT", "", 1); /* empty: the default */
    unsetenv("CO2TALLY_NVML_LIBRARY");
    setenv("CO2TALLY_POWERMETRICS", "/usr/local/bin/pm", 1);
    ct_env_from_environ(&env);
    assert_string_equal(env.sysfs_root, "/tmp/sys");
    assert_string_equal(env.procfs_root, "/proc");
    assert_string_equal(env.nvml_library, "libnvidia-ml.so.1");
    assert_string_equal(env.powermetrics, "/usr/local/bin/pm");
    unsetenv("CO2TALLY_SYSFS_ROOT");
    unsetenv("CO2TALLY_POWERMETRICS");
    ct_env_from_environ(&env);
    assert_string_equal(env.sysfs_root, "/sys");
    assert_string_equal(env.powermetrics, "powermetrics");
}

#define M1_LOG "powermetrics/codecarbon-mock_powermetrics_log-M1.txt"

/* A stand-in powermetrics that prints a recorded log (and exits, or first sleeps). */
static void stand_in(struct ctx *c, const char *then)
{
    char script[1200];
    snprintf(script, sizeof script, "#!/bin/sh\ncat '%s/fixtures/" M1_LOG "'\n%s\n",
             getenv("CT_SHARED"), then);
    fixture_write(&c->nvml, "powermetrics", script);
    fixture_path(&c->nvml, "powermetrics", c->conf, sizeof c->conf);
    assert_int_equal(chmod(c->conf, 0755), 0);
    c->env.powermetrics = c->conf;
}

struct sums {
    char id[8][80];
    double joules[8];
    int n;
};

static int sum_reading(void *ud, const struct ct_reading *r, ct_err *e)
{
    struct sums *s = ud;
    (void)e;
    int i = 0;
    while (i < s->n && strcmp(s->id[i], r->device) != 0)
        i++;
    if (i == s->n)
        snprintf(s->id[s->n++], sizeof s->id[0], "%s", r->device);
    s->joules[i] += r->joules;
    return 0;
}

/* What importing the same log gives, per device. */
static void import_sums(struct sums *s)
{
    char path[600];
    struct ct_input *in;
    ct_err e;
    long skipped = 0;
    snprintf(path, sizeof path, "%s/fixtures/" M1_LOG, getenv("CT_SHARED"));
    memset(s, 0, sizeof *s);
    assert_int_equal(ct_input_open(path, &in, &e), 0);
    struct ct_reading_sink sink = {.emit = sum_reading, .ud = s};
    struct ct_parse_opts o = {.start = NAN, .interval = NAN, .max_gap = 60, .skip_bad = 1,
                              .skipped = &skipped};
    if (ct_fmt_powermetrics.parse(in, &o, &sink, &e) < 0)
        fail_msg("parse: %s", e.msg);
    ct_input_close(in);
}

/* The live sensor adds up the same readings as an import of the same log. */
static void test_powermetrics_stand_in(void **state)
{
    (void)state;
    struct ctx c;
    void *pm = NULL;
    struct ct_sensor_device dev[8];
    struct ct_sensor_value val[8];
    struct sums want;
    setup_host(&c, NULL, NULL, NULL);
    stand_in(&c, "exit 0");
    import_sums(&want);
    if (ct_sensor_powermetrics.open(&c.env, &pm, &c.e) < 0)
        fail_msg("open: %s", c.e.msg);
    int n = ct_sensor_powermetrics.devices(pm, dev, 8);
    assert_int_equal(n, want.n);
    int counted = 0;
    for (int i = 0; i < n; i++) {
        assert_int_equal(dev[i].method, CT_METHOD_MEASURED);
        counted += !dev[i].detail;
    }
    assert_true(counted >= 1);
    assert_string_equal(dev[0].model, "MacBookAir10,1");
    time_t until = time(NULL) + 20;
    do { /* the reader thread gets to the end of the log */
        assert_int_equal(ct_sensor_powermetrics.read(pm, 0, val, &c.e), 0);
    } while (!val[0].lost && time(NULL) < until && usleep(10000) == 0);
    assert_int_equal(val[0].lost, 1);
    for (int i = 0; i < n; i++) {
        assert_string_equal(dev[i].id, want.id[i]);
        assert_float_equal(val[i].joules, want.joules[i], 1e-9);
        assert_true(isnan(val[i].util));
    }
    assert_true(want.joules[0] > 0);
    ct_sensor_powermetrics.close(pm);
    done(&c);
}

/* A stand-in that keeps running: the set counts the CPU as measured by it, and
 * close() ends the child and its reader. */
static void test_powermetrics_in_set(void **state)
{
    (void)state;
    struct ctx c;
    char names[200];
    setup_host(&c, NULL, "procfs/xeon2", NULL);
    stand_in(&c, "sleep 60");
    assert_int_equal(ct_sensor_set_open(&c.set, &c.env, &c.e), 0);
    assert_string_equal(open_names(&c.set, names, sizeof names), "powermetrics");
    assert_string_equal(c.set.why[PROCSTAT], "not used: powermetrics measures the CPU");
    assert_int_equal(ct_sensor_set_read(&c.set, 0, &c.e), 0);
    assert_int_equal(c.set.val[0].lost, 0);
    done(&c); /* must not hang on the sleeping script */
}

static void test_powermetrics_errors(void **state)
{
    (void)state;
    struct ctx c;
    void *pm = NULL;
    setup_host(&c, NULL, NULL, NULL);
#ifndef __APPLE__
    c.env.powermetrics = "powermetrics";
    assert_int_equal(ct_sensor_powermetrics.open(&c.env, &pm, &c.e), -1);
    assert_non_null(strstr(c.e.msg, "not macOS"));
#endif
    c.env.powermetrics = "/nonexistent/powermetrics";
    assert_int_equal(ct_sensor_powermetrics.open(&c.env, &pm, &c.e), -1);
    assert_non_null(strstr(c.e.msg, "cannot run /nonexistent/powermetrics"));
    fixture_write(&c.nvml, "pm", "#!/bin/sh\necho 'must be invoked as the superuser' >&2\nexit 1\n");
    fixture_path(&c.nvml, "pm", c.conf, sizeof c.conf);
    assert_int_equal(chmod(c.conf, 0755), 0);
    c.env.powermetrics = c.conf;
    assert_int_equal(ct_sensor_powermetrics.open(&c.env, &pm, &c.e), -1);
    assert_null(pm);
    assert_non_null(strstr(c.e.msg, "sudo"));
    done(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_server_measured),
        cmocka_unit_test(test_laptop_psys_covers_memory),
        cmocka_unit_test(test_packages_without_dram),
        cmocka_unit_test(test_fallback_only),
        cmocka_unit_test(test_nothing_works),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_powermetrics_stand_in),
        cmocka_unit_test(test_powermetrics_in_set),
        cmocka_unit_test(test_powermetrics_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
