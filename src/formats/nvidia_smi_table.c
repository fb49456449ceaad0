/* The plain `nvidia-smi` table, once or repeated (nvidia-smi -l S). Each table is
 * one sample per GPU: from the GPU's two rows, the index and name, then
 * "Pwr:Usage/Cap" (30W / 350W) and "GPU-Util" (0%). The Processes and MIG
 * sections are skipped.
 *
 * Time: the date line nvidia-smi prints above each table ("Tue Oct 10 12:00:00
 * 2023", local time taken as UTC), else --start + k x --interval for the k-th
 * table. One table is a single reading: with --interval S it counts as
 * watts x S; without, the import stops and says to pass --interval (a snapshot
 * is power, not energy). */
#include <math.h>
#include <string.h>

#include "formats/formats_int.h"
#include "formats/nvidia_smi_int.h"

struct table {
    int in_gpus, pending;   /* inside the GPU rows; a GPU's first row was read */
    long tables;
    double date, t;         /* the date line seen (NAN if none), the table's time */
    char index[16], name[96];
    struct nv_series s;
};

struct cell {
    const char *b, *e;
};

/* Splits "| a | b | c |" into trimmed cells; returns the count. */
static int cells(const char *p, const char *lim, struct cell *c, int max)
{
    int n = 0;
    if (p == lim || *p != '|')
        return 0;
    for (p++; p < lim && n < max;) {
        const char *bar = memchr(p, '|', (size_t)(lim - p));
        if (!bar)
            break;
        c[n].b = p;
        c[n].e = bar;
        nv_trim(&c[n].b, &c[n].e);
        n++;
        p = bar + 1;
    }
    return n;
}

static int all_digits(const char *b, const char *e)
{
    if (b == e)
        return 0;
    for (; b < e; b++)
        if (*b < '0' || *b > '9')
            return 0;
    return 1;
}

/* "|   0  NVIDIA GeForce RTX 3090        On  |   00000000:41:00.0 Off | ..." */
static int first_row(struct table *t, const struct cell *c, int n)
{
    if (n < 3 || c[0].b == c[0].e)
        return 0;
    const char *sp = c[0].b;
    while (sp < c[0].e && *sp != ' ')
        sp++;
    if (!all_digits(c[0].b, sp) || sp - c[0].b >= (long)sizeof t->index || !memchr(c[1].b, ':', (size_t)(c[1].e - c[1].b)))
        return 0;
    memcpy(t->index, c[0].b, (size_t)(sp - c[0].b));
    t->index[sp - c[0].b] = '\0';
    const char *nb = sp, *ne = c[0].e;
    while (ne > nb && ne[-1] != ' ') /* drop Persistence-M (On/Off) */
        ne--;
    nv_trim(&nb, &ne);
    size_t len = (size_t)(ne - nb) < sizeof t->name - 1 ? (size_t)(ne - nb) : sizeof t->name - 1;
    memcpy(t->name, nb, len);
    t->name[len] = '\0';
    t->pending = 1;
    return 1;
}

/* "| 30%   30C    P8             30W /  350W |  2MiB / 24576MiB |  0%  Default |" */
static int second_row(struct table *t, const struct cell *c, int n, ct_err *e)
{
    struct ct_input *in = t->s.in;
    const struct ct_parse_opts *o = t->s.o;
    t->pending = 0;
    /* " / " between usage and cap: a bare '/' may be the fan's N/A. */
    const char *slash = n >= 3 ? memmem(c[0].b, (size_t)(c[0].e - c[0].b), " / ", 3) : NULL;
    if (!slash)
        return nv_bad(in, o, e, "expected the power usage of GPU %s (such as 30W / 350W)", t->index);
    const char *cb = c[0].b, *we = slash, *wb;
    nv_trim(&cb, &we);
    for (wb = we; wb > cb && wb[-1] != ' ';)
        wb--;
    int d = nv_device(&t->s, t->index, strlen(t->index), e);
    if (d < 0)
        return nv_bad(in, o, e, "%s", e->msg);
    if (!t->s.dev[d].model[0])
        nv_set_model(&t->s, d, t->name, t->name + strlen(t->name));
    if (nv_missing(wb, we)) /* N/A: the GPU does not report its power */
        return 0;
    double w, u = NAN;
    const char *end;
    if (nv_num(wb, we, &w, &end) < 0 || end != we - 1 || *end != 'W')
        return nv_bad(in, o, e, "expected the power usage of GPU %s in W, got '%.*s'", t->index,
                      (int)(we - wb > 20 ? 20 : we - wb), wb);
    const char *ub = c[2].b, *ue = ub;
    while (ue < c[2].e && *ue != ' ')
        ue++;
    if (nv_num(ub, ue, &u, &end) == 0 && end == ue - 1 && *end == '%' && u >= 0 && u <= 100)
        u /= 100;
    else
        u = NAN;
    return nv_sample(&t->s, d, t->t, w, u, e);
}

static int starts(const struct cell *c, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(c->e - c->b) >= n && memcmp(c->b, s, n) == 0;
}

/* A new table starts at its "| NVIDIA-SMI ..." banner: its time is decided here. */
static int banner(struct table *t, ct_err *e)
{
    t->in_gpus = t->pending = 0;
    if (!isnan(t->date)) {
        t->t = t->date;
        t->date = NAN;
        t->tables++;
        return 0;
    }
    return nv_untimed(t->s.in, t->s.o, t->tables++, "the -l interval, or how long the reading "
                      "stands for", &t->t, e);
}

static int line(struct table *t, const char *p, size_t len, ct_err *e)
{
    const char *lim = p + len;
    double when;
    struct cell c[8];
    const char *b = p, *end = lim;
    nv_trim(&b, &end);
    if (b < end && *b != '|' && *b != '+') {
        if (nv_ctime(b, end, &when) == 0)
            t->date = when;
        return 0;
    }
    int n = cells(b, end, c, 8);
    if (n == 0)
        return 0;
    if (c[0].e - c[0].b >= 10 && memcmp(c[0].b, "NVIDIA-SMI", 10) == 0)
        return banner(t, e);
    if (c[0].b < c[0].e && c[0].b[0] == '=') {
        if (t->in_gpus == 0) /* the rule under the column titles: GPU rows follow */
            t->in_gpus = 1;
        return 0;
    }
    if (n == 1 && (starts(&c[0], "Processes") || starts(&c[0], "MIG devices"))) {
        t->in_gpus = -1; /* until the next table */
        return 0;
    }
    if (t->in_gpus != 1)
        return 0;
    if (t->pending)
        return second_row(t, c, n, e);
    first_row(t, c, n);
    return 0;
}

static int parse(struct ct_input *in, const struct ct_parse_opts *o, struct ct_reading_sink *sink,
                 ct_err *e)
{
    struct table t;
    memset(&t, 0, sizeof t);
    t.date = NAN;
    nv_series_init(&t.s, in, o, sink);
    const char *p;
    size_t len;
    int rc;
    while ((rc = ct_input_line(in, &p, &len, e)) > 0)
        if (line(&t, p, len, e) < 0)
            break;
    rc = rc == 0 ? nv_finish(&t.s, e) : -1;
    nv_series_free(&t.s);
    return rc;
}

static int sniff(const char *head, size_t n)
{
    const char *k = memmem(head, n, "| NVIDIA-SMI ", 13);
    if (!k)
        return 0;
    return memmem(head, n, "+---", 4) ? 95 : 60;
}

const struct ct_format_ops ct_fmt_nvidia_smi_table = {
    .version = CT_FORMAT_OPS_VERSION,
    .name = "nvidia-smi-table",
    .summary = "the plain nvidia-smi table (a single reading: give --interval), or nvidia-smi -l S",
    .sniff = sniff,
    .parse = parse,
};
