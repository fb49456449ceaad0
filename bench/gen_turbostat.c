/* Writes a turbostat log for the import benchmark, about BYTES long: one interval
 * a second, each under its own header (as turbostat prints it), a summary row,
 * then one row per CPU; package columns (PkgWatt, CorWatt, RAMWatt) only on the
 * first CPU of each package, as turbostat does. Values come from a fixed-seed
 * generator, so the same arguments give the same file.
 *
 *   gen_turbostat OUT BYTES [PACKAGES [CPUS_PER_PACKAGE]]
 * prints the number of intervals written. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng = 0x9e3779b97f4a7c15u;

static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static void header(FILE *f)
{
    fputs("usec\tTime_Of_Day_Seconds\tPackage\tCore\tCPU\tAvg_MHz\tBusy%\tBzy_MHz\tTSC_MHz\t"
          "IPC\tIRQ\tC1%\tC6%\tCoreTmp\tPkgTmp\tPkgWatt\tCorWatt\tRAMWatt\n",
          f);
}

/* One interval at time t; returns bytes written. */
static long interval(FILE *f, double t, int pk, int cpus)
{
    double pkg[64], cor[64], ram[64], sp = 0, sc = 0, sr = 0;
    for (int p = 0; p < pk; p++) {
        pkg[p] = 40 + 80 * uniform();
        cor[p] = pkg[p] * (0.4 + 0.2 * uniform());
        ram[p] = 5 + 20 * uniform();
        sp += pkg[p];
        sc += cor[p];
        sr += ram[p];
    }
    long n = ftell(f);
    header(f);
    fprintf(f, "%5d\t%.6f\t-\t-\t-\t%d\t%.2f\t%d\t2594\t0.72\t%d\t0.00\t99.95\t41\t42\t%.2f\t%.2f\t%.2f\n",
            300 + (int)(200 * uniform()), t, 1000 + (int)(500 * uniform()), 100 * uniform(),
            2000 + (int)(1000 * uniform()), 2000 + (int)(3000 * uniform()), sp, sc, sr);
    for (int p = 0; p < pk; p++)
        for (int c = 0; c < cpus; c++) {
            fprintf(f, "%5d\t%.6f\t%d\t%d\t%d\t%d\t%.2f\t%d\t2594\t0.63\t%d\t0.00\t99.97\t%d", 280 + (int)(50 * uniform()),
                    t - 0.008 + 0.0003 * (p * cpus + c), p, c, p * cpus + c, (int)(1000 * uniform()),
                    100 * uniform(), 1000 + (int)(1500 * uniform()), (int)(300 * uniform()),
                    35 + (int)(10 * uniform()));
            if (c == 0)
                fprintf(f, "\t42\t%.2f\t%.2f\t%.2f", pkg[p], cor[p], ram[p]);
            fputc('\n', f);
        }
    return ftell(f) - n;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_turbostat OUT BYTES [PACKAGES [CPUS_PER_PACKAGE]]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    long long want = atoll(argv[2]);
    int pk = argc > 3 ? atoi(argv[3]) : 2, cpus = argc > 4 ? atoi(argv[4]) : 16;
    if (pk < 1 || pk > 64 || cpus < 1 || cpus > 1024) {
        fprintf(stderr, "gen_turbostat: 1..64 packages, 1..1024 CPUs each\n");
        return 2;
    }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    long long done = 0, k = 0;
    for (double t = 1700000000.5; done < want; t += 1, k++)
        done += interval(f, t, pk, cpus);
    if (fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    printf("%lld\n", k);
    return 0;
}
