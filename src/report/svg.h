#ifndef CT_SVG_H
#define CT_SVG_H
/* Inline SVG charts for the HTML report: no script, nothing fetched, every
 * string escaped, numbers printed in the C locale. Charts take plain arrays, so
 * they know nothing of the report model. Sizes are in viewBox units; the page's
 * CSS scales the whole picture to the column. */
#include "core/buf.h"

/* Colour i of a palette that colour-blind readers can tell apart (Okabe and Ito). */
const char *ct_svg_colour(int i);
/* A short number for a label: 3 significant figures, plain decimals. */
void ct_svg_num(char *out, size_t n, double v);
/* The smallest 1, 2, 2.5 or 5 x 10^k at or above v (v > 0). */
double ct_svg_nice(double v);

void ct_svg_open(ct_buf *b, double w, double h, const char *label);
void ct_svg_close(ct_buf *b);
/* A diagonal hatch of colour, usable as fill="url(#id)". */
void ct_svg_hatch(ct_buf *b, const char *id, const char *colour);
void ct_svg_text(ct_buf *b, double x, double y, const char *anchor, const char *cls, const char *text);

/* A donut: one slice per item, in order, clockwise from 12 o'clock. Each slice
 * carries data-key, data-kgco2e and data-share; a legend beside it gives each
 * item's kgCO2e and share. share[] should add up to 1. */
struct ct_svg_item {
    const char *key;
    double value, share;
    const char *colour;
};
void ct_svg_donut(ct_buf *b, const struct ct_svg_item *it, int n, const char *unit);

/* Stacked columns: ncols columns, nser series; solid[s * ncols + c] is drawn
 * solid, hatched[...] on top of it hatched (the extrapolated part). */
struct ct_svg_stack {
    int ncols, nser;
    const char *const *col_labels;
    const char *const *ser_names;
    const char *const *colours;
    const double *solid, *hatched;
    const char *unit, *solid_name, *hatched_name;
};
void ct_svg_columns(ct_buf *b, const struct ct_svg_stack *s);

/* Horizontal bars of two parts (solid, then hatched), one per row, with totals. */
struct ct_svg_bars {
    int nrows;
    const char *const *labels;
    const double *solid, *hatched;
    const char *unit, *solid_name, *hatched_name, *colour;
};
void ct_svg_hbars(ct_buf *b, const struct ct_svg_bars *s);

#endif
