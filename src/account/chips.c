/* Chip power: TDP tables (vendors' datasheets, CodeCarbon, then Green
 * Algorithms) and "N vCPU" per provider. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/factors.h"
#include "account/suggest.h"
#include "data/tables.h"

#define KEY_MAX 128

static int is_sep(int c)
{
    return c == ' ' || c == '-' || c == '_' || c == '\t';
}

/* Must match chip_key() in tools/gen_data.py: ASCII lower case, each run of
 * space, tab, '-' and '_' one space, none at either end. -1 if too long. */
static int chip_key(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    int pending = 0;
    for (; *in; in++) {
        unsigned char c = (unsigned char)*in;
        if (is_sep(c)) {
            pending = n > 0;
            continue;
        }
        if (n + 2 >= cap)
            return -1;
        if (pending)
            out[n++] = ' ';
        pending = 0;
        out[n++] = (char)(c < 0x80 ? tolower(c) : c);
    }
    out[n] = '\0';
    return 0;
}

static int cmp_chip(const void *key, const void *elem)
{
    return strcmp(key, ((const struct ct_tab_chip *)elem)->key);
}

static const struct ct_tab_chip *find(const char *key)
{
    return bsearch(key, ct_tab_chips, ct_tab_n_chips, sizeof *ct_tab_chips, cmp_chip);
}

/* Removes every whole-word occurrence of word from the key. */
static void drop_word(char *key, const char *word)
{
    size_t lw = strlen(word);
    for (char *p = key; (p = strstr(p, word)) != NULL;) {
        int starts = p == key || p[-1] == ' ';
        int ends = p[lw] == '\0' || p[lw] == ' ';
        if (!starts || !ends) {
            p += lw;
            continue;
        }
        size_t skip = lw + (p[lw] == ' ');
        memmove(p, p + skip, strlen(p + skip) + 1);
    }
    size_t n = strlen(key);
    while (n && key[n - 1] == ' ')
        key[--n] = '\0';
}

/* The spelling of /proc/cpuinfo and vendor tools: "Intel(R) Xeon(R) Gold 6248
 * CPU @ 2.50GHz" -> "intel xeon gold 6248". Returns 1 if anything changed. */
static int tidy(char *key)
{
    char before[KEY_MAX];
    snprintf(before, sizeof before, "%s", key);
    char *at = strstr(key, " @");
    if (at)
        *at = '\0';
    static const char *const marks[] = {"(r)", "(tm)", "\xc2\xae", "\xe2\x84\xa2"};
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        for (char *p; (p = strstr(key, marks[i])) != NULL;)
            memmove(p, p + strlen(marks[i]), strlen(p + strlen(marks[i])) + 1);
    drop_word(key, "cpu");
    drop_word(key, "processor");
    char again[KEY_MAX];
    chip_key(key, again, sizeof again); /* re-collapse the spaces left behind */
    strcpy(key, again);
    return strcmp(before, key) != 0;
}

/* Tables differ on the vendor word ("Intel Xeon Gold 6248" in CodeCarbon,
 * "Xeon Gold 6248" in Green Algorithms): a key that starts with one is tried
 * without it. Never the other way round: "A100" must not become "Intel A100". */
static const struct ct_tab_chip *find_vendor(const char *key)
{
    static const char *const vendors[] = {"intel ", "amd ", "nvidia ", "apple "};
    for (size_t i = 0; i < sizeof vendors / sizeof *vendors; i++) {
        size_t lv = strlen(vendors[i]);
        if (strncmp(key, vendors[i], lv) == 0)
            return find(key + lv);
    }
    return NULL;
}

static const struct ct_tab_chip *match(char *key)
{
    const struct ct_tab_chip *c = find(key);
    if (!c && tidy(key))
        c = find(key);
    return c ? c : find_vendor(key);
}

const char *ct_chip_kind_name(int kind)
{
    return kind == CT_CHIP_GPU ? "gpu" : kind == CT_CHIP_VCPU ? "vcpu" : "cpu";
}

static const struct ct_tab_vcpu *vcpu_row(const char *provider)
{
    for (size_t i = 0; i < ct_tab_n_vcpu; i++)
        if (strcmp(ct_tab_vcpu[i].key, provider) == 0)
            return &ct_tab_vcpu[i];
    return NULL;
}

/* "8 vCPU", "8vcpu", "8 vCPUs", "8 aws vCPU": N x the CCF min/max watts per
 * vCPU; *prov is the provider named, or NULL. */
static int parse_vcpu(const char *key, long *n, const char **prov)
{
    static const char *const provs[] = {"aws", "azure", "gcp"};
    char *end;
    if (!isdigit((unsigned char)key[0]))
        return 0;
    *n = strtol(key, &end, 10);
    if (*end == ' ')
        end++;
    *prov = NULL;
    for (size_t i = 0; i < sizeof provs / sizeof *provs; i++) {
        size_t l = strlen(provs[i]);
        if (strncmp(end, provs[i], l) == 0 && end[l] == ' ') {
            *prov = provs[i];
            end += l + 1;
        }
    }
    return (strcmp(end, "vcpu") == 0 || strcmp(end, "vcpus") == 0) && *n >= 1 && *n <= 100000;
}

static void fill_vcpu(struct ct_chip *out, long n, const struct ct_tab_vcpu *v)
{
    if (strcmp(v->key, "average") == 0)
        snprintf(out->name, sizeof out->name, "%ld vCPU", n);
    else
        snprintf(out->name, sizeof out->name, "%ld %s vCPU", n, v->key);
    out->kind = CT_CHIP_VCPU;
    out->watts = (double)n * v->max_watts;
    out->idle_watts = (double)n * v->min_watts;
    out->source = v->source;
    out->note = v->note;
    out->provider = v->key;
}

static void fill_row(struct ct_chip *out, const struct ct_tab_chip *c)
{
    snprintf(out->name, sizeof out->name, "%s", c->name);
    out->kind = c->kind;
    out->watts = c->watts;
    out->idle_watts = c->idle_watts >= 0 ? c->idle_watts : NAN;
    out->source = c->source;
    out->url = c->url;
    out->note = c->note;
}

/* Does key hold the query as whole words ("a100" in "nvidia a100 pcie 40gb")? */
static int has_words(const char *key, const char *q)
{
    size_t lq = strlen(q);
    for (const char *p = key; lq && (p = strstr(p, q)) != NULL; p++)
        if ((p == key || p[-1] == ' ') && (p[lq] == '\0' || p[lq] == ' '))
            return 1;
    return 0;
}

/* The kind most names holding the query as whole words are: "A100" names
 * five GPUs and one Intel CPU, so GPUs are suggested first. -1: no such name. */
static int likely_kind(const char *key)
{
    int n[3] = {0, 0, 0};
    for (size_t i = 0; i < ct_tab_n_chips; i++)
        if (ct_tab_chips[i].kind >= 0 && ct_tab_chips[i].kind < 3 && has_words(ct_tab_chips[i].key, key))
            n[ct_tab_chips[i].kind]++;
    if (n[CT_CHIP_GPU] == 0 && n[CT_CHIP_CPU] == 0)
        return -1;
    return n[CT_CHIP_GPU] >= n[CT_CHIP_CPU] ? CT_CHIP_GPU : CT_CHIP_CPU;
}

static int unknown_chip(const char *chip, const char *key, ct_err *e)
{
    struct ct_suggest s;
    char list[600];
    int kind = likely_kind(key);
    ct_suggest_init(&s, key);
    for (size_t i = 0; i < ct_tab_n_chips; i++)
        ct_suggest_offer_tier(&s, kind >= 0 && ct_tab_chips[i].kind != kind, ct_tab_chips[i].key,
                              ct_tab_chips[i].name, NULL);
    ct_suggest_list(&s, list, sizeof list);
    if (list[0])
        return ct_errf(e, "unknown chip '%s'; did you mean: %s", chip, list);
    return ct_errf(e, "unknown chip '%s'; give its power instead (watts = ...)", chip);
}

int ct_chip_lookup_for(const char *chip, const char *provider, struct ct_chip *out, ct_err *e)
{
    char key[KEY_MAX];
    long n;
    const char *named;
    if (!chip || chip_key(chip, key, sizeof key) < 0 || !key[0])
        return ct_errf(e, "unknown chip '%.60s'", chip ? chip : "");
    memset(out, 0, sizeof *out);
    out->idle_watts = NAN;
    if (parse_vcpu(key, &n, &named)) {
        const struct ct_tab_vcpu *v = vcpu_row(named ? named : provider ? provider : "average");
        fill_vcpu(out, n, v ? v : vcpu_row("average"));
        return 0;
    }
    char typed[KEY_MAX];
    snprintf(typed, sizeof typed, "%s", key);
    const struct ct_tab_chip *c = match(key);
    if (!c)
        return unknown_chip(chip, typed, e);
    fill_row(out, c);
    return 0;
}

int ct_chip_lookup(const char *chip, struct ct_chip *out, ct_err *e)
{
    return ct_chip_lookup_for(chip, NULL, out, e);
}

void ct_chip_each(const char *query, int (*fn)(const struct ct_chip *c, void *ud), void *ud)
{
    char q[KEY_MAX] = "";
    if (query && chip_key(query, q, sizeof q) < 0)
        return;
    struct ct_chip c;
    for (size_t i = 0; i < ct_tab_n_chips; i++) {
        if (q[0] && !strstr(ct_tab_chips[i].key, q))
            continue;
        memset(&c, 0, sizeof c);
        fill_row(&c, &ct_tab_chips[i]);
        if (fn(&c, ud))
            return;
    }
    for (size_t i = 0; i < ct_tab_n_vcpu; i++) {
        memset(&c, 0, sizeof c);
        fill_vcpu(&c, 1, &ct_tab_vcpu[i]);
        char key[KEY_MAX];
        chip_key(c.name, key, sizeof key);
        if (q[0] && !strstr(key, q) && !strstr("vcpu", q))
            continue;
        if (fn(&c, ud))
            return;
    }
}
