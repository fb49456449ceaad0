/* Chip power: TDP tables (CodeCarbon, then Green Algorithms) and "N vCPU". */
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

/* "8 vCPU", "8vcpu", "8 vCPUs": N x the CCF average watts per vCPU. */
static int parse_vcpu(const char *key, long *n)
{
    char *end;
    if (!isdigit((unsigned char)key[0]))
        return 0;
    *n = strtol(key, &end, 10);
    if (*end == ' ')
        end++;
    return (strcmp(end, "vcpu") == 0 || strcmp(end, "vcpus") == 0) && *n >= 1 && *n <= 100000;
}

static void fill_vcpu(struct ct_chip *out, long n)
{
    snprintf(out->name, sizeof out->name, "%ld vCPU", n);
    out->kind = CT_CHIP_VCPU;
    out->watts = (double)n * ct_tab_vcpu.max_watts;
    out->idle_watts = (double)n * ct_tab_vcpu.min_watts;
    out->source = ct_tab_vcpu.source;
}

static int unknown_chip(const char *chip, const char *key, ct_err *e)
{
    struct ct_suggest s;
    char list[600];
    ct_suggest_init(&s, key);
    for (size_t i = 0; i < ct_tab_n_chips; i++)
        ct_suggest_offer(&s, ct_tab_chips[i].key, ct_tab_chips[i].name, NULL);
    ct_suggest_list(&s, list, sizeof list);
    if (list[0])
        return ct_errf(e, "unknown chip '%s'; did you mean: %s", chip, list);
    return ct_errf(e, "unknown chip '%s'; give its power instead (watts = ...)", chip);
}

int ct_chip_lookup(const char *chip, struct ct_chip *out, ct_err *e)
{
    char key[KEY_MAX];
    long n;
    if (!chip || chip_key(chip, key, sizeof key) < 0 || !key[0])
        return ct_errf(e, "unknown chip '%.60s'", chip ? chip : "");
    memset(out, 0, sizeof *out);
    out->idle_watts = NAN;
    if (parse_vcpu(key, &n)) {
        fill_vcpu(out, n);
        return 0;
    }
    char typed[KEY_MAX];
    snprintf(typed, sizeof typed, "%s", key);
    const struct ct_tab_chip *c = match(key);
    if (!c)
        return unknown_chip(chip, typed, e);
    snprintf(out->name, sizeof out->name, "%s", c->name);
    out->kind = c->kind;
    out->watts = c->watts;
    out->source = c->source;
    return 0;
}
