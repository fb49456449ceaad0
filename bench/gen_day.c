/* Writes one synthetic day of a team's hosts into a ledger through the ledger
 * ops, the way agents would: HOSTS hosts x DEVICES devices x 24 hourly
 * buckets, all in one transaction, and prints "ROWS SECONDS", the seconds
 * being those of the writes and the commit alone (not the connection or the
 * schema check), so that SQLite and PostgreSQL compare on the same work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sha256.h"
#include "core/timeutil.h"
#include "ledger/ledger.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_day DB HOSTS DEVICES\n");
        return 2;
    }
    int hosts = atoi(argv[2]), devices = atoi(argv[3]);
    static const char *devname[] = {"cpu0", "dram0", "gpu:0", "gpu:1", "gpu:2", "gpu:3"};
    static const char *comp[] = {"cpu", "dram", "gpu", "gpu", "gpu", "gpu"};
    const int64_t day = 1688169600; /* 2023-07-01T00:00:00Z */
    struct ct_ledger_h L;
    ct_err e;
    if (ct_ledger_open(argv[1], &L, &e) < 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    double t0 = now();
    long rows = 0;
    if (L.ops->begin(L.db, &e) < 0)
        goto fail;
    for (int h = 0; h < hosts; h++) {
        char host[32], sha[65];
        snprintf(host, sizeof host, "day-host-%02d", h);
        ct_sha256_hex(host, strlen(host), sha);
        struct ct_source_rec src = {"agent", host, sha, day + CT_DAY};
        int64_t id;
        int existed;
        if (L.ops->add_source(L.db, &src, &id, &existed, &e) < 0)
            goto fail;
        for (int d = 0; d < devices && d < 6; d++)
            for (int64_t t = day; t < day + CT_DAY; t += 3600) {
                double w = 40 + 10 * d + (double)((t / 3600 + h) % 24);
                struct ct_energy_rec r = {"", host, devname[d], comp[d], CT_METHOD_MEASURED,
                                          t, t + 3600, 3600, w * 3600, 0, 0, 0.5, 0};
                if (L.ops->add_energy(L.db, id, &r, &e) < 0)
                    goto fail;
                rows++;
            }
    }
    if (L.ops->commit(L.db, &e) < 0)
        goto fail;
    double t1 = now();
    ct_ledger_close(&L);
    printf("%ld %.6f\n", rows, t1 - t0);
    return 0;
fail:
    fprintf(stderr, "%s\n", e.msg);
    ct_ledger_close(&L);
    return 1;
}
