#include "account/suggest.h"

#include <stdio.h>
#include <string.h>

#include "core/strutil.h"

void ct_suggest_init(struct ct_suggest *s, const char *query)
{
    memset(s, 0, sizeof *s);
    s->query = query;
}

/* Lower is closer; -1 when too far to be worth showing. The score puts the
 * distance first and the length difference second, so among equally close
 * names the one nearest in length comes first. */
static int score(const char *q, const char *key)
{
    size_t lq = strlen(q), lk = strlen(key);
    int limit = lq < 6 ? 1 : (int)(lq / 3); /* about one typo per three characters */
    int d = ct_edit_distance(q, key, limit + 1);
    int part = lq >= 2 && lk >= 3 && (strstr(key, q) || strstr(q, key));
    if (part) /* "a100" in "nvidia a100 40gb pcie": close, however long the rest */
        d = d < 1 ? d : 1;
    else if (d > limit)
        return -1;
    int diff = lq > lk ? (int)(lq - lk) : (int)(lk - lq);
    return d * 1000 + (diff < 999 ? diff : 999);
}

static void drop(struct ct_suggest *s, int i)
{
    for (; i + 1 < s->n; i++) {
        s->score[i] = s->score[i + 1];
        s->shown[i] = s->shown[i + 1];
        s->detail[i] = s->detail[i + 1];
    }
    s->n--;
}

void ct_suggest_offer(struct ct_suggest *s, const char *key, const char *shown, const char *detail)
{
    ct_suggest_offer_tier(s, 0, key, shown, detail);
}

void ct_suggest_offer_tier(struct ct_suggest *s, int tier, const char *key, const char *shown,
                           const char *detail)
{
    int sc = score(s->query, key);
    if (sc < 0)
        return;
    sc += (tier > 0 ? tier : 0) * 1000000; /* scores stay under 1e6: distance x 1000 + 999 */
    /* One location may be offered under several keys (code, name): keep its best. */
    for (int i = 0; i < s->n; i++) {
        if (strcmp(s->shown[i], shown) != 0)
            continue;
        if (s->score[i] <= sc)
            return;
        drop(s, i);
        break;
    }
    int at = s->n;
    while (at > 0 && s->score[at - 1] > sc)
        at--;
    if (at >= CT_SUGGEST_MAX)
        return;
    if (s->n == CT_SUGGEST_MAX)
        s->n--; /* the last one falls off */
    for (int i = s->n; i > at; i--) {
        s->score[i] = s->score[i - 1];
        s->shown[i] = s->shown[i - 1];
        s->detail[i] = s->detail[i - 1];
    }
    s->score[at] = sc;
    s->shown[at] = shown;
    s->detail[at] = detail;
    s->n++;
}

void ct_suggest_list(const struct ct_suggest *s, char *out, size_t cap)
{
    size_t len = 0;
    if (cap)
        out[0] = '\0';
    for (int i = 0; i < s->n && len < cap; i++) {
        int w = snprintf(out + len, cap - len, "%s%s", i ? ", " : "", s->shown[i]);
        if (w > 0)
            len += (size_t)w;
        if (s->detail[i] && len < cap) {
            w = snprintf(out + len, cap - len, " (%s)", s->detail[i]);
            if (w > 0)
                len += (size_t)w;
        }
    }
}
