/* nvidia-smi dmon [-o DT] [--format csv]
 *
 * Columns are found by the names in dmon's '#' header, which it repeats now and
 * then and which differ between drivers ("# gpu pwr temp sm ..." on old ones,
 * "# gpu pwr gtemp mtemp sm mem enc dec jpg ofa mclk pclk" on new ones). Read:
 * gpu (the index), pwr (W), sm (% busy, the utilisation), Date (YYYYMMDD) and
 * Time (HH:MM:SS). Values are separated by spaces, or by commas with
 * --format csv; "-" is no value.
 *
 * Time: Date and Time (-o DT), the logging machine's local time taken as UTC;
 * Time alone (-o T) takes its day from --start and rolls over at midnight;
 * neither: --start + k x --interval for the k-th sample (dmon's -d, 1 s by
 * default, but the log does not say, so it must be passed). */
#include <math.h>
#include <string.h>

#include "core/timeutil.h"
#include "formats/formats_int.h"
#include "formats/nvidia_smi_int.h"

enum { D_DATE, D_TIME, D_GPU, D_PWR, D_SM, ND };
#define MAX_TOK 64

struct tok {
    const char *b, *e;
};

struct dmon {
    int col[ND], ntok, ready;
    long sample;
    double day, last_t;  /* -o T: the day in use and the last time seen */
    struct nv_series s;
};

static int tokens(const char *p, const char *lim, struct tok *t)
{
    int n = 0;
    while (p < lim) {
        while (p < lim && (*p == ' ' || *p == '\t' || *p == ','))
            p++;
        if (p == lim)
            break;
        if (n == MAX_TOK)
            return -1;
        t[n].b = p;
        while (p < lim && *p != ' ' && *p != '\t' && *p != ',')
            p++;
        t[n++].e = p;
    }
    return n;
}

static int tok_is(const struct tok *t, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(t->e - t->b) == n && memcmp(t->b, s, n) == 0;
}

/* A '#' line: column names (with "gpu"), or the units line under them. */
static int header(struct dmon *d, const char *p, const char *lim)
{
    struct tok t[MAX_TOK];
    int n = tokens(p + 1, lim, t);
    int names[ND] = {-1, -1, -1, -1, -1}, gpu = 0;
    for (int i = 0; i < n; i++) {
        static const char *const want[ND] = {"Date", "Time", "gpu", "pwr", "sm"};
        for (int k = 0; k < ND; k++)
            if (tok_is(&t[i], want[k]) && names[k] < 0)
                names[k] = i;
        gpu |= tok_is(&t[i], "gpu");
    }
    if (!gpu) /* the units line (# Idx W C ...) or a comment */
        return 0;
    memcpy(d->col, names, sizeof names);
    d->ntok = n;
    d->ready = 1;
    return 1;
}

static int row_time(struct dmon *d, const struct tok *t, int dev, double *out, ct_err *e)
{
    struct ct_input *in = d->s.in;
    const struct ct_parse_opts *o = d->s.o;
    if (d->s.dev[dev].sample == d->sample)
        d->sample++;
    d->s.dev[dev].sample = d->sample;
    if (d->col[D_TIME] < 0)
        return nv_untimed(in, o, d->sample, "dmon's -d delay, 1 by default", out, e);
    char buf[32];
    const struct tok *tm = &t[d->col[D_TIME]];
    if (d->col[D_DATE] >= 0) {
        const struct tok *dt = &t[d->col[D_DATE]];
        struct nv_datecache dc = {{0}, 0, 0};
        /* "20231010" "12:00:00" as "2023/10/10 12:00:00" for nv_time. */
        if (dt->e - dt->b == 8 && tm->e - tm->b >= 8 && tm->e - tm->b < 16) {
            memcpy(buf, dt->b, 4), buf[4] = '/', memcpy(buf + 5, dt->b + 4, 2), buf[7] = '/';
            memcpy(buf + 8, dt->b + 6, 2), buf[10] = ' ';
            memcpy(buf + 11, tm->b, (size_t)(tm->e - tm->b));
            if (nv_time(buf, buf + 11 + (tm->e - tm->b), &dc, out) == 0)
                return 0;
        }
        return nv_bad(in, o, e, "expected a date and time such as 20231010 12:00:00, got "
                      "'%.*s %.*s'", (int)(dt->e - dt->b > 20 ? 20 : dt->e - dt->b), dt->b,
                      (int)(tm->e - tm->b > 20 ? 20 : tm->e - tm->b), tm->b) < 0 ? -1 : 1;
    }
    if (!isfinite(o->start))
        return ct_errf(e, "%s:%ld: the log has times but no dates (dmon -o T): pass --start "
                       "DATE for the day it began", ct_input_name(in), ct_input_lineno(in));
    struct nv_datecache dc = {{0}, 0, 0};
    memcpy(buf, "1970/01/01 ", 11);
    double tod;
    if (tm->e - tm->b < 8 || tm->e - tm->b >= 16) {
        tod = -1;
    } else {
        memcpy(buf + 11, tm->b, (size_t)(tm->e - tm->b));
        if (nv_time(buf, buf + 11 + (tm->e - tm->b), &dc, &tod) < 0)
            tod = -1;
    }
    if (tod < 0)
        return nv_bad(in, o, e, "expected a time such as 12:00:00, got '%.*s'",
                      (int)(tm->e - tm->b > 20 ? 20 : tm->e - tm->b), tm->b) < 0 ? -1 : 1;
    if (d->day == 0)
        d->day = (double)ct_floor((int64_t)floor(o->start), CT_DAY);
    if (d->last_t > 0 && d->day + tod < d->last_t - CT_DAY / 2) /* past midnight */
        d->day += CT_DAY;
    *out = d->last_t = d->day + tod;
    return 0;
}

static int row(struct dmon *d, const char *p, const char *lim, ct_err *e)
{
    struct ct_input *in = d->s.in;
    const struct ct_parse_opts *o = d->s.o;
    struct tok t[MAX_TOK];
    int n = tokens(p, lim, t);
    if (n != d->ntok)
        return nv_bad(in, o, e, "expected %d values as in the header, got %d", d->ntok, n);
    if (d->col[D_GPU] < 0 || d->col[D_PWR] < 0)
        return ct_errf(e, "%s:%ld: expected gpu and pwr columns in the dmon header (run dmon "
                       "with -s p or the default -s pucvmet)", ct_input_name(in),
                       ct_input_lineno(in));
    const struct tok *g = &t[d->col[D_GPU]], *pw = &t[d->col[D_PWR]];
    int dev = nv_device(&d->s, g->b, (size_t)(g->e - g->b), e);
    if (dev < 0)
        return nv_bad(in, o, e, "%s", e->msg);
    double time, w, u = NAN;
    int rc = row_time(d, t, dev, &time, e);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    const char *end;
    if (nv_missing(pw->b, pw->e))
        return 0;
    if (nv_num(pw->b, pw->e, &w, &end) < 0 || end != pw->e)
        return nv_bad(in, o, e, "expected pwr in watts, got '%.*s'",
                      (int)(pw->e - pw->b > 20 ? 20 : pw->e - pw->b), pw->b);
    if (d->col[D_SM] >= 0 && !nv_missing(t[d->col[D_SM]].b, t[d->col[D_SM]].e)) {
        const struct tok *sm = &t[d->col[D_SM]];
        if (nv_num(sm->b, sm->e, &u, &end) < 0 || end != sm->e || u < 0 || u > 100)
            return nv_bad(in, o, e, "expected sm from 0 to 100, got '%.*s'",
                          (int)(sm->e - sm->b > 20 ? 20 : sm->e - sm->b), sm->b);
        u /= 100;
    }
    return nv_sample(&d->s, dev, time, w, u, e);
}

static int line(struct dmon *d, const char *p, size_t len, ct_err *e)
{
    const char *lim = p + len;
    while (p < lim && (*p == ' ' || *p == '\t'))
        p++;
    if (p == lim)
        return 0;
    if (*p == '#')
        return header(d, p, lim) >= 0 ? 0 : -1;
    if (!d->ready)
        return ct_errf(e, "%s:%ld: expected dmon's header (# gpu pwr ...) before the first "
                       "sample", ct_input_name(d->s.in), ct_input_lineno(d->s.in));
    return row(d, p, lim, e);
}

static int parse(struct ct_input *in, const struct ct_parse_opts *o, struct ct_reading_sink *sink,
                 ct_err *e)
{
    struct dmon d;
    memset(&d, 0, sizeof d);
    nv_series_init(&d.s, in, o, sink);
    const char *p;
    size_t len;
    int rc;
    while ((rc = ct_input_line(in, &p, &len, e)) > 0)
        if (line(&d, p, len, e) < 0)
            break;
    rc = rc == 0 ? nv_finish(&d.s, e) : -1;
    nv_series_free(&d.s);
    return rc;
}

static int sniff(const char *head, size_t n)
{
    const char *p = head, *lim = head + n;
    while (p < lim && (*p == ' ' || *p == '\n' || *p == '\r'))
        p++;
    const char *nl = memchr(p, '\n', (size_t)(lim - p));
    if (p == lim || *p != '#')
        return 0;
    struct tok t[MAX_TOK];
    int k = tokens(p + 1, nl ? nl : lim, t), gpu = 0, pwr = 0;
    for (int i = 0; i < k; i++) {
        gpu |= tok_is(&t[i], "gpu");
        pwr |= tok_is(&t[i], "pwr");
    }
    return gpu && pwr ? 95 : gpu ? 40 : 0;
}

const struct ct_format_ops ct_fmt_nvidia_smi_dmon = {
    .version = CT_FORMAT_OPS_VERSION,
    .name = "nvidia-smi-dmon",
    .summary = "nvidia-smi dmon -o DT (or without -o DT, with --start and --interval)",
    .sniff = sniff,
    .parse = parse,
};
