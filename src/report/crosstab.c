/* The document's cross-tabs of measured energy, gathered in the energy pass:
 * per measured GPU (energy, idle energy, idle hours) and per measured host
 * (energy, kgCO2e, utilisation where known), for the idle-GPU and
 * low-utilisation findings and the page's GPU chart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/model_int.h"

/* Doubling at powers of two keeps appends amortised O(1). */
static void *grow(void *p, int n, size_t size)
{
    if (n & (n - 1))
        return p;
    return realloc(p, size * (size_t)(n ? 2 * n : 1));
}

static struct ct_host_use *host_for(struct ctx *c, const char *plat, const char *host)
{
    struct ct_report *r = c->r;
    int i = c->last_hostu;
    if (r->nhosts && strcmp(r->hosts[i].host, host) == 0 && strcmp(r->hosts[i].platform, plat) == 0)
        return &r->hosts[i];
    for (i = 0; i < r->nhosts; i++)
        if (strcmp(r->hosts[i].host, host) == 0 && strcmp(r->hosts[i].platform, plat) == 0)
            break;
    if (i == r->nhosts) {
        struct ct_host_use *h = grow(r->hosts, r->nhosts, sizeof *h);
        if (!h)
            return NULL;
        r->hosts = h;
        memset(&h[i], 0, sizeof h[i]);
        snprintf(h[i].platform, sizeof h[i].platform, "%s", plat);
        snprintf(h[i].host, sizeof h[i].host, "%s", host);
        r->nhosts++;
    }
    c->last_dev[0] = '\0';
    c->last_hostu = i;
    return &r->hosts[i];
}

static struct ct_gpu_use *gpu_for(struct ctx *c, const char *plat, const struct ct_energy_day *d)
{
    struct ct_report *r = c->r;
    int i = c->last_gpu;
    if (r->ngpus && strcmp(r->gpus[i].device, d->device) == 0 && strcmp(r->gpus[i].host, d->host) == 0 &&
        strcmp(r->gpus[i].platform, plat) == 0)
        return &r->gpus[i];
    for (i = 0; i < r->ngpus; i++)
        if (strcmp(r->gpus[i].device, d->device) == 0 && strcmp(r->gpus[i].host, d->host) == 0 &&
            strcmp(r->gpus[i].platform, plat) == 0)
            return &r->gpus[c->last_gpu = i];
    struct ct_gpu_use *g = grow(r->gpus, r->ngpus, sizeof *g);
    if (!g)
        return NULL;
    r->gpus = g;
    struct ct_gpu_use *u = &g[r->ngpus];
    memset(u, 0, sizeof *u);
    snprintf(u->platform, sizeof u->platform, "%s", plat);
    snprintf(u->host, sizeof u->host, "%s", d->host);
    snprintf(u->device, sizeof u->device, "%s", d->device);
    u->first_day = d->day;
    c->last_gpu = r->ngpus++;
    return u;
}

/* Utilisation is known for a record when it carries some (the ledger reads an
 * unknown one as 0) or idle time (which only a utilisation reading gives). */
void ct_crosstab_day(struct ctx *c, int plat, struct series *s, const struct ct_energy_day *d,
                     double kg)
{
    const char *pname = c->r->plats[plat].key;
    double kwh = d->joules / 3.6e6;
    struct ct_host_use *h = host_for(c, pname, d->host);
    if (!h) {
        c->failed = 1;
        ct_errf(c->e, "out of memory building the report");
        return;
    }
    if (strcmp(c->last_dev, d->device) != 0) {
        snprintf(c->last_dev, sizeof c->last_dev, "%s", d->device);
        h->ndevices++;
    }
    s->hostu = (int)(h - c->r->hosts);
    h->kwh += kwh;
    h->kg += kg;
    h->covered_s += d->covered_s;
    if (d->util_s > 0 || d->idle_s > 0) {
        h->util_s += d->util_s;
        h->util_cov_s += d->covered_s;
    }
    if (strcmp(d->component, "gpu") != 0)
        return;
    struct ct_gpu_use *g = gpu_for(c, pname, d);
    if (!g) {
        c->failed = 1;
        ct_errf(c->e, "out of memory building the report");
        return;
    }
    s->gpu = (int)(g - c->r->gpus);
    double idle_share = d->joules > 0 ? d->idle_joules / d->joules : 0;
    g->kwh += kwh;
    g->idle_kwh += d->idle_joules / 3.6e6;
    g->kg += kg;
    g->idle_kg += kg * idle_share;
    g->covered_s += d->covered_s;
    g->idle_s += d->idle_s;
    g->util_s += d->util_s;
    g->last_day = d->day;
}

void ct_crosstab_finish(struct ctx *c)
{
    struct ct_report *r = c->r;
    for (int i = 0; i < r->ngpus; i++)
        r->gpus[i].extrapolated_scale = 1;
    for (int i = 0; i < r->nhosts; i++)
        r->hosts[i].enough = 1;
    for (size_t k = 0; k < c->nser; k++) {
        const struct series *s = &c->ser[k];
        if (s->gpu >= 0) {
            struct ct_gpu_use *g = &r->gpus[s->gpu];
            g->extrapolated_scale = s->kg > 0 ? s->est / s->kg : 1;
            g->has_interval = s->state != SS_THIN;
        }
        if (s->hostu >= 0) {
            struct ct_host_use *h = &r->hosts[s->hostu];
            h->extrapolated += s->est;
            h->enough &= s->state != SS_THIN;
        }
    }
}
