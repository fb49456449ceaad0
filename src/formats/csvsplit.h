#ifndef CT_CSVSPLIT_H
#define CT_CSVSPLIT_H
/* RFC 4180 records for the provider exports and usage files: quoted fields
 * ("a,b", "say ""hi"""), a quoted field may span lines, CRLF or LF, a UTF-8 BOM
 * before the header is dropped. Columns are found by header name, never by
 * position: names are compared after folding case and treating '.', ' ', '-'
 * and '_' alike, so "carbon_footprint_kgCO2e.scope1" and
 * "carbon_footprint_kgco2e_scope1" are the same column. Private to src/formats. */
#include <stddef.h>

#include "formats/format.h"

struct csv_rec {
    char *buf;          /* the record, unquoted, fields NUL-separated */
    size_t cap;
    char **f;           /* field starts */
    int n, capf;
    long line;          /* line the record started on */
    char *raw;          /* the record as read (lines joined), for error messages */
    size_t rawcap;
};

void csv_rec_free(struct csv_rec *r);
/* Reads the next non-blank record. 1, 0 at end, -1 with e filled (an unclosed
 * quote at end of input, a read error). */
int csv_read(struct ct_input *in, struct csv_rec *r, ct_err *e);
/* Splits one line already in memory (sniffing); same rules, no line joining.
 * Returns the field count, -1 for an unclosed quote. */
int csv_split_line(struct csv_rec *r, const char *line, size_t len);

/* Normalised header name into out (lowercase; '.', ' ', '-' become '_'; runs
 * of them collapse; leading/trailing ones and a BOM dropped). */
void csv_norm(const char *name, char *out, size_t n);
/* Index of the first header whose normalised name equals one of the
 * NULL-terminated, already normalised aliases; -1 if none. */
int csv_col(const struct csv_rec *hdr, const char *const *aliases);
/* Field i of r, "" when the record is short or i < 0. */
const char *csv_get(const struct csv_rec *r, int i);

#endif
