/* Power samples to energy readings, per GPU: the trapezoid rule, gaps, and
 * samples with no neighbour (the rules are in nvidia_smi_int.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formats/bounds.h"
#include "formats/nvidia_smi_int.h"

void nv_series_init(struct nv_series *s, struct ct_input *in, const struct ct_parse_opts *o,
                    struct ct_reading_sink *sink)
{
    memset(s, 0, sizeof *s);
    s->in = in;
    s->o = o;
    s->sink = sink;
    s->step = NAN;
}

void nv_series_free(struct nv_series *s)
{
    free(s->dev);
    s->dev = NULL;
    s->n = s->cap = 0;
}

static int key_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == ':' || c == '.' || c == '-' || c == '_';
}

int nv_device(struct nv_series *s, const char *key, size_t klen, ct_err *e)
{
    /* The row before usually names the same or the next GPU: start looking there. */
    for (int k = 0; k < s->n; k++) {
        int i = (s->last + k) % s->n;
        const char *d = s->dev[i].device + 4;
        if (strncmp(d, key, klen) == 0 && d[klen] == '\0')
            return s->last = i;
    }
    int ok = klen > 0 && klen <= 64;
    for (size_t i = 0; ok && i < klen; i++)
        ok = key_char(key[i]);
    if (!ok)
        return ct_errf(e, "expected a GPU index, UUID or bus id, got '%.*s'",
                       (int)(klen > 40 ? 40 : klen), key);
    if (s->n == NV_MAX_DEVICES)
        return ct_errf(e, "more than %d GPUs in one log", NV_MAX_DEVICES);
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 8;
        struct nv_dev *p = realloc(s->dev, (size_t)cap * sizeof *p);
        if (!p)
            return ct_errf(e, "out of memory");
        s->dev = p;
        s->cap = cap;
    }
    struct nv_dev *d = &s->dev[s->n];
    memset(d, 0, sizeof *d);
    memcpy(d->device, "gpu:", 4);
    memcpy(d->device + 4, key, klen);
    d->sample = -1;
    return s->last = s->n++;
}

void nv_set_model(struct nv_series *s, int d, const char *b, const char *e)
{
    size_t n = (size_t)(e - b) < sizeof s->dev[d].model - 1 ? (size_t)(e - b)
                                                            : sizeof s->dev[d].model - 1;
    memcpy(s->dev[d].model, b, n);
    s->dev[d].model[n] = '\0';
}

/* The step the gap limit and single samples go by: --interval, else the
 * log's own (NAN until two samples of a GPU were bridged). */
static double known_step(const struct nv_series *s)
{
    const struct ct_parse_opts *o = s->o;
    return o->interval > 0 && isfinite(o->interval) ? o->interval : s->step;
}

static double mean_util(double a, double b)
{
    return isnan(a) ? b : isnan(b) ? a : (a + b) / 2;
}

/* line: the sample that closed the interval. */
static int emit(struct nv_series *s, const struct nv_dev *d, double t0, double t1, double j,
                double u, long line, ct_err *e)
{
    struct ct_reading r = {
        .device = d->device, .component = "gpu", .model = d->model[0] ? d->model : NULL,
        .detail = 0, .t0 = t0, .t1 = t1, .joules = j, .util = u, .line = line};
    int rc = ct_bounds_check(s->o, s->in, &r, e);
    return rc <= 0 ? rc : s->sink->emit(s->sink->ud, &r, e);
}

static int no_step(struct nv_series *s, const struct nv_dev *d, long line, double w, ct_err *e)
{
    return ct_errf(e, "%s:%ld: %s has a single reading (%g W) with no other sample to "
                   "integrate with: pass --interval S to count it as %g W x S seconds",
                   ct_input_name(s->in), line, d->device, w, w);
}

/* A sample held back because it had no neighbour while the step was unknown
 * (the log's first sample, before a gap): counted once the step is known. */
static int emit_pending(struct nv_series *s, struct nv_dev *d, ct_err *e)
{
    double S = known_step(s);
    if (!d->pend)
        return 0;
    if (isnan(S))
        return no_step(s, d, d->pline, d->pw, e);
    d->pend = 0;
    double dt = S < d->proom ? S : d->proom;
    return emit(s, d, d->pt, d->pt + dt, d->pw * dt, d->pu, d->pline, e);
}

/* The held sample of d had no neighbour: P x S over [t, t + S), S no longer than
 * the time to the device's next sample. Held back while S is unknown. */
static int emit_single(struct nv_series *s, struct nv_dev *d, double room, ct_err *e)
{
    double S = known_step(s);
    d->single = 0;
    if (isnan(S)) {
        if (d->pend) /* two samples without neighbours and still no step */
            return no_step(s, d, d->line, d->w, e);
        d->pend = 1;
        d->pt = d->t, d->pw = d->w, d->pu = d->u, d->pline = d->line, d->proom = room;
        return 0;
    }
    if (emit_pending(s, d, e) < 0)
        return -1;
    double dt = S < room ? S : room;
    return emit(s, d, d->t, d->t + dt, d->w * dt, d->u, d->line, e);
}

int nv_sample(struct nv_series *s, int i, double t, double w, double u, ct_err *e)
{
    struct nv_dev *d = &s->dev[i];
    long line = ct_input_lineno(s->in);
    if (!(w >= 0 && w <= NV_MAX_WATTS))
        return nv_bad(s->in, s->o, e, "expected a power draw in watts, got %g", w);
    const char *why = ct_bounds_measured_time(s->o, t);
    if (why) /* before it becomes the held sample: one bad time must not stop the rest */
        return ct_bounds_bad(s->o, s->in, line, e, why);
    if (!d->have) {
        d->have = d->single = 1;
        d->t = t;
        d->w = w;
        d->u = u;
        d->line = line;
        return 0;
    }
    double dt = t - d->t;
    if (dt < 0)
        return nv_bad(s->in, s->o, e, "expected time to go forward for %s, got %.3f s "
                      "before its previous sample", d->device, -dt);
    if (dt == 0) /* the same instant twice (a repeated row): the first one counts */
        return 0;
    /* The limit goes by the step known before this pair, so a first pair far
     * apart is a gap too; only a bridged pair teaches the step. */
    if (dt <= ct_gap_limit(s->o, known_step(s))) {
        if (!(s->o->interval > 0) && !(dt >= s->step))
            s->step = dt;
        if (emit_pending(s, d, e) < 0 ||
            emit(s, d, d->t, t, (d->w + w) / 2 * dt, mean_util(d->u, u), line, e) < 0)
            return -1;
        d->single = 0;
    } else {
        if (!(s->gap_t0 == d->t && s->gap_t1 == t)) { /* GPUs sampled together: one gap */
            ct_gap_note(s->o, dt);
            s->gap_t0 = d->t, s->gap_t1 = t;
        }
        if (d->single && emit_single(s, d, dt, e) < 0)
            return -1;
        d->single = 1;
    }
    d->t = t;
    d->w = w;
    d->u = u;
    d->line = line;
    return 0;
}

int nv_finish(struct nv_series *s, ct_err *e)
{
    for (int i = 0; i < s->n; i++) {
        struct nv_dev *d = &s->dev[i];
        if (d->have && d->single && emit_single(s, d, INFINITY, e) < 0)
            return -1;
        if (emit_pending(s, d, e) < 0)
            return -1;
    }
    return 0;
}
