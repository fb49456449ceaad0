#include "config/team_keys.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/factors.h"
#include "core/strutil.h"
#include "ledger/ledger.h"

enum key_bit {
    K_METHOD = 1 << 0, K_LOCATION = 1 << 1, K_PUE = 1 << 2, K_HOSTS = 1 << 3,
    K_COUNT = 1 << 4, K_CHIP = 1 << 5, K_WATTS = 1 << 6, K_IDLE = 1 << 7,
    K_UTIL = 1 << 8, K_HPY = 1 << 9, K_HPD = 1 << 10, K_DPY = 1 << 11, K_MPM = 1 << 12,
    K_EMB = 1 << 13, K_LIFE = 1 << 14, K_PROVIDER = 1 << 15, K_ACCOUNTS = 1 << 16,
    K_SOURCE = 1 << 17, K_KIND = 1 << 18, K_CHIPS = 1 << 19, K_RAM = 1 << 20,
    K_STORAGE = 1 << 21, K_BASE = 1 << 22, K_GPU_UTIL = 1 << 23, K_CPU_UTIL = 1 << 24,
};
/* Keys that make a calculated platform a whole-machine model. */
#define K_MACHINE (K_CHIPS | K_RAM | K_STORAGE | K_BASE | K_GPU_UTIL | K_CPU_UTIL)

static const struct {
    const char *name;
    int bit;
} platform_keys[] = {
    {"method", K_METHOD}, {"location", K_LOCATION}, {"pue", K_PUE}, {"hosts", K_HOSTS},
    {"count", K_COUNT}, {"chip", K_CHIP}, {"watts", K_WATTS}, {"idle_watts", K_IDLE},
    {"utilisation", K_UTIL}, {"hours_per_year", K_HPY}, {"hours_per_day", K_HPD},
    {"days_per_year", K_DPY}, {"minutes_per_month", K_MPM},
    {"embodied_kgco2e", K_EMB}, {"lifetime_years", K_LIFE}, {"provider", K_PROVIDER},
    /* One list under three names: AWS says accounts, Azure subscriptions and
     * Google Cloud projects; a platform gives it under one of them. */
    {"accounts", K_ACCOUNTS}, {"subscriptions", K_ACCOUNTS}, {"projects", K_ACCOUNTS},
    {"source", K_SOURCE}, {"kind", K_KIND}, {"chips", K_CHIPS}, {"ram_gb", K_RAM},
    {"storage", K_STORAGE}, {"base_watts", K_BASE}, {"gpu_utilisation", K_GPU_UTIL},
    {"cpu_utilisation", K_CPU_UTIL},
};
#define NKEYS (sizeof platform_keys / sizeof *platform_keys)

static int bit_index(int bit)
{
    int i = 0;
    while (bit > 1) {
        bit >>= 1;
        i++;
    }
    return i;
}

/* A number within [lo, hi]; the message says which key and what range. */
static int number(const char *key, const char *value, double lo, double hi, double *out, ct_err *e)
{
    double v;
    if (ct_parse_double(value, &v) < 0)
        return ct_errf(e, "%s = '%s' is not a number", key, value);
    if (v < lo || v > hi)
        return ct_errf(e, "%s = %s is out of range (%g to %g)", key, value, lo, hi);
    *out = v;
    return 0;
}

static int check_location(const char *key, const char *value, ct_err *e)
{
    struct ct_factor f;
    ct_err le;
    if (ct_factor_lookup(value, 0, &f, &le) < 0)
        return ct_errf(e, "%s: %s", key, le.msg);
    return 0;
}

int ct_team_key(struct ct_team *t, const char *key, const char *value, ct_err *e)
{
    if (strcmp(key, "name") == 0) {
        if (t->name)
            return ct_errf(e, "name is given twice in [team]");
        t->name = ct_strdup(value);
        return 0;
    }
    if (strcmp(key, "country") == 0) {
        if (t->country)
            return ct_errf(e, "country is given twice in [team]");
        if (check_location(key, value, e) < 0)
            return -1;
        t->country = ct_strdup(value);
        return 0;
    }
    if (strcmp(key, "year") == 0) {
        long y;
        if (t->year)
            return ct_errf(e, "year is given twice in [team]");
        if (ct_parse_long(value, &y) < 0 || y < 1990 || y > 2100)
            return ct_errf(e, "year = '%s' is not a year between 1990 and 2100", value);
        t->year = (int)y;
        return 0;
    }
    return ct_errf(e, "unknown key '%s' in [team]; known keys: name, country, year", key);
}

/* A comma-separated list (hosts, accounts): empty items are skipped, a name
 * given twice is an error, and an empty list is one. */
static int set_list(char ***list, size_t *n, const char *key, const char *value, ct_err *e)
{
    char *copy = ct_strdup(value), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0;
         tok = strtok_r(NULL, ",", &save)) {
        tok = ct_trim(tok);
        if (!*tok)
            continue;
        for (size_t i = 0; i < *n && rc == 0; i++)
            if (strcmp((*list)[i], tok) == 0)
                rc = ct_errf(e, "%s lists '%s' twice", key, tok);
        char **h = rc ? NULL : realloc(*list, (*n + 1) * sizeof *h);
        if (!h && rc == 0)
            abort();
        if (h) {
            *list = h;
            (*list)[(*n)++] = ct_strdup(tok);
        }
    }
    free(copy);
    if (rc == 0 && *n == 0)
        rc = ct_errf(e, "%s = '%s' names nothing; list them separated by commas", key, value);
    return rc;
}

static int set_provider(struct ct_platform *p, const char *v, ct_err *e)
{
    if (strcmp(v, "aws") != 0 && strcmp(v, "gcp") != 0 && strcmp(v, "azure") != 0)
        return ct_errf(e, "provider = '%s'; use aws, gcp or azure", v);
    p->provider = ct_strdup(v);
    return 0;
}

static int set_source(struct ct_platform *p, const char *v, ct_err *e)
{
    if (strcmp(v, "estimate") == 0)
        p->calc_source = CT_CALC_ESTIMATE;
    else if (strcmp(v, "usage") == 0)
        p->calc_source = CT_CALC_USAGE;
    else
        return ct_errf(e, "source = '%s'; use estimate (the team file's parameters) or usage "
                          "(imported cloud usage rows)", v);
    return 0;
}

static int set_pue(struct ct_platform *p, const char *value, ct_err *e)
{
    double v;
    if (ct_parse_double(value, &v) == 0) {
        if (v < 1.0 || v > 3.0)
            return ct_errf(e, "pue = %s is out of range (1 to 3; 1 means no overhead)", value);
        p->pue = v;
        p->pue_source = ct_strdup("team file");
        return 0;
    }
    const char *src = NULL;
    ct_err le;
    if (ct_pue_lookup(value, &p->pue, &src, &le) < 0)
        return ct_errf(e, "pue = '%s' is neither a number nor a known default (aws, gcp, "
                          "azure, onprem, laptop)", value);
    p->pue_source = ct_strdup(src);
    return 0;
}

static int set_key(struct ct_platform *p, int bit, const char *key, const char *v, ct_err *e)
{
    switch (bit) {
    case K_METHOD:
        p->method = ct_method_parse(v);
        if (p->method < 0)
            return ct_errf(e, "method = '%s'; use measured, provided or calculated", v);
        return 0;
    case K_LOCATION:
        if (check_location(key, v, e) < 0)
            return -1;
        p->location = ct_strdup(v);
        return 0;
    case K_PUE: return set_pue(p, v, e);
    case K_HOSTS: return set_list(&p->hosts, &p->nhosts, key, v, e);
    case K_ACCOUNTS: return set_list(&p->accounts, &p->naccounts, key, v, e);
    case K_PROVIDER: return set_provider(p, v, e);
    case K_SOURCE: return set_source(p, v, e);
    case K_COUNT: return number(key, v, 0, 1e7, &p->count, e);
    case K_CHIP: p->chip = ct_strdup(v); return 0;
    case K_WATTS: return number(key, v, 0, 1e6, &p->watts, e);
    case K_IDLE: return number(key, v, 0, 1e6, &p->idle_watts, e);
    case K_UTIL: return number(key, v, 0, 1, &p->utilisation, e);
    case K_HPY: return number(key, v, 0, 8784, &p->hours_per_year, e);
    case K_HPD: return number(key, v, 0, 24, &p->hours_per_day, e);
    case K_DPY: return number(key, v, 0, 366, &p->days_per_year, e);
    case K_MPM: return number(key, v, 0, 44640, &p->minutes_per_month, e);
    case K_EMB: return number(key, v, 0, 1e9, &p->embodied_kgco2e, e);
    case K_LIFE: return number(key, v, 0.1, 50, &p->lifetime_years, e);
    case K_KIND:
        p->kind = ct_kind_parse(v);
        if (p->kind < 0)
            return ct_errf(e, "kind = '%s'; use laptop, desktop, ci, server, gpu-server, cloud, "
                              "storage, network or other", v);
        return 0;
    case K_CHIPS: return ct_machine_chips(p, v, e);
    case K_RAM: return number(key, v, 0, 1e6, &p->ram_gb, e);
    case K_STORAGE: return ct_machine_storage(p, v, e);
    case K_BASE: return number(key, v, 0, 1e6, &p->base_watts, e);
    case K_GPU_UTIL: return number(key, v, 0, 1, &p->gpu_utilisation, e);
    case K_CPU_UTIL: return number(key, v, 0, 1, &p->cpu_utilisation, e);
    }
    return 0;
}

int ct_platform_key(struct ct_platform *p, const char *key, const char *value, ct_err *e)
{
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcmp(key, platform_keys[i].name) != 0)
            continue;
        if ((p->seen & platform_keys[i].bit) && platform_keys[i].bit == K_ACCOUNTS)
            return ct_errf(e, "%s: accounts, subscriptions and projects are one list; give it "
                              "once in [platform %s]", key, p->name);
        if (p->seen & platform_keys[i].bit)
            return ct_errf(e, "%s is given twice in [platform %s]", key, p->name);
        p->seen |= platform_keys[i].bit;
        p->key_line[bit_index(platform_keys[i].bit)] = p->cur_line;
        return set_key(p, platform_keys[i].bit, key, value, e);
    }
    return ct_errf(e, "unknown key '%s' in [platform %s]; known keys: method, location, pue, "
                      "hosts, count, chip, watts, idle_watts, utilisation, hours_per_year, "
                      "hours_per_day, days_per_year, minutes_per_month, embodied_kgco2e, "
                      "lifetime_years, source, provider, accounts (or subscriptions, projects), "
                      "kind, chips, ram_gb, storage, base_watts, gpu_utilisation, cpu_utilisation",
                   key, p->name);
}

/* The line of the key among bits read last (the one that made a conflict),
 * or the header's when none of them was given. */
static int line_of(const struct ct_platform *p, int bits)
{
    int line = 0;
    for (int i = 0; i < 32; i++)
        if (((unsigned)bits & (unsigned)p->seen & (1u << i)) && p->key_line[i] > line)
            line = p->key_line[i];
    return line ? line : p->line;
}

static int at_key(const struct ct_team *t, const struct ct_platform *p, int bits, ct_err *e,
                  const char *msg)
{
    return ct_errf(e, "%s:%d: [platform %s]: %s", t->path, line_of(p, bits), p->name, msg);
}

static int at(const struct ct_team *t, const struct ct_platform *p, ct_err *e, const char *msg)
{
    return at_key(t, p, 0, e, msg);
}

/* One way of giving the hours, and only one. */
static int resolve_hours(const struct ct_team *t, struct ct_platform *p, ct_err *e)
{
    int ways = !!(p->seen & K_HPY) + !!(p->seen & (K_HPD | K_DPY)) + !!(p->seen & K_MPM);
    char basis[160];
    if (ways == 0)
        return at(t, p, e, "how long it runs is missing: give hours_per_year, or hours_per_day "
                           "with days_per_year, or minutes_per_month");
    if (ways > 1)
        return at_key(t, p, K_HPY | K_HPD | K_DPY | K_MPM, e, "give only one of hours_per_year, hours_per_day with days_per_year, "
                           "or minutes_per_month");
    if (p->seen & (K_HPD | K_DPY)) {
        if (!(p->seen & K_HPD) || !(p->seen & K_DPY))
            return at_key(t, p, K_HPD | K_DPY, e, "hours_per_day and days_per_year go together; "
                          "give both");
        p->hours_per_year = p->hours_per_day * p->days_per_year;
        snprintf(basis, sizeof basis, "%g h/day x %g days/year", p->hours_per_day, p->days_per_year);
    } else if (p->seen & K_MPM) {
        p->hours_per_year = p->minutes_per_month * 12.0 / 60.0;
        snprintf(basis, sizeof basis, "%g min/month x 12 months", p->minutes_per_month);
    } else {
        snprintf(basis, sizeof basis, "%g h/year", p->hours_per_year);
    }
    p->hours_basis = ct_strdup(basis);
    return 0;
}

/* chip = NAME with watts = N: the given watts replace the table's TDP, and the
 * report's --explain says so. */
static void override_note(struct ct_platform *p, const struct ct_chip *c)
{
    snprintf(p->power_note, sizeof p->power_note, "watts = %g replaces the %g W of %s (%s)",
             p->watts, c->watts, c->name, c->source);
}

static int resolve_chip(const struct ct_team *t, struct ct_platform *p, ct_err *e)
{
    struct ct_chip c;
    ct_err le;
    if (ct_machine_lookup(t, p->chip, p, &c, &le) < 0)
        return at_key(t, p, K_CHIP, e, le.msg);
    if (p->seen & K_WATTS)
        override_note(p, &c);
    else
        p->watts = c.watts;
    if (!(p->seen & K_IDLE) && !isnan(c.idle_watts) && c.idle_watts <= p->watts)
        p->idle_watts = c.idle_watts;
    if (p->machine) {
        struct ct_part *pt = &p->parts[0];
        memset(pt, 0, sizeof *pt);
        snprintf(pt->name, sizeof pt->name, "%s", c.name);
        pt->chip_kind = c.kind;
        pt->n = 1;
        pt->watts = p->watts;
        pt->idle_watts = p->idle_watts;
        pt->source = c.source;
        p->nparts = 1;
    }
    return 0;
}

static int resolve_power(const struct ct_team *t, struct ct_platform *p, ct_err *e)
{
    char msg[400];
    if (!(p->seen & K_GPU_UTIL))
        p->gpu_utilisation = NAN;
    if (!(p->seen & K_CPU_UTIL))
        p->cpu_utilisation = NAN;
    p->machine = !!(p->seen & K_MACHINE);
    if ((p->seen & K_CHIP) && (p->seen & K_CHIPS))
        return at_key(t, p, K_CHIP | K_CHIPS, e, "give chip = NAME or chips = N x NAME, ..., "
                      "not both");
    if ((p->seen & K_CHIPS) && (p->seen & (K_WATTS | K_IDLE)))
        return at_key(t, p, K_WATTS | K_IDLE | K_CHIPS, e, "watts and idle_watts go with chip = NAME (they "
                      "replace its table power); with chips = ..., give base_watts for the rest "
                      "of the machine");
    if (!(p->seen & (K_CHIP | K_CHIPS | K_WATTS)))
        return at(t, p, e, "give its power as chip = NAME (looked up in the TDP tables), "
                           "chips = N x NAME, ... (a whole machine) or watts = N");
    if ((p->seen & K_CHIP) && resolve_chip(t, p, e) < 0)
        return -1;
    if (!isnan(p->idle_watts) && p->idle_watts > p->watts)
        return at_key(t, p, K_IDLE, e, "idle_watts is above watts; idle power cannot exceed "
                      "full power");
    if (p->machine && !(p->seen & (K_CHIP | K_CHIPS))) { /* watts = N for the chips */
        struct ct_part *pt = &p->parts[0];
        memset(pt, 0, sizeof *pt);
        snprintf(pt->name, sizeof pt->name, "watts = %g", p->watts);
        pt->chip_kind = -1;
        pt->n = 1;
        pt->watts = p->watts;
        pt->idle_watts = p->idle_watts;
        p->nparts = 1;
    }
    if (p->machine) {
        if (ct_machine_resolve(t, p, msg, sizeof msg) < 0)
            return at_key(t, p, (p->seen & K_CHIPS) && strncmp(msg, "chips", 5) == 0 ? K_CHIPS : 0,
                          e, msg);
        return 0;
    }
    if (!(p->seen & K_UTIL))
        return at(t, p, e, "utilisation is missing (0 to 1: the mean load while it runs)");
    return 0;
}

/* The first key of the table among bits, for messages. */
static const char *first_key(int bits)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (bits & platform_keys[i].bit)
            return platform_keys[i].name;
    return "?";
}

/* Keys that only some methods take: provider and accounts (provided), source
 * (calculated). */
static int validate_claims(const struct ct_team *t, const struct ct_platform *p, ct_err *e)
{
    char msg[240];
    const char *m = ct_method_name(p->method);
    if ((p->seen & K_SOURCE) && p->method != CT_METHOD_CALCULATED) {
        snprintf(msg, sizeof msg, "source (estimate or usage) belongs to calculated platforms; "
                 "this one is %s", m);
        return at_key(t, p, K_SOURCE, e, msg);
    }
    if ((p->seen & (K_PROVIDER | K_ACCOUNTS)) && p->method != CT_METHOD_PROVIDED) {
        snprintf(msg, sizeof msg, "%s belongs to provided platforms (the provider rows they "
                 "claim); this one is %s", first_key(p->seen & (K_PROVIDER | K_ACCOUNTS)), m);
        return at_key(t, p, K_PROVIDER | K_ACCOUNTS, e, msg);
    }
    if ((p->seen & K_ACCOUNTS) && !ct_platform_provider(p))
        return at_key(t, p, K_ACCOUNTS, e, "accounts (or subscriptions, projects) needs provider = aws, gcp or "
                           "azure, or a cloud location such as gcp:europe-west1, to say whose "
                           "accounts they are");
    return 0;
}

static int validate_method(const struct ct_team *t, struct ct_platform *p, ct_err *e);

static int validate_platform(const struct ct_team *t, struct ct_platform *p, ct_err *e)
{
    if (validate_method(t, p, e) < 0)
        return -1;
    if (!(p->seen & K_KIND))
        ct_infer_kind(t, p, !!(p->seen & K_HPD));
    return 0;
}

static int validate_method(const struct ct_team *t, struct ct_platform *p, ct_err *e)
{
    const int est_only = K_CHIP | K_WATTS | K_IDLE | K_UTIL | K_HPY | K_HPD | K_DPY | K_MPM |
                         K_MACHINE;
    const int calc_only = K_COUNT | est_only;
    if (p->method < 0)
        return at(t, p, e, "method is missing: measured, provided or calculated");
    if (!p->location && !t->country)
        return at(t, p, e, "no location: give location here or country in [team]");
    if (!!(p->seen & K_EMB) != !!(p->seen & K_LIFE))
        return at_key(t, p, K_EMB | K_LIFE, e, "embodied_kgco2e and lifetime_years go together (embodied emissions "
                           "per unit, amortised over the lifetime); give both");
    if (validate_claims(t, p, e) < 0)
        return -1;
    if (p->method == CT_METHOD_CALCULATED) {
        if (p->seen & K_HOSTS)
            return at_key(t, p, K_HOSTS, e, "hosts belongs to measured platforms, not calculated "
                          "ones");
        if (p->calc_source == CT_CALC_USAGE) {
            /* Counted from usage rows: the rows carry the energy, so nothing
             * to estimate it from may be given (it would never be used). */
            if (p->seen & est_only) {
                char msg[240];
                snprintf(msg, sizeof msg, "%s: chip, watts, idle_watts, utilisation and hours "
                         "belong to estimated platforms; this one is counted from usage rows "
                         "(source = usage)", first_key(p->seen & est_only));
                return at_key(t, p, est_only, e, msg);
            }
            return 0;
        }
        if (resolve_power(t, p, e) < 0 || resolve_hours(t, p, e) < 0)
            return -1;
        return 0;
    }
    if (p->seen & calc_only)
        return at_key(t, p, calc_only, e, "count, chip, watts, idle_watts, utilisation, hours "
                      "and the whole-machine keys belong to calculated platforms; this one is not");
    if (p->method == CT_METHOD_MEASURED && p->nhosts == 0)
        return at(t, p, e, "hosts is missing: list the hosts whose measured energy belongs here");
    return 0;
}

/* Provided rows count once: two platforms of one provider may not both take
 * "the rest" (no accounts list), nor both list one account. a comes before b. */
static int check_claims(const struct ct_team *t, const struct ct_platform *a,
                        const struct ct_platform *b, ct_err *e)
{
    const char *pa = ct_platform_provider(a), *pb = ct_platform_provider(b);
    if (!pa || !pb || strcmp(pa, pb) != 0)
        return 0;
    if (a->naccounts == 0 && b->naccounts == 0)
        return ct_errf(e, "%s:%d: [platform %s] and [platform %s] both claim every %s row that "
                          "no other platform claims; list the accounts (or subscriptions, "
                          "projects) of one of them", t->path, line_of(b, K_PROVIDER | K_LOCATION),
                       a->name, b->name, pa);
    for (size_t i = 0; i < a->naccounts; i++)
        for (size_t k = 0; k < b->naccounts; k++)
            if (strcmp(a->accounts[i], b->accounts[k]) == 0)
                return ct_errf(e, "%s:%d: %s account '%s' is claimed by both [platform %s] and "
                                  "[platform %s]; a provider's row counts once", t->path,
                               line_of(b, K_ACCOUNTS), pa, a->accounts[i], a->name, b->name);
    return 0;
}

int ct_team_validate(struct ct_team *t, ct_err *e)
{
    if (ct_team_index(t, e) < 0)
        return -1;
    /* Platforms in file order, each against the ones before it; the indexes
     * keep this near-linear for teams of thousands of platforms. */
    size_t *prov = malloc(sizeof *prov * (t->nplat ? t->nplat : 1)), nprov = 0;
    if (!prov)
        return ct_errf(e, "%s: out of memory reading the team file", t->path);
    int rc = 0;
    for (size_t i = 0; i < t->nplat && rc == 0; i++) {
        const struct ct_platform *p = &t->plat[i];
        if (validate_platform(t, &t->plat[i], e) < 0) {
            rc = -1;
            break;
        }
        for (size_t h = 0; h < p->nhosts && rc == 0; h++) {
            const struct ct_platform *first = ct_team_first_owner(t, p->hosts[h]);
            if (first && first < p)
                rc = ct_errf(e, "%s:%d: host '%s' belongs to both [platform %s] and [platform "
                                "%s]; a host counts once", t->path, line_of(p, K_HOSTS), p->hosts[h],
                             first->name, p->name);
        }
        if (!ct_platform_provider(p))
            continue;
        for (size_t j = 0; j < nprov && rc == 0; j++)
            rc = check_claims(t, &t->plat[prov[j]], p, e);
        prov[nprov++] = i;
    }
    free(prov);
    return rc;
}
