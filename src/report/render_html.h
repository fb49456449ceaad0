#ifndef CT_RENDER_HTML_H
#define CT_RENDER_HTML_H
/* The HTML report: one self-contained page (inline CSS and SVG, no script,
 * nothing fetched), readable on a laptop screen and printable on A4. */
#include <stdint.h>

#include "core/buf.h"
#include "insight/insight.h"
#include "report/bundle.h"
#include "report/sci.h"

struct ct_html_opts {
    int64_t generated;          /* the date the page says it was made (ct_now()) */
    const struct ct_sci *sci;   /* NULL: no SCI section */
};

void ct_render_html(const struct ct_bundle *b, const struct ct_advice *a,
                    const struct ct_html_opts *o, ct_buf *out);

/* The whole page for a period in one pass over the ledger: the bundle, the
 * findings and recommendations, and SCI per sci_per units when sci_per > 0. */
int ct_html_report(const struct ct_ledger_h *L, const struct ct_team *t,
                   const struct ct_report_opts *o, int64_t generated, double sci_per,
                   const char *sci_unit, ct_buf *out, ct_err *e);

#endif
