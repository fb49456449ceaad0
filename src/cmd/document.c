/* Builds the report document for a command (document.h). */
#include "cmd/document.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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
    if (o->note && o->note[0])
        ct_report_warn(r, "%s", o->note);
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
        int ok = r->sci != NULL;
        if (!ok || ct_sci_compute(r, t, o->sci_per, o->sci_unit, r->sci, &e) < 0) {
            free(r->sci);
            r->sci = NULL;
            ct_report_free(r);
            return ct_fail(CT_EXIT_USER, cmd, "%s", ok ? e.msg : "out of memory computing SCI");
        }
    }
    return CT_EXIT_OK;
}

int ct_cmd_team_optional(const char *cmd, const struct ct_global *g, const char *country,
                         struct ct_team *t, char *note, size_t n)
{
    note[0] = '\0';
    if (g->config_given || access(g->config, F_OK) == 0)
        return ct_cmd_team(cmd, g, t);
    /* Someone who only imported logs or ran `measure` gets a report too. */
    char text[128];
    ct_err e;
    snprintf(text, sizeof text, "[team]\ncountry = %s\n", country ? country : "WORLD");
    if (ct_team_load_string(text, "--country", t, &e) < 0)
        return ct_fail(CT_EXIT_USAGE, cmd, "--country '%s': %s", country, e.msg);
    if (country)
        snprintf(note, n, "no team file at %s: everything is counted at %s (--country), each "
                 "host as unassigned; write a team file (see examples/team.ini) for platforms",
                 g->config, country);
    else
        snprintf(note, n, "no team file at %s: everything is counted at the world average "
                 "(WORLD); pass --country ISO3, or write a team file (see examples/team.ini)",
                 g->config);
    return CT_EXIT_OK;
}
