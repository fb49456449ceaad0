/* The PostgreSQL ledger schema and its migrations. schema_version holds one
 * row per migration step applied; a step is never edited once released, only
 * followed by a new one. Opening takes a transaction-scoped advisory lock
 * first, so that two processes opening a new database at once apply the
 * steps once: the second waits, then finds them applied. All pending steps
 * run in that one transaction, so a failed upgrade leaves the ledger as it
 * was. The tables live in the first schema of the connection's search_path
 * (options=-csearch_path=NAME in the URL picks another).
 *
 * The same tables as SQLite's (ledger/schema.c says why each is shaped as it
 * is), in PostgreSQL's types: bigint for SQLite's 64-bit INTEGER, double
 * precision for REAL, so that sums are the same IEEE doubles; text COLLATE "C"
 * so that keys compare and sort by bytes as SQLite's do; identity columns,
 * which never hand out an id twice (as AUTOINCREMENT). An agent updates its
 * day's roll-up row once an hour in a transaction of its own: the room that
 * fillfactor leaves in each page of energy_day lets those updates stay in
 * the page (HOT), where the next reader prunes the old versions, instead of
 * spreading dead rows over a table that every report reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/postgres_int.h"

/* "co2t", as the SQLite ledger's application_id. */
#define PG_LOCK_KEY "1668231796"

static const char migration_1[] =
    "CREATE TABLE sources(\n"
    "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "  kind text COLLATE \"C\" NOT NULL,\n"
    "  path text COLLATE \"C\" NOT NULL,\n"
    "  sha256 text COLLATE \"C\" NOT NULL UNIQUE,\n"
    "  imported_at bigint NOT NULL);\n"
    "CREATE INDEX sources_kind ON sources(kind, path, id);\n"
    "CREATE TABLE series(\n"
    "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "  source_id bigint NOT NULL REFERENCES sources(id) ON DELETE CASCADE,\n"
    "  platform text COLLATE \"C\" NOT NULL DEFAULT '',\n"
    "  host text COLLATE \"C\" NOT NULL,\n"
    "  device text COLLATE \"C\" NOT NULL,\n"
    "  component text COLLATE \"C\" NOT NULL,\n"
    "  method integer NOT NULL,\n"
    "  detail integer NOT NULL DEFAULT 0,\n"
    "  UNIQUE(source_id, platform, host, device, component, method, detail));\n"
    "CREATE TABLE energy(\n"
    "  series_id bigint NOT NULL REFERENCES series(id) ON DELETE CASCADE,\n"
    "  t0 bigint NOT NULL,\n"
    "  t1 bigint NOT NULL,\n"
    "  covered_s double precision NOT NULL,\n"
    "  joules double precision NOT NULL,\n"
    "  idle_joules double precision NOT NULL,\n"
    "  idle_s double precision NOT NULL,\n"
    "  util_s double precision,\n"
    "  PRIMARY KEY(series_id, t0, t1));\n"
    "CREATE TABLE energy_day(\n"
    "  series_id bigint NOT NULL REFERENCES series(id) ON DELETE CASCADE,\n"
    "  day bigint NOT NULL,\n"
    "  max_t1 bigint NOT NULL,\n"
    "  covered_s double precision NOT NULL,\n"
    "  joules double precision NOT NULL,\n"
    "  idle_joules double precision NOT NULL,\n"
    "  idle_s double precision NOT NULL,\n"
    "  util_s double precision NOT NULL,\n"
    "  PRIMARY KEY(series_id, day)) WITH (fillfactor = 70);\n"

    "CREATE VIEW energy_records AS SELECT se.source_id, se.platform, se.host,\n"
    "  se.device, se.component, se.method, se.detail, e.t0, e.t1, e.covered_s, e.joules,\n"
    "  e.idle_joules, e.idle_s,\n"
    "  CASE WHEN e.covered_s > 0 THEN e.util_s / e.covered_s END AS util\n"
    "  FROM energy e JOIN series se ON se.id = e.series_id;\n"
    "CREATE TABLE provided(\n"
    "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "  source_id bigint NOT NULL REFERENCES sources(id) ON DELETE CASCADE,\n"
    "  provider text COLLATE \"C\" NOT NULL,\n"
    "  account text COLLATE \"C\" NOT NULL,\n"
    "  project text COLLATE \"C\" NOT NULL,\n"
    "  service text COLLATE \"C\" NOT NULL,\n"
    "  region text COLLATE \"C\" NOT NULL,\n"
    "  region_raw text COLLATE \"C\" NOT NULL,\n"
    "  scope integer NOT NULL,\n"
    "  market_based integer NOT NULL,\n"
    "  t0 bigint NOT NULL,\n"
    "  t1 bigint NOT NULL,\n"
    "  kgco2e double precision NOT NULL,\n"
    "  orig_value double precision NOT NULL,\n"
    "  orig_unit text COLLATE \"C\" NOT NULL,\n"
    "  platform text COLLATE \"C\" NOT NULL DEFAULT '');\n"
    "CREATE INDEX provided_source ON provided(source_id);\n"
    "CREATE INDEX provided_t0 ON provided(t0);\n"
    "CREATE TABLE runs(\n"
    "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
    "  source_id bigint NOT NULL REFERENCES sources(id) ON DELETE CASCADE,\n"
    "  host text COLLATE \"C\" NOT NULL,\n"
    "  command text COLLATE \"C\" NOT NULL,\n"
    "  t0 bigint NOT NULL,\n"
    "  t1 bigint NOT NULL,\n"
    "  exit_status integer NOT NULL,\n"
    "  cpu_j double precision NOT NULL,\n"
    "  dram_j double precision NOT NULL,\n"
    "  gpu_j double precision NOT NULL,\n"
    "  total_j double precision NOT NULL,\n"
    "  methods text COLLATE \"C\" NOT NULL);\n"
    "CREATE INDEX runs_source ON runs(source_id);\n"
    "CREATE INDEX runs_t0 ON runs(t0);\n";

static const char *const migrations[] = {migration_1};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int pg_schema_version(void) { return N_MIGRATIONS; }

/* Constant SQL (no values) for the steps below; 0 or -1 with e. */
static int exec_const(ct_ledger *l, const char *sql, ct_err *e, const char *what)
{
    PGresult *r = PQexec(l->conn, sql);
    ExecStatusType s = PQresultStatus(r);
    int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
    if (!ok)
        pg_fail(l, e, what, r);
    PQclear(r);
    return ok ? 0 : -1;
}

/* One integer from a constant query: the first column of the first row. */
static int query_int(ct_ledger *l, const char *sql, long long *v, ct_err *e)
{
    PGresult *r = PQexec(l->conn, sql);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    if (ok)
        *v = PQgetisnull(r, 0, 0) ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else
        pg_fail(l, e, "cannot read the ledger's schema version", r);
    PQclear(r);
    return ok ? 0 : -1;
}

/* The applied version, 0 for an empty schema; refuses tables that are not a
 * ledger's, rather than adding to somebody else's database. */
static int read_version(ct_ledger *l, long long *v, ct_err *e)
{
    long long have_sv, ours, have_src;
    if (query_int(l, "SELECT (to_regclass('schema_version') IS NOT NULL)::int", &have_sv, e) ||
        query_int(l, "SELECT (to_regclass('sources') IS NOT NULL)::int", &have_src, e))
        return -1;
    if (!have_sv) {
        *v = 0;
        if (have_src)
            return ct_errf(e, "%s: not a co2tally ledger (it holds a table 'sources' "
                              "but no schema_version)", l->label);
        return 0;
    }
    if (query_int(l, "SELECT count(*) FROM pg_attribute WHERE attrelid ="
                     " to_regclass('schema_version') AND attname = 'ledger'"
                     " AND NOT attisdropped", &ours, e))
        return -1;
    if (!ours)
        return ct_errf(e, "%s: not a co2tally ledger (its schema_version table is "
                          "another program's)", l->label);
    return query_int(l, "SELECT max(version) FROM schema_version WHERE ledger = 'co2tally'",
                     v, e);
}

static int record_step(ct_ledger *l, int step, ct_err *e)
{
    char v[16];
    snprintf(v, sizeof v, "%d", step);
    const char *vals[1] = {v};
    PGresult *r = PQexecParams(l->conn, "INSERT INTO schema_version(ledger, version)"
                                        " VALUES('co2tally', $1::integer)",
                               1, NULL, vals, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        pg_fail(l, e, "cannot record the schema version", r);
    PQclear(r);
    return ok ? 0 : -1;
}

/* Inside the transaction, under the lock. */
static int migrate_locked(ct_ledger *l, ct_err *e)
{
    long long v;
    if (exec_const(l, "SELECT pg_advisory_xact_lock(" PG_LOCK_KEY ")", e,
                   "cannot lock the ledger to check its schema") != 0 ||
        read_version(l, &v, e) != 0)
        return -1;
    if (v > N_MIGRATIONS)
        return ct_errf(e, "%s: ledger schema version %lld is newer than this co2tally (%d); "
                          "upgrade co2tally", l->label, v, N_MIGRATIONS);
    if (v == 0 && exec_const(l, "CREATE TABLE schema_version(\n"
                                "  ledger text NOT NULL,\n"
                                "  version integer NOT NULL,\n"
                                "  applied_at timestamptz NOT NULL DEFAULT now(),\n"
                                "  PRIMARY KEY(ledger, version))",
                             e, "cannot create the schema") != 0)
        return -1;
    for (long long i = v; i < N_MIGRATIONS; i++) {
        char what[64];
        snprintf(what, sizeof what, "schema migration %lld failed", i + 1);
        if (exec_const(l, migrations[i], e, what) != 0 || record_step(l, (int)i + 1, e) != 0)
            return -1;
    }
    return 0;
}

int pg_migrate(ct_ledger *l, ct_err *e)
{
    for (int attempt = 0;; attempt++) {
        l->state[0] = '\0';
        int ret = exec_const(l, "BEGIN ISOLATION LEVEL READ COMMITTED", e,
                             "cannot begin the schema check");
        if (ret == 0)
            ret = migrate_locked(l, e);
        if (ret == 0)
            ret = exec_const(l, "COMMIT", e, "cannot commit the schema");
        if (ret == 0)
            return 0;
        if (PQtransactionStatus(l->conn) != PQTRANS_IDLE) {
            PGresult *r = PQexec(l->conn, "ROLLBACK");
            PQclear(r);
        }
        if (!pg_retryable(l) || attempt >= PG_RETRIES)
            return -1;
        pg_backoff(attempt);
    }
}
