#ifndef CT_TIMEUTIL_H
#define CT_TIMEUTIL_H
/* UTC calendar arithmetic on integer seconds since the epoch. No time zones, no
 * libc locale: every timestamp in the ledger is UTC. */
#include <stdint.h>

#define CT_DAY 86400

int64_t ct_days_from_civil(int y, int m, int d);
void ct_civil_from_days(int64_t days, int *y, int *m, int *d);

/* [from, to) of a calendar year. */
void ct_year_bounds(int year, int64_t *from, int64_t *to);
int ct_year_of(int64_t t);
/* Start of the UTC month holding t, and of the month after it. */
int64_t ct_month_start(int64_t t);
int64_t ct_next_month(int64_t t);
/* Floor of t to a multiple of step (correct for negative t too). */
int64_t ct_floor(int64_t t, int64_t step);

/* Parses YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.frac]][Z], YYYY/MM/DD HH:MM:SS[.frac],
 * or @EPOCH. Returns 0, or -1 when s is none of these. */
int ct_parse_time(const char *s, int64_t *out);

/* "YYYY-MM-DD" (11 bytes) and "YYYY-MM-DDTHH:MM:SSZ" (21 bytes). */
void ct_fmt_date(int64_t t, char out[11]);
void ct_fmt_iso(int64_t t, char out[21]);
/* "YYYY-MM" (8 bytes). */
void ct_fmt_month(int64_t t, char out[8]);

/* The time a report calls "now": SOURCE_DATE_EPOCH when set, so output is
 * reproducible, else the clock. */
int64_t ct_now(void);

#endif
