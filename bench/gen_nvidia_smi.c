/* Writes a synthetic `nvidia-smi --query-gpu=timestamp,index,uuid,power.draw,
 * utilization.gpu,temperature.gpu --format=csv -l 1` log of about BYTES bytes,
 * GPUS GPUs sampled every second from 2023-01-01, for bench/import_nvidia.sh.
 * Values come from a fixed-seed xorshift, so every run writes the same file.
 * Prints the number of samples (lines after the header). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

/* Civil date of a day number (days since 1970-01-01), for the date part. */
static void civil(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = z / 146097, doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_nvidia_smi OUT BYTES [GPUS]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "wb");
    long long want = atoll(argv[2]);
    int gpus = argc > 3 ? atoi(argv[3]) : 4;
    if (!f || want <= 0 || gpus < 1 || gpus > 64) {
        fprintf(stderr, "gen_nvidia_smi: bad arguments or cannot write %s\n", argv[1]);
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    long long bytes = fprintf(f, "timestamp, index, uuid, power.draw [W], utilization.gpu [%%], "
                                 "temperature.gpu\n");
    const long day0 = 19358; /* 2023-01-01 */
    int64_t samples = 0;
    for (long s = 0; bytes < want; s++) {
        int y, m, d;
        civil(day0 + s / 86400, &y, &m, &d);
        long sec = s % 86400;
        for (int g = 0; g < gpus && bytes < want; g++) {
            uint32_t r = next();
            int util = (int)(r % 101), watts = 60 + (int)(r >> 8) % 34000;
            bytes += fprintf(f, "%04d/%02d/%02d %02ld:%02ld:%02ld.%03d, %d, GPU-%08x-1111-4222-8333-"
                             "4444555566%02d, %d.%02d W, %d %%, %d\n", y, m, d, sec / 3600,
                             sec / 60 % 60, sec % 60, 100 + g * 2, g, 0x1a2b3c4du + (unsigned)g, g,
                             watts / 100, watts % 100, util, 30 + (int)(r >> 24) % 50);
            samples++;
        }
    }
    if (fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    printf("%" PRId64 "\n", samples);
    return 0;
}
