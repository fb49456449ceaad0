#ifndef CT_HOSTS_H
#define CT_HOSTS_H
/* Who reported (`ledger hosts`): every host with energy in the ledger, when
 * its records start and end, which sources wrote them, and its energy in a
 * period. Over the ops alone, so any backend answers the same. */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "ledger/ledger.h"

struct ct_host_kind {
    char *kind;        /* source kind: "agent", "nvidia-smi", "measure", ... */
    int64_t sources;   /* how many sources of that kind hold the host's energy */
};

struct ct_host_sum {
    char *host;
    int64_t first, last;   /* start of its first bucket, end of its last (all time) */
    double joules;         /* energy in the period, detail excluded (as reports count) */
    int64_t sources;       /* sources holding its energy */
    struct ct_host_kind *kinds; /* by kind name */
    size_t nkinds;
};

struct ct_hosts {
    struct ct_host_sum *v; /* sorted by host */
    size_t n;
};

/* Fills out for the ledger; joules count [from, to). 0, or -1 with e. */
int ct_ledger_hosts(const struct ct_ledger_h *L, int64_t from, int64_t to, struct ct_hosts *out,
                    ct_err *e);
void ct_hosts_free(struct ct_hosts *h);
/* The host's entry, or NULL. */
const struct ct_host_sum *ct_hosts_find(const struct ct_hosts *h, const char *host);

#endif
