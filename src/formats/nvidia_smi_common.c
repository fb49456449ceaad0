/* Shared by the nvidia-smi parsers: numbers, times, the bad-line rule and the
 * power integrator (the rules are in nvidia_smi_int.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "formats/nvidia_smi_int.h"

static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* strtod on a NUL-terminated copy: fields are not terminated in place. */
static int num_slow(const char *s, const char *lim, double *out, const char **end)
{
    char tmp[64];
    size_t n = (size_t)(lim - s) < sizeof tmp - 1 ? (size_t)(lim - s) : sizeof tmp - 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *stop;
    double v = strtod(tmp, &stop);
    if (stop == tmp || !isfinite(v))
        return -1;
    *out = v;
    *end = s + (stop - tmp);
    return 0;
}

int nv_num(const char *s, const char *lim, double *out, const char **end)
{
    const char *p = s;
    int neg = p < lim && *p == '-';
    p += neg;
    uint64_t m = 0;
    const char *d0 = p;
    for (; p < lim && (unsigned)(*p - '0') < 10; p++)
        m = m * 10 + (uint64_t)(*p - '0');
    int digits = (int)(p - d0), frac = 0;
    if (p < lim && *p == '.') {
        const char *f0 = ++p;
        for (; p < lim && (unsigned)(*p - '0') < 10; p++)
            m = m * 10 + (uint64_t)(*p - '0');
        frac = (int)(p - f0);
        digits += frac;
    }
    if (digits == 0)
        return -1;
    /* Exact only while the mantissa fits a double's 53 bits; an exponent or a
     * long mantissa takes the slow path. */
    if (digits > 15 || (p < lim && (*p == 'e' || *p == 'E')))
        return num_slow(s, lim, out, end);
    double v = (double)m / pow10_tab[frac];
    *out = neg ? -v : v;
    *end = p;
    return 0;
}

static int two(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

static int all_digits(const char *p, int n)
{
    for (int i = 0; i < n; i++)
        if (!is_digit(p[i]))
            return 0;
    return 1;
}

/* HH:MM:SS[.frac] at p (8+ bytes before lim) as seconds of the day. */
static int clock_of_day(const char *p, const char *lim, double *out)
{
    if (lim - p < 8 || !all_digits(p, 2) || p[2] != ':' || !all_digits(p + 3, 2) ||
        p[5] != ':' || !all_digits(p + 6, 2))
        return -1;
    int h = two(p), mi = two(p + 3), se = two(p + 6);
    if (h > 23 || mi > 59 || se > 60)
        return -1;
    const char *q = p + 8;
    uint32_t f = 0;
    int nf = 0;
    if (q < lim && *q == '.') /* up to 9 digits of fraction: .123 is 123 / 10^3 */
        for (q++; q < lim && is_digit(*q) && nf < 9; q++, nf++)
            f = f * 10 + (uint32_t)(*q - '0');
    if (q != lim)
        return -1;
    *out = h * 3600.0 + mi * 60.0 + se + f / pow10_tab[nf];
    return 0;
}

int nv_time(const char *s, const char *lim, struct nv_datecache *c, double *out)
{
    if (lim - s < 19 || (s[10] != ' ' && s[10] != 'T'))
        return -1;
    if (!c->valid || memcmp(c->date, s, 10) != 0) {
        if (!all_digits(s, 4) || (s[4] != '/' && s[4] != '-') || !all_digits(s + 5, 2) ||
            s[7] != s[4] || !all_digits(s + 8, 2))
            return -1;
        int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + two(s + 2);
        int mo = two(s + 5), d = two(s + 8);
        if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31)
            return -1;
        memcpy(c->date, s, 10);
        c->day_s = (double)ct_days_from_civil(y, mo, d) * CT_DAY;
        c->valid = 1;
    }
    double tod;
    if (clock_of_day(s + 11, lim, &tod) < 0)
        return -1;
    *out = c->day_s + tod;
    return 0;
}

int nv_ctime(const char *s, const char *lim, double *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    /* "Www Mmm dd hh:mm:ss yyyy", the day space-padded ("Oct  1"). */
    if (lim - s < 24 || s[3] != ' ' || s[7] != ' ')
        return -1;
    int mo = 0;
    for (int i = 0; i < 12 && !mo; i++)
        if (memcmp(months + 3 * i, s + 4, 3) == 0)
            mo = i + 1;
    const char *p = s + 8;
    int d = 0;
    for (; p < lim && *p == ' '; p++)
        ;
    for (; p < lim && is_digit(*p) && d < 100; p++)
        d = d * 10 + (*p - '0');
    if (!mo || d < 1 || d > 31 || p >= lim || *p++ != ' ')
        return -1;
    double tod;
    if (lim - p < 13 || clock_of_day(p, p + 8, &tod) < 0 || p[8] != ' ' || !all_digits(p + 9, 4))
        return -1;
    int y = (p[9] - '0') * 1000 + (p[10] - '0') * 100 + two(p + 11);
    const char *rest = p + 13;
    nv_trim(&rest, &lim);
    if (y < 1970 || rest != lim)
        return -1;
    *out = (double)ct_days_from_civil(y, mo, d) * CT_DAY + tod;
    return 0;
}

void nv_trim(const char **b, const char **e)
{
    while (*b < *e && (**b == ' ' || **b == '\t'))
        (*b)++;
    while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
}

int nv_missing(const char *b, const char *e)
{
    size_t n = (size_t)(e - b);
    return (n >= 2 && b[0] == '[' && e[-1] == ']') || (n == 3 && memcmp(b, "N/A", 3) == 0) ||
           (n == 1 && b[0] == '-');
}

int nv_bad(struct ct_input *in, const struct ct_parse_opts *o, ct_err *e, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ct_errf(e, "%s:%ld: %s", ct_input_name(in), ct_input_lineno(in), msg);
    if (!o->skip_bad && !ct_input_unterminated(in))
        return -1;
    if (o->skipped)
        ++*o->skipped;
    return 0;
}

int nv_untimed(struct ct_input *in, const struct ct_parse_opts *o, long k, const char *how,
               double *t, ct_err *e)
{
    if (!isfinite(o->start) || !(o->interval > 0) || !isfinite(o->interval))
        return ct_errf(e, "%s:%ld: the log has no timestamps: pass --start TIME (when it "
                       "began) and --interval S (%s)", ct_input_name(in),
                       ct_input_lineno(in), how);
    *t = o->start + (double)k * o->interval;
    return 0;
}
