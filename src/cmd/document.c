/* Builds the report document for a command (document.h). */
#include "cmd/document.h"

#include <stdlib.h>

#include "report/sci.h"

int ct_cmd_document(const char *cmd, const struct ct_global *g, const struct ct_team *t,
                    const struct ct_doc_opts *o, struct ct_report *r)
{
    struct ct_ledger_h L;
    ct_err e;
    if (ct_cmd_ledger(cmd, g, 1, &L))
        return CT_EXIT_USER;
    int rc = ct_report_build(&L, t, &o->report, r, &e);
    ct_ledger_close(&L);
    if (rc < 0)
        return ct_fail(CT_EXIT_USER, cmd, "%s", e.msg);
    if (o->advice) {
        r->advice = calloc(1, sizeof *r->advice);
        if (!r->advice) {
            ct_report_free(r);
            return ct_fail(CT_EXIT_USER, cmd, "out of memory");
        }
        ct_advise(r, t, o->io, r->advice);
    }
    if (o->sci_per > 0) {
        r->sci = calloc(1, sizeof *r->sci);
        if (!r->sci || ct_sci_compute(r, t, o->sci_per, o->sci_unit, r->sci, &e) < 0) {
            free(r->sci);
            r->sci = NULL;
            ct_report_free(r);
            return ct_fail(CT_EXIT_USER, cmd, "%s", r->sci ? e.msg : "cannot compute SCI");
        }
    }
    return CT_EXIT_OK;
}
