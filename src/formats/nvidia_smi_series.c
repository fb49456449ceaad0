/* Power samples to energy readings, per GPU: the trapezoid rule, gaps, and
 * samples with no neighbour (the rules are in nvidia_smi_int.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static double gap_limit(const struct nv_series *s)
{
    const struct ct_parse_opts *o = s->o;
    if (o->max_gap > 0 && isfinite(o->max_gap))
        return o->max_gap;
    double base = o->interval > 0 && isfinite(o->interval) ? o->interval : s->step;
    return isnan(base) ? 300 : 5 * base;
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
    return s->sink->emit(s->sink->ud, &r, e);
}

/* The held sample of d had no neighbour: P x S over [t, t + S), S no longer than
 * the time to the device's next sample. */
static int emit_single(struct nv_series *s, struct nv_dev *d, double room, ct_err *e)
{
    const struct ct_parse_opts *o = s->o;
    double S = o->interval > 0 && isfinite(o->interval) ? o->interval : s->step;
    if (isnan(S))
        return ct_errf(e, "%s:%ld: %s has a single reading (%g W) with no other sample to "
                       "integrate with: pass --interval S to count it as %g W x S seconds",
                       ct_input_name(s->in), d->line, d->device, d->w, d->w);
    d->single = 0;
    double dt = S < room ? S : room;
    return emit(s, d, d->t, d->t + dt, d->w * dt, d->u, d->line, e);
}

int nv_sample(struct nv_series *s, int i, double t, double w, double u, ct_err *e)
{
    struct nv_dev *d = &s->dev[i];
    long line = ct_input_lineno(s->in);
    if (!(w >= 0 && w <= NV_MAX_WATTS))
        return nv_bad(s->in, s->o, e, "expected a power draw in watts, got %g", w);
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
    if (!(s->o->interval > 0) && !(dt >= s->step))
        s->step = dt;
    if (dt <= gap_limit(s)) {
        if (emit(s, d, d->t, t, (d->w + w) / 2 * dt, mean_util(d->u, u), line, e) < 0)
            return -1;
        d->single = 0;
    } else {
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
    for (int i = 0; i < s->n; i++)
        if (s->dev[i].have && s->dev[i].single && emit_single(s, &s->dev[i], INFINITY, e) < 0)
            return -1;
    return 0;
}
