#ifndef CT_BUF_H
#define CT_BUF_H
/* A growable byte buffer for building output text. Allocation failure aborts:
 * the tool cannot do anything useful without memory for its output. */
#include <stddef.h>

typedef struct ct_buf {
    char *p;
    size_t len, cap;
} ct_buf;

void ct_buf_free(ct_buf *b);
void ct_buf_put(ct_buf *b, const char *s, size_t n);
void ct_buf_puts(ct_buf *b, const char *s);
void ct_buf_printf(ct_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal, quotes included. */
void ct_buf_json_str(ct_buf *b, const char *s);
/* A JSON number; non-finite values become null. %.15g: short for round values
 * (0.1 stays 0.1), and sums agree with their parts to 1e-15. */
void ct_buf_json_num(ct_buf *b, double v);
/* A CSV text field, quoted when it holds a comma, quote or newline. One that
 * begins with = + - @ tab or CR is quoted with a ' put in front, so that a
 * spreadsheet shows it as text rather than running it as a formula (OWASP's
 * CSV injection advice). Only for text: numbers are written as they are. */
void ct_buf_csv_str(ct_buf *b, const char *s);
/* An HTML text node, escaped. */
void ct_buf_html(ct_buf *b, const char *s);

#endif
