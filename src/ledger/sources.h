#ifndef CT_LEDGER_SOURCES_H
#define CT_LEDGER_SOURCES_H
/* What the ledger holds, source by source, for `ledger sources` and `ledger
 * forget`: backend-neutral, through the per-source row streams of ledger.h. */
#include <stddef.h>
#include <stdint.h>

#include "ledger/ledger.h"

struct ct_source_info {
    int64_t id;
    char *kind, *path, *sha256;
    int64_t imported_at;
    size_t records;           /* energy buckets, detail ones too */
    size_t provided, runs;
    double kwh;               /* energy of the records that are not detail */
    int64_t t0, t1;           /* earliest start and latest end of its records (0, 0: none) */
    char host[128];           /* the first host of its records; "" when none */
    int nhosts;
    char platform[160];       /* the platform its records name; "" when none */
    int nplatforms;
};

/* Every source with its figures, by id. -1 with e on error. */
int ct_ledger_sources(const struct ct_ledger_h *L, struct ct_source_info **out, size_t *n,
                      ct_err *e);
void ct_ledger_sources_free(struct ct_source_info *s, size_t n);

/* The sources a user means by spec: an id ("12"), a sha256 or a prefix of at
 * least 8 of its hex digits, or a path as it was imported. Writes up to max
 * indices into idx and returns how many match (possibly more than max). */
size_t ct_ledger_source_match(const struct ct_source_info *s, size_t n, const char *spec,
                              size_t *idx, size_t max);

#endif
