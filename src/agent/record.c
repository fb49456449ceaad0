/* measure's results into the ledger, and into kgCO2e for the user. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/measure.h"
#include "agent/spool.h"
#include "config/accounting.h"
#include "core/sha256.h"

void ct_measure_free(struct ct_measurement *m)
{
    free(m->recs);
    m->recs = NULL;
    m->nrecs = m->caprecs = 0;
    ct_proctree_free(&m->tree);
}

static int keep_last(const struct ct_energy_rec *r, void *ud, ct_err *e)
{
    struct ct_measurement *m = ud;
    /* keep_rec in attrib.c grows the array; here it has room for one per device. */
    if (m->nrecs == m->caprecs)
        return ct_errf(e, "internal: no room for the last energy record");
    m->recs[m->nrecs++] = *r;
    return 0;
}

/* Moves every device's partly filled hour into recs[]. */
static int flush_all(struct ct_measurement *m, ct_err *e)
{
    int n = m->smp.set ? m->smp.set->ndev : 0;
    if (m->caprecs - m->nrecs < n) {
        struct ct_energy_rec *p = realloc(m->recs, (size_t)(m->nrecs + n) * sizeof *p);
        if (!p && n)
            return ct_errf(e, "out of memory keeping energy records");
        m->recs = p;
        m->caprecs = m->nrecs + n;
    }
    for (int i = 0; i < n; i++)
        if (ct_bucket_flush(&m->b[i], keep_last, m, e) < 0)
            return -1;
    return 0;
}

void ct_measure_output(const struct ct_measurement *m, const char *command,
                       struct ct_measure_out *o)
{
    /* One source per run: the host, the start to the microsecond and the pid. */
    snprintf(o->key, sizeof o->key, "measure:%s:%.6f:%d", m->host, m->t0, (int)m->pid);
    ct_sha256_hex(o->key, strlen(o->key), o->sha);
    o->src = (struct ct_source_rec){.kind = "measure", .path = o->key, .sha256 = o->sha,
                                    .imported_at = (int64_t)floor(m->t1)};
    ct_measure_methods(m, o->methods, sizeof o->methods);
    o->run = (struct ct_run_rec){.host = m->host, .command = command,
                                 .t0 = (int64_t)floor(m->t0), .t1 = (int64_t)ceil(m->t1),
                                 .exit_status = m->exit_status, .cpu_j = m->comp_j[CT_COMP_CPU],
                                 .dram_j = m->comp_j[CT_COMP_DRAM],
                                 .gpu_j = m->comp_j[CT_COMP_GPU], .total_j = m->total_j,
                                 .methods = o->methods};
    if (o->run.t1 < o->run.t0)
        o->run.t1 = o->run.t0;
}

static int write_all(struct ct_measurement *m, const struct ct_ledger_h *L, const char *command,
                     ct_err *e)
{
    struct ct_measure_out o;
    ct_measure_output(m, command, &o);
    int64_t id;
    int existed;
    if (L->ops->add_source(L->db, &o.src, &id, &existed, e) < 0)
        return -1;
    if (L->ops->add_run(L->db, id, &o.run, e) < 0)
        return -1;
    for (int i = 0; i < m->nrecs; i++)
        if (L->ops->add_energy(L->db, id, &m->recs[i], e) < 0)
            return -1;
    return 0;
}

int ct_measure_record(struct ct_measurement *m, const struct ct_ledger_h *L, const char *command,
                      ct_err *e)
{
    if (flush_all(m, e) < 0)
        return -1;
    if (L->ops->begin(L->db, e) < 0)
        return -1;
    if (write_all(m, L, command, e) < 0 || L->ops->commit(L->db, e) < 0) {
        L->ops->rollback(L->db);
        return -1;
    }
    return 0;
}

int ct_measure_spool(struct ct_measurement *m, const char *spool, const char *command, ct_err *e)
{
    if (flush_all(m, e) < 0)
        return -1;
    struct ct_measure_out o;
    ct_measure_output(m, command, &o);
    return ct_spool_append(spool, &o.src, &o.run, m->recs, m->nrecs, e);
}

/* The accounting rule every report uses (config/accounting.h), so a run's
 * kgCO2e is what a report would say of the same energy. */
int ct_measure_co2(const struct ct_team *t, const char *host, int year, double joules,
                   struct ct_measure_co2 *out, ct_err *e)
{
    memset(out, 0, sizeof *out);
    const struct ct_platform *p = t ? ct_team_platform_of_host(t, host) : NULL;
    struct ct_acct rule;
    if (ct_acct_lookup(t, p, NULL, year, &rule, e) < 0)
        return -1;
    out->f = rule.f;
    out->platform = p ? p->name : NULL;
    out->pue = rule.pue;
    out->pue_source = rule.pue_defaulted ? "default" : rule.pue_source;
    out->kgco2e = joules / 3.6e6 * out->pue * out->f.kg_per_kwh;
    if (!t || !t->country)
        snprintf(out->note, sizeof out->note, "no team file: counted at the world average "
                 "(WORLD); give a country in the team file for a local figure");
    if (out->f.note[0]) {
        size_t n = strlen(out->note);
        snprintf(out->note + n, sizeof out->note - n, "%s%s", n ? "; " : "", out->f.note);
    }
    return 0;
}
