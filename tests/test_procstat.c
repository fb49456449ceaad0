/* The fallbacks: CPU power from /proc/stat utilisation x TDP (the calculated
 * method's model), and RAM from MemTotal x 0.3725 W/GiB, both labelled calculated. */
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

struct ctx {
    struct fixture fx;
    struct ct_env env;
    void *state;
    struct ct_sensor_device dev;
    struct ct_sensor_value val;
    ct_err e;
};

static void setup_tree(struct ctx *c, const char *tree)
{
    memset(c, 0, sizeof *c);
    fixture_copy(&c->fx, tree);
    c->env = (struct ct_env){"/nonexistent", c->fx.dir, "/nonexistent", "/nonexistent"};
}

static void open_ok(struct ctx *c, const struct ct_sensor_ops *ops)
{
    if (ops->open(&c->env, &c->state, &c->e) < 0)
        fail_msg("open: %s", c->e.msg);
    assert_int_equal(ops->devices(c->state, &c->dev, 1), 1);
    assert_int_equal(c->dev.method, CT_METHOD_CALCULATED);
    assert_int_equal(c->dev.detail, 0);
}

static void read_at(struct ctx *c, const struct ct_sensor_ops *ops, double now)
{
    assert_int_equal(ops->read(c->state, now, &c->val, &c->e), 0);
}

static void done(struct ctx *c, const struct ct_sensor_ops *ops)
{
    if (c->state)
        ops->close(c->state);
    fixture_remove(&c->fx);
}

/* Two sockets of Xeon Gold 6248, 150 W each in CodeCarbon's table; no idle power. */
static void test_known_cpu(void **state)
{
    (void)state;
    struct ctx c;
    const struct ct_sensor_ops *ops = &ct_sensor_procstat;
    setup_tree(&c, "procfs/xeon2");
    open_ok(&c, ops);
    assert_string_equal(c.dev.id, "cpu");
    assert_string_equal(c.dev.component, "cpu");
    assert_string_equal(c.dev.model, "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
    assert_float_equal(c.dev.max_watts, 300, 1e-9);
    read_at(&c, ops, 50); /* nothing changed since open: utilisation unknown, time anchored */
    assert_true(isnan(c.val.util));
    assert_float_equal(c.val.joules, 0, 1e-12);
    /* busy +300 (user +200, system +100), idle +600, iowait +100: 30 % */
    fixture_write(&c.fx, "stat", "cpu  1200 0 600 8600 600 0 0 0 0 0\ncpu0 1 2 3 4\n");
    read_at(&c, ops, 60);
    assert_float_equal(c.val.util, 0.3, 1e-12);
    assert_float_equal(c.val.joules, 300 * 0.3 * 10, 1e-9);
    /* irq and softirq are busy too: +50 +50 of +200 = 50 % */
    fixture_write(&c.fx, "stat", "cpu  1200 0 600 8700 600 50 50 0 0 0\n");
    read_at(&c, ops, 62);
    assert_float_equal(c.val.util, 0.5, 1e-12);
    assert_float_equal(c.val.joules, 900 + 300 * 0.5 * 2, 1e-9);
    char note[300];
    ops->note(c.state, note, sizeof note);
    assert_non_null(strstr(note, "calculated, not measured: 2 x 150 W TDP"));
    assert_non_null(strstr(note, "no idle power"));
    fixture_write(&c.fx, "stat", "garbage\n"); /* its input gone: lost, joules stay */
    read_at(&c, ops, 70);
    assert_int_equal(c.val.lost, 1);
    assert_float_equal(c.val.joules, 1200, 1e-9);
    done(&c, ops);
}

/* "AMD EPYC" is in no TDP table: 2 vCPU at the CCF average (0.74 W idle, 3.5 W
 * busy per vCPU, data/vcpu.csv); steal is neither busy nor idle. */
static void test_unknown_cpu_as_vcpus(void **state)
{
    (void)state;
    struct ctx c;
    const struct ct_sensor_ops *ops = &ct_sensor_procstat;
    setup_tree(&c, "procfs/vm");
    open_ok(&c, ops);
    assert_string_equal(c.dev.model, "AMD EPYC");
    assert_float_equal(c.dev.max_watts, 7.0, 1e-9);
    read_at(&c, ops, 0);
    /* user +50, idle +50, steal +100 */
    fixture_write(&c.fx, "stat", "cpu  150 0 100 1050 0 0 0 150 0 0\n");
    read_at(&c, ops, 4);
    assert_float_equal(c.val.util, 0.5, 1e-12);
    double idle = 2 * 0.74, max = 2 * 3.5;
    assert_float_equal(c.val.joules, (idle + (max - idle) * 0.5) * 4, 1e-9);
    char note[300];
    ops->note(c.state, note, sizeof note);
    assert_non_null(strstr(note, "'AMD EPYC' is not in the TDP tables, so 2 vCPU"));
    done(&c, ops);
}

static void test_no_procfs(void **state)
{
    (void)state;
    struct ctx c;
    setup_tree(&c, NULL);
    assert_int_equal(ct_sensor_procstat.open(&c.env, &c.state, &c.e), -1);
    assert_non_null(strstr(c.e.msg, "/stat: no such file"));
    assert_int_equal(ct_sensor_meminfo.open(&c.env, &c.state, &c.e), -1);
    assert_non_null(strstr(c.e.msg, "cannot read MemTotal"));
    fixture_write(&c.fx, "meminfo", "MemFree: 12 kB\n");
    assert_int_equal(ct_sensor_meminfo.open(&c.env, &c.state, &c.e), -1);
    assert_non_null(strstr(c.e.msg, "no MemTotal line"));
    done(&c, &ct_sensor_procstat);
}

/* 16777216 kB = 16 GiB x 0.3725 W/GiB = 5.96 W, all the time. */
static void test_ram_estimate(void **state)
{
    (void)state;
    struct ctx c;
    const struct ct_sensor_ops *ops = &ct_sensor_meminfo;
    setup_tree(&c, "procfs/xeon2");
    open_ok(&c, ops);
    assert_string_equal(c.dev.id, "ram");
    assert_string_equal(c.dev.component, "dram");
    assert_string_equal(c.dev.model, "16.0 GiB");
    assert_float_equal(c.dev.max_watts, 16 * 0.3725, 1e-12);
    read_at(&c, ops, 5);
    assert_float_equal(c.val.joules, 0, 1e-12);
    assert_true(isnan(c.val.util));
    read_at(&c, ops, 15);
    assert_float_equal(c.val.joules, 16 * 0.3725 * 10, 1e-9);
    read_at(&c, ops, 14); /* a clock that steps back adds nothing */
    assert_float_equal(c.val.joules, 16 * 0.3725 * 10, 1e-9);
    done(&c, ops);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_cpu),
        cmocka_unit_test(test_unknown_cpu_as_vcpus),
        cmocka_unit_test(test_no_procfs),
        cmocka_unit_test(test_ram_estimate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
