#ifndef CT_SPOOL_H
#define CT_SPOOL_H
/* The spool: measure's runs that could not be written to the ledger (locked
 * past the wait, full, read-only), kept in a file beside it, DB.spool, until
 * the next measure or agent that can write drains them into it.
 *
 * A text file of blocks, one per run, appended in one write under an flock:
 *   R <TAB> kind path sha256 imported_at host command t0 t1 exit cpu_j dram_j gpu_j total_j methods
 *   E <TAB> platform host device component method detail t0 t1 covered_s joules idle_joules idle_s util
 *   .
 * (fields tab-separated; \, tab, CR and LF in strings escaped as \\ \t \r \n;
 * numbers as %.17g, util "nan" when unknown). A block without its closing "."
 * (a crash mid-write) is ignored. Draining writes every block in one
 * transaction and then empties the file; a run whose source (its sha256) is
 * already in the ledger is skipped, so a drain cut short between the commit and
 * the emptying is never counted twice. Opened with O_NOFOLLOW. */
#include <stddef.h>

#include "core/err.h"
#include "ledger/ledger.h"

#define CT_SPOOL_SUFFIX ".spool"
/* A spool past this size takes no more runs (the ledger has been gone long). */
#define CT_SPOOL_MAX_BYTES (64L << 20)

/* DB.spool for a path; -1 for a URL (no spool) or a path too long. */
int ct_spool_path(const char *db, char *out, size_t cap);
int ct_spool_append(const char *path, const struct ct_source_rec *s, const struct ct_run_rec *r,
                    const struct ct_energy_rec *recs, int n, ct_err *e);
/* Writes the spool's runs into L in one transaction and empties it; *nruns:
 * how many were new to the ledger. */
int ct_spool_drain(const char *path, const struct ct_ledger_h *L, int *nruns, ct_err *e);

#endif
