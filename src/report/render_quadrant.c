/* The impact x effort quadrant: as compact terminal text, and as SVG for the
 * HTML report. Points are the recommendations' ranks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/advice.h"
#include "report/svg.h"

/* ------------------------------------------------------------ text */

#define CELL 30

/* The ranks in quadrant q, wrapped into lines of at most CELL characters. */
static int cell_lines(const struct ct_advice *a, int q, char lines[][CELL + 1], int max)
{
    int n = 0;
    lines[0][0] = '\0';
    for (int i = 0; i < a->nrec; i++) {
        if (a->rec[i].quadrant != q)
            continue;
        char num[16];
        snprintf(num, sizeof num, "%d", i + 1);
        size_t len = strlen(lines[n]);
        if (len + strlen(num) + 1 > CELL && n + 1 < max)
            lines[++n][0] = '\0', len = 0;
        snprintf(lines[n] + len, CELL + 1 - len, "%s%s", len ? " " : "", num);
    }
    return lines[0][0] ? n + 1 : 1;
}

static void text_row(ct_buf *b, const struct ct_advice *a, const char *label, int qleft, int qright)
{
    char l[8][CELL + 1], r[8][CELL + 1];
    int nl = cell_lines(a, qleft, l, 8), nr = cell_lines(a, qright, r, 8);
    for (int i = 0; i < (nl > nr ? nl : nr); i++)
        ct_buf_printf(b, "  %-13s | %-*s | %s\n", i ? "" : label, CELL, i < nl ? l[i] : "",
                      i < nr ? r[i] : "");
}

void ct_quadrant_text(const struct ct_advice *a, ct_buf *b)
{
    ct_buf_printf(b, "Impact x effort (the numbers are ranks below; high impact saves at least "
                     "%.1f kgCO2e a year,\n%.0f %% of the team's total)\n",
                  a->impact_kg, a->opts.impact_share * 100);
    ct_buf_printf(b, "  %-13s | %-*s | %s\n", "", CELL, "low effort", "medium or high effort");
    text_row(b, a, "high impact", CT_Q_QUICK_WIN, CT_Q_MAJOR);
    ct_buf_printf(b, "  %-13s-+-%.*s-+-%.*s\n", "-------------", CELL,
                  "------------------------------", 21, "---------------------");
    text_row(b, a, "low impact", CT_Q_FILL_IN, CT_Q_THANKLESS);
}

/* ------------------------------------------------------------ SVG */

#define QX0 70.0
#define QY0 16.0
#define QW 550.0
#define QH 280.0

static const char *themes[] = {"models", "applications", "servers", "storage", "transfer", "templates"};

static int theme_index(const char *t)
{
    for (int i = 0; i < 6; i++)
        if (strcmp(t, themes[i]) == 0)
            return i;
    return 6;
}

struct scale {
    double lo, hi; /* log10 of the y range */
};

static double y_of(const struct scale *s, double v)
{
    double l = log10(v > 0 ? v : pow(10, s->lo));
    return QY0 + QH - QH * (l - s->lo) / (s->hi - s->lo);
}

static struct scale y_scale(const struct ct_advice *a)
{
    double lo = a->impact_kg > 0 ? a->impact_kg : 1, hi = lo;
    for (int i = 0; i < a->nrec; i++) {
        lo = a->rec[i].saving < lo ? a->rec[i].saving : lo;
        hi = a->rec[i].saving > hi ? a->rec[i].saving : hi;
    }
    struct scale s = {floor(log10(lo > 0 ? lo : 1e-3)), ceil(log10(hi > 0 ? hi : 1))};
    if (s.hi <= s.lo)
        s.hi = s.lo + 1;
    return s;
}

static void frame(ct_buf *b, const struct ct_advice *a, const struct scale *s)
{
    char v[32];
    for (double k = s->lo; k <= s->hi + 1e-9; k++) {
        double y = y_of(s, pow(10, k));
        ct_buf_printf(b, "<line class=\"grid\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", QX0,
                      QX0 + QW, y, y);
        ct_svg_num(v, sizeof v, pow(10, k));
        ct_svg_text(b, QX0 - 6, y + 4, "end", "num", v);
    }
    double yi = y_of(s, a->impact_kg), xd = QX0 + QW / 3;
    ct_buf_printf(b, "<line class=\"divide\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>\n"
                     "<line class=\"divide\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\"/>\n",
                  QX0, QX0 + QW, yi, yi, xd, xd, QY0, QY0 + QH);
    ct_svg_text(b, QX0 + 6, QY0 + 14, "start", "quad", "quick wins");
    ct_svg_text(b, QX0 + QW - 6, QY0 + 14, "end", "quad", "major projects");
    ct_svg_text(b, QX0 + 6, QY0 + QH - 6, "start", "quad", "fill-ins");
    ct_svg_text(b, QX0 + QW - 6, QY0 + QH - 6, "end", "quad", "thankless");
    static const char *efforts[] = {"low effort", "medium effort", "high effort"};
    for (int e = 0; e < 3; e++)
        ct_svg_text(b, QX0 + QW * (2 * e + 1) / 6, QY0 + QH + 18, "middle", "small", efforts[e]);
    ct_buf_printf(b, "<text x=\"14\" y=\"%.0f\" transform=\"rotate(-90 14 %.0f)\" "
                     "text-anchor=\"middle\">kgCO2e saved a year (log scale)</text>\n",
                  QY0 + QH / 2, QY0 + QH / 2);
}

static void points(ct_buf *b, const struct ct_advice *a, const struct scale *s)
{
    int count[3] = {0}, seen[3] = {0};
    for (int i = 0; i < a->nrec; i++)
        count[a->rec[i].m->effort - 1]++;
    for (int i = 0; i < a->nrec; i++) {
        const struct ct_recommendation *r = &a->rec[i];
        int e = r->m->effort - 1, k = seen[e]++;
        /* Spread a band's points across it in rank order so labels overlap less. */
        double x = QX0 + QW * e / 3 + QW / 3 * (k + 1) / (count[e] + 1), y = y_of(s, r->saving);
        ct_buf_puts(b, "<g class=\"rec\" data-id=\"");
        ct_buf_html(b, r->m->id);
        ct_buf_printf(b, "\" data-saving=\"%.17g\" data-effort=\"%s\" data-quadrant=\"%s\"><title>",
                      r->saving, ct_effort_name(r->m->effort), ct_quadrant_name(r->quadrant));
        ct_buf_printf(b, "%d. ", i + 1);
        ct_buf_html(b, r->m->title);
        ct_buf_printf(b, ": %.1f kgCO2e a year</title><circle cx=\"%.1f\" cy=\"%.1f\" r=\"8\" "
                         "fill=\"%s\"/>", r->saving, x, y, ct_svg_colour(theme_index(r->m->theme)));
        ct_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"pt\">%d</text></g>\n",
                      x, y + 3.5, i + 1);
    }
}

static void theme_legend(ct_buf *b)
{
    for (int i = 0; i < 6; i++) {
        double x = QX0 + 92.0 * i, y = QY0 + QH + 44;
        ct_buf_printf(b, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"6\" fill=\"%s\"/>\n", x + 6, y - 4,
                      ct_svg_colour(i));
        ct_svg_text(b, x + 16, y, "start", "small", themes[i]);
    }
}

void ct_quadrant_svg(const struct ct_advice *a, ct_buf *b)
{
    struct scale s = y_scale(a);
    ct_svg_open(b, 640, QY0 + QH + 56, "impact and effort of the recommendations");
    frame(b, a, &s);
    points(b, a, &s);
    theme_legend(b);
    ct_svg_close(b);
}
