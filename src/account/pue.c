/* PUE defaults: a provider's fleet value, a region's own where known, a
 * survey average for on-premises rooms, 1.0 for a laptop. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/factors.h"
#include "data/tables.h"

static int cmp_pue(const void *key, const void *elem)
{
    return strcmp(key, ((const struct ct_tab_pue *)elem)->key);
}

static const struct ct_tab_pue *find(const char *key)
{
    return bsearch(key, ct_tab_pue, ct_tab_n_pue, sizeof *ct_tab_pue, cmp_pue);
}

/* Other words people write for the same keys. */
static const char *const aliases[][2] = {
    {"amazon", "aws"},        {"google", "gcp"},     {"microsoft", "azure"},
    {"onpremise", "onprem"},  {"onpremises", "onprem"}, {"local", "onprem"},
    {"desktop", "laptop"},    {"pc", "laptop"},
};

/* Lower case; for a bare name also drops space, '-' and '_' ("on-prem"). */
static int normalise(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    int bare = strchr(in, ':') == NULL;
    while (isspace((unsigned char)*in))
        in++;
    for (; *in; in++) {
        unsigned char c = (unsigned char)*in;
        if (bare && (c == ' ' || c == '-' || c == '_' || c == '\t'))
            continue;
        if (n + 1 >= cap)
            return -1;
        out[n++] = (char)tolower(c);
    }
    while (n && isspace((unsigned char)out[n - 1]))
        n--;
    out[n] = '\0';
    return n ? 0 : -1;
}

static const struct ct_tab_pue *resolve(char *k)
{
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
        if (strcmp(k, aliases[i][0]) == 0)
            return find(aliases[i][1]);
    const struct ct_tab_pue *p = find(k);
    if (p)
        return p;
    /* A location: the region's own value where the table has one, else the
     * provider's fleet value (PUE is reported per fleet, not per region). */
    char *colon = strchr(k, ':');
    if (!colon || !colon[1])
        return NULL;
    *colon = '\0';
    if (strcmp(k, "aws") && strcmp(k, "gcp") && strcmp(k, "azure"))
        return NULL;
    return find(k);
}

int ct_pue_get(const char *key, struct ct_pue *out, ct_err *e)
{
    char k[80];
    const struct ct_tab_pue *p = NULL;
    if (key && normalise(key, k, sizeof k) == 0)
        p = resolve(k);
    if (!p)
        return ct_errf(e, "unknown PUE key '%s'; use aws, gcp, azure, onprem, laptop or PROVIDER:REGION",
                       key ? key : "");
    snprintf(out->key, sizeof out->key, "%s", p->key);
    out->pue = p->pue;
    out->year = p->year;
    out->source = p->source;
    out->note = p->note;
    return 0;
}

int ct_pue_lookup(const char *key, double *pue, const char **source, ct_err *e)
{
    struct ct_pue p;
    if (ct_pue_get(key, &p, e) < 0)
        return -1;
    if (pue)
        *pue = p.pue;
    if (source)
        *source = p.source;
    return 0;
}
