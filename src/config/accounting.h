#ifndef CT_ACCOUNTING_H
#define CT_ACCOUNTING_H
/* The accounting rule: the one place that says at which location, year, grid
 * factor and PUE a platform's (or a host's, or a usage row's) energy becomes
 * kgCO2e. Reports, `measure` and the cleaner-region findings all ask here, so
 * a figure never depends on which command computed it.
 *
 *   location  a usage row's own cloud region (its host, "aws:ap-southeast-1")
 *             when it names one; else the platform's location; else the
 *             team's country; else the world average (WORLD);
 *   factor    the grid factor of that location for the year (the nearest
 *             earlier year when missing, with a note);
 *   PUE       the platform's own; else the location's (a cloud provider's or
 *             region's); else 1.0 (device energy only), flagged. */
#include "account/factors.h"
#include "config/team.h"

struct ct_acct {
    char location[64];        /* as configured or derived */
    const char *why;          /* "usage row's region", "platform location", ... */
    struct ct_factor f;
    double pue;
    const char *pue_source;   /* a source id, "team file", or "none given" */
    int pue_defaulted;        /* 1: no PUE anywhere, 1.0 used */
};

/* t may be NULL (no team file), p NULL (no platform), row_location NULL or ""
 * (the record names no location of its own). -1 with e when the location is
 * unknown to the factor tables. */
int ct_acct_lookup(const struct ct_team *t, const struct ct_platform *p, const char *row_location,
                   int year, struct ct_acct *out, ct_err *e);

/* The cloud location a usage row's host names ("aws:us-east-1"), or NULL. */
const char *ct_acct_row_location(const char *source_kind, const char *host);

#endif
