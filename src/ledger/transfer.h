#ifndef CT_TRANSFER_H
#define CT_TRANSFER_H
/* Copying records from one ledger to another (`ledger push`, `ledger merge`)
 * through the ops alone, so it works between any two backends.
 *
 * Sources are matched by sha256. A source the target lacks is copied whole
 * (its energy buckets, detail flag and every field kept, its provided rows
 * and runs) in one transaction of the target, so an interrupted copy leaves
 * the source absent, never half there, and running the copy again finishes
 * it. A source the target holds is skipped: a file's sha256 is its content,
 * and a measured run never changes once written. The one source that grows
 * after it is written, an agent's ("agent" kind, one per host), is compared:
 * when this ledger's copy holds everything the target's does and more, the
 * target's is replaced by it in one transaction; when the target's holds
 * records this one lacks, the target's is kept and a note says so. Copying
 * twice therefore gives the same target as copying once. */
#include <stdint.h>

#include "core/err.h"
#include "ledger/ledger.h"

struct ct_transfer_stats {
    int64_t sources;   /* sources in the origin */
    int64_t copied;    /* new to the target, copied */
    int64_t updated;   /* agent sources that had grown, replaced */
    int64_t present;   /* already in the target, skipped */
    int64_t kept;      /* the target's copy holds records the origin lacks: kept */
    int64_t energy, provided, runs; /* rows written to the target */
};

/* Called for a source whose target copy was kept (path and why), so the
 * command can tell the user; may be NULL. */
typedef void (*ct_transfer_note_fn)(const char *path, const char *why, void *ud);

/* Copies what from holds and to lacks; 0, or -1 with e (the sources already
 * committed stay, the one under way is rolled back). */
int ct_ledger_transfer(const struct ct_ledger_h *from, const struct ct_ledger_h *to,
                       struct ct_transfer_stats *st, ct_transfer_note_fn note, void *ud,
                       ct_err *e);

#endif
