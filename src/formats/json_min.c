/* A recursive-descent JSON reader building a tree in an arena. */
#include "formats/json_min.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 64

struct json_arena {
    struct json_arena *next;
    size_t used, cap;
    max_align_t data[];
};

struct parser {
    const char *s, *end;
    long line;
    struct json_doc *d;
    char *err;
    size_t errn;
    int depth;
};

static void *alloc(struct json_doc *d, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct json_arena *a = d->arena;
    if (!a || a->cap - a->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        a = malloc(sizeof *a + cap);
        if (!a)
            abort(); /* as ct_buf: nothing useful can be done without memory */
        a->next = d->arena;
        a->used = 0;
        a->cap = cap;
        d->arena = a;
    }
    void *p = (char *)a->data + a->used;
    a->used += n;
    return p;
}

void json_free(struct json_doc *d)
{
    while (d->arena) {
        struct json_arena *n = d->arena->next;
        free(d->arena);
        d->arena = n;
    }
    d->root = NULL;
}

__attribute__((format(printf, 2, 3))) static int fail(struct parser *p, const char *fmt, ...)
{
    int k = snprintf(p->err, p->errn, "%ld: ", p->line);
    if (k < 0 || (size_t)k >= p->errn)
        k = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + k, p->errn - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

static void skip_ws(struct parser *p)
{
    for (; p->s < p->end; p->s++) {
        if (*p->s == '\n')
            p->line++;
        else if (*p->s != ' ' && *p->s != '\t' && *p->s != '\r')
            return;
    }
}

static int value(struct parser *p, struct json_val *v);

static int hex4(const char *s, unsigned *u)
{
    *u = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        *u = *u * 16 + (unsigned)d;
    }
    return 0;
}

static char *put_utf8(char *o, unsigned u)
{
    if (u < 0x80) {
        *o++ = (char)u;
    } else if (u < 0x800) {
        *o++ = (char)(0xC0 | u >> 6);
        *o++ = (char)(0x80 | (u & 0x3F));
    } else if (u < 0x10000) {
        *o++ = (char)(0xE0 | u >> 12);
        *o++ = (char)(0x80 | (u >> 6 & 0x3F));
        *o++ = (char)(0x80 | (u & 0x3F));
    } else {
        *o++ = (char)(0xF0 | u >> 18);
        *o++ = (char)(0x80 | (u >> 12 & 0x3F));
        *o++ = (char)(0x80 | (u >> 6 & 0x3F));
        *o++ = (char)(0x80 | (u & 0x3F));
    }
    return o;
}

/* A \u escape at s (after the backslash-u), with a following low surrogate. */
static int unicode(struct parser *p, const char **s, char **o)
{
    unsigned u, lo;
    if (p->end - *s < 4 || hex4(*s, &u) < 0)
        return fail(p, "bad \\u escape in a string");
    *s += 4;
    if (u >= 0xD800 && u < 0xDC00 && p->end - *s >= 6 && (*s)[0] == '\\' && (*s)[1] == 'u' &&
        hex4(*s + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        *s += 6;
    } else if (u >= 0xD800 && u < 0xE000) {
        u = 0xFFFD; /* a lone surrogate */
    }
    *o = put_utf8(*o, u);
    return 0;
}

static int string(struct parser *p, const char **out)
{
    const char *s = p->s + 1, *q = s;
    while (q < p->end && *q != '"')
        q += *q == '\\' && q + 1 < p->end ? 2 : 1;
    if (q >= p->end)
        return fail(p, "a string is not closed");
    char *o = alloc(p->d, (size_t)(q - s) + 1), *start = o;
    while (s < q) {
        char c = *s++;
        if ((unsigned char)c < 0x20)
            return fail(p, "a control character inside a string");
        if (c != '\\') {
            *o++ = c;
            continue;
        }
        c = *s++;
        const char *map = c ? strchr("\"\"\\\\//b\bf\fn\nr\rt\t", c) : NULL;
        if (c == 'u') {
            if (unicode(p, &s, &o) < 0)
                return -1;
        } else if (map && (map - "\"\"\\\\//b\bf\fn\nr\rt\t") % 2 == 0) {
            *o++ = map[1];
        } else {
            return fail(p, "bad escape '\\%c' in a string", c);
        }
    }
    *o = '\0';
    *out = start;
    p->s = q + 1;
    return 0;
}

static int number(struct parser *p, struct json_val *v)
{
    const char *s = p->s, *q = s;
    if (q < p->end && *q == '-')
        q++;
    if (q >= p->end || !(*q >= '0' && *q <= '9'))
        return fail(p, "expected a value");
    if (*q == '0')
        q++;
    else
        while (q < p->end && *q >= '0' && *q <= '9')
            q++;
    if (q < p->end && *q == '.') {
        if (++q >= p->end || !(*q >= '0' && *q <= '9'))
            return fail(p, "bad number");
        while (q < p->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < p->end && (*q == 'e' || *q == 'E')) {
        if (++q < p->end && (*q == '+' || *q == '-'))
            q++;
        if (q >= p->end || !(*q >= '0' && *q <= '9'))
            return fail(p, "bad number");
        while (q < p->end && *q >= '0' && *q <= '9')
            q++;
    }
    char *txt = alloc(p->d, (size_t)(q - s) + 1);
    memcpy(txt, s, (size_t)(q - s));
    txt[q - s] = '\0';
    v->type = JSON_NUM;
    v->num = strtod(txt, NULL);
    v->str = txt;
    if (!isfinite(v->num))
        return fail(p, "number out of range");
    p->s = q;
    return 0;
}

/* Members of an array or object, gathered in a growing temporary then copied
 * into the arena. */
struct members {
    struct json_val *v;
    const char **k;
    size_t n, cap;
};

static void members_push(struct members *m, const struct json_val *v, const char *key)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 8;
        m->v = realloc(m->v, m->cap * sizeof *m->v);
        m->k = realloc(m->k, m->cap * sizeof *m->k);
        if (!m->v || !m->k)
            abort();
    }
    m->v[m->n] = *v;
    m->k[m->n++] = key;
}

static int container(struct parser *p, struct json_val *v, int obj)
{
    char close = obj ? '}' : ']';
    struct members m = {0};
    int rc = 0;
    p->s++;
    skip_ws(p);
    if (p->s < p->end && *p->s == close) {
        p->s++;
    } else {
        for (;;) {
            const char *key = NULL;
            struct json_val kid;
            skip_ws(p);
            if (obj) {
                if (p->s >= p->end || *p->s != '"') {
                    rc = fail(p, "expected a key in quotes");
                    break;
                }
                if ((rc = string(p, &key)) < 0)
                    break;
                skip_ws(p);
                if (p->s >= p->end || *p->s != ':') {
                    rc = fail(p, "expected ':' after a key");
                    break;
                }
                p->s++;
            }
            if ((rc = value(p, &kid)) < 0)
                break;
            members_push(&m, &kid, key);
            skip_ws(p);
            if (p->s < p->end && *p->s == ',') {
                p->s++;
                continue;
            }
            if (p->s < p->end && *p->s == close) {
                p->s++;
                break;
            }
            rc = fail(p, "expected ',' or '%c'", close);
            break;
        }
    }
    if (rc == 0) {
        v->type = obj ? JSON_OBJ : JSON_ARR;
        v->n = m.n;
        v->kids = alloc(p->d, (m.n ? m.n : 1) * sizeof *v->kids);
        if (m.n)
            memcpy(v->kids, m.v, m.n * sizeof *m.v);
        if (obj) {
            v->keys = alloc(p->d, (m.n ? m.n : 1) * sizeof *v->keys);
            if (m.n)
                memcpy(v->keys, m.k, m.n * sizeof *m.k);
        }
    }
    free(m.v);
    free(m.k);
    return rc;
}

static int literal(struct parser *p, struct json_val *v, const char *word, int type, double num)
{
    size_t n = strlen(word);
    if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n) != 0)
        return fail(p, "expected a value");
    p->s += n;
    v->type = type;
    v->num = num;
    return 0;
}

static int value(struct parser *p, struct json_val *v)
{
    memset(v, 0, sizeof *v);
    skip_ws(p);
    v->line = p->line;
    if (p->s >= p->end)
        return fail(p, "unexpected end of the JSON text");
    if (++p->depth > MAX_DEPTH)
        return fail(p, "JSON nested deeper than %d levels", MAX_DEPTH);
    int rc;
    switch (*p->s) {
    case '{': rc = container(p, v, 1); break;
    case '[': rc = container(p, v, 0); break;
    case '"': v->type = JSON_STR; rc = string(p, &v->str); break;
    case 't': rc = literal(p, v, "true", JSON_BOOL, 1); break;
    case 'f': rc = literal(p, v, "false", JSON_BOOL, 0); break;
    case 'n': rc = literal(p, v, "null", JSON_NULL, 0); break;
    default: rc = number(p, v);
    }
    p->depth--;
    return rc;
}

int json_parse(struct json_doc *d, const char *text, size_t n, long line0, char *err,
               size_t errn)
{
    memset(d, 0, sizeof *d);
    struct parser p = {text, text + n, line0, d, err, errn, 0};
    d->root = alloc(d, sizeof *d->root);
    if (value(&p, d->root) < 0)
        return -1;
    skip_ws(&p);
    if (p.s < p.end)
        return fail(&p, "text after the JSON value");
    return 0;
}

const struct json_val *json_get(const struct json_val *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcasecmp(obj->keys[i], key) == 0)
            return &obj->kids[i];
    return NULL;
}

const char *json_str(const struct json_val *obj, const char *key)
{
    const struct json_val *v = json_get(obj, key);
    return v && (v->type == JSON_STR || v->type == JSON_NUM) ? v->str : "";
}
