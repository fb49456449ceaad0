/* measure's sampling and attribution: each interval's energy, per device, times
 * the command's share of it (see measure.h for the rules). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/measure_int.h"

const char *const ct_comp_names[CT_NCOMP] = {"cpu", "dram", "gpu", "system", "other"};

int ct_comp_of(const char *component)
{
    for (int c = 0; c < CT_COMP_OTHER; c++)
        if (strcmp(component, ct_comp_names[c]) == 0)
            return c;
    return CT_COMP_OTHER;
}

/* A ct_bucket_emit keeping finished hours until the run is recorded; a long run
 * crosses many hours, so this one grows. */
static int keep_rec(const struct ct_energy_rec *r, void *ud, ct_err *e)
{
    struct ct_measurement *m = ud;
    if (m->nrecs == m->caprecs) {
        int cap = m->caprecs ? m->caprecs * 2 : 16;
        struct ct_energy_rec *p = realloc(m->recs, (size_t)cap * sizeof *p);
        if (!p)
            return ct_errf(e, "out of memory keeping energy records");
        m->recs = p;
        m->caprecs = cap;
    }
    m->recs[m->nrecs++] = *r;
    return 0;
}

int ct_measure_setup(struct ct_measurement *m, struct ct_sensor_set *set, const char *procfs,
                     const char *host, ct_err *e)
{
    memset(m, 0, sizeof *m);
    if (snprintf(m->procfs, sizeof m->procfs, "%s", procfs) >= (int)sizeof m->procfs ||
        snprintf(m->host, sizeof m->host, "%s", host) >= (int)sizeof m->host)
        return ct_errf(e, "procfs root or host name too long");
    long tck = sysconf(_SC_CLK_TCK);
    m->clk_tck = tck > 0 ? (double)tck : 100.0;
    for (int i = 0; i < set->ndev; i++) {
        const struct ct_sensor_device *d = &set->dev[i];
        int gpu = ct_comp_of(d->component) == CT_COMP_GPU;
        ct_bucket_init(&m->b[i], "", m->host, d->id, d->component, d->method,
                       gpu ? CT_AGENT_GPU_IDLE : NAN);
        m->b[i].proto.detail = d->detail;
        m->gpu_share[i] = NAN;
    }
    if (ct_proctree_init(&m->tree, procfs, 0, e) < 0)
        return -1;
    /* Read the host's CPU time first: without it there is no CPU attribution. */
    if (ct_host_busy_ticks(procfs, &m->host_ticks0, e) < 0)
        return -1;
    m->host_ticks = m->host_ticks0;
    (void)ct_sampler_start(&m->smp, set, e); /* a failed sensor starts from its open() */
    m->t0 = m->smp.t_now;
    m->m0 = m->smp.m_now;
    return 0;
}

/* The sensor and local index of device i, for its pids() op. */
static int owner(const struct ct_sensor_set *set, int i, int *local)
{
    for (int k = 0; k < set->ns; k++)
        if (i >= set->s[k].first && i < set->s[k].first + set->s[k].ndev) {
            *local = i - set->s[k].first;
            return k;
        }
    return -1;
}

/* The tree's share of GPU i: its processes among those the GPU lists. After
 * the command is gone, its last share stands for the last interval. */
static double gpu_share(struct ct_measurement *m, int i, int final)
{
    if (final && !isnan(m->gpu_share[i]))
        return m->gpu_share[i];
    const struct ct_sensor_set *set = m->smp.set;
    int local, k = owner(set, i, &local);
    int n = k < 0 || !set->s[k].ops->pids ? -1
          : set->s[k].ops->pids(set->s[k].state, local, m->pids, CT_MEASURE_MAX_PIDS);
    double share = 1.0; /* the GPU cannot tell who uses it: the command gets it whole */
    if (n >= 0) {
        int mine = 0;
        for (int j = 0; j < n && j < CT_MEASURE_MAX_PIDS; j++)
            mine += ct_proctree_has(&m->tree, m->pids[j]);
        share = n > 0 ? (double)mine / n : 0.0;
    }
    return m->gpu_share[i] = share;
}

static double cpu_share(struct ct_measurement *m, int final, ct_err *e)
{
    int64_t host = m->host_ticks;
    if (ct_host_busy_ticks(m->procfs, &host, e) < 0)
        host = m->host_ticks; /* keep the last; the next interval takes the difference */
    if (!final)
        (void)ct_proctree_scan(&m->tree, e); /* a failed scan keeps the last total */
    double dtree = (double)(m->tree.ticks - m->tree_ticks);
    double dhost = (double)(host - m->host_ticks);
    m->tree_ticks = m->tree.ticks;
    m->host_ticks = host;
    /* Ticks are coarse: a busy tree in an interval the host counted nothing for
     * takes it all; the share never exceeds the whole. */
    if (dhost <= 0)
        return dtree > 0 ? 1.0 : 0.0;
    return dtree >= dhost ? 1.0 : dtree / dhost;
}

int ct_measure_step(struct ct_measurement *m, int final, const struct ct_measure_hooks *h,
                    ct_err *e)
{
    struct ct_sampler *s = &m->smp;
    (void)ct_sampler_step(s, e); /* a sensor that failed: its next good read covers it */
    for (int k = 0; k < s->nnewly_lost; k++)
        if (h && h->lost)
            h->lost(&s->set->dev[s->newly_lost[k]], h->ud);
    double cpu = cpu_share(m, final, e);
    for (int i = 0; i < s->set->ndev; i++) {
        int gpu = ct_comp_of(s->set->dev[i].component) == CT_COMP_GPU;
        double a = s->dj[i] * (gpu ? gpu_share(m, i, final) : cpu);
        m->dev_j[i] += a;
        m->dev_host_j[i] += s->dj[i];
        if (!s->ok[i] || (s->lost[i] && s->dj[i] == 0))
            continue;
        double u = s->set->val[i].util;
        u = isnan(u) ? u : u < 0 ? 0 : u > 1 ? 1 : u;
        if (ct_bucket_add(&m->b[i], s->t0[i], s->t_now, a, u, keep_rec, m, e) < 0)
            return -1;
    }
    return 0;
}

static void add_method(const char **have, int method)
{
    const char *name = ct_method_name(method);
    *have = !*have || strcmp(*have, name) == 0 ? name : "mixed";
}

void ct_measure_finish(struct ct_measurement *m)
{
    const struct ct_sensor_set *set = m->smp.set;
    int plain[CT_NCOMP] = {0};
    for (int i = 0; i < set->ndev; i++)
        if (!set->dev[i].detail)
            plain[ct_comp_of(set->dev[i].component)] = 1;
    for (int i = 0; i < set->ndev; i++) {
        const struct ct_sensor_device *d = &set->dev[i];
        int c = ct_comp_of(d->component);
        if (d->detail) {
            if (plain[c])
                continue; /* already inside this component's own devices */
            m->comp_is_detail[c] = 1;
        } else {
            m->total_j += m->dev_j[i];
            m->host_total_j += m->dev_host_j[i];
        }
        m->comp_j[c] += m->dev_j[i];
        m->comp_host_j[c] += m->dev_host_j[i];
        m->comp_ndev[c]++;
        add_method(&m->comp_method[c], d->method);
    }
    m->tree_cpu_s = (double)m->tree.ticks / m->clk_tck;
    m->host_busy_s = (double)(m->host_ticks - m->host_ticks0) / m->clk_tck;
}

void ct_measure_methods(const struct ct_measurement *m, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int c = 0; c < CT_NCOMP && n < cap; c++)
        if (m->comp_ndev[c])
            n += (size_t)snprintf(out + n, cap - n, "%s%s=%s", n ? "," : "", ct_comp_names[c],
                                  m->comp_method[c]);
}
