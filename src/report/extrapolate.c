/* Extrapolation to the whole period with a block bootstrap over weeks.
 *
 * The point estimate is a ratio estimator: observed kgCO2e per covered
 * device-second, times the device-seconds in the period. Weeks are the blocks, so
 * the day-of-week pattern (idle weekends) stays inside each resampled unit. Every
 * group is resampled with the same fixed seed, so groups with the same observed
 * weeks draw the same weeks: summing their replicates gives a joint bootstrap of
 * the total. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "report/model.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Linear interpolation between order statistics (Hyndman and Fan type 7). */
static double percentile(const double *sorted, int n, double p)
{
    double h = (n - 1) * p;
    int i = (int)floor(h);
    if (i >= n - 1)
        return sorted[n - 1];
    return sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]);
}

static void fill(double *reps, double v)
{
    if (reps)
        for (int b = 0; b < CT_BOOT_REPLICATES; b++)
            reps[b] = v;
}

void ct_extrapolate(const double *kg, const double *cov, int nblocks, double cap_total,
                    double *est, double *lo, double *hi, double *reps)
{
    double skg = 0, scov = 0;
    int *obs = malloc(sizeof *obs * (size_t)(nblocks > 0 ? nblocks : 1));
    double *draws = malloc(sizeof *draws * CT_BOOT_REPLICATES);
    if (!obs || !draws)
        abort();
    int nobs = 0;
    for (int i = 0; i < nblocks; i++) {
        if (cov[i] <= 0)
            continue;
        obs[nobs++] = i;
        skg += kg[i];
        scov += cov[i];
    }
    if (nobs == 0 || scov >= cap_total * (1 - 1e-12)) {
        /* No data, or the whole period is covered: nothing to extrapolate. */
        *est = *lo = *hi = skg;
        fill(reps, skg);
        free(obs);
        free(draws);
        return;
    }
    *est = skg / scov * cap_total;
    ct_rng rng = {CT_BOOT_SEED};
    for (int b = 0; b < CT_BOOT_REPLICATES; b++) {
        double s1 = 0, s2 = 0;
        for (int k = 0; k < nobs; k++) {
            int j = obs[ct_rng_below(&rng, (uint32_t)nobs)];
            s1 += kg[j];
            s2 += cov[j];
        }
        draws[b] = s1 / s2 * cap_total;
    }
    if (reps)
        memcpy(reps, draws, sizeof *draws * CT_BOOT_REPLICATES);
    qsort(draws, CT_BOOT_REPLICATES, sizeof *draws, cmp_double);
    *lo = percentile(draws, CT_BOOT_REPLICATES, 0.025);
    *hi = percentile(draws, CT_BOOT_REPLICATES, 0.975);
    /* A constant series gives identical replicates; keep the interval exactly
     * zero-width around the estimate rather than off by rounding. */
    if (*hi - *lo <= 1e-12 * fabs(*est))
        *lo = *hi = *est;
    free(obs);
    free(draws);
}
