#include "agent/agent.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/sha256.h"

void ct_agent_source_key(const char *host, char key[300], char sha[65])
{
    snprintf(key, 300, "agent:%s", host);
    ct_sha256_hex(key, strlen(key), sha);
}

/* Adds (or finds) the host's source inside the caller's transaction. */
static int add_source(struct ct_agent *a, int64_t *id, ct_err *e)
{
    char key[300], sha[65];
    ct_agent_source_key(a->host, key, sha);
    struct ct_source_rec s = {.kind = "agent", .path = key, .sha256 = sha,
                              .imported_at = (int64_t)ct_clock_real_of(a->smp.clock)};
    return a->L->ops->add_source(a->L->db, &s, id, &a->source_existed, e);
}

int ct_agent_init(struct ct_agent *a, struct ct_sensor_set *set, const struct ct_ledger_h *L,
                  const char *host, ct_err *e)
{
    return ct_agent_init_on(a, set, L, host, NULL, e);
}

int ct_agent_init_on(struct ct_agent *a, struct ct_sensor_set *set, const struct ct_ledger_h *L,
                     const char *host, const struct ct_clock *clock, ct_err *e)
{
    memset(a, 0, sizeof *a);
    a->L = L;
    if (!host[0] || snprintf(a->host, sizeof a->host, "%s", host) >= (int)sizeof a->host)
        return ct_errf(e, "bad host name '%.80s'", host);
    if (set->ndev <= 0)
        return ct_errf(e, "no sensor device to sample");
    for (int i = 0; i < set->ndev; i++) {
        const struct ct_sensor_device *d = &set->dev[i];
        int gpu = strcmp(d->component, "gpu") == 0;
        ct_bucket_init(&a->b[i], "", a->host, d->id, d->component, d->method,
                       gpu ? CT_AGENT_GPU_IDLE : NAN);
        a->b[i].proto.detail = d->detail;
    }
    /* A ledger that cannot be written now (locked, full) does not stop the
     * agent: the first flush that can write adds the source. */
    const struct ct_ledger_ops *o = L->ops;
    a->smp.clock = clock;
    ct_err ignored;
    if (o->begin(L->db, &ignored) == 0) {
        if (add_source(a, &a->source, &ignored) < 0 || o->commit(L->db, &ignored) < 0) {
            o->rollback(L->db);
            a->source = 0;
        }
    }
    /* A sensor that fails this first read starts from its open(): still counted. */
    (void)ct_sampler_start_on(&a->smp, set, clock, e);
    return 0;
}

int ct_agent_sample(struct ct_agent *a, const struct ct_agent_hooks *h, ct_err *e)
{
    struct ct_sampler *s = &a->smp;
    int failed = ct_sampler_step(s, e);
    /* Warn once per run of failures; the next good read covers the gap. */
    if (failed && !a->failing && h && h->warn)
        h->warn(e->msg, h->ud);
    a->failing = failed > 0;
    for (int k = 0; k < s->nnewly_lost; k++)
        if (h && h->lost)
            h->lost(&s->set->dev[s->newly_lost[k]], h->ud);
    for (int i = 0; i < s->set->ndev; i++) {
        if (!s->ok[i] || (s->lost[i] && s->dj[i] == 0))
            continue; /* no data (yet): its time is not covered */
        if (!s->set->dev[i].detail)
            a->joules += s->dj[i];
        double u = s->set->val[i].util;
        if (!isnan(u))
            u = u < 0 ? 0 : u > 1 ? 1 : u;
        if (ct_bucket_add(&a->b[i], s->t0[i], s->t_now, s->dj[i], u, ct_pending_emit,
                          &a->pend, e) < 0)
            return -1;
    }
    return 0;
}

int ct_agent_flush(struct ct_agent *a, ct_err *e)
{
    const struct ct_ledger_ops *o = a->L->ops;
    /* Emptying the buckets cannot lose anything: the pending queue never
     * refuses a record, and keeps it until a commit has it. */
    for (int i = 0; i < a->smp.set->ndev; i++)
        if (ct_bucket_flush(&a->b[i], ct_pending_emit, &a->pend, e) < 0)
            return -1;
    if (a->pend.n == 0)
        return 0;
    if (o->begin(a->L->db, e) < 0) {
        a->flush_errors++;
        return -1;
    }
    /* The source too, when the ledger could not take it at the start; kept only
     * once committed, since a rollback takes the new row back. */
    int64_t src = a->source;
    if ((!src && add_source(a, &src, e) < 0) || ct_pending_write(&a->pend, a->L, src, e) < 0 ||
        o->commit(a->L->db, e) < 0) {
        o->rollback(a->L->db);
        a->flush_errors++;
        return -1;
    }
    a->source = src;
    ct_pending_clear(&a->pend);
    a->flushes++;
    return 0;
}

static void say_ledger(const struct ct_agent_hooks *h, int writable, const char *msg)
{
    if (h && h->ledger)
        h->ledger(writable, msg, h->ud);
    else if (h && h->warn)
        h->warn(msg, h->ud);
}

/* A failed flush is said once, when the ledger stops taking writes, and its
 * recovery once, when a flush gets through again. */
static void flush_or_hold(struct ct_agent *a, const struct ct_agent_hooks *h, ct_err *e)
{
    int n = a->pend.n;
    double held_j = a->ledger_down ? ct_pending_joules(&a->pend) : 0;
    if (ct_agent_flush(a, e) < 0) {
        if (!a->ledger_down) {
            a->ledger_down = 1;
            a->down_since = ct_clock_mono_of(a->smp.clock);
            char msg[sizeof e->msg + 160];
            snprintf(msg, sizeof msg, "cannot write the ledger (%s); keeping the energy in "
                     "memory and retrying every flush", e->msg);
            say_ledger(h, 0, msg);
        }
        return;
    }
    if (a->ledger_down) {
        a->ledger_down = 0;
        char msg[200];
        snprintf(msg, sizeof msg, "the ledger takes writes again: wrote %d records (%.6g J) "
                 "held for %.0f s", n, held_j,
                 ct_clock_mono_of(a->smp.clock) - a->down_since);
        say_ledger(h, 1, msg);
    }
}

int ct_agent_run(struct ct_agent *a, const struct ct_agent_opts *o, volatile sig_atomic_t *stop,
                 const struct ct_agent_hooks *h, ct_err *e)
{
    double start = a->smp.m_now;
    double end = o->duration > 0 ? start + o->duration : INFINITY;
    double next_flush = start + o->flush;
    int at_end = 0;
    for (long k = 1; !*stop && !at_end; k++) {
        double at = start + (double)k * o->interval;
        if (at >= end)
            at = end, at_end = 1;
        while (ct_sleep_until_of(a->smp.clock, at) && !*stop)
            ; /* some other signal: keep waiting for the tick */
        if (*stop)
            break;
        if (ct_agent_sample(a, h, e) < 0)
            return -1;
        double now = ct_clock_mono_of(a->smp.clock);
        if (now >= next_flush) {
            flush_or_hold(a, h, e);
            next_flush = next_flush + o->flush > now ? next_flush + o->flush : now + o->flush;
        }
        /* Fell behind (a stopped process, a slow flush): skip the missed ticks. */
        if (now > at + o->interval)
            k = (long)floor((now - start) / o->interval);
    }
    /* Stopped by a signal: the energy up to now still counts. */
    if (!at_end && ct_agent_sample(a, h, e) < 0)
        return -1;
    return ct_agent_flush(a, e);
}
