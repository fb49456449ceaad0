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
 *    name ("...-scope2-2024-05.json"), or else --scope and --period (struct
 *    ct_parse_opts). A list of several scopes is refused: its figures are
 *    sums of scopes.
 *  - The same reports as Get-AzCarbonEmissionReport (Az.Carbon) prints them in
 *    PowerShell: the table form (`ft -Wrap`: SkipToken, SubscriptionAccess-
 *    DecisionList, Value columns, the items in Value as `{{ ... }, { ... }}`)
 *    and the list form (`Format-List`: `Key : Value` lines, long values wrapped
 *    onto indented lines). PowerShell shows only $FormatEnumerationLimit items
 *    and ends the list with `...}` (or `..}`, or an ellipsis character): the
 *    complete items are imported and the elision is a warning. This output
 *    never says the query, so --scope is required (an error naming it
 *    otherwise) and --period where an item has no "date". The help page's
 *    examples query all three scopes at once, so their figures are sums of
 *    scopes: --scope records what the user asserts the query was.
 * Data types: MonthlySummaryData is one month (its "date") of the query's
 * total; OverallSummaryData is the total over the query's date range (the
 * help page's 12-month example is about 12 monthly summaries, so
 * "latestMonthEmissions" there is the period's total, not the last month);
 * ItemDetailsData and its Resource/ResourceGroup kinds are per item over the
 * date range (one month in practice); ResourceTopItemsSummaryData and
 * ResourceTopItemsMonthlySummaryData (and the other *TopItems* kinds) are the
 * N largest items only, a subset of the account: they are imported per item
 * (over the range, or for their "date"'s month) with service "top item:
 * <resource id tail or item name>", and a warning says they are a subset.
 * Units: the Carbon Optimization API is documented by the Az.Carbon help page
 * without a unit; kgCO2e is what the API's own reference and the portal use,
 * not verified against a published response here (SOURCES.md says the same).
 *  - Emissions Impact Dashboard / Cloud for Sustainability EnrollmentEmission
 *    rows (dateKey, enrollmentId, subscriptionId, azureServiceName,
 *    azureRegionName, scope, totalEmissions in metric tonnes), as OData JSON
 *    ({"value": [...]}) or as CSV with those headers.
 * Basis: Microsoft reports scope 2 market-based; the records say so. (Checked
 * against what the search tool holds of Microsoft's docs: the carbon
 * optimization pages found do not state a basis either way, so this stays as
 * it was.) Accounts:
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
    int ps;             /* 1: PowerShell's output, which never says them */
    long top_warned;    /* top-items subset warned about (once per file) */
};

/* --scope and --period fill in what the file did not say; a contradiction is
 * an error. */
static int query_from_opts(struct pv_ctx *c, struct query *q, long line, ct_err *e)
{
    const struct ct_parse_opts *o = c->o;
    if (o && o->scope) {
        if (q->scope && q->scope != o->scope)
            return pv_fail(c, line, e, "the file says scope %d and --scope says %d", q->scope,
                           o->scope);
        q->scope = o->scope;
    }
    if (o && o->period_t1 > o->period_t0) {
        if (q->t0 && (q->t0 != o->period_t0 || q->t1 != o->period_t1))
            return pv_fail(c, line, e, "the file's date range and --period differ");
        q->t0 = o->period_t0;
        q->t1 = o->period_t1;
    }
    return 0;
}

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
    if (!q->scope && q->ps)
        return pv_fail(c, line, e, "which scope is this? PowerShell's output of "
                       "Get-AzCarbonEmissionReport does not say the query's CarbonScopeList: "
                       "pass --scope 1, 2 or 3");
    if (!q->scope)
        return pv_fail(c, line, e, "which scope is this? A Carbon Optimization report holds one "
                       "query's scope: add \"carbonScopeList\": [\"Scope2\"] to the file, "
                       "name it ...-scope2..., or pass --scope 2");
    if (need_dates && !q->t0 && q->ps)
        return pv_fail(c, line, e, "which months are these? PowerShell's output of "
                       "Get-AzCarbonEmissionReport does not say the query's date range: pass "
                       "--period 2025-03 (or --period 2024-03..2025-03, the query's "
                       "DateRangeStart..DateRangeEnd)");
    if (need_dates && !q->t0)
        return pv_fail(c, line, e, "which month is this? Item details hold the query's date "
                       "range: add \"dateRange\": {\"start\": \"2024-05-01\", \"end\": "
                       "\"2024-05-01\"} to the file, name it ...-2024-05..., or pass "
                       "--period 2024-05");
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

static int report_item(struct pv_ctx *c, const struct json_val *it, struct query *q,
                       const char *type, ct_err *e)
{
    struct arow r = {.line = it->line, .account = "", .project = json_str(it, "subscriptionId"),
                     .service = json_str(it, "resourceType"),
                     .region_raw = json_str(it, "location"), .unit = "kgCO2e",
                     .scope = q->scope, .t0 = q->t0, .t1 = q->t1};
    int monthly = is_type(type, "MonthlySummaryData"), top = strstr(type, "TopItems") != NULL;
    char svc[256];
    if (monthly) {
        if (month_of(json_str(it, "date"), &r.t0) < 0)
            return pv_fail(c, r.line, e, "date: expected yyyy-MM-dd");
        r.t1 = ct_next_month(r.t0);
    }
    if (top) {
        /* A ranking: the largest items only. Named so that a report shows them
         * for what they are: "top item: microsoft.storage/storageaccounts/x". */
        const char *id = json_str(it, "resourceId"), *p = strstr(id, "/providers/");
        if (p)
            snprintf(svc, sizeof svc, "top item: %s", p + 11);
        else
            snprintf(svc, sizeof svc, "top item: %s%s%s", json_str(it, "categoryType"),
                     *json_str(it, "categoryType") ? " " : "", json_str(it, "itemName"));
        r.service = svc;
        if (!q->top_warned)
            pv_warn(c, r.line, "%s: the largest items only, a subset of the account's emissions "
                    "(imported per item as \"top item: ...\")", type);
        q->top_warned = 1;
    } else if (strcmp(type, "OverallSummaryData") == 0) {
        r.project = ""; /* the whole query: every subscription it named */
    } else if (!*r.service && strcmp(json_str(it, "categoryType"), "Resource") != 0) {
        r.service = json_str(it, "itemName"); /* a resource group or location item */
    }
    if (need_query(c, q, r.line, !monthly, e) < 0 ||
        num_member(c, it, "latestMonthEmissions", &r.value, e) < 0)
        return -1;
    return emit(c, &r, e);
}

static int json_item(struct pv_ctx *c, const struct json_val *it, struct query *q,
                     ct_err *e)
{
    if (it->type != JSON_OBJ)
        return pv_fail(c, it->line, e, "expected an object in value[]");
    const char *type = json_str(it, "dataType");
    if (!*type && json_get(it, "totalEmissions"))
        return enrollment_item(c, it, e);
    if (is_type(type, "MonthlySummaryData") || is_type(type, "ItemDetailsData") ||
        strcmp(type, "OverallSummaryData") == 0 || is_type(type, "TopItemsSummaryData"))
        return report_item(c, it, q, type, e);
    if (!*type)
        return pv_fail(c, it->line, e, "an item with no dataType and no totalEmissions");
    pv_warn(c, it->line, "%s left out: a data type co2tally does not know", type);
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
        if (rc == 0)
            rc = query_from_opts(c, &q, d.root->line, e);
        for (size_t i = 0; rc == 0 && i < items->n; i++)
            rc = json_item(c, &items->kids[i], &q, e);
    }
    json_free(&d);
    return rc;
}

/* ---- Get-AzCarbonEmissionReport as PowerShell prints it ---- */

/* Keeps the text of the Value property, line for line (other lines become
 * empty, so a line here is the file's line). Table form: every line after the
 * header and its dashes (the items run from about the Value column, and
 * closing braces may start a column earlier). List form: the lines of the
 * "Value : ..." property and its indented continuations. */
static int ps_value_text(struct pv_ctx *c, ct_buf *out, long *skip_line, ct_err *e)
{
    const char *line;
    size_t len;
    int rc, form = 0; /* 1 table, 2 list */
    int in_value = 0, dashes = 0;
    long ln = 0;
    while ((rc = ct_input_line(c->in, &line, &len, e)) > 0) {
        ln++;
        const char *keep = "";
        size_t klen = 0;
        if (!form && strspn(line, " \t") < len) {
            const char *colon = strchr(line, ':');
            size_t w = strcspn(line, " :");
            if (colon && w > 0 && strspn(line + w, " ") == (size_t)(colon - line) - w)
                form = 2;
            else if (strstr(line, "Value") && strstr(line, "SkipToken"))
                form = 1;
            else
                return pv_fail(c, ln, e, "expected Get-AzCarbonEmissionReport output as "
                               "PowerShell prints it: a table (SkipToken ... Value) or a list "
                               "(Value : ...)");
            if (form == 1)
                goto next;
        }
        if (form == 1) {
            if (!dashes) {
                if (strspn(line, "- ") != len || len == 0)
                    return pv_fail(c, ln, e, "expected the table's dashes under its header");
                dashes = 1;
            } else {
                keep = line, klen = len;
            }
        } else if (form == 2) {
            if (len && line[0] != ' ' && line[0] != '\t') {
                const char *colon = memchr(line, ':', len);
                if (!colon)
                    return pv_fail(c, ln, e, "expected \"Name : value\" (PowerShell's "
                                   "Format-List)");
                size_t w = strcspn(line, " :");
                in_value = w == 5 && strncmp(line, "Value", 5) == 0;
                const char *v = colon + 1;
                v += strspn(v, " ");
                if (w == 9 && strncmp(line, "SkipToken", 9) == 0 && *v)
                    *skip_line = ln;
                if (in_value)
                    keep = v, klen = len - (size_t)(v - line);
            } else if (in_value) {
                keep = line, klen = len;
            }
        }
    next:
        ct_buf_put(out, keep, klen);
        ct_buf_put(out, "\n", 1);
    }
    if (rc < 0)
        return -1;
    if (form == 1 && !dashes)
        return pv_fail(c, ln, e, "a table header with no rows");
    return 0;
}

/* The items' JSON out of PowerShell's rendering of a list of them: the list's
 * own braces, commas and elision are dropped, the items (objects, found by
 * their braces, strings respected) are joined into a JSON array. Newlines are
 * kept, so the JSON's lines are the file's. *elided gets the line of a "..."
 * (or "..", or an ellipsis character) after the last item, *cut the line of an
 * item the output cut off. */
static void ps_items_json(const char *t, size_t n, ct_buf *out, long *nitems, long *elided,
                          long *cut)
{
    long ln = 1, item_line = 0;
    int depth = 0, str = 0, esc = 0;
    size_t start = 0;
    ct_buf_puts(out, "[");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)t[i];
        if (depth > 0) {
            if (str) {
                if (esc)
                    esc = 0;
                else if (ch == '\\')
                    esc = 1;
                else if (ch == '"')
                    str = 0;
            } else if (ch == '"') {
                str = 1;
            } else if (ch == '{') {
                depth++;
            } else if (ch == '}' && --depth == 0) {
                if (*nitems)
                    ct_buf_puts(out, ",");
                ct_buf_put(out, t + start, i + 1 - start);
                ++*nitems;
            }
            if (ch == '\n')
                ln++;
            continue;
        }
        if (ch == '\n') {
            ct_buf_puts(out, "\n");
            ln++;
            continue;
        }
        if (ch == '{') {
            size_t j = i + 1;
            while (j < n && strchr(" \t\r\n", t[j]))
                j++;
            if (j < n && (t[j] == '"' || t[j] == '}')) { /* an object, not the list's brace */
                depth = 1;
                start = i;
                item_line = ln;
                continue;
            }
        }
        if ((ch == '.' && i + 1 < n && t[i + 1] == '.') || ch == 0x85 ||
            (ch == 0xE2 && i + 2 < n && (unsigned char)t[i + 1] == 0x80 &&
             (unsigned char)t[i + 2] == 0xA6)) {
            if (!*elided)
                *elided = ln;
        }
    }
    if (depth > 0) { /* cut off: keep its newlines only */
        *cut = item_line;
        for (size_t i = start; i < n; i++)
            if (t[i] == '\n')
                ct_buf_puts(out, "\n");
    }
    ct_buf_puts(out, "]");
}

static int parse_powershell(struct pv_ctx *c, ct_err *e)
{
    ct_buf txt = {0}, js = {0};
    long skip_line = 0, nitems = 0, elided = 0, cut = 0;
    int rc = ps_value_text(c, &txt, &skip_line, e);
    struct json_doc d;
    char err[256];
    if (rc == 0) {
        ps_items_json(txt.p ? txt.p : "", txt.len, &js, &nitems, &elided, &cut);
        if (nitems == 0)
            rc = pv_fail(c, 1, e, "no report items (JSON objects) in the Value column");
    }
    if (rc == 0 && json_parse(&d, js.p, js.len, 1, err, sizeof err) < 0) {
        long ln = strtol(err, NULL, 10);
        const char *sp = strchr(err, ' ');
        rc = pv_fail(c, ln, e, "an item is not valid JSON: %s", sp ? sp + 1 : err);
        json_free(&d);
    } else if (rc == 0) {
        struct query q = {.ps = 1};
        rc = query_from_opts(c, &q, 1, e);
        for (size_t i = 0; rc == 0 && i < d.root->n; i++)
            rc = json_item(c, &d.root->kids[i], &q, e);
        json_free(&d);
        if (rc == 0 && cut)
            pv_warn(c, cut, "an item cut off by the output left out");
        if (rc == 0 && elided)
            pv_warn(c, elided, "PowerShell elided the rest of the list: the %ld complete "
                    "item%s before it imported (set $FormatEnumerationLimit = -1, or save the "
                    "response with ConvertTo-Json, to get them all)", nitems,
                    nitems == 1 ? "" : "s");
        if (rc == 0 && skip_line)
            pv_warn(c, skip_line, "the response has a SkipToken: more pages follow; import "
                    "them too");
    }
    ct_buf_free(&txt);
    ct_buf_free(&js);
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
        return parse_powershell(&c, e);
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
    "Azure carbon emissions: Carbon Optimization reports (JSON, or "
    "Get-AzCarbonEmissionReport's PowerShell output with --scope), or Emissions Impact Dashboard EnrollmentEmission rows (JSON or CSV)",
    azure_sniff, azure_parse,
};
