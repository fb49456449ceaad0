/* The agent's loop against a scripted sensor: energy deltas into buckets, flushes
 * summing into the same stored bucket, idle GPU energy, a failed read covered by
 * the next one, a lost device reported once, the host's source reused; and
 * measure's kgCO2e location and PUE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/measure.h"
#include "agent/spool.h"
#include "testutil.h"

/* A sensor whose counters the test sets: a CPU and a GPU. */
static struct script {
    double joules[2], util[2];
    int lost[2], fail;
} sc;

static int s_read(void *state, double now, struct ct_sensor_value *v, ct_err *e)
{
    (void)state, (void)now;
    if (sc.fail)
        return ct_errf(e, "scripted failure");
    for (int i = 0; i < 2; i++)
        v[i] = (struct ct_sensor_value){sc.joules[i], sc.util[i], sc.lost[i]};
    return 0;
}

static const struct ct_sensor_ops scripted = {.version = CT_SENSOR_OPS_VERSION,
                                              .name = "scripted", .read = s_read};

static void make_set(struct ct_sensor_set *set)
{
    memset(set, 0, sizeof *set);
    memset(&sc, 0, sizeof sc);
    sc.util[0] = NAN;
    set->s[0].ops = &scripted;
    set->s[0].ndev = 2;
    set->ns = 1;
    set->ndev = 2;
    snprintf(set->dev[0].id, sizeof set->dev[0].id, "package-0");
    snprintf(set->dev[0].component, sizeof set->dev[0].component, "cpu");
    snprintf(set->dev[1].id, sizeof set->dev[1].id, "gpu:GPU-1");
    snprintf(set->dev[1].component, sizeof set->dev[1].component, "gpu");
}

struct sums {
    double j[2], idle[2];
};

static int add_day(const struct ct_energy_day *d, void *ud)
{
    struct sums *s = ud;
    int i = strcmp(d->device, "package-0") == 0 ? 0 : 1;
    s->j[i] += d->joules;
    s->idle[i] += d->idle_joules;
    return 0;
}

static struct sums ledger_sums(struct tmpledger *t)
{
    struct sums s = {{0, 0}, {0, 0}};
    ct_err e;
    int64_t now = (int64_t)ct_clock_real();
    assert_int_equal(t->L.ops->scan_energy_days(t->L.db, now - 3 * 86400, now + 3 * 86400, add_day,
                                                &s, &e), 0);
    return s;
}

static int nlost, nwarn;
static void on_lost(const struct ct_sensor_device *d, void *ud) { (void)d, (void)ud; nlost++; }
static void on_warn(const char *m, void *ud) { (void)m, (void)ud; nwarn++; }
static const struct ct_agent_hooks hooks = {on_lost, on_warn, NULL, NULL};

static struct ct_agent a; /* large */

static void test_flushes_sum(void **state)
{
    (void)state;
    struct tmpledger t;
    struct ct_sensor_set set;
    ct_err e;
    tmpledger_open(&t);
    make_set(&set);
    sc.joules[0] = 5; /* energy before the first read is not the agent's */
    assert_int_equal(ct_agent_init(&a, &set, &t.L, "h", &e), 0);
    assert_int_equal(a.source_existed, 0);
    sc.joules[0] = 15, sc.joules[1] = 40, sc.util[1] = 0.01; /* an idle GPU */
    assert_int_equal(ct_agent_sample(&a, &hooks, &e), 0);
    assert_int_equal(ct_agent_flush(&a, &e), 0);
    struct sums s = ledger_sums(&t);
    assert_float_equal(s.j[0], 10, 1e-9);
    assert_float_equal(s.j[1], 40, 1e-9);
    assert_float_equal(s.idle[1], 40, 1e-9);
    /* A failed read warns once and loses nothing: the next read covers it. */
    nwarn = 0;
    sc.fail = 1;
    sc.joules[0] = 20;
    assert_int_equal(ct_agent_sample(&a, &hooks, &e), 0);
    assert_int_equal(ct_agent_sample(&a, &hooks, &e), 0);
    assert_int_equal(nwarn, 1);
    sc.fail = 0;
    sc.joules[0] = 25, sc.joules[1] = 100, sc.util[1] = 0.9;
    assert_int_equal(ct_agent_sample(&a, &hooks, &e), 0);
    assert_int_equal(ct_agent_flush(&a, &e), 0);
    s = ledger_sums(&t);
    assert_float_equal(s.j[0], 20, 1e-9);
    assert_float_equal(s.j[1], 100, 1e-9);
    assert_float_equal(s.idle[1], 40, 1e-9);
    /* A lost GPU is reported once; its energy stays put, the CPU goes on. */
    nlost = 0;
    sc.lost[1] = 1;
    sc.joules[0] = 30;
    assert_int_equal(ct_agent_sample(&a, &hooks, &e), 0);
    sc.joules[0] = 35;
    assert_int_equal(ct_agent_sample(&a, &hooks, &e), 0);
    assert_int_equal(nlost, 1);
    assert_int_equal(ct_agent_flush(&a, &e), 0);
    s = ledger_sums(&t);
    assert_float_equal(s.j[0], 30, 1e-9);
    assert_float_equal(s.j[1], 100, 1e-9);
    /* Within one hour the flushes summed into one stored bucket per device (two
     * when the test straddled an hour edge). */
    int64_t n;
    assert_int_equal(t.L.ops->count(t.L.db, "energy", &n, &e), 0);
    assert_true(n == 2 || n == 3 || n == 4);
    /* A restart reuses the host's source. */
    int64_t id = a.source;
    assert_int_equal(ct_agent_init(&a, &set, &t.L, "h", &e), 0);
    assert_int_equal(a.source_existed, 1);
    assert_int_equal(a.source, id);
    tmpledger_close(&t);
}

static volatile sig_atomic_t stop;

static void test_run_duration(void **state)
{
    (void)state;
    struct tmpledger t;
    struct ct_sensor_set set;
    ct_err e;
    tmpledger_open(&t);
    make_set(&set);
    assert_int_equal(ct_agent_init(&a, &set, &t.L, "h", &e), 0);
    sc.joules[0] = 7;
    struct ct_agent_opts o = {.interval = 0.05, .duration = 0.3, .flush = 0.1};
    double t0 = ct_clock_mono();
    assert_int_equal(ct_agent_run(&a, &o, &stop, &hooks, &e), 0);
    double took = ct_clock_mono() - t0;
    assert_true(took >= 0.29 && took < 1.0);
    assert_int_equal((int)a.smp.steps, 6);
    assert_true(a.flushes >= 3);
    assert_float_equal(ledger_sums(&t).j[0], 7, 1e-9);
    /* A stop flag already set: one last sample and a flush, no waiting. */
    stop = 1;
    sc.joules[0] = 9;
    assert_int_equal(ct_agent_run(&a, &o, &stop, &hooks, &e), 0);
    assert_float_equal(ledger_sums(&t).j[0], 9, 1e-9);
    tmpledger_close(&t);
}

static void test_co2(void **state)
{
    (void)state;
    struct ct_measure_co2 c;
    ct_err e;
    assert_int_equal(ct_measure_co2(NULL, "h", 2023, 3.6e6, &c, &e), 0);
    assert_string_equal(c.f.code, "WORLD");
    assert_float_equal(c.pue, 1.0, 0);
    assert_non_null(strstr(c.note, "no team file"));
    assert_float_equal(c.kgco2e, c.f.kg_per_kwh, 1e-12);
    struct ct_team t;
    assert_int_equal(ct_team_load_string("[team]\nname = t\ncountry = FRA\n"
                                         "[platform gpu]\nmethod = measured\nhosts = g1, g2\n"
                                         "pue = 1.5\nlocation = DEU\n", "t.ini", &t, &e), 0);
    assert_int_equal(ct_measure_co2(&t, "g2", 2023, 7.2e6, &c, &e), 0);
    assert_string_equal(c.f.code, "DEU");
    assert_string_equal(c.platform, "gpu");
    assert_float_equal(c.pue, 1.5, 0);
    assert_float_equal(c.kgco2e, 2 * 1.5 * c.f.kg_per_kwh, 1e-12);
    assert_int_equal(ct_measure_co2(&t, "elsewhere", 2023, 3.6e6, &c, &e), 0);
    assert_string_equal(c.f.code, "FRA");
    assert_null(c.platform);
    assert_float_equal(c.pue, 1.0, 0);
    assert_string_equal(c.note, "");
    ct_team_free(&t);
}

static void test_comp(void **state)
{
    (void)state;
    assert_int_equal(ct_comp_of("cpu"), CT_COMP_CPU);
    assert_int_equal(ct_comp_of("gpu"), CT_COMP_GPU);
    assert_int_equal(ct_comp_of("system"), CT_COMP_SYSTEM);
    assert_int_equal(ct_comp_of("ane"), CT_COMP_OTHER);
    char key[300], sha[65];
    ct_agent_source_key("gpu-01", key, sha);
    assert_string_equal(key, "agent:gpu-01");
    assert_int_equal(strlen(sha), 64);
}

static int run_cmd(const struct ct_run_rec *r, void *ud)
{
    snprintf(ud, 200, "%s|%d", r->command, r->exit_status);
    return 0;
}

static int sum_day(const struct ct_energy_day *d, void *ud)
{
    *(double *)ud += d->joules;
    return 0;
}

static void write_text(const char *path, const char *text, const char *mode)
{
    FILE *f = fopen(path, mode);
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The spool round trip: a run (with a command holding a tab, a newline and a
 * backslash) and an agent's held energy go in, a block cut short by a crash
 * does not; draining writes both once, however often it runs. */
static void test_spool(void **state)
{
    (void)state;
    struct tmpledger t;
    ct_err e;
    tmpledger_open(&t);
    char spool[400];
    assert_int_equal(ct_spool_path(t.path, spool, sizeof spool), 0);
    assert_int_equal(ct_spool_path("postgresql://x/y", spool + 300, 10), -1);
    const char *sha1 = "1111111111111111111111111111111111111111111111111111111111111111";
    const char *sha2 = "2222222222222222222222222222222222222222222222222222222222222222";
    struct ct_source_rec s1 = {.kind = "measure", .path = "measure:h:1", .sha256 = sha1,
                               .imported_at = 1700000000};
    struct ct_run_rec run = {.host = "h", .command = "sh -c 'a\tb'\n\\x", .t0 = 1700000000,
                             .t1 = 1700000010, .exit_status = 3, .cpu_j = 1.5, .dram_j = 0.25,
                             .gpu_j = 0, .total_j = 1.75, .methods = "cpu=measured"};
    struct ct_energy_rec r[2] = {
        {.host = "h", .device = "package-0", .component = "cpu", .t0 = 1699999200,
         .t1 = 1700002800, .covered_s = 10, .joules = 1.0 / 3, .util = NAN},
        {.host = "h", .device = "gpu:0", .component = "gpu", .t0 = 1699999200, .t1 = 1700002800,
         .covered_s = 10, .joules = 0.1, .idle_joules = 0.05, .idle_s = 5, .util = 0.125}};
    assert_int_equal(ct_spool_append(spool, &s1, &run, r, 2, &e), 0);
    struct ct_source_rec s2 = {.kind = "agent", .path = "agent:h:held:1", .sha256 = sha2,
                               .imported_at = 1700000000};
    assert_int_equal(ct_spool_append(spool, &s2, NULL, r, 1, &e), 0);
    write_text(spool, "R\tmeasure\tcut\t", "a"); /* a crash mid-write */
    int n;
    assert_int_equal(ct_spool_drain(spool, &t.L, &n, &e), 0);
    assert_int_equal(n, 2);
    char got[200] = "";
    assert_int_equal(t.L.ops->scan_runs(t.L.db, 0, CT_LEDGER_T_MAX, run_cmd, got, &e), 0);
    assert_string_equal(got, "sh -c 'a\tb'\n\\x|3");
    double j = 0;
    assert_int_equal(t.L.ops->scan_energy_days(t.L.db, 0, CT_LEDGER_T_MAX, sum_day, &j, &e), 0);
    assert_float_equal(j, 2.0 / 3 + 0.1, 1e-15);
    /* Emptied; the same blocks again (a drain cut short after its commit) add nothing. */
    FILE *f = fopen(spool, "r");
    assert_non_null(f);
    assert_int_equal(fgetc(f), EOF);
    fclose(f);
    assert_int_equal(ct_spool_append(spool, &s1, &run, r, 2, &e), 0);
    assert_int_equal(ct_spool_drain(spool, &t.L, &n, &e), 0);
    assert_int_equal(n, 0);
    int64_t c;
    assert_int_equal(t.L.ops->count(t.L.db, "runs", &c, &e), 0);
    assert_int_equal(c, 1);
    /* A spool that is not one is refused whole and kept. */
    write_text(spool, "R\tx\n.\n", "w");
    assert_int_equal(ct_spool_drain(spool, &t.L, &n, &e), -1);
    assert_non_null(strstr(e.msg, ".spool:1: not a spool line"));
    assert_int_equal(access(spool, F_OK), 0);
    tmpledger_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flushes_sum),
        cmocka_unit_test(test_run_duration),
        cmocka_unit_test(test_co2),
        cmocka_unit_test(test_comp),
        cmocka_unit_test(test_spool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
