/* perf stat with RAPL events (-e power/energy-pkg/,power/energy-ram/, ...):
 *
 *              43.26 Joules power/energy-pkg/
 *        1.001041336 seconds time elapsed
 *
 * also with -I (a leading timestamp, seconds since the start, ending each
 * interval), --per-socket ("S0  1  21.63 Joules ...") and -x, (CSV). The energy
 * is as perf counted it, in joules.
 *
 * What counts: energy-pkg (package-N per socket, "cpu" for the system-wide sum)
 * and energy-ram (dram); energy-cores and energy-gpu are inside the package
 * (detail); energy-psys, where counted, contains the rest and is counted with
 * everything else as detail (the same rule as turbostat's SysWatt).
 *
 * Time: perf prints no date, so --start (UTC) is required. Without -I the run is
 * [start, start + elapsed), elapsed from "seconds time elapsed" or --interval.
 * "<not supported>" (RAPL events are system-wide only: perf stat -a) is an error
 * that says so. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "formats/measured_int.h"

enum { PF_PKG, PF_RAM, PF_COR, PF_GPU, PF_SYS, PF_N };
static const char *const events[PF_N] = {"energy-pkg", "energy-ram", "energy-cores",
                                         "energy-gpu", "energy-psys"};

struct pf_count {
    int dom;
    long sock; /* -1: all sockets */
    double joules;
    long line;
};

struct pf {
    struct ct_input *in;
    const struct ct_parse_opts *o;
    struct ct_reading_sink *sink;
    ct_err *e;
    struct ml_fields fl;
    struct pf_count *c;
    size_t n, cap;
    int interval_mode;
    double ts, prev_ts, elapsed; /* -I: this group's timestamp and the one before */
    long counts;
};

/* The RAPL event a token names ("power/energy-pkg/", "energy-pkg"); -1 if none. */
static int event_of(const char *tok)
{
    const char *p = strstr(tok, "energy-");
    if (!p)
        return -1;
    for (int i = 0; i < PF_N; i++) {
        size_t n = strlen(events[i]);
        if (strncmp(p, events[i], n) == 0 && (p[n] == '/' || p[n] == '\0' || p[n] == ':'))
            return i;
    }
    return -1;
}

static int emit_group(struct pf *s, double t0, double t1)
{
    static const char *const comp[PF_N] = {"cpu", "dram", "cpu", "gpu", "system"};
    static const char *const all[PF_N] = {"cpu", "dram", "cores", "gfx", "psys"};
    static const char *const per[PF_N] = {"package-%ld", "dram-%ld", "cores-%ld", "gfx-%ld", "psys"};
    int psys = 0;
    for (size_t i = 0; i < s->n; i++)
        psys |= s->c[i].dom == PF_SYS;
    for (size_t i = 0; i < s->n; i++) {
        const struct pf_count *c = &s->c[i];
        char dev[32];
        if (c->sock < 0)
            snprintf(dev, sizeof dev, "%s", all[c->dom]);
        else
            snprintf(dev, sizeof dev, per[c->dom], c->sock);
        struct ct_reading r = {.device = dev, .component = comp[c->dom], .t0 = t0, .t1 = t1,
                               .joules = c->joules, .util = NAN, .line = c->line,
                               .detail = c->dom == PF_COR || c->dom == PF_GPU ||
                                         (psys && c->dom != PF_SYS)};
        if (ml_emit(s->sink, s->in, s->o, &r, s->e) < 0)
            return -1;
    }
    s->n = 0;
    return 0;
}

static int need_start(struct pf *s)
{
    if (ml_set(s->o->start))
        return 0;
    return ct_errf(s->e, "%s:%ld: perf stat prints no date: pass --start (UTC time perf "
                   "started)",
                   ct_input_name(s->in), s->n ? s->c[0].line : ct_input_lineno(s->in));
}

/* -I: a new timestamp closes the group before it. */
static int interval_ts(struct pf *s, double ts)
{
    if (s->n && ts == s->ts)
        return 0;
    if (s->n && !(ts > s->ts))
        return ml_bad(s->in, NULL, s->e, "perf -I timestamp goes back from %.9f to %.9f", s->ts, ts);
    if (s->n) {
        if (need_start(s) < 0 || emit_group(s, s->o->start + s->prev_ts, s->o->start + s->ts) < 0)
            return -1;
        s->prev_ts = s->ts;
    }
    s->ts = ts;
    return 0;
}

/* "S0", "S1-D0" (--per-socket, --per-die): the socket number; -1 if not one. */
static long socket_of(const char *tok)
{
    if (tok[0] != 'S' || tok[1] < '0' || tok[1] > '9')
        return -1;
    char *end;
    long v = strtol(tok + 1, &end, 10);
    return (*end == '\0' || *end == '-') && v < 1024 ? v : -1;
}

/* A count line: "[timestamp] [S<n> cpus] value Joules event ...". */
static int count_line(struct pf *s, int ev, int dom)
{
    char **f = s->fl.f;
    int val = ev - 2;
    if (val < 0 || (strcmp(f[ev - 1], "Joules") != 0 && strcmp(f[ev - 1], "J") != 0))
        return ml_bad(s->in, s->o, s->e, "expected 'VALUE Joules' before %s", f[ev]);
    char *v = f[val];
    for (char *p = v; *p; p++) /* perf --big-num groups digits */
        if (*p == ',')
            memmove(p, p + 1, strlen(p));
    double j, ts;
    if (ml_num(v, &j) < 0 || j < 0)
        return ml_bad(s->in, s->o, s->e, "expected joules for %s, got '%.30s'", f[ev], f[val]);
    if (val > 3)
        return ml_bad(s->in, s->o, s->e, "expected at most a timestamp and a socket before the "
                      "count, got %d fields", val);
    if (val == 1 || val == 3) { /* -I */
        if (ml_num(f[0], &ts) < 0 || !(ts >= 0 && ts < 1e9))
            return ml_bad(s->in, s->o, s->e, "expected a perf -I timestamp, got '%.30s'", f[0]);
        s->interval_mode = 1;
        if (interval_ts(s, ts) < 0)
            return -1;
    }
    long sock = -1;
    if (val >= 2 && (sock = socket_of(f[val - 2])) < 0)
        return ml_bad(s->in, s->o, s->e, "expected a socket (S0, S1, ...) before the count, got "
                      "'%.30s'", f[val - 2]);
    s->c = ml_grow(s->c, &s->cap, s->n + 1, sizeof *s->c);
    s->c[s->n++] = (struct pf_count){dom, sock, j, ct_input_lineno(s->in)};
    s->counts++;
    return 0;
}

static int line(struct pf *s, const char *ln, size_t len)
{
    int csv = memchr(ln, ',', len) && strstr(ln, ",power/") != NULL;
    ml_split(&s->fl, ln, len, csv ? ',' : 0);
    if (s->fl.n == 0 || s->fl.f[0][0] == '#')
        return 0;
    for (int i = 0; i < s->fl.n; i++) {
        int dom = event_of(s->fl.f[i]);
        if (dom < 0)
            continue;
        if (strstr(ln, "<not supported>") || strstr(ln, "<not counted>"))
            return ml_bad(s->in, NULL, s->e,
                          "perf could not count %s (%s): RAPL energy events are system-wide "
                          "only; rerun as root with perf stat -a",
                          s->fl.f[i], strstr(ln, "<not supported>") ? "<not supported>"
                                                                    : "<not counted>");
        return count_line(s, i, dom);
    }
    if (s->counts && !s->interval_mode && strstr(ln, "Performance counter stats for"))
        return ml_bad(s->in, NULL, s->e, "a second perf stat run in one file: split it, one "
                                         "run (and one --start) per file");
    double v;
    if (s->fl.n >= 4 && strcmp(s->fl.f[1], "seconds") == 0 && strcmp(s->fl.f[2], "time") == 0 &&
        strcmp(s->fl.f[3], "elapsed") == 0 && ml_num(s->fl.f[0], &v) == 0 && v > 0) {
        if (v > CT_BOUND_MEASURED_SPAN_S) /* formats/bounds.h: a run is not longer */
            return ml_bad(s->in, s->o, s->e, "perf stat's elapsed time %g s is longer than the "
                          "%.0f days one run may span", v, CT_BOUND_MEASURED_SPAN_S / 86400);
        s->elapsed = v;
    }
    return 0;
}

static int finish(struct pf *s)
{
    if (s->counts == 0)
        return ct_errf(s->e, "%s: no RAPL energy counts (power/energy-pkg/, ...); record with "
                       "perf stat -a -e power/energy-pkg/,power/energy-ram/",
                       ct_input_name(s->in));
    if (need_start(s) < 0)
        return -1;
    if (s->interval_mode)
        return emit_group(s, s->o->start + s->prev_ts, s->o->start + s->ts);
    double el = ml_set(s->elapsed) ? s->elapsed : s->o->interval;
    if (!(el > 0))
        return ct_errf(s->e, "%s:%ld: perf stat output has no \"seconds time elapsed\" line: "
                       "pass --interval SECONDS (how long perf counted)",
                       ct_input_name(s->in), s->c[0].line);
    return emit_group(s, s->o->start, s->o->start + el);
}

static int pf_parse(struct ct_input *in, const struct ct_parse_opts *o,
                    struct ct_reading_sink *sink, ct_err *e)
{
    struct pf s = {.in = in, .o = o, .sink = sink, .e = e, .elapsed = NAN};
    const char *ln;
    size_t len;
    int rc;
    while ((rc = ct_input_line(in, &ln, &len, e)) > 0)
        if ((rc = line(&s, ln, len)) < 0)
            break;
    if (rc == 0)
        rc = finish(&s);
    ml_fields_free(&s.fl);
    free(s.c);
    return rc < 0 ? -1 : 0;
}

static int pf_sniff(const char *head, size_t n)
{
    int energy = ml_has(head, n, "power/energy-");
    if (ml_has(head, n, "Performance counter stats for"))
        return energy ? 95 : 60;
    if (ml_has(head, n, "Joules power/energy-") || ml_has(head, n, "Joules,power/energy-"))
        return 90;
    return 0;
}

const struct ct_format_ops ct_fmt_perf_stat = {
    .version = CT_FORMAT_OPS_VERSION,
    .name = "perf-stat",
    .summary = "perf stat -a -e power/energy-pkg/ (RAPL joules; also -I, --per-socket, -x,)",
    .sniff = pf_sniff,
    .parse = pf_parse,
};
