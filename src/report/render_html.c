/* The HTML report (render_html.h). Every user string goes through ct_buf_html;
 * numbers are printed in the C locale. */
#include "report/render_html_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "report/svg.h"

static const char css[] =
    ":root{--fg:#1c1c1c;--muted:#5a5a5a;--line:#dcdcdc;--accent:#0072B2}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
    "sans-serif;color:var(--fg);background:#eef0f2}\n"
    "main{max-width:62rem;margin:0 auto;padding:1.5rem 1.5rem 3rem;background:#fff}\n"
    "h1{font-size:1.6rem;margin:.1rem 0 .2rem}h2{font-size:1.2rem;margin:2rem 0 .6rem;"
    "padding-bottom:.25rem;border-bottom:2px solid var(--line)}h3{font-size:1rem;margin:1.2rem 0 .4rem}\n"
    ".kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.7rem;"
    "margin:1rem 0}\n"
    ".kpi{border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:4px;"
    "padding:.5rem .8rem}.kpi b{display:block;font-size:1.35rem;font-variant-numeric:tabular-nums}\n"
    ".kpi span{color:var(--muted);font-size:.82rem}\n"
    ".tbl{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.86rem}\n"
    "th,td{padding:.3rem .45rem;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top}th{font-weight:600;background:#f5f6f7}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".sw{display:inline-block;width:.8em;height:.8em;margin-right:.35em;border-radius:2px;"
    "vertical-align:-.05em}\n"
    ".chart{max-width:46rem;margin:.5rem 0 1rem;overflow-x:auto}td.k{white-space:nowrap}\n"
    "svg{width:100%;height:auto;display:block;font:12px system-ui,'DejaVu Sans',sans-serif;"
    "fill:#1c1c1c}\n"
    "svg .num{font-variant-numeric:tabular-nums}svg .small{font-size:11px}\n"
    "svg .grid{stroke:#e4e4e4}svg .divide{stroke:#777;stroke-dasharray:5 4}\n"
    "svg .quad{fill:#8a8a8a;font-style:italic}\n"
    "svg .on{font-weight:700;paint-order:stroke;stroke:#fff;stroke-width:3px}\n"
    "svg .pt{fill:#fff;font-size:11px;font-weight:700}\n"
    ".note{color:var(--muted);font-size:.85rem}.warn{color:#8a3b00}"
    "ul.note li,p.note{overflow-wrap:anywhere}\n"
    ".tag{display:inline-block;padding:0 .4em;border-radius:3px;background:#eef3f8;"
    "font-size:.8rem;white-space:nowrap}.q0{background:#dff3e8}\n"
    "footer{margin-top:2.5rem;color:var(--muted);font-size:.8rem}\n"
    "@media (max-width:900px){td.n,td.k,th.n{white-space:normal}th,td{padding:.25rem .3rem}"
    "table{font-size:.8rem}}\n"
    "@media (max-width:600px){main{padding:1rem .7rem 2rem}"
    ".tbl table,.tbl tbody,.tbl tr,.tbl td,.tbl th{display:block;width:100%}"
    ".tbl thead{display:none}.tbl tr{border:1px solid var(--line);border-radius:4px;"
    "margin:0 0 .6rem;padding:.3rem .5rem}.tbl td,.tbl th{border:0;padding:.15rem 0;"
    "text-align:left!important;white-space:normal!important}"
    ".tbl td[data-l]::before{content:attr(data-l);display:inline-block;min-width:11.5em;"
    "color:var(--muted);font-size:.8rem}.kpis{grid-template-columns:1fr}}\n"
    "@page{size:A4;margin:14mm 12mm}\n"
    "@media print{body{background:#fff;font-size:10pt}main{max-width:none;padding:0}"
    ".chart{max-width:34rem}.chart,tr,.kpi{break-inside:avoid}h2,h3{break-after:avoid}"
    ".kpis{grid-template-columns:repeat(4,1fr)}.tbl{overflow:visible}table{font-size:8pt}th,td{padding:.2rem .3rem}td.k{white-space:normal}"
    "a{color:inherit;text-decoration:none}}\n";

static void h(ct_buf *b, const char *s)
{
    ct_buf_html(b, s);
}

/* Cells carry their column's name (data-l), which narrow screens show beside
 * the value when a row becomes a card. */
static void num_td(ct_buf *b, const char *label, double v, int prec)
{
    ct_buf_printf(b, "<td class=\"n\" data-l=\"%s\">", label);
    if (isnan(v))
        ct_buf_puts(b, "mixed</td>");
    else
        ct_buf_printf(b, "%.*f</td>", prec, v);
}

static void interval(ct_buf *b, const struct ct_group *g)
{
    ct_buf_printf(b, "<td class=\"n\" data-l=\"extrapolated kgCO2e\">%.1f", g->extrapolated);
    if (!g->has_interval) {
        ct_buf_puts(b, " <span class=\"note warn\">too little data: ");
        h(b, g->basis);
        ct_buf_puts(b, "</span>");
    } else if (g->hi > g->lo) {
        ct_buf_printf(b, " <span class=\"note\">[%.1f, %.1f]</span>", g->lo, g->hi);
    }
    ct_buf_puts(b, "</td>");
}

/* ------------------------------------------------------------ top */

static void head(ct_buf *b, const struct ct_report *r)
{
    ct_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>co2tally report");
    if (r->team[0]) {
        ct_buf_puts(b, ": ");
        h(b, r->team);
    }
    ct_buf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", css);
}

static void kpi(ct_buf *b, const char *value, const char *label)
{
    ct_buf_puts(b, "<div class=\"kpi\"><b>");
    h(b, value);
    ct_buf_puts(b, "</b><span>");
    h(b, label);
    ct_buf_puts(b, "</span></div>\n");
}

static void header(ct_buf *b, const struct ct_report *r, const struct ct_html_opts *o)
{
    char f[11], t[11], g[11], v[96], l[160];
    ct_fmt_date(r->from, f);
    ct_fmt_date(r->to - 1, t);
    ct_fmt_date(o->generated, g);
    ct_buf_puts(b, "<header>\n<h1>Carbon report");
    if (r->team[0]) {
        ct_buf_puts(b, ": ");
        h(b, r->team);
    }
    ct_buf_printf(b, "</h1>\n<p class=\"note\">%s to %s (UTC), by platform. Made %s by co2tally %s. "
                     "Location-based unless stated; kgCO2e = kWh x PUE x grid factor.</p>\n",
                  f, t, g, CT_VERSION);
    ct_buf_puts(b, "<div class=\"kpis\">\n");
    snprintf(v, sizeof v, "%.1f kgCO2e", r->extrapolated);
    if (!r->has_interval)
        snprintf(l, sizeof l, "the period, extrapolated; no interval (too little data)");
    else if (r->coverage < 1 - 1e-9)
        snprintf(l, sizeof l, "the period, extrapolated; 95%% interval %.1f to %.1f", r->lo, r->hi);
    else
        snprintf(l, sizeof l, "the period, fully covered: nothing extrapolated");
    kpi(b, v, l);
    snprintf(v, sizeof v, "%.1f kgCO2e", r->kgco2e);
    kpi(b, v, "in the ledger (observed)");
    snprintf(v, sizeof v, "%.0f %%", r->coverage * 100);
    kpi(b, v, "coverage: device-time in the period with data");
    snprintf(v, sizeof v, "%.1f kWh", r->energy_kwh);
    kpi(b, v, "energy drawn by the devices, before PUE");
    ct_buf_puts(b, "</div>\n</header>\n");
}

/* ------------------------------------------------------------ platforms */

static void donut(ct_buf *b, const struct ct_report *r)
{
    /* the extrapolated figures and their shares: the year, not what the
     * ledger happens to hold */
    struct ct_svg_item it[64];
    int n = 0;
    for (int i = 0; i < r->nplats && n < 64; i++)
        if (r->plats[i].nseries)
            it[n++] = (struct ct_svg_item){r->plats[i].key, r->plats[i].extrapolated,
                                           r->plats[i].share, ct_svg_colour(i)};
    ct_buf_puts(b, "<figure class=\"chart\" id=\"donut\">\n");
    ct_svg_donut(b, it, n, "kgCO2e extrapolated");
    ct_buf_puts(b, "</figure>\n");
}

static void platform_row(ct_buf *b, const struct ct_group *g, int i)
{
    ct_buf_printf(b, "<tr><td class=\"k\"><span class=\"sw\" style=\"background:%s\"></span>",
                  ct_svg_colour(i));
    h(b, g->key);
    ct_buf_puts(b, "</td><td data-l=\"method\">");
    h(b, g->method);
    ct_buf_puts(b, "</td>");
    if (g->nseries == 0) {
        ct_buf_puts(b, "<td colspan=\"7\" class=\"note\">no data in this period</td></tr>\n");
        return;
    }
    num_td(b, "energy kWh", g->energy_kwh, 1);
    num_td(b, "PUE", g->pue, 2);
    num_td(b, "kg/kWh", g->factor, 3);
    num_td(b, "observed kgCO2e", g->kgco2e, 1);
    ct_buf_printf(b, "<td class=\"n\" data-l=\"share\">%.1f %%</td><td class=\"n\" "
                  "data-l=\"coverage\">%.0f %%", g->share * 100, g->coverage * 100);
    if (g->hosts_listed && g->hosts_reported < g->hosts_listed)
        ct_buf_printf(b, "<br><span class=\"note warn\">%d of %d hosts</span>", g->hosts_reported,
                      g->hosts_listed);
    ct_buf_puts(b, "</td>");
    interval(b, g);
    ct_buf_puts(b, "</tr>\n");
}

static void platforms(ct_buf *b, const struct ct_report *r)
{
    ct_buf_puts(b, "<section id=\"platforms\">\n<h2>Emissions per platform</h2>\n");
    if (r->nplats == 0) {
        ct_buf_puts(b, "<p>The ledger holds no figures in this period. Run <code>co2tally "
                       "estimate</code> for calculated platforms, or import or measure some.</p>\n"
                       "</section>\n");
        return;
    }
    donut(b, r);
    ct_buf_puts(b, "<div class=\"tbl\"><table>\n<thead><tr><th>platform</th><th>method</th>"
                   "<th class=\"n\">energy kWh</th><th class=\"n\">PUE</th><th class=\"n\">kg/kWh</th>"
                   "<th class=\"n\">observed kgCO2e</th><th class=\"n\">share</th><th class=\"n\">coverage</th>"
                   "<th class=\"n\">extrapolated kgCO2e<br>[95% interval]</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < r->nplats; i++)
        platform_row(b, &r->plats[i], i);
    ct_buf_printf(b, "<tr><th>total</th><td></td><td class=\"n\" data-l=\"energy kWh\">%.1f</td>"
                     "<td></td><td></td><td class=\"n\" data-l=\"observed kgCO2e\">%.1f</td>"
                     "<td class=\"n\" data-l=\"share\">100 %%</td><td class=\"n\" "
                     "data-l=\"coverage\">%.0f %%</td>", r->energy_kwh, r->kgco2e, r->coverage * 100);
    if (r->has_interval && r->hi > r->lo)
        ct_buf_printf(b, "<td class=\"n\" data-l=\"extrapolated kgCO2e\"><b>%.1f</b> [%.1f, %.1f]"
                      "</td></tr>\n", r->extrapolated, r->lo, r->hi);
    else if (r->has_interval)
        ct_buf_printf(b, "<td class=\"n\" data-l=\"extrapolated kgCO2e\"><b>%.1f</b></td></tr>\n",
                      r->extrapolated);
    else
        ct_buf_printf(b, "<td class=\"n\" data-l=\"extrapolated kgCO2e\"><b>%.1f</b> (too little "
                      "data)</td></tr>\n", r->extrapolated);
    ct_buf_puts(b, "</tbody></table></div>\n<p class=\"note\">Shares and the chart are of the "
                   "extrapolated figures; observed is what the ledger holds. ");
    h(b, r->interval_method);
    ct_buf_puts(b, ". A platform covered for the whole period has no interval to speak of.</p>\n");
    for (int i = 0; i < r->noverlaps; i++) {
        ct_buf_puts(b, i ? "" : "<p class=\"note warn\">Left out as overlaps (counted by another "
                                "method): ");
        h(b, r->overlaps[i].what);
        ct_buf_puts(b, " of ");
        h(b, r->overlaps[i].platform);
        ct_buf_printf(b, " (%.1f kgCO2e)%s", r->overlaps[i].kgco2e, i + 1 < r->noverlaps ? "; " : ".</p>\n");
    }
    ct_buf_puts(b, "</section>\n");
}

/* The grouping asked for with --by, beside the platforms. */
static void groups(ct_buf *b, const struct ct_report *r)
{
    if (r->by == CT_BY_PLATFORM)
        return;
    ct_buf_printf(b, "<section id=\"groups\">\n<h2>By %s</h2>\n", ct_group_by_name(r->by));
    ct_buf_printf(b, "<div class=\"tbl\"><table>\n<thead><tr><th>%s</th><th>method</th>"
                     "<th class=\"n\">energy kWh</th><th class=\"n\">observed kgCO2e</th>"
                     "<th class=\"n\">share</th><th class=\"n\">coverage</th><th class=\"n\">"
                     "extrapolated kgCO2e<br>[95%% interval]</th></tr></thead>\n<tbody>\n",
                  ct_group_by_name(r->by));
    for (int i = 0; i < r->ngroups; i++) {
        const struct ct_group *g = &r->groups[i];
        ct_buf_puts(b, "<tr><td class=\"k\">");
        h(b, g->key);
        ct_buf_puts(b, "</td><td data-l=\"method\">");
        h(b, g->method);
        ct_buf_puts(b, "</td>");
        num_td(b, "energy kWh", g->energy_kwh, 1);
        num_td(b, "observed kgCO2e", g->kgco2e, 1);
        ct_buf_printf(b, "<td class=\"n\" data-l=\"share\">%.1f %%</td><td class=\"n\" "
                      "data-l=\"coverage\">%.0f %%</td>", g->share * 100, g->coverage * 100);
        interval(b, g);
        ct_buf_puts(b, "</tr>\n");
    }
    ct_buf_puts(b, "</tbody></table></div>\n</section>\n");
}

/* ------------------------------------------------------------ months */

static void month_label(const struct ct_report *bd, int m, char out[8])
{
    static const char *names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y, mo, d;
    ct_civil_from_days(ct_floor(bd->month_from[m], CT_DAY) / CT_DAY, &y, &mo, &d);
    if (ct_year_of(bd->month_from[0]) == ct_year_of(bd->month_from[bd->nmonths - 1]))
        snprintf(out, 8, "%s", names[mo - 1]);
    else
        ct_fmt_month(bd->month_from[m], out);
}

static void months(ct_buf *b, const struct ct_report *bd)
{
    int ns = bd->nplats < 64 ? bd->nplats : 64, nc = bd->nmonths;
    if (ns == 0 || nc > 120)
        return;
    char labels[120][8];
    const char *cl[120], *names[64], *colours[64];
    double *solid = calloc((size_t)(ns * nc), sizeof *solid);
    double *hatched = calloc((size_t)(ns * nc), sizeof *hatched);
    if (!solid || !hatched)
        abort();
    for (int c = 0; c < nc; c++) {
        month_label(bd, c, labels[c]);
        cl[c] = labels[c];
    }
    for (int s = 0; s < ns; s++) {
        names[s] = bd->plats[s].key;
        colours[s] = ct_svg_colour(s);
        for (int c = 0; c < nc; c++) {
            const struct ct_month_cell *cell = ct_report_cell(bd, s, c);
            solid[s * nc + c] = cell->kg;
            hatched[s * nc + c] = cell->extrapolated > cell->kg ? cell->extrapolated - cell->kg : 0;
        }
    }
    struct ct_svg_stack st = {nc, ns, cl, names, colours, solid, hatched, "kgCO2e",
                              "in the ledger", "extrapolated"};
    ct_buf_puts(b, "<section id=\"months\">\n<h2>Month by month</h2>\n<figure class=\"chart\">\n");
    ct_svg_columns(b, &st);
    ct_buf_puts(b, "</figure>\n<p class=\"note\">Solid: kgCO2e the ledger holds. Hatched: what each "
                   "device extrapolates to in the month, in proportion to the device-time the "
                   "month lacks; a platform's months add up to its extrapolated figure.</p>\n</section>\n");
    free(solid);
    free(hatched);
}

/* ------------------------------------------------------------ GPUs */

/* GPUs per host, for the first max hosts; *left counts the GPUs of the rest. */
static int gpu_hosts(const struct ct_report *bd, const char **hosts, double *active, double *idle,
                     int *ngpu, int max, int *left)
{
    int n = 0;
    *left = 0;
    for (int i = 0; i < bd->ngpus; i++) {
        const struct ct_gpu_use *u = &bd->gpus[i];
        int k = 0;
        while (k < n && strcmp(hosts[k], u->host) != 0)
            k++;
        if (k == n) {
            if (n == max) {
                (*left)++;
                continue;
            }
            hosts[n] = u->host;
            active[n] = idle[n] = 0;
            ngpu[n++] = 0;
        }
        active[k] += u->kwh - u->idle_kwh;
        idle[k] += u->idle_kwh;
        ngpu[k]++;
    }
    return n;
}

static void calculated_gpus(ct_buf *b, const struct ct_report *bd)
{
    for (int i = 0; i < bd->nplats; i++) {
        if (!bd->plats[i].calculated_gpu)
            continue;
        ct_buf_puts(b, "<p class=\"note\">");
        h(b, bd->plats[i].key);
        ct_buf_printf(b, ": %.1f kWh of GPU energy from the calculated method (the team file's "
                         "utilisation); its idle part is not measured.</p>\n", bd->plats[i].gpu_kwh);
    }
}

static void gpus(ct_buf *b, const struct ct_report *bd)
{
    const char *hosts[64];
    char labels[64][160];
    const char *lp[64];
    double active[64], idle[64];
    int ngpu[64], left, n = gpu_hosts(bd, hosts, active, idle, ngpu, 64, &left);
    ct_buf_puts(b, "<section id=\"gpus\">\n<h2>GPU energy: active and idle, per host</h2>\n");
    if (n == 0)
        ct_buf_puts(b, "<p>The ledger holds no measured GPU energy in this period (import "
                       "nvidia-smi logs or run the agent to see idle GPUs).</p>\n");
    for (int i = 0; i < n; i++) {
        snprintf(labels[i], sizeof labels[i], "%.120s (%d GPU%s)", hosts[i], ngpu[i], ngpu[i] > 1 ? "s" : "");
        lp[i] = labels[i];
    }
    if (n) {
        struct ct_svg_bars s = {n, lp, active, idle, "kWh", "active", "idle", "#0072B2"};
        ct_buf_puts(b, "<figure class=\"chart\">\n");
        ct_svg_hbars(b, &s);
        ct_buf_puts(b, "</figure>\n<p class=\"note\">Idle: energy drawn while a GPU's utilisation "
                       "was under the idle threshold of the import or agent (5 %).</p>\n");
    }
    if (left)
        ct_buf_printf(b, "<p class=\"note\">%d more GPU(s) on further hosts are not drawn; the "
                         "findings list every idle one.</p>\n", left);
    calculated_gpus(b, bd);
    ct_buf_puts(b, "</section>\n");
}

/* ------------------------------------------------------------ sources */

static void use_row(ct_buf *b, const struct ct_group *g, const struct ct_factor_use *u)
{
    const struct ct_source *s = ct_source_get(u->f.source);
    ct_buf_puts(b, "<tr><td class=\"k\">");
    h(b, g->key);
    ct_buf_puts(b, "</td><td data-l=\"location\">");
    h(b, u->f.code);
    ct_buf_printf(b, "</td><td class=\"n\" data-l=\"kgCO2e/kWh\">%.4f</td><td class=\"n\" "
                  "data-l=\"year\">", u->f.kg_per_kwh);
    if (u->f.year)
        ct_buf_printf(b, "%d", u->f.year);
    else
        ct_buf_puts(b, "undated");
    ct_buf_puts(b, "</td><td>");
    h(b, ct_basis_name(u->f.basis));
    ct_buf_puts(b, ", ");
    h(b, s ? s->title : u->f.source);
    if (u->f.note[0]) {
        ct_buf_puts(b, "<br><span class=\"note\">");
        h(b, u->f.note);
        ct_buf_puts(b, "</span>");
    }
    ct_buf_printf(b, "</td><td class=\"n\" data-l=\"PUE\">%.3f</td><td data-l=\"PUE source\">",
                  u->pue);
    h(b, u->pue_source ? u->pue_source : "");
    ct_buf_printf(b, "</td><td class=\"n\" data-l=\"coverage\">%.0f %%</td></tr>\n",
                  g->coverage * 100);
}

/* Adds a source id once (ids that name no table source, like "team file", are skipped). */
static void note_source(const char **ids, int *n, int max, const char *id)
{
    if (!id || !ct_source_get(id))
        return;
    for (int i = 0; i < *n; i++)
        if (strcmp(ids[i], id) == 0)
            return;
    if (*n < max)
        ids[(*n)++] = id;
}

static void source_list(ct_buf *b, const struct ct_report *r)
{
    const char *ids[64];
    int n = 0, ne, nr;
    for (int i = 0; i < r->nplats; i++)
        for (int k = 0; k < r->plats[i].nuses; k++) {
            note_source(ids, &n, 64, r->plats[i].uses[k].f.source);
            note_source(ids, &n, 64, r->plats[i].uses[k].pue_source);
        }
    const struct ct_equivalent *eq = ct_equivalents(&ne), *ref = ct_references(&nr);
    for (int i = 0; i < ne; i++)
        note_source(ids, &n, 64, eq[i].source);
    for (int i = 0; i < nr; i++)
        if (strcmp(ref[i].key, "gpt3") == 0 || strcmp(ref[i].key, "llama2") == 0)
            note_source(ids, &n, 64, ref[i].source);
    ct_buf_puts(b, "<h3>Sources</h3>\n<ul class=\"note\">\n");
    for (int i = 0; i < n; i++) {
        const struct ct_source *s = ct_source_get(ids[i]);
        ct_buf_puts(b, "<li>");
        h(b, s->title);
        ct_buf_puts(b, " (");
        h(b, s->licence);
        ct_buf_puts(b, "): ");
        h(b, s->url);
        ct_buf_puts(b, "</li>\n");
    }
    ct_buf_puts(b, "</ul>\n");
}

static void sources(ct_buf *b, const struct ct_report *r)
{
    ct_buf_puts(b, "<section id=\"sources\">\n<h2>Where the figures come from</h2>\n"
                   "<div class=\"tbl\"><table>\n<thead><tr><th>platform</th><th>location</th>"
                   "<th class=\"n\">kgCO2e/kWh</th><th class=\"n\">year</th><th>basis, source</th>"
                   "<th class=\"n\">PUE</th><th>PUE source</th><th class=\"n\">coverage</th></tr>"
                   "</thead>\n<tbody>\n");
    for (int i = 0; i < r->nplats; i++) {
        const struct ct_group *g = &r->plats[i];
        for (int k = 0; k < g->nuses; k++)
            use_row(b, g, &g->uses[k]);
        if (g->nuses == 0 && g->nseries) {
            ct_buf_puts(b, "<tr><td>");
            h(b, g->key);
            ct_buf_printf(b, "</td><td colspan=\"6\">the provider's own figures (%s-based), taken as "
                             "they are</td><td class=\"n\">%.0f %%</td></tr>\n",
                          r->market ? "market" : "location", g->coverage * 100);
        }
    }
    ct_buf_puts(b, "</tbody></table></div>\n<p class=\"note\">Coverage: the fraction of each "
                   "platform's device-time in the period that has data; the rest is extrapolated."
                   "</p>\n");
    source_list(b, r);
    ct_buf_puts(b, "</section>\n");
}

/* ------------------------------------------------------------ scale */

static void scale_row(ct_buf *b, const struct ct_equivalent *q, double kg, int reference)
{
    const struct ct_source *s = ct_source_get(q->source);
    ct_buf_puts(b, "<tr><td>");
    h(b, q->label);
    if (reference)
        ct_buf_printf(b, "</td><td class=\"n\">%.0f t</td><td class=\"n\">%.2g %%</td><td>",
                      q->kg_per_unit / 1000, 100 * kg / q->kg_per_unit);
    else
        ct_buf_printf(b, "</td><td class=\"n\">%.4g kg</td><td class=\"n\">%.1f</td><td>",
                      q->kg_per_unit, kg / q->kg_per_unit);
    h(b, s ? s->title : q->source);
    ct_buf_puts(b, "<br><span class=\"note\">");
    h(b, q->note);
    ct_buf_puts(b, "</span></td></tr>\n");
}

static void scale(ct_buf *b, const struct ct_report *r)
{
    int n, m;
    const struct ct_equivalent *eq = ct_equivalents(&n), *ref = ct_references(&m);
    ct_buf_printf(b, "<section id=\"scale\">\n<h2>For scale</h2>\n<p>The extrapolated total, "
                     "%.1f kgCO2e, is about:</p>\n<div class=\"tbl\"><table>\n<thead><tr><th>"
                     "equivalent</th><th class=\"n\">each</th><th class=\"n\">count</th><th>source"
                     "</th></tr></thead>\n<tbody>\n", r->extrapolated);
    for (int i = 0; i < n; i++)
        scale_row(b, &eq[i], r->extrapolated, 0);
    ct_buf_puts(b, "</tbody></table></div>\n<h3>Published training emissions</h3>\n<div class=\"tbl\">"
                   "<table>\n<thead><tr><th>model</th><th class=\"n\">tCO2e</th><th class=\"n\">this "
                   "report as a share</th><th>source</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < m; i++)
        if (strcmp(ref[i].key, "gpt3") == 0 || strcmp(ref[i].key, "llama2") == 0)
            scale_row(b, &ref[i], r->extrapolated, 1);
    ct_buf_puts(b, "</tbody></table></div>\n</section>\n");
}

static void warnings(ct_buf *b, const struct ct_report *r)
{
    if (r->nwarnings == 0)
        return;
    ct_buf_puts(b, "<section id=\"warnings\">\n<h2>Warnings</h2>\n<ul class=\"warn\">\n");
    for (int i = 0; i < r->nwarnings; i++) {
        ct_buf_puts(b, "<li>");
        h(b, r->warnings[i]);
        ct_buf_puts(b, "</li>\n");
    }
    ct_buf_puts(b, "</ul>\n</section>\n");
}

void ct_render_html(const struct ct_report *r, const struct ct_html_opts *o, ct_buf *b)
{
    head(b, r);
    header(b, r, o);
    platforms(b, r);
    groups(b, r);
    months(b, r);
    gpus(b, r);
    if (r->advice) {
        ct_html_findings(b, r->advice);
        ct_html_recommendations(b, r->advice);
    }
    if (r->sci)
        ct_html_sci(b, r->sci);
    sources(b, r);
    scale(b, r);
    warnings(b, r);
    ct_buf_puts(b, "<footer>Made by co2tally from its ledger and the team file. The page is "
                   "self-contained: no script, nothing fetched.</footer>\n</main>\n</body>\n</html>\n");
}
