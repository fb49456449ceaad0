/* What only the PostgreSQL ledger does, on the server tests/pg/pgtest.sh
 * starts (CT_TEST_LEDGER_URL), each test in a fresh schema: versioned
 * migrations (a newer ledger and foreign tables refused, eight processes
 * opening a new database at once migrate it once), an aborted transaction
 * that cannot commit, snapshots, and serialization failures and deadlocks
 * retried inside (injected by a trigger, counted by a sequence, which a
 * rollback does not undo). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "ledger/ledger.h"

#define T_DAY 1677628800LL /* 2023-03-01T00:00:00Z */
static const char SHA_A[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

struct schema {
    char name[64], url[1024];
};

static void quiet_notice(void *arg, const char *msg)
{
    (void)arg, (void)msg;
}

/* Runs constant SQL on url outside the backend; the first value of the first
 * row (or "" for none) into out. */
static int admin(const char *url, const char *sql, char *out, size_t n)
{
    PGconn *c = PQconnectdb(url);
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    ExecStatusType s = PQresultStatus(r);
    int ok = r && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK);
    if (!ok)
        fprintf(stderr, "admin: %s\n", PQerrorMessage(c));
    if (out)
        snprintf(out, n, "%s", ok && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

static void admin_ok(const char *url, const char *sql) { assert_int_equal(admin(url, sql, NULL, 0), 0); }

static long admin_long(const char *url, const char *sql)
{
    char v[64];
    assert_int_equal(admin(url, sql, v, sizeof v), 0);
    return strtol(v, NULL, 10);
}

static int setup(void **state)
{
    static int n;
    const char *base = getenv("CT_TEST_LEDGER_URL");
    if (!base || !*base) {
        fprintf(stderr, "CT_TEST_LEDGER_URL is not set: run under tests/pg/pgtest.sh\n");
        return -1;
    }
    struct schema *s = calloc(1, sizeof *s);
    char sql[256];
    snprintf(s->name, sizeof s->name, "ct_pg_%d_%d", (int)getpid(), ++n);
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", s->name,
             s->name);
    snprintf(s->url, sizeof s->url, "%s%soptions=-csearch_path%%3D%s", base,
             strchr(base, '?') ? "&" : "?", s->name);
    *state = s;
    return admin(base, sql, NULL, 0);
}

static int teardown(void **state)
{
    struct schema *s = *state;
    char sql[128];
    /* A failed test may leave a connection holding locks: do not wait on it. */
    snprintf(sql, sizeof sql, "SET lock_timeout = '20s'; DROP SCHEMA IF EXISTS %s CASCADE",
             s->name);
    int ret = admin(getenv("CT_TEST_LEDGER_URL"), sql, NULL, 0);
    free(s);
    return ret;
}

static const struct ct_ledger_ops *pg(void)
{
    ct_err e;
    const struct ct_ledger_ops *ops = ct_ledger_backend("postgresql://", &e);
    assert_non_null(ops);
    assert_string_equal(ops->name, "postgresql");
    return ops;
}

static ct_ledger *open_ok(const char *url)
{
    ct_ledger *l = NULL;
    ct_err e = {{0}};
    if (pg()->open(url, &l, &e) != 0) {
        fprintf(stderr, "open: %s\n", e.msg);
        fail();
    }
    return l;
}

static void assert_contains(const char *s, const char *sub)
{
    if (!strstr(s, sub)) {
        fprintf(stderr, "'%s' lacks '%s'\n", s, sub);
        fail();
    }
}

static struct ct_energy_rec rec(int64_t t0, double joules)
{
    return (struct ct_energy_rec){.host = "h1", .device = "gpu0", .component = "gpu",
                                  .method = CT_METHOD_MEASURED, .t0 = t0, .t1 = t0 + 3600,
                                  .covered_s = 3600, .joules = joules, .util = NAN};
}

static int64_t add_source(ct_ledger *l)
{
    struct ct_source_rec s = {"agent", "x", SHA_A, 1700000000};
    int64_t id = 0;
    ct_err e = {{0}};
    assert_int_equal(pg()->add_source(l, &s, &id, NULL, &e), 0);
    return id;
}

/* ---- migrations ---- */

static void newer_schema_refused(void **state)
{
    const char *url = ((struct schema *)*state)->url;
    pg()->close(open_ok(url));
    assert_int_equal(admin_long(url, "SELECT max(version) FROM schema_version"), 1);
    admin_ok(url, "INSERT INTO schema_version(ledger, version) VALUES('co2tally', 99)");
    ct_ledger *l = NULL;
    ct_err e = {{0}};
    assert_int_equal(pg()->open(url, &l, &e), -1);
    assert_null(l);
    assert_contains(e.msg, "ledger schema version 99 is newer than this co2tally (1); "
                           "upgrade co2tally");
}

static void foreign_tables_refused(void **state)
{
    const char *url = ((struct schema *)*state)->url;
    ct_ledger *l = NULL;
    ct_err e = {{0}};
    admin_ok(url, "CREATE TABLE sources(x integer)");
    assert_int_equal(pg()->open(url, &l, &e), -1);
    assert_contains(e.msg, "not a co2tally ledger");
    admin_ok(url, "DROP TABLE sources; CREATE TABLE schema_version(version integer)");
    assert_int_equal(pg()->open(url, &l, &e), -1);
    assert_contains(e.msg, "another program's");
    /* Nothing was added to somebody else's schema. */
    assert_int_equal(admin_long(url, "SELECT count(*) FROM pg_tables WHERE schemaname ="
                                     " current_schema()"), 1);
}

/* Eight processes open a new database at the same moment: each succeeds and
 * the schema is created once. */
static void concurrent_first_open(void **state)
{
    const char *url = ((struct schema *)*state)->url;
    enum { N = 8 };
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    pid_t pid[N];
    for (int i = 0; i < N; i++) {
        pid[i] = fork();
        assert_true(pid[i] >= 0);
        if (pid[i] == 0) {
            char c;
            close(gate[1]);
            (void)!read(gate[0], &c, 1); /* returns when the parent closes the gate */
            ct_ledger *l = NULL;
            ct_err e = {{0}};
            int rc = pg()->open(url, &l, &e);
            if (rc != 0)
                fprintf(stderr, "child %d: %s\n", i, e.msg);
            else
                pg()->close(l);
            _exit(rc == 0 ? 0 : 1);
        }
    }
    close(gate[0]);
    close(gate[1]);
    int failed = 0;
    for (int i = 0; i < N; i++) {
        int st = 0;
        assert_int_equal(waitpid(pid[i], &st, 0), pid[i]);
        failed += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    assert_int_equal(failed, 0);
    assert_int_equal(admin_long(url, "SELECT count(*) FROM schema_version"), 1);
}

/* ---- transactions ---- */

/* A failed statement aborts a PostgreSQL transaction (SQLite's goes on): the
 * commit says so and keeps nothing, and the handle works afterwards. */
static void aborted_transaction(void **state)
{
    const char *url = ((struct schema *)*state)->url;
    ct_ledger *l = open_ok(url);
    ct_err e = {{0}};
    assert_int_equal(pg()->begin(l, &e), 0);
    int64_t src = add_source(l);
    struct ct_energy_rec r = rec(T_DAY, 10);
    assert_int_equal(pg()->add_energy(l, src + 1000, &r, &e), -1); /* no such source */
    assert_int_equal(pg()->commit(l, &e), -1);
    assert_contains(e.msg, "rolled back");
    int64_t n = -1;
    assert_int_equal(pg()->count(l, "sources", &n, &e), 0);
    assert_int_equal(n, 0);
    src = add_source(l);
    assert_int_equal(pg()->add_energy(l, src, &r, &e), 0);
    assert_int_equal(pg()->count(l, "energy", &n, &e), 0);
    assert_int_equal(n, 1);
    pg()->close(l);
}

static int sum_joules(const struct ct_energy_day *d, void *ud)
{
    *(double *)ud += d->joules;
    return 0;
}

/* A scan inside a write transaction sees its writes; another handle does not
 * until the commit. */
static void snapshots(void **state)
{
    const char *url = ((struct schema *)*state)->url;
    ct_ledger *w = open_ok(url), *r = open_ok(url);
    ct_err e = {{0}};
    assert_int_equal(pg()->begin(w, &e), 0);
    struct ct_energy_rec x = rec(T_DAY, 10);
    assert_int_equal(pg()->add_energy(w, add_source(w), &x, &e), 0);
    double jw = 0, jr = 0;
    assert_int_equal(pg()->scan_energy_days(w, T_DAY, T_DAY + CT_DAY, sum_joules, &jw, &e), 0);
    assert_int_equal(pg()->scan_energy_days(r, T_DAY, T_DAY + CT_DAY, sum_joules, &jr, &e), 0);
    assert_true(jw == 10 && jr == 0);
    assert_int_equal(pg()->commit(w, &e), 0);
    assert_int_equal(pg()->scan_energy_days(r, T_DAY, T_DAY + CT_DAY, sum_joules, &jr, &e), 0);
    assert_true(jr == 10);
    pg()->close(w);
    pg()->close(r);
}

/* Past PG_PIPE_MAX pipelined writes in one transaction: every bucket is
 * there once, and the sums are the ones worked out by hand. */
static int per_day(const struct ct_energy_day *d, void *ud)
{
    double *v = ud;
    v[(d->day - T_DAY) / CT_DAY] += d->joules;
    return 0;
}

static void many_in_one_transaction(void **state)
{
    const char *url = ((struct schema *)*state)->url;
    ct_ledger *l = open_ok(url);
    ct_err e = {{0}};
    enum { N = 2500 }; /* 104 days and 4 hours of hourly buckets */
    assert_int_equal(pg()->begin(l, &e), 0);
    int64_t src = add_source(l);
    for (int k = 0; k < N; k++) {
        struct ct_energy_rec r = rec(T_DAY + 3600LL * k, k + 1);
        assert_int_equal(pg()->add_energy(l, src, &r, &e), 0);
    }
    struct ct_energy_rec again = rec(T_DAY, 0.5); /* the first bucket twice: summed */
    assert_int_equal(pg()->add_energy(l, src, &again, &e), 0);
    assert_int_equal(pg()->commit(l, &e), 0);
    int64_t n = -1;
    assert_int_equal(pg()->count(l, "energy", &n, &e), 0);
    assert_int_equal(n, N);
    static double day[120];
    assert_int_equal(pg()->scan_energy_days(l, T_DAY, T_DAY + 120 * CT_DAY, per_day, day, &e), 0);
    assert_true(day[0] == 300.5);                     /* 1 + ... + 24, and 0.5 */
    assert_true(day[1] == 24 * 24 + 300);             /* 25 + ... + 48 */
    assert_true(day[104] == 2497 + 2498 + 2499 + 2500); /* the last four hours */
    double total = 0;
    for (int i = 0; i < 120; i++)
        total += day[i];
    assert_true(total == N * (N + 1) / 2.0 + 0.5);
    pg()->close(l);
}

/* The same adds, in and out of transactions, buckets added to twice and
 * utilisation sometimes unknown, give the very same doubles on SQLite and on
 * PostgreSQL (whose day roll-up is folded, postgres_rollup.c), day by day. */
struct days {
    int n;
    struct ct_energy_day d[16];
    char device[16][16]; /* the scan's strings live only during the call */
};

static int keep_day(const struct ct_energy_day *d, void *ud)
{
    struct days *g = ud;
    assert_true(g->n < 16);
    snprintf(g->device[g->n], sizeof g->device[0], "%s", d->device);
    g->d[g->n++] = *d;
    return 0;
}

static void awkward_adds(const struct ct_ledger_ops *ops, ct_ledger *l)
{
    ct_err e = {{0}};
    struct ct_source_rec s = {"agent", "x", SHA_A, 1700000000};
    int64_t src = 0;
    assert_int_equal(ops->add_source(l, &s, &src, NULL, &e), 0);
    for (int round = 0; round < 3; round++) {
        if (round < 2)
            assert_int_equal(ops->begin(l, &e), 0);
        for (int k = 0; k < 60; k++) {
            /* Thirds and tenths: every sum rounds, so the order shows. */
            struct ct_energy_rec r = rec(T_DAY + 3600LL * (k % 50), 0.1 * (k + 1) / 3.0 + round);
            r.covered_s = 3600 - k / 7.0;
            r.idle_joules = r.joules / 9.0, r.idle_s = k / 3.0;
            r.util = (k + round) % 4 == 0 ? NAN : 0.01 * k + 0.1 / 3;
            if (k % 11 == 5)
                r.device = "gpu1";
            assert_int_equal(ops->add_energy(l, src, &r, &e), 0);
        }
        if (round < 2)
            assert_int_equal(ops->commit(l, &e), 0);
    }
}

static void same_doubles_as_sqlite(void **state)
{
    const char *url = ((struct schema *)*state)->url;
    char dir[] = "/tmp/ct_pg_only_XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/l.db", dir);
    ct_err e = {{0}};
    const struct ct_ledger_ops *sq = ct_ledger_backend(path, &e);
    ct_ledger *a = NULL, *b = open_ok(url);
    assert_int_equal(sq->open(path, &a, &e), 0);
    awkward_adds(sq, a);
    awkward_adds(pg(), b);
    struct days x = {0}, y = {0};
    assert_int_equal(sq->scan_energy_days(a, T_DAY, T_DAY + 9 * CT_DAY, keep_day, &x, &e), 0);
    assert_int_equal(pg()->scan_energy_days(b, T_DAY, T_DAY + 9 * CT_DAY, keep_day, &y, &e), 0);
    sq->close(a);
    pg()->close(b);
    char p2[80];
    static const char *const ext[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p2, sizeof p2, "%s%s", path, ext[i]);
        unlink(p2);
    }
    rmdir(dir);
    assert_int_equal(x.n, 6); /* two devices on three days (50 hours) */
    assert_int_equal(y.n, x.n);
    for (int i = 0; i < x.n; i++) {
        assert_string_equal(x.device[i], y.device[i]);
        assert_int_equal(x.d[i].day, y.d[i].day);
        assert_true(x.d[i].joules > 0);
        assert_true(x.d[i].covered_s == y.d[i].covered_s);
        assert_true(x.d[i].joules == y.d[i].joules);
        assert_true(x.d[i].idle_joules == y.d[i].idle_joules);
        assert_true(x.d[i].idle_s == y.d[i].idle_s);
        assert_true(x.d[i].util_s == y.d[i].util_s);
    }
}

/* ---- retries ---- */

/* A trigger on TABLE failing with SQLSTATE the first FAILS times it fires. */
static void inject(const char *url, const char *table, const char *state, int fails)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "CREATE SEQUENCE fired; "
             "CREATE FUNCTION flaky() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
             "IF nextval('fired') <= %d THEN "
             "RAISE EXCEPTION 'injected failure' USING ERRCODE = '%s'; END IF; "
             "RETURN NEW; END $$; "
             "CREATE TRIGGER flaky BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION flaky()",
             fails, state, table);
    admin_ok(url, sql);
}

static long fired(const char *url) { return admin_long(url, "SELECT last_value FROM fired"); }

static void serialization_failure_retried(void **state)
{
    const char *url = ((struct schema *)*state)->url;
    ct_ledger *l = open_ok(url);
    int64_t src = add_source(l);
    inject(url, "energy", "40001", 2);
    ct_err e = {{0}};
    struct ct_energy_rec r = rec(T_DAY, 10);
    assert_int_equal(pg()->add_energy(l, src, &r, &e), 0);
    assert_int_equal(fired(url), 3); /* failed twice, then went through */
    int64_t n = -1;
    assert_int_equal(pg()->count(l, "energy", &n, &e), 0);
    assert_int_equal(n, 1);
    double j = 0;
    assert_int_equal(pg()->scan_energy_days(l, T_DAY, T_DAY + CT_DAY, sum_joules, &j, &e), 0);
    assert_true(j == 10); /* counted once, not once per attempt */
    pg()->close(l);
}

static void deadlock_retried(void **state)
{
    const char *url = ((struct schema *)*state)->url;
    ct_ledger *l = open_ok(url);
    inject(url, "sources", "40P01", 1);
    int64_t src = add_source(l);
    assert_true(src > 0);
    assert_int_equal(fired(url), 2);
    pg()->close(l);
}

/* Retries are bounded, and the caller's own transaction is not retried
 * behind its back (its earlier work is gone): both fail with the reason. */
static void retries_bounded(void **state)
{
    const char *url = ((struct schema *)*state)->url;
    ct_ledger *l = open_ok(url);
    int64_t src = add_source(l);
    inject(url, "energy", "40001", 1000);
    ct_err e = {{0}};
    struct ct_energy_rec r = rec(T_DAY, 10);
    assert_int_equal(pg()->add_energy(l, src, &r, &e), -1);
    assert_contains(e.msg, "injected failure");
    long n = fired(url);
    assert_true(n > 1 && n < 20);
    /* Inside a transaction the write is pipelined: its failure may show at
     * the add or at the commit, but it shows, and the write ran once. */
    assert_int_equal(pg()->begin(l, &e), 0);
    e.msg[0] = '\0';
    if (pg()->add_energy(l, src, &r, &e) == 0)
        assert_int_equal(pg()->commit(l, &e), -1);
    else
        pg()->rollback(l);
    assert_contains(e.msg, "injected failure");
    assert_int_equal(fired(url), n + 1);
    int64_t rows = -1;
    assert_int_equal(pg()->count(l, "energy", &rows, &e), 0);
    assert_int_equal(rows, 0);
    pg()->close(l);
}

/* The URL may hold a password: no error repeats it, not even libpq's
 * complaint about a token it cannot decode. */
static void url_never_echoed(void **state)
{
    (void)state;
    static const char *const urls[] = {
        "postgresql://u:s3cr%zzet@/db?host=/nonexistent-dir",
        "postgres://u@/db?host=/nonexistent-dir&password=s3cr%zzet",
        "postgresql://u:s3cret@/db?host=/nonexistent-dir&connect_timeout=2",
        "postgresql://u:s3cret@/db?bogus=1",
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        ct_ledger *l = NULL;
        ct_err e = {{0}};
        assert_int_equal(pg()->open(urls[i], &l, &e), -1);
        assert_null(l);
        assert_contains(e.msg, "PostgreSQL ledger: cannot connect: ");
        if (strstr(e.msg, "s3cr")) {
            fprintf(stderr, "%s\n", e.msg);
            fail();
        }
    }
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(newer_schema_refused),
        T(foreign_tables_refused),
        T(concurrent_first_open),
        T(aborted_transaction),
        T(snapshots),
        T(many_in_one_transaction),
        T(same_doubles_as_sqlite),
        T(serialization_failure_retried),
        T(deadlock_retried),
        T(retries_bounded),
        cmocka_unit_test(url_never_echoed),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
