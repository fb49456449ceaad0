#ifndef CT_INSIGHT_H
#define CT_INSIGHT_H
/* Findings and recommendations: what the ledger shows (idle GPUs, lightly used
 * platforms and hosts, cleaner cloud regions, each platform's share), and which
 * measures of the playbook (data/playbook.csv) apply, with their estimated
 * yearly saving, ranked by saving over effort, quick wins first.
 *
 * Every figure is per year: a period's figure is extrapolated to the period (as
 * the report does) and scaled to 365.25 days unless the period is a calendar
 * year. Library code: nothing here prints; renderers append to a ct_buf. */
#include "config/team.h"
#include "core/buf.h"
#include "insight/playbook.h"
#include "report/model.h"

/* Findings from the report document and team file, then the playbook's
 * measures that apply, ranked. o NULL: the defaults. */
void ct_advise(const struct ct_report *r, const struct ct_team *t, const struct ct_insight_opts *o,
               struct ct_advice *a);

void ct_insight_defaults(struct ct_insight_opts *o);

/* The parts, exposed for tests. */
void ct_findings(const struct ct_report *r, const struct ct_team *t, const struct ct_insight_opts *o,
                 struct ct_advice *a);
void ct_finding_add(struct ct_advice *a, const struct ct_finding *f);
/* The cleaner-region finding for a platform at location loc in year (0: none). */
int ct_find_cleaner_region(const char *loc, int year, double ratio_max, struct ct_finding *f);
/* Does measure m apply to finding f? */
int ct_measure_matches(const struct ct_measure *m, const struct ct_finding *f);
/* m's saving from f, kgCO2e per year. */
double ct_measure_saving(const struct ct_measure *m, const struct ct_finding *f);
/* Evaluates every measure of the playbook (n rows) against a->f and ranks. */
void ct_recommend(struct ct_advice *a, const struct ct_measure *playbook, int n);

#endif
