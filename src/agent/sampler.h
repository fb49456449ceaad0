#ifndef CT_SAMPLER_H
#define CT_SAMPLER_H
/* Sampling an open sensor set: what agent and measure share.
 *
 * Each step reads the set once and turns its cumulative joules into the energy
 * spent since the previous step, over the wall-clock interval [t_prev, t_now)
 * that the ledger records. Nothing here allocates, so the agent's loop does not.
 *
 * Two clocks: CLOCK_MONOTONIC paces the loop and is what sensors integrate
 * power over (it never jumps); CLOCK_REALTIME stamps the ledger's intervals. */
#include <signal.h>
#include <stdint.h>

#include "core/err.h"
#include "ledger/ledger.h"
#include "sensors/sensor.h"

/* Blocks sigs in the calling thread and saves the old mask. Called before the
 * sensors open: threads a sensor's library starts (NVML has some) inherit the
 * mask, so a signal meant for this thread cannot land in one of them instead. */
void ct_signals_block(const int *sigs, int n, sigset_t *old);

double ct_clock_mono(void);
double ct_clock_real(void);
/* Sleeps until the monotonic time at (seconds). Returns 0 when it got there, 1
 * when a signal handler ran first (so the caller can look at its flags). */
int ct_sleep_until(double at);

/* Where a sampler gets its time, and how the agent's loop waits: the real
 * clocks (NULL), or a test's simulated ones. sleep_until returns as
 * ct_sleep_until does. */
struct ct_clock {
    double (*mono)(void *ud);
    double (*real)(void *ud);
    int (*sleep_until)(double at, void *ud);
    void *ud;
};
double ct_clock_mono_of(const struct ct_clock *c);
double ct_clock_real_of(const struct ct_clock *c);
int ct_sleep_until_of(const struct ct_clock *c, double at);

struct ct_sampler {
    struct ct_sensor_set *set;
    const struct ct_clock *clock;          /* NULL: the real clocks */
    double last_j[CT_SENSOR_MAX_DEVICES];  /* joules at the device's last good read */
    double last_t[CT_SENSOR_MAX_DEVICES];  /* wall clock of that read */
    /* The last step, per device: whether its sensor answered (ok), and if so the
     * energy dj over [t0, t_now) since its previous good read. */
    int ok[CT_SENSOR_MAX_DEVICES];
    double dj[CT_SENSOR_MAX_DEVICES], t0[CT_SENSOR_MAX_DEVICES];
    int lost[CT_SENSOR_MAX_DEVICES];       /* 1 once reported lost */
    int newly_lost[CT_SENSOR_MAX_DEVICES]; /* devices lost in the last step */
    int nnewly_lost;
    double m_prev, m_now;                  /* monotonic ends of the last interval */
    double t_prev, t_now;                  /* wall-clock ends of the last interval */
    uint64_t steps, read_errors;
};

/* The first read: the baseline every later delta starts from. Returns how many
 * sensors failed to read (e says why for the first); their devices start from
 * the zero of their open(). */
int ct_sampler_start(struct ct_sampler *s, struct ct_sensor_set *set, ct_err *e);
/* The same on the given clock (NULL: the real ones), kept for every step. */
int ct_sampler_start_on(struct ct_sampler *s, struct ct_sensor_set *set,
                        const struct ct_clock *clock, ct_err *e);
/* Reads each sensor and fills ok[], dj[], t0[], [t_prev, t_now) and newly_lost[].
 * Returns how many sensors failed to read (e says why for the first): their
 * devices are not ok this step, and keep their last good read, so the next good
 * one covers the gap (the counters are cumulative: nothing is lost). */
int ct_sampler_step(struct ct_sampler *s, ct_err *e);

#include "agent/pending.h"

#endif
