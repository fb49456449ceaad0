/* The ledger schema and its migrations. PRAGMA user_version holds the number
 * of migration steps applied; a step is never edited once released, only
 * followed by a new one. All pending steps run in one transaction, so a
 * failed upgrade leaves the ledger as it was. */
#include <stdio.h>

#include "ledger/sqlite_int.h"

/* "co2t": marks the file as a co2tally ledger (PRAGMA application_id). */
#define CT_APPLICATION_ID 0x636f3274

/* Version 1.
 * Energy keys are normalised into `series` (one row per source, platform,
 * host, device, component and method): a team-year is 1.75 M energy rows, and
 * keeping the strings out of them makes the table a third of the size and the
 * report's scan correspondingly faster. `energy` is clustered on
 * (series_id, t0, t1), the bucket key add_energy upserts on, so a scan reads
 * each series in time order with one index seek and no sort.
 * energy_day rolls energy up per series and UTC day of t0, in the same
 * transaction as each add (like an index, it is derived but never stale): a
 * year's report reads 365 roll-up rows per series instead of 8760 buckets, and
 * goes back to the buckets only where a day needs clipping to the period.
 * util_s (utilisation x covered seconds) is stored instead of the mean, so
 * adding to a bucket is a plain sum; the energy_records view shows the mean.
 * detail marks a series contained in another of its host (a core inside its
 * package): stored for breakdowns, never scanned into totals.
 * Series ids are AUTOINCREMENT so a deleted series' id is never reused under a
 * writer that still caches it. platform is '' rather than NULL so that it
 * takes part in the unique key. energy's foreign key sits on a line of its
 * own, so that `.schema energy | grep -v REFERENCES` (bench/run.sh) still
 * leaves a valid table. */
static const char migration_1[] =
    "CREATE TABLE sources(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  kind TEXT NOT NULL,\n"
    "  path TEXT NOT NULL,\n"
    "  sha256 TEXT NOT NULL UNIQUE,\n"
    "  imported_at INTEGER NOT NULL);\n"
    "CREATE TABLE series(\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,\n"
    "  platform TEXT NOT NULL DEFAULT '',\n"
    "  host TEXT NOT NULL,\n"
    "  device TEXT NOT NULL,\n"
    "  component TEXT NOT NULL,\n"
    "  method INTEGER NOT NULL,\n"
    "  detail INTEGER NOT NULL DEFAULT 0,\n"
    "  UNIQUE(source_id, platform, host, device, component, method, detail));\n"
    "CREATE TABLE energy(\n"
    "  series_id INTEGER NOT NULL,\n"
    "  t0 INTEGER NOT NULL,\n"
    "  t1 INTEGER NOT NULL,\n"
    "  covered_s REAL NOT NULL,\n"
    "  joules REAL NOT NULL,\n"
    "  idle_joules REAL NOT NULL,\n"
    "  idle_s REAL NOT NULL,\n"
    "  util_s REAL,\n"
    "  FOREIGN KEY(series_id) REFERENCES series(id) ON DELETE CASCADE,\n"
    "  PRIMARY KEY(series_id, t0, t1)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE energy_day(\n"
    "  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,\n"
    "  day INTEGER NOT NULL,\n"
    "  max_t1 INTEGER NOT NULL,\n"
    "  covered_s REAL NOT NULL,\n"
    "  joules REAL NOT NULL,\n"
    "  idle_joules REAL NOT NULL,\n"
    "  idle_s REAL NOT NULL,\n"
    "  util_s REAL NOT NULL,\n"
    "  PRIMARY KEY(series_id, day)) WITHOUT ROWID;\n"
    "CREATE VIEW energy_records AS SELECT se.source_id, se.platform, se.host,\n"
    "  se.device, se.component, se.method, se.detail, e.t0, e.t1, e.covered_s, e.joules,\n"
    "  e.idle_joules, e.idle_s,\n"
    "  CASE WHEN e.covered_s > 0 THEN e.util_s / e.covered_s END AS util\n"
    "  FROM energy e JOIN series se ON se.id = e.series_id;\n"
    "CREATE TABLE provided(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,\n"
    "  provider TEXT NOT NULL,\n"
    "  account TEXT NOT NULL,\n"
    "  project TEXT NOT NULL,\n"
    "  service TEXT NOT NULL,\n"
    "  region TEXT NOT NULL,\n"
    "  region_raw TEXT NOT NULL,\n"
    "  scope INTEGER NOT NULL,\n"
    "  market_based INTEGER NOT NULL,\n"
    "  t0 INTEGER NOT NULL,\n"
    "  t1 INTEGER NOT NULL,\n"
    "  kgco2e REAL NOT NULL,\n"
    "  orig_value REAL NOT NULL,\n"
    "  orig_unit TEXT NOT NULL,\n"
    "  platform TEXT NOT NULL DEFAULT '');\n"
    "CREATE INDEX provided_source ON provided(source_id);\n"
    "CREATE INDEX provided_t0 ON provided(t0);\n"
    "CREATE TABLE runs(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,\n"
    "  host TEXT NOT NULL,\n"
    "  command TEXT NOT NULL,\n"
    "  t0 INTEGER NOT NULL,\n"
    "  t1 INTEGER NOT NULL,\n"
    "  exit_status INTEGER NOT NULL,\n"
    "  cpu_j REAL NOT NULL,\n"
    "  dram_j REAL NOT NULL,\n"
    "  gpu_j REAL NOT NULL,\n"
    "  total_j REAL NOT NULL,\n"
    "  methods TEXT NOT NULL);\n"
    "CREATE INDEX runs_source ON runs(source_id);\n"
    "CREATE INDEX runs_t0 ON runs(t0);\n";

static const char *const migrations[] = {migration_1};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int sq_schema_version(void) { return N_MIGRATIONS; }

static int pragma_int(ct_ledger *l, const char *sql, int64_t *v, ct_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_fail(l, e, "cannot read the ledger");
    int rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(l, e, "cannot read the ledger");
}

/* Refuses files that are SQLite but not a ledger, rather than adding tables
 * to somebody else's database. */
static int check_identity(ct_ledger *l, int64_t version, ct_err *e)
{
    int64_t n;
    if (version == 0) {
        if (pragma_int(l, "SELECT count(*) FROM sqlite_master", &n, e) != 0)
            return -1;
        if (n > 0)
            return ct_errf(e, "%s: not a co2tally ledger (it holds other tables)", l->path);
        return 0;
    }
    if (pragma_int(l, "PRAGMA application_id", &n, e) != 0)
        return -1;
    if (n != CT_APPLICATION_ID)
        return ct_errf(e, "%s: not a co2tally ledger (application_id %lld)", l->path,
                       (long long)n);
    return 0;
}

static int apply_steps(ct_ledger *l, ct_err *e)
{
    int64_t v;
    /* Read again inside the write lock: another process may have migrated. */
    if (pragma_int(l, "PRAGMA user_version", &v, e) != 0)
        return -1;
    for (int64_t i = v; i < N_MIGRATIONS; i++) {
        if (sqlite3_exec(l->db, migrations[i], NULL, NULL, NULL) != SQLITE_OK) {
            char what[64];
            snprintf(what, sizeof what, "schema migration %lld failed", (long long)i + 1);
            return sq_fail(l, e, what);
        }
    }
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
             CT_APPLICATION_ID, N_MIGRATIONS);
    if (sqlite3_exec(l->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sq_fail(l, e, "cannot record the schema version");
    return 0;
}

static int too_new(ct_ledger *l, int64_t v, ct_err *e)
{
    return ct_errf(e, "%s: ledger schema version %lld is newer than this co2tally (%d); "
                   "upgrade co2tally", l->path, (long long)v, N_MIGRATIONS);
}

int sq_migrate(ct_ledger *l, ct_err *e)
{
    int64_t v;
    if (pragma_int(l, "PRAGMA user_version", &v, e) != 0)
        return -1;
    if (v > N_MIGRATIONS)
        return too_new(l, v, e);
    if (v == N_MIGRATIONS)
        return check_identity(l, v, e);
    /* Creating or upgrading: everything is read again under the write lock,
     * since another process may be creating the same ledger right now. Its
     * tables seen before its version would otherwise look like somebody
     * else's database ("holds other tables"). */
    if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return sq_fail(l, e, "cannot lock the ledger to create its schema");
    int ret = pragma_int(l, "PRAGMA user_version", &v, e);
    if (ret == 0 && v > N_MIGRATIONS)
        ret = too_new(l, v, e);
    if (ret == 0)
        ret = check_identity(l, v, e);
    if (ret == 0 && v < N_MIGRATIONS)
        ret = apply_steps(l, e);
    if (ret != 0) {
        sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        sq_fail(l, e, "cannot commit the schema");
        sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

int sq_check_readable(ct_ledger *l, ct_err *e)
{
    int64_t v;
    if (pragma_int(l, "PRAGMA user_version", &v, e) != 0)
        return -1;
    if (v > N_MIGRATIONS)
        return too_new(l, v, e);
    if (check_identity(l, v, e) != 0)
        return -1;
    if (v == 0)
        return ct_errf(e, "%s: an empty ledger: nothing has been recorded in it yet", l->path);
    if (v < N_MIGRATIONS)
        return ct_errf(e, "%s: ledger schema version %lld is older than this co2tally's (%d) "
                       "and it is open read-only; write to it once (an import) to upgrade it",
                       l->path, (long long)v, N_MIGRATIONS);
    return 0;
}
