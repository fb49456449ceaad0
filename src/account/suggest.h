#ifndef CT_SUGGEST_H
#define CT_SUGGEST_H
/* "Did you mean": keeps the few candidates nearest to what was typed, by edit
 * distance, with a candidate that contains the query (or is contained in it)
 * counted as close. Private to src/account. */
#include <stddef.h>

#define CT_SUGGEST_MAX 5

struct ct_suggest {
    const char *query; /* normalised, lower case */
    int n;
    int score[CT_SUGGEST_MAX];
    const char *shown[CT_SUGGEST_MAX];  /* what to print */
    const char *detail[CT_SUGGEST_MAX]; /* printed in parentheses, or NULL */
};

void ct_suggest_init(struct ct_suggest *s, const char *query);
/* Offers a candidate compared by key (normalised like the query). Earlier offers
 * win ties, so offering in table order keeps the result deterministic. */
void ct_suggest_offer(struct ct_suggest *s, const char *key, const char *shown, const char *detail);
/* The same, ranked after every candidate of a lower tier however close (tier 0
 * first): lookups put the kind of thing the query most likely names first. */
void ct_suggest_offer_tier(struct ct_suggest *s, int tier, const char *key, const char *shown,
                           const char *detail);
/* Writes "a, b (detail), c" into out; "" when nothing was close. */
void ct_suggest_list(const struct ct_suggest *s, char *out, size_t cap);

#endif
