/* What the platform rows say beyond their figures: hosts a platform lists that
 * sent nothing, and platforms with no data in the period. */
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "report/model_int.h"

/* Marks seen[k] for each entry of the team's by_host view that some counted
 * series came from. */
void ct_model_mark_hosts(const struct ctx *c, unsigned char *seen)
{
    const struct ct_team *t = c->t;
    for (size_t k = 0; k < c->nser; k++) {
        const struct series *s = &c->ser[k];
        if (s->plat >= (int)t->nplat || t->plat[s->plat].nhosts == 0)
            continue;
        size_t lo = 0, hi = t->nby_host;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int cmp = strcmp(t->by_host[mid].host, s->host);
            if (cmp < 0 || (cmp == 0 && t->by_host[mid].plat < (size_t)s->plat))
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < t->nby_host && t->by_host[lo].plat == (size_t)s->plat &&
            strcmp(t->by_host[lo].host, s->host) == 0)
            seen[lo] = 1;
    }
}

static int host_seen(const struct ct_team *t, const unsigned char *seen, size_t plat,
                     const char *host)
{
    size_t lo = 0, hi = t->nby_host;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(t->by_host[mid].host, host);
        if (cmp < 0 || (cmp == 0 && t->by_host[mid].plat < plat))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->nby_host && t->by_host[lo].plat == plat && seen[lo];
}

/* Hosts listed for a measured platform that sent nothing. */
void ct_model_silent_hosts(struct ctx *c, int plat, const unsigned char *seen)
{
    const struct ct_platform *p = &c->t->plat[plat];
    struct ct_group *g = &c->r->plats[plat];
    if (p->method != CT_METHOD_MEASURED || p->nhosts == 0 || !c->t->by_host)
        return;
    char silent[256] = "";
    int n = 0;
    for (size_t h = 0; h < p->nhosts; h++) {
        if (host_seen(c->t, seen, (size_t)plat, p->hosts[h]))
            continue;
        if (n++ < 5) {
            size_t len = strlen(silent);
            snprintf(silent + len, sizeof silent - len, "%s%s", len ? ", " : "", p->hosts[h]);
        }
    }
    g->hosts_reported = g->hosts_listed - n;
    if (n && g->hosts_reported)
        ct_model_warn(c->r, "platform '%s': %d of %d hosts reported in this period; nothing from "
                      "%s%s (run the agent there, or import their logs)", p->name,
                      g->hosts_reported, g->hosts_listed, silent, n > 5 ? ", ..." : "");
}

static void no_data_warning(struct ctx *c, int plat)
{
    const struct ct_platform *p = &c->t->plat[plat];
    char year[8];
    snprintf(year, sizeof year, "%d", ct_year_of(c->r->from));
    if (p->method == CT_METHOD_CALCULATED && p->calc_source == CT_CALC_ESTIMATE)
        ct_model_warn(c->r, "platform '%s' has no data in this period: run `co2tally estimate "
                      "--year %s`", p->name, year);
    else if (p->method == CT_METHOD_CALCULATED)
        ct_model_warn(c->r, "platform '%s' has no data in this period: import its usage rows "
                      "with `co2tally import --format usage --platform %s`", p->name, p->name);
    else if (p->method == CT_METHOD_MEASURED)
        ct_model_warn(c->r, "platform '%s' has no data in this period: none of its %zu host(s) "
                      "reported (run the agent there, or import their logs)", p->name, p->nhosts);
    else
        ct_model_warn(c->r, "platform '%s' has no data in this period: import its provider's "
                      "export", p->name);
}

/* One warning per platform without data; past a few, one that counts them
 * (the report lists each such platform anyway). */
void ct_model_no_data_warnings(struct ctx *c)
{
    int n = 0;
    char some[200] = "";
    for (size_t i = 0; i < c->t->nplat; i++)
        if (c->r->plats[i].nseries == 0 && n++ < 4) {
            size_t len = strlen(some);
            snprintf(some + len, sizeof some - len, "%s%s", len ? ", " : "", c->t->plat[i].name);
        }
    if (n > 5) {
        ct_model_warn(c->r, "%d platforms of the team file have no data in this period (%s, ...); "
                      "the report lists each", n, some);
        return;
    }
    for (size_t i = 0; i < c->t->nplat; i++)
        if (c->r->plats[i].nseries == 0)
            no_data_warning(c, (int)i);
}

