/* Backend-independent parts of the ledger: method names, picking a backend
 * from a --db value, and the record checks every backend applies. */
#include "ledger/ledger.h"

#include <math.h>
#include <string.h>

#include "core/timeutil.h"

static const char *const method_names[] = {"measured", "calculated", "provided"};

const char *ct_method_name(int method)
{
    if (method < 0 || method > CT_METHOD_PROVIDED)
        return "unknown";
    return method_names[method];
}

int ct_method_parse(const char *s)
{
    for (int i = 0; s && i <= CT_METHOD_PROVIDED; i++)
        if (strcmp(s, method_names[i]) == 0)
            return i;
    return -1;
}

/* The PostgreSQL backend (postgres.c). Declared here rather than in ledger.h
 * so that nothing else needs libpq's headers to pick it. */
extern const struct ct_ledger_ops ct_ledger_postgres;

static int has_prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

const struct ct_ledger_ops *ct_ledger_backend(const char *url, ct_err *e)
{
    if (!url || !*url) {
        ct_errf(e, "no ledger given (use --db PATH)");
        return NULL;
    }
    /* libpq's two URI schemes; the URL goes to libpq as it is (and is never
     * echoed: it may hold a password). */
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://"))
        return &ct_ledger_postgres;
    return &ct_ledger_sqlite;
}

int ct_ledger_open(const char *url, struct ct_ledger_h *h, ct_err *e)
{
    h->ops = NULL;
    h->db = NULL;
    const struct ct_ledger_ops *ops = ct_ledger_backend(url, e);
    if (!ops || ops->open(url, &h->db, e) != 0)
        return -1;
    h->ops = ops;
    return 0;
}

void ct_ledger_close(struct ct_ledger_h *h)
{
    if (h && h->ops && h->db)
        h->ops->close(h->db);
    if (h) {
        h->ops = NULL;
        h->db = NULL;
    }
}

/* ---- record checks ---- */

static int blank(const char *s) { return !s || !*s; }

/* Keeps calendar arithmetic on record times far from overflow. */
static int times_ok(int64_t t0, int64_t t1)
{
    return t0 >= 0 && t1 >= 0 && t0 <= CT_LEDGER_T_MAX && t1 <= CT_LEDGER_T_MAX;
}

/* a <= b, allowing for float rounding in sums of many samples. */
static int le_eps(double a, double b) { return a <= b + CT_LEDGER_EPS_S + fabs(b) * 1e-9; }

static int energy_numbers_check(const struct ct_energy_rec *r, ct_err *e)
{
    const double span = (double)(r->t1 - r->t0);
    if (!isfinite(r->covered_s) || !isfinite(r->joules) || !isfinite(r->idle_joules) ||
        !isfinite(r->idle_s) || isinf(r->util))
        return ct_errf(e, "energy record has a non-finite number");
    if (r->joules < 0 || r->idle_joules < 0 || r->covered_s < 0 || r->idle_s < 0)
        return ct_errf(e, "energy record has a negative value");
    if (!le_eps(r->covered_s, span))
        return ct_errf(e, "energy record covers %g s of a %g s interval", r->covered_s, span);
    if (!le_eps(r->idle_s, r->covered_s))
        return ct_errf(e, "energy record is idle %g s of %g s covered", r->idle_s, r->covered_s);
    if (!le_eps(r->idle_joules, r->joules))
        return ct_errf(e, "energy record has %g idle J of %g J", r->idle_joules, r->joules);
    if (!isnan(r->util) && (r->util < 0 || r->util > 1 + 1e-6))
        return ct_errf(e, "energy record has utilisation %g outside 0..1", r->util);
    return 0;
}

/* Buckets never cross an hour (measured) or a month (calculated) boundary, so
 * a day or month of a report is a sum of whole records, bar the period edges. */
static int energy_bucket_check(const struct ct_energy_rec *r, ct_err *e)
{
    char a[21], b[21];
    if (!times_ok(r->t0, r->t1))
        return ct_errf(e, "energy record time %lld..%lld is outside 1970..9999",
                       (long long)r->t0, (long long)r->t1);
    ct_fmt_iso(r->t0, a);
    ct_fmt_iso(r->t1, b);
    if (r->t1 <= r->t0)
        return ct_errf(e, "energy record ends (%s) before it starts (%s)", b, a);
    if (r->method == CT_METHOD_CALCULATED) {
        if (r->t1 > ct_next_month(r->t0))
            return ct_errf(e, "calculated energy record %s..%s crosses a UTC month boundary",
                           a, b);
        return 0;
    }
    if (r->t1 > ct_floor(r->t0, CT_BUCKET_SECONDS) + CT_BUCKET_SECONDS)
        return ct_errf(e, "measured energy record %s..%s crosses a UTC hour boundary", a, b);
    return 0;
}

int ct_energy_rec_check(const struct ct_energy_rec *r, ct_err *e)
{
    if (blank(r->host) || blank(r->device) || blank(r->component))
        return ct_errf(e, "energy record lacks a host, device or component");
    if (r->method != CT_METHOD_MEASURED && r->method != CT_METHOD_CALCULATED)
        return ct_errf(e, "energy record method must be measured or calculated, not %s",
                       ct_method_name(r->method));
    if (r->detail != 0 && r->detail != 1)
        return ct_errf(e, "energy record detail flag must be 0 or 1");
    if (energy_bucket_check(r, e) != 0)
        return -1;
    return energy_numbers_check(r, e);
}

int ct_provided_rec_check(const struct ct_provided_rec *r, ct_err *e)
{
    if (blank(r->provider))
        return ct_errf(e, "provided emission lacks a provider");
    if (r->scope < 1 || r->scope > 3)
        return ct_errf(e, "provided emission has scope %d; expected 1, 2 or 3", r->scope);
    if (r->market_based < -1 || r->market_based > 1)
        return ct_errf(e, "provided emission basis must be 0 (location), 1 (market) or -1 "
                          "(the same under both)");
    if (!times_ok(r->t0, r->t1))
        return ct_errf(e, "provided emission period is outside 1970..9999");
    if (r->t1 <= r->t0)
        return ct_errf(e, "provided emission period ends before it starts");
    if (!isfinite(r->kgco2e) || !isfinite(r->orig_value))
        return ct_errf(e, "provided emission has a non-finite number");
    return 0;
}

int ct_run_rec_check(const struct ct_run_rec *r, ct_err *e)
{
    if (blank(r->host))
        return ct_errf(e, "run lacks a host");
    if (!times_ok(r->t0, r->t1))
        return ct_errf(e, "run time is outside 1970..9999");
    if (r->t1 < r->t0)
        return ct_errf(e, "run ends before it starts");
    const double j[] = {r->cpu_j, r->dram_j, r->gpu_j, r->total_j};
    for (size_t i = 0; i < sizeof j / sizeof j[0]; i++)
        if (!isfinite(j[i]) || j[i] < 0)
            return ct_errf(e, "run has a negative or non-finite energy");
    return 0;
}
