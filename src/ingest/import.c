/* Log import: parse every file into hourly records in memory, then write them
 * all in one transaction (see import.h for why). */
#include "ingest/import.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/provider.h"
#include "ingest/bucket.h"

#define MAX_DEVICES 4096          /* per file; more is not a log of one host */
#define PROGRESS_EVERY 65536      /* readings between progress calls */

struct recs {
    struct ct_energy_rec *r;
    size_t n, cap;
};

/* Provided emissions, with their strings copied (the parser's are borrowed). */
struct provs {
    struct ct_provided_rec *r;
    size_t n, cap;
};

/* One file being parsed. */
struct fctx {
    const struct ct_import_opts *o;
    const char *host, *platform;
    struct ct_import_file *f;
    struct ct_input *in;
    struct ct_bucketer *b;        /* b[i] buckets f->dev[i] */
    int cap, last;
    unsigned long nread;
    struct recs *recs;
    struct provs *provs;
};

static int keep_rec(const struct ct_energy_rec *r, void *ud, ct_err *e)
{
    struct recs *rs = ud;
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? 2 * rs->cap : 256;
        struct ct_energy_rec *p = realloc(rs->r, cap * sizeof *p);
        if (!p)
            return ct_errf(e, "out of memory");
        rs->r = p;
        rs->cap = cap;
    }
    rs->r[rs->n++] = *r;
    return 0;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static int add_device(struct fctx *c, const struct ct_reading *r, ct_err *e)
{
    struct ct_import_file *f = c->f;
    if (f->ndev == MAX_DEVICES)
        return ct_errf(e, "%s: more than %d devices in one file", f->path, MAX_DEVICES);
    if (f->ndev == c->cap) {
        int cap = c->cap ? 2 * c->cap : 8;
        struct ct_import_device *d = realloc(f->dev, (size_t)cap * sizeof *d);
        if (d)
            f->dev = d;
        struct ct_bucketer *b = d ? realloc(c->b, (size_t)cap * sizeof *b) : NULL;
        if (!b)
            return ct_errf(e, "out of memory");
        c->b = b;
        c->cap = cap;
    }
    struct ct_import_device *d = &f->dev[f->ndev];
    memset(d, 0, sizeof *d);
    d->host = strdup(r->host ? r->host : c->host);
    d->method = r->method;
    d->device = strdup(r->device);
    d->component = strdup(r->component);
    d->model = dup_or_null(r->model);
    d->detail = r->detail;
    d->first = INFINITY;
    d->last = -INFINITY;
    if (!d->host || !d->device || !d->component || (r->model && !d->model)) {
        free(d->host), free(d->device), free(d->component), free(d->model);
        return ct_errf(e, "out of memory");
    }
    ct_bucket_init(&c->b[f->ndev], c->platform, d->host, d->device, d->component, d->method,
                   CT_IDLE_UTIL);
    c->b[f->ndev].proto.detail = r->detail;
    return c->last = f->ndev++;
}

static int device_of(struct fctx *c, const struct ct_reading *r, ct_err *e)
{
    struct ct_import_file *f = c->f;
    for (int k = 0; k < f->ndev; k++) {
        int i = (c->last + k) % f->ndev; /* readings mostly come round-robin */
        if (f->dev[i].detail == r->detail && f->dev[i].method == r->method &&
            strcmp(f->dev[i].device, r->device) == 0 &&
            strcmp(f->dev[i].host, r->host ? r->host : c->host) == 0)
            return c->last = i;
    }
    return add_device(c, r, e);
}

static void summarise(struct ct_import_device *d, const struct ct_reading *r)
{
    d->samples++;
    if (r->t0 < d->first)
        d->first = r->t0;
    if (r->t1 > d->last)
        d->last = r->t1;
    d->seconds += r->t1 - r->t0;
    d->joules += r->joules;
    if (r->util < CT_IDLE_UTIL) /* false for NAN: unknown is never idle */
        d->idle_joules += r->joules;
}

static void progress(struct fctx *c)
{
    if (!c->o->progress)
        return;
    uint64_t done, total;
    ct_input_progress(c->in, &done, &total);
    c->o->progress(c->o->progress_ud, c->f->path, done, total);
}

static int on_reading(void *ud, const struct ct_reading *r, ct_err *e)
{
    struct fctx *c = ud;
    if (!r->device || !r->component || !(r->t1 > r->t0) || !isfinite(r->joules) ||
        r->joules < 0 || (r->method != CT_METHOD_MEASURED && r->method != CT_METHOD_CALCULATED))
        return ct_errf(e, "%s:%ld: a reading with no device, no energy or no method (a "
                       "parser bug)", c->f->path, r->line);
    int i = device_of(c, r, e);
    if (i < 0)
        return -1;
    summarise(&c->f->dev[i], r);
    if (ct_bucket_add(&c->b[i], r->t0, r->t1, r->joules, r->util, keep_rec, c->recs, e) < 0)
        return ct_err_prefix(e, "%s:%ld", c->f->path, r->line);
    if (++c->nread % PROGRESS_EVERY == 0)
        progress(c);
    return 0;
}

static void free_provs(struct provs *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        struct ct_provided_rec *r = &ps->r[i];
        free((char *)r->provider), free((char *)r->account), free((char *)r->project);
        free((char *)r->service), free((char *)r->region), free((char *)r->region_raw);
        free((char *)r->orig_unit), free((char *)r->platform);
    }
    free(ps->r);
    memset(ps, 0, sizeof *ps);
}

static int on_provided(void *ud, const struct ct_provided_rec *p, long line, ct_err *e)
{
    struct fctx *c = ud;
    struct provs *ps = c->provs;
    if (ct_provided_rec_check(p, e) < 0)
        return ct_err_prefix(e, "%s:%ld", c->f->path, line);
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 64;
        struct ct_provided_rec *r = realloc(ps->r, cap * sizeof *r);
        if (!r)
            return ct_errf(e, "out of memory");
        ps->r = r;
        ps->cap = cap;
    }
    struct ct_provided_rec *r = &ps->r[ps->n++];
    *r = *p;
    const char *platform = p->platform && *p->platform ? p->platform : c->platform;
    r->provider = dup_or_null(p->provider), r->account = dup_or_null(p->account);
    r->project = dup_or_null(p->project), r->service = dup_or_null(p->service);
    r->region = dup_or_null(p->region), r->region_raw = dup_or_null(p->region_raw);
    r->orig_unit = dup_or_null(p->orig_unit);
    r->platform = *platform ? strdup(platform) : NULL;
    c->f->provided++;
    c->f->provided_location += p->market_based == 0;
    c->f->provided_market += p->market_based == 1;
    if (p->market_based <= 0)
        c->f->provided_kg_location += p->kgco2e;
    if (p->market_based != 0)
        c->f->provided_kg_market += p->kgco2e;
    if (p->market_based < 0)
        c->f->provided_kg_both += p->kgco2e;
    return 0;
}

static const struct ct_format_ops *pick_format(const struct ct_import_opts *o,
                                               struct ct_input *in, ct_err *e)
{
    if (o->format) {
        const struct ct_format_ops *f = ct_format_find(o->format);
        if (!f)
            ct_errf(e, "no format '%s'", o->format);
        return f;
    }
    const char *head;
    size_t n = ct_input_peek(in, &head);
    const struct ct_format_ops *f = ct_format_sniff(head, n);
    if (!f && n > 0)
        ct_errf(e, "%s: not a log format co2tally knows; name it with --format (see "
                "`co2tally import --help` for the list)", ct_input_name(in));
    return f;
}

/* After a parse error: a file already imported is not an error (it parsed then). */
static int already_in(struct ct_ledger_h *L, struct ct_input *in)
{
    ct_err e2;
    int64_t id = 0;
    if (ct_input_drain(in, &e2) < 0 || !ct_input_sha256(in))
        return 0;
    return L->ops->find_source(L->db, ct_input_sha256(in), &id, &e2) == 0 && id > 0;
}

/* The parsers' warnings, kept per file (a message that cannot be kept for
 * want of memory is dropped: a warning never fails an import). */
static void on_warning(void *ud, const char *msg)
{
    struct ct_import_file *f = ud;
    char **w = realloc(f->warnings, (size_t)(f->nwarnings + 1) * sizeof *w);
    if (!w)
        return;
    f->warnings = w;
    if ((w[f->nwarnings] = strdup(msg)))
        f->nwarnings++;
}

static int run_parse(struct fctx *c, const struct ct_format_ops *fmt, ct_err *e)
{
    const struct ct_import_opts *o = c->o;
    struct ct_parse_opts po = {.start = o->start, .interval = o->interval,
                               .max_gap = o->max_gap, .skip_bad = o->skip_bad,
                               .skipped = &c->f->skipped, .scope = o->scope,
                               .period_t0 = o->period_t0, .period_t1 = o->period_t1,
                               .now = (double)o->imported_at, .gaps = &c->f->gaps,
                               .gap_seconds = &c->f->gap_seconds};
    struct ct_reading_sink sink = {.emit = on_reading, .ud = c, .provided = on_provided};
    ct_format_warn_hook(on_warning, c->f);
    int rc = fmt->parse(c->in, &po, &sink, e);
    ct_format_warn_hook(NULL, NULL);
    if (rc < 0)
        return -1;
    for (int i = 0; i < c->f->ndev; i++)
        if (ct_bucket_flush(&c->b[i], keep_rec, c->recs, e) < 0)
            return -1;
    return 0;
}

/* Sniffs and parses an open input into f and its records. */
static int parse_input(struct ct_ledger_h *L, struct ct_input *in, const struct ct_import_opts *o,
                       const char *host, struct ct_import_file *f, struct recs *rs,
                       struct provs *ps, ct_err *e)
{
    const char *head;
    if (!(f->path = strdup(ct_input_name(in))))
        return ct_errf(e, "out of memory");
    if (!o->format && ct_input_peek(in, &head) == 0) { /* empty: nothing to sniff */
        f->format = "none";
        f->status = CT_IMPORT_NOTHING;
    } else {
        const struct ct_format_ops *fmt = pick_format(o, in, e);
        if (!fmt)
            return -1;
        f->format = fmt->name;
        struct fctx c = {.o = o, .host = host, .platform = o->platform ? o->platform : "",
                         .f = f, .in = in, .recs = rs, .provs = ps};
        int rc = run_parse(&c, fmt, e);
        free(c.b);
        /* --replace parses again with today's options: an error is an error */
        if (rc < 0 && (o->replace || !already_in(L, in)))
            return -1;
        if (rc < 0)
            f->status = CT_IMPORT_ALREADY;
        else
            progress(&c);
    }
    if (ct_input_drain(in, e) < 0) /* a parser may stop early: hash the rest */
        return -1;
    if (f->status == CT_IMPORT_DONE && rs->n == 0 && ps->n == 0)
        f->status = CT_IMPORT_NOTHING;
    if (f->status != CT_IMPORT_DONE) {
        rs->n = 0;
        f->skipped = 0;
        f->gaps = 0;
        f->gap_seconds = 0;
        free_provs(ps);
        f->provided = 0;
        f->provided_kg_location = f->provided_kg_market = f->provided_kg_both = 0;
        f->provided_location = f->provided_market = 0;
    }
    memcpy(f->sha256, ct_input_sha256(in), 65);
    return 0;
}

static int parse_file(struct ct_ledger_h *L, const char *path, const struct ct_import_opts *o,
                      const char *host, struct ct_import_file *f, struct recs *rs,
                      struct provs *ps, ct_err *e)
{
    struct ct_input *in;
    if (ct_input_open(path, &in, e) < 0)
        return -1;
    int rc = parse_input(L, in, o, host, f, rs, ps, e);
    uint64_t total;
    ct_input_progress(in, &f->bytes, &total);
    f->gzip = ct_input_is_gzip(in);
    f->records = rs->n;
    ct_input_close(in);
    return rc;
}

struct same_path {
    const char *path;
    int64_t ids[64];
    int n;
};

static int on_same(int64_t id, const struct ct_source_rec *s, void *ud)
{
    struct same_path *sp = ud;
    if (strcmp(s->path, sp->path) == 0 && sp->n < 64)
        sp->ids[sp->n++] = id;
    return 0;
}

/* --replace: forgets the file's earlier imports (its content, or its path
 * under the same format) inside the caller's transaction. */
static int forget_earlier(struct ct_ledger_h *L, struct ct_import_file *f, ct_err *e)
{
    struct same_path sp = {.path = f->path};
    int64_t id = 0;
    if (L->ops->find_source(L->db, f->sha256, &id, e) < 0 ||
        L->ops->list_sources(L->db, f->format, on_same, &sp, e) < 0)
        return -1;
    if (id && sp.n < 64)
        sp.ids[sp.n++] = id;
    for (int i = 0; i < sp.n; i++) {
        int dup = 0;
        for (int k = 0; k < i; k++)
            dup |= sp.ids[k] == sp.ids[i];
        if (dup)
            continue;
        if (L->ops->delete_source(L->db, sp.ids[i], e) < 0)
            return -1;
        f->replaced++;
    }
    return 0;
}

/* Writes the parsed files in one transaction. */
static int write_all(struct ct_ledger_h *L, struct ct_import_result *r, struct recs *rs,
                     struct provs *ps, const struct ct_import_opts *o, ct_err *e)
{
    int64_t now = o->imported_at;
    if (L->ops->begin(L->db, e) < 0)
        return -1;
    for (int i = 0; i < r->nfiles; i++) {
        struct ct_import_file *f = &r->files[i];
        if (f->status != CT_IMPORT_DONE)
            continue;
        struct ct_source_rec s = {f->format, f->path, f->sha256, now};
        int64_t id;
        int existed = 0;
        if (o->replace && forget_earlier(L, f, e) < 0)
            goto fail;
        if (L->ops->add_source(L->db, &s, &id, &existed, e) < 0)
            goto fail;
        if (existed) {
            f->status = CT_IMPORT_ALREADY;
            f->records = f->provided = 0;
            f->skipped = f->gaps = 0;
            f->gap_seconds = 0;
            f->provided_kg_location = f->provided_kg_market = f->provided_kg_both = 0;
            f->provided_location = f->provided_market = 0;
            continue;
        }
        for (size_t k = 0; k < rs[i].n; k++)
            if (L->ops->add_energy(L->db, id, &rs[i].r[k], e) < 0) {
                ct_err_prefix(e, "%s", f->path);
                goto fail;
            }
        for (size_t k = 0; k < ps[i].n; k++)
            if (L->ops->add_provided(L->db, id, &ps[i].r[k], e) < 0) {
                ct_err_prefix(e, "%s", f->path);
                goto fail;
            }
    }
    if (L->ops->commit(L->db, e) == 0)
        return 0;
fail:
    L->ops->rollback(L->db);
    return -1;
}

int ct_import(struct ct_ledger_h *L, char *const *paths, int npaths,
              const struct ct_import_opts *o, struct ct_import_result *r, ct_err *e)
{
    memset(r, 0, sizeof *r);
    if (o->host && *o->host)
        snprintf(r->host, sizeof r->host, "%s", o->host);
    else if (gethostname(r->host, sizeof r->host - 1) < 0 || !r->host[0])
        return ct_errf(e, "cannot tell this machine's hostname: pass --host NAME");
    r->files = calloc((size_t)(npaths > 0 ? npaths : 1), sizeof *r->files);
    struct recs *rs = calloc((size_t)(npaths > 0 ? npaths : 1), sizeof *rs);
    struct provs *ps = calloc((size_t)(npaths > 0 ? npaths : 1), sizeof *ps);
    int rc = r->files && rs && ps ? 0 : ct_errf(e, "out of memory");
    for (int i = 0; rc == 0 && i < npaths; i++) {
        r->nfiles++;
        rc = parse_file(L, paths[i], o, r->host, &r->files[i], &rs[i], &ps[i], e);
    }
    if (rc == 0)
        rc = write_all(L, r, rs, ps, o, e);
    for (int i = 0; rs && ps && i < npaths; i++) {
        free(rs[i].r);
        free_provs(&ps[i]);
    }
    free(rs);
    free(ps);
    return rc;
}

void ct_import_result_free(struct ct_import_result *r)
{
    for (int i = 0; i < r->nfiles; i++) {
        struct ct_import_file *f = &r->files[i];
        for (int k = 0; k < f->ndev; k++) {
            free(f->dev[k].host);
            free(f->dev[k].device);
            free(f->dev[k].component);
            free(f->dev[k].model);
        }
        free(f->dev);
        free(f->path);
        for (int k = 0; k < f->nwarnings; k++)
            free(f->warnings[k]);
        free(f->warnings);
    }
    free(r->files);
    memset(r, 0, sizeof *r);
}
