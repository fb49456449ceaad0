#ifndef CT_RENDER_HTML_INT_H
#define CT_RENDER_HTML_INT_H
/* Private to the HTML renderer: the sections drawn by render_html_advice.c. */
#include "report/render_html.h"
#include "report/svg.h"

void ct_html_findings(ct_buf *b, const struct ct_advice *a);
void ct_html_recommendations(ct_buf *b, const struct ct_advice *a);
void ct_html_sci(ct_buf *b, const struct ct_sci *s);

#endif
