/* Reading one source's records back out of the SQLite ledger (ops version 4),
 * for `ledger push` and `ledger merge`, and the SQLite-only helpers of
 * `ledger backup` and `ledger info`.
 *
 * The statements live here rather than in statements.c's cached set: a push
 * runs each once per source, so preparing per call costs nothing that shows,
 * and the handle's statement table stays as it is. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/sqlite_int.h"

enum sx_stmt { SX_SERIES, SX_ENERGY, SX_PROVIDED, SX_RUNS };

static const char *const sx_sql[] = {
    [SX_SERIES] = "SELECT se.id, se.platform, se.host, se.device, se.component, se.method,"
                  " so.kind FROM series se JOIN sources so ON so.id = se.source_id"
                  " WHERE se.source_id = ?1 AND se.detail = 0 ORDER BY se.id",
    /* Series then time: the order the copy's day roll-up then sums in. */
    [SX_ENERGY] = "SELECT se.platform, se.host, se.device, se.component, se.method, se.detail,"
                  " e.t0, e.t1, e.covered_s, e.joules, e.idle_joules, e.idle_s, e.util_s"
                  " FROM series se JOIN energy e ON e.series_id = se.id"
                  " WHERE se.source_id = ?1 ORDER BY se.id, e.t0, e.t1",
    [SX_PROVIDED] = "SELECT provider, account, project, service, region, region_raw, scope,"
                    " market_based, t0, t1, kgco2e, orig_value, orig_unit, platform"
                    " FROM provided WHERE source_id = ?1 ORDER BY id",
    [SX_RUNS] = "SELECT host, command, t0, t1, exit_status, cpu_j, dram_j, gpu_j, total_j,"
                " methods FROM runs WHERE source_id = ?1 ORDER BY id",
};

/* Runs statement id for source_id, handing each row to take. */
static int sx_stream(ct_ledger *l, enum sx_stmt id, int64_t source_id, sq_take_fn take,
                     const struct sq_sink *k, ct_err *e)
{
    if (e)
        e->msg[0] = '\0';
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(l->db, sx_sql[id], -1, &st, NULL) != SQLITE_OK)
        return sq_fail(l, e, "cannot read a source's records");
    sqlite3_bind_int64(st, 1, source_id);
    int ret = sq_stream(l, st, take, k, "a source's records", e);
    sqlite3_finalize(st);
    return ret;
}

/* util_s is stored as util x covered_s; NULL (no add knew the utilisation)
 * and a bucket with nothing covered both hand back NAN, which add_energy
 * stores as NULL again (the roll-up and the scan read either as 0). */
static int take_energy(sqlite3_stmt *st, const struct sq_sink *k)
{
    double covered = sqlite3_column_double(st, 8);
    double util = NAN;
    if (sqlite3_column_type(st, 12) != SQLITE_NULL && covered > 0) {
        util = sqlite3_column_double(st, 12) / covered;
        if (util > 1)
            util = 1; /* a sum's rounding; the stored mean is never above 1 */
    }
    struct ct_energy_rec r = {
        .platform = sq_col_str(st, 0),
        .host = sq_col_str(st, 1),
        .device = sq_col_str(st, 2),
        .component = sq_col_str(st, 3),
        .method = sqlite3_column_int(st, 4),
        .detail = sqlite3_column_int(st, 5),
        .t0 = sqlite3_column_int64(st, 6),
        .t1 = sqlite3_column_int64(st, 7),
        .covered_s = covered,
        .joules = sqlite3_column_double(st, 9),
        .idle_joules = sqlite3_column_double(st, 10),
        .idle_s = sqlite3_column_double(st, 11),
        .util = util,
    };
    return k->energy(&r, k->ud);
}

/* The same columns as the period scans, so the same readers. */
static int take_provided(sqlite3_stmt *st, const struct sq_sink *k)
{
    struct ct_provided_rec r;
    sq_read_provided(st, &r);
    return k->provided(&r, k->ud);
}

static int take_run(sqlite3_stmt *st, const struct sq_sink *k)
{
    struct ct_run_rec r;
    sq_read_run(st, &r);
    return k->run(&r, k->ud);
}

int sq_source_series_rows(ct_ledger *l, int64_t source_id, ct_series_row_fn fn, void *ud,
                          ct_err *e)
{
    struct sq_sink k = {.series = fn, .ud = ud};
    return sx_stream(l, SX_SERIES, source_id, sq_take_series, &k, e);
}

int sq_source_energy_rows(ct_ledger *l, int64_t source_id, ct_energy_fn fn, void *ud,
                          ct_err *e)
{
    struct sq_sink k = {.energy = fn, .ud = ud};
    return sx_stream(l, SX_ENERGY, source_id, take_energy, &k, e);
}

int sq_source_provided_rows(ct_ledger *l, int64_t source_id, ct_provided_fn fn, void *ud,
                            ct_err *e)
{
    struct sq_sink k = {.provided = fn, .ud = ud};
    return sx_stream(l, SX_PROVIDED, source_id, take_provided, &k, e);
}

int sq_source_run_rows(ct_ledger *l, int64_t source_id, ct_run_fn fn, void *ud, ct_err *e)
{
    struct sq_sink k = {.run = fn, .ud = ud};
    return sx_stream(l, SX_RUNS, source_id, take_run, &k, e);
}

/* ---- backup ---- */

/* How long the copy waits out a writer's lock, in steps of SX_BACKUP_WAIT_MS. */
#define SX_BACKUP_WAIT_MS 50
#define SX_BACKUP_TRIES 200

static int db_fail(sqlite3 *db, const char *path, const char *what, ct_err *e)
{
    return ct_errf(e, "%s: %s: %s", path, what, db ? sqlite3_errmsg(db) : "out of memory");
}

/* One sqlite3_backup_step(-1): the whole copy under one read transaction of
 * the source, so it is one snapshot however long the writers go on. In WAL
 * mode the writers are never blocked by it; a busy source (a checkpoint, a
 * recovery) is waited out and the copy started again. */
static int copy_pages(sqlite3 *src, const char *path, sqlite3 *dst, const char *tmp, ct_err *e)
{
    for (int tries = 0;; tries++) {
        sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
        if (!b)
            return db_fail(dst, tmp, "cannot start the backup", e);
        int rc = sqlite3_backup_step(b, -1);
        sqlite3_backup_finish(b);
        if (rc == SQLITE_DONE)
            return 0;
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            return ct_errf(e, "%s: backup failed: %s", path, sqlite3_errstr(rc));
        if (tries >= SX_BACKUP_TRIES)
            return ct_errf(e, "%s: backup gave up: the ledger stayed locked", path);
        sqlite3_sleep(SX_BACKUP_WAIT_MS);
    }
}

int ct_sqlite_backup(const char *path, const char *dest, ct_err *e)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return ct_errf(e, "%s: %s", path, strerror(errno));
    if (lstat(dest, &sb) == 0)
        return ct_errf(e, "%s already exists; give a new file name", dest);
    size_t n = strlen(dest) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return ct_errf(e, "out of memory");
    snprintf(tmp, n, "%s.partial", dest);
    unlink(tmp);
    sqlite3 *src = NULL, *dst = NULL;
    int ret = -1;
    /* The source is opened read-write: a reader of a WAL database needs its
     * -shm, and read-only opens fail when the last writer left no -shm. */
    if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        db_fail(src, path, "cannot open the ledger", e);
        goto out;
    }
    sqlite3_busy_timeout(src, 5000);
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        db_fail(dst, tmp, "cannot create the copy", e);
        goto out;
    }
    if (copy_pages(src, path, dst, tmp, e) != 0)
        goto out;
    /* The copy is written through dst's rollback journal straight into its
     * main file; closing leaves it complete, with no -wal beside it. */
    if (sqlite3_close(dst) != SQLITE_OK) {
        db_fail(dst, tmp, "cannot finish the copy", e);
        goto out;
    }
    dst = NULL;
    if (rename(tmp, dest) != 0) {
        ct_errf(e, "cannot rename %s to %s: %s", tmp, dest, strerror(errno));
        goto out;
    }
    ret = 0;
out:
    if (dst)
        sqlite3_close(dst);
    if (src)
        sqlite3_close(src);
    if (ret != 0)
        unlink(tmp);
    free(tmp);
    return ret;
}

/* ---- the write-ahead log ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int ct_sqlite_wal_size(const char *path, int64_t *bytes, int64_t *frames, ct_err *e)
{
    *bytes = *frames = 0;
    size_t n = strlen(path) + 8;
    char *wal = malloc(n);
    if (!wal)
        return ct_errf(e, "out of memory");
    snprintf(wal, n, "%s-wal", path);
    FILE *f = fopen(wal, "rb");
    if (!f) {
        int absent = errno == ENOENT;
        int ret = absent ? 0 : ct_errf(e, "%s: %s", wal, strerror(errno));
        free(wal);
        return ret;
    }
    /* The WAL header (32 bytes) holds the page size at offset 8; each frame is
     * a 24-byte header and one page. */
    unsigned char h[32];
    struct stat sb;
    int ret = 0;
    if (fstat(fileno(f), &sb) != 0) {
        ret = ct_errf(e, "%s: %s", wal, strerror(errno));
    } else {
        *bytes = (int64_t)sb.st_size;
        if (sb.st_size >= 32 && fread(h, 1, sizeof h, f) == sizeof h) {
            uint32_t page = be32(h + 8);
            if (page >= 512 && page <= 65536)
                *frames = (*bytes - 32) / (24 + (int64_t)page);
        }
    }
    fclose(f);
    free(wal);
    return ret;
}
