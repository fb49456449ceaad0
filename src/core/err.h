#ifndef CT_ERR_H
#define CT_ERR_H
/* The error buffer. Library code never prints: a failing call returns -1 and
 * leaves a one-line message here for the command layer to show. */
#include <stddef.h>

typedef struct ct_err {
    char msg[768];
} ct_err;

/* Fills e (if not NULL) and returns -1, so callers can `return ct_errf(...)`. */
int ct_errf(ct_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefixes the current message with "prefix: " (for adding a file name or context). */
int ct_err_prefix(ct_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
