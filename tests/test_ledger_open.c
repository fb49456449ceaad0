/* Opening the SQLite ledger under contention and in odd places: a writer's
 * wait for another's lock ends at its bound with SQLite's reason, the bound
 * comes from CO2TALLY_BUSY_TIMEOUT_MS, eight threads creating one new ledger
 * at once all succeed, a read-only open reads and refuses to write, and a new
 * ledger with its -wal and -shm takes the umask's mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/open.h"
#include "testutil.h"

#define SHA "abababababababababababababababababababababababababababababababab"

static int nwaiting;
static void on_waiting(const char *path, double waited_s, double bound_s, void *ud)
{
    (void)path, (void)waited_s, (void)bound_s, (void)ud;
    nwaiting++;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static void test_busy_env(void **state)
{
    (void)state;
    unsetenv("CO2TALLY_BUSY_TIMEOUT_MS");
    assert_int_equal(ct_ledger_busy_timeout_ms(), 120000);
    setenv("CO2TALLY_BUSY_TIMEOUT_MS", "250", 1);
    assert_int_equal(ct_ledger_busy_timeout_ms(), 250);
    setenv("CO2TALLY_BUSY_TIMEOUT_MS", "0", 1);
    assert_int_equal(ct_ledger_busy_timeout_ms(), 0);
    static const char *const bad[] = {"", "abc", "-5", "12x", "99999999999999"};
    for (int i = 0; i < 5; i++) {
        setenv("CO2TALLY_BUSY_TIMEOUT_MS", bad[i], 1);
        assert_int_equal(ct_ledger_busy_timeout_ms(), 120000);
    }
    unsetenv("CO2TALLY_BUSY_TIMEOUT_MS");
}

/* Another connection holds the write lock: a writer with a 50 ms bound gives
 * up with "database is locked" (too soon to have said it waits), and gets the
 * lock once the other lets go. */
static void test_lock_bound(void **state)
{
    (void)state;
    struct tmpledger t;
    tmpledger_open(&t);
    ct_ledger_close(&t.L);
    struct ct_ledger_open_opts o = {.busy_timeout_ms = 50, .waiting = on_waiting};
    struct ct_ledger_h L;
    ct_err e;
    assert_int_equal(ct_ledger_open_with(t.path, &o, &L, &e), 0);
    sqlite3 *other;
    assert_int_equal(sqlite3_open(t.path, &other), SQLITE_OK);
    exec_ok(other, "BEGIN IMMEDIATE");
    nwaiting = 0;
    assert_int_equal(L.ops->begin(L.db, &e), -1);
    assert_non_null(strstr(e.msg, "database is locked"));
    assert_int_equal(nwaiting, 0);
    exec_ok(other, "COMMIT");
    sqlite3_close(other);
    assert_int_equal(L.ops->begin(L.db, &e), 0);
    assert_int_equal(L.ops->commit(L.db, &e), 0);
    ct_ledger_close(&L);
    t.L.ops = NULL;
    tmpledger_close(&t);
}

struct opener {
    const char *path;
    int rc;
    char msg[sizeof(ct_err){{0}}.msg];
};

static void *open_one(void *ud)
{
    struct opener *p = ud;
    struct ct_ledger_h L;
    ct_err e = {{0}};
    p->rc = ct_ledger_open(p->path, &L, &e);
    snprintf(p->msg, sizeof p->msg, "%s", e.msg);
    if (p->rc == 0)
        ct_ledger_close(&L);
    return NULL;
}

/* Eight connections creating one new ledger at once, 25 times over: each
 * opens, and the ledger comes out whole. */
static void test_concurrent_create(void **state)
{
    (void)state;
    struct tmpledger t;
    tmpledger_open(&t);
    ct_ledger_close(&t.L);
    char p[3][320];
    snprintf(p[0], sizeof p[0], "%s/new.db", t.dir);
    snprintf(p[1], sizeof p[1], "%s/new.db-wal", t.dir);
    snprintf(p[2], sizeof p[2], "%s/new.db-shm", t.dir);
    for (int round = 0; round < 25; round++) {
        for (int k = 0; k < 3; k++)
            unlink(p[k]);
        pthread_t th[8];
        struct opener op[8];
        for (int i = 0; i < 8; i++) {
            op[i] = (struct opener){.path = p[0]};
            assert_int_equal(pthread_create(&th[i], NULL, open_one, &op[i]), 0);
        }
        for (int i = 0; i < 8; i++) {
            pthread_join(th[i], NULL);
            if (op[i].rc != 0)
                fail_msg("round %d, opener %d: %s", round, i, op[i].msg);
        }
    }
    struct ct_ledger_h L;
    ct_err e;
    int64_t n = -1;
    assert_int_equal(ct_ledger_open(p[0], &L, &e), 0);
    assert_int_equal(L.ops->count(L.db, "energy", &n, &e), 0);
    assert_int_equal(n, 0);
    ct_ledger_close(&L);
    t.L.ops = NULL;
    tmpledger_close(&t);
}

static int add_day(const struct ct_energy_day *d, void *ud)
{
    *(double *)ud += d->joules;
    return 0;
}

/* Read-only: what was written reads back; a write is refused; an empty file
 * or another program's database is not taken for a ledger. */
static void test_read_only(void **state)
{
    (void)state;
    struct tmpledger t;
    tmpledger_open(&t);
    ct_err e;
    int64_t src;
    int existed;
    struct ct_source_rec s = {.kind = "agent", .path = "agent:h", .sha256 = SHA};
    struct ct_energy_rec r = {.host = "h", .device = "cpu0", .component = "cpu",
                              .t0 = 1677628800, .t1 = 1677628800 + 3600, .covered_s = 3600,
                              .joules = 42.5, .util = NAN};
    assert_int_equal(t.L.ops->begin(t.L.db, &e), 0);
    assert_int_equal(t.L.ops->add_source(t.L.db, &s, &src, &existed, &e), 0);
    assert_int_equal(t.L.ops->add_energy(t.L.db, src, &r, &e), 0);
    assert_int_equal(t.L.ops->commit(t.L.db, &e), 0);
    ct_ledger_close(&t.L);

    struct ct_ledger_open_opts ro = {.read_only = 1};
    assert_int_equal(ct_ledger_open_with(t.path, &ro, &t.L, &e), 0);
    double j = 0;
    assert_int_equal(t.L.ops->scan_energy_days(t.L.db, 0, CT_LEDGER_T_MAX, add_day, &j, &e), 0);
    assert_float_equal(j, 42.5, 0);
    int fail = t.L.ops->begin(t.L.db, &e) < 0 || t.L.ops->add_energy(t.L.db, src, &r, &e) < 0 ||
               t.L.ops->commit(t.L.db, &e) < 0;
    t.L.ops->rollback(t.L.db);
    assert_true(fail);
    assert_non_null(strstr(e.msg, "readonly"));
    ct_ledger_close(&t.L);

    char other[320];
    snprintf(other, sizeof other, "%s/empty.db", t.dir);
    FILE *f = fopen(other, "w");
    assert_non_null(f);
    fclose(f);
    struct ct_ledger_h L;
    assert_int_equal(ct_ledger_open_with(other, &ro, &L, &e), -1);
    assert_non_null(strstr(e.msg, "an empty ledger"));
    sqlite3 *db;
    assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
    exec_ok(db, "CREATE TABLE photos(x)");
    sqlite3_close(db);
    assert_int_equal(ct_ledger_open_with(other, &ro, &L, &e), -1);
    assert_non_null(strstr(e.msg, "not a co2tally ledger"));
    t.L.ops = NULL;
    tmpledger_close(&t);
}

/* A new ledger is 0666 less the umask, and SQLite gives its -wal and -shm the
 * same mode. */
static void test_umask_mode(void **state)
{
    (void)state;
    struct tmpledger t;
    tmpledger_open(&t);
    ct_ledger_close(&t.L);
    static const mode_t masks[] = {027, 002};
    for (int k = 0; k < 2; k++) {
        char path[320], side[340];
        snprintf(path, sizeof path, "%s/m%d.db", t.dir, k);
        mode_t old = umask(masks[k]);
        struct ct_ledger_h L;
        ct_err e;
        int rc = ct_ledger_open(path, &L, &e);
        umask(old);
        assert_int_equal(rc, 0);
        static const char *const sfx[] = {"", "-wal", "-shm"};
        for (int i = 0; i < 3; i++) {
            struct stat st;
            snprintf(side, sizeof side, "%s%s", path, sfx[i]);
            assert_int_equal(stat(side, &st), 0);
            assert_int_equal(st.st_mode & 0777, 0666 & ~masks[k]);
        }
        ct_ledger_close(&L);
    }
    t.L.ops = NULL;
    tmpledger_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busy_env),
        cmocka_unit_test(test_lock_bound),
        cmocka_unit_test(test_concurrent_create),
        cmocka_unit_test(test_read_only),
        cmocka_unit_test(test_umask_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
