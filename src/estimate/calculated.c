#include "estimate/calculated.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/factors.h"
#include "core/sha256.h"
#include "core/strutil.h"
#include "core/timeutil.h"

double ct_calc_power_w(double watts, double idle_watts, double utilisation)
{
    if (isnan(idle_watts))
        return watts * utilisation;
    return idle_watts + (watts - idle_watts) * utilisation;
}

double ct_calc_components(const struct ct_platform *p, struct ct_calc_component out[CT_CALC_N])
{
    static const char *const dev[CT_CALC_N] = {"gpu", "cpu", "system", "ram", "storage", "base"};
    static const char *const comp[CT_CALC_N] = {"gpu", "cpu", "system", "dram", "other", "system"};
    for (int i = 0; i < CT_CALC_N; i++)
        out[i] = (struct ct_calc_component){dev[i], comp[i], 0, NAN};
    if (!p->machine)
        return ct_calc_power_w(p->watts, p->idle_watts, p->utilisation);
    for (int i = 0; i < p->nparts; i++) {
        const struct ct_part *c = &p->parts[i];
        int gpu = c->chip_kind == CT_CHIP_GPU;
        int k = gpu ? CT_CALC_GPU : c->chip_kind < 0 ? CT_CALC_SYSTEM : CT_CALC_CPU;
        double u = gpu && !isnan(p->gpu_utilisation) ? p->gpu_utilisation
                 : !gpu && c->chip_kind >= 0 && !isnan(p->cpu_utilisation) ? p->cpu_utilisation
                 : p->utilisation;
        out[k].watts += c->n * ct_calc_power_w(c->watts, c->idle_watts, u);
        out[k].util = u;
    }
    out[CT_CALC_RAM].watts = p->ram_gb * CT_RAM_W_PER_GB;
    out[CT_CALC_STORAGE].watts = p->storage_watts;
    out[CT_CALC_BASE].watts = p->base_watts;
    double sum = 0;
    for (int i = 0; i < CT_CALC_N; i++)
        sum += out[i].watts;
    return sum;
}

double ct_calc_joules_year(const struct ct_platform *p)
{
    struct ct_calc_component c[CT_CALC_N];
    return ct_calc_components(p, c) * p->hours_per_year * 3600.0 * p->count;
}

static const char *component_of(const struct ct_platform *p)
{
    struct ct_chip c;
    if (!p->chip || ct_chip_lookup(p->chip, &c, NULL) < 0)
        return "system";
    return c.kind == CT_CHIP_GPU ? "gpu" : "cpu";
}

/* Replaces the platform's estimate for the year: the source key is stable, so the
 * old source and its records go and the new ones come in the same transaction. */
static int write_platform(const struct ct_ledger_h *L, const struct ct_platform *p, int year,
                          int64_t now, struct ct_estimate_line *line, ct_err *e)
{
    char key[512], sha[65];
    snprintf(key, sizeof key, "estimate:%s:%d", p->name, year);
    ct_sha256_hex(key, strlen(key), sha);
    int64_t id = 0;
    int existed = 0;
    if (L->ops->find_source(L->db, sha, &id, e) < 0)
        return -1;
    int replaced = id != 0;
    if (id && L->ops->delete_source(L->db, id, e) < 0)
        return -1;
    struct ct_source_rec src = {.kind = "estimate", .path = key, .sha256 = sha, .imported_at = now};
    if (L->ops->add_source(L->db, &src, &id, &existed, e) < 0)
        return -1;

    int64_t from, to;
    ct_year_bounds(year, &from, &to);
    struct ct_calc_component comp[CT_CALC_N];
    double power = ct_calc_components(p, comp), year_s = (double)(to - from);
    double joules = power * p->hours_per_year * 3600.0 * p->count;
    /* A plain platform is one series ("calculated"); a whole machine one per
     * component, so that the report's --by device view shows them. */
    int n = p->machine ? CT_CALC_N : 1;
    for (int k = 0; k < n; k++) {
        double w = p->machine ? comp[k].watts : power;
        if (p->machine && !(w > 0))
            continue;
        double j = w * p->hours_per_year * 3600.0 * p->count;
        for (int64_t m = from; m < to; m = ct_next_month(m)) {
            int64_t m1 = ct_next_month(m);
            double share = (double)(m1 - m) / year_s;
            struct ct_energy_rec r = {
                .platform = p->name, .host = p->name,
                .device = p->machine ? comp[k].device : "calculated",
                .component = p->machine ? comp[k].component : component_of(p),
                .method = CT_METHOD_CALCULATED, .t0 = m, .t1 = m1,
                .covered_s = (double)(m1 - m), .joules = j * share, .idle_joules = 0,
                .idle_s = 0, .util = p->machine ? comp[k].util : p->utilisation,
            };
            if (L->ops->add_energy(L->db, id, &r, e) < 0)
                return -1;
        }
    }
    *line = (struct ct_estimate_line){
        .kind = CT_EST_WRITTEN, .year = year, .platform = p->name, .power_w = power,
        .count = p->count, .hours_per_year = p->hours_per_year, .joules = joules,
        .replaced = replaced, .note = p->power_note[0] ? p->power_note : NULL,
    };
    return 0;
}

/* An earlier estimate in the ledger: its source id and what its key names. */
struct old_est {
    int64_t id;
    char *platform;
    int year;
};
struct old_list {
    struct old_est *v;
    size_t n;
};

/* Keeps sources whose path is "estimate:NAME:YEAR" (NAME may hold ':'); any
 * other path under kind "estimate" is not ours to judge and stays. */
static int keep_old(int64_t id, const struct ct_source_rec *s, void *ud)
{
    struct old_list *o = ud;
    const char *name = s->path + 9, *colon = strrchr(s->path, ':');
    long year;
    if (strncmp(s->path, "estimate:", 9) != 0 || colon < name + 1 ||
        ct_parse_long(colon + 1, &year) < 0 || year < 1 || year > 9999)
        return 0;
    struct old_est *v = realloc(o->v, (o->n + 1) * sizeof *v);
    if (!v)
        abort();
    o->v = v;
    v[o->n].id = id;
    v[o->n].platform = ct_strdup(name);
    v[o->n].platform[colon - name] = '\0';
    v[o->n].year = (int)year;
    o->n++;
    return 0;
}

/* Why a platform's estimates no longer count; NULL while it is still estimated. */
static const char *stale_reason(const struct ct_team *t, const char *name)
{
    const struct ct_platform *p = ct_team_platform(t, name);
    if (!p)
        return "the platform is no longer in the team file";
    if (p->method == CT_METHOD_MEASURED)
        return "the platform is now measured";
    if (p->method == CT_METHOD_PROVIDED)
        return "the platform is now provided";
    if (p->calc_source == CT_CALC_USAGE)
        return "the platform is now counted from usage rows (source = usage)";
    return NULL;
}

static int remove_stale(const struct ct_ledger_h *L, const struct ct_team *t, ct_estimate_fn fn,
                        void *ud, ct_err *e)
{
    struct old_list o = {NULL, 0};
    int rc = L->ops->list_sources(L->db, "estimate", keep_old, &o, e);
    for (size_t i = 0; rc == 0 && i < o.n; i++) {
        const char *why = stale_reason(t, o.v[i].platform);
        if (!why)
            continue;
        rc = L->ops->delete_source(L->db, o.v[i].id, e);
        struct ct_estimate_line line = {.kind = CT_EST_REMOVED, .year = o.v[i].year,
                                        .reason = why, .platform = o.v[i].platform};
        if (rc == 0 && fn)
            fn(&line, ud);
    }
    for (size_t i = 0; i < o.n; i++)
        free(o.v[i].platform);
    free(o.v);
    return rc;
}

int ct_estimate_write(const struct ct_ledger_h *L, const struct ct_team *t, int year,
                      int64_t now, ct_estimate_fn fn, void *ud, ct_err *e)
{
    if (L->ops->begin(L->db, e) < 0)
        return -1;
    for (size_t i = 0; i < t->nplat; i++) {
        const struct ct_platform *p = &t->plat[i];
        if (p->method != CT_METHOD_CALCULATED)
            continue;
        struct ct_estimate_line line = {
            .kind = CT_EST_SKIPPED, .year = year, .platform = p->name,
            .reason = "counted from usage rows (source = usage), not estimated"};
        if (p->calc_source == CT_CALC_ESTIMATE && write_platform(L, p, year, now, &line, e) < 0) {
            L->ops->rollback(L->db);
            return ct_err_prefix(e, "estimate of platform '%s'", p->name);
        }
        if (fn)
            fn(&line, ud);
    }
    if (remove_stale(L, t, fn, ud, e) < 0) {
        L->ops->rollback(L->db);
        return ct_err_prefix(e, "removing the estimates of platforms no longer estimated");
    }
    return L->ops->commit(L->db, e);
}
