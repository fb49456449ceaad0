/* Findings and recommendations as JSON and as terminal text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "config/team.h"
#include "report/advice.h"

static const char *kind_names[] = {"platform_share", "idle_gpu", "low_utilisation", "cleaner_region"};

const char *ct_finding_kind_name(int kind)
{
    return kind >= 0 && kind < CT_FIND_KINDS ? kind_names[kind] : "?";
}

int ct_finding_kind_parse(const char *s)
{
    for (int i = 0; i < CT_FIND_KINDS; i++)
        if (strcmp(s, kind_names[i]) == 0)
            return i;
    return -1;
}

const char *ct_effort_name(int effort)
{
    return effort == CT_EFFORT_LOW ? "low" : effort == CT_EFFORT_MEDIUM ? "medium" : "high";
}

const char *ct_quadrant_name(int q)
{
    static const char *names[] = {"quick win", "major project", "fill-in", "thankless"};
    return q >= 0 && q < 4 ? names[q] : "?";
}

void ct_advice_free(struct ct_advice *a)
{
    free(a->f);
    free(a->rec);
    memset(a, 0, sizeof *a);
}

static void jstr(ct_buf *b, const char *key, const char *v)
{
    ct_buf_printf(b, ", ");
    ct_buf_json_str(b, key);
    ct_buf_puts(b, ": ");
    if (v && v[0])
        ct_buf_json_str(b, v);
    else
        ct_buf_puts(b, "null");
}

static void jnum(ct_buf *b, const char *key, double v)
{
    ct_buf_printf(b, ", ");
    ct_buf_json_str(b, key);
    ct_buf_puts(b, ": ");
    ct_buf_json_num(b, v);
}

static void finding_json(ct_buf *b, const struct ct_finding *f)
{
    ct_buf_puts(b, "{\"kind\": ");
    ct_buf_json_str(b, ct_finding_kind_name(f->kind));
    jstr(b, "platform", f->platform);
    jstr(b, "host", f->host);
    jstr(b, "device", f->device);
    jnum(b, "hours", f->hours);
    jnum(b, "kwh", f->kwh);
    jnum(b, "hours_per_year", f->hours_per_year);
    jnum(b, "kwh_per_year", f->kwh_per_year);
    jnum(b, "kgco2e_per_year", f->kgco2e_per_year);
    jnum(b, "share", f->share);
    jnum(b, "utilisation", f->util);
    if (f->platform[0]) {
        jstr(b, "platform_kind", ct_kind_name(f->platform_kind));
        ct_buf_printf(b, ", \"platform_kind_inferred\": %s", f->kind_inferred ? "true" : "false");
    }
    if (f->kind == CT_FIND_REGION) {
        jstr(b, "region", f->region);
        jstr(b, "cleaner_region", f->cleaner);
        jnum(b, "factor_ratio", f->ratio);
    }
    jstr(b, "evidence", f->evidence);
    ct_buf_puts(b, "}");
}

static void rec_json(ct_buf *b, const struct ct_recommendation *r, int rank)
{
    ct_buf_printf(b, "{\"rank\": %d", rank);
    jstr(b, "id", r->m->id);
    jstr(b, "theme", r->m->theme);
    jstr(b, "title", r->m->title);
    jstr(b, "effort", ct_effort_name(r->m->effort));
    jstr(b, "quadrant", ct_quadrant_name(r->quadrant));
    jstr(b, "applies_because", r->because);
    jnum(b, "saving_kgco2e_per_year", r->saving);
    jnum(b, "findings", r->nfindings);
    jstr(b, "rule", r->m->rule_text);
    jstr(b, "when", r->m->when);
    jstr(b, "how", r->m->how);
    ct_buf_puts(b, "}");
}

void ct_advice_json(const struct ct_advice *a, ct_buf *b)
{
    char f[21], t[21];
    ct_fmt_iso(a->from, f);
    ct_fmt_iso(a->to, t);
    ct_buf_printf(b, "{\"period\": {\"from\": \"%s\", \"to\": \"%s\"}", f, t);
    jnum(b, "total_kgco2e_per_year", a->total_per_year);
    jnum(b, "high_impact_kgco2e_per_year", a->impact_kg);
    jnum(b, "idle_utilisation_threshold", a->opts.idle_util);
    jnum(b, "low_utilisation_threshold", a->opts.low_util);
    jstr(b, "note", "each saving is estimated alone from the ledger; measures overlap, so "
                    "savings do not add up");
    ct_buf_puts(b, ",\n  \"findings\": [");
    for (int i = 0; i < a->nf; i++) {
        ct_buf_puts(b, i ? ",\n    " : "\n    ");
        finding_json(b, &a->f[i]);
    }
    ct_buf_puts(b, a->nf ? "\n  ],\n  \"recommendations\": [" : "],\n  \"recommendations\": [");
    for (int i = 0; i < a->nrec; i++) {
        ct_buf_puts(b, i ? ",\n    " : "\n    ");
        rec_json(b, &a->rec[i], i + 1);
    }
    ct_buf_puts(b, a->nrec ? "\n  ]}" : "]}");
}

/* ------------------------------------------------------------ text */

static void who_of(const struct ct_finding *f, char *who, size_t n)
{
    if (f->device[0])
        snprintf(who, n, "%s %s", f->host, f->device);
    else if (f->host[0])
        snprintf(who, n, "%s (%s)", f->host, f->platform);
    else
        snprintf(who, n, "%s", f->platform);
}

/* The "about" column is as wide as its widest entry: names are never cut. */
static void finding_text(ct_buf *b, const struct ct_finding *f, int w)
{
    char who[480];
    who_of(f, who, sizeof who);
    ct_buf_printf(b, "  %-16s %-*s %10.1f\n      %s\n", ct_finding_kind_name(f->kind), w, who,
                  f->kgco2e_per_year, f->evidence);
}

static void rec_text(ct_buf *b, const struct ct_recommendation *r, int rank)
{
    ct_buf_printf(b, "%3d. %s: %.1f kgCO2e/year [%s, %s effort, %s]\n", rank, r->m->title,
                  r->saving, ct_quadrant_name(r->quadrant), ct_effort_name(r->m->effort),
                  r->m->theme);
    ct_buf_printf(b, "     %s; because %s\n     %s\n", r->m->id, r->because, r->m->how);
}

void ct_advice_text(const struct ct_advice *a, ct_buf *b)
{
    ct_buf_printf(b, "Findings (kgCO2e a year; the team: %.1f)\n", a->total_per_year);
    int w = 8;
    for (int i = 0; i < a->nf; i++) {
        char who[480];
        who_of(&a->f[i], who, sizeof who);
        w = (int)strlen(who) > w ? (int)strlen(who) : w;
    }
    ct_buf_printf(b, "  %-16s %-*s %10s\n", "kind", w, "about", "kgCO2e/yr");
    for (int i = 0; i < a->nf; i++)
        finding_text(b, &a->f[i], w);
    if (a->nrec == 0) {
        ct_buf_puts(b, "\nNo measure of the playbook applies to these findings.\n");
        return;
    }
    ct_buf_puts(b, "\n");
    ct_quadrant_text(a, b);
    ct_buf_puts(b, "\nRecommendations: quick wins first, then by saving over effort. Each saving "
                   "is\nestimated alone; measures overlap, so savings do not add up.\n");
    for (int i = 0; i < a->nrec; i++)
        rec_text(b, &a->rec[i], i + 1);
}
