/* The bare cost of reading this host's counters: opens the sensor set (roots from
 * CO2TALLY_SYSFS_ROOT and friends, as the agent does) and reads it N times. The
 * agent's per-sample cost is this plus a few additions into its buckets. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sensors/sensor.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
    if (n <= 0)
        n = 10000;
    struct ct_env env;
    ct_env_from_environ(&env);
    static struct ct_sensor_set set;
    ct_err e;
    double o0 = now_s();
    int rc = ct_sensor_set_open(&set, &env, &e);
    double opened = now_s() - o0;
    if (rc < 0) {
        fprintf(stderr, "read_counters: %s\n", e.msg);
        return 1;
    }
    double t0 = now_s();
    int bad = 0;
    for (long i = 0; i < n; i++)
        bad |= ct_sensor_set_read(&set, now_s(), &e) < 0;
    double dt = now_s() - t0;
    printf("%.2f us per read of %d devices (%ld reads in %.3f s)%s; opening the set: %.2f ms\n",
           dt / (double)n * 1e6, set.ndev, n, dt, bad ? "; some reads failed" : "", opened * 1e3);
    ct_sensor_set_close(&set);
    return 0;
}
