/* The HTML page's advice and SCI sections (render_html.c draws the rest). */
#include <math.h>
#include <stdio.h>

#include "report/render_html_int.h"

/* ------------------------------------------------------------ advice */

static void finding_row(ct_buf *b, const struct ct_finding *f)
{
    ct_buf_puts(b, "<tr><td><span class=\"tag\">");
    ct_buf_html(b, ct_finding_kind_name(f->kind));
    ct_buf_puts(b, "</span></td><td class=\"k\" data-l=\"about\">");
    ct_buf_html(b, f->platform);
    if (f->host[0]) {
        ct_buf_puts(b, "<br><span class=\"note\">");
        ct_buf_html(b, f->host);
        ct_buf_puts(b, f->device[0] ? " " : "");
        ct_buf_html(b, f->device);
        ct_buf_puts(b, "</span>");
    }
    ct_buf_printf(b, "</td><td class=\"n\" data-l=\"kgCO2e a year\">%.1f</td><td>",
                  f->kgco2e_per_year);
    ct_buf_html(b, f->evidence);
    ct_buf_puts(b, "</td></tr>\n");
}

void ct_html_findings(ct_buf *b, const struct ct_advice *a)
{
    ct_buf_puts(b, "<section id=\"findings\">\n<h2>Findings</h2>\n<p class=\"note\">What the ledger "
                   "and the team file show, each with its evidence and the kgCO2e a year it is "
                   "about; platforms first, the biggest lever first.</p>\n");
    ct_buf_puts(b, "<div class=\"tbl\"><table>\n<thead><tr><th>finding</th><th>about</th>"
                   "<th class=\"n\">kgCO2e a year</th><th>evidence</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < a->nf; i++)
        finding_row(b, &a->f[i]);
    ct_buf_puts(b, "</tbody></table></div>\n</section>\n");
}

static void rec_row(ct_buf *b, const struct ct_recommendation *r, int rank)
{
    ct_buf_printf(b, "<tr><td class=\"n\">%d</td><td><b>", rank);
    ct_buf_html(b, r->m->title);
    ct_buf_puts(b, "</b><br><span class=\"note\">");
    ct_buf_html(b, r->m->how);
    ct_buf_puts(b, " Because ");
    ct_buf_html(b, r->because);
    ct_buf_puts(b, ".</span></td><td data-l=\"theme\">");
    ct_buf_html(b, r->m->theme);
    ct_buf_puts(b, "</td><td data-l=\"effort\">");
    ct_buf_html(b, ct_effort_name(r->m->effort));
    ct_buf_printf(b, "</td><td data-l=\"quadrant\"><span class=\"tag%s\">",
                  r->quadrant == CT_Q_QUICK_WIN ? " q0" : "");
    ct_buf_html(b, ct_quadrant_name(r->quadrant));
    ct_buf_printf(b, "</span></td><td class=\"n\" data-l=\"saves kgCO2e/yr\">%.1f</td></tr>\n",
                  r->saving);
}

void ct_html_recommendations(ct_buf *b, const struct ct_advice *a)
{
    ct_buf_puts(b, "<section id=\"advice\">\n<h2>Recommendations: impact and effort</h2>\n");
    if (a->nrec == 0) {
        ct_buf_puts(b, "<p>No measure of the playbook applies to these findings.</p>\n</section>\n");
        return;
    }
    ct_buf_puts(b, "<figure class=\"chart\" id=\"quadrant\">\n");
    ct_quadrant_svg(a, b);
    ct_buf_printf(b, "</figure>\n<p class=\"note\">High impact: at least %.1f kgCO2e a year (%.0f %% "
                     "of the team's %.1f); a point on the dashed horizontal line counts as high "
                     "impact. Left of the dashed vertical line: low effort only. Hover a point for "
                     "its measure and saving. Each saving is estimated alone from the ledger; "
                     "measures overlap, so savings do not add up.</p>\n", a->impact_kg,
                  a->opts.impact_share * 100, a->total_per_year);
    ct_buf_puts(b, "<div class=\"tbl\"><table>\n<thead><tr><th class=\"n\">#</th><th>measure</th>"
                   "<th>theme</th><th>effort</th><th>quadrant</th><th class=\"n\">saves kgCO2e/yr</th>"
                   "</tr></thead>\n<tbody>\n");
    for (int i = 0; i < a->nrec; i++)
        rec_row(b, &a->rec[i], i + 1);
    ct_buf_puts(b, "</tbody></table></div>\n</section>\n");
}

void ct_html_sci(ct_buf *b, const struct ct_sci *s)
{
    ct_buf_puts(b, "<section id=\"sci\">\n<h2>Software Carbon Intensity</h2>\n<p>SCI = ((E x I) + M) "
                   "per R = ");
    ct_buf_printf(b, "(%.1f + %.1f) kgCO2e / %g ", s->op_kg, s->m_kg, s->r);
    ct_buf_html(b, s->unit);
    ct_buf_printf(b, " = <b>%.6g kgCO2e per ", s->sci);
    ct_buf_html(b, s->unit);
    if (isnan(s->sci_lo))
        ct_buf_puts(b, "</b> (no interval: too little data).</p>\n");
    else
        ct_buf_printf(b, "</b> (95 %% interval %.6g to %.6g).</p>\n", s->sci_lo, s->sci_hi);
    ct_buf_printf(b, "<p class=\"note\">E %.1f kWh with "
                     "PUE; I %.4f kgCO2e/kWh; M embodied emissions amortised over each platform's "
                     "lifetime (%d platform(s) give none). Green Software Foundation SCI, ISO/IEC "
                     "21031:2024.</p>\n</section>\n", s->e_kwh, s->i_kg_per_kwh, s->missing_m);
}

