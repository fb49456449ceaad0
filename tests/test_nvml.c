/* NVML through a fake libnvidia-ml.so (tests/fakes/fake_nvml.c) that answers from a
 * file this test writes before each read: energy counters, power integrated over
 * the `now` values, utilisation, a GPU lost mid-run, and the open errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fakes/fixture.h"
#include "ledger/ledger.h"
#include "sensors/backends.h"

struct ctx {
    struct fixture fx;
    struct ct_env env;
    char conf[400];
    void *state;
    struct ct_sensor_device dev[8];
    struct ct_sensor_value val[8];
    int n;
    ct_err e;
};

static void setup_fake(struct ctx *c, const char *text)
{
    memset(c, 0, sizeof *c);
    fixture_copy(&c->fx, NULL);
    fixture_path(&c->fx, "nvml.conf", c->conf, sizeof c->conf);
    fixture_write(&c->fx, "nvml.conf", text);
    setenv("CO2TALLY_FAKE_NVML", c->conf, 1);
    const char *lib = getenv("CT_FAKE_NVML_LIB");
    assert_non_null(lib);
    c->env = (struct ct_env){"/nonexistent", "/nonexistent", lib, "/nonexistent"};
}

static void say(struct ctx *c, const char *text)
{
    fixture_write(&c->fx, "nvml.conf", text);
}

static void open_ok(struct ctx *c)
{
    if (ct_sensor_nvml.open(&c->env, &c->state, &c->e) < 0)
        fail_msg("open: %s", c->e.msg);
    c->n = ct_sensor_nvml.devices(c->state, c->dev, 8);
}

static void read_at(struct ctx *c, double now)
{
    assert_int_equal(ct_sensor_nvml.read(c->state, now, c->val, &c->e), 0);
}

static void done(struct ctx *c)
{
    if (c->state)
        ct_sensor_nvml.close(c->state);
    fixture_remove(&c->fx);
}

#define A100 "gpu uuid=GPU-aaaa-1111 name=NVIDIA_A100-SXM4-40GB limit_mw=400000 pids=101,202 "
#define P100 "gpu uuid=GPU-bbbb-2222 name=Tesla_P100-PCIE-16GB "

static void test_energy_and_power(void **state)
{
    (void)state;
    struct ctx c;
    setup_fake(&c, "driver 550.54.15\n" A100 "energy_mj=1000 util=50\n" P100 "power_mw=100000\n");
    open_ok(&c);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.dev[0].id, "gpu:GPU-aaaa-1111");
    assert_string_equal(c.dev[0].model, "NVIDIA A100-SXM4-40GB");
    assert_string_equal(c.dev[0].component, "gpu");
    assert_int_equal(c.dev[0].method, CT_METHOD_MEASURED);
    assert_int_equal(c.dev[0].detail, 0);
    assert_float_equal(c.dev[0].max_watts, 400, 1e-9);
    assert_string_equal(c.dev[1].id, "gpu:GPU-bbbb-2222");
    assert_float_equal(c.dev[1].max_watts, 0, 1e-9);

    read_at(&c, 10); /* counter: 1000 mJ at open; power: this read only anchors the time */
    assert_float_equal(c.val[0].joules, 0, 1e-12);
    assert_float_equal(c.val[1].joules, 0, 1e-12);
    assert_float_equal(c.val[0].util, 0.5, 1e-12);
    assert_true(isnan(c.val[1].util));

    say(&c, A100 "energy_mj=6000 util=80\n" P100 "power_mw=200000 util=10\n");
    read_at(&c, 12);
    assert_float_equal(c.val[0].joules, (6000 - 1000) / 1000.0, 1e-12);
    assert_float_equal(c.val[1].joules, (100 + 200) / 2.0 * 2, 1e-9); /* trapezoid, 2 s */
    assert_float_equal(c.val[0].util, 0.8, 1e-12);
    assert_float_equal(c.val[1].util, 0.1, 1e-12);

    say(&c, A100 "energy_mj=10000\n" P100 "power_mw=200000\n");
    read_at(&c, 12.5);
    assert_float_equal(c.val[0].joules, 9, 1e-12);
    assert_float_equal(c.val[1].joules, 300 + 200 * 0.5, 1e-9);
    assert_true(isnan(c.val[0].util));

    char note[300];
    ct_sensor_nvml.note(c.state, note, sizeof note);
    assert_non_null(strstr(note, "driver 550.54.15"));
    assert_non_null(strstr(note, "energy counter on 1 GPU(s), power integrated on 1"));
    done(&c);
}

static void test_gpu_lost(void **state)
{
    (void)state;
    struct ctx c;
    setup_fake(&c, A100 "energy_mj=0\n" P100 "power_mw=100000\n");
    open_ok(&c);
    read_at(&c, 0);
    say(&c, A100 "energy_mj=2000\n" P100 "power_mw=100000\n");
    read_at(&c, 1);
    assert_float_equal(c.val[1].joules, 100, 1e-9);
    say(&c, A100 "energy_mj=3000\n" P100 "power_mw=300000 lost=1\n");
    read_at(&c, 2);
    assert_int_equal(c.val[1].lost, 1);
    assert_float_equal(c.val[1].joules, 100, 1e-9); /* stays put */
    assert_true(isnan(c.val[1].util));
    assert_int_equal(c.val[0].lost, 0); /* the other goes on */
    assert_float_equal(c.val[0].joules, 3, 1e-12);
    /* back on the bus in the file: still lost, never asked again */
    say(&c, A100 "energy_mj=5000\n" P100 "power_mw=300000\n");
    read_at(&c, 3);
    assert_int_equal(c.val[1].lost, 1);
    assert_float_equal(c.val[1].joules, 100, 1e-9);
    assert_float_equal(c.val[0].joules, 5, 1e-12);
    int pids[4];
    assert_int_equal(ct_sensor_nvml.pids(c.state, 1, pids, 4), -1);
    done(&c);
}

static void test_pids(void **state)
{
    (void)state;
    struct ctx c;
    setup_fake(&c, A100 "energy_mj=0\n" P100 "power_mw=1000\n");
    open_ok(&c);
    int pids[4] = {0};
    assert_int_equal(ct_sensor_nvml.pids(c.state, 0, pids, 4), 2);
    assert_int_equal(pids[0], 101);
    assert_int_equal(pids[1], 202);
    assert_int_equal(ct_sensor_nvml.pids(c.state, 0, pids, 1), 1);
    assert_int_equal(ct_sensor_nvml.pids(c.state, 1, pids, 4), 0);
    assert_int_equal(ct_sensor_nvml.pids(c.state, 7, pids, 4), -1);
    done(&c);
}

static void expect_open_error(struct ctx *c, const char *a, const char *b)
{
    assert_int_equal(ct_sensor_nvml.open(&c->env, &c->state, &c->e), -1);
    assert_null(c->state);
    if (!strstr(c->e.msg, a) || (b && !strstr(c->e.msg, b)))
        fail_msg("message: %s", c->e.msg);
}

static void test_open_errors(void **state)
{
    (void)state;
    struct ctx c;
    setup_fake(&c, "init 9\n" A100 "energy_mj=0\n");
    expect_open_error(&c, "nvmlInit failed: Driver Not Loaded", "modprobe nvidia");
    say(&c, "# no GPU\n");
    expect_open_error(&c, "NVML sees no usable GPU", NULL);
    say(&c, P100 "\n"); /* neither energy nor power */
    expect_open_error(&c, "NVML sees no usable GPU: GPU 0 gives neither energy nor power",
                      "Not Supported");
    c.env.nvml_library = "/nonexistent/libnvidia-ml.so.1";
    expect_open_error(&c, "cannot load /nonexistent/libnvidia-ml.so.1", "install the NVIDIA driver");
    c.env.nvml_library = "libm.so.6";
    expect_open_error(&c, "libm.so.6 is not a usable NVML library: no nvmlInit_v2", NULL);
    done(&c);
}

static void test_lost_at_open(void **state)
{
    (void)state;
    struct ctx c;
    setup_fake(&c, P100 "power_mw=1000 lost=1\n" A100 "energy_mj=0\n");
    open_ok(&c);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.dev[0].id, "gpu:0");
    assert_string_equal(c.dev[1].id, "gpu:GPU-aaaa-1111");
    say(&c, P100 "power_mw=1000\n" A100 "energy_mj=4000\n");
    read_at(&c, 1);
    assert_int_equal(c.val[0].lost, 1);
    assert_float_equal(c.val[0].joules, 0, 1e-12);
    assert_float_equal(c.val[1].joules, 4, 1e-12);
    done(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_energy_and_power),
        cmocka_unit_test(test_gpu_lost),
        cmocka_unit_test(test_pids),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_lost_at_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
