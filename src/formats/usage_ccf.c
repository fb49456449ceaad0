/* "usage": cloud usage rows estimated the CCF way (see usage_ccf.h). */
#include "formats/usage_ccf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timeutil.h"
#include "formats/bounds.h"
#include "formats/csvsplit.h"
#include "formats/formats_int.h"
#include "formats/provider_int.h"

enum { U_PROVIDER, U_REGION, U_SERVICE, U_TYPE, U_PROC, U_IHOURS, U_VCPU, U_GPU, U_GPUMODEL,
       U_MEM, U_TB, U_STYPE, U_REPL, U_NET, U_UTIL, U_EMB, U_START, U_END, U_ACCOUNT, U_HOST,
       NU };

static const char *const alias[NU][4] = {
    {"provider", "cloud_provider", NULL}, {"region", NULL}, {"service", "service_name", NULL},
    {"usage_type", "instance_type", "machine_type", NULL}, {"processor", "processors", NULL},
    {"instance_hours", "hours", NULL}, {"vcpu_hours", NULL}, {"gpu_hours", NULL},
    {"gpu_model", "gpu", NULL}, {"memory_gb_hours", NULL}, {"storage_tb_hours", NULL},
    {"storage_type", NULL}, {"replication", "replication_factor", NULL},
    {"network_gb", "networking_gb", NULL},
    {"utilisation", "utilization", "cpu_utilisation", NULL}, {"embodied", NULL},
    {"start", "usage_start", NULL}, {"end", "usage_end", NULL}, {"account", NULL},
    {"host", NULL},
};

struct uctx {
    struct pv_ctx c;
    struct csv_rec h, row;
    int col[NU];
};

static const char *field(const struct uctx *x, int k)
{
    return csv_get(&x->row, x->col[k]);
}

static int amount(struct uctx *x, int k, double *v, ct_err *e)
{
    int have;
    *v = NAN;
    if (x->col[k] < 0)
        return 0;
    if (pv_num(&x->c, x->row.line, x->h.f[x->col[k]], field(x, k), v, &have, NULL, e) < 0)
        return -1;
    if (!have)
        *v = NAN;
    return 0;
}

static int yes(const char *s, int *v)
{
    if (!*s || !strcasecmp(s, "no") || !strcasecmp(s, "false") || !strcmp(s, "0"))
        return *v = 0, 0;
    if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcmp(s, "1"))
        return *v = 1, 0;
    return -1;
}

static int times(struct uctx *x, struct ct_usage_row *row, int need, ct_err *e)
{
    const char *s = field(x, U_START), *t = field(x, U_END);
    if (!*s && !*t && !need)
        return 0;
    if (pv_time(s, &row->t0) < 0)
        return pv_fail(&x->c, row->line, e, "start: '%.40s' is not a date", s);
    if (pv_time(t, &row->t1) < 0)
        return pv_fail(&x->c, row->line, e, "end: '%.40s' is not a date", t);
    if (row->t1 <= row->t0)
        return pv_fail(&x->c, row->line, e, "end is not after start");
    return 0;
}

static int fill(struct uctx *x, struct ct_usage_row *row, int need_times, ct_err *e)
{
    struct ct_ccf_usage *u = &row->u;
    memset(row, 0, sizeof *row);
    row->line = x->row.line;
    u->provider = field(x, U_PROVIDER);
    u->region = field(x, U_REGION);
    u->service = field(x, U_SERVICE);
    u->usage_type = field(x, U_TYPE);
    u->processor = field(x, U_PROC);
    u->gpu_model = field(x, U_GPUMODEL);
    u->storage_type = field(x, U_STYPE);
    u->replication = field(x, U_REPL);
    row->account = field(x, U_ACCOUNT);
    row->host = field(x, U_HOST);
    if (amount(x, U_IHOURS, &u->instance_hours, e) < 0 || amount(x, U_VCPU, &u->vcpu_hours, e) < 0 ||
        amount(x, U_GPU, &u->gpu_hours, e) < 0 || amount(x, U_MEM, &u->memory_gb_hours, e) < 0 ||
        amount(x, U_TB, &u->storage_tb_hours, e) < 0 || amount(x, U_NET, &u->network_gb, e) < 0 ||
        amount(x, U_UTIL, &u->utilisation, e) < 0)
        return -1;
    if (yes(field(x, U_EMB), &u->embodied) < 0)
        return pv_fail(&x->c, row->line, e, "embodied: '%.20s' is not yes or no", field(x, U_EMB));
    if (!*u->region)
        return pv_fail(&x->c, row->line, e, "region is empty");
    return times(x, row, need_times, e);
}

int ct_usage_each(struct ct_input *in, int need_times, ct_usage_fn fn, void *ud, ct_err *e)
{
    struct uctx x;
    memset(&x, 0, sizeof x);
    x.c.in = in;
    x.c.provider = "usage";
    int rc = csv_read(in, &x.h, e);
    if (rc > 0) {
        for (int i = 0; i < NU; i++)
            x.col[i] = csv_col(&x.h, alias[i]);
        int miss = x.col[U_PROVIDER] < 0 ? U_PROVIDER : x.col[U_REGION] < 0 ? U_REGION
                 : need_times && x.col[U_START] < 0 ? U_START
                 : need_times && x.col[U_END] < 0 ? U_END : -1;
        if (miss >= 0)
            rc = pv_fail(&x.c, x.h.line, e, "no %s column%s", alias[miss][0],
                         pv_other_hint(&x.h, "usage"));
    }
    struct ct_usage_row row;
    struct ct_ccf_result r;
    while (rc > 0 && (rc = csv_read(in, &x.row, e)) > 0) {
        if (fill(&x, &row, need_times, e) < 0)
            rc = -1;
        else if (ct_ccf_estimate(&row.u, &r, e) < 0)
            rc = ct_err_prefix(e, "%s:%ld", ct_input_name(in), row.line);
        else if (fn(ud, &row, &r, e) < 0)
            rc = -1;
    }
    csv_rec_free(&x.h);
    csv_rec_free(&x.row);
    return rc < 0 ? -1 : 0;
}

/* ---- the import format: readings of calculated energy ----
 *
 * Rows that repeat a (provider, region, type) in one month add up, as CCF sums
 * them: every row's parts are kept (cut at month ends), sorted per device, and
 * pieces of one device that overlap in time are merged into one reading over
 * their hull with their energy summed. A piece lies inside one month, so the
 * merge only moves energy within that month. Memory is a few pieces per row:
 * a row spans at most a year (formats/bounds.h). */

struct upiece {
    char *host, *dev, *model;   /* owned */
    const char *component;      /* static */
    double t0, t1, joules, util_s, util_dt;
    long line;
};

struct emitctx {
    struct ct_input *in;
    const struct ct_parse_opts *o;
    struct upiece *p;
    size_t n, cap;
};

static const char *const part_name[CT_CCF_NPARTS] = {"cpu", "gpu", "dram", "storage", "network"};
static const char *const part_component[CT_CCF_NPARTS] = {"cpu", "gpu", "dram", "other", "other"};

static int keep(struct emitctx *x, const struct ct_reading *r, ct_err *e)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 64;
        struct upiece *q = realloc(x->p, cap * sizeof *q);
        if (!q)
            return ct_errf(e, "out of memory");
        x->p = q;
        x->cap = cap;
    }
    struct upiece *p = &x->p[x->n];
    memset(p, 0, sizeof *p);
    p->host = strdup(r->host);
    p->dev = strdup(r->device);
    p->model = r->model ? strdup(r->model) : NULL;
    if (!p->host || !p->dev || (r->model && !p->model)) {
        free(p->host), free(p->dev), free(p->model);
        return ct_errf(e, "out of memory");
    }
    x->n++;
    p->component = r->component;
    p->t0 = r->t0, p->t1 = r->t1, p->joules = r->joules, p->line = r->line;
    if (!isnan(r->util)) {
        p->util_s = r->util * (r->t1 - r->t0);
        p->util_dt = r->t1 - r->t0;
    }
    return 0;
}

/* One part over [t0, t1), cut at UTC month ends (a calculated ledger record
 * stays inside one month), energy pro rata. */
static int keep_part(struct emitctx *x, const struct ct_usage_row *row,
                     const struct ct_reading *proto, double joules, ct_err *e)
{
    double span = (double)(row->t1 - row->t0);
    for (int64_t a = row->t0; a < row->t1;) {
        int64_t b = ct_next_month(a) < row->t1 ? ct_next_month(a) : row->t1;
        struct ct_reading r = *proto;
        r.t0 = (double)a;
        r.t1 = (double)b;
        r.joules = joules * ((double)(b - a) / span);
        if (keep(x, &r, e) < 0)
            return -1;
        a = b;
    }
    return 0;
}

static int on_row(void *ud, const struct ct_usage_row *row, const struct ct_ccf_result *r,
                  ct_err *e)
{
    struct emitctx *x = ud;
    const struct ct_ccf_usage *u = &row->u;
    char host[128], dev[192], why[256];
    snprintf(host, sizeof host, "%s:%s", u->provider, u->region);
    struct ct_reading proto[CT_CCF_NPARTS];
    double joules[CT_CCF_NPARTS];
    for (int p = 0; p < CT_CCF_NPARTS; p++) {
        joules[p] = r->part[p].kwh_device * 3.6e6;
        proto[p] = (struct ct_reading){
            .device = "usage", .component = part_component[p], .t0 = (double)row->t0,
            .t1 = (double)row->t1, .joules = isnan(joules[p]) ? 0 : joules[p],
            .method = CT_METHOD_CALCULATED};
        /* The whole row first: a row out of bounds is never cut into months. */
        if (ct_bounds_reading(x->o, &proto[p], why, sizeof why))
            return ct_bounds_bad(x->o, x->in, row->line, e, why);
    }
    for (int p = 0; p < CT_CCF_NPARTS; p++) {
        if (!(joules[p] > 0))
            continue;
        const char *what = *u->usage_type ? u->usage_type : *u->service ? u->service : "usage";
        snprintf(dev, sizeof dev, "%s:%s/%s", u->provider, what, part_name[p]);
        proto[p] = (struct ct_reading){
            .device = dev, .component = part_component[p],
            .model = *u->usage_type ? u->usage_type : NULL, .detail = 0,
            .util = p <= CT_CCF_GPU ? r->utilisation / 100 : NAN, .line = row->line,
            .method = CT_METHOD_CALCULATED, .host = *row->host ? row->host : host};
        if (keep_part(x, row, &proto[p], joules[p], e) < 0)
            return -1;
    }
    return 0;
}

static int piece_cmp(const void *a, const void *b)
{
    const struct upiece *p = a, *q = b;
    int c = strcmp(p->host, q->host);
    if (!c)
        c = strcmp(p->dev, q->dev);
    if (!c)
        c = (p->t0 > q->t0) - (p->t0 < q->t0);
    if (!c)
        c = (p->t1 > q->t1) - (p->t1 < q->t1);
    if (!c)
        c = (p->line > q->line) - (p->line < q->line);
    return c;
}

static int emit_piece(struct emitctx *x, struct ct_reading_sink *sink, const struct upiece *p,
                      ct_err *e)
{
    struct ct_reading r = {.device = p->dev, .component = p->component, .model = p->model,
                           .t0 = p->t0, .t1 = p->t1, .joules = p->joules,
                           .util = p->util_dt > 0 ? p->util_s / p->util_dt : NAN,
                           .line = p->line, .method = CT_METHOD_CALCULATED, .host = p->host};
    int rc = ct_bounds_check(x->o, x->in, &r, e);
    return rc <= 0 ? rc : sink->emit(sink->ud, &r, e);
}

/* Sorted pieces, those of one device that overlap merged, to the sink. */
static int emit_merged(struct emitctx *x, struct ct_reading_sink *sink, ct_err *e)
{
    if (x->n == 0)
        return 0;
    qsort(x->p, x->n, sizeof *x->p, piece_cmp);
    struct upiece m = x->p[0];
    for (size_t i = 1; i < x->n; i++) {
        const struct upiece *p = &x->p[i];
        if (strcmp(p->host, m.host) == 0 && strcmp(p->dev, m.dev) == 0 && p->t0 < m.t1) {
            m.t1 = p->t1 > m.t1 ? p->t1 : m.t1;
            m.joules += p->joules;
            m.util_s += p->util_s;
            m.util_dt += p->util_dt;
            continue;
        }
        if (emit_piece(x, sink, &m, e) < 0)
            return -1;
        m = *p;
    }
    return emit_piece(x, sink, &m, e);
}

static int usage_parse(struct ct_input *in, const struct ct_parse_opts *o,
                       struct ct_reading_sink *sink, ct_err *e)
{
    struct emitctx x = {.in = in, .o = o};
    int rc = ct_usage_each(in, 1, on_row, &x, e);
    if (rc == 0)
        rc = emit_merged(&x, sink, e);
    for (size_t i = 0; i < x.n; i++)
        free(x.p[i].host), free(x.p[i].dev), free(x.p[i].model);
    free(x.p);
    return rc;
}

static int usage_sniff(const char *head, size_t n)
{
    struct csv_rec h = {0};
    const char *nl = memchr(head, '\n', n);
    int score = 0;
    if (csv_split_line(&h, head, nl ? (size_t)(nl - head) : n) > 0) {
        static const char *const need[] = {"provider", NULL};
        static const char *const amt[] = {"vcpu_hours", "instance_hours", "storage_tb_hours",
                                          "network_gb", "gpu_hours", "memory_gb_hours", NULL};
        if (csv_col(&h, need) >= 0 && csv_col(&h, amt) >= 0)
            score = 80;
    }
    csv_rec_free(&h);
    return score;
}

const struct ct_format_ops ct_fmt_usage = {
    CT_FORMAT_OPS_VERSION, "usage",
    "cloud usage rows (provider, region, instance type, vCPU/GPU/memory/storage/network "
    "amounts), estimated the way Cloud Carbon Footprint does",
    usage_sniff, usage_parse,
};
