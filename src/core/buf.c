#include "core/buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(ct_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        abort();
    b->p = p;
    b->cap = cap;
}

void ct_buf_free(ct_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void ct_buf_put(ct_buf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void ct_buf_puts(ct_buf *b, const char *s)
{
    ct_buf_put(b, s, strlen(s));
}

void ct_buf_printf(ct_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    reserve(b, (size_t)n);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
}

void ct_buf_json_str(ct_buf *b, const char *s)
{
    ct_buf_put(b, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
        switch (*c) {
        case '"': ct_buf_put(b, "\\\"", 2); break;
        case '\\': ct_buf_put(b, "\\\\", 2); break;
        case '\n': ct_buf_put(b, "\\n", 2); break;
        case '\r': ct_buf_put(b, "\\r", 2); break;
        case '\t': ct_buf_put(b, "\\t", 2); break;
        default:
            if (*c < 0x20)
                ct_buf_printf(b, "\\u%04x", *c);
            else
                ct_buf_put(b, (const char *)c, 1);
        }
    }
    ct_buf_put(b, "\"", 1);
}

void ct_buf_json_num(ct_buf *b, double v)
{
    if (!isfinite(v))
        ct_buf_puts(b, "null");
    else if (v == 0)
        ct_buf_puts(b, "0");
    else
        ct_buf_printf(b, "%.15g", v);
}

void ct_buf_csv_str(ct_buf *b, const char *s)
{
    if (!s)
        s = "";
    /* A spreadsheet reads a cell starting with one of these as a formula (or,
     * for tab and CR, strips them and then may): a platform or host name such
     * as "=HYPERLINK(...)" would run in whoever opens the report. OWASP's CSV
     * injection advice: quote the cell and put a single quote in front, which
     * spreadsheets show as text. Numbers never come through here. */
    int formula = *s && strchr("=+-@\t\r", *s) != NULL;
    if (!formula && !strpbrk(s, ",\"\n\r")) {
        ct_buf_puts(b, s);
        return;
    }
    ct_buf_put(b, "\"", 1);
    if (formula)
        ct_buf_put(b, "'", 1);
    for (; *s; s++) {
        if (*s == '"')
            ct_buf_put(b, "\"", 1);
        ct_buf_put(b, s, 1);
    }
    ct_buf_put(b, "\"", 1);
}

void ct_buf_html(ct_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': ct_buf_puts(b, "&lt;"); break;
        case '>': ct_buf_puts(b, "&gt;"); break;
        case '&': ct_buf_puts(b, "&amp;"); break;
        case '"': ct_buf_puts(b, "&quot;"); break;
        case '\'': ct_buf_puts(b, "&#39;"); break;
        default: ct_buf_put(b, s, 1);
        }
    }
}
