/* Inline SVG charts for the HTML report (see svg.h). */
#include "report/svg.h"

#include <math.h>
#include <stdio.h>

#define PI 3.14159265358979323846

const char *ct_svg_colour(int i)
{
    /* Okabe-Ito, without black (kept for text) and with yellow last (weakest on white). */
    static const char *pal[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                "#56B4E9", "#D55E00", "#999999", "#F0E442"};
    return pal[(i < 0 ? -i : i) % 8];
}

void ct_svg_num(char *out, size_t n, double v)
{
    double a = fabs(v);
    if (!isfinite(v))
        snprintf(out, n, "n/a");
    else if (a >= 100 || a == 0 || (a >= 1 && v == floor(v)))
        snprintf(out, n, "%.0f", v);
    else if (a >= 10)
        snprintf(out, n, "%.1f", v);
    else if (a >= 1)
        snprintf(out, n, "%.2f", v);
    else
        snprintf(out, n, "%.3g", v);
}

double ct_svg_nice(double v)
{
    if (!(v > 0))
        return 1;
    double p = pow(10, floor(log10(v)));
    static const double steps[] = {1, 2, 2.5, 5, 10};
    for (int i = 0; i < 5; i++)
        if (steps[i] * p >= v * (1 - 1e-12))
            return steps[i] * p;
    return 10 * p;
}

void ct_svg_open(ct_buf *b, double w, double h, const char *label)
{
    /* Never drawn narrower than its own units: at any smaller width the text
     * would shrink under 11 px; the figure scrolls sideways instead. */
    ct_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
                     "style=\"min-width:%.0fpx\" role=\"img\" aria-label=\"", w, h, w);
    ct_buf_html(b, label);
    ct_buf_puts(b, "\">\n");
}

void ct_svg_close(ct_buf *b)
{
    ct_buf_puts(b, "</svg>\n");
}

void ct_svg_hatch(ct_buf *b, const char *id, const char *colour)
{
    ct_buf_printf(b, "<pattern id=\"%s\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
                     "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"%s\" "
                     "fill-opacity=\"0.25\"/><rect width=\"3\" height=\"6\" fill=\"%s\"/></pattern>\n",
                  id, colour, colour);
}

void ct_svg_text(ct_buf *b, double x, double y, const char *anchor, const char *cls, const char *text)
{
    ct_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s%s>", x, y, anchor,
                  cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    ct_buf_html(b, text);
    ct_buf_puts(b, "</text>\n");
}

/* ------------------------------------------------------------ donut */

static void point(ct_buf *b, const char *cmd, double cx, double cy, double r, double a)
{
    ct_buf_printf(b, "%s%.2f %.2f", cmd, cx + r * sin(a), cy - r * cos(a));
}

/* The ring between radii r0 and r1 from angle a0 to a1 (clockwise from 12 o'clock). */
static void ring_path(ct_buf *b, double cx, double cy, double r0, double r1, double a0, double a1)
{
    if (a1 - a0 >= 2 * PI - 1e-9) {
        /* A whole ring: two half arcs each way; even-odd fill leaves the hole. */
        point(b, "M", cx, cy, r1, 0);
        ct_buf_printf(b, " A%.0f %.0f 0 1 1 ", r1, r1);
        point(b, "", cx, cy, r1, PI);
        ct_buf_printf(b, " A%.0f %.0f 0 1 1 ", r1, r1);
        point(b, "", cx, cy, r1, 0);
        point(b, " M", cx, cy, r0, 0);
        ct_buf_printf(b, " A%.0f %.0f 0 1 0 ", r0, r0);
        point(b, "", cx, cy, r0, PI);
        ct_buf_printf(b, " A%.0f %.0f 0 1 0 ", r0, r0);
        point(b, "", cx, cy, r0, 0);
        ct_buf_puts(b, " Z");
        return;
    }
    int large = a1 - a0 > PI;
    point(b, "M", cx, cy, r1, a0);
    ct_buf_printf(b, " A%.0f %.0f 0 %d 1 ", r1, r1, large);
    point(b, "", cx, cy, r1, a1);
    point(b, " L", cx, cy, r0, a1);
    ct_buf_printf(b, " A%.0f %.0f 0 %d 0 ", r0, r0, large);
    point(b, "", cx, cy, r0, a0);
    ct_buf_puts(b, " Z");
}

static void slice(ct_buf *b, const struct ct_svg_item *it, double a0, double a1, const char *unit)
{
    char v[32], s[32];
    ct_svg_num(v, sizeof v, it->value);
    snprintf(s, sizeof s, "%.1f", it->share * 100);
    ct_buf_puts(b, "<g class=\"slice\" data-key=\"");
    ct_buf_html(b, it->key);
    ct_buf_printf(b, "\" data-kgco2e=\"%.17g\" data-share=\"%.17g\"><title>", it->value, it->share);
    ct_buf_html(b, it->key);
    ct_buf_printf(b, ": %s %s (%s %%)</title>", v, unit, s);
    if (a1 > a0) {
        ct_buf_printf(b, "<path fill=\"%s\" fill-rule=\"evenodd\" stroke=\"#fff\" stroke-width=\"1\" d=\"",
                      it->colour);
        ring_path(b, 130, 130, 62, 112, a0, a1);
        ct_buf_puts(b, "\"/>");
    }
    ct_buf_puts(b, "</g>\n");
    if (it->share >= 0.04) { /* a label only where it fits */
        double m = (a0 + a1) / 2;
        snprintf(s, sizeof s, "%.0f%%", it->share * 100);
        ct_svg_text(b, 130 + 87 * sin(m), 130 - 87 * cos(m) + 4, "middle", "on", s);
    }
}

static void legend_row(ct_buf *b, const struct ct_svg_item *it, int i, const char *unit)
{
    char v[32], line[64];
    double y = 24 + 24.0 * i;
    ct_buf_printf(b, "<rect x=\"270\" y=\"%.0f\" width=\"14\" height=\"14\" fill=\"%s\"/>\n", y - 12,
                  it->colour);
    ct_svg_text(b, 292, y, "start", NULL, it->key);
    ct_svg_num(v, sizeof v, it->value);
    snprintf(line, sizeof line, "%s %s", v, unit);
    ct_svg_text(b, 560, y, "end", "num", line);
    snprintf(line, sizeof line, "%.1f %%", it->share * 100);
    ct_svg_text(b, 636, y, "end", "num", line);
}

void ct_svg_donut(ct_buf *b, const struct ct_svg_item *it, int n, const char *unit)
{
    double h = 24.0 * n + 16 > 260 ? 24.0 * n + 16 : 260, a = 0;
    ct_svg_open(b, 640, h, "donut chart of emissions per platform");
    for (int i = 0; i < n; i++) {
        double share = it[i].share > 0 ? it[i].share : 0;
        double a1 = i == n - 1 && share > 0 ? (a < 2 * PI ? 2 * PI : a) : a + 2 * PI * share;
        if (a1 > 2 * PI)
            a1 = 2 * PI;
        slice(b, &it[i], a, a1, unit);
        a = a1;
    }
    for (int i = 0; i < n; i++)
        legend_row(b, &it[i], i, unit);
    ct_svg_close(b);
}

/* ------------------------------------------------------------ columns */

#define PX0 60.0   /* plot area */
#define PY0 14.0
#define PW 570.0
#define PH 210.0

static void y_axis(ct_buf *b, double top, const char *unit)
{
    char v[32];
    for (int k = 0; k <= 4; k++) {
        double y = PY0 + PH - PH * k / 4;
        ct_buf_printf(b, "<line class=\"grid\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>\n",
                      PX0, PX0 + PW, y, y);
        ct_svg_num(v, sizeof v, top * k / 4);
        ct_svg_text(b, PX0 - 6, y + 4, "end", "num", v);
    }
    ct_buf_printf(b, "<text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" "
                     "text-anchor=\"middle\">", PY0 + PH / 2, PY0 + PH / 2);
    ct_buf_html(b, unit);
    ct_buf_puts(b, "</text>\n");
}

static void segment(ct_buf *b, const struct ct_svg_stack *s, int ser, int col, double x, double w,
                    double *y, double v, double top, int hatched)
{
    if (!(v > 0))
        return;
    double h = PH * v / top;
    *y -= h;
    ct_buf_printf(b, "<rect class=\"seg\" x=\"%.1f\" y=\"%.2f\" width=\"%.1f\" height=\"%.2f\" ", x, *y,
                  w, h);
    if (hatched)
        ct_buf_printf(b, "fill=\"url(#col-h%d)\"", ser);
    else
        ct_buf_printf(b, "fill=\"%s\"", s->colours[ser]);
    ct_buf_puts(b, " data-series=\"");
    ct_buf_html(b, s->ser_names[ser]);
    ct_buf_printf(b, "\" data-col=\"%d\" data-part=\"%s\" data-value=\"%.17g\"><title>", col,
                  hatched ? "extrapolated" : "measured", v);
    char num[32];
    ct_svg_num(num, sizeof num, v);
    ct_buf_html(b, s->ser_names[ser]);
    ct_buf_printf(b, ", %s: %s %s (", s->col_labels[col], num, s->unit);
    ct_buf_html(b, hatched ? s->hatched_name : s->solid_name);
    ct_buf_puts(b, ")</title></rect>\n");
}

static void legend_swatch(ct_buf *b, double x, double y, const char *fill, const char *name)
{
    ct_buf_printf(b, "<rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"14\" fill=\"%s\"/>\n", x, y - 11,
                  fill);
    ct_svg_text(b, x + 19, y, "start", "small", name);
}

static double stack_top(const struct ct_svg_stack *s)
{
    double top = 0;
    for (int c = 0; c < s->ncols; c++) {
        double t = 0;
        for (int k = 0; k < s->nser; k++)
            t += s->solid[k * s->ncols + c] + s->hatched[k * s->ncols + c];
        top = t > top ? t : top;
    }
    return ct_svg_nice(top);
}

static void columns_legend(ct_buf *b, const struct ct_svg_stack *s, double y)
{
    double x = PX0;
    for (int k = 0; k < s->nser; k++, x += 150) {
        if (x > 560) {
            x = PX0;
            y += 20;
        }
        legend_swatch(b, x, y, s->colours[k], s->ser_names[k]);
    }
    y += 20;
    legend_swatch(b, PX0, y, "#555", s->solid_name);
    legend_swatch(b, PX0 + 150, y, "url(#col-hleg)", s->hatched_name);
}

void ct_svg_columns(ct_buf *b, const struct ct_svg_stack *s)
{
    int legend_rows = (s->nser + 3) / 4 + 1;
    double top = stack_top(s), slot = PW / (s->ncols > 0 ? s->ncols : 1);
    ct_svg_open(b, 640, PY0 + PH + 30 + 20.0 * legend_rows + 8, "stacked monthly columns per platform");
    ct_buf_puts(b, "<defs>\n");
    for (int k = 0; k < s->nser; k++) {
        char id[24];
        snprintf(id, sizeof id, "col-h%d", k);
        ct_svg_hatch(b, id, s->colours[k]);
    }
    ct_svg_hatch(b, "col-hleg", "#555");
    ct_buf_puts(b, "</defs>\n");
    y_axis(b, top, s->unit);
    for (int c = 0; c < s->ncols; c++) {
        double x = PX0 + slot * c + slot * 0.15, w = slot * 0.7, y = PY0 + PH;
        for (int k = 0; k < s->nser; k++) {
            segment(b, s, k, c, x, w, &y, s->solid[k * s->ncols + c], top, 0);
            segment(b, s, k, c, x, w, &y, s->hatched[k * s->ncols + c], top, 1);
        }
        ct_svg_text(b, x + w / 2, PY0 + PH + 16, "middle", "small", s->col_labels[c]);
    }
    columns_legend(b, s, PY0 + PH + 44);
    ct_svg_close(b);
}

/* ------------------------------------------------------------ bars */

static void bar_row(ct_buf *b, const struct ct_svg_bars *s, int i, double top)
{
    double y = 10 + 30.0 * i, x = 170, w1 = 320 * s->solid[i] / top, w2 = 320 * s->hatched[i] / top;
    char v[32], line[96];
    ct_svg_text(b, 162, y + 15, "end", NULL, s->labels[i]);
    ct_buf_printf(b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.0f\" width=\"%.2f\" height=\"20\" fill=\"%s\" "
                     "data-part=\"solid\" data-value=\"%.17g\"/>\n", x, y, w1, s->colour, s->solid[i]);
    ct_buf_printf(b, "<rect class=\"bar\" x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"20\" "
                     "fill=\"url(#bar-h)\" data-part=\"hatched\" data-value=\"%.17g\"/>\n",
                  x + w1, y, w2, s->hatched[i]);
    ct_svg_num(v, sizeof v, s->solid[i] + s->hatched[i]);
    double pct = s->solid[i] + s->hatched[i] > 0 ? 100 * s->hatched[i] / (s->solid[i] + s->hatched[i]) : 0;
    snprintf(line, sizeof line, "%s %s, %.0f%% %s", v, s->unit, pct, s->hatched_name);
    ct_svg_text(b, x + w1 + w2 + 6, y + 15, "start", "small", line);
}

void ct_svg_hbars(ct_buf *b, const struct ct_svg_bars *s)
{
    double top = 0;
    for (int i = 0; i < s->nrows; i++)
        top = s->solid[i] + s->hatched[i] > top ? s->solid[i] + s->hatched[i] : top;
    top = top > 0 ? top : 1;
    ct_svg_open(b, 640, 30.0 * s->nrows + 44, "bars of GPU energy, active and idle, per host");
    ct_buf_puts(b, "<defs>\n");
    ct_svg_hatch(b, "bar-h", "#D55E00");
    ct_buf_puts(b, "</defs>\n");
    for (int i = 0; i < s->nrows; i++)
        bar_row(b, s, i, top);
    double y = 30.0 * s->nrows + 30;
    legend_swatch(b, 170, y, s->colour, s->solid_name);
    legend_swatch(b, 320, y, "url(#bar-h)", s->hatched_name);
    ct_svg_close(b);
}
