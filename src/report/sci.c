/* Software Carbon Intensity from the report model and the team file (sci.h). */
#include "report/sci.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

#define YEAR_S (365.25 * CT_DAY)

static double units_of(const struct ct_platform *p)
{
    if (p->method == CT_METHOD_CALCULATED)
        return p->count;
    if (p->method == CT_METHOD_MEASURED)
        return p->nhosts ? (double)p->nhosts : 1;
    return 1;
}

static void part_of(const struct ct_report *r, const struct ct_group *g, const struct ct_team *t,
                    struct ct_sci_part *pt)
{
    snprintf(pt->platform, sizeof pt->platform, "%s", g->key);
    snprintf(pt->method, sizeof pt->method, "%s", g->method);
    /* The group's extrapolation scales its energy as it scales its kgCO2e. */
    double scale = g->kgco2e > 0 ? g->extrapolated / g->kgco2e : 1, e = 0;
    for (int u = 0; u < g->nuses; u++)
        e += g->uses[u].energy_kwh * g->uses[u].pue;
    pt->e_kwh = g->nuses ? e * scale : NAN;
    pt->op_kg = g->extrapolated;
    pt->m_kg = pt->units = pt->embodied_per_unit = pt->lifetime_years = NAN;
    const struct ct_platform *p = ct_team_platform(t, g->key);
    if (!p || isnan(p->embodied_kgco2e) || !(p->lifetime_years > 0))
        return;
    pt->units = units_of(p);
    pt->embodied_per_unit = p->embodied_kgco2e;
    pt->lifetime_years = p->lifetime_years;
    pt->m_kg = p->embodied_kgco2e * pt->units * (double)(r->to - r->from) / (p->lifetime_years * YEAR_S);
}

/* Platforms with embodied figures but no energy in the period still carry M. */
static void idle_platforms(const struct ct_report *r, const struct ct_team *t, struct ct_sci *s)
{
    for (size_t i = 0; i < t->nplat; i++) {
        const struct ct_platform *p = &t->plat[i];
        int found = 0;
        for (int k = 0; k < s->nparts && !found; k++)
            found = strcmp(s->parts[k].platform, p->name) == 0;
        if (found || isnan(p->embodied_kgco2e))
            continue;
        struct ct_group g = {.extrapolated = 0};
        snprintf(g.key, sizeof g.key, "%s", p->name);
        snprintf(g.method, sizeof g.method, "%s", ct_method_name(p->method));
        part_of(r, &g, t, &s->parts[s->nparts]);
        s->parts[s->nparts++].e_kwh = 0;
    }
}

static void totals(const struct ct_report *r, struct ct_sci *s)
{
    for (int k = 0; k < s->nparts; k++) {
        const struct ct_sci_part *pt = &s->parts[k];
        s->op_kg += pt->op_kg;
        if (!isnan(pt->e_kwh))
            s->e_kwh += pt->e_kwh;
        else
            s->has_provided = 1;
        if (!isnan(pt->m_kg))
            s->m_kg += pt->m_kg;
        else if (pt->op_kg > 0)
            s->missing_m++;
    }
    double op_energy = s->op_kg;
    for (int k = 0; k < s->nparts; k++)
        if (isnan(s->parts[k].e_kwh))
            op_energy -= s->parts[k].op_kg;
    s->i_kg_per_kwh = s->e_kwh > 0 ? op_energy / s->e_kwh : NAN;
    s->sci = (s->op_kg + s->m_kg) / s->r;
    /* NAN (no interval) when the total has too little data for one */
    s->sci_lo = r->has_interval ? (r->lo + s->m_kg) / s->r : NAN;
    s->sci_hi = r->has_interval ? (r->hi + s->m_kg) / s->r : NAN;
}

int ct_sci_compute(const struct ct_report *r, const struct ct_team *t, double per,
                   const char *unit, struct ct_sci *s, ct_err *e)
{
    memset(s, 0, sizeof *s);
    if (!(per > 0) || !isfinite(per))
        return ct_errf(e, "--per wants a positive count of functional units");
    s->from = r->from;
    s->to = r->to;
    s->r = per;
    snprintf(s->unit, sizeof s->unit, "%s", unit && unit[0] ? unit : "unit");
    s->parts = calloc((size_t)r->nplats + t->nplat + 1, sizeof *s->parts);
    if (!s->parts)
        return ct_errf(e, "out of memory computing SCI");
    for (int i = 0; i < r->nplats; i++)
        if (r->plats[i].nseries)
            part_of(r, &r->plats[i], t, &s->parts[s->nparts++]);
    idle_platforms(r, t, s);
    totals(r, s);
    return 0;
}

void ct_sci_free(struct ct_sci *s)
{
    free(s->parts);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------ rendering */

static void text_part(ct_buf *b, const struct ct_sci_part *pt)
{
    ct_buf_printf(b, "  %-24.24s %-10s", pt->platform, pt->method);
    if (isnan(pt->e_kwh))
        ct_buf_printf(b, " %12s", "provided");
    else
        ct_buf_printf(b, " %12.1f", pt->e_kwh);
    ct_buf_printf(b, " %12.1f", pt->op_kg);
    if (isnan(pt->m_kg))
        ct_buf_printf(b, " %12s  not given\n", "-");
    else
        ct_buf_printf(b, " %12.1f  %g x %g kgCO2e over %g years\n", pt->m_kg, pt->units,
                      pt->embodied_per_unit, pt->lifetime_years);
}

static void text_scope(const struct ct_sci *s, ct_buf *b)
{
    ct_buf_puts(b, "\nIncluded: the ledger's device energy with the facility overhead (PUE) at the "
                   "grid factor\nof each platform's location and year, extrapolated to the period");
    ct_buf_puts(b, s->has_provided ? "; providers' own scope 1 and 2\nfigures where energy is not "
                                     "known" : "");
    ct_buf_puts(b, "; embodied emissions of the platforms\nthat give embodied_kgco2e and "
                   "lifetime_years, as the period's share of the lifetime.\n");
    ct_buf_printf(b, "Excluded: embodied emissions of %d platform(s) with energy but no embodied "
                     "figures%s;\nnetworks outside the ledger, end users' devices, and "
                     "providers' scope 3.\n", s->missing_m,
                  s->missing_m ? " (add embodied_kgco2e and lifetime_years to their sections)" : "");
}

void ct_sci_text(const struct ct_sci *s, ct_buf *b)
{
    char f[11], t[11];
    ct_fmt_date(s->from, f);
    ct_fmt_date(s->to - 1, t);
    ct_buf_printf(b, "SCI (Green Software Foundation; ISO/IEC 21031:2024), %s to %s\n\n", f, t);
    ct_buf_printf(b, "  SCI = ((E x I) + M) per R = (%.1f + %.1f) kgCO2e / %g %s\n", s->op_kg,
                  s->m_kg, s->r, s->unit);
    if (isnan(s->sci_lo))
        ct_buf_printf(b, "      = %.6g kgCO2e per %s (no interval: too little data)\n\n", s->sci,
                      s->unit);
    else
        ct_buf_printf(b, "      = %.6g kgCO2e per %s [95%% interval %.6g to %.6g]\n\n", s->sci,
                      s->unit, s->sci_lo, s->sci_hi);
    ct_buf_printf(b, "  E     %12.1f kWh (device energy x PUE, extrapolated to the period)\n", s->e_kwh);
    if (isnan(s->i_kg_per_kwh))
        ct_buf_printf(b, "  I     %12s (no energy in the period)\n", "n/a");
    else
        ct_buf_printf(b, "  I     %12.4f kgCO2e/kWh (E x I over E, energy platforms only)\n",
                      s->i_kg_per_kwh);
    ct_buf_printf(b, "  E x I %12.1f kgCO2e (operational)\n", s->op_kg);
    ct_buf_printf(b, "  M     %12.1f kgCO2e (embodied, amortised over the hardware's lifetime)\n", s->m_kg);
    ct_buf_printf(b, "  R     %12g %s\n\n", s->r, s->unit);
    ct_buf_printf(b, "  %-24s %-10s %12s %12s %12s  %s\n", "platform", "method", "E kWh", "E x I kg",
                  "M kg", "embodied");
    for (int k = 0; k < s->nparts; k++)
        text_part(b, &s->parts[k]);
    text_scope(s, b);
}

static void jkv(ct_buf *b, const char *key, double v, int comma)
{
    ct_buf_json_str(b, key);
    ct_buf_puts(b, ": ");
    ct_buf_json_num(b, v);
    if (comma)
        ct_buf_puts(b, ", ");
}

static void json_part(ct_buf *b, const struct ct_sci_part *pt)
{
    ct_buf_puts(b, "{\"platform\": ");
    ct_buf_json_str(b, pt->platform);
    ct_buf_puts(b, ", \"method\": ");
    ct_buf_json_str(b, pt->method);
    ct_buf_puts(b, ", ");
    jkv(b, "e_kwh", pt->e_kwh, 1);
    jkv(b, "operational_kgco2e", pt->op_kg, 1);
    jkv(b, "embodied_kgco2e", pt->m_kg, 1);
    jkv(b, "units", pt->units, 1);
    jkv(b, "embodied_kgco2e_per_unit", pt->embodied_per_unit, 1);
    jkv(b, "lifetime_years", pt->lifetime_years, 0);
    ct_buf_puts(b, "}");
}

void ct_sci_json_object(const struct ct_sci *s, ct_buf *b)
{
    char f[21], t[21];
    ct_fmt_iso(s->from, f);
    ct_fmt_iso(s->to, t);
    ct_buf_printf(b, "{\"standard\": \"GSF SCI, ISO/IEC 21031:2024\", "
                     "\"formula\": \"((E x I) + M) per R\",\n  \"period\": {\"from\": \"%s\", "
                     "\"to\": \"%s\"}, \"unit\": ", f, t);
    ct_buf_json_str(b, s->unit);
    ct_buf_puts(b, ",\n  ");
    jkv(b, "r", s->r, 1);
    jkv(b, "e_kwh", s->e_kwh, 1);
    jkv(b, "i_kgco2e_per_kwh", s->i_kg_per_kwh, 1);
    jkv(b, "operational_kgco2e", s->op_kg, 1);
    jkv(b, "embodied_kgco2e", s->m_kg, 1);
    jkv(b, "kgco2e_per_unit", s->sci, 1);
    ct_buf_puts(b, isnan(s->sci_lo) ? "\"interval_kgco2e_per_unit\": null" :
                                      "\"interval_kgco2e_per_unit\": [");
    if (!isnan(s->sci_lo)) {
        ct_buf_json_num(b, s->sci_lo);
        ct_buf_puts(b, ", ");
        ct_buf_json_num(b, s->sci_hi);
        ct_buf_puts(b, "]");
    }
    ct_buf_printf(b, ",\n  \"included\": [\"device energy x PUE x grid factor, extrapolated\"%s, "
                     "\"embodied, amortised\"],\n  \"excluded\": [\"networks outside the ledger\", "
                     "\"end users' devices\", \"providers' scope 3\"], ",
                  s->has_provided ? ", \"providers' scope 1 and 2 figures\"" : "");
    jkv(b, "platforms_without_embodied", s->missing_m, 0);
    ct_buf_puts(b, ",\n  \"platforms\": [");
    for (int k = 0; k < s->nparts; k++) {
        ct_buf_puts(b, k ? ",\n    " : "\n    ");
        json_part(b, &s->parts[k]);
    }
    ct_buf_puts(b, "\n  ]}");
}

void ct_sci_json(const struct ct_sci *s, ct_buf *b)
{
    ct_buf_puts(b, "{\n  \"sci\": ");
    ct_sci_json_object(s, b);
    ct_buf_puts(b, "\n}\n");
}
