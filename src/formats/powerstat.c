/* powerstat (Linux): a preamble ("Running for 60.0 seconds (30 samples at 2.0
 * second intervals)."), a header ("  Time  User ... Watts [RAPL domains] ..."),
 * one row per sample starting with the clock time HH:MM:SS, then a summary
 * (a "--------" rule, Average, StdDev, ...) that is not counted.
 *
 * What counts. With -R the columns after Watts are RAPL domains: each pkg-N is
 * counted as package-N and dram as dram-N; core and uncore are inside their
 * package (detail); psys, where listed, contains the rest and is counted with
 * everything else as detail (the same rule as turbostat's SysWatt). Watts is then
 * their sum and is not counted again. Without RAPL columns Watts is the battery
 * discharge rate, the whole machine: counted as "system".
 *
 * Time. Rows carry a time of day with no date or zone, so --start (UTC start of
 * the first sample) is required. Samples are chained at the interval the
 * preamble states (else --interval, else the first step between rows); a row
 * whose clock is further on than the chain (a gap) re-anchors it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "formats/bounds.h"
#include "formats/format.h"
#include "formats/measured_int.h"

#define PS_MAX_COLS 64
#define PS_SLACK 1.5 /* clock times are whole seconds */

enum { PS_SYSTEM, PS_PKG, PS_DRAM, PS_CORE, PS_UNCORE, PS_PSYS };

struct ps_col {
    int idx, kind;
    char dev[24];
};

struct ps_pend { /* the first row, while the interval is still unknown */
    double clock;
    double w[PS_MAX_COLS];
    long line;
};

struct ps {
    struct ct_input *in;
    const struct ct_parse_opts *o;
    struct ct_reading_sink *sink;
    ct_err *e;
    struct ml_fields fl;
    int have_header, watts, ncols, psys;
    struct ps_col cols[PS_MAX_COLS];
    double nom, c0, last_clock, t1, day;
    long rows;
    int pending;
    struct ps_pend pend;
};

static int clock_of(const char *s, double *out)
{
    int h, m, sec;
    char extra;
    if (strlen(s) != 8 || sscanf(s, "%2d:%2d:%2d%c", &h, &m, &sec, &extra) != 3 || h < 0 ||
        h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60)
        return -1;
    *out = h * 3600 + m * 60 + sec;
    return 0;
}

/* A RAPL domain column name and what it is; -1 for other columns. */
static int rapl_kind(const char *name, long *n)
{
    *n = 0;
    const char *rest;
    if (ml_prefix(name, "pkg-", &rest) || ml_prefix(name, "package-", &rest)) {
        char *end;
        *n = strtol(rest, &end, 10);
        return (*rest && !*end && *n >= 0 && *n < 1024) ? PS_PKG : -1;
    }
    if (strcmp(name, "dram") == 0)
        return PS_DRAM;
    if (strcmp(name, "core") == 0)
        return PS_CORE;
    if (strcmp(name, "uncore") == 0)
        return PS_UNCORE;
    if (strcmp(name, "psys") == 0)
        return PS_PSYS;
    return -1;
}

static void read_header(struct ps *s)
{
    static const char *const fmt[] = {"system", "package-%ld", "dram-%ld", "cores-%ld",
                                      "uncore-%ld", "psys"};
    long seen[PS_PSYS + 1] = {0};
    s->ncols = 0;
    s->psys = 0;
    s->watts = -1;
    for (int i = 0; i < s->fl.n; i++)
        if (strcmp(s->fl.f[i], "Watts") == 0 && s->watts < 0)
            s->watts = i;
    for (int i = s->watts + 1; i < s->fl.n && s->ncols < PS_MAX_COLS - 1; i++) {
        long n;
        int k = rapl_kind(s->fl.f[i], &n);
        if (k < 0)
            continue;
        if (k != PS_PKG)
            n = seen[k]++; /* core, uncore, dram: one per package, in order */
        struct ps_col *c = &s->cols[s->ncols++];
        c->idx = i;
        c->kind = k;
        snprintf(c->dev, sizeof c->dev, fmt[k], n);
        s->psys |= k == PS_PSYS;
    }
    if (s->ncols == 0) /* no RAPL domains: Watts itself, the battery's figure */
        s->cols[s->ncols++] = (struct ps_col){.idx = s->watts, .kind = PS_SYSTEM, .dev = "system"};
    s->have_header = 1;
}

static int emit_row(struct ps *s, double t0, double t1, const double *w, long line)
{
    static const char *const comp[] = {"system", "cpu", "dram", "cpu", "cpu", "system"};
    for (int i = 0; i < s->ncols; i++) {
        const struct ps_col *c = &s->cols[i];
        int detail = c->kind == PS_CORE || c->kind == PS_UNCORE || (s->psys && c->kind != PS_PSYS);
        struct ct_reading r = {.device = c->dev, .component = comp[c->kind], .detail = detail,
                               .t0 = t0, .t1 = t1, .joules = w[i] * s->nom, .util = NAN,
                               .line = line};
        if (ml_emit(s->sink, s->in, s->o, &r, s->e) < 0)
            return -1;
    }
    return 0;
}

/* Places a row (clock time, unwrapped past midnight) on the chain and emits it. */
static int place(struct ps *s, double clock, const double *w, long line)
{
    double end = s->o->start + (clock - s->c0) + s->nom; /* by the clock */
    double t1 = s->rows == 0 ? s->o->start + s->nom : s->t1 + s->nom;
    if (s->rows > 0 && end > t1 + PS_SLACK) {
        ct_gap_note(s->o, end - t1);
        t1 = end; /* a gap: not bridged */
    }
    s->t1 = t1;
    s->rows++;
    return emit_row(s, t1 - s->nom, t1, w, line);
}

static int data_row(struct ps *s, double clock)
{
    double w[PS_MAX_COLS];
    for (int i = 0; i < s->ncols; i++) {
        int idx = s->cols[i].idx;
        if (idx < 0 || idx >= s->fl.n || ml_num(s->fl.f[idx], &w[i]) < 0 || w[i] < 0 ||
            w[i] > ML_MAX_WATTS)
            return ml_bad(s->in, s->o, s->e, "expected watts in column %d, got '%.30s'", idx + 1,
                          idx >= 0 && idx < s->fl.n ? s->fl.f[idx] : "");
    }
    if (!ml_set(s->o->start))
        return ml_bad(s->in, NULL, s->e,
                      "powerstat prints the time of day without a date or time zone: pass "
                      "--start (UTC time the first sample began)");
    if (!ml_set(s->nom) && ml_set(s->o->interval) && s->o->interval > 0)
        s->nom = s->o->interval; /* the log did not say */
    if (s->rows == 0 && !s->pending)
        s->c0 = clock;
    clock += s->day;
    if (clock < s->last_clock - 43200) { /* past midnight */
        s->day += 86400;
        clock += 86400;
    }
    s->last_clock = clock;
    if (!ml_set(s->nom) && !s->pending) {
        s->pending = 1;
        s->pend.clock = clock;
        s->pend.line = ct_input_lineno(s->in);
        memcpy(s->pend.w, w, sizeof w);
        return 0;
    }
    if (!ml_set(s->nom)) {
        double step = clock - s->pend.clock;
        if (!(step > 0 && step <= ct_gap_limit(s->o, NAN))) /* a gap is no step */
            return ml_bad(s->in, NULL, s->e,
                          "cannot tell powerstat's interval (no \"samples at N second "
                          "intervals\" line): pass --interval SECONDS");
        s->nom = step;
    }
    if (s->pending) {
        s->pending = 0;
        if (place(s, s->pend.clock, s->pend.w, s->pend.line) < 0)
            return -1;
    }
    return place(s, clock, w, ct_input_lineno(s->in));
}

/* "Running for 60.0 seconds (30 samples at 2.0 second intervals)." */
static void preamble(struct ps *s, const char *ln)
{
    const char *p = strstr(ln, " samples at ");
    double v;
    char unit[16];
    if (p && sscanf(p + 12, "%lf %15s", &v, unit) == 2 && strcmp(unit, "second") == 0 &&
        isfinite(v) && v > 0 && v < 1e6)
        s->nom = v;
}

static int line(struct ps *s, const char *ln, size_t len)
{
    ml_split(&s->fl, ln, len, 0);
    if (s->fl.n == 0)
        return 0;
    double clock;
    if (strcmp(s->fl.f[0], "Time") == 0 && s->fl.n > 1) {
        read_header(s);
        return s->watts < 0 ? ml_bad(s->in, NULL, s->e, "expected a Watts column in the "
                                                        "powerstat header")
                            : 0;
    }
    if (!s->have_header) {
        if (ml_prefix(s->fl.f[0], "Running", NULL))
            preamble(s, ln);
        return 0;
    }
    if (clock_of(s->fl.f[0], &clock) < 0)
        return 0; /* the summary after the samples, and anything else between */
    return data_row(s, clock);
}

static int ps_parse(struct ct_input *in, const struct ct_parse_opts *o,
                    struct ct_reading_sink *sink, ct_err *e)
{
    struct ps s = {.in = in, .o = o, .sink = sink, .e = e, .nom = NAN, .t1 = NAN};
    const char *ln;
    size_t len;
    int rc;
    while ((rc = ct_input_line(in, &ln, &len, e)) > 0)
        if ((rc = line(&s, ln, len)) < 0)
            break;
    if (rc == 0 && !s.have_header)
        rc = ct_errf(e, "%s: expected a powerstat header (Time ... Watts), found none in %ld "
                     "lines",
                     ct_input_name(in), ct_input_lineno(in));
    else if (rc == 0 && s.pending)
        rc = ct_errf(e, "%s:%ld: powerstat log has one sample and no \"samples at N second "
                     "intervals\" line: pass --interval SECONDS",
                     ct_input_name(in), s.pend.line);
    ml_fields_free(&s.fl);
    return rc < 0 ? -1 : 0;
}

static int ps_sniff(const char *head, size_t n)
{
    int running = ml_has(head, n, "Running for ") && ml_has(head, n, " second intervals)");
    int header = ml_has(head, n, "  Time ") && ml_has(head, n, " Watts");
    return running && header ? 95 : running ? 80 : header ? 60 : 0;
}

const struct ct_format_ops ct_fmt_powerstat = {
    .version = CT_FORMAT_OPS_VERSION,
    .name = "powerstat",
    .summary = "powerstat table (Watts, or RAPL domains with -R)",
    .sniff = ps_sniff,
    .parse = ps_parse,
};
