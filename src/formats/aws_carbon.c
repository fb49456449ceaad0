/* "aws-carbon": AWS's own carbon figures, as CSV (or .csv.gz: the input layer
 * decompresses).
 *
 * Two shapes, told apart by their headers:
 *  - the Data Exports CARBON_EMISSIONS table: usage_period_start/_end,
 *    payer_account_id, usage_account_id, product_code, region_code, location,
 *    model_version, and value/unit column pairs in metric tonnes (MTCO2e).
 *    Newer exports split scopes (total_scope_1_emissions_value,
 *    total_scope_2_lbm_/_mbm_, total_scope_3_lbm_/_mbm_): the scopes are
 *    emitted and total_lbm/total_mbm only check them. Older exports have the
 *    totals alone: each is emitted as scope 2 of its basis, since AWS's
 *    location- and market-based totals were then scope 1 + 2 together and the
 *    ledger has no combined scope (scope 1 is a small part of them).
 *  - the Customer Carbon Footprint Tool's console/API rows (startDate,
 *    accountId, mbmCarbon, paceProductCode, regionCode; MTCO2e): market-based
 *    scope 1 + 2, emitted as scope 2 like the older totals.
 * Accounts: account is the payer (billing) account, project the usage account. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "formats/csvsplit.h"
#include "formats/formats_int.h"
#include "formats/provider_int.h"

enum { C_START, C_END, C_PAYER, C_USAGE, C_PRODUCT, C_REGION, C_LOCATION, NCOL };

static const char *const col_alias[NCOL][4] = {
    {"usage_period_start", "startdate", "start_date", NULL},
    {"usage_period_end", "enddate", "end_date", NULL},
    {"payer_account_id", NULL},
    {"usage_account_id", "accountid", "account_id", NULL},
    {"product_code", "paceproductcode", "service", NULL},
    {"region_code", "regioncode", "region", NULL},
    {"location", "geography", NULL},
};

/* One emission quantity of a row: its value and unit columns. */
struct qty {
    const char *value, *unit; /* normalised header names */
    int scope;                /* 0: a total, used only to check */
    int basis;                /* 0 location, 1 market, 2 both (scope 1, 3 need no basis) */
    int vi, ui;               /* column indexes, -1 absent */
};

enum { Q_S1, Q_S2L, Q_S2M, Q_S3L, Q_S3M, Q_TL, Q_TM, Q_CCFT_M, Q_CCFT_L, NQ };

static const struct qty qty_proto[NQ] = {
    {"total_scope_1_emissions_value", "total_scope_1_emissions_unit", 1, 2, -1, -1},
    {"total_scope_2_lbm_emissions_value", "total_scope_2_lbm_emissions_unit", 2, 0, -1, -1},
    {"total_scope_2_mbm_emissions_value", "total_scope_2_mbm_emissions_unit", 2, 1, -1, -1},
    {"total_scope_3_lbm_emissions_value", "total_scope_3_lbm_emissions_unit", 3, 0, -1, -1},
    {"total_scope_3_mbm_emissions_value", "total_scope_3_mbm_emissions_unit", 3, 1, -1, -1},
    {"total_lbm_emissions_value", "total_lbm_emissions_unit", 0, 0, -1, -1},
    {"total_mbm_emissions_value", "total_mbm_emissions_unit", 0, 1, -1, -1},
    {"mbmcarbon", NULL, 2, 1, -1, -1},
    {"lbmcarbon", NULL, 2, 0, -1, -1},
};

struct aws {
    struct pv_ctx c;
    struct csv_rec hdr, row;
    int col[NCOL];
    struct qty q[NQ];
    int split;            /* the scope columns are there */
};

/* A row's quantities in kg, and what they were in the file. */
struct vals {
    double kg[NQ], orig[NQ];
    int have[NQ], decimals;
    const char *unit[NQ];
};

static int find(const struct csv_rec *h, const char *name)
{
    const char *a[2] = {name, NULL};
    return name ? csv_col(h, a) : -1;
}

static int map_header(struct aws *a, ct_err *e)
{
    for (int i = 0; i < NCOL; i++)
        a->col[i] = csv_col(&a->hdr, col_alias[i]);
    int any = 0;
    for (int i = 0; i < NQ; i++) {
        a->q[i] = qty_proto[i];
        a->q[i].vi = find(&a->hdr, a->q[i].value);
        a->q[i].ui = find(&a->hdr, a->q[i].unit);
        any |= a->q[i].vi >= 0;
        if (i <= Q_S3M && a->q[i].vi >= 0)
            a->split = 1;
    }
    if (a->col[C_START] < 0)
        return pv_fail(&a->c, a->hdr.line, e, "no usage_period_start (or startDate) column%s",
                       pv_other_hint(&a->hdr, "aws"));
    if (!any)
        return pv_fail(&a->c, a->hdr.line, e,
                       "no emissions column (total_lbm_emissions_value, "
                       "total_mbm_emissions_value, total_scope_..._emissions_value or "
                       "mbmCarbon)%s", pv_other_hint(&a->hdr, "aws"));
    return 0;
}

static int read_vals(struct aws *a, struct vals *v, ct_err *e)
{
    memset(v, 0, sizeof *v);
    for (int i = 0; i < NQ; i++) {
        const struct qty *q = &a->q[i];
        if (q->vi < 0)
            continue;
        long ln = a->row.line;
        if (pv_num(&a->c, ln, a->hdr.f[q->vi], csv_get(&a->row, q->vi), &v->orig[i], &v->have[i],
                   &v->decimals, e) < 0)
            return -1;
        const char *u = q->ui >= 0 ? csv_get(&a->row, q->ui) : "";
        v->unit[i] = *u ? u : "MTCO2e"; /* the documented unit when the column is empty */
        double k;
        if (v->have[i] && pv_unit_kg(v->unit[i], &k) < 0)
            return pv_fail(&a->c, ln, e, "column '%s': unknown unit '%.40s' (expected MTCO2e)",
                           q->ui >= 0 ? a->hdr.f[q->ui] : a->hdr.f[q->vi], v->unit[i]);
        if (v->have[i])
            v->kg[i] = v->orig[i] * k;
    }
    return 0;
}

/* A total that is not the sum of its scopes is a warning naming the row. */
static void check_total(struct aws *a, const struct vals *v, int t, int s2, int s3)
{
    if (!v->have[t] || !(v->have[Q_S1] || v->have[s2] || v->have[s3]))
        return;
    double sum = (v->have[Q_S1] ? v->orig[Q_S1] : 0) + (v->have[s2] ? v->orig[s2] : 0) +
                 (v->have[s3] ? v->orig[s3] : 0);
    if (fabs(sum - v->orig[t]) > pv_tolerance(v->decimals, 3, v->orig[t]))
        pv_warn(&a->c, a->row.line,
                "%s %.17g %s is not the sum of its scopes (%.17g); the scopes are imported",
                a->q[t].value, v->orig[t], v->unit[t], sum);
}

static int emit_one(struct aws *a, struct ct_provided_rec *p, const struct vals *v, int i,
                    int scope, int basis, ct_err *e)
{
    p->scope = scope;
    p->market_based = basis;
    p->kgco2e = v->kg[i];
    p->orig_value = v->orig[i];
    p->orig_unit = v->unit[i];
    return pv_emit(&a->c, p, a->row.line, e);
}

static int emit_row(struct aws *a, struct ct_provided_rec *p, const struct vals *v, ct_err *e)
{
    int first = a->split ? Q_S1 : Q_TL, last = a->split ? Q_S3M : NQ - 1;
    for (int i = first; i <= last; i++) {
        if (!v->have[i])
            continue;
        int scope = a->q[i].scope ? a->q[i].scope : 2; /* an unsplit total: see the top */
        int basis = a->q[i].basis;
        /* Scope 1 and 3 go with each basis whose scope 2 the file has. */
        int loc = basis == 0 || (basis == 2 && (a->q[Q_S2L].vi >= 0 || a->q[Q_S2M].vi < 0));
        int mkt = basis == 1 || (basis == 2 && a->q[Q_S2M].vi >= 0);
        if ((loc && emit_one(a, p, v, i, scope, 0, e) < 0) ||
            (mkt && emit_one(a, p, v, i, scope, 1, e) < 0))
            return -1;
    }
    if (a->split) {
        check_total(a, v, Q_TL, Q_S2L, Q_S3L);
        check_total(a, v, Q_TM, Q_S2M, Q_S3M);
    }
    return 0;
}

static int period(struct aws *a, int64_t *t0, int64_t *t1, ct_err *e)
{
    const char *s = csv_get(&a->row, a->col[C_START]);
    if (pv_time(s, t0) < 0)
        return pv_fail(&a->c, a->row.line, e, "column '%s': '%.40s' is not a date",
                       a->hdr.f[a->col[C_START]], s);
    const char *x = a->col[C_END] >= 0 ? csv_get(&a->row, a->col[C_END]) : "";
    if (!*x) {
        *t1 = ct_next_month(*t0); /* the exports are monthly */
        return 0;
    }
    if (pv_time(x, t1) < 0)
        return pv_fail(&a->c, a->row.line, e, "column '%s': '%.40s' is not a date",
                       a->hdr.f[a->col[C_END]], x);
    if (*t1 <= *t0)
        return pv_fail(&a->c, a->row.line, e, "the period ends (%.40s) before it starts (%.40s)",
                       x, s);
    return 0;
}

static int do_row(struct aws *a, ct_err *e)
{
    struct vals v;
    struct ct_provided_rec p = {.provider = "aws"};
    char region[96];
    if (period(a, &p.t0, &p.t1, e) < 0 || read_vals(a, &v, e) < 0)
        return -1;
    const char *rc = csv_get(&a->row, a->col[C_REGION]);
    p.region_raw = *rc ? rc : csv_get(&a->row, a->col[C_LOCATION]);
    pv_region("aws", p.region_raw, region, sizeof region);
    p.region = region;
    p.account = csv_get(&a->row, a->col[C_PAYER]);
    p.project = csv_get(&a->row, a->col[C_USAGE]);
    if (!*p.account) /* the console rows name one account */
        p.account = p.project;
    p.service = csv_get(&a->row, a->col[C_PRODUCT]);
    return emit_row(a, &p, &v, e);
}

static int aws_parse(struct ct_input *in, const struct ct_parse_opts *o,
                     struct ct_reading_sink *sink, ct_err *e)
{
    struct aws a;
    memset(&a, 0, sizeof a);
    if (pv_begin(&a.c, in, o, sink, "aws", e) < 0)
        return -1;
    int rc = csv_read(in, &a.hdr, e);
    if (rc > 0)
        rc = map_header(&a, e) < 0 ? -1 : 1;
    while (rc > 0 && (rc = csv_read(in, &a.row, e)) > 0)
        if (do_row(&a, e) < 0)
            rc = -1;
    csv_rec_free(&a.hdr);
    csv_rec_free(&a.row);
    return rc < 0 ? -1 : 0;
}

static int aws_sniff(const char *head, size_t n)
{
    struct csv_rec h = {0};
    const char *nl = memchr(head, '\n', n);
    int score = 0;
    if (csv_split_line(&h, head, nl ? (size_t)(nl - head) : n) > 0) {
        static const char *const start[] = {"usage_period_start", NULL};
        static const char *const val[] = {"total_lbm_emissions_value", "total_mbm_emissions_value",
                                          "total_scope_1_emissions_value", NULL};
        static const char *const ccft[] = {"mbmcarbon", NULL};
        static const char *const ccft2[] = {"paceproductcode", "regioncode", NULL};
        if (csv_col(&h, start) >= 0 && csv_col(&h, val) >= 0)
            score = 95;
        else if (csv_col(&h, ccft) >= 0 && csv_col(&h, ccft2) >= 0)
            score = 90;
    }
    csv_rec_free(&h);
    return score;
}

const struct ct_format_ops ct_fmt_aws_carbon = {
    CT_FORMAT_OPS_VERSION, "aws-carbon",
    "AWS carbon emissions: Data Exports CARBON_EMISSIONS CSV (.gz too), or the Customer "
    "Carbon Footprint Tool's rows",
    aws_sniff, aws_parse,
};
