/* powermetrics' text output: a "*** Sampled system activity (DATE) (N ms elapsed)
 * ***" header per sample, then sections of "Name: value unit" lines. Only the
 * power lines matter here; everything else is read past. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "formats/measured_int.h"
#include "formats/powermetrics_int.h"

#define HEADER "*** Sampled system activity"

static const struct {
    const char *key;
    int part, whole;
} power_keys[] = {
    {"CPU Power", PM_CPU, PM_NONE},
    {"GPU Power", PM_GPU, PM_NONE},
    {"ANE Power", PM_ANE, PM_NONE},
    {"DRAM Power", PM_DRAM, PM_NONE},
    {"Package Power", PM_WHOLE, PM_APPLE_PACKAGE},
    {"Combined Power (CPU + GPU + ANE)", PM_WHOLE, PM_COMBINED},
    {"Intel energy model derived package power (CPUs+GT+SA)", PM_WHOLE, PM_INTEL},
};

static int month_of(const char *m)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (strncmp(names + 3 * i, m, 3) == 0 && strlen(m) == 3)
            return i + 1;
    return 0;
}

/* "Fri Nov 10 12:37:08 2023 +0100" as UTC seconds. A date without its offset
 * is local time of an unknown zone, so it is not used. */
static int parse_date(const char *s, size_t n, double *out)
{
    char buf[80], wd[8], mon[8], tz[8];
    int d, hh, mi, ss, y;
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (sscanf(buf, "%7s %7s %d %d:%d:%d %d %7s", wd, mon, &d, &hh, &mi, &ss, &y, tz) != 8)
        return -1;
    int m = month_of(mon);
    int sign = tz[0] == '-' ? -1 : 1;
    if (!m || d < 1 || d > 31 || hh > 23 || mi > 59 || ss > 60 || y < 1970 || y > 9999 ||
        (tz[0] != '+' && tz[0] != '-') || strlen(tz) != 5 || hh < 0 || mi < 0 || ss < 0)
        return -1;
    for (int i = 1; i < 5; i++)
        if (tz[i] < '0' || tz[i] > '9')
            return -1;
    int off = ((tz[1] - '0') * 10 + (tz[2] - '0')) * 3600 + ((tz[3] - '0') * 10 + (tz[4] - '0')) * 60;
    *out = (double)(ct_days_from_civil(y, m, d) * CT_DAY + hh * 3600 + mi * 60 + ss) - sign * off;
    return 0;
}

/* "(Fri Nov 10 12:37:08 2023 +0100) (104.51ms elapsed) ***" */
static void parse_header(const char *p, struct pm_sample *s)
{
    const char *open = strchr(p, '('), *close = open ? strchr(open, ')') : NULL;
    double v;
    if (close && parse_date(open + 1, (size_t)(close - open - 1), &v) == 0)
        s->date = v;
    const char *el = strstr(p, "elapsed)");
    if (!el)
        return;
    const char *q = el;
    while (q > p && q[-1] != '(')
        q--;
    char *end;
    v = strtod(q, &end);
    while (*end == ' ')
        end++;
    if (end > q && isfinite(v) && v > 0) {
        if (strncmp(end, "ms", 2) == 0)
            s->elapsed = v / 1000;
        else if (*end == 's')
            s->elapsed = v;
    }
}

/* " 947 mW" or " 1.63W" as watts; -1 when it is neither. */
static int parse_power(const char *p, double *w)
{
    while (*p == ' ' || *p == '\t')
        p++;
    if (!((*p >= '0' && *p <= '9') || *p == '.'))
        return -1;
    char *end;
    double v = strtod(p, &end);
    while (*end == ' ')
        end++;
    double scale = strncmp(end, "mW", 2) == 0 ? 1e-3 : *end == 'W' ? 1 : 0;
    if (!scale)
        return -1;
    end += scale < 1 ? 2 : 1;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end || !isfinite(v) || v < 0 || v * scale > ML_MAX_WATTS)
        return -1;
    *w = v * scale;
    return 0;
}

/* A power line of the sample; 0 also for lines that are not power lines. */
static int power_line(struct pm_state *st, struct pm_sample *s, const char *p)
{
    for (size_t i = 0; i < sizeof power_keys / sizeof *power_keys; i++) {
        const char *rest;
        if (!ml_prefix(p, power_keys[i].key, &rest) || *rest != ':')
            continue;
        double w;
        if (parse_power(rest + 1, &w) < 0)
            return ml_bad(st->in, st->o, st->e, "expected a power in mW or W after '%s:', got '%.40s'",
                          power_keys[i].key, rest + 1);
        if (!s->started)
            return 0; /* before the first sample header */
        if (power_keys[i].whole && !ml_set(s->w[PM_WHOLE]))
            s->whole = power_keys[i].whole;
        pm_set(&s->w[power_keys[i].part], w);
        return 0;
    }
    return 0;
}

static int text_line(struct pm_state *st, struct pm_sample *s, const char *p)
{
    const char *rest;
    while (*p == ' ' || *p == '\t')
        p++;
    if (ml_prefix(p, HEADER, &rest)) {
        if (s->started && pm_emit(st, s) < 0)
            return -1;
        pm_sample_reset(s, ct_input_lineno(st->in));
        parse_header(rest, s);
        st->samples++;
        return 0;
    }
    if (ml_prefix(p, "Machine model: ", &rest) && !st->model[0]) {
        snprintf(st->model, sizeof st->model, "%s", rest);
        char *t = ml_trim(st->model);
        memmove(st->model, t, strlen(t) + 1);
        return 0;
    }
    return power_line(st, s, p);
}

int pm_parse_text(struct pm_state *st)
{
    struct pm_sample s = {0};
    const char *ln;
    size_t len;
    int rc;
    while ((rc = ct_input_line(st->in, &ln, &len, st->e)) > 0)
        if (text_line(st, &s, ln) < 0)
            return -1;
    if (rc < 0)
        return -1;
    if (st->samples == 0)
        return ct_errf(st->e, "%s: expected powermetrics samples (\"" HEADER " ...\"), found "
                       "none in %ld lines",
                       ct_input_name(st->in), ct_input_lineno(st->in));
    if (s.started && st->had_whole && !ml_set(s.w[PM_WHOLE])) {
        pm_drop(st); /* the last sample was cut before its package line */
        return 0;
    }
    return s.started ? pm_emit(st, &s) : 0;
}
