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

struct ct_sampler {
    struct ct_sensor_set *set;
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
/* Reads each sensor and fills ok[], dj[], t0[], [t_prev, t_now) and newly_lost[].
 * Returns how many sensors failed to read (e says why for the first): their
 * devices are not ok this step, and keep their last good read, so the next good
 * one covers the gap (the counters are cumulative: nothing is lost). */
int ct_sampler_step(struct ct_sampler *s, ct_err *e);

/* Records emitted by bucketers, held until the next transaction writes them.
 * Their strings are borrowed from the bucketers, which outlive them. */
#define CT_PENDING_MAX (3 * CT_SENSOR_MAX_DEVICES)
struct ct_pending {
    struct ct_energy_rec r[CT_PENDING_MAX];
    int n;
};
/* A ct_bucket_emit that appends to the struct ct_pending passed as ud. */
int ct_pending_emit(const struct ct_energy_rec *r, void *ud, ct_err *e);
/* Adds every pending record to the ledger (inside the caller's transaction). */
int ct_pending_write(struct ct_pending *p, const struct ct_ledger_h *L, int64_t source,
                     ct_err *e);

#endif
