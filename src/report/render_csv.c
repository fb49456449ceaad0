#include "report/render.h"

static void num(ct_buf *b, double v)
{
    ct_buf_puts(b, ",");
    if (v == v)
        ct_buf_printf(b, "%.17g", v);
}

void ct_render_csv(const struct ct_report *r, ct_buf *b)
{
    ct_buf_printf(b, "%s,method,energy_kwh,pue,factor_kg_per_kwh,factor_source,factor_year,"
                     "kgco2e,share,coverage,extrapolated_kgco2e,interval_lo_kgco2e,"
                     "interval_hi_kgco2e,basis,share_observed\n", ct_group_by_name(r->by));
    for (int i = 0; i < r->ngroups; i++) {
        const struct ct_group *g = &r->groups[i];
        const struct ct_source *s = g->factor_source ? ct_source_get(g->factor_source) : NULL;
        ct_buf_csv_str(b, g->key);
        ct_buf_puts(b, ",");
        ct_buf_csv_str(b, g->method);
        num(b, g->energy_kwh);
        num(b, g->pue);
        num(b, g->factor);
        ct_buf_puts(b, ",");
        ct_buf_csv_str(b, s ? s->title : g->factor_source ? g->factor_source : "");
        ct_buf_puts(b, ",");
        if (g->factor_year)
            ct_buf_printf(b, "%d", g->factor_year);
        num(b, g->kgco2e);
        num(b, g->share);
        num(b, g->coverage);
        num(b, g->extrapolated);
        num(b, g->lo);
        num(b, g->hi);
        ct_buf_puts(b, ",");
        ct_buf_csv_str(b, g->nseries ? g->basis : "no data in this period");
        num(b, g->share_observed);
        ct_buf_puts(b, "\n");
    }
    ct_buf_puts(b, "total,,");
    ct_buf_printf(b, "%.17g,,,,,", r->energy_kwh);
    ct_buf_printf(b, "%.17g,1,%.17g,%.17g", r->kgco2e, r->coverage, r->extrapolated);
    num(b, r->lo);
    num(b, r->hi);
    ct_buf_puts(b, ",");
    ct_buf_csv_str(b, r->basis);
    ct_buf_puts(b, ",1\n");
}
