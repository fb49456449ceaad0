#ifndef CT_RENDER_HTML_H
#define CT_RENDER_HTML_H
/* The HTML report: one self-contained page (inline CSS and SVG, no script,
 * nothing fetched), readable on a laptop screen and printable on A4. */
#include <stdint.h>

#include "core/buf.h"
#include "report/model.h"
#include "report/sci.h"

struct ct_html_opts {
    int64_t generated;          /* the date the page says it was made (ct_now()) */
};

/* The page from the report document: its platforms, months and GPUs, and its
 * advice and SCI when the document holds them. */
void ct_render_html(const struct ct_report *r, const struct ct_html_opts *o, ct_buf *out);

#endif
