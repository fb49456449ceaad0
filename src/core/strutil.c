#include "core/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

char *ct_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int ct_parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int ct_parse_long(const char *s, long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (end == s || *end || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

char *ct_strdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        abort();
    return p;
}

static int is_sep(int c)
{
    return c == ' ' || c == '-' || c == '_' || c == '\t';
}

int ct_name_eq(const char *a, const char *b)
{
    for (;;) {
        while (is_sep(*a) && (is_sep(a[1]) || !a[1]))
            a++;
        while (is_sep(*b) && (is_sep(b[1]) || !b[1]))
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (is_sep(*a) && is_sep(*b)) {
            a++;
            b++;
            continue;
        }
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
        a++;
        b++;
    }
}

int ct_edit_distance(const char *a, const char *b, int cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 128 || lb > 128)
        return cap;
    int row[129];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0], best = row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int v = prev + cost;
            if (row[j] + 1 < v)
                v = row[j] + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            prev = row[j];
            row[j] = v;
            if (v < best)
                best = v;
        }
        if (best >= cap)
            return cap;
    }
    return row[lb] < cap ? row[lb] : cap;
}

void ct_strlcpy(char *dst, const char *src, size_t n)
{
    if (!n)
        return;
    size_t m = strnlen(src, n - 1);
    memcpy(dst, src, m);
    dst[m] = '\0';
}

void ct_strlcat(char *dst, const char *src, size_t n)
{
    size_t len = strnlen(dst, n);
    if (len < n)
        ct_strlcpy(dst + len, src, n - len);
}

unsigned long long ct_hash_str(unsigned long long h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h ^ (h >> 29);
}
