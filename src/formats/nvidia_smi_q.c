/* nvidia-smi -q [-d POWER,UTILIZATION] [-l S]: "Key : value" lines indented by
 * section. Each "==NVSMI LOG==" block is one sample per GPU: its "GPU <bus id>"
 * section gives the GPU UUID, Product Name, Utilization/Gpu, and power from the
 * "GPU Power Readings" (or, on older drivers, "Power Readings") section:
 * Average Power Draw, else Power Draw, else Instantaneous Power Draw. "Module
 * Power Readings" (a whole Grace Hopper module) is not the GPU's and is skipped.
 *
 * Time: the block's Timestamp line (local time taken as UTC), else --start +
 * k x --interval for the k-th block. One block is a single reading: with
 * --interval S it counts as watts x S; without, the import says to pass it. */
#include <math.h>
#include <string.h>

#include "formats/formats_int.h"
#include "formats/nvidia_smi_int.h"

struct gpu {
    char bus[40], uuid[72], name[96];
    double w, u;
    int rank;           /* 3 average, 2 draw, 1 instantaneous, 0 none yet */
    long line;
};

struct q {
    long blocks;        /* NVSMI LOG blocks begun */
    double stamp;       /* this block's Timestamp, NAN until read */
    int in_gpu;
    enum { S_NONE, S_UTIL, S_POWER } section;
    struct gpu g;
    struct nv_series s;
};

static int is(const char *b, const char *e, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(e - b) == n && memcmp(b, s, n) == 0;
}

static void copy(char *dst, size_t cap, const char *b, const char *e)
{
    size_t n = (size_t)(e - b) < cap - 1 ? (size_t)(e - b) : cap - 1;
    memcpy(dst, b, n);
    dst[n] = '\0';
}

/* The GPU section read so far, as one sample. */
static int flush_gpu(struct q *q, ct_err *e)
{
    if (!q->in_gpu)
        return 0;
    q->in_gpu = 0;
    struct gpu *g = &q->g;
    if (!g->rank) /* no power reading: -q -d for other things, or N/A */
        return 0;
    const char *key = g->uuid[0] ? g->uuid : g->bus;
    int d = nv_device(&q->s, key, strlen(key), e);
    if (d < 0)
        return ct_errf(e, "%s:%ld: %s", ct_input_name(q->s.in), g->line, e->msg);
    if (!q->s.dev[d].model[0])
        nv_set_model(&q->s, d, g->name, g->name + strlen(g->name));
    double t;
    if (!isnan(q->stamp))
        t = q->stamp;
    else if (nv_untimed(q->s.in, q->s.o, q->blocks > 0 ? q->blocks - 1 : 0,
                        "the -l interval, or how long the reading stands for", &t, e) < 0)
        return -1;
    return nv_sample(&q->s, d, t, g->w, g->u, e);
}

static int value_line(struct q *q, int depth, const char *kb, const char *ke, const char *vb,
                      const char *ve, ct_err *e)
{
    struct gpu *g = &q->g;
    const char *end;
    double v;
    if (depth == 0 && is(kb, ke, "Timestamp")) {
        if (nv_ctime(vb, ve, &q->stamp) < 0)
            return nv_bad(q->s.in, q->s.o, e, "expected a Timestamp such as Tue Oct 10 "
                          "12:00:00 2023, got '%.*s'", (int)(ve - vb > 40 ? 40 : ve - vb), vb);
        return 0;
    }
    if (!q->in_gpu)
        return 0;
    if (depth == 1 && is(kb, ke, "GPU UUID"))
        copy(g->uuid, sizeof g->uuid, vb, ve);
    else if (depth == 1 && is(kb, ke, "Product Name"))
        copy(g->name, sizeof g->name, vb, ve);
    else if (depth == 2 && q->section == S_UTIL && is(kb, ke, "Gpu") && !nv_missing(vb, ve)) {
        if (nv_num(vb, ve, &v, &end) < 0 || !is(end, ve, " %") || v < 0 || v > 100)
            return nv_bad(q->s.in, q->s.o, e, "expected the GPU utilization in %%, got '%.*s'",
                          (int)(ve - vb > 40 ? 40 : ve - vb), vb);
        g->u = v / 100;
    } else if (depth == 2 && q->section == S_POWER && !nv_missing(vb, ve)) {
        int rank = is(kb, ke, "Average Power Draw") ? 3 : is(kb, ke, "Power Draw") ? 2
                 : is(kb, ke, "Instantaneous Power Draw") ? 1 : 0;
        if (!rank || rank <= g->rank)
            return 0;
        if (nv_num(vb, ve, &v, &end) < 0 || !is(end, ve, " W"))
            return nv_bad(q->s.in, q->s.o, e, "expected a power draw in W, got '%.*s'",
                          (int)(ve - vb > 40 ? 40 : ve - vb), vb);
        g->w = v;
        g->rank = rank;
    }
    return 0;
}

static int line(struct q *q, const char *p, size_t len, ct_err *e)
{
    const char *b = p, *lim = p + len;
    while (b < lim && *b == ' ')
        b++;
    int depth = (int)((b - p) / 4);
    const char *ke = lim;
    nv_trim(&b, &ke);
    if (b == ke)
        return 0;
    if (strstr(b, "NVSMI LOG")) { /* the line is NUL-terminated (memmem draws a GCC
                                   * -O3 -Wnonnull false alarm here) */
        if (flush_gpu(q, e) < 0)
            return -1;
        q->blocks++;
        q->stamp = NAN;
        return 0;
    }
    const char *colon = memchr(b, ':', (size_t)(ke - b));
    if (depth == 0 && ke - b > 4 && memcmp(b, "GPU ", 4) == 0 && (!colon || colon[1] != ' ')) {
        if (flush_gpu(q, e) < 0)
            return -1;
        memset(&q->g, 0, sizeof q->g);
        copy(q->g.bus, sizeof q->g.bus, b + 4, ke);
        q->g.u = NAN;
        q->g.line = ct_input_lineno(q->s.in);
        q->in_gpu = 1;
        q->section = S_NONE;
        return 0;
    }
    if (!colon) { /* a section title */
        if (depth == 1)
            q->section = is(b, ke, "Utilization") ? S_UTIL
                       : is(b, ke, "GPU Power Readings") || is(b, ke, "Power Readings") ? S_POWER
                       : S_NONE;
        return 0;
    }
    const char *kend = colon, *vb = colon + 1, *ve = ke;
    nv_trim(&b, &kend);
    nv_trim(&vb, &ve);
    return value_line(q, depth, b, kend, vb, ve, e);
}

static int parse(struct ct_input *in, const struct ct_parse_opts *o, struct ct_reading_sink *sink,
                 ct_err *e)
{
    struct q q;
    memset(&q, 0, sizeof q);
    q.stamp = NAN;
    nv_series_init(&q.s, in, o, sink);
    const char *p;
    size_t len;
    int rc;
    while ((rc = ct_input_line(in, &p, &len, e)) > 0)
        if (line(&q, p, len, e) < 0)
            break;
    if (rc == 0)
        rc = flush_gpu(&q, e) < 0 ? -1 : nv_finish(&q.s, e);
    else
        rc = -1;
    nv_series_free(&q.s);
    return rc;
}

static int sniff(const char *head, size_t n)
{
    if (memmem(head, n, "=NVSMI LOG=", 11))
        return 100;
    return memmem(head, n, "Attached GPUs", 13) ? 80 : 0;
}

const struct ct_format_ops ct_fmt_nvidia_smi_q = {
    .version = CT_FORMAT_OPS_VERSION,
    .name = "nvidia-smi-q",
    .summary = "nvidia-smi -q (a single reading: give --interval), or nvidia-smi -q -l S",
    .sniff = sniff,
    .parse = parse,
};
