#ifndef CT_JSON_MIN_H
#define CT_JSON_MIN_H
/* A small JSON reader for the provider exports (Azure's API responses, Google
 * Cloud's newline-delimited JSON): the whole text becomes a tree in one arena.
 * Strict RFC 8259 (no comments, no trailing commas); nesting is limited so
 * hostile input cannot exhaust the stack. Every value knows the line it
 * started on, for "FILE:LINE: ..." messages. Private to src/formats. */
#include <stddef.h>

enum { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json_val {
    int type;
    long line;
    double num;               /* JSON_NUM, JSON_BOOL (0 or 1) */
    const char *str;          /* JSON_STR: decoded UTF-8, NUL-terminated; JSON_NUM: its text */
    size_t n;                 /* JSON_ARR, JSON_OBJ: number of members */
    struct json_val *kids;    /* the members */
    const char **keys;        /* JSON_OBJ: their keys */
};

struct json_arena;

struct json_doc {
    struct json_arena *arena;
    struct json_val *root;
};

/* Parses text[0..n) whose first line is line0. 0, or -1 with "LINE: what" in
 * err. Free the doc either way. */
int json_parse(struct json_doc *d, const char *text, size_t n, long line0, char *err,
               size_t errn);
void json_free(struct json_doc *d);

/* The member of an object named key (ASCII case ignored: exports differ in the
 * case of their keys), or NULL. */
const struct json_val *json_get(const struct json_val *obj, const char *key);
/* A string member ("" when absent or not a string); a number member as text too. */
const char *json_str(const struct json_val *obj, const char *key);

#endif
