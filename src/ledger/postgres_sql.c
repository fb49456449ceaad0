/* The SQL of every statement the PostgreSQL backend prepares (enum pg_stmt).
 * Parameters carry explicit types, so that PQprepare infers nothing. Text
 * columns are COLLATE "C" in the schema, so every ORDER BY sorts bytes, as
 * SQLite's BINARY collation does: both backends list rows in the same order. */
#include "ledger/postgres_int.h"

const char *const pg_sql[PG_N] = {
    /* Writers run at READ COMMITTED whatever the server's default, where an
     * upsert waits for a competing one instead of failing; a report reads
     * one snapshot. */
    [PG_BEGIN] = "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE",
    [PG_BEGIN_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    [PG_COMMIT] = "COMMIT",
    [PG_ROLLBACK] = "ROLLBACK",

    [PG_SRC_INSERT] = "INSERT INTO sources(kind, path, sha256, imported_at)"
                      " VALUES($1::text, $2::text, $3::text, $4::bigint)"
                      " ON CONFLICT(sha256) DO NOTHING RETURNING id",
    [PG_SRC_FIND] = "SELECT id FROM sources WHERE sha256 = $1::text",
    [PG_SRC_DELETE] = "DELETE FROM sources WHERE id = $1::bigint",
    [PG_SRC_LIST] = "SELECT id, kind, path, sha256, imported_at FROM sources"
                    " WHERE kind = $1::text ORDER BY path, id",

    /* Finds or adds a series in one round trip. When a concurrent writer adds
     * the same key first, neither part returns a row (the statement's snapshot
     * predates that commit) and the caller asks again. */
    [PG_SERIES_GET] =
        "WITH ins AS (INSERT INTO series(source_id, platform, host, device, component, method,"
        " detail) VALUES($1::bigint, $2::text, $3::text, $4::text, $5::text, $6::integer,"
        " $7::integer) ON CONFLICT DO NOTHING RETURNING id)"
        " SELECT id FROM ins UNION ALL SELECT id FROM series WHERE source_id = $1::bigint"
        " AND platform = $2::text AND host = $3::text AND device = $4::text"
        " AND component = $5::text AND method = $6::integer AND detail = $7::integer",
    /* The bucket and its day's roll-up in one statement (so one round trip),
     * with the sums SQLite's two upserts make: util_s stays NULL only while
     * every add to the bucket had an unknown utilisation. $9 is the UTC day. */
    [PG_ENERGY_UPSERT] =
        "WITH b AS (INSERT INTO energy(series_id, t0, t1, covered_s, joules, idle_joules,"
        " idle_s, util_s) VALUES($1::bigint, $2::bigint, $3::bigint, $4::float8, $5::float8,"
        " $6::float8, $7::float8, $8::float8)"
        " ON CONFLICT(series_id, t0, t1) DO UPDATE SET"
        " covered_s = energy.covered_s + excluded.covered_s,"
        " joules = energy.joules + excluded.joules,"
        " idle_joules = energy.idle_joules + excluded.idle_joules,"
        " idle_s = energy.idle_s + excluded.idle_s,"
        " util_s = CASE WHEN energy.util_s IS NULL AND excluded.util_s IS NULL THEN NULL"
        " ELSE coalesce(energy.util_s, 0) + coalesce(excluded.util_s, 0) END)"
        " INSERT INTO energy_day(series_id, day, max_t1, covered_s, joules, idle_joules,"
        " idle_s, util_s) VALUES($1::bigint, $9::bigint, $3::bigint, $4::float8, $5::float8,"
        " $6::float8, $7::float8, coalesce($8::float8, 0))"
        " ON CONFLICT(series_id, day) DO UPDATE SET"
        " max_t1 = greatest(energy_day.max_t1, excluded.max_t1),"
        " covered_s = energy_day.covered_s + excluded.covered_s,"
        " joules = energy_day.joules + excluded.joules,"
        " idle_joules = energy_day.idle_joules + excluded.idle_joules,"
        " idle_s = energy_day.idle_s + excluded.idle_s,"
        " util_s = energy_day.util_s + excluded.util_s",

    /* The bucket alone, for adds inside a caller's transaction, whose day
     * roll-up goes in PG_DAY_FOLD. */
    [PG_BUCKET_UPSERT] =
        "INSERT INTO energy(series_id, t0, t1, covered_s, joules, idle_joules, idle_s, util_s)"
        " VALUES($1::bigint, $2::bigint, $3::bigint, $4::float8, $5::float8, $6::float8,"
        " $7::float8, $8::float8)"
        " ON CONFLICT(series_id, t0, t1) DO UPDATE SET"
        " covered_s = energy.covered_s + excluded.covered_s,"
        " joules = energy.joules + excluded.joules,"
        " idle_joules = energy.idle_joules + excluded.idle_joules,"
        " idle_s = energy.idle_s + excluded.idle_s,"
        " util_s = CASE WHEN energy.util_s IS NULL AND excluded.util_s IS NULL THEN NULL"
        " ELSE coalesce(energy.util_s, 0) + coalesce(excluded.util_s, 0) END",
    /* Many adds to one day's roll-up in one write: $4..$8 are the amounts in
     * the order they were added, and sum(... ORDER BY o) adds them one by one
     * in that order onto the stored value (float8 sum is a running float8pl),
     * so the result is the same double as that many upserts. */
#define FOLD(col, n)                                                                    \
    " " col " = (SELECT sum(v ORDER BY o) FROM unnest(d." col " || $" n "::float8[])"   \
    " WITH ORDINALITY AS u(v, o))"
#define FIRST(n) " (SELECT sum(v ORDER BY o) FROM unnest($" n "::float8[]) WITH ORDINALITY AS u(v, o))"
    [PG_DAY_FOLD] =
        "INSERT INTO energy_day AS d(series_id, day, max_t1, covered_s, joules, idle_joules,"
        " idle_s, util_s) SELECT $1::bigint, $2::bigint, $3::bigint," FIRST("4") ","
        FIRST("5") "," FIRST("6") "," FIRST("7") "," FIRST("8")
        " ON CONFLICT(series_id, day) DO UPDATE SET"
        " max_t1 = greatest(d.max_t1, excluded.max_t1)," FOLD("covered_s", "4") ","
        FOLD("joules", "5") "," FOLD("idle_joules", "6") "," FOLD("idle_s", "7") ","
        FOLD("util_s", "8"),
#undef FOLD
#undef FIRST

    /* The scan's row streams: any order (the scan sorts); detail series stay
     * out of the totals. */
    [PG_SERIES_LIST] = "SELECT se.id, se.platform, se.host, se.device, se.component,"
                       " se.method, so.kind FROM series se"
                       " JOIN sources so ON so.id = se.source_id WHERE se.detail = 0",
    [PG_ENERGY_SCAN] = "SELECT t0, t1, covered_s, joules, idle_joules, idle_s,"
                       " coalesce(util_s, 0) FROM energy WHERE series_id = $1::bigint"
                       " AND t0 >= $2::bigint AND t0 < $3::bigint",
    [PG_DAY_SCAN] = "SELECT series_id, day, max_t1, covered_s, joules, idle_joules, idle_s,"
                    " util_s FROM energy_day WHERE day >= $1::bigint AND day < $2::bigint",

    [PG_PROV_INSERT] = "INSERT INTO provided(source_id, provider, account, project, service,"
                       " region, region_raw, scope, market_based, t0, t1, kgco2e, orig_value,"
                       " orig_unit, platform) VALUES($1::bigint, $2::text, $3::text, $4::text,"
                       " $5::text, $6::text, $7::text, $8::integer, $9::integer, $10::bigint,"
                       " $11::bigint, $12::float8, $13::float8, $14::text, $15::text)",
    [PG_PROV_SCAN] = "SELECT provider, account, project, service, region, region_raw, scope,"
                     " market_based, t0, t1, kgco2e, orig_value, orig_unit, platform"
                     " FROM provided WHERE t0 < $2::bigint AND t1 > $1::bigint"
                     " ORDER BY provider, account, project, service, region, scope,"
                     " market_based, t0, id",
    [PG_RUN_INSERT] = "INSERT INTO runs(source_id, host, command, t0, t1, exit_status, cpu_j,"
                      " dram_j, gpu_j, total_j, methods) VALUES($1::bigint, $2::text, $3::text,"
                      " $4::bigint, $5::bigint, $6::integer, $7::float8, $8::float8,"
                      " $9::float8, $10::float8, $11::text)",
    /* A run shorter than a second (t0 = t1) belongs to the period holding its start. */
    [PG_RUN_SCAN] = "SELECT host, command, t0, t1, exit_status, cpu_j, dram_j, gpu_j,"
                    " total_j, methods FROM runs WHERE t0 < $2::bigint"
                    " AND (t1 > $1::bigint OR (t0 = t1 AND t0 >= $1::bigint)) ORDER BY t0, id",

    [PG_COUNT_SOURCES] = "SELECT count(*) FROM sources",
    [PG_COUNT_ENERGY] = "SELECT count(*) FROM energy",
    [PG_COUNT_PROVIDED] = "SELECT count(*) FROM provided",
    [PG_COUNT_RUNS] = "SELECT count(*) FROM runs",

    /* Version 4: a source's records read back as add_* would store them
     * again, in SQLite's order (series, then time; provided and runs by id). */
    [PG_SRC_LIST_ALL] = "SELECT id, kind, path, sha256, imported_at FROM sources"
                        " ORDER BY path, id",
    [PG_SRC_SERIES] = "SELECT se.id, se.platform, se.host, se.device, se.component,"
                      " se.method, so.kind FROM series se JOIN sources so ON so.id = se.source_id"
                      " WHERE se.source_id = $1::bigint AND se.detail = 0 ORDER BY se.id",
    [PG_SRC_ENERGY] = "SELECT se.platform, se.host, se.device, se.component, se.method,"
                      " se.detail, e.t0, e.t1, e.covered_s, e.joules, e.idle_joules, e.idle_s,"
                      " e.util_s FROM series se JOIN energy e ON e.series_id = se.id"
                      " WHERE se.source_id = $1::bigint ORDER BY se.id, e.t0, e.t1",
    [PG_SRC_PROVIDED] = "SELECT provider, account, project, service, region, region_raw, scope,"
                        " market_based, t0, t1, kgco2e, orig_value, orig_unit, platform"
                        " FROM provided WHERE source_id = $1::bigint ORDER BY id",
    [PG_SRC_RUNS] = "SELECT host, command, t0, t1, exit_status, cpu_j, dram_j, gpu_j, total_j,"
                    " methods FROM runs WHERE source_id = $1::bigint ORDER BY id",
};
