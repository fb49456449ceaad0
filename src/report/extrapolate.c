/* Joint bootstrap weights over weeks (model.h).
 *
 * A series' figure for the period is a ratio estimator: observed kgCO2e per
 * covered unit-second, times the unit-seconds of the period. Its uncertainty
 * comes from resampling weeks, the blocks that keep the weekday and weekend
 * pattern together. The resampling is a Bayesian bootstrap (Rubin, 1981):
 * replicate b weighs week k by an Exp(1) draw, which is the classical
 * bootstrap's multinomial counts made smooth. Two properties matter here:
 *   - every series of a report sees the same weights, so the replicates of a
 *     sum of series are the sums of their replicates (a joint bootstrap), and
 *     the interval of a group is never a sum of intervals;
 *   - every week keeps a positive weight, so a series observed in a few weeks
 *     never draws a replicate with no data (the classical bootstrap over the
 *     period's weeks would, and would need a rule for it).
 * The seed is fixed, so every run prints the same interval. */
#include <math.h>
#include <stdlib.h>

#include "core/rng.h"
#include "report/model.h"

int ct_boot_init(struct ct_boot *bt, int nweeks, ct_err *e)
{
    bt->nweeks = nweeks > 0 ? nweeks : 1;
    bt->w = malloc(sizeof *bt->w * (size_t)bt->nweeks * CT_BOOT_REPLICATES);
    if (!bt->w)
        return ct_errf(e, "out of memory for the bootstrap weights");
    ct_rng rng = {CT_BOOT_SEED};
    for (size_t i = 0; i < (size_t)bt->nweeks * CT_BOOT_REPLICATES; i++) {
        /* u in (0, 1]: 53 random bits, never 0, so the log is finite */
        double u = ((double)(ct_rng_next(&rng) >> 11) + 1.0) / 9007199254740992.0;
        bt->w[i] = -log(u);
    }
    return 0;
}

void ct_boot_free(struct ct_boot *bt)
{
    free(bt->w);
    bt->w = NULL;
    bt->nweeks = 0;
}

void ct_boot_series(const struct ct_boot *bt, const double *kg, const double *cov, double cap,
                    double *reps)
{
    int obs[4096], nobs = 0;
    int big = bt->nweeks > (int)(sizeof obs / sizeof *obs);
    for (int k = 0; k < bt->nweeks && !big; k++)
        if (cov[k] > 0)
            obs[nobs++] = k;
    for (int b = 0; b < CT_BOOT_REPLICATES; b++) {
        const double *w = bt->w + (size_t)b * (size_t)bt->nweeks;
        double s1 = 0, s2 = 0;
        if (big) {
            for (int k = 0; k < bt->nweeks; k++)
                if (cov[k] > 0) {
                    s1 += w[k] * kg[k];
                    s2 += w[k] * cov[k];
                }
        } else {
            for (int i = 0; i < nobs; i++) {
                s1 += w[obs[i]] * kg[obs[i]];
                s2 += w[obs[i]] * cov[obs[i]];
            }
        }
        reps[b] = s2 > 0 ? s1 / s2 * cap : 0;
    }
}
