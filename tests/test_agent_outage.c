/* The agent through an outage of its ledger: 16 devices sampled every second
 * and flushed every 5 s on a simulated clock, with the ledger unwritable for
 * 12 simulated minutes (another connection holding the write lock, the
 * connection made read-only, the disk full past the WAL's end), and one of five days with
 * 16 devices, which fills the pending queue and folds hours. Afterwards every
 * joule the fake sensors produced is in the ledger, and the agent said once
 * that the ledger stopped taking writes and once that it took them again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "agent/agent.h"
#include "ledger/sqlite_int.h"
#include "testutil.h"

#define NDEV 16
/* Simulated time starts at 2026-01-01T00:55:00Z, so an outage crosses an hour. */
#define T_REAL0 1767228900.0
#define T_MONO0 1000.0

enum outage { LOCKED, READ_ONLY, FULL };

static struct sim {
    double now;                 /* monotonic seconds */
    double down_at, up_at;      /* the outage, in seconds from the start */
    int down;
    enum outage kind;
    struct tmpledger *t;
    sqlite3 *other;             /* LOCKED: the connection holding the write lock */
    int saw_first[NDEV];
    double first[NDEV], last[NDEV]; /* each device's first and last cumulative read */
    int ndown, nup;
} sim;

/* Device i's power varies smoothly; this is its exact cumulative energy. */
static double joules_at(int i, double t)
{
    double s = t - T_MONO0;
    return (40.0 + 7.5 * i) * s - 20.0 * 37.0 * cos(s / 37.0 + i) + 1e6 * i;
}

static int s_read(void *state, double now, struct ct_sensor_value *v, ct_err *e)
{
    (void)state, (void)e;
    for (int i = 0; i < NDEV; i++) {
        double j = joules_at(i, now);
        double util = i % 2 ? (fmod(now, 100) < 30 ? 0.01 : 0.8) : NAN;
        v[i] = (struct ct_sensor_value){j, util, 0};
        if (!sim.saw_first[i])
            sim.first[i] = j, sim.saw_first[i] = 1;
        sim.last[i] = j;
    }
    return 0;
}

static const struct ct_sensor_ops fake = {.version = CT_SENSOR_OPS_VERSION, .name = "fake",
                                          .read = s_read};

static void make_set(struct ct_sensor_set *set)
{
    memset(set, 0, sizeof *set);
    set->s[0].ops = &fake;
    set->s[0].ndev = NDEV;
    set->ns = 1;
    set->ndev = NDEV;
    for (int i = 0; i < NDEV; i++) {
        snprintf(set->dev[i].id, sizeof set->dev[i].id, "dev%d", i);
        snprintf(set->dev[i].component, sizeof set->dev[i].component, "%s", i % 2 ? "gpu" : "cpu");
    }
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, msg ? msg : "?");
        fail();
    }
}

/* FULL: the disk has no room past the end of the WAL, where every commit
 * goes: a file size limit there makes SQLite's writes fail with EFBIG, which
 * it reports as SQLITE_FULL, as for ENOSPC. No checkpoint runs meanwhile (it
 * would write elsewhere). */
static void fill_up(sqlite3 *db)
{
    char wal[320];
    struct stat st;
    snprintf(wal, sizeof wal, "%s-wal", sim.t->path);
    assert_int_equal(stat(wal, &st), 0);
    exec_ok(db, "PRAGMA wal_autocheckpoint = 0");
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
    rl.rlim_cur = (rlim_t)st.st_size;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static void unfill(sqlite3 *db)
{
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
    rl.rlim_cur = rl.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
    exec_ok(db, "PRAGMA wal_autocheckpoint = 1000");
}

static void go_down(void)
{
    sqlite3 *own = sim.t->L.db->db;
    if (sim.kind == LOCKED) {
        assert_int_equal(sqlite3_open(sim.t->path, &sim.other), SQLITE_OK);
        exec_ok(sim.other, "BEGIN IMMEDIATE");
    } else if (sim.kind == READ_ONLY) {
        exec_ok(own, "PRAGMA query_only = 1");
    } else {
        fill_up(own);
    }
}

static void go_up(void)
{
    sqlite3 *own = sim.t->L.db->db;
    if (sim.kind == LOCKED) {
        exec_ok(sim.other, "COMMIT");
        sqlite3_close(sim.other);
    } else if (sim.kind == READ_ONLY) {
        exec_ok(own, "PRAGMA query_only = 0");
    } else {
        unfill(own);
    }
}

static double c_mono(void *ud) { (void)ud; return sim.now; }
static double c_real(void *ud) { (void)ud; return sim.now - T_MONO0 + T_REAL0; }
static int c_sleep(double at, void *ud)
{
    (void)ud;
    if (at > sim.now)
        sim.now = at;
    double s = sim.now - T_MONO0;
    if (!sim.down && s >= sim.down_at && s < sim.up_at)
        go_down(), sim.down = 1;
    else if (sim.down && s >= sim.up_at)
        go_up(), sim.down = 0;
    return 0;
}
static const struct ct_clock simclock = {c_mono, c_real, c_sleep, NULL};

static void on_ledger(int writable, const char *msg, void *ud)
{
    (void)ud;
    assert_non_null(strstr(msg, writable ? "takes writes again" : "cannot write the ledger"));
    if (writable)
        sim.nup++;
    else
        sim.ndown++;
}
static const struct ct_agent_hooks hooks = {.ledger = on_ledger};

static int add_day(const struct ct_energy_day *d, void *ud)
{
    *(double *)ud += d->joules;
    return 0;
}

static struct ct_agent a; /* large */
static volatile sig_atomic_t stop;

/* Runs the agent for `duration` simulated seconds with the ledger down over
 * [down_at, up_at), and checks that every joule landed. */
static void outage(enum outage kind, double interval, double flush, double down_at,
                   double up_at, double duration)
{
    struct tmpledger t;
    struct ct_sensor_set set;
    ct_err e;
    setenv("CO2TALLY_BUSY_TIMEOUT_MS", "2", 1); /* a locked ledger fails fast */
    tmpledger_open(&t);
    memset(&sim, 0, sizeof sim);
    sim = (struct sim){.now = T_MONO0, .down_at = down_at, .up_at = up_at, .kind = kind, .t = &t};
    make_set(&set);
    if (down_at <= 0) /* down from the start: the agent starts all the same */
        go_down(), sim.down = 1;
    assert_int_equal(ct_agent_init_on(&a, &set, &t.L, "h", &simclock, &e), 0);
    assert_true(down_at <= 0 ? a.source == 0 : a.source > 0);
    struct ct_agent_opts o = {.interval = interval, .duration = duration, .flush = flush};
    assert_int_equal(ct_agent_run(&a, &o, &stop, &hooks, &e), 0);
    assert_int_equal(sim.down, 0);
    /* The outage was real: flushes failed, and it was said once each way. */
    assert_true(a.flush_errors >= (uint64_t)((up_at - down_at) / flush) - 2);
    assert_int_equal(sim.ndown, 1);
    assert_int_equal(sim.nup, 1);
    assert_int_equal(a.pend.n, 0);
    assert_true(a.source > 0);
    double want = 0, got = 0;
    for (int i = 0; i < NDEV; i++)
        want += sim.last[i] - sim.first[i];
    assert_int_equal(t.L.ops->scan_energy_days(t.L.db, 0, CT_LEDGER_T_MAX, add_day, &got, &e), 0);
    assert_true(fabs(got - want) <= 1e-9 * want);
    /* A measured bucket never leaves its hour, and holds one row per device and
     * hour: the queue merged every retry into the record it already held. */
    int64_t n;
    assert_int_equal(t.L.ops->count(t.L.db, "energy", &n, &e), 0);
    int64_t hours = (int64_t)ceil((300.0 + duration) / 3600.0) + 1;
    assert_true(n <= NDEV * hours);
    tmpledger_close(&t);
    unsetenv("CO2TALLY_BUSY_TIMEOUT_MS");
}

static void test_locked(void **state) { (void)state; outage(LOCKED, 1, 5, 60, 60 + 720, 1200); }
static void test_read_only(void **state) { (void)state; outage(READ_ONLY, 1, 5, 30, 30 + 720, 1000); }
static void test_locked_from_start(void **state) { (void)state; outage(LOCKED, 1, 5, 0, 720, 900); }
static void test_full(void **state) { (void)state; outage(FULL, 1, 5, 90, 90 + 720, 1200); }

/* Five days down at a minute's sampling: more hours than the queue holds, so
 * the oldest are folded into later ones; the energy still all lands. */
static void test_long_outage_folds(void **state)
{
    (void)state;
    outage(READ_ONLY, 60, 300, 600, 600 + 5 * 86400, 5 * 86400 + 3600);
    assert_true(a.pend.folded > 0);
}

/* The queue by itself: records of one device and hour merge; a full queue
 * folds the oldest hour of the device holding most into its next hour. */
static void test_pending_merge_fold(void **state)
{
    (void)state;
    static struct ct_pending p;
    memset(&p, 0, sizeof p);
    ct_err e;
    struct ct_energy_rec r = {.host = "h", .device = "d0", .component = "cpu",
                              .method = CT_METHOD_MEASURED, .t0 = 3600, .t1 = 7200,
                              .covered_s = 100, .joules = 10, .util = 0.5};
    assert_int_equal(ct_pending_emit(&r, &p, &e), 0);
    r.covered_s = 300, r.joules = 5, r.util = NAN;
    assert_int_equal(ct_pending_emit(&r, &p, &e), 0);
    assert_int_equal(p.n, 1);
    assert_float_equal(p.r[0].joules, 15, 0);
    assert_float_equal(p.r[0].covered_s, 400, 0);
    assert_float_equal(p.r[0].util, 50.0 / 400, 1e-12); /* as the ledger's util_s sums */
    /* Fill the queue with hours of d0 (and one of d1), then one more. */
    struct ct_energy_rec d1 = r;
    d1.device = "d1", d1.joules = 1;
    assert_int_equal(ct_pending_emit(&d1, &p, &e), 0);
    double total = 16;
    for (int k = 2; p.n < CT_PENDING_MAX; k++) {
        r.t0 = 3600 * k, r.t1 = r.t0 + 3600, r.covered_s = 3500, r.joules = k;
        assert_int_equal(ct_pending_emit(&r, &p, &e), 0);
        total += k;
    }
    r.t0 += 3600, r.t1 += 3600, r.joules = 1000;
    assert_int_equal(ct_pending_emit(&r, &p, &e), 0);
    total += 1000;
    assert_int_equal(p.n, CT_PENDING_MAX);
    assert_int_equal((int)p.folded, 1);
    assert_float_equal(ct_pending_joules(&p), total, 1e-9);
    /* d0's first hour (15 J, 400 s) went into its second (2 J, 3500 s): capped at the hour. */
    assert_string_equal(p.r[0].device, "d1");
    assert_int_equal(p.r[1].t0, 7200);
    assert_float_equal(p.r[1].joules, 17, 0);
    assert_float_equal(p.r[1].covered_s, 3600, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pending_merge_fold),
        cmocka_unit_test(test_locked),
        cmocka_unit_test(test_read_only),
        cmocka_unit_test(test_locked_from_start),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_long_outage_folds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
