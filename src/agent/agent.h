#ifndef CT_AGENT_H
#define CT_AGENT_H
/* The agent: samples this host's sensors on an absolute clock and writes their
 * energy into the ledger's hourly buckets.
 *
 * One bucketer per device is set up front, so sampling never allocates. Each
 * flush is one transaction (the pending complete hours plus every device's
 * partly filled hour, which add_energy sums into the stored bucket), so a crash
 * loses at most the energy since the last flush and never leaves half a flush.
 *
 * A flush that fails (the ledger full, locked or read-only) keeps every record
 * it could not write (see agent/pending.h) for the next flush, so an outage
 * of any length loses nothing; the hooks say once when the ledger stops
 * taking writes and once when it takes them again.
 *
 * Records carry one ledger source per host (kind "agent", path "agent:HOST",
 * sha256 of that key), reused across restarts. */
#include <signal.h>
#include <stdint.h>

#include "agent/sampler.h"
#include "ingest/bucket.h"

/* A GPU under this utilisation counts as idle. */
#define CT_AGENT_GPU_IDLE 0.05

struct ct_agent_opts {
    double interval;   /* seconds between samples (default 1) */
    double duration;   /* seconds to run; 0: until stopped */
    double flush;      /* seconds between flushes (default 5), at most an hour */
};

/* What the command layer is told while the loop runs (library code never prints). */
struct ct_agent_hooks {
    void (*lost)(const struct ct_sensor_device *d, void *ud);   /* once per device */
    void (*warn)(const char *msg, void *ud);                    /* a failed read */
    void *ud;
    /* The ledger stopped taking writes (writable 0: msg says why) or takes them
     * again (1: msg says what was held). Once per change; NULL: warn says it. */
    void (*ledger)(int writable, const char *msg, void *ud);
};

struct ct_agent {
    struct ct_sampler smp;
    struct ct_bucketer b[CT_SENSOR_MAX_DEVICES];
    struct ct_pending pend;
    const struct ct_ledger_h *L;
    int64_t source;        /* 0 until the ledger has taken it */
    int source_existed;
    int failing;           /* the last read failed (warned once) */
    int ledger_down;       /* the last flush failed (said once) */
    double down_since;     /* monotonic time of the first failed flush */
    char host[256];
    uint64_t flushes, flush_errors;
    double joules;         /* sampled so far, devices that are not detail */
};

/* The source key and its sha256 for a host ("agent:HOST"). */
void ct_agent_source_key(const char *host, char key[300], char sha[65]);
/* Adds (or finds) the host's source, opens one bucketer per device and takes the
 * first sample. The agent borrows set and L until it is done. A ledger that
 * cannot be written yet is no error: source stays 0 until a flush adds it. */
int ct_agent_init(struct ct_agent *a, struct ct_sensor_set *set, const struct ct_ledger_h *L,
                  const char *host, ct_err *e);
/* The same on the given clock (NULL: the real ones; tests simulate time). */
int ct_agent_init_on(struct ct_agent *a, struct ct_sensor_set *set, const struct ct_ledger_h *L,
                     const char *host, const struct ct_clock *clock, ct_err *e);
/* Samples until the duration is over or *stop is set (by a signal handler), then
 * takes a last sample and flushes. Failed flushes in the loop are retried by the
 * next; -1 only when the last flush fails (a.pend then holds what is left). */
int ct_agent_run(struct ct_agent *a, const struct ct_agent_opts *o, volatile sig_atomic_t *stop,
                 const struct ct_agent_hooks *h, ct_err *e);
/* Takes one sample into the bucketers (no allocation). */
int ct_agent_sample(struct ct_agent *a, const struct ct_agent_hooks *h, ct_err *e);
/* Writes everything gathered so far in one transaction; on failure keeps it
 * all for the next flush. */
int ct_agent_flush(struct ct_agent *a, ct_err *e);

/* Drops root for user: supplementary groups, group, then user, and checks that
 * root cannot be regained. Call after every counter is open. */
int ct_drop_privileges(const char *user, ct_err *e);

#endif
