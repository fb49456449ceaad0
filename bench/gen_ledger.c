/* Writes a synthetic team-year of measured energy into a ledger, through the same
 * ledger API the agent and importers use: HOSTS hosts x DEVICES devices, one
 * record per hour bucket (the bucket size the ledger keeps). Power follows a
 * day/night and weekday/weekend pattern; one day in ten is missing, so the
 * report has to extrapolate. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "core/timeutil.h"
#include "ledger/ledger.h"

static double watts(int host, int dev, int64_t t)
{
    int hour = (int)((t % CT_DAY) / 3600);
    int weekday = (int)((t / CT_DAY + 4) % 7); /* 0 = Sunday */
    double base = dev == 0 ? 60 : dev == 1 ? 8 : 45; /* cpu, dram, gpus idle */
    double peak = dev == 0 ? 180 : dev == 1 ? 15 : 300;
    double load = (hour >= 8 && hour < 20 && weekday != 0 && weekday != 6) ? 0.7 : 0.1;
    return base + (peak - base) * load * (0.9 + 0.2 * ((host * 7 + dev) % 5) / 4.0);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: gen_ledger DB HOSTS DEVICES YEAR\n");
        return 2;
    }
    int hosts = atoi(argv[2]), devices = atoi(argv[3]), year = atoi(argv[4]);
    static const char *devname[] = {"cpu0", "dram0", "gpu:0", "gpu:1", "gpu:2", "gpu:3"};
    static const char *comp[] = {"cpu", "dram", "gpu", "gpu", "gpu", "gpu"};
    struct ct_ledger_h L;
    ct_err e;
    if (ct_ledger_open(argv[1], &L, &e) < 0 || L.ops->begin(L.db, &e) < 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    int64_t from, to, rows = 0;
    ct_year_bounds(year, &from, &to);
    for (int h = 0; h < hosts; h++) {
        char host[32], sha[65];
        snprintf(host, sizeof host, "host-%02d", h);
        ct_sha256_hex(host, strlen(host), sha);
        struct ct_source_rec src = {"agent", host, sha, to};
        int64_t id;
        int existed;
        if (L.ops->add_source(L.db, &src, &id, &existed, &e) < 0)
            goto fail;
        for (int d = 0; d < devices && d < 6; d++) {
            for (int64_t t = from; t < to; t += 3600) {
                if ((t / CT_DAY + h) % 10 == 0)
                    continue;
                double w = watts(h, d, t);
                int idle = d >= 2 && w < 100;
                struct ct_energy_rec r = {"", host, devname[d], comp[d], CT_METHOD_MEASURED,
                                          t, t + 3600, 3600, w * 3600, idle ? w * 3600 : 0,
                                          idle ? 3600 : 0, idle ? 0.02 : 0.6, 0};
                if (L.ops->add_energy(L.db, id, &r, &e) < 0)
                    goto fail;
                rows++;
            }
        }
    }
    if (L.ops->commit(L.db, &e) < 0)
        goto fail;
    ct_ledger_close(&L);
    printf("%lld\n", (long long)rows);
    return 0;
fail:
    fprintf(stderr, "%s\n", e.msg);
    ct_ledger_close(&L);
    return 1;
}
