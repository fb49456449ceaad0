#ifndef CT_MEASURED_INT_H
#define CT_MEASURED_INT_H
/* Helpers shared by the measured-power log parsers (turbostat, powermetrics,
 * powerstat, perf stat): field splitting over a private copy of the line, the
 * "FILE:LINE: ..." error (or a counted skip under --skip-bad), and one checked
 * way to hand a reading to the sink. Private to src/formats. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/bounds.h"
#include "formats/format.h"

/* More than this from one device is a misread column, not a measurement. */
#define ML_MAX_WATTS 1e6

/* A line copied into buf and cut into fields in place. */
struct ml_fields {
    char *buf;
    size_t cap;
    char **f;
    int n, capf;
};

static inline void ml_fields_free(struct ml_fields *s)
{
    free(s->buf);
    free(s->f);
    memset(s, 0, sizeof *s);
}

static inline void *ml_grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(p, n * size);
    if (!q)
        abort(); /* as ct_buf: nothing useful can be done without memory */
    *cap = n;
    return q;
}

static inline int ml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static inline char *ml_trim(char *s)
{
    while (ml_space(*s))
        s++;
    size_t n = strlen(s);
    while (n && ml_space(s[n - 1]))
        s[--n] = '\0';
    return s;
}

static inline void ml_push(struct ml_fields *s, char *f)
{
    size_t cap = (size_t)s->capf;
    s->f = ml_grow(s->f, &cap, (size_t)s->n + 1, sizeof *s->f);
    s->capf = (int)cap;
    s->f[s->n++] = f;
}

/* Splits on sep (each occurrence, fields trimmed), or on runs of white space when
 * sep is 0. A NUL byte inside the line ends it: no text format here has one.
 * memchr finds the separators: the turbostat bench spends much of its time here. */
static inline int ml_split(struct ml_fields *s, const char *line, size_t len, char sep)
{
    s->buf = ml_grow(s->buf, &s->cap, len + 1, 1);
    memcpy(s->buf, line, len);
    s->buf[len] = '\0';
    s->n = 0;
    char *p = s->buf, *lim = s->buf + strnlen(s->buf, len);
    while (sep) {
        char *q = memchr(p, sep, (size_t)(lim - p)), *end = q ? q : lim;
        while (p < end && ml_space(*p))
            p++;
        while (end > p && ml_space(end[-1]))
            end--;
        *end = '\0';
        ml_push(s, p);
        if (!q)
            return s->n;
        p = q + 1;
    }
    for (;;) {
        while (ml_space(*p))
            p++;
        if (!*p)
            return s->n;
        ml_push(s, p);
        while (*p && !ml_space(*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
}

/* A whole field as a finite number ("12.5"; no hex, inf or nan). A plain decimal
 * whose digits make an integer m < 2^53 is m / 10^k, which is exactly what strtod
 * returns (both are exact doubles and the division rounds once); the rest goes
 * to strtod. */
static inline int ml_num(const char *s, double *v)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s + (*s == '-' || *s == '+');
    unsigned long long m = 0;
    int digits = 0, frac = -1;
    for (; digits <= 18; p++) {
        if (*p >= '0' && *p <= '9') {
            m = m * 10 + (unsigned)(*p - '0');
            digits++;
            frac += frac >= 0;
        } else if (*p == '.' && frac < 0) {
            frac = 0;
        } else {
            break;
        }
    }
    if (!*p && digits > 0 && digits <= 18 && m < (1ull << 53)) {
        double d = frac > 0 ? (double)m / p10[frac] : (double)m;
        *v = *s == '-' ? -d : d;
        return 0;
    }
    p = s + (*s == '-' || *s == '+');
    if (!((*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9')))
        return -1;
    for (const char *q = p; *q; q++)
        if (!strchr("0123456789.eE+-", *q))
            return -1;
    char *end;
    double d = strtod(s, &end);
    if (*end || !isfinite(d))
        return -1;
    *v = d;
    return 0;
}

/* A malformed line: an error naming FILE:LINE, or, under skip_bad or on an
 * unterminated last line (a log cut off mid-write), a counted skip. Returns -1 to
 * stop, 0 to go on without the line. */
__attribute__((format(printf, 4, 5))) static inline int ml_bad(struct ct_input *in,
                                                                const struct ct_parse_opts *o,
                                                                ct_err *e, const char *fmt, ...)
{
    if (o && (o->skip_bad || ct_input_unterminated(in))) {
        if (o->skipped)
            (*o->skipped)++;
        return 0;
    }
    if (e) {
        int n = snprintf(e->msg, sizeof e->msg, "%s:%ld: ", ct_input_name(in), ct_input_lineno(in));
        if (n < 0 || (size_t)n >= sizeof e->msg)
            n = 0;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg + n, sizeof e->msg - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Hands one reading to the sink after checking what every parser promises (a
 * non-empty interval, a finite, non-negative energy) and the plausibility
 * bounds (formats/bounds.h): outside them the reading is an error naming its
 * line, or under --skip-bad dropped, its line counted once. */
static inline int ml_emit(struct ct_reading_sink *sink, struct ct_input *in,
                          const struct ct_parse_opts *o, const struct ct_reading *r, ct_err *e)
{
    int rc = ct_bounds_check(o, in, r, e);
    return rc <= 0 ? rc : sink->emit(sink->ud, r, e);
}

static inline int ml_set(double v)
{
    return isfinite(v);
}

/* True when s starts with prefix; *rest is what follows. */
static inline int ml_prefix(const char *s, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0)
        return 0;
    if (rest)
        *rest = s + n;
    return 1;
}

/* memmem over the sniffing head, which need not be NUL-terminated. */
static inline int ml_has(const char *head, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    if (m == 0 || m > n)
        return m == 0;
    for (size_t i = 0; i + m <= n; i++)
        if (head[i] == needle[0] && memcmp(head + i, needle, m) == 0)
            return 1;
    return 0;
}

#endif
