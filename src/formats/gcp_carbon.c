/* "gcp-carbon": Google Cloud's Carbon Footprint export (kgCO2e), as CSV
 * flattened from BigQuery (dotted headers such as
 * carbon_footprint_kgCO2e.scope2.location_based, or the same with
 * underscores), or as newline-delimited JSON with nested fields (BigQuery's
 * JSON export; dotted flat keys are accepted too).
 *
 * Emitted per row: scope 1, scope 2 location-based, scope 2 market-based and
 * scope 3. Scopes 1 and 3 do not depend on the basis: they are emitted under
 * each basis whose scope 2 the file has (see provider_int.h). The
 * carbon_footprint_total_kgCO2e columns are totals of those scopes: never
 * emitted, only checked. Accounts: account is the billing account, project the
 * project id (its number when the id is empty). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "formats/csvsplit.h"
#include "formats/formats_int.h"
#include "formats/json_min.h"
#include "formats/provider_int.h"

enum { S1, S2L, S2M, S3, TL, TM, NV };

/* Names of each value: the flattened CSV header (normalised) and the JSON path. */
static const char *const val_csv[NV] = {
    "carbon_footprint_kgco2e_scope1",
    "carbon_footprint_kgco2e_scope2_location_based",
    "carbon_footprint_kgco2e_scope2_market_based",
    "carbon_footprint_kgco2e_scope3",
    "carbon_footprint_total_kgco2e_location_based",
    "carbon_footprint_total_kgco2e_market_based",
};
static const char *const val_json[NV] = {
    "carbon_footprint_kgCO2e.scope1",
    "carbon_footprint_kgCO2e.scope2.location_based",
    "carbon_footprint_kgCO2e.scope2.market_based",
    "carbon_footprint_kgCO2e.scope3",
    "carbon_footprint_total_kgCO2e.location_based",
    "carbon_footprint_total_kgCO2e.market_based",
};

/* One export row, whichever the encoding. */
struct grow {
    long line;
    const char *month, *billing, *project, *service, *region_raw;
    double v[NV];
    int have[NV], decimals;
};

struct gcp {
    struct pv_ctx c;
    int has_col[NV];    /* the file has the column (CSV) or has seen the key (JSON) */
};

static int emit(struct gcp *g, const struct grow *r, int i, int scope, int market, ct_err *e)
{
    char region[96];
    struct ct_provided_rec p = {.provider = "gcp", .account = r->billing, .project = r->project,
                                .service = r->service, .region_raw = r->region_raw,
                                .scope = scope, .market_based = market, .kgco2e = r->v[i],
                                .orig_value = r->v[i], .orig_unit = "kgCO2e"};
    pv_region("gcp", r->region_raw, region, sizeof region);
    p.region = region;
    if (pv_time(r->month, &p.t0) < 0)
        return pv_fail(&g->c, r->line, e, "usage_month: '%.40s' is not a date", r->month);
    p.t0 = ct_month_start(p.t0);
    p.t1 = ct_next_month(p.t0);
    return pv_emit(&g->c, &p, r->line, e);
}

static void check(struct gcp *g, const struct grow *r, int t, int s2)
{
    if (!r->have[t])
        return;
    double sum = (r->have[S1] ? r->v[S1] : 0) + (r->have[s2] ? r->v[s2] : 0) +
                 (r->have[S3] ? r->v[S3] : 0);
    if (fabs(sum - r->v[t]) > pv_tolerance(r->decimals, 3, r->v[t]))
        pv_warn(&g->c, r->line,
                "%s %.17g kgCO2e is not scope 1 + scope 2 + scope 3 (%.17g); the scopes are "
                "imported", val_json[t], r->v[t], sum);
}

static int do_row(struct gcp *g, const struct grow *r, ct_err *e)
{
    if (!*r->month)
        return pv_fail(&g->c, r->line, e, "usage_month is empty");
    /* The bases this file reports: scope 1 and 3 go with each of them. */
    int loc = g->has_col[S2L] || !g->has_col[S2M], mkt = g->has_col[S2M];
    for (int b = 0; b < 2; b++) {
        if (!(b ? mkt : loc))
            continue;
        int s2 = b ? S2M : S2L;
        if ((r->have[S1] && emit(g, r, S1, 1, b, e) < 0) ||
            (r->have[s2] && emit(g, r, s2, 2, b, e) < 0) ||
            (r->have[S3] && emit(g, r, S3, 3, b, e) < 0))
            return -1;
    }
    check(g, r, TL, S2L);
    check(g, r, TM, S2M);
    return 0;
}

/* ---- CSV ---- */

enum { C_MONTH, C_BILLING, C_PROJECT, C_PROJNUM, C_SERVICE, C_REGION, C_LOCATION, NC };
static const char *const col_alias[NC][3] = {
    {"usage_month", NULL}, {"billing_account_id", NULL}, {"project_id", NULL},
    {"project_number", NULL}, {"service_description", "service_id", NULL},
    {"location_region", NULL}, {"location_location", NULL},
};

static int csv_fill(struct gcp *g, const struct csv_rec *h, const struct csv_rec *row,
                    const int *col, const int *vcol, struct grow *r, ct_err *e)
{
    memset(r, 0, sizeof *r);
    r->line = row->line;
    r->month = csv_get(row, col[C_MONTH]);
    r->billing = csv_get(row, col[C_BILLING]);
    r->project = csv_get(row, col[C_PROJECT]);
    if (!*r->project)
        r->project = csv_get(row, col[C_PROJNUM]);
    r->service = csv_get(row, col[C_SERVICE]);
    r->region_raw = csv_get(row, col[C_REGION]);
    if (!*r->region_raw)
        r->region_raw = csv_get(row, col[C_LOCATION]);
    for (int i = 0; i < NV; i++)
        if (vcol[i] >= 0 && pv_num(&g->c, r->line, h->f[vcol[i]], csv_get(row, vcol[i]), &r->v[i],
                                   &r->have[i], &r->decimals, e) < 0)
            return -1;
    return 0;
}

static int parse_csv(struct gcp *g, struct ct_input *in, ct_err *e)
{
    struct csv_rec h = {0}, row = {0};
    int col[NC], vcol[NV], any = 0;
    int rc = csv_read(in, &h, e);
    if (rc > 0) {
        for (int i = 0; i < NC; i++)
            col[i] = csv_col(&h, col_alias[i]);
        for (int i = 0; i < NV; i++) {
            const char *a[2] = {val_csv[i], NULL};
            vcol[i] = csv_col(&h, a);
            g->has_col[i] = vcol[i] >= 0;
            any |= i < TL && vcol[i] >= 0;
        }
        if (col[C_MONTH] < 0 || !any)
            rc = pv_fail(&g->c, h.line, e, "no %s column%s",
                         col[C_MONTH] < 0 ? "usage_month" : "carbon_footprint_kgCO2e.scope...",
                         pv_other_hint(&h, "gcp"));
    }
    struct grow r;
    while (rc > 0 && (rc = csv_read(in, &row, e)) > 0)
        if (csv_fill(g, &h, &row, col, vcol, &r, e) < 0 || do_row(g, &r, e) < 0)
            rc = -1;
    csv_rec_free(&h);
    csv_rec_free(&row);
    return rc < 0 ? -1 : 0;
}

/* ---- newline-delimited JSON ---- */

/* A member by dotted path: the flat key first ("project.id"), then nested. */
static const struct json_val *path(const struct json_val *o, const char *p)
{
    const struct json_val *v = json_get(o, p);
    char seg[64];
    while (!v && o && *p) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof seg)
            return NULL;
        memcpy(seg, p, n);
        seg[n] = '\0';
        o = json_get(o, seg);
        p += n + (p[n] == '.');
        if (!*p)
            return o;
        v = json_get(o, p);
    }
    return v;
}

static const char *pstr(const struct json_val *o, const char *p)
{
    const struct json_val *v = path(o, p);
    return v && (v->type == JSON_STR || v->type == JSON_NUM) ? v->str : "";
}

static int json_fill(struct gcp *g, const struct json_val *o, struct grow *r, ct_err *e)
{
    memset(r, 0, sizeof *r);
    r->line = o->line;
    if (o->type != JSON_OBJ)
        return pv_fail(&g->c, r->line, e, "expected one JSON object per line");
    r->month = pstr(o, "usage_month");
    r->billing = pstr(o, "billing_account_id");
    r->project = pstr(o, "project.id");
    if (!*r->project)
        r->project = pstr(o, "project.number");
    r->service = pstr(o, "service.description");
    r->region_raw = pstr(o, "location.region");
    if (!*r->region_raw)
        r->region_raw = pstr(o, "location.location");
    for (int i = 0; i < NV; i++) {
        const struct json_val *v = path(o, val_json[i]);
        if (!v || v->type == JSON_NULL)
            continue;
        g->has_col[i] = 1;
        if (v->type != JSON_NUM && v->type != JSON_STR)
            return pv_fail(&g->c, r->line, e, "%s is not a number", val_json[i]);
        if (pv_num(&g->c, r->line, val_json[i], v->str, &r->v[i], &r->have[i], &r->decimals, e) < 0)
            return -1;
    }
    if (!path(o, "usage_month"))
        return pv_fail(&g->c, r->line, e, "no usage_month in the object");
    return 0;
}

static int parse_json(struct gcp *g, struct ct_input *in, ct_err *e)
{
    const char *line;
    size_t len;
    int rc;
    while ((rc = ct_input_line(in, &line, &len, e)) > 0) {
        if (strspn(line, " \t\r") == len)
            continue;
        struct json_doc d;
        char err[256];
        struct grow r;
        long ln = ct_input_lineno(in);
        if (json_parse(&d, line, len, ln, err, sizeof err) < 0)
            rc = pv_fail(&g->c, ln, e, "not a JSON object: %s", strchr(err, ' ') + 1);
        else if (json_fill(g, d.root, &r, e) < 0 || do_row(g, &r, e) < 0)
            rc = -1;
        json_free(&d);
        if (rc < 0)
            break;
    }
    return rc < 0 ? -1 : 0;
}

static int gcp_parse(struct ct_input *in, const struct ct_parse_opts *o,
                     struct ct_reading_sink *sink, ct_err *e)
{
    struct gcp g;
    memset(&g, 0, sizeof g);
    if (pv_begin(&g.c, in, o, sink, "gcp", e) < 0)
        return -1;
    const char *head;
    size_t n = ct_input_peek(in, &head), i = 0;
    while (i < n && strchr(" \t\r\n", head[i]))
        i++;
    return i < n && head[i] == '{' ? parse_json(&g, in, e) : parse_csv(&g, in, e);
}

static int has(const char *head, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(head + i, needle, m) == 0)
            return 1;
    return 0;
}

static int gcp_sniff(const char *head, size_t n)
{
    size_t i = 0;
    while (i < n && strchr(" \t\r\n", head[i]))
        i++;
    if (!has(head, n, "usage_month") || !has(head, n, "carbon_footprint"))
        return 0;
    return i < n && (head[i] == '{' || head[i] == 'u' || head[i] == '"' || head[i] == '\xEF')
               ? 95 : 60;
}

const struct ct_format_ops ct_fmt_gcp_carbon = {
    CT_FORMAT_OPS_VERSION, "gcp-carbon",
    "Google Cloud Carbon Footprint export: CSV (dotted or underscore headers) or "
    "newline-delimited JSON",
    gcp_sniff, gcp_parse,
};
