/* The SQL of every statement the SQLite backend caches (see enum sq_stmt). */
#include "ledger/sqlite_int.h"

const char *const sq_sql[SQ_N] = {
    /* Writers take the lock up front, so a write never fails half-way with
     * SQLITE_BUSY on upgrading a read lock; the busy handler (sqlite.c) waits. */
    [SQ_BEGIN] = "BEGIN IMMEDIATE",
    [SQ_BEGIN_READ] = "BEGIN DEFERRED",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",

    [SQ_SRC_INSERT] = "INSERT INTO sources(kind, path, sha256, imported_at)"
                      " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(sha256) DO NOTHING",
    [SQ_SRC_FIND] = "SELECT id FROM sources WHERE sha256 = ?1",
    [SQ_SRC_DELETE] = "DELETE FROM sources WHERE id = ?1",

    [SQ_SERIES_FIND] = "SELECT id FROM series WHERE source_id = ?1 AND platform = ?2"
                       " AND host = ?3 AND device = ?4 AND component = ?5 AND method = ?6"
                       " AND detail = ?7",
    [SQ_SERIES_INSERT] = "INSERT INTO series(source_id, platform, host, device, component,"
                         " method, detail) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    /* A second add to a bucket sums; util_s stays NULL only while every add
     * to the bucket had an unknown utilisation. */
    [SQ_ENERGY_UPSERT] =
        "INSERT INTO energy(series_id, t0, t1, covered_s, joules, idle_joules, idle_s, util_s)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        " ON CONFLICT(series_id, t0, t1) DO UPDATE SET"
        " covered_s = covered_s + excluded.covered_s,"
        " joules = joules + excluded.joules,"
        " idle_joules = idle_joules + excluded.idle_joules,"
        " idle_s = idle_s + excluded.idle_s,"
        " util_s = CASE WHEN util_s IS NULL AND excluded.util_s IS NULL THEN NULL"
        " ELSE coalesce(util_s, 0) + coalesce(excluded.util_s, 0) END",

    /* The day roll-up: the same sums per (series, day of t0), and the latest
     * end of a record starting that day, which tells the scan whether the day
     * can be taken whole. */
    [SQ_DAY_UPSERT] =
        "INSERT INTO energy_day(series_id, day, max_t1, covered_s, joules, idle_joules,"
        " idle_s, util_s) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, 0))"
        " ON CONFLICT(series_id, day) DO UPDATE SET"
        " max_t1 = max(max_t1, excluded.max_t1),"
        " covered_s = covered_s + excluded.covered_s,"
        " joules = joules + excluded.joules,"
        " idle_joules = idle_joules + excluded.idle_joules,"
        " idle_s = idle_s + excluded.idle_s,"
        " util_s = util_s + excluded.util_s",

    /* Detail series (a core inside its package) stay out of the totals. */
    [SQ_SERIES_LIST] = "SELECT se.id, se.platform, se.host, se.device, se.component,"
                       " se.method, so.kind FROM series se"
                       " JOIN sources so ON so.id = se.source_id"
                       " WHERE se.detail = 0 ORDER BY se.id",
    /* Buckets of one series starting in [?2, ?3): a primary-key range. The
     * first column is unused; it lines the amounts up with SQ_DAY_SCAN. */
    [SQ_ENERGY_SCAN] = "SELECT series_id, t0, t1, covered_s, joules, idle_joules, idle_s,"
                       " util_s FROM energy WHERE series_id = ?1 AND t0 >= ?2 AND t0 < ?3"
                       " ORDER BY t0, t1",
    /* The whole roll-up in series order: a few hundred rows per device-year,
     * cheaper to read in one pass than to seek per series. */
    [SQ_DAY_SCAN] = "SELECT series_id, day, max_t1, covered_s, joules, idle_joules, idle_s,"
                    " util_s FROM energy_day WHERE day >= ?1 AND day < ?2"
                    " ORDER BY series_id, day",

    [SQ_PROV_INSERT] = "INSERT INTO provided(source_id, provider, account, project, service,"
                       " region, region_raw, scope, market_based, t0, t1, kgco2e, orig_value,"
                       " orig_unit, platform)"
                       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    [SQ_PROV_SCAN] = "SELECT provider, account, project, service, region, region_raw, scope,"
                     " market_based, t0, t1, kgco2e, orig_value, orig_unit, platform"
                     " FROM provided WHERE t0 < ?2 AND t1 > ?1"
                     " ORDER BY provider, account, project, service, region, scope,"
                     " market_based, t0, id",
    [SQ_RUN_INSERT] = "INSERT INTO runs(source_id, host, command, t0, t1, exit_status, cpu_j,"
                      " dram_j, gpu_j, total_j, methods)"
                      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    /* A run shorter than a second has t0 = t1 and still belongs to the period
     * that holds its start. */
    [SQ_RUN_SCAN] = "SELECT host, command, t0, t1, exit_status, cpu_j, dram_j, gpu_j,"
                    " total_j, methods FROM runs"
                    " WHERE t0 < ?2 AND (t1 > ?1 OR (t0 = t1 AND t0 >= ?1))"
                    " ORDER BY t0, id",

    [SQ_COUNT_SOURCES] = "SELECT count(*) FROM sources",
    [SQ_COUNT_ENERGY] = "SELECT count(*) FROM energy",
    [SQ_COUNT_PROVIDED] = "SELECT count(*) FROM provided",
    [SQ_COUNT_RUNS] = "SELECT count(*) FROM runs",
};
