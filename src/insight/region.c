/* The cleaner-region finding: among the regions of the same provider in the
 * compiled-in factor tables, the cleanest one in the same area (the region
 * name's first part: "europe", "ap", "us"), else the cleanest anywhere, when
 * its factor is at most ratio_max times the current one. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "insight/insight.h"

struct search {
    char prefix[16];       /* "aws:" */
    char area[32];         /* "ap", "europe"; "" when the provider's names have none */
    const struct ct_factor *cur;
    int year;
    struct ct_factor best_all, best_area;
    int have_all, have_area;
};

/* Regions a team cannot simply move to: government and China partitions. */
static int restricted(const char *code)
{
    return strcasestr(code, "gov") != NULL || strncasecmp(code, "aws:cn-", 7) == 0;
}

static void area_of(const char *code, char *area, size_t n)
{
    const char *r = strchr(code, ':');
    const char *dash = r ? strchr(r + 1, '-') : NULL;
    if (!r || !dash || strncasecmp(code, "azure:", 6) == 0) {
        area[0] = '\0';
        return;
    }
    snprintf(area, n, "%.*s", (int)(dash - r - 1), r + 1);
    for (char *p = area; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

static int visit(const struct ct_factor *latest, void *ud)
{
    struct search *s = ud;
    struct ct_factor f;
    ct_err e;
    if (strncasecmp(latest->code, s->prefix, strlen(s->prefix)) != 0 || restricted(latest->code) ||
        strcasecmp(latest->code, s->cur->code) == 0)
        return 0;
    if (ct_factor_lookup(latest->code, s->year, &f, &e) < 0 || !(f.kg_per_kwh >= 0))
        return 0;
    if (!s->have_all || f.kg_per_kwh < s->best_all.kg_per_kwh) {
        s->best_all = f;
        s->have_all = 1;
    }
    char area[32];
    area_of(f.code, area, sizeof area);
    if (s->area[0] && strcmp(area, s->area) == 0 &&
        (!s->have_area || f.kg_per_kwh < s->best_area.kg_per_kwh)) {
        s->best_area = f;
        s->have_area = 1;
    }
    return 0;
}

static void describe(struct ct_finding *f, const struct ct_factor *cur, const struct ct_factor *to,
                     int same_area)
{
    snprintf(f->region, sizeof f->region, "%s", cur->code);
    snprintf(f->cleaner, sizeof f->cleaner, "%s", to->code);
    f->ratio = to->kg_per_kwh / cur->kg_per_kwh;
    snprintf(f->evidence, sizeof f->evidence, "%.40s (%.40s) is at %.3f kgCO2e/kWh; %.40s (%.40s)%s is at "
             "%.3f, %.0f %% less: at the same energy and PUE, about %.1f of its %.1f kgCO2e a "
             "year would go", cur->code, cur->name, cur->kg_per_kwh, to->code, to->name,
             same_area ? ", in the same area," : ", in another part of the world (latency and "
             "data residency permitting),", to->kg_per_kwh, 100 * (1 - f->ratio),
             f->kgco2e_per_year * (1 - f->ratio), f->kgco2e_per_year);
}

int ct_find_cleaner_region(const char *loc, int year, double ratio_max, struct ct_finding *f)
{
    struct ct_factor cur;
    ct_err e;
    if (ct_factor_lookup(loc, year, &cur, &e) < 0 || !(cur.kg_per_kwh > 0))
        return 0;
    struct search s = {.cur = &cur, .year = year};
    const char *colon = strchr(cur.code, ':');
    if (!colon || (size_t)(colon - cur.code) + 1 >= sizeof s.prefix)
        return 0;
    snprintf(s.prefix, sizeof s.prefix, "%.*s", (int)(colon - cur.code) + 1, cur.code);
    area_of(cur.code, s.area, sizeof s.area);
    ct_factor_each(visit, &s);
    if (s.have_area && s.best_area.kg_per_kwh <= ratio_max * cur.kg_per_kwh) {
        describe(f, &cur, &s.best_area, 1);
        return 1;
    }
    if (s.have_all && s.best_all.kg_per_kwh <= ratio_max * cur.kg_per_kwh) {
        describe(f, &cur, &s.best_all, 0);
        return 1;
    }
    return 0;
}
