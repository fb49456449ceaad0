/* AMD GPUs through amdgpu hwmon: power1_average and power1_input integrated over
 * the `now` values (trapezoid), gpu_busy_percent, and the errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "fakes/fixture.h"
#include "ledger/ledger.h"
#include "sensors/backends.h"

#define HW "class/hwmon/"

struct ctx {
    struct fixture fx;
    struct ct_env env;
    void *state;
    struct ct_sensor_device dev[16];
    struct ct_sensor_value val[16];
    int n;
    ct_err e;
};

static void setup_tree(struct ctx *c, const char *tree)
{
    memset(c, 0, sizeof *c);
    fixture_copy(&c->fx, tree);
    c->env = (struct ct_env){c->fx.dir, "/nonexistent", "/nonexistent", "/nonexistent"};
}

static void done(struct ctx *c)
{
    if (c->state)
        ct_sensor_hwmon.close(c->state);
    fixture_remove(&c->fx);
}

static void read_at(struct ctx *c, double now)
{
    assert_int_equal(ct_sensor_hwmon.read(c->state, now, c->val, &c->e), 0);
}

static void test_two_gpus(void **state)
{
    (void)state;
    struct ctx c;
    setup_tree(&c, "sysfs/amdgpu");
    if (ct_sensor_hwmon.open(&c.env, &c.state, &c.e) < 0)
        fail_msg("open: %s", c.e.msg);
    c.n = ct_sensor_hwmon.devices(c.state, c.dev, 16);
    assert_int_equal(c.n, 2); /* hwmon0 is k10temp */
    assert_string_equal(c.dev[0].id, "gpu:amdgpu-0000:03:00.0");
    assert_string_equal(c.dev[0].model, "AMD Radeon RX 7900 XTX");
    assert_string_equal(c.dev[0].component, "gpu");
    assert_int_equal(c.dev[0].method, CT_METHOD_MEASURED);
    assert_float_equal(c.dev[0].max_watts, 300, 1e-9);
    assert_string_equal(c.dev[1].id, "gpu:amdgpu-0000:0c:00.0");
    assert_string_equal(c.dev[1].model, "");

    read_at(&c, 100); /* 150 W and 50 W (power1_input); anchors the time */
    assert_float_equal(c.val[0].joules, 0, 1e-12);
    assert_float_equal(c.val[0].util, 0.40, 1e-12);
    assert_float_equal(c.val[1].util, 0.05, 1e-12);
    fixture_write(&c.fx, HW "hwmon1/power1_average", "250000000\n");
    fixture_write(&c.fx, HW "hwmon1/device/gpu_busy_percent", "100\n");
    read_at(&c, 102);
    assert_float_equal(c.val[0].joules, (150 + 250) / 2.0 * 2, 1e-9);
    assert_float_equal(c.val[1].joules, 50 * 2, 1e-9);
    assert_float_equal(c.val[0].util, 1.0, 1e-12);
    fixture_write(&c.fx, HW "hwmon2/power1_input", "70000000\n");
    fixture_write(&c.fx, HW "hwmon1/device/gpu_busy_percent", "busy\n");
    read_at(&c, 103);
    assert_float_equal(c.val[0].joules, 400 + 250, 1e-9);
    assert_float_equal(c.val[1].joules, 100 + (50 + 70) / 2.0, 1e-9);
    assert_true(isnan(c.val[0].util));

    fixture_write(&c.fx, HW "hwmon1/power1_average", "\n"); /* gone */
    read_at(&c, 104);
    assert_int_equal(c.val[0].lost, 1);
    assert_float_equal(c.val[0].joules, 650, 1e-9);
    assert_int_equal(c.val[1].lost, 0);
    assert_float_equal(c.val[1].joules, 160 + 70, 1e-9);
    done(&c);
}

static void test_no_amdgpu(void **state)
{
    (void)state;
    struct ctx c;
    setup_tree(&c, "sysfs/amdgpu");
    fixture_write(&c.fx, HW "hwmon1/name", "nvme\n");
    fixture_write(&c.fx, HW "hwmon2/name", "coretemp\n");
    assert_int_equal(ct_sensor_hwmon.open(&c.env, &c.state, &c.e), -1);
    assert_non_null(strstr(c.e.msg, "no amdgpu under"));
    assert_non_null(strstr(c.e.msg, "modprobe amdgpu"));
    done(&c);
    setup_tree(&c, NULL);
    assert_int_equal(ct_sensor_hwmon.open(&c.env, &c.state, &c.e), -1);
    assert_non_null(strstr(c.e.msg, "class/hwmon: this kernel has no hardware monitoring"));
    done(&c);
}

static void test_no_power_file(void **state)
{
    (void)state;
    struct ctx c;
    char cmd[700], note[400];
    setup_tree(&c, "sysfs/amdgpu");
    snprintf(cmd, sizeof cmd, "rm '%s/" HW "hwmon2/power1_input'", c.fx.dir);
    assert_int_equal(system(cmd), 0);
    /* the GPU without power is skipped, the other one opens */
    if (ct_sensor_hwmon.open(&c.env, &c.state, &c.e) < 0)
        fail_msg("open: %s", c.e.msg);
    assert_int_equal(ct_sensor_hwmon.devices(c.state, c.dev, 16), 1);
    assert_string_equal(c.dev[0].id, "gpu:amdgpu-0000:03:00.0");
    ct_sensor_hwmon.note(c.state, note, sizeof note);
    assert_non_null(strstr(note, "skipped: "));
    assert_non_null(strstr(note, "hwmon2 has neither power1_average nor power1_input"));
    ct_sensor_hwmon.close(c.state);
    c.state = NULL;
    snprintf(cmd, sizeof cmd, "rm '%s/" HW "hwmon1/power1_average'", c.fx.dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(ct_sensor_hwmon.open(&c.env, &c.state, &c.e), -1);
    assert_non_null(strstr(c.e.msg, "has neither power1_average nor power1_input"));
    done(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_gpus),
        cmocka_unit_test(test_no_amdgpu),
        cmocka_unit_test(test_no_power_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
