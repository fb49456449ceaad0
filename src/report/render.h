#ifndef CT_RENDER_H
#define CT_RENDER_H
/* Renderers of the report model. Each appends to a buffer; none prints. Output is
 * deterministic and locale-proof (the C locale is never changed). */
#include "core/buf.h"
#include "report/model.h"

void ct_render_table(const struct ct_report *r, int explain, ct_buf *out);
void ct_render_json(const struct ct_report *r, int explain, ct_buf *out);
void ct_render_csv(const struct ct_report *r, ct_buf *out);

#endif
