/* Copying sources between two ledgers over the ops (see transfer.h). */
#include "ledger/transfer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"

/* ---- the origin's sources ---- */

struct src {
    int64_t id;
    char *kind, *path, *sha256;
    int64_t imported_at;
};
struct src_list {
    struct src *v;
    size_t n, cap;
    int oom;
};

static int collect_source(int64_t id, const struct ct_source_rec *s, void *ud)
{
    struct src_list *l = ud;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct src *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return l->oom = 1;
        l->v = v;
        l->cap = cap;
    }
    struct src *d = &l->v[l->n];
    d->id = id;
    d->imported_at = s->imported_at;
    d->kind = ct_strdup(s->kind);
    d->path = ct_strdup(s->path);
    d->sha256 = ct_strdup(s->sha256);
    l->n++;
    if (!d->kind || !d->path || !d->sha256)
        return l->oom = 1;
    return 0;
}

static void src_list_free(struct src_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].kind);
        free(l->v[i].path);
        free(l->v[i].sha256);
    }
    free(l->v);
}

/* ---- what a source holds, in a few numbers ---- */

/* Counts, the latest end and sums of one source's records, read in the
 * stream's fixed order, so two copies of the same records give the same
 * numbers bit for bit. */
struct digest {
    int64_t energy, provided, runs, max_t1;
    double joules, covered_s, kgco2e, run_j;
};

static int digest_energy(const struct ct_energy_rec *r, void *ud)
{
    struct digest *d = ud;
    d->energy++;
    d->joules += r->joules;
    d->covered_s += r->covered_s;
    if (r->t1 > d->max_t1)
        d->max_t1 = r->t1;
    return 0;
}

static int digest_provided(const struct ct_provided_rec *r, void *ud)
{
    struct digest *d = ud;
    d->provided++;
    d->kgco2e += r->kgco2e;
    return 0;
}

static int digest_run(const struct ct_run_rec *r, void *ud)
{
    struct digest *d = ud;
    d->runs++;
    d->run_j += r->total_j;
    return 0;
}

static int digest_of(const struct ct_ledger_h *h, int64_t id, struct digest *d, ct_err *e)
{
    memset(d, 0, sizeof *d);
    if (h->ops->source_energy_rows(h->db, id, digest_energy, d, e) != 0 ||
        h->ops->source_provided_rows(h->db, id, digest_provided, d, e) != 0 ||
        h->ops->source_run_rows(h->db, id, digest_run, d, e) != 0)
        return -1;
    return 0;
}

/* a within a relative 1e-12 of b: two backends may round a stored double. */
static int same_num(double a, double b) { return fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b)); }

static int same(const struct digest *a, const struct digest *b)
{
    return a->energy == b->energy && a->provided == b->provided && a->runs == b->runs &&
           a->max_t1 == b->max_t1 && same_num(a->joules, b->joules) &&
           same_num(a->covered_s, b->covered_s) && same_num(a->kgco2e, b->kgco2e) &&
           same_num(a->run_j, b->run_j);
}

/* An agent's buckets only ever gain energy and new buckets: a copy that has
 * at least as many of each and no less of any sum is the same source, later. */
static int grown_from(const struct digest *a, const struct digest *b)
{
    return a->energy >= b->energy && a->provided >= b->provided && a->runs >= b->runs &&
           a->max_t1 >= b->max_t1 && (a->joules >= b->joules || same_num(a->joules, b->joules)) &&
           (a->covered_s >= b->covered_s || same_num(a->covered_s, b->covered_s));
}

/* ---- copying one source ---- */

struct copy {
    const struct ct_ledger_h *to;
    int64_t id;
    struct ct_transfer_stats *st;
    ct_err *e;
};

static int copy_energy(const struct ct_energy_rec *r, void *ud)
{
    struct copy *c = ud;
    if (c->to->ops->add_energy(c->to->db, c->id, r, c->e) != 0)
        return -1;
    c->st->energy++;
    return 0;
}

static int copy_provided(const struct ct_provided_rec *r, void *ud)
{
    struct copy *c = ud;
    if (c->to->ops->add_provided(c->to->db, c->id, r, c->e) != 0)
        return -1;
    c->st->provided++;
    return 0;
}

static int copy_run(const struct ct_run_rec *r, void *ud)
{
    struct copy *c = ud;
    if (c->to->ops->add_run(c->to->db, c->id, r, c->e) != 0)
        return -1;
    c->st->runs++;
    return 0;
}

/* Inside the target's transaction: removes the target's copy (old_id > 0),
 * adds the source and its records. *existed: another writer added it first. */
static int write_source(const struct ct_ledger_h *from, const struct ct_ledger_h *to,
                        const struct src *s, int64_t old_id, struct ct_transfer_stats *st,
                        int *existed, ct_err *e)
{
    if (old_id > 0 && to->ops->delete_source(to->db, old_id, e) != 0)
        return -1;
    struct ct_source_rec rec = {s->kind, s->path, s->sha256, s->imported_at};
    struct copy c = {to, 0, st, e};
    if (to->ops->add_source(to->db, &rec, &c.id, existed, e) != 0)
        return -1;
    if (*existed)
        return 0;
    e->msg[0] = '\0';
    if (from->ops->source_energy_rows(from->db, s->id, copy_energy, &c, e) != 0 ||
        from->ops->source_provided_rows(from->db, s->id, copy_provided, &c, e) != 0 ||
        from->ops->source_run_rows(from->db, s->id, copy_run, &c, e) != 0)
        return -1;
    return 0;
}

/* One transaction of the target; the counts move to st only once committed. */
static int copy_source(const struct ct_ledger_h *from, const struct ct_ledger_h *to,
                       const struct src *s, int64_t old_id, struct ct_transfer_stats *st,
                       int *existed, ct_err *e)
{
    struct ct_transfer_stats rows = {0};
    *existed = 0;
    if (to->ops->begin(to->db, e) != 0)
        return -1;
    if (write_source(from, to, s, old_id, &rows, existed, e) != 0 || *existed ||
        to->ops->commit(to->db, e) != 0) {
        to->ops->rollback(to->db);
        if (*existed)
            return 0;
        return ct_err_prefix(e, "source %s", s->path);
    }
    st->energy += rows.energy;
    st->provided += rows.provided;
    st->runs += rows.runs;
    return 0;
}

/* A source the target holds: skipped, or replaced when it is an agent's that
 * has grown here since. */
static int reconcile(const struct ct_ledger_h *from, const struct ct_ledger_h *to,
                     const struct src *s, int64_t tid, struct ct_transfer_stats *st,
                     ct_transfer_note_fn note, void *ud, ct_err *e)
{
    if (strcmp(s->kind, "agent") != 0) {
        st->present++;
        return 0;
    }
    struct digest here, there;
    if (digest_of(from, s->id, &here, e) != 0 || digest_of(to, tid, &there, e) != 0)
        return ct_err_prefix(e, "source %s", s->path);
    if (same(&here, &there)) {
        st->present++;
        return 0;
    }
    if (!grown_from(&here, &there)) {
        st->kept++;
        if (note)
            note(s->path, "the target's copy holds records this ledger lacks; kept the "
                 "target's", ud);
        return 0;
    }
    int existed;
    if (copy_source(from, to, s, tid, st, &existed, e) != 0)
        return -1;
    st->updated++;
    return 0;
}

static int transfer_one(const struct ct_ledger_h *from, const struct ct_ledger_h *to,
                        const struct src *s, struct ct_transfer_stats *st,
                        ct_transfer_note_fn note, void *ud, ct_err *e)
{
    int64_t tid = 0;
    if (to->ops->find_source(to->db, s->sha256, &tid, e) != 0)
        return -1;
    if (tid == 0) {
        int existed;
        if (copy_source(from, to, s, 0, st, &existed, e) != 0)
            return -1;
        if (!existed) {
            st->copied++;
            return 0;
        }
        /* Another writer added it meanwhile: compare with theirs. */
        if (to->ops->find_source(to->db, s->sha256, &tid, e) != 0)
            return -1;
    }
    return reconcile(from, to, s, tid, st, note, ud, e);
}

int ct_ledger_transfer(const struct ct_ledger_h *from, const struct ct_ledger_h *to,
                       struct ct_transfer_stats *st, ct_transfer_note_fn note, void *ud,
                       ct_err *e)
{
    memset(st, 0, sizeof *st);
    e->msg[0] = '\0';
    struct src_list l = {0};
    if (from->ops->list_sources(from->db, NULL, collect_source, &l, e) != 0) {
        if (l.oom)
            ct_errf(e, "out of memory listing sources");
        src_list_free(&l);
        return -1;
    }
    st->sources = (int64_t)l.n;
    int ret = 0;
    for (size_t i = 0; ret == 0 && i < l.n; i++) {
        /* One snapshot of the origin per source: its digest and its copy see
         * the same records while an agent goes on writing here. */
        if (from->ops->read_begin(from->db, e) != 0) {
            ret = -1;
            break;
        }
        ret = transfer_one(from, to, &l.v[i], st, note, ud, e);
        from->ops->read_end(from->db);
    }
    src_list_free(&l);
    return ret;
}
