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
#define QY0 30.0
#define QW 550.0
#define QH 280.0
#define PR 9.0   /* a point's radius */

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

/* Points stay a radius inside the frame, so none reaches the labels around it. */
static double y_of(const struct scale *s, double v)
{
    double l = log10(v > 0 ? v : pow(10, s->lo));
    double y = QY0 + QH - QH * (l - s->lo) / (s->hi - s->lo);
    return y < QY0 + PR ? QY0 + PR : y > QY0 + QH - PR ? QY0 + QH - PR : y;
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
    /* The quadrants' names stand outside the frame, above and below it, where
     * no point can be: points never hide them and they never hide points. */
    ct_svg_text(b, QX0, QY0 - 10, "start", "quad", "quick wins");
    ct_svg_text(b, QX0 + QW, QY0 - 10, "end", "quad", "major projects");
    ct_svg_text(b, QX0, QY0 + QH + 36, "start", "quad", "fill-ins");
    ct_svg_text(b, QX0 + QW, QY0 + QH + 36, "end", "quad", "thankless");
    static const char *efforts[] = {"low effort", "medium effort", "high effort"};
    for (int e = 0; e < 3; e++)
        ct_svg_text(b, QX0 + QW * (2 * e + 1) / 6, QY0 + QH + 18, "middle", "small", efforts[e]);
    ct_buf_printf(b, "<text x=\"14\" y=\"%.0f\" transform=\"rotate(-90 14 %.0f)\" "
                     "text-anchor=\"middle\">kgCO2e saved a year (log scale)</text>\n",
                  QY0 + QH / 2, QY0 + QH / 2);
}

/* Does a point at (x, y) overlap one of the n placed before it? */
static int taken(const double *px, const double *py, int n, double x, double y)
{
    for (int i = 0; i < n; i++)
        if ((px[i] - x) * (px[i] - x) + (py[i] - y) * (py[i] - y) < 4 * PR * PR + 4)
            return 1;
    return 0;
}

/* Where point k of a band goes: its saving fixes y; x is the first free spot
 * of the band, tried from its spread position outwards, so points of equal
 * saving sit side by side instead of on top of each other. Where the band
 * is full at that height, the point moves up or down by a diameter at a time
 * (its tooltip and the table keep the exact figure). */
static void place(const double *px, const double *py, int n, int band, int k, int count,
                  double y0, double *x, double *y)
{
    double lo = QX0 + QW * band / 3 + PR + 2, hi = QX0 + QW * (band + 1) / 3 - PR - 2;
    double x0 = QX0 + QW * band / 3 + QW / 3 * (k + 1) / (count + 1);
    for (int t = 0; t < 40; t++) {
        double yy = y0 + (t % 2 ? 1 : -1) * (2 * PR + 1) * ((t + 1) / 2);
        if (yy < QY0 + PR || yy > QY0 + QH - PR)
            continue;
        for (double d = 0; d <= hi - lo; d += PR) {
            for (int sg = -1; sg <= 1; sg += 2) {
                double xx = x0 + sg * d;
                if (xx >= lo && xx <= hi && !taken(px, py, n, xx, yy)) {
                    *x = xx;
                    *y = yy;
                    return;
                }
            }
        }
    }
    *x = x0;
    *y = y0;
}

static void points(ct_buf *b, const struct ct_advice *a, const struct scale *s)
{
    int count[3] = {0}, seen[3] = {0};
    for (int i = 0; i < a->nrec; i++)
        count[a->rec[i].m->effort - 1]++;
    double px[512], py[512];
    for (int i = 0; i < a->nrec; i++) {
        const struct ct_recommendation *r = &a->rec[i];
        int e = r->m->effort - 1, k = seen[e]++;
        double x, y;
        place(px, py, i < 512 ? i : 512, e, k, count[e], y_of(s, r->saving), &x, &y);
        if (i < 512) {
            px[i] = x;
            py[i] = y;
        }
        ct_buf_puts(b, "<g class=\"rec\" data-id=\"");
        ct_buf_html(b, r->m->id);
        ct_buf_printf(b, "\" data-saving=\"%.17g\" data-effort=\"%s\" data-quadrant=\"%s\"><title>",
                      r->saving, ct_effort_name(r->m->effort), ct_quadrant_name(r->quadrant));
        ct_buf_printf(b, "%d. ", i + 1);
        ct_buf_html(b, r->m->title);
        ct_buf_printf(b, ": %.1f kgCO2e a year</title><circle cx=\"%.1f\" cy=\"%.1f\" r=\"9\" "
                         "fill=\"%s\"/>", r->saving, x, y, ct_svg_colour(theme_index(r->m->theme)));
        ct_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"pt\">%d</text></g>\n",
                      x, y + 3.5, i + 1);
    }
}

static void theme_legend(ct_buf *b)
{
    for (int i = 0; i < 6; i++) {
        double x = QX0 + 92.0 * i, y = QY0 + QH + 62;
        ct_buf_printf(b, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"6\" fill=\"%s\"/>\n", x + 6, y - 4,
                      ct_svg_colour(i));
        ct_svg_text(b, x + 16, y, "start", "small", themes[i]);
    }
}

void ct_quadrant_svg(const struct ct_advice *a, ct_buf *b)
{
    struct scale s = y_scale(a);
    ct_svg_open(b, 640, QY0 + QH + 72, "impact and effort of the recommendations");
    frame(b, a, &s);
    points(b, a, &s);
    theme_legend(b);
    ct_svg_close(b);
}
