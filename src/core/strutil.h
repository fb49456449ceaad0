#ifndef CT_STRUTIL_H
#define CT_STRUTIL_H
#include <stddef.h>

/* Trims ASCII white space in place; returns s advanced past leading space. */
char *ct_trim(char *s);
/* Parses a whole string as a finite double (C locale, no trailing junk). */
int ct_parse_double(const char *s, double *out);
/* Parses a whole string as a non-negative or negative long. */
int ct_parse_long(const char *s, long *out);
/* Copies/appends with truncation to n bytes (NUL included), like BSD strlcpy and
 * strlcat; used where a cut name is acceptable (group keys, labels). */
void ct_strlcpy(char *dst, const char *src, size_t n);
void ct_strlcat(char *dst, const char *src, size_t n);
/* strdup that aborts on failure. */
char *ct_strdup(const char *s);
/* Case-insensitive comparison that also treats runs of space, '-' and '_' as
 * one separator, for matching chip and zone names as people type them. */
int ct_name_eq(const char *a, const char *b);
/* Edit distance (Levenshtein) on lowercased ASCII, capped at cap. */
int ct_edit_distance(const char *a, const char *b, int cap);
/* FNV-1a of s, mixed on from h (start with CT_HASH_INIT), for hash tables. */
#define CT_HASH_INIT 1469598103934665603ull
unsigned long long ct_hash_str(unsigned long long h, const char *s);

#endif
