/* nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits] [-l S]
 *
 * Columns are found by the header's names, in any order and any subset that
 * has a power column (power.draw.average, else power.draw, else
 * power.draw.instant). A header may repeat (appended runs) and may change the
 * columns. GPUs are told apart by uuid, else pci.bus_id, else index, else by
 * their place within a sample (a sample ends when the first GPU's name comes
 * round again; identical GPUs logged without an id look like one GPU).
 *
 * Time: the timestamp column ("YYYY/MM/DD HH:MM:SS.mmm", the logging machine's
 * local time, taken as UTC: nvidia-smi does not say its zone), else --start +
 * k x --interval for the k-th sample.
 *
 * Without a header (noheader), columns are recognised by their values: the
 * timestamp by its shape, uuid (GPU-...), bus id (0000:41:00.0), power as the
 * first value with " W", utilisation when exactly one value has " %". That
 * needs units: noheader,nounits is refused with a message. */
#include <math.h>
#include <string.h>

#include "formats/formats_int.h"
#include "formats/nvidia_smi_int.h"

enum { C_TS, C_INDEX, C_UUID, C_PCI, C_NAME, C_POWER, C_UTIL, NCOL };
#define MAX_FIELDS 128

struct field {
    const char *b, *e;
};

struct csv {
    int col[NCOL];
    int power_rank, nfields, units, ready, maxcol;
    long sample;
    int ord_n;
    char ord_first[96];
    struct nv_datecache dc;
    struct nv_series s;
};

/* Splits at commas (untrimmed: a row trims only the fields it reads); returns the
 * count, or -1 when too many. */
static int split(const char *p, const char *lim, struct field *f)
{
    int n = 0;
    for (;;) {
        const char *c = memchr(p, ',', (size_t)(lim - p));
        const char *e = c ? c : lim;
        if (n == MAX_FIELDS)
            return -1;
        f[n].b = p;
        f[n].e = e;
        n++;
        if (!c)
            return n;
        p = c + 1;
    }
}

static void trim_all(struct field *f, int n)
{
    for (int i = 0; i < n; i++)
        nv_trim(&f[i].b, &f[i].e);
}

static int eq(const struct field *f, size_t n, const char *s)
{
    return (size_t)(f->e - f->b) == n && memcmp(f->b, s, n) == 0;
}
#define EQ(f, lit) eq(f, sizeof lit - 1, lit)

/* The column a header name stands for (-1: not one we read); *rank orders the
 * power columns by preference. */
static int column_of(const struct field *f, int *rank)
{
    *rank = 0;
    if (EQ(f, "timestamp"))
        return C_TS;
    if (EQ(f, "index"))
        return C_INDEX;
    if (EQ(f, "uuid") || EQ(f, "gpu_uuid"))
        return C_UUID;
    if (EQ(f, "pci.bus_id") || EQ(f, "gpu_bus_id"))
        return C_PCI;
    if (EQ(f, "name") || EQ(f, "gpu_name"))
        return C_NAME;
    if (EQ(f, "utilization.gpu"))
        return C_UTIL;
    *rank = EQ(f, "power.draw.average") ? 3 : EQ(f, "power.draw") ? 2
          : EQ(f, "power.draw.instant") ? 1 : 0;
    return *rank ? C_POWER : -1;
}

/* Splits "power.draw [W]" into name and unit; *unit is NULL when there is none. */
static void header_name(struct field *f, struct field *unit)
{
    unit->b = unit->e = NULL;
    if (f->e - f->b < 3 || f->e[-1] != ']')
        return;
    const char *o = memchr(f->b, '[', (size_t)(f->e - f->b));
    if (!o)
        return;
    unit->b = o + 1;
    unit->e = f->e - 1;
    f->e = o;
    nv_trim(&f->b, &f->e);
}

static int ident(const struct field *f)
{
    int letter = 0, dot = 0;
    for (const char *p = f->b; p < f->e; p++) {
        char c = *p;
        letter |= (c >= 'a' && c <= 'z');
        dot |= c == '.';
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            return 0;
    }
    return letter && dot;
}

/* 1 when the fields are a header: a name we read, or only dotted field names. */
static int is_header(struct field *f, int n)
{
    int idents = 0, rank;
    for (int i = 0; i < n; i++) {
        struct field name = f[i], unit;
        header_name(&name, &unit);
        if (column_of(&name, &rank) >= 0)
            return 1;
        idents += ident(&name);
    }
    return idents > 0;
}

static void reset_cols(struct csv *c)
{
    for (int i = 0; i < NCOL; i++)
        c->col[i] = -1;
    c->power_rank = 0;
    c->units = 0;
    c->maxcol = 0;
}

static int take_header(struct csv *c, struct field *f, int n, struct ct_input *in, ct_err *e)
{
    reset_cols(c);
    for (int i = 0; i < n; i++) {
        struct field name = f[i], unit;
        int rank, k;
        header_name(&name, &unit);
        if ((k = column_of(&name, &rank)) < 0 || (k != C_POWER && c->col[k] >= 0) ||
            (k == C_POWER && rank <= c->power_rank))
            continue;
        c->col[k] = i;
        if (k == C_POWER) {
            c->power_rank = rank;
            c->units = unit.b != NULL;
        }
        if (i > c->maxcol)
            c->maxcol = i;
    }
    c->nfields = n;
    c->ready = 1;
    if (c->col[C_POWER] < 0)
        return ct_errf(e, "%s:%ld: expected a power column (power.draw, power.draw.average "
                       "or power.draw.instant) in the header", ct_input_name(in),
                       ct_input_lineno(in));
    return 0;
}

static int ends_with_unit(const struct field *f, char u)
{
    return f->e - f->b >= 3 && f->e[-1] == u && f->e[-2] == ' ' &&
           ((f->e[-3] >= '0' && f->e[-3] <= '9') || f->e[-3] == '.');
}

static int is_pci(const struct field *f)
{
    size_t n = (size_t)(f->e - f->b);
    return n >= 12 && n <= 16 && f->e[-2] == '.' && f->e[-5] == ':' && f->e[-8] == ':';
}

/* Without a header: columns by the shape of the first row's values; -1 when no
 * value looks like a power draw. */
static int guess_cols(struct csv *c, struct field *f, int n)
{
    reset_cols(c);
    int pct = 0;
    double t;
    for (int i = 0; i < n; i++) {
        int k = -1;
        if (c->col[C_TS] < 0 && nv_time(f[i].b, f[i].e, &c->dc, &t) == 0)
            k = C_TS;
        else if (c->col[C_UUID] < 0 && f[i].e - f[i].b > 4 &&
                 (memcmp(f[i].b, "GPU-", 4) == 0 || memcmp(f[i].b, "MIG-", 4) == 0))
            k = C_UUID;
        else if (c->col[C_PCI] < 0 && is_pci(&f[i]))
            k = C_PCI;
        else if (c->col[C_POWER] < 0 && ends_with_unit(&f[i], 'W'))
            k = C_POWER;
        else if (ends_with_unit(&f[i], '%') && pct++ == 0)
            c->col[C_UTIL] = i;
        if (k >= 0)
            c->col[k] = i;
    }
    if (pct != 1)
        c->col[C_UTIL] = -1;
    for (int k = 0; k < NCOL; k++)
        if (c->col[k] > c->maxcol)
            c->maxcol = c->col[k];
    c->units = 1;
    c->nfields = n;
    c->ready = 1;
    return c->col[C_POWER] < 0 ? -1 : 0;
}

/* A number with an optional unit: the unit is required when the header had units. */
static int value(const struct field *f, char unit, int need_unit, double *v)
{
    const char *end;
    if (nv_num(f->b, f->e, v, &end) < 0)
        return -1;
    if (end == f->e)
        return need_unit ? -1 : 0;
    return f->e - end == 2 && end[0] == ' ' && end[1] == unit ? 0 : -1;
}

/* The device of a row: its id column, else its place in the sample. */
static int row_device(struct csv *c, struct field *f, ct_err *e)
{
    int k = c->col[C_UUID] >= 0 ? C_UUID : c->col[C_PCI] >= 0 ? C_PCI
          : c->col[C_INDEX] >= 0 ? C_INDEX : -1;
    if (k >= 0) {
        const struct field *id = &f[c->col[k]];
        return nv_device(&c->s, id->b, (size_t)(id->e - id->b), e);
    }
    const struct field *nm = c->col[C_NAME] >= 0 ? &f[c->col[C_NAME]] : NULL;
    size_t len = nm ? (size_t)(nm->e - nm->b) : 0;
    if (len >= sizeof c->ord_first)
        len = sizeof c->ord_first - 1;
    if (c->ord_n > 0 && strlen(c->ord_first) == len && memcmp(c->ord_first, nm ? nm->b : "", len) == 0)
        c->ord_n = 0;
    if (c->ord_n == 0) {
        memcpy(c->ord_first, nm ? nm->b : "", len);
        c->ord_first[len] = '\0';
    }
    char key[16];
    int n = 0, v = c->ord_n++;
    do
        key[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 15);
    for (int i = 0; i < n / 2; i++) {
        char t = key[i];
        key[i] = key[n - 1 - i];
        key[n - 1 - i] = t;
    }
    return nv_device(&c->s, key, (size_t)n, e);
}

static int row_time(struct csv *c, struct field *f, int d, double *t, ct_err *e)
{
    struct nv_dev *dev = &c->s.dev[d];
    if (dev->sample == c->sample) /* seen in this sample already: a new one starts */
        c->sample++;
    dev->sample = c->sample;
    if (c->col[C_TS] < 0)
        return nv_untimed(c->s.in, c->s.o, c->sample, "the -l interval nvidia-smi logged with",
                          t, e);
    const struct field *ts = &f[c->col[C_TS]];
    if (nv_time(ts->b, ts->e, &c->dc, t) == 0)
        return 0;
    return nv_bad(c->s.in, c->s.o, e, "expected a timestamp YYYY/MM/DD HH:MM:SS.mmm, got '%.*s'",
                  (int)(ts->e - ts->b > 40 ? 40 : ts->e - ts->b), ts->b) < 0 ? -1 : 1;
}

static int row(struct csv *c, struct field *f, int n, ct_err *e)
{
    struct ct_input *in = c->s.in;
    const struct ct_parse_opts *o = c->s.o;
    if (n != c->nfields)
        return nv_bad(in, o, e, "expected %d comma-separated values, got %d", c->nfields, n);
    for (int k = 0; k < NCOL; k++)
        if (c->col[k] >= 0)
            nv_trim(&f[c->col[k]].b, &f[c->col[k]].e);
    int d = row_device(c, f, e);
    if (d < 0)
        return nv_bad(in, o, e, "%s", e->msg);
    double t, w, u = NAN;
    int rc = row_time(c, f, d, &t, e);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    const struct field *pw = &f[c->col[C_POWER]], *ut = c->col[C_UTIL] >= 0 ? &f[c->col[C_UTIL]] : NULL;
    if (c->col[C_NAME] >= 0 && !c->s.dev[d].model[0])
        nv_set_model(&c->s, d, f[c->col[C_NAME]].b, f[c->col[C_NAME]].e);
    if (nv_missing(pw->b, pw->e)) /* [N/A]: no sample; the neighbours are bridged */
        return 0;
    if (value(pw, 'W', c->units, &w) < 0)
        return nv_bad(in, o, e, "expected a power draw such as '%s', got '%.*s'",
                      c->units ? "250.00 W" : "250.00", (int)(pw->e - pw->b > 40 ? 40 : pw->e - pw->b), pw->b);
    if (ut && !nv_missing(ut->b, ut->e)) {
        if (value(ut, '%', c->units, &u) < 0 || u < 0 || u > 100)
            return nv_bad(in, o, e, "expected a utilization.gpu from 0 to 100 %%, got '%.*s'",
                          (int)(ut->e - ut->b > 40 ? 40 : ut->e - ut->b), ut->b);
        u /= 100;
    }
    return nv_sample(&c->s, d, t, w, u, e);
}

static int line(struct csv *c, const char *p, size_t len, ct_err *e)
{
    struct field f[MAX_FIELDS];
    if (ct_input_lineno(c->s.in) == 1 && len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3, len -= 3; /* a byte-order mark from an editor on Windows */
    const char *lim = p + len;
    while (p < lim && (*p == ' ' || *p == '\t'))
        p++;
    if (p == lim || *p == '#')
        return 0;
    int n = split(p, lim, f);
    if (n < 0)
        return nv_bad(c->s.in, c->s.o, e, "expected at most %d comma-separated values",
                      MAX_FIELDS);
    /* Header names are lower case; no data row starts with a lower-case letter
     * (times, numbers, "GPU-", "NVIDIA ..."), so most rows skip the full check. */
    if (*p >= 'a' && *p <= 'z') {
        trim_all(f, n);
        if (is_header(f, n))
            return take_header(c, f, n, c->s.in, e);
    }
    if (!c->ready) {
        trim_all(f, n);
        if (guess_cols(c, f, n) < 0)
            return ct_errf(e, "%s:%ld: expected a header line naming the columns (log with "
                           "--format=csv, not noheader), or values with units such as '250.00 W'",
                           ct_input_name(c->s.in), ct_input_lineno(c->s.in));
    }
    return row(c, f, n, e);
}

static int parse(struct ct_input *in, const struct ct_parse_opts *o, struct ct_reading_sink *sink,
                 ct_err *e)
{
    struct csv c;
    memset(&c, 0, sizeof c);
    reset_cols(&c);
    nv_series_init(&c.s, in, o, sink);
    const char *p;
    size_t len;
    int rc;
    while ((rc = ct_input_line(in, &p, &len, e)) > 0)
        if (line(&c, p, len, e) < 0)
            break;
    if (rc == 0)
        rc = nv_finish(&c.s, e);
    else
        rc = -1;
    nv_series_free(&c.s);
    return rc;
}

/* A --query-gpu field name other than power (a header missing its power column). */
static int gpu_field(const struct field *f)
{
    static const char *const pre[] = {"utilization.", "temperature.", "memory.", "clocks.",
                                      "fan.speed", "pci.bus_id", "pstate", "enforced.power"};
    for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
        if ((size_t)(f->e - f->b) >= strlen(pre[i]) && memcmp(f->b, pre[i], strlen(pre[i])) == 0)
            return 1;
    return 0;
}

static int sniff(const char *head, size_t n)
{
    const char *nl = memchr(head, '\n', n);
    const char *lim = nl ? nl : head + n;
    if (lim - head >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
        head += 3;
    if (lim > head && lim[-1] == '\r')
        lim--;
    struct field f[MAX_FIELDS];
    int k = split(head, lim, f);
    if (k < 2)
        return 0;
    trim_all(f, k);
    struct csv c;
    memset(&c, 0, sizeof c);
    if (is_header(f, k)) {
        int rank, power = 0, gpu = 0;
        for (int i = 0; i < k; i++) {
            struct field name = f[i], unit;
            header_name(&name, &unit);
            power |= column_of(&name, &rank) == C_POWER;
            gpu |= gpu_field(&name);
        }
        /* Other CSVs have dotted names too (project.id): only GPU fields count. */
        return power ? 90 : gpu ? 40 : 0;
    }
    if (guess_cols(&c, f, k) < 0)
        return 0;
    return c.col[C_TS] >= 0 ? 70 : 30;
}

const struct ct_format_ops ct_fmt_nvidia_smi = {
    .version = CT_FORMAT_OPS_VERSION,
    .name = "nvidia-smi",
    .summary = "nvidia-smi --query-gpu=timestamp,index,power.draw,utilization.gpu --format=csv -l 1",
    .sniff = sniff,
    .parse = parse,
};
