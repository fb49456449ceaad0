/* The accounting rule (accounting.h). */
#include "config/accounting.h"

#include <stdio.h>
#include <string.h>

#include "ledger/ledger.h"

const char *ct_acct_row_location(const char *source_kind, const char *host)
{
    /* Only usage rows carry their region in the host field; a live host named
     * "aws:..." is still a host. */
    if (!source_kind || strcmp(source_kind, "usage") != 0 || !host)
        return NULL;
    if (strncmp(host, "aws:", 4) == 0 || strncmp(host, "gcp:", 4) == 0 ||
        strncmp(host, "azure:", 6) == 0)
        return host;
    return NULL;
}

int ct_acct_lookup(const struct ct_team *t, const struct ct_platform *p, const char *row_location,
                   int year, struct ct_acct *out, ct_err *e)
{
    memset(out, 0, sizeof *out);
    const char *loc;
    if (row_location && row_location[0]) {
        loc = row_location;
        out->why = "the usage row's region";
    } else if (p && p->location) {
        loc = p->location;
        out->why = "the platform's location";
    } else if (t && t->country) {
        loc = t->country;
        out->why = "the team's country";
    } else {
        loc = "WORLD";
        out->why = "the world average (no location in the team file)";
    }
    snprintf(out->location, sizeof out->location, "%s", loc);
    if (ct_factor_lookup(loc, year, &out->f, e) < 0)
        return -1;
    if (p && p->pue == p->pue) { /* not NAN */
        out->pue = p->pue;
        out->pue_source = p->pue_source ? p->pue_source : "team file";
    } else if (ct_pue_lookup(loc, &out->pue, &out->pue_source, NULL) < 0) {
        out->pue = 1.0;
        out->pue_source = "none given";
        out->pue_defaulted = 1;
    }
    return 0;
}
