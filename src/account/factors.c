/* Grid emission factors: which table a location belongs to, which year is
 * used, and what the caller is told about it. */
#include "account/factors.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/suggest.h"
#include "data/tables.h"

const char *ct_basis_name(int basis)
{
    switch (basis) {
    case CT_BASIS_LIFECYCLE: return "lifecycle";
    case CT_BASIS_DIRECT: return "direct";
    default: return "unspecified";
    }
}

static int cmp_source(const void *key, const void *elem)
{
    return strcmp(key, ((const struct ct_source *)elem)->id);
}

const struct ct_source *ct_source_get(const char *id)
{
    if (!id)
        return NULL;
    return bsearch(id, ct_tab_sources, ct_tab_n_sources, sizeof *ct_tab_sources, cmp_source);
}

/* ------------------------------------------------------------ parsing */

struct loc_query {
    char key[96];   /* table key: "sgp", "em:fr", "azure:westeurope" */
    char plain[80]; /* what was typed, lower case, without prefix or suffix (for suggestions) */
    int direct;     /* "/direct" was asked for */
};

static int has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static int is_iso3(const char *s)
{
    return strlen(s) == 3 && isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1]) &&
           isalpha((unsigned char)s[2]);
}

/* Splits "FR/direct" into "FR" and the basis; 0, or -1 for an unknown suffix. */
static int take_suffix(char *s, struct loc_query *q, const char *orig, ct_err *e)
{
    char *slash = strrchr(s, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    if (strcmp(slash + 1, "direct") == 0)
        q->direct = 1;
    else if (strcmp(slash + 1, "lifecycle") != 0)
        return ct_errf(e, "unknown basis '%s' in '%s'; use /direct or /lifecycle", slash + 1, orig);
    return 0;
}

/* Azure regions are written "West Europe" by CCF and "westeurope" by the
 * Azure API: the key keeps letters and digits only. */
static void squeeze_alnum(char *s)
{
    char *w = s;
    for (; *s; s++)
        if (isalnum((unsigned char)*s))
            *w++ = *s;
    *w = '\0';
}

static void set_key(struct loc_query *q, const char *prefix, const char *rest)
{
    snprintf(q->key, sizeof q->key, "%s%s", prefix, rest);
    snprintf(q->plain, sizeof q->plain, "%s", rest);
}

static int parse_location(const char *in, struct loc_query *q, ct_err *e)
{
    char s[80];
    memset(q, 0, sizeof *q);
    while (in && isspace((unsigned char)*in))
        in++;
    size_t n = in ? strlen(in) : 0;
    while (n && isspace((unsigned char)in[n - 1]))
        n--;
    if (n == 0)
        return ct_errf(e, "no location given");
    if (n >= sizeof s)
        return ct_errf(e, "location '%.40s...' is too long", in);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)tolower((unsigned char)in[i]);
    s[n] = '\0';
    if (take_suffix(s, q, in, e) < 0)
        return -1;
    if (has_prefix(s, "aws:") || has_prefix(s, "gcp:")) {
        snprintf(q->key, sizeof q->key, "%s", s);
        snprintf(q->plain, sizeof q->plain, "%s", s + 4);
    } else if (has_prefix(s, "azure:")) {
        squeeze_alnum(s + 6);
        set_key(q, "azure:", s + 6);
    } else if (has_prefix(s, "em:")) {
        set_key(q, "em:", s + 3);
    } else if (strcmp(s, "owid_wrl") == 0 || strcmp(s, "world") == 0 || is_iso3(s)) {
        set_key(q, "", strcmp(s, "owid_wrl") == 0 ? "world" : s);
    } else {
        set_key(q, "em:", s); /* a bare zone id such as "FR" or "US-CAL-CISO" */
    }
    return 0;
}

static int cmp_location(const void *key, const void *elem)
{
    return strcmp(key, ((const struct ct_tab_location *)elem)->key);
}

static const struct ct_tab_location *find_location(const char *key)
{
    return bsearch(key, ct_tab_locations, ct_tab_n_locations, sizeof *ct_tab_locations, cmp_location);
}

/* ------------------------------------------------------------ year choice */

/* The value for year (0 = latest): exact, else nearest earlier, else nearest later. */
static const struct ct_tab_value *pick_year(const struct ct_tab_location *loc, int year)
{
    const struct ct_tab_value *v = ct_tab_values + loc->first;
    const struct ct_tab_value *best = NULL;
    if (year == 0)
        return v + loc->count - 1;
    for (int i = 0; i < loc->count; i++) {
        if (v[i].year == year)
            return v + i;
        if (v[i].year < year)
            best = v + i;
    }
    return best ? best : v; /* none earlier: the first (nearest later) */
}

static void add_note(char *note, size_t cap, const char *text)
{
    size_t len = strlen(note);
    if (len + 2 < cap)
        snprintf(note + len, cap - len, "%s%s", len ? "; " : "", text);
}

static void explain(struct ct_factor *f, const struct ct_tab_value *v, const char *shown)
{
    char buf[160];
    f->note[0] = '\0';
    if (f->year_asked && v->year == 0) {
        snprintf(buf, sizeof buf, "the source gives no year; its undated value is used for %d", f->year_asked);
        add_note(f->note, sizeof f->note, buf);
    } else if (f->year_asked && v->year != f->year_asked) {
        snprintf(buf, sizeof buf, "no %d value for %s; %d used (nearest %s year)", f->year_asked, shown,
                 v->year, v->year < f->year_asked ? "earlier" : "later");
        add_note(f->note, sizeof f->note, buf);
    }
    if (strcmp(v->source, "ember-latest") == 0)
        add_note(f->note, sizeof f->note, "from Ember's latest-year table (the OWID series has no such year)");
}

static void fill(struct ct_factor *f, const struct ct_tab_location *loc, int year, int direct)
{
    const struct ct_tab_value *v = pick_year(loc, year);
    memset(f, 0, sizeof *f);
    snprintf(f->code, sizeof f->code, "%s%s", loc->code, direct ? "/direct" : "");
    snprintf(f->name, sizeof f->name, "%s", loc->name);
    f->year_asked = year;
    f->year = v->year;
    f->kg_per_kwh = (direct ? v->g_direct : v->g_per_kwh) / 1000.0;
    f->basis = direct ? CT_BASIS_DIRECT : v->basis;
    f->source = v->source;
    explain(f, v, loc->code);
}

/* ------------------------------------------------------------ public */

static void offer_location(struct ct_suggest *s, const struct ct_tab_location *l)
{
    char name[96];
    const char *colon = strchr(l->key, ':');
    size_t j = 0;
    for (; l->name[j] && j + 1 < sizeof name; j++)
        name[j] = (char)tolower((unsigned char)l->name[j]);
    name[j] = '\0';
    ct_suggest_offer(s, l->key, l->code, l->name);
    if (colon)
        ct_suggest_offer(s, colon + 1, l->code, l->name); /* "us-central1" -> gcp:us-central1 */
    ct_suggest_offer(s, name, l->code, l->name);          /* "singapore" -> SGP */
}

static void suggest_locations(const struct loc_query *q, char *out, size_t cap)
{
    struct ct_suggest s;
    ct_suggest_init(&s, q->plain);
    /* Family by family, so that on a tie a country comes before a zone or region. */
    for (int fam = 0; fam < CT_FAM_COUNT; fam++)
        for (size_t i = 0; i < ct_tab_n_locations; i++)
            if (ct_tab_locations[i].family == fam)
                offer_location(&s, ct_tab_locations + i);
    ct_suggest_list(&s, out, cap);
}

static int unknown_location(const char *location, const struct loc_query *q, ct_err *e)
{
    char list[512];
    suggest_locations(q, list, sizeof list);
    if (list[0])
        return ct_errf(e, "unknown location '%s'; did you mean: %s", location, list);
    return ct_errf(e, "unknown location '%s'; see 'co2tally factors --list'", location);
}

int ct_factor_lookup(const char *location, int year, struct ct_factor *out, ct_err *e)
{
    struct loc_query q;
    if (year < 0 || year > 9999)
        return ct_errf(e, "year %d is out of range", year);
    if (parse_location(location, &q, e) < 0)
        return -1;
    const struct ct_tab_location *loc = find_location(q.key);
    if (!loc)
        return unknown_location(location, &q, e);
    if (q.direct && ct_tab_values[loc->first].g_direct < 0)
        return ct_errf(e, "no direct-basis value for '%s': only Electricity Maps zones give one; "
                          "drop '/direct'", loc->code);
    fill(out, loc, year, q.direct);
    return 0;
}

void ct_factor_each(int (*fn)(const struct ct_factor *f, void *ud), void *ud)
{
    struct ct_factor f;
    /* Family by family (countries, zones, then clouds), each in key order. */
    for (int fam = 0; fam < CT_FAM_COUNT; fam++)
        for (size_t i = 0; i < ct_tab_n_locations; i++) {
            if (ct_tab_locations[i].family != fam)
                continue;
            fill(&f, ct_tab_locations + i, 0, 0);
            if (fn(&f, ud))
                return;
        }
}

int ct_factor_years(const char *location, int *years, int cap)
{
    struct loc_query q;
    if (parse_location(location, &q, NULL) < 0)
        return 0;
    const struct ct_tab_location *loc = find_location(q.key);
    if (!loc)
        return 0;
    int n = 0;
    for (int i = 0; i < loc->count && n < cap; i++)
        years[n++] = ct_tab_values[loc->first + i].year;
    return n;
}
