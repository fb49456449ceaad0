/* Shared by the log-parser tests: a sink that keeps every reading, and the sums
 * the tests check against figures worked out from the files themselves. */
#ifndef CT_READING_TESTUTIL_H
#define CT_READING_TESTUTIL_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"

/* cmocka's float macros work in float: too coarse for epoch seconds. */
#define assert_near(a, b, eps)                                                                   \
    do {                                                                                       \
        double a_ = (a), b_ = (b);                                                             \
        if (!(fabs(a_ - b_) <= (eps)))                                                         \
            fail_msg("%s = %.9f, expected %.9f", #a, a_, b_);                                  \
    } while (0)

struct rd {
    char dev[40], comp[16], model[32];
    int detail;
    double t0, t1, j, util;
    long line;
};

struct col {
    struct rd r[256];
    size_t n;
};

static inline int collect(void *ud, const struct ct_reading *r, ct_err *e)
{
    struct col *c = ud;
    if (c->n == sizeof c->r / sizeof *c->r)
        return ct_errf(e, "too many readings");
    struct rd *d = &c->r[c->n++];
    snprintf(d->dev, sizeof d->dev, "%s", r->device);
    snprintf(d->comp, sizeof d->comp, "%s", r->component);
    snprintf(d->model, sizeof d->model, "%s", r->model ? r->model : "");
    d->detail = r->detail;
    d->t0 = r->t0;
    d->t1 = r->t1;
    d->j = r->joules;
    d->util = r->util;
    d->line = r->line;
    return 0;
}

static inline struct ct_parse_opts opts(double start, double interval)
{
    return (struct ct_parse_opts){.start = start, .interval = interval, .max_gap = NAN};
}

/* Parses an open input with format f into c, closing the input. */
static inline int rt_parse_input(const struct ct_format_ops *f, struct ct_input *in,
                                 const struct ct_parse_opts *o, struct col *c, ct_err *e)
{
    struct ct_reading_sink sink = {.emit = collect, .ud = c};
    int rc = f->parse(in, o, &sink, e);
    ct_input_close(in);
    return rc;
}

static inline int rt_parse(const struct ct_format_ops *f, const char *path,
                           const struct ct_parse_opts *o, struct col *c, ct_err *e)
{
    struct ct_input *in;
    c->n = 0;
    e->msg[0] = '\0';
    if (ct_input_open(path, &in, e) < 0)
        return -1;
    return rt_parse_input(f, in, o, c, e);
}

static inline int rt_parse_ok(const struct ct_format_ops *f, const char *path,
                              const struct ct_parse_opts *o, struct col *c)
{
    ct_err e;
    int rc = rt_parse(f, path, o, c, &e);
    if (rc < 0)
        fprintf(stderr, "parse %s: %s\n", path, e.msg);
    return rc;
}

/* Sum of joules of one device (NULL: all), counted (detail 0), detail (1) or both (-1). */
static inline double sum(const struct col *c, const char *dev, int detail)
{
    double s = 0;
    for (size_t i = 0; i < c->n; i++)
        if ((!dev || strcmp(c->r[i].dev, dev) == 0) && (detail < 0 || c->r[i].detail == detail))
            s += c->r[i].j;
    return s;
}

static inline size_t count(const struct col *c, const char *dev)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        k += strcmp(c->r[i].dev, dev) == 0;
    return k;
}

/* A whole file (at most 1 MiB) as a string, for reading its numbers independently. */
static inline char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    *n = fread(buf, 1, sizeof buf - 1, f);
    buf[*n] = '\0';
    fclose(f);
    return buf;
}

#endif
