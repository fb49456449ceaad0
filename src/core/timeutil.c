#include "core/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Howard Hinnant's days-from-civil algorithm (public-domain arithmetic). */
int64_t ct_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void ct_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

int64_t ct_floor(int64_t t, int64_t step)
{
    int64_t q = t / step;
    if (t % step != 0 && t < 0)
        q--;
    return q * step;
}

void ct_year_bounds(int year, int64_t *from, int64_t *to)
{
    *from = ct_days_from_civil(year, 1, 1) * CT_DAY;
    *to = ct_days_from_civil(year + 1, 1, 1) * CT_DAY;
}

int ct_year_of(int64_t t)
{
    int y, m, d;
    ct_civil_from_days(ct_floor(t, CT_DAY) / CT_DAY, &y, &m, &d);
    return y;
}

int64_t ct_month_start(int64_t t)
{
    int y, m, d;
    ct_civil_from_days(ct_floor(t, CT_DAY) / CT_DAY, &y, &m, &d);
    return ct_days_from_civil(y, m, 1) * CT_DAY;
}

int64_t ct_next_month(int64_t t)
{
    int y, m, d;
    ct_civil_from_days(ct_floor(t, CT_DAY) / CT_DAY, &y, &m, &d);
    if (++m > 12) {
        m = 1;
        y++;
    }
    return ct_days_from_civil(y, m, 1) * CT_DAY;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int parse_clock(const char *p, int *hh, int *mi, int *ss)
{
    *ss = 0;
    if (digits(p, 2, hh) || p[2] != ':' || digits(p + 3, 2, mi))
        return -1;
    p += 5;
    if (*p == ':') {
        if (digits(p + 1, 2, ss))
            return -1;
        p += 3;
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9'; p++)
                ;
    }
    if (*p == 'Z')
        p++;
    if (*p)
        return -1;
    return (*hh > 23 || *mi > 59 || *ss > 60) ? -1 : 0;
}

int ct_parse_time(const char *s, int64_t *out)
{
    if (!s)
        return -1;
    if (s[0] == '@') {
        char *end;
        long long v = strtoll(s + 1, &end, 10);
        if (end == s + 1 || *end)
            return -1;
        *out = v;
        return 0;
    }
    int y, m, d, hh = 0, mi = 0, ss = 0;
    size_t n = strlen(s);
    if (n < 10 || digits(s, 4, &y) || (s[4] != '-' && s[4] != '/') || s[7] != s[4] ||
        digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    if (n > 10) {
        if ((s[10] != 'T' && s[10] != ' ') || parse_clock(s + 11, &hh, &mi, &ss))
            return -1;
    }
    *out = ct_days_from_civil(y, m, d) * CT_DAY + hh * 3600 + mi * 60 + ss;
    return 0;
}

/* Writes n decimal digits of v (0 <= v < 10^n), zero-padded. */
static void put_digits(char *out, int n, int64_t v)
{
    if (v < 0)
        v = 0;
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

static void put_date(int64_t t, char *out, int with_day)
{
    int y, m, d;
    ct_civil_from_days(ct_floor(t, CT_DAY) / CT_DAY, &y, &m, &d);
    put_digits(out, 4, y);
    out[4] = '-';
    put_digits(out + 5, 2, m);
    if (with_day) {
        out[7] = '-';
        put_digits(out + 8, 2, d);
    }
}

void ct_fmt_date(int64_t t, char out[11])
{
    put_date(t, out, 1);
    out[10] = '\0';
}

void ct_fmt_month(int64_t t, char out[8])
{
    put_date(t, out, 0);
    out[7] = '\0';
}

void ct_fmt_iso(int64_t t, char out[21])
{
    int64_t s = t - ct_floor(t, CT_DAY);
    put_date(t, out, 1);
    out[10] = 'T';
    put_digits(out + 11, 2, s / 3600);
    out[13] = ':';
    put_digits(out + 14, 2, s / 60 % 60);
    out[16] = ':';
    put_digits(out + 17, 2, s % 60);
    out[19] = 'Z';
    out[20] = '\0';
}

int64_t ct_now(void)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (!*end)
            return v;
    }
    return (int64_t)time(NULL);
}
