/* Helpers shared by the provider-export parsers. */
#include "formats/provider_int.h"
#include "formats/bounds.h"
#include "formats/provider.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timeutil.h"

int pv_begin(struct pv_ctx *c, struct ct_input *in, const struct ct_parse_opts *o,
             struct ct_reading_sink *sink, const char *provider, ct_err *e)
{
    memset(c, 0, sizeof *c);
    c->in = in;
    c->o = o;
    c->sink = sink;
    c->provider = provider;
    if (!sink || !sink->provided)
        return ct_errf(e, "%s: a %s carbon export holds provided emissions, and this import "
                          "takes energy readings only", ct_input_name(in), provider);
    return 0;
}

static void vmsg(char *buf, size_t n, struct pv_ctx *c, long line, const char *fmt, va_list ap)
{
    int k = snprintf(buf, n, "%s:%ld: ", ct_input_name(c->in), line);
    if (k < 0 || (size_t)k >= n)
        k = 0;
    vsnprintf(buf + k, n - (size_t)k, fmt, ap);
}

int pv_fail(struct pv_ctx *c, long line, ct_err *e, const char *fmt, ...)
{
    if (!e)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vmsg(e->msg, sizeof e->msg, c, line, fmt, ap);
    va_end(ap);
    return -1;
}

static _Thread_local ct_format_warn_fn warn_fn;
static _Thread_local void *warn_ud;

void ct_format_warn_hook(ct_format_warn_fn fn, void *ud)
{
    warn_fn = fn;
    warn_ud = ud;
}

void pv_warn(struct pv_ctx *c, long line, const char *fmt, ...)
{
    if (!warn_fn)
        return;
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vmsg(buf, sizeof buf, c, line, fmt, ap);
    va_end(ap);
    warn_fn(warn_ud, buf);
}

/* Units as the exports spell them, folded: letters and digits only, lowercase. */
static void fold(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++) {
        char ch = *s;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            out[k++] = ch;
    }
    out[k] = '\0';
}

int pv_unit_kg(const char *unit, double *kg)
{
    static const struct {
        const char *name;
        double kg;
    } units[] = {
        {"mtco2e", 1000}, {"mtco2eq", 1000}, {"tco2e", 1000}, {"tco2eq", 1000}, {"t", 1000},
        {"tonnes", 1000}, {"tonne", 1000}, {"metrictons", 1000}, {"metrictonnes", 1000},
        {"metrictonco2e", 1000}, {"metrictonsco2e", 1000}, {"kgco2e", 1}, {"kgco2eq", 1},
        {"kg", 1}, {"kilograms", 1}, {"gco2e", 0.001}, {"g", 0.001},
    };
    char f[64];
    fold(unit ? unit : "", f, sizeof f);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(f, units[i].name) == 0) {
            *kg = units[i].kg;
            return 0;
        }
    return -1;
}

static int is_number(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!((*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9')))
        return 0;
    for (; *p; p++)
        if (!strchr("0123456789.eE+-", *p))
            return 0;
    return 1;
}

int pv_num(struct pv_ctx *c, long line, const char *col, const char *s, double *v, int *have,
           int *decimals, ct_err *e)
{
    while (*s == ' ' || *s == '\t')
        s++;
    *have = 0;
    if (!*s || strcasecmp(s, "null") == 0)
        return 0;
    char *end;
    double d = is_number(s) ? strtod(s, &end) : NAN;
    if (isnan(d) || *end || !isfinite(d))
        return pv_fail(c, line, e, "column '%s': '%.40s' is not a number", col, s);
    if (decimals) {
        const char *dot = strchr(s, '.');
        int k = 0;
        for (const char *q = dot ? dot + 1 : ""; *q >= '0' && *q <= '9'; q++)
            k++;
        if (k > *decimals)
            *decimals = k;
    }
    *v = d;
    *have = 1;
    return 0;
}

int pv_time(const char *s, int64_t *t)
{
    char buf[64];
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n + 1);
    if (n == 8 && strspn(buf, "0123456789") == 8) { /* Azure's dateKey 20240101 */
        snprintf(buf, sizeof buf, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
        return ct_parse_time(buf, t);
    }
    while (n && buf[n - 1] == ' ')
        buf[--n] = '\0';
    if (n > 4 && strcasecmp(buf + n - 4, " UTC") == 0)
        buf[n -= 4] = '\0';
    if (n > 6 && (strcmp(buf + n - 6, "+00:00") == 0 || strcmp(buf + n - 6, "-00:00") == 0))
        buf[n -= 6] = '\0';
    if (n > 5 && strcmp(buf + n - 5, "+0000") == 0)
        buf[n -= 5] = '\0';
    return ct_parse_time(buf, t);
}

void pv_region(const char *provider, const char *raw, char *out, size_t n)
{
    size_t k = 0;
    while (*raw == ' ')
        raw++;
    if (!*raw) {
        out[0] = '\0';
        return;
    }
    int az = strcmp(provider, "azure") == 0;
    int w = snprintf(out, n, "%s:", provider);
    k = w > 0 && (size_t)w < n ? (size_t)w : 0;
    for (const char *p = raw; *p && k + 1 < n; p++) {
        char ch = *p;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        int alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (az && !alnum)
            continue;
        if (ch == ' ')
            ch = '-';
        out[k++] = ch;
    }
    while (k > 0 && out[k - 1] == '-')
        k--;
    out[k] = '\0';
}

double pv_tolerance(int decimals, int nterms, double total)
{
    return (nterms + 1) * 0.5 * pow(10, -decimals) + 1e-9 * fabs(total);
}

int pv_emit(struct pv_ctx *c, const struct ct_provided_rec *p, long line, ct_err *e)
{
    if (p->scope < 1 || p->scope > 3)
        return pv_fail(c, line, e, "scope %d is not 1, 2 or 3", p->scope);
    if (!(p->t1 > p->t0) || p->t0 < 0 || p->t1 > CT_LEDGER_T_MAX)
        return pv_fail(c, line, e, "the period ends before it starts or is out of range");
    char buf[160];
    const char *why = ct_bounds_provided(c->o, p, buf, sizeof buf);
    if (why) /* formats/bounds.h; --skip-bad drops the row's emission, counts the line */
        return ct_bounds_bad(c->o, c->in, line, e, why);
    c->emitted++;
    return c->sink->provided(c->sink->ud, p, line, e);
}

#include "formats/csvsplit.h"

const char *pv_other_hint(const struct csv_rec *hdr, const char *self)
{
    static const char *const gcp[] = {"carbon_footprint_kgco2e_scope1",
                                      "carbon_footprint_total_kgco2e_location_based", NULL};
    static const char *const aws[] = {"usage_period_start", "mbmcarbon", NULL};
    static const char *const az[] = {"latestmonthemissions", "subscriptionid", "datekey",
                                     "totalemissions", NULL};
    static const char *const use[] = {"vcpu_hours", "instance_hours", "storage_tb_hours", NULL};
    if (strcmp(self, "gcp") != 0 && csv_col(hdr, gcp) >= 0)
        return " (this looks like a Google Cloud carbon export: --format gcp-carbon)";
    if (strcmp(self, "aws") != 0 && csv_col(hdr, aws) >= 0)
        return " (this looks like an AWS carbon export: --format aws-carbon)";
    if (strcmp(self, "azure") != 0 && csv_col(hdr, az) >= 0)
        return " (this looks like an Azure emissions export: --format azure-carbon)";
    if (strcmp(self, "usage") != 0 && csv_col(hdr, use) >= 0)
        return " (this looks like a cloud usage file: --format usage)";
    return "";
}
