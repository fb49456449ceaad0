#ifndef CT_SPOOL_H
#define CT_SPOOL_H
/* The spool: what could not be written to the ledger (locked past the wait,
 * full, read-only): measure's runs, and the energy an agent still held when it
 * was stopped. Kept in a file beside the ledger, DB.spool, until the next
 * measure or agent that can write drains it into the ledger.
 *
 * A text file of blocks, each under its own source, appended in one write
 * under an flock:
 *   R <TAB> kind path sha256 imported_at host command t0 t1 exit cpu_j dram_j gpu_j total_j methods
 *     (a run; or S <TAB> kind path sha256 imported_at: energy only)
 *   E <TAB> platform host device component method detail t0 t1 covered_s joules idle_joules idle_s util
 *   .
 * (fields tab-separated; \, tab, CR and LF in strings escaped as \\ \t \r \n;
 * numbers as %.17g, util "nan" when unknown). A block without its closing "."
 * (a crash mid-write) is ignored. Draining writes every block in one
 * transaction and then empties the file; a block whose source (its sha256)
 * is already in the ledger is skipped, so a drain cut short between the commit and
 * the emptying is never counted twice. Opened with O_NOFOLLOW. */
#include <stddef.h>

#include "core/err.h"
#include "ledger/ledger.h"

#define CT_SPOOL_SUFFIX ".spool"
/* A spool past this size takes no more runs (the ledger has been gone long). */
#define CT_SPOOL_MAX_BYTES (64L << 20)

/* DB.spool for a path; -1 for a URL (no spool) or a path too long. */
int ct_spool_path(const char *db, char *out, size_t cap);
/* Appends one block: source s, run r (NULL: energy only) and n energy records. */
int ct_spool_append(const char *path, const struct ct_source_rec *s, const struct ct_run_rec *r,
                    const struct ct_energy_rec *recs, int n, ct_err *e);
/* Writes the spool's blocks into L in one transaction and empties it;
 * *nblocks: how many were new to the ledger. */
int ct_spool_drain(const char *path, const struct ct_ledger_h *L, int *nblocks, ct_err *e);

#endif
