/* RFC 4180 record reading and header lookup for the provider formats. */
#include "formats/csvsplit.h"

#include <stdlib.h>
#include <string.h>

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(p, n * size);
    if (!q)
        abort(); /* as ct_buf: nothing useful can be done without memory */
    *cap = n;
    return q;
}

void csv_rec_free(struct csv_rec *r)
{
    free(r->buf);
    free(r->f);
    free(r->raw);
    memset(r, 0, sizeof *r);
}

static void push(struct csv_rec *r, char *f)
{
    size_t cap = (size_t)r->capf;
    r->f = grow(r->f, &cap, (size_t)r->n + 1, sizeof *r->f);
    r->capf = (int)cap;
    r->f[r->n++] = f;
}

/* Splits raw[0..len) into r->buf. Returns the field count, or -1 when a quote
 * is still open at the end (the caller may join the next line). */
static int split(struct csv_rec *r, const char *s, size_t len)
{
    r->buf = grow(r->buf, &r->cap, len + 1, 1);
    r->n = 0;
    char *o = r->buf;
    push(r, o);
    int quoted = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (quoted) {
            if (c == '"' && i + 1 < len && s[i + 1] == '"')
                *o++ = '"', i++;
            else if (c == '"')
                quoted = 0;
            else
                *o++ = c;
        } else if (c == '"') {
            quoted = 1;
        } else if (c == ',') {
            *o++ = '\0';
            push(r, o);
        } else if (c != '\r' || i + 1 < len) {
            *o++ = c;
        }
    }
    *o = '\0';
    return quoted ? -1 : r->n;
}

int csv_split_line(struct csv_rec *r, const char *line, size_t len)
{
    const char *nul = memchr(line, '\0', len);
    if (nul)
        len = (size_t)(nul - line);
    return split(r, line, len);
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != ',')
            return 0;
    return 1;
}

static void raw_put(struct csv_rec *r, size_t at, const char *s, size_t n)
{
    r->raw = grow(r->raw, &r->rawcap, at + n + 2, 1);
    memcpy(r->raw + at, s, n);
    r->raw[at + n] = '\0';
}

int csv_read(struct ct_input *in, struct csv_rec *r, ct_err *e)
{
    const char *line;
    size_t len;
    int rc;
    do {
        if ((rc = ct_input_line(in, &line, &len, e)) <= 0)
            return rc;
    } while (blank(line, len));
    r->line = ct_input_lineno(in);
    if (r->line == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
        line += 3, len -= 3;
    size_t rawlen = 0;
    const char *nul = memchr(line, '\0', len);
    raw_put(r, 0, line, nul ? (size_t)(nul - line) : len);
    rawlen = strlen(r->raw);
    /* A quoted field may hold a line break: join lines until quotes close. */
    while (split(r, r->raw, rawlen) < 0) {
        if ((rc = ct_input_line(in, &line, &len, e)) < 0)
            return -1;
        if (rc == 0)
            return ct_errf(e, "%s:%ld: a quoted field is not closed before the end of the file",
                           ct_input_name(in), r->line);
        nul = memchr(line, '\0', len);
        r->raw[rawlen++] = '\n';
        raw_put(r, rawlen, line, nul ? (size_t)(nul - line) : len);
        rawlen = strlen(r->raw);
    }
    return 1;
}

void csv_norm(const char *name, char *out, size_t n)
{
    size_t k = 0;
    int sep = 0;
    if (strncmp(name, "\xEF\xBB\xBF", 3) == 0)
        name += 3;
    for (const char *p = name; *p && k + 1 < n; p++) {
        char c = *p;
        if (c == '.' || c == ' ' || c == '-' || c == '_' || c == '\t' || c == '"') {
            sep = k > 0;
            continue;
        }
        if (sep && k + 2 < n)
            out[k++] = '_';
        sep = 0;
        out[k++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    out[k] = '\0';
}

int csv_col(const struct csv_rec *hdr, const char *const *aliases)
{
    char norm[256];
    for (int i = 0; i < hdr->n; i++) {
        csv_norm(hdr->f[i], norm, sizeof norm);
        for (const char *const *a = aliases; *a; a++)
            if (strcmp(norm, *a) == 0)
                return i;
    }
    return -1;
}

const char *csv_get(const struct csv_rec *r, int i)
{
    return i >= 0 && i < r->n ? r->f[i] : "";
}
