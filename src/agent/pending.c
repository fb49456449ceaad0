#include "agent/pending.h"

#include <math.h>
#include <string.h>

static int same_str(const char *a, const char *b)
{
    return a == b || strcmp(a ? a : "", b ? b : "") == 0;
}

/* One device: the bucketer's identity, every field but the amounts and times. */
static int same_device(const struct ct_energy_rec *a, const struct ct_energy_rec *b)
{
    return a->method == b->method && a->detail == b->detail && same_str(a->device, b->device) &&
           same_str(a->host, b->host) && same_str(a->component, b->component) &&
           same_str(a->platform, b->platform);
}

/* Adds src's amounts into dst (dst keeps its times). Utilisation is summed as
 * utilisation x covered seconds, as the ledger does, unknown counting as none.
 * Covered and idle seconds are capped at dst's span: only a fold can pass it. */
static void add_into(struct ct_energy_rec *dst, const struct ct_energy_rec *src)
{
    double us = (isnan(dst->util) ? 0 : dst->util * dst->covered_s) +
                (isnan(src->util) ? 0 : src->util * src->covered_s);
    int known = !isnan(dst->util) || !isnan(src->util);
    double span = (double)(dst->t1 - dst->t0);
    dst->joules += src->joules;
    dst->idle_joules += src->idle_joules;
    dst->covered_s += src->covered_s;
    if (dst->covered_s > span)
        dst->covered_s = span;
    dst->idle_s += src->idle_s;
    if (dst->idle_s > dst->covered_s)
        dst->idle_s = dst->covered_s;
    if (!known)
        dst->util = NAN;
    else
        dst->util = dst->covered_s > 0 ? fmin(1.0, us / dst->covered_s) : 0;
}

/* Frees a slot: the device holding the most records folds its oldest into its
 * next. Every device has at least two records when the queue is full, as
 * CT_PENDING_MAX is far above twice the devices a set can have. */
static void fold_one(struct ct_pending *p)
{
    /* Per device: its first (oldest) record and how many it holds. */
    int first[CT_SENSOR_MAX_DEVICES], count[CT_SENSOR_MAX_DEVICES], nd = 0;
    for (int i = 0; i < p->n; i++) {
        int d = 0;
        while (d < nd && !same_device(&p->r[first[d]], &p->r[i]))
            d++;
        if (d == nd) {
            if (nd == CT_SENSOR_MAX_DEVICES)
                continue; /* not from one sensor set: only the first devices compete */
            first[nd] = i, count[nd++] = 0;
        }
        count[d]++;
    }
    int best = 0, best_n = 0;
    for (int d = 0; d < nd; d++)
        if (count[d] > best_n)
            best = first[d], best_n = count[d];
    int next = -1;
    for (int j = best + 1; j < p->n; j++)
        if (same_device(&p->r[best], &p->r[j])) {
            next = j;
            break;
        }
    if (next < 0) {
        /* Unreachable with CT_PENDING_MAX > 2 x devices; the last record then
         * takes the oldest, which still keeps the energy. */
        best = 0, next = p->n - 1;
    }
    add_into(&p->r[next], &p->r[best]);
    memmove(&p->r[best], &p->r[best + 1], (size_t)(p->n - best - 1) * sizeof p->r[0]);
    p->n--;
    p->folded++;
}

int ct_pending_emit(const struct ct_energy_rec *r, void *ud, ct_err *e)
{
    (void)e;
    struct ct_pending *p = ud;
    for (int i = p->n - 1; i >= 0; i--) {
        if (p->r[i].t0 == r->t0 && p->r[i].t1 == r->t1 && same_device(&p->r[i], r)) {
            add_into(&p->r[i], r);
            p->merged++;
            return 0;
        }
    }
    if (p->n == CT_PENDING_MAX)
        fold_one(p);
    p->r[p->n++] = *r;
    return 0;
}

int ct_pending_write(const struct ct_pending *p, const struct ct_ledger_h *L, int64_t source,
                     ct_err *e)
{
    for (int i = 0; i < p->n; i++)
        if (L->ops->add_energy(L->db, source, &p->r[i], e) < 0)
            return -1;
    return 0;
}

void ct_pending_clear(struct ct_pending *p) { p->n = 0; }

double ct_pending_joules(const struct ct_pending *p)
{
    double j = 0;
    for (int i = 0; i < p->n; i++)
        j += p->r[i].joules;
    return j;
}
