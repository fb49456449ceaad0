#ifndef CT_LEDGER_OPEN_H
#define CT_LEDGER_OPEN_H
/* Opening a ledger with more than ct_ledger_open's defaults: read-only, and
 * how long (and how visibly) a writer waits for another's lock.
 *
 * Waiting: a writer that finds the ledger locked by another (an import, an
 * agent's flush) waits for it, up to busy_timeout_ms (default
 * CT_LEDGER_BUSY_TIMEOUT_MS, two minutes; the environment variable
 * CO2TALLY_BUSY_TIMEOUT_MS overrides it), and only then fails with "database
 * is locked". After about a second of one wait, `waiting` is called once for
 * that wait, so the command can say why it is not done yet (library code does
 * not print).
 *
 * Read-only: opened with SQLITE_OPEN_READONLY, never creating or migrating.
 * When the ledger's directory cannot be written and it has no -wal file (a
 * read-only mount, a copy without its -wal and -shm), it is opened immutable,
 * since nothing can be writing it and SQLite could not make its -shm. */
#include "ledger/ledger.h"

#define CT_LEDGER_BUSY_TIMEOUT_MS 120000

struct ct_ledger_open_opts {
    int read_only;
    int busy_timeout_ms;  /* 0: CO2TALLY_BUSY_TIMEOUT_MS, else the default */
    void (*waiting)(const char *path, double waited_s, double bound_s, void *ud);
    void *ud;
};

/* The wait a writer gets by default: CO2TALLY_BUSY_TIMEOUT_MS (milliseconds,
 * 0 or more) when set and valid, else CT_LEDGER_BUSY_TIMEOUT_MS. */
int ct_ledger_busy_timeout_ms(void);

int ct_ledger_open_with(const char *url, const struct ct_ledger_open_opts *o,
                        struct ct_ledger_h *h, ct_err *e);

#endif
