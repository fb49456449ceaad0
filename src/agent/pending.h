#ifndef CT_PENDING_H
#define CT_PENDING_H
/* Records emitted by bucketers, held until a transaction that writes them
 * commits. While the ledger cannot be written (full, locked, read-only) they
 * stay here, so the agent survives an outage of any length without dropping a
 * joule or growing:
 *   - a record for a (device, hour) already held is added into it (the ledger
 *     sums records of one bucket anyway, so this loses nothing), so an outage
 *     holds at most one record per device and hour;
 *   - when every slot is taken (a day's hours for 64 devices, longer for
 *     fewer), the oldest held hour of the device holding the most is folded
 *     into that device's next held hour: the energy is kept, whole and
 *     hour-aligned, only placed later in time (covered and idle seconds are
 *     capped at the hour).
 * Held records keep their order, oldest first. Strings are borrowed from the
 * bucketers, which outlive them. No allocation. */
#include <stdint.h>

#include "core/err.h"
#include "ledger/ledger.h"
#include "sensors/sensor.h"

#define CT_PENDING_MAX (26 * CT_SENSOR_MAX_DEVICES)

struct ct_pending {
    struct ct_energy_rec r[CT_PENDING_MAX];
    int n;
    uint64_t merged;  /* records added into one held for the same device and hour */
    uint64_t folded;  /* held hours folded into a later one because every slot was taken */
};

/* A ct_bucket_emit that keeps r in the struct ct_pending passed as ud. Never
 * fails: a full queue folds (see above). */
int ct_pending_emit(const struct ct_energy_rec *r, void *ud, ct_err *e);
/* Adds every held record to the ledger, oldest first, inside the caller's
 * transaction. Keeps them: call ct_pending_clear once the transaction commits. */
int ct_pending_write(const struct ct_pending *p, const struct ct_ledger_h *L, int64_t source,
                     ct_err *e);
void ct_pending_clear(struct ct_pending *p);
/* The joules held (all records, detail ones too). */
double ct_pending_joules(const struct ct_pending *p);

#endif
