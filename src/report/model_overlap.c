/* One method per platform: records of another kind on a platform are overlaps,
 * listed with their figures, warned about once with what to do, left out. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/model_int.h"

/* ---- one method per platform ---- */

static const char *kind_what(int kind, int method)
{
    switch (kind) {
    case SK_ESTIMATE: return "estimate";
    case SK_USAGE: return "usage rows";
    case SK_PROVIDED: return "provided figures";
    default: return method == CT_METHOD_MEASURED ? "measured energy" : "sensor estimates";
    }
}

static void overlap_warning(struct ctx *c, const struct ct_platform *p, int kind)
{
    const char *n = p->name;
    struct ct_report *r = c->r;
    if (kind == SK_ESTIMATE && p->method == CT_METHOD_CALCULATED)
        ct_model_warn(r, "platform '%s' is counted from usage rows (source = usage), but the "
                      "ledger also holds a team-file estimate for it: left out, never added; run "
                      "`co2tally estimate` to remove it", n);
    else if (kind == SK_ESTIMATE)
        ct_model_warn(r, "platform '%s' is %s, but the ledger still holds an estimate for it from "
                      "when it was calculated: left out, never added; run `co2tally estimate` to "
                      "remove stale estimates", n, ct_method_name(p->method));
    else if (kind == SK_USAGE && p->method == CT_METHOD_CALCULATED)
        ct_model_warn(r, "platform '%s' is estimated from its team-file parameters, but the ledger "
                      "also holds usage rows imported for it: left out, never added; set `source "
                      "= usage` in [platform %s] to count the usage rows instead", n, n);
    else if (kind == SK_PROVIDED)
        ct_model_warn(r, "platform '%s' is %s, but the ledger holds providers' figures for it: "
                      "left out, never added; give those rows a platform with method = provided "
                      "and provider = ...", n, ct_method_name(p->method));
    else if (p->method == CT_METHOD_PROVIDED)
        ct_model_warn(r, "platform '%s' is counted from its provider's figures, but the ledger "
                      "also holds %s for it: left out, never added", n, kind_what(kind, 0));
    else
        ct_model_warn(r, "platform '%s' is %s, but the ledger also holds %s for it: left out, "
                      "never added; make it method = measured with its hosts to count them", n,
                      ct_method_name(p->method), kind_what(kind, CT_METHOD_MEASURED));
}

static int accepted(const struct ct_platform *p, int kind)
{
    switch (p->method) {
    case CT_METHOD_MEASURED: return kind == SK_SENSOR;
    case CT_METHOD_PROVIDED: return kind == SK_PROVIDED;
    default: return kind == (p->calc_source == CT_CALC_USAGE ? SK_USAGE : SK_ESTIMATE);
    }
}

int ct_model_accepts(struct ctx *c, int plat, int kind, double kwh, double kg)
{
    const struct ct_platform *p = ct_model_team_plat(c, plat);
    if (!p || accepted(p, kind))
        return 1;
    struct ct_report *r = c->r;
    const char *what = kind_what(kind, p->method == CT_METHOD_MEASURED ? 1 : 0);
    int i;
    for (i = 0; i < r->noverlaps; i++)
        if (strcmp(r->overlaps[i].platform, p->name) == 0 && strcmp(r->overlaps[i].what, what) == 0)
            break;
    if (i == r->noverlaps) {
        struct ct_overlap *o = realloc(r->overlaps, sizeof *o * (size_t)(r->noverlaps + 1));
        if (!o)
            return ct_model_oom(c), 0;
        r->overlaps = o;
        memset(&o[i], 0, sizeof o[i]);
        snprintf(o[i].platform, sizeof o[i].platform, "%s", p->name);
        snprintf(o[i].what, sizeof o[i].what, "%s", what);
        o[i].energy_kwh = kind == SK_PROVIDED ? NAN : 0;
        r->noverlaps++;
        overlap_warning(c, p, kind);
    }
    if (kind != SK_PROVIDED)
        r->overlaps[i].energy_kwh += kwh;
    r->overlaps[i].kgco2e += kg;
    return 0;
}

