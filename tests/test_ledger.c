/* Ledger tests.
 *
 * The contract_* functions take a backend and a URL and check what every
 * backend must do, with values worked out by hand in the comments; the cmocka
 * wrappers run them on SQLite in a fresh temporary directory, or, when
 * CT_TEST_LEDGER_URL names a PostgreSQL server (tests/pg/pgtest.sh starts
 * one), on that server in a fresh schema each.
 * Then come SQLite-only checks (schema version, WAL, foreign files), the
 * backend selection, and SHA-256 against the FIPS 180-4 examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "ledger_contract.h"

/* ---- running the contract on SQLite ---- */

struct tmp {
    char dir[256], url[300];
};

static int tmp_setup(void **state)
{
    struct tmp *t = calloc(1, sizeof *t);
    const char *base = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/ct_ledger_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(t->dir))
        return -1;
    snprintf(t->url, sizeof t->url, "%s/ledger.db", t->dir);
    *state = t;
    return 0;
}

static int tmp_teardown(void **state)
{
    struct tmp *t = *state;
    static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
    char p[320];
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", t->url, ext[i]);
        unlink(p);
    }
    rmdir(t->dir);
    free(t);
    return 0;
}

/* ---- running the contract on a PostgreSQL URL ---- */

static void quiet_notice(void *arg, const char *msg)
{
    (void)arg, (void)msg;
}

/* Runs constant SQL on the test server, outside the backend under test. */
static int pg_admin(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "pg_admin: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

/* A fresh schema per test: the URL's search_path names it, so the ledger's
 * tables land there (dir holds the schema name). */
static int pg_setup(void **state)
{
    static int n;
    const char *base = getenv("CT_TEST_LEDGER_URL");
    struct tmp *t = calloc(1, sizeof *t);
    char sql[640];
    snprintf(t->dir, sizeof t->dir, "ct_test_%d_%d", (int)getpid(), ++n);
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", t->dir,
             t->dir);
    snprintf(t->url, sizeof t->url, "%s%soptions=-csearch_path%%3D%s", base,
             strchr(base, '?') ? "&" : "?", t->dir);
    *state = t;
    return pg_admin(base, sql);
}

static int pg_teardown(void **state)
{
    struct tmp *t = *state;
    char sql[640];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", t->dir);
    int ret = pg_admin(getenv("CT_TEST_LEDGER_URL"), sql);
    free(t);
    return ret;
}

/* The backend the URL picks: PostgreSQL, by its scheme. */
#define URL_CONTRACT(check)                                                     \
    static void url_##check(void **state)                                        \
    {                                                                           \
        const char *url = ((struct tmp *)*state)->url;                          \
        ct_err e = {{0}};                                                       \
        const struct ct_ledger_ops *ops = ct_ledger_backend(url, &e);           \
        assert_non_null(ops);                                                   \
        assert_string_equal(ops->name, "postgresql");                           \
        contract_##check(ops, url);                                             \
    }
URL_CONTRACT(reopen)
URL_CONTRACT(source_dedup)
URL_CONTRACT(upsert_sums)
URL_CONTRACT(util_unknown)
URL_CONTRACT(prorata)
URL_CONTRACT(calculated_month)
URL_CONTRACT(cut_days)
URL_CONTRACT(month_cut_at_end)
URL_CONTRACT(random_periods)
URL_CONTRACT(grouping)
URL_CONTRACT(detail)
URL_CONTRACT(delete_cascades)
URL_CONTRACT(rollback)
URL_CONTRACT(validation)
URL_CONTRACT(count_names)
URL_CONTRACT(scan_records)
URL_CONTRACT(list_sources)
URL_CONTRACT(source_rows)
URL_CONTRACT(list_every_source)

#define SQLITE_CONTRACT(name)                                                   \
    static void sqlite_##name(void **state)                                     \
    {                                                                           \
        contract_##name(&ct_ledger_sqlite, ((struct tmp *)*state)->url);        \
    }
SQLITE_CONTRACT(reopen)
SQLITE_CONTRACT(source_dedup)
SQLITE_CONTRACT(upsert_sums)
SQLITE_CONTRACT(util_unknown)
SQLITE_CONTRACT(prorata)
SQLITE_CONTRACT(calculated_month)
SQLITE_CONTRACT(cut_days)
SQLITE_CONTRACT(month_cut_at_end)
SQLITE_CONTRACT(random_periods)
SQLITE_CONTRACT(grouping)
SQLITE_CONTRACT(detail)
SQLITE_CONTRACT(delete_cascades)
SQLITE_CONTRACT(rollback)
SQLITE_CONTRACT(validation)
SQLITE_CONTRACT(count_names)
SQLITE_CONTRACT(scan_records)
SQLITE_CONTRACT(list_sources)
SQLITE_CONTRACT(source_rows)
SQLITE_CONTRACT(list_every_source)

/* The transfer contract wants a second ledger beside the first. */
static void sqlite_transfer(void **state)
{
    struct tmp *t = *state;
    char url2[320], p[330];
    snprintf(url2, sizeof url2, "%s/ledger2.db", t->dir);
    contract_transfer(&ct_ledger_sqlite, t->url, url2);
    static const char *const ext[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", url2, ext[i]);
        unlink(p);
    }
}

/* ---- SQLite only ---- */

static void sql_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void sqlite_newer_schema(void **state)
{
    const char *url = ((struct tmp *)*state)->url;
    ct_ledger *l = open_ok(&ct_ledger_sqlite, url);
    ct_ledger_sqlite.close(l);
    sql_exec(url, "PRAGMA user_version = 99");
    ct_err e = {{0}};
    l = NULL;
    assert_int_equal(ct_ledger_sqlite.open(url, &l, &e), -1);
    assert_null(l);
    assert_contains(e.msg, url);
    assert_contains(e.msg, "ledger schema version 99 is newer than this co2tally (1); "
                           "upgrade co2tally");
}

static void sqlite_foreign_files(void **state)
{
    const char *url = ((struct tmp *)*state)->url;
    ct_ledger *l = NULL;
    ct_err e = {{0}};
    sql_exec(url, "CREATE TABLE photos(x)");
    assert_int_equal(ct_ledger_sqlite.open(url, &l, &e), -1);
    assert_contains(e.msg, "not a co2tally ledger");
    unlink(url);

    FILE *f = fopen(url, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database, ", f);
    fclose(f);
    assert_int_equal(ct_ledger_sqlite.open(url, &l, &e), -1);
    assert_contains(e.msg, url);
    assert_contains(e.msg, "not a database");

    assert_int_equal(ct_ledger_sqlite.open("/nonexistent-dir/x/ledger.db", &l, &e), -1);
    assert_contains(e.msg, "/nonexistent-dir/x/ledger.db");
}

static void sqlite_wal_reader(void **state)
{
    const char *url = ((struct tmp *)*state)->url;
    const struct ct_ledger_ops *ops = &ct_ledger_sqlite;
    ct_ledger *w = open_ok(ops, url), *r = open_ok(ops, url);
    ct_err e = {{0}};
    assert_int_equal(ops->begin(w, &e), 0);
    struct ct_energy_rec x = rec("h1", "gpu0", T_DAY, T_DAY + H, 10);
    add_ok(ops, w, source(ops, w, "agent", SHA_A), &x);
    struct got g;
    scan(ops, r, T_DAY, T_DAY + CT_DAY, &g); /* reads while the writer holds its lock */
    assert_int_equal(g.n, 0);
    assert_int_equal(ops->commit(w, &e), 0);
    scan(ops, r, T_DAY, T_DAY + CT_DAY, &g);
    assert_int_equal(g.n, 1);
    ops->close(w);
    ops->close(r);

    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(url, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* ---- backend selection and names ---- */

static void backend_pick(void **state)
{
    (void)state;
    ct_err e = {{0}};
    const struct ct_ledger_ops *pg = ct_ledger_backend("postgresql://db/co2", &e);
    assert_non_null(pg);
    assert_string_equal(pg->name, "postgresql");
    assert_int_equal(pg->version, CT_LEDGER_OPS_VERSION);
    assert_ptr_equal(ct_ledger_backend("postgres://db/co2", &e), pg);
    assert_ptr_equal(ct_ledger_backend("./co2tally.db", &e), &ct_ledger_sqlite);
    assert_null(ct_ledger_backend("", &e));
    /* No server there: the open fails, names no password, and leaves no handle. */
    struct ct_ledger_h h = {0};
    assert_int_equal(ct_ledger_open("postgres://u:s3cret@/x?host=/nonexistent-dir&"
                                    "connect_timeout=2", &h, &e), -1);
    assert_null(h.db);
    assert_contains(e.msg, "PostgreSQL ledger");
    assert_null(strstr(e.msg, "s3cret"));
    ct_ledger_close(&h);
    assert_string_equal(ct_ledger_sqlite.name, "sqlite");
    assert_int_equal(ct_ledger_sqlite.version, CT_LEDGER_OPS_VERSION);
}

static void backend_open_close(void **state)
{
    struct ct_ledger_h h = {0};
    ct_err e = {{0}};
    assert_int_equal(ct_ledger_open(((struct tmp *)*state)->url, &h, &e), 0);
    assert_ptr_equal(h.ops, &ct_ledger_sqlite);
    int64_t n = -1;
    assert_int_equal(h.ops->count(h.db, "runs", &n, &e), 0);
    assert_int_equal(n, 0);
    ct_ledger_close(&h);
    assert_null(h.db);
}

static void method_names(void **state)
{
    (void)state;
    for (int m = CT_METHOD_MEASURED; m <= CT_METHOD_PROVIDED; m++)
        assert_int_equal(ct_method_parse(ct_method_name(m)), m);
    assert_string_equal(ct_method_name(CT_METHOD_CALCULATED), "calculated");
    assert_int_equal(ct_method_parse("guessed"), -1);
    assert_int_equal(ct_method_parse(NULL), -1);
}

/* ---- SHA-256 (FIPS 180-4 examples) ---- */

static void sha_is(const void *data, size_t n, const char *want)
{
    char hex[65];
    ct_sha256_hex(data, n, hex);
    assert_string_equal(hex, want);
}

static void sha256_vectors(void **state)
{
    (void)state;
    sha_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha_is(m448, strlen(m448),
           "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    sha_is(m896, strlen(m896),
           "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* One million 'a', in one call and in uneven pieces across block edges. */
static void sha256_million(void **state)
{
    (void)state;
    static const char want[] =
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    size_t n = 1000000;
    char *a = malloc(n);
    memset(a, 'a', n);
    sha_is(a, n, want);

    static const size_t pieces[] = {1, 55, 63, 64, 65, 127, 1000};
    ct_sha256 c;
    ct_sha256_init(&c);
    for (size_t done = 0, i = 0; done < n; i++) {
        size_t k = pieces[i % 7] < n - done ? pieces[i % 7] : n - done;
        ct_sha256_update(&c, a + done, k);
        done += k;
    }
    unsigned char d[32];
    ct_sha256_final(&c, d);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    assert_string_equal(hex, want);
    free(a);
}

/* The same contract on the PostgreSQL server CT_TEST_LEDGER_URL names. */
static int run_on_url(void)
{
#define U(name) cmocka_unit_test_setup_teardown(url_##name, pg_setup, pg_teardown)
    const struct CMUnitTest tests[] = {
        U(reopen),           U(source_dedup),  U(upsert_sums),  U(util_unknown),
        U(prorata),          U(calculated_month), U(cut_days),  U(month_cut_at_end),
        U(random_periods),   U(grouping),      U(detail),       U(delete_cascades),
        U(rollback),         U(validation),    U(count_names),  U(scan_records),
        U(list_sources),     U(source_rows),   U(list_every_source),
        cmocka_unit_test(backend_pick),
    };
#undef U
    return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(void)
{
    const char *url = getenv("CT_TEST_LEDGER_URL");
    if (url && *url)
        return run_on_url();
#define T(name) cmocka_unit_test_setup_teardown(name, tmp_setup, tmp_teardown)
    const struct CMUnitTest tests[] = {
        T(sqlite_reopen),
        T(sqlite_source_dedup),
        T(sqlite_upsert_sums),
        T(sqlite_util_unknown),
        T(sqlite_prorata),
        T(sqlite_calculated_month),
        T(sqlite_cut_days),
        T(sqlite_month_cut_at_end),
        T(sqlite_random_periods),
        T(sqlite_grouping),
        T(sqlite_detail),
        T(sqlite_delete_cascades),
        T(sqlite_rollback),
        T(sqlite_validation),
        T(sqlite_count_names),
        T(sqlite_scan_records),
        T(sqlite_list_sources),
        T(sqlite_newer_schema),
        T(sqlite_foreign_files),
        T(sqlite_wal_reader),
        T(backend_open_close),
        cmocka_unit_test(backend_pick),
        cmocka_unit_test(method_names),
        cmocka_unit_test(sha256_vectors),
        cmocka_unit_test(sha256_million),
        T(sqlite_source_rows),
        T(sqlite_list_every_source),
        T(sqlite_transfer),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
