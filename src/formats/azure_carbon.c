/* "azure-carbon": Microsoft's own carbon figures for Azure.
 *
 *  - Carbon Optimization reports (the queryCarbonEmissionReports API, as JSON:
 *    {"value": [...], "skipToken": ...} or a bare array), kgCO2e. Items of
 *    dataType MonthlySummaryData (one month each, from "date") and
 *    ItemDetailsData / ResourceItemDetailsData / ResourceGroupItemDetailsData
 *    (one per resource, for the query's date range) are imported. Overall and
 *    top-items summaries are totals or subsets of those: left out, with a
 *    warning. The API answers one query, and a query names its scopes
 *    (carbonScopeList) and date range, which the response does not repeat; so
 *    the file says them: a top-level "carbonScopeList" (one scope) and
 *    "dateRange" {"start", "end"}, bare or inside "query", or else the file
 *    name ("...-scope2-2024-05.json"). A list of several scopes is refused:
 *    its figures are sums of scopes.
 *  - Emissions Impact Dashboard / Cloud for Sustainability EnrollmentEmission
 *    rows (dateKey, enrollmentId, subscriptionId, azureServiceName,
 *    azureRegionName, scope, totalEmissions in metric tonnes), as OData JSON
 *    ({"value": [...]}) or as CSV with those headers.
 * Basis: Microsoft reports scope 2 market-based; the records say so. Accounts:
 * account is the enrollment (billing account) when given, project the
 * subscription. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "formats/csvsplit.h"
#include "formats/formats_int.h"
#include "formats/json_min.h"
#include "formats/provider_int.h"

/* What the query said (or the file name): scope and months. */
struct query {
    int scope;          /* 0: unknown */
    int64_t t0, t1;     /* 0, 0: unknown */
};

/* One row of either source, before it becomes a record. */
struct arow {
    long line;
    const char *account, *project, *service, *region_raw, *unit;
    int scope;
    int64_t t0, t1;
    double value;
};

static int emit(struct pv_ctx *c, const struct arow *r, ct_err *e)
{
    double k;
    if (pv_unit_kg(r->unit, &k) < 0)
        return pv_fail(c, r->line, e, "unknown unit '%.40s'", r->unit);
    char region[96];
    pv_region("azure", r->region_raw, region, sizeof region);
    struct ct_provided_rec p = {.provider = "azure", .account = r->account,
                                .project = r->project, .service = r->service, .region = region,
                                .region_raw = r->region_raw, .scope = r->scope,
                                .market_based = 1, .t0 = r->t0, .t1 = r->t1,
                                .kgco2e = r->value * k, .orig_value = r->value,
                                .orig_unit = r->unit};
    return pv_emit(c, &p, r->line, e);
}

/* "Scope1", "Scope 2", "scope_3", "3". 0 when none. */
static int scope_of(const char *s)
{
    while (*s && !isdigit((unsigned char)*s)) {
        if (!strchr("Ss cCoOpPeE_-", *s))
            return 0;
        s++;
    }
    return (*s >= '1' && *s <= '3' && !s[1]) ? *s - '0' : 0;
}

/* ---- the query, from the document or the file name ---- */

static int month_of(const char *s, int64_t *t)
{
    if (pv_time(s, t) < 0)
        return -1;
    *t = ct_month_start(*t);
    return 0;
}

static int query_from_doc(struct pv_ctx *c, const struct json_val *root, struct query *q,
                          ct_err *e)
{
    const struct json_val *qo = json_get(root, "query");
    if (!qo)
        qo = json_get(root, "queryParameter");
    const struct json_val *sl = json_get(root, "carbonScopeList");
    if (!sl)
        sl = json_get(qo, "carbonScopeList");
    if (sl && sl->type == JSON_ARR) {
        if (sl->n != 1)
            return pv_fail(c, sl->line, e, "carbonScopeList names %zu scopes: the figures would "
                           "be their sum; query one scope per file", sl->n);
        if (sl->kids[0].type != JSON_STR || !(q->scope = scope_of(sl->kids[0].str)))
            return pv_fail(c, sl->line, e, "carbonScopeList: expected \"Scope1\", \"Scope2\" or "
                           "\"Scope3\"");
    }
    const struct json_val *dr = json_get(root, "dateRange");
    if (!dr)
        dr = json_get(qo, "dateRange");
    if (dr) {
        int64_t s, x;
        if (month_of(json_str(dr, "start"), &s) < 0 || month_of(json_str(dr, "end"), &x) < 0 ||
            x < s)
            return pv_fail(c, dr->line, e, "dateRange: expected \"start\" and \"end\" dates");
        q->t0 = s;
        q->t1 = ct_next_month(x);
    }
    return 0;
}

/* "scope2" and "2024-05" in the file name, when the document did not say. */
static void query_from_name(const char *name, struct query *q)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    for (const char *p = base; *p && !q->scope; p++)
        if (strncasecmp(p, "scope", 5) == 0) {
            const char *d = p + 5;
            d += (*d == '-' || *d == '_' || *d == ' ');
            if (*d >= '1' && *d <= '3' && !isdigit((unsigned char)d[1]))
                q->scope = *d - '0';
        }
    for (const char *p = base; *p && !q->t0; p++) {
        char ym[11];
        int64_t t;
        if (strlen(p) >= 7 && isdigit((unsigned char)p[0]) && p[4] == '-' &&
            (p == base || !isdigit((unsigned char)p[-1]))) {
            snprintf(ym, sizeof ym, "%.7s-01", p);
            if (pv_time(ym, &t) == 0 && !isdigit((unsigned char)p[7])) {
                q->t0 = t;
                q->t1 = ct_next_month(t);
            }
        }
    }
}

/* ---- JSON items ---- */

static int is_type(const char *t, const char *suffix)
{
    size_t n = strlen(t), m = strlen(suffix);
    return n >= m && strcmp(t + n - m, suffix) == 0;
}

static int need_query(struct pv_ctx *c, const struct query *q, long line, int need_dates,
                      ct_err *e)
{
    if (!q->scope)
        return pv_fail(c, line, e, "which scope is this? A Carbon Optimization report holds one "
                       "query's scope: add \"carbonScopeList\": [\"Scope2\"] to the file, or "
                       "name it ...-scope2...");
    if (need_dates && !q->t0)
        return pv_fail(c, line, e, "which month is this? Item details hold the query's date "
                       "range: add \"dateRange\": {\"start\": \"2024-05-01\", \"end\": "
                       "\"2024-05-01\"} to the file, or name it ...-2024-05...");
    return 0;
}

static int num_member(struct pv_ctx *c, const struct json_val *it, const char *key, double *v,
                      ct_err *e)
{
    const struct json_val *x = json_get(it, key);
    int have = 0;
    if (x && (x->type == JSON_NUM || x->type == JSON_STR) &&
        pv_num(c, x->line, key, x->str, v, &have, NULL, e) < 0)
        return -1;
    if (!have)
        return pv_fail(c, x ? x->line : it->line, e, "%s: expected a number", key);
    return 0;
}

static int enrollment_item(struct pv_ctx *c, const struct json_val *it, ct_err *e)
{
    struct arow r = {.line = it->line, .account = json_str(it, "enrollmentId"),
                     .project = json_str(it, "subscriptionId"),
                     .service = json_str(it, "azureServiceName"),
                     .region_raw = json_str(it, "azureRegionName"), .unit = "mtCO2e"};
    const char *dk = json_str(it, "dateKey");
    if (pv_time(dk, &r.t0) < 0)
        return pv_fail(c, r.line, e, "dateKey: '%.40s' is not a date (yyyymmdd)", dk);
    r.t0 = ct_month_start(r.t0);
    r.t1 = ct_next_month(r.t0);
    r.scope = scope_of(json_str(it, "scope"));
    if (!r.scope)
        r.scope = scope_of(json_str(it, "scopeId"));
    if (!r.scope)
        return pv_fail(c, r.line, e, "scope: expected Scope1, Scope2 or Scope3");
    if (num_member(c, it, "totalEmissions", &r.value, e) < 0)
        return -1;
    return emit(c, &r, e);
}

static int report_item(struct pv_ctx *c, const struct json_val *it, const struct query *q,
                       const char *type, ct_err *e)
{
    struct arow r = {.line = it->line, .account = "", .project = json_str(it, "subscriptionId"),
                     .service = json_str(it, "resourceType"),
                     .region_raw = json_str(it, "location"), .unit = "kgCO2e",
                     .scope = q->scope, .t0 = q->t0, .t1 = q->t1};
    if (strcmp(type, "MonthlySummaryData") == 0) {
        if (month_of(json_str(it, "date"), &r.t0) < 0)
            return pv_fail(c, r.line, e, "date: expected yyyy-MM-dd");
        r.t1 = ct_next_month(r.t0);
    } else if (!*r.service && strcmp(json_str(it, "categoryType"), "Resource") != 0) {
        r.service = json_str(it, "itemName"); /* a resource group or location item */
    }
    if (need_query(c, q, r.line, strcmp(type, "MonthlySummaryData") != 0, e) < 0 ||
        num_member(c, it, "latestMonthEmissions", &r.value, e) < 0)
        return -1;
    return emit(c, &r, e);
}

static int json_item(struct pv_ctx *c, const struct json_val *it, const struct query *q,
                     ct_err *e)
{
    if (it->type != JSON_OBJ)
        return pv_fail(c, it->line, e, "expected an object in value[]");
    const char *type = json_str(it, "dataType");
    if (!*type && json_get(it, "totalEmissions"))
        return enrollment_item(c, it, e);
    if (strcmp(type, "MonthlySummaryData") == 0 || is_type(type, "ItemDetailsData"))
        return report_item(c, it, q, type, e);
    if (!*type)
        return pv_fail(c, it->line, e, "an item with no dataType and no totalEmissions");
    pv_warn(c, it->line, "%s left out: it sums or ranks other items (import the monthly "
            "summary or the item details instead)", type);
    return 0;
}

static int parse_json_doc(struct pv_ctx *c, const char *text, size_t n, ct_err *e)
{
    struct json_doc d;
    char err[256];
    int rc = 0;
    if (json_parse(&d, text, n, 1, err, sizeof err) < 0) {
        long ln = strtol(err, NULL, 10);
        rc = pv_fail(c, ln, e, "not valid JSON: %s", strchr(err, ' ') + 1);
    } else {
        struct query q = {0};
        const struct json_val *items = d.root;
        if (d.root->type == JSON_OBJ) {
            items = json_get(d.root, "value");
            rc = query_from_doc(c, d.root, &q, e);
            if (json_get(d.root, "skipToken") && *json_str(d.root, "skipToken"))
                pv_warn(c, d.root->line, "the response has a skipToken: more pages follow; "
                        "import them too");
        }
        if (rc == 0 && (!items || items->type != JSON_ARR))
            rc = pv_fail(c, d.root->line, e, "expected a \"value\" array of report items");
        query_from_name(ct_input_name(c->in), &q);
        for (size_t i = 0; rc == 0 && i < items->n; i++)
            rc = json_item(c, &items->kids[i], &q, e);
    }
    json_free(&d);
    return rc;
}

/* ---- EnrollmentEmission as CSV ---- */

enum { E_DATE, E_ENROLL, E_SUB, E_SERVICE, E_REGION, E_SCOPE, E_TOTAL, E_UNIT, NE };
static const char *const e_alias[NE][4] = {
    {"datekey", "date", NULL}, {"enrollmentid", "billingaccountid", NULL},
    {"subscriptionid", NULL}, {"azureservicename", "servicename", NULL},
    {"azureregionname", "region", NULL}, {"scope", "scopeid", NULL},
    {"totalemissions", "emissions", NULL}, {"unit", NULL},
};

static int csv_row(struct pv_ctx *c, const struct csv_rec *h, const struct csv_rec *row,
                   const int *col, ct_err *e)
{
    struct arow r = {.line = row->line, .account = csv_get(row, col[E_ENROLL]),
                     .project = csv_get(row, col[E_SUB]),
                     .service = csv_get(row, col[E_SERVICE]),
                     .region_raw = csv_get(row, col[E_REGION]), .unit = "mtCO2e"};
    const char *dk = csv_get(row, col[E_DATE]);
    int have = 0;
    if (pv_time(dk, &r.t0) < 0)
        return pv_fail(c, r.line, e, "column '%s': '%.40s' is not a date", h->f[col[E_DATE]], dk);
    r.t0 = ct_month_start(r.t0);
    r.t1 = ct_next_month(r.t0);
    if (!(r.scope = scope_of(csv_get(row, col[E_SCOPE]))))
        return pv_fail(c, r.line, e, "column '%s': expected Scope1, Scope2 or Scope3, got "
                       "'%.40s'", h->f[col[E_SCOPE]], csv_get(row, col[E_SCOPE]));
    if (col[E_UNIT] >= 0 && *csv_get(row, col[E_UNIT]))
        r.unit = csv_get(row, col[E_UNIT]);
    if (pv_num(c, r.line, h->f[col[E_TOTAL]], csv_get(row, col[E_TOTAL]), &r.value, &have, NULL,
               e) < 0)
        return -1;
    return have ? emit(c, &r, e) : 0;
}

static int parse_csv(struct pv_ctx *c, ct_err *e)
{
    struct csv_rec h = {0}, row = {0};
    int col[NE];
    int rc = csv_read(c->in, &h, e);
    if (rc > 0) {
        for (int i = 0; i < NE; i++)
            col[i] = csv_col(&h, e_alias[i]);
        for (int i = 0; rc > 0 && i < NE; i++)
            if (col[i] < 0 && i != E_ENROLL && i != E_UNIT && i != E_SERVICE && i != E_REGION &&
                i != E_SUB)
                rc = pv_fail(c, h.line, e, "no %s column%s", e_alias[i][0],
                             pv_other_hint(&h, "azure"));
    }
    while (rc > 0 && (rc = csv_read(c->in, &row, e)) > 0)
        if (csv_row(c, &h, &row, col, e) < 0)
            rc = -1;
    csv_rec_free(&h);
    csv_rec_free(&row);
    return rc < 0 ? -1 : 0;
}

static int has(const char *head, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (strncasecmp(head + i, needle, m) == 0)
            return 1;
    return 0;
}

static int azure_parse(struct ct_input *in, const struct ct_parse_opts *o,
                       struct ct_reading_sink *sink, ct_err *e)
{
    struct pv_ctx c;
    if (pv_begin(&c, in, o, sink, "azure", e) < 0)
        return -1;
    const char *head;
    size_t n = ct_input_peek(in, &head), i = 0;
    while (i < n && strchr(" \t\r\n", head[i]))
        i++;
    if (i < n && head[i] != '{' && head[i] != '[' && has(head, n, "latestMonthEmissions"))
        return pv_fail(&c, 1, e, "not JSON: a Carbon Optimization report is read as the API's "
                       "JSON response (this looks like PowerShell's formatted output: save "
                       "the response with ConvertTo-Json, or the REST call's body)");
    if (i >= n || (head[i] != '{' && head[i] != '['))
        return parse_csv(&c, e);
    ct_buf b = {0};
    const char *line;
    size_t len;
    int rc;
    while ((rc = ct_input_line(in, &line, &len, e)) > 0) {
        ct_buf_put(&b, line, len);
        ct_buf_put(&b, "\n", 1);
    }
    if (rc == 0)
        rc = parse_json_doc(&c, b.p ? b.p : "", b.len, e);
    ct_buf_free(&b);
    return rc < 0 ? -1 : 0;
}

static int azure_sniff(const char *head, size_t n)
{
    if (has(head, n, "latestMonthEmissions") &&
        (has(head, n, "SummaryData") || has(head, n, "ItemDetailsData")))
        return 90;
    if (has(head, n, "dateKey") && has(head, n, "totalEmissions"))
        return 85;
    return 0;
}

const struct ct_format_ops ct_fmt_azure_carbon = {
    CT_FORMAT_OPS_VERSION, "azure-carbon",
    "Azure carbon emissions: Carbon Optimization report JSON (monthly summary, item "
    "details), or Emissions Impact Dashboard EnrollmentEmission rows (JSON or CSV)",
    azure_sniff, azure_parse,
};
