/* The JSON report with the advice for the same period as one more member. */
#include <string.h>

#include "insight/insight.h"
#include "report/render.h"

/* Puts `"key": json` before the closing brace of the object that b holds. */
static void add_member(ct_buf *b, const char *key, const ct_buf *json)
{
    size_t end = b->len;
    while (end > 0 && b->p[end - 1] != '}')
        end--;
    if (end == 0)
        return;
    ct_buf tail = {0};
    ct_buf_put(&tail, b->p + end - 1, b->len - (end - 1));
    b->len = end - 1;
    while (b->len > 0 && (b->p[b->len - 1] == '\n' || b->p[b->len - 1] == ' '))
        b->len--;
    ct_buf_puts(b, ",\n  ");
    ct_buf_json_str(b, key);
    ct_buf_puts(b, ": ");
    ct_buf_put(b, json->p, json->len);
    ct_buf_puts(b, "\n");
    ct_buf_put(b, tail.p, tail.len);
    ct_buf_free(&tail);
}

int ct_json_report_advised(const struct ct_ledger_h *L, const struct ct_team *t,
                           const struct ct_report_opts *o, int explain, ct_buf *out, ct_err *e)
{
    struct ct_bundle bd;
    struct ct_report other, *shown = &bd.r;
    if (ct_bundle_build(L, t, o, &bd, e) < 0)
        return -1;
    if (o->by != CT_BY_PLATFORM) { /* the advice is by platform; the report as asked */
        if (ct_report_build(L, t, o, &other, e) < 0) {
            ct_bundle_free(&bd);
            return -1;
        }
        shown = &other;
    }
    struct ct_advice a;
    ct_buf adv = {0};
    ct_advise(&bd, t, NULL, &a);
    ct_advice_json(&a, &adv);
    ct_render_json(shown, explain, out);
    add_member(out, "advice", &adv);
    ct_buf_free(&adv);
    ct_advice_free(&a);
    if (shown != &bd.r)
        ct_report_free(shown);
    ct_bundle_free(&bd);
    return 0;
}
