#ifndef CT_CMD_DOCUMENT_H
#define CT_CMD_DOCUMENT_H
/* The report document as the commands build it: the figures (report layer),
 * then the advice (insight layer) and SCI when asked, all from one build, so
 * `report` in every format and `advise` read the same numbers. */
#include "cmd/common.h"
#include "insight/insight.h"
#include "report/model.h"

struct ct_doc_opts {
    struct ct_report_opts report;
    int advice;                        /* fill r->advice */
    const struct ct_insight_opts *io;  /* NULL: the defaults */
    double sci_per;                    /* > 0: fill r->sci per this many units */
    const char *sci_unit;
    const char *note;                  /* a warning for the report ("" or NULL: none) */
};

/* The team file; or, where there is none at the default path (and --config
 * was not given), a team of no platforms counted at `country` (NULL: the
 * world average), *note then saying so for the report to warn. */
int ct_cmd_team_optional(const char *cmd, const struct ct_global *g, const char *country,
                         struct ct_team *t, char *note, size_t n);

/* Opens the ledger read-only, builds, closes. Prints and returns CT_EXIT_USER
 * on error; CT_EXIT_OK with r filled (free it with ct_report_free). */
int ct_cmd_document(const char *cmd, const struct ct_global *g, const struct ct_team *t,
                    const struct ct_doc_opts *o, struct ct_report *r);

#endif
