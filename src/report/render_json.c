#include <math.h>

#include "core/timeutil.h"
#include "report/render.h"
#include "report/sci.h"

static void num(ct_buf *b, const char *key, double v, int comma)
{
    ct_buf_json_str(b, key);
    ct_buf_puts(b, ": ");
    ct_buf_json_num(b, v);
    if (comma)
        ct_buf_puts(b, ", ");
}

static void str(ct_buf *b, const char *key, const char *v, int comma)
{
    ct_buf_json_str(b, key);
    ct_buf_puts(b, ": ");
    if (v)
        ct_buf_json_str(b, v);
    else
        ct_buf_puts(b, "null");
    if (comma)
        ct_buf_puts(b, ", ");
}

/* The interval, or null with the reason in "basis". */
static void interval(ct_buf *b, int has, double lo, double hi, const char *basis)
{
    if (!has) {
        ct_buf_puts(b, "\"interval_kgco2e\": null, ");
        str(b, "basis", basis[0] ? basis : "no interval", 0);
        return;
    }
    ct_buf_puts(b, "\"interval_kgco2e\": [");
    ct_buf_json_num(b, lo);
    ct_buf_puts(b, ", ");
    ct_buf_json_num(b, hi);
    ct_buf_puts(b, "], \"basis\": null");
}

static void uses(ct_buf *b, const struct ct_group *g)
{
    ct_buf_puts(b, ", \"factors\": [");
    for (int i = 0; i < g->nuses; i++) {
        const struct ct_factor_use *u = &g->uses[i];
        const struct ct_source *s = ct_source_get(u->f.source);
        ct_buf_puts(b, i ? ", {" : "{");
        str(b, "location", u->f.code, 1);
        num(b, "factor_kg_per_kwh", u->f.kg_per_kwh, 1);
        num(b, "factor_year", u->f.year ? u->f.year : NAN, 1);
        num(b, "year_asked", u->f.year_asked, 1);
        str(b, "basis", ct_basis_name(u->f.basis), 1);
        str(b, "source", s ? s->title : u->f.source, 1);
        str(b, "note", u->f.note, 1);
        num(b, "pue", u->pue, 1);
        str(b, "pue_source", u->pue_source, 1);
        num(b, "energy_kwh", u->energy_kwh, 1);
        num(b, "kgco2e", u->kgco2e, 0);
        ct_buf_puts(b, "}");
    }
    ct_buf_puts(b, "]");
}

static void group(ct_buf *b, const struct ct_group *g, int explain)
{
    const struct ct_source *s = g->factor_source ? ct_source_get(g->factor_source) : NULL;
    ct_buf_puts(b, "{");
    str(b, "key", g->key, 1);
    str(b, "method", g->method, 1);
    num(b, "energy_kwh", g->energy_kwh, 1);
    num(b, "pue", g->pue, 1);
    num(b, "factor_kg_per_kwh", g->factor, 1);
    str(b, "factor_source", s ? s->title : g->factor_source, 1);
    num(b, "factor_year", g->factor_year ? g->factor_year : NAN, 1);
    num(b, "kgco2e", g->kgco2e, 1);
    num(b, "share", g->share, 1);
    num(b, "share_observed", g->share_observed, 1);
    num(b, "coverage", g->coverage, 1);
    num(b, "extrapolated_kgco2e", g->extrapolated, 1);
    interval(b, g->has_interval, g->lo, g->hi, g->basis);
    ct_buf_puts(b, ", ");
    num(b, "idle_kwh", g->idle_kwh, 1);
    num(b, "series", g->nseries, 1);
    num(b, "units", g->units, 0);
    if (g->in_team || g->hosts_listed) {
        ct_buf_puts(b, ", \"in_team_file\": ");
        ct_buf_puts(b, g->in_team ? "true" : "false");
        ct_buf_puts(b, ", ");
        str(b, "status", g->nseries ? "data" : "no data in this period", 0);
    }
    if (g->hosts_listed) {
        ct_buf_puts(b, ", ");
        num(b, "hosts_listed", g->hosts_listed, 1);
        num(b, "hosts_reported", g->hosts_reported, 0);
    }
    if (explain)
        uses(b, g);
    ct_buf_puts(b, "}");
}

/* Per platform and month: observed and extrapolated kgCO2e; the months of a
 * platform add up to its extrapolated figure. */
static void months(ct_buf *b, const struct ct_report *r)
{
    ct_buf_puts(b, "  \"months\": [");
    for (int m = 0; m < r->nmonths; m++) {
        char key[8];
        ct_fmt_month(r->month_from[m], key);
        ct_buf_puts(b, m ? ",\n    {" : "\n    {");
        str(b, "month", key, 0);
        ct_buf_puts(b, ", \"platforms\": {");
        for (int i = 0; i < r->nplats; i++) {
            const struct ct_month_cell *c = ct_report_cell(r, i, m);
            ct_buf_puts(b, i ? ", " : "");
            ct_buf_json_str(b, r->plats[i].key);
            ct_buf_puts(b, ": {");
            num(b, "kgco2e", c->kg, 1);
            num(b, "extrapolated_kgco2e", c->extrapolated, 0);
            ct_buf_puts(b, "}");
        }
        ct_buf_puts(b, "}}");
    }
    ct_buf_puts(b, r->nmonths ? "\n  ],\n" : "],\n");
}

static void equivalents(ct_buf *b, double kg)
{
    int n;
    const struct ct_equivalent *eq = ct_equivalents(&n);
    ct_buf_puts(b, "  \"equivalents\": [");
    for (int i = 0; i < n; i++) {
        const struct ct_source *s = ct_source_get(eq[i].source);
        ct_buf_puts(b, i ? ",\n    {" : "\n    {");
        str(b, "key", eq[i].key, 1);
        str(b, "label", eq[i].label, 1);
        num(b, "count", kg / eq[i].kg_per_unit, 1);
        num(b, "kgco2e_per_unit", eq[i].kg_per_unit, 1);
        str(b, "source", s ? s->title : eq[i].source, 0);
        ct_buf_puts(b, "}");
    }
    ct_buf_puts(b, "\n  ],\n");
}

void ct_render_json(const struct ct_report *r, int explain, ct_buf *b)
{
    char f[21], t[21];
    ct_fmt_iso(r->from, f);
    ct_fmt_iso(r->to, t);
    ct_buf_puts(b, "{\n  ");
    str(b, "team", r->team, 1);
    str(b, "by", ct_group_by_name(r->by), 0);
    ct_buf_puts(b, ",\n  \"period\": {");
    str(b, "from", f, 1);
    str(b, "to", t, 0);
    ct_buf_puts(b, "},\n  \"total\": {");
    num(b, "energy_kwh", r->energy_kwh, 1);
    num(b, "kgco2e", r->kgco2e, 1);
    num(b, "coverage", r->coverage, 1);
    num(b, "extrapolated_kgco2e", r->extrapolated, 1);
    interval(b, r->has_interval, r->lo, r->hi, r->basis);
    ct_buf_puts(b, "},\n  ");
    str(b, "interval_method", r->interval_method, 1);
    str(b, "basis", r->market ? "market" : "location", 0);
    ct_buf_puts(b, ",\n  \"providers\": [");
    for (int i = 0; i < r->nproviders; i++) {
        ct_buf_puts(b, i ? ", {" : "{");
        str(b, "provider", r->providers[i].provider, 1);
        ct_buf_puts(b, "\"scopes\": [");
        for (int s = 1, n = 0; s <= 3; s++)
            if (r->providers[i].scopes & (1 << s))
                ct_buf_printf(b, "%s%d", n++ ? ", " : "", s);
        ct_buf_puts(b, "], ");
        num(b, "kgco2e", r->providers[i].kgco2e, 0);
        ct_buf_puts(b, "}");
    }
    ct_buf_puts(b, "]");
    ct_buf_puts(b, ",\n  \"groups\": [");
    for (int i = 0; i < r->ngroups; i++) {
        ct_buf_puts(b, i ? ",\n    " : "\n    ");
        group(b, &r->groups[i], explain);
    }
    ct_buf_puts(b, r->ngroups ? "\n  ],\n" : "],\n");
    ct_buf_puts(b, "  \"platforms\": [");
    for (int i = 0; i < r->nplats; i++) {
        ct_buf_puts(b, i ? ",\n    " : "\n    ");
        group(b, &r->plats[i], explain);
    }
    ct_buf_puts(b, r->nplats ? "\n  ],\n" : "],\n");
    months(b, r);
    ct_buf_puts(b, "  \"overlaps\": [");
    for (int i = 0; i < r->noverlaps; i++) {
        ct_buf_puts(b, i ? ", {" : "{");
        str(b, "platform", r->overlaps[i].platform, 1);
        str(b, "what", r->overlaps[i].what, 1);
        num(b, "energy_kwh", r->overlaps[i].energy_kwh, 1);
        num(b, "kgco2e", r->overlaps[i].kgco2e, 0);
        ct_buf_puts(b, "}");
    }
    ct_buf_puts(b, "],\n  ");
    num(b, "other_basis_provided_kgco2e", r->other_basis_kg, 0);
    ct_buf_puts(b, ",\n");
    equivalents(b, r->extrapolated);
    ct_buf_puts(b, "  \"warnings\": [");
    for (int i = 0; i < r->nwarnings; i++) {
        ct_buf_puts(b, i ? ", " : "");
        ct_buf_json_str(b, r->warnings[i]);
    }
    ct_buf_puts(b, "]");
    if (r->advice) {
        ct_buf_puts(b, ",\n  \"advice\": ");
        ct_advice_json(r->advice, b);
    }
    if (r->sci) {
        ct_buf_puts(b, ",\n  \"sci\": ");
        ct_sci_json_object(r->sci, b);
    }
    ct_buf_puts(b, "\n}\n");
}
