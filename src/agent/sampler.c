#include "agent/sampler.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double ct_clock_mono(void) { return clock_s(CLOCK_MONOTONIC); }

void ct_signals_block(const int *sigs, int n, sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < n; i++)
        sigaddset(&set, sigs[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}
double ct_clock_real(void) { return clock_s(CLOCK_REALTIME); }

int ct_sleep_until(double at)
{
    struct timespec ts;
    ts.tv_sec = (time_t)floor(at);
    ts.tv_nsec = (long)((at - floor(at)) * 1e9);
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    /* An absolute deadline: a late wake-up does not push later samples back. */
    int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    return rc == EINTR ? 1 : 0;
}

/* Reads each sensor of the set on its own, so one that fails does not hold the
 * others' energy back. Marks ok[] per device; returns how many sensors failed. */
static int read_each(struct ct_sampler *s, double now, ct_err *e)
{
    struct ct_sensor_set *set = s->set;
    int failed = 0;
    for (int k = 0; k < set->ns; k++) {
        ct_err one;
        int good = set->s[k].ops->read(set->s[k].state, now, set->val + set->s[k].first, &one) == 0;
        if (!good && failed++ == 0)
            ct_errf(e, "%s: %s", set->s[k].ops->name, one.msg);
        for (int i = set->s[k].first; i < set->s[k].first + set->s[k].ndev; i++)
            s->ok[i] = good;
    }
    return failed;
}

double ct_clock_mono_of(const struct ct_clock *c) { return c ? c->mono(c->ud) : ct_clock_mono(); }
double ct_clock_real_of(const struct ct_clock *c) { return c ? c->real(c->ud) : ct_clock_real(); }
int ct_sleep_until_of(const struct ct_clock *c, double at)
{
    return c ? c->sleep_until(at, c->ud) : ct_sleep_until(at);
}

int ct_sampler_start(struct ct_sampler *s, struct ct_sensor_set *set, ct_err *e)
{
    return ct_sampler_start_on(s, set, NULL, e);
}

int ct_sampler_start_on(struct ct_sampler *s, struct ct_sensor_set *set,
                        const struct ct_clock *clock, ct_err *e)
{
    memset(s, 0, sizeof *s);
    s->set = set;
    s->clock = clock;
    s->m_now = s->m_prev = ct_clock_mono_of(clock);
    s->t_now = s->t_prev = ct_clock_real_of(clock);
    int failed = read_each(s, s->m_now, e);
    for (int i = 0; i < set->ndev; i++) {
        const struct ct_sensor_value *v = &set->val[i];
        s->last_j[i] = s->ok[i] && isfinite(v->joules) ? v->joules : 0;
        s->last_t[i] = s->t_now;
        s->lost[i] = s->ok[i] && v->lost;
    }
    return failed;
}

/* The device's energy since its last good read. */
static void take(struct ct_sampler *s, int i)
{
    const struct ct_sensor_value *v = &s->set->val[i];
    double d = v->joules - s->last_j[i];
    /* Counters are unwrapped by the sensors; a negative or broken delta is a
     * reset we cannot account for, so it counts as nothing. */
    s->dj[i] = isfinite(d) && d > 0 ? d : 0;
    if (isfinite(v->joules))
        s->last_j[i] = v->joules;
    s->t0[i] = s->last_t[i];
    s->last_t[i] = s->t_now;
    if (v->lost && !s->lost[i]) {
        s->lost[i] = 1;
        s->newly_lost[s->nnewly_lost++] = i;
    }
}

int ct_sampler_step(struct ct_sampler *s, ct_err *e)
{
    double m = ct_clock_mono_of(s->clock), t = ct_clock_real_of(s->clock);
    s->nnewly_lost = 0;
    int failed = read_each(s, m, e);
    /* A wall clock stepped back (NTP, a user) would make the ledger's interval run
     * backwards; the monotonic clock says how much time really passed. */
    if (t < s->t_now)
        t = s->t_now + (m - s->m_now);
    s->m_prev = s->m_now, s->m_now = m;
    s->t_prev = s->t_now, s->t_now = t;
    for (int i = 0; i < s->set->ndev; i++) {
        s->dj[i] = 0;
        if (s->ok[i])
            take(s, i);
    }
    s->steps++;
    if (failed)
        s->read_errors++;
    return failed;
}
