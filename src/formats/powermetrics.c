/* powermetrics (macOS): text output (Apple Silicon and Intel Macs) and the plist
 * output (-f plist: one XML plist per sample, each followed by a NUL byte).
 *
 * Counting. The package is counted once; what it contains is detail: CPU, GPU
 * and ANE inside "Combined Power (CPU + GPU + ANE)", all four including DRAM
 * inside Apple Silicon's older "Package Power" (its memory is in the package),
 * and on Intel Macs the package power covers CPUs + GT + SA (DRAM, if listed, is
 * counted beside it). A sample with no package figure counts its parts.
 *
 * Time. Each sample says how long it measured ("(104.51ms elapsed)",
 * elapsed_ns) and when it ended, to the second. Samples are chained back to back
 * on the elapsed times, which are exact, and re-anchored on the date only when it
 * is more than PM_SLACK seconds past the chain (a gap: powermetrics was stopped
 * and started again). The first sample ends at its date, or, without one, starts
 * at --start. Energy is watts x elapsed, or, in the plist, the *_energy and
 * package_joules fields as measured when a sample has them.
 *
 * Streaming: the format is told from the first line that is not blank, and the
 * input is read once, line by line, with no peeking ahead, so the live macOS
 * sensor runs this on powermetrics' stdout and gets each sample as the next one
 * begins. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "formats/measured_int.h"
#include "formats/powermetrics_int.h"

#define PM_SLACK 2.0 /* dates are whole seconds; beyond this past the chain is a gap */

void pm_sample_reset(struct pm_sample *s, long line)
{
    for (int i = 0; i < PM_N; i++)
        s->j[i] = s->w[i] = NAN;
    s->whole = PM_NONE;
    s->elapsed = s->date = NAN;
    s->line = line;
    s->started = 1;
}

void pm_set(double *slot, double v)
{
    if (!ml_set(*slot))
        *slot = v;
}

static int has(const struct pm_sample *s, int i)
{
    return ml_set(s->j[i]) || ml_set(s->w[i]);
}

static int sample_bad(struct pm_state *st, const struct pm_sample *s, const char *what)
{
    if (st->o->skip_bad) {
        if (st->o->skipped)
            (*st->o->skipped)++;
        return 0;
    }
    return ct_errf(st->e, "%s:%ld: %s", ct_input_name(st->in), s->line, what);
}

/* [t0, t1) of the sample. 1, 0 to skip it (skip_bad), -1 on error. */
static int sample_times(struct pm_state *st, struct pm_sample *s, double *t0, double *t1)
{
    double el = s->elapsed;
    if (!ml_set(el) && ml_set(st->o->interval))
        el = s->elapsed = st->o->interval;
    if (!(el > 0 && el < 1e7))
        return sample_bad(st, s, "powermetrics sample has no elapsed time (\"(N ms elapsed)\" "
                                 "or elapsed_ns); pass --interval SECONDS");
    const char *why = ml_set(s->date) ? ct_bounds_measured_time(st->o, s->date) : NULL;
    if (why) /* before it anchors the chain: one bad date must not stop the rest */
        return sample_bad(st, s, why);
    if (!ml_set(st->t1)) {
        if (ml_set(s->date))
            *t1 = s->date;
        else if (ml_set(st->o->start))
            *t1 = st->o->start + el;
        else
            return sample_bad(st, s, "powermetrics sample has no date with a time zone; pass "
                                     "--start (UTC time the first sample began)");
    } else if (ml_set(s->date) && s->date + PM_SLACK < st->t1) {
        return sample_bad(st, s, "powermetrics sample is dated before the one above it; split "
                                 "the log where the runs were joined");
    } else {
        *t1 = st->t1 + el;
        if (ml_set(s->date) && s->date > *t1 + PM_SLACK) {
            ct_gap_note(st->o, s->date - *t1);
            *t1 = s->date; /* a gap, not bridged */
        }
    }
    *t0 = *t1 - el;
    st->t1 = *t1;
    return 1;
}

static const char *const dev[PM_N] = {"package-0", "cpu", "gpu:0", "ane", "dram-0"};
static const char *const comp[PM_N] = {"cpu", "cpu", "gpu", "ane", "dram"};

/* Part i is inside the package figure of this sample. */
static int inside(const struct pm_sample *s, int i)
{
    if (s->whole == PM_NONE || i == PM_WHOLE)
        return 0;
    return i != PM_DRAM || s->whole == PM_APPLE_PACKAGE;
}

int pm_emit(struct pm_state *st, struct pm_sample *s)
{
    int any = 0;
    for (int i = 0; i < PM_N; i++)
        any |= has(s, i);
    s->started = 0;
    if (!any)
        return 0;
    if (!has(s, PM_WHOLE))
        s->whole = PM_NONE;
    double t0 = NAN, t1 = NAN;
    int rc = sample_times(st, s, &t0, &t1);
    if (rc <= 0)
        return rc;
    st->had_whole |= s->whole != PM_NONE;
    double el = s->elapsed; /* the length, exact (t1 - t0 rounds at epoch magnitudes) */
    for (int i = 0; i < PM_N; i++) {
        if (!has(s, i))
            continue;
        struct ct_reading r = {.device = dev[i], .component = comp[i], .detail = inside(s, i),
                               .t0 = t0, .t1 = t1, .util = NAN, .line = s->line,
                               .model = st->model[0] ? st->model : NULL};
        r.joules = ml_set(s->j[i]) ? s->j[i] : s->w[i] * el;
        if (ml_emit(st->sink, st->in, st->o, &r, st->e) < 0)
            return -1;
    }
    return 0;
}

void pm_drop(struct pm_state *st)
{
    if (st->o->skipped)
        (*st->o->skipped)++;
}

static int pm_parse(struct ct_input *in, const struct ct_parse_opts *o,
                    struct ct_reading_sink *sink, ct_err *e)
{
    struct pm_state st = {.in = in, .o = o, .sink = sink, .e = e, .t1 = NAN};
    /* Told from the first line that has something, then pushed back: a peek would
     * wait for a whole sniffing buffer, which a live powermetrics fills slowly. */
    const char *ln;
    size_t len, i = 0;
    int rc;
    while ((rc = ct_input_line(in, &ln, &len, e)) > 0) {
        for (i = 0; i < len && (ml_space(ln[i]) || ln[i] == '\0');)
            i++;
        if (i < len)
            break;
    }
    if (rc < 0)
        return -1;
    int plist = rc > 0 && len - i >= 5 &&
                (memcmp(ln + i, "<?xml", 5) == 0 || memcmp(ln + i, "<plis", 5) == 0);
    if (rc > 0)
        ct_input_unread(in);
    return plist ? pm_parse_plist(&st) : pm_parse_text(&st);
}

static int pm_sniff(const char *head, size_t n)
{
    if (ml_has(head, n, "*** Sampled system activity"))
        return 95;
    if (ml_has(head, n, "<plist") &&
        (ml_has(head, n, "<key>elapsed_ns</key>") || ml_has(head, n, "<key>is_delta</key>")))
        return 95;
    if (ml_has(head, n, "Intel energy model derived package power") ||
        ml_has(head, n, "Combined Power (CPU + GPU + ANE)"))
        return 80;
    if (ml_has(head, n, "Machine model:") && ml_has(head, n, "OS version:"))
        return 50;
    return 0;
}

const struct ct_format_ops ct_fmt_powermetrics = {
    .version = CT_FORMAT_OPS_VERSION,
    .name = "powermetrics",
    .summary = "macOS powermetrics, text or -f plist (package, CPU, GPU, ANE, DRAM power)",
    .sniff = pm_sniff,
    .parse = pm_parse,
};
