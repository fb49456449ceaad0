#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/timeutil.h"
#include "report/render.h"

/* A figure in the unit that keeps it readable: below 1 in the smaller unit,
 * from 100000 in the bigger, so nothing that matters prints as "0.0". The
 * scale of an interval follows its figure's, so the three read together. */
struct unit {
    const char *small, *base, *big;
};
static const struct unit ENERGY = {"Wh", "kWh", "MWh"}, MASS = {"g", "kg", "t"};

static double scale_of(double v)
{
    double a = fabs(v);
    return a > 0 && a < 1 ? 1000 : a >= 1e5 ? 1e-3 : 1;
}

static void fmt_in(char *o, size_t n, double v, double scale, const struct unit *u)
{
    const char *name = scale > 1 ? u->small : scale < 1 ? u->big : u->base;
    double x = v * scale;
    if (x == 0)
        snprintf(o, n, "0 %s", name);
    else if (fabs(x) < 0.1)
        snprintf(o, n, "%.2g %s", x, name);
    else
        snprintf(o, n, "%.*f %s", scale < 1 ? 2 : 1, x, name);
}

static void fmt_unit(char *o, size_t n, double v, const struct unit *u)
{
    fmt_in(o, n, v, scale_of(v), u);
}

static void fmt_num(ct_buf *b, int width, double v, int prec)
{
    if (isnan(v))
        ct_buf_printf(b, "%*s", width, "mixed");
    else
        ct_buf_printf(b, "%*.*f", width, prec, v);
}

/* The extrapolated figure and its interval, or why there is none. */
static void extrap(ct_buf *b, int has_interval, double ex, double lo, double hi, const char *basis)
{
    char v[32], l[32], h[32];
    double sc = scale_of(ex);
    fmt_in(v, sizeof v, ex, sc, &MASS);
    if (!has_interval) {
        ct_buf_printf(b, "  %12s (%s)", v, basis[0] ? basis : "no interval");
    } else if (hi > lo) {
        fmt_in(l, sizeof l, lo, sc, &MASS);
        fmt_in(h, sizeof h, hi, sc, &MASS);
        /* the unit once, after the interval */
        char *sp = strrchr(l, ' ');
        if (sp)
            *sp = '\0';
        ct_buf_printf(b, "  %12s [%s, %s]", v, l, h);
    } else {
        ct_buf_printf(b, "  %12s", v);
    }
}

static void row(ct_buf *b, const struct ct_group *g, int w)
{
    ct_buf_printf(b, "%-*s %-10s", w, g->key, g->method);
    if (g->nseries == 0) {
        ct_buf_puts(b, "  no data in this period\n");
        return;
    }
    char e[32], k[32];
    fmt_unit(e, sizeof e, g->energy_kwh, &ENERGY);
    fmt_unit(k, sizeof k, g->kgco2e, &MASS);
    ct_buf_printf(b, "%13s", e);
    fmt_num(b, 6, g->pue, 2);
    fmt_num(b, 8, g->factor, 3);
    ct_buf_printf(b, "%13s", k);
    ct_buf_printf(b, " %6.1f%% %6.1f%%", g->share * 100, g->coverage * 100);
    extrap(b, g->has_interval, g->extrapolated, g->lo, g->hi, g->basis);
    if (g->hosts_listed && g->hosts_reported < g->hosts_listed)
        ct_buf_printf(b, "  (%d of %d hosts)", g->hosts_reported, g->hosts_listed);
    ct_buf_puts(b, "\n");
}

static void explain_group(ct_buf *b, const struct ct_group *g)
{
    for (int i = 0; i < g->nuses; i++) {
        const struct ct_factor_use *u = &g->uses[i];
        const struct ct_source *s = ct_source_get(u->f.source);
        ct_buf_printf(b, "  %-22.22s %s: %.4f kgCO2e/kWh", g->key, u->f.code, u->f.kg_per_kwh);
        if (u->f.year)
            ct_buf_printf(b, " (%d", u->f.year);
        else
            ct_buf_puts(b, " (undated");
        ct_buf_printf(b, ", %s) from %s; PUE %.3f (%s); %.1f kWh -> %.1f kgCO2e\n",
                      ct_basis_name(u->f.basis), s ? s->title : u->f.source, u->pue,
                      u->pue_source ? u->pue_source : "", u->energy_kwh, u->kgco2e);
        if (u->f.note[0])
            ct_buf_printf(b, "  %-22s note: %s\n", "", u->f.note);
    }
}

static void equivalents(ct_buf *b, double kg)
{
    /* The terminal shows the three everyday ones; JSON carries them all. */
    static const char *shown[] = {"flight_ny_sf", "car_km", "home_year"};
    int n;
    const struct ct_equivalent *eq = ct_equivalents(&n);
    ct_buf_printf(b, "\nThe extrapolated total, %.1f kgCO2e, is about:\n", kg);
    for (int i = 0; i < n; i++) {
        int show = 0;
        for (size_t k = 0; k < sizeof shown / sizeof *shown; k++)
            show |= strcmp(eq[i].key, shown[k]) == 0;
        if (!show)
            continue;
        const struct ct_source *s = ct_source_get(eq[i].source);
        ct_buf_printf(b, "  %12.1f %s (%.4g kgCO2e each; %s)\n", kg / eq[i].kg_per_unit,
                      eq[i].label, eq[i].kg_per_unit, s ? s->title : eq[i].source);
    }
}

void ct_render_table(const struct ct_report *r, int explain, ct_buf *b)
{
    char f[11], t[11];
    ct_fmt_date(r->from, f);
    ct_fmt_date(r->to - 1, t);
    ct_buf_printf(b, "%s%s%s, %s to %s, by %s\n\n", "co2tally report", r->team[0] ? ": " : "",
                  r->team, f, t, ct_group_by_name(r->by));
    /* The key column is as wide as its widest key: keys are never cut. */
    int w = 8;
    for (int i = 0; i < r->ngroups; i++)
        w = (int)strlen(r->groups[i].key) > w ? (int)strlen(r->groups[i].key) : w;
    ct_buf_printf(b, "%-*s %-10s%13s%6s%8s%13s%8s%8s  %s\n", w, ct_group_by_name(r->by),
                  "method", "energy", "PUE", "kg/kWh", "observed", "share", "cover",
                  "extrapolated CO2e [95% interval]");
    for (int i = 0; i < r->ngroups; i++)
        row(b, &r->groups[i], w);
    char e[32], k[32];
    fmt_unit(e, sizeof e, r->energy_kwh, &ENERGY);
    fmt_unit(k, sizeof k, r->kgco2e, &MASS);
    ct_buf_printf(b, "%-*s %-10s%13s%6s%8s%13s %6.1f%% %6.1f%%", w, "total", "", e, "", "", k,
                  r->extrapolated > 0 ? 100.0 : 0.0, r->coverage * 100);
    extrap(b, r->has_interval, r->extrapolated, r->lo, r->hi, r->basis);
    ct_buf_puts(b, "\n");
    ct_buf_puts(b, "\nenergy: drawn by the devices, before PUE; observed: the CO2e the ledger holds "
                   "for the\nperiod; share: of the extrapolated total.\n");
    if (r->by != CT_BY_PLATFORM)
        for (int i = 0; i < r->nplats; i++)
            if (r->plats[i].nseries == 0)
                ct_buf_printf(b, "platform %s: no data in this period\n", r->plats[i].key);
    if (r->energy_kwh == 0 && r->kgco2e == 0 && r->other_basis_kg == 0)
        ct_buf_puts(b, "\nThe ledger holds no figures in this period. Run `co2tally estimate` for "
                       "calculated platforms, or import or measure some.\n");
    else if (r->kgco2e == 0 && r->other_basis_kg > 0)
        ct_buf_printf(b, "\nThe period holds only %s-based provided figures (%.1f kgCO2e): "
                      "use --basis %s to count them.\n", r->market ? "location" : "market",
                      r->other_basis_kg, r->market ? "location" : "market");
    for (int i = 0; i < r->noverlaps; i++)
        ct_buf_printf(b, "%soverlap, left out: %s of platform %s, %.1f kgCO2e observed\n",
                      i ? "" : "\n", r->overlaps[i].what, r->overlaps[i].platform,
                      r->overlaps[i].kgco2e);
    for (int i = 0; i < r->nproviders; i++) {
        ct_buf_printf(b, "%s%s's own figures: scopes", i ? "" : "\n", r->providers[i].provider);
        for (int s = 1; s <= 3; s++)
            if (r->providers[i].scopes & (1 << s))
                ct_buf_printf(b, " %d", s);
        ct_buf_printf(b, ", %s-based, %.1f kgCO2e\n", r->market ? "market" : "location",
                      r->providers[i].kgco2e);
    }
    if (r->coverage < 1 - 1e-9 && r->extrapolated > 0)
        ct_buf_printf(b, "\nExtrapolation: %s.\n", r->interval_method);
    if (explain) {
        ct_buf_puts(b, "\nWhere each figure comes from (energy before PUE; kgCO2e = kWh x PUE x factor):\n");
        for (int i = 0; i < r->ngroups; i++)
            explain_group(b, &r->groups[i]);
    }
    if (r->extrapolated > 0)
        equivalents(b, r->extrapolated);
    for (int i = 0; i < r->nwarnings; i++)
        ct_buf_printf(b, "%swarning: %s\n", i ? "" : "\n", r->warnings[i]);
}
