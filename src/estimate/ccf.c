/* The CCF-compatible estimator: see ccf.h for the rules. Arithmetic is written
 * in the order CCF's code evaluates it, so results agree to the last bits. */
#include "estimate/ccf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "estimate/ccf_tables.h"

static int known_provider(const char *p)
{
    return p && (!strcmp(p, "aws") || !strcmp(p, "gcp") || !strcmp(p, "azure"));
}

/* A provider constant; NAN when CCF defines none for it. */
static double konst(const char *prov, const char *key)
{
    for (int i = 0; i < ccf_nconstants; i++)
        if (!strcmp(ccf_constants[i].provider, prov) && !strcmp(ccf_constants[i].key, key))
            return ccf_constants[i].value;
    return NAN;
}

static const struct ccf_proc *processor(const char *prov, const char *name, size_t n)
{
    for (int i = 0; i < ccf_nprocessors; i++)
        if (!strcmp(ccf_processors[i].provider, prov) && strlen(ccf_processors[i].name) == n &&
            !strncmp(ccf_processors[i].name, name, n))
            return &ccf_processors[i];
    return NULL;
}

static void fold(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[k++] = c;
    }
    out[k] = '\0';
}

/* The grid factor (t/kWh): the region as written, else (Azure spells regions
 * many ways) folded to letters and digits, else CCF's "Unknown" average. */
static double grid(const char *prov, const char *region, int *unknown)
{
    char a[96], b[96];
    fold(region, a, sizeof a);
    const struct ccf_region *folded = NULL, *unk = NULL;
    for (int i = 0; i < ccf_grid_n; i++) {
        const struct ccf_region *g = &ccf_grid[i];
        if (strcmp(g->provider, prov) != 0)
            continue;
        if (!strcmp(g->key, region))
            return *unknown = 0, g->value;
        if (!strcmp(g->key, "Unknown"))
            unk = g;
        fold(g->key, b, sizeof b);
        if (!folded && a[0] && !strcmp(a, b))
            folded = g;
    }
    *unknown = !folded;
    return folded ? folded->value : unk ? unk->value : NAN;
}

static double pue_of(const char *prov, const char *region)
{
    for (int i = 0; i < ccf_pue_n; i++)
        if (!strcmp(ccf_pue[i].provider, prov) && !strcmp(ccf_pue[i].key, region))
            return ccf_pue[i].value;
    return konst(prov, "PUE_AVG");
}

static const struct ccf_inst *instance(const char *prov, const char *type)
{
    if (!type || !*type)
        return NULL;
    for (int i = 0; i < ccf_ninstances; i++)
        if (!strcmp(ccf_instances[i].provider, prov) && !strcasecmp(ccf_instances[i].type, type))
            return &ccf_instances[i];
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* CCF's getMinWatts/getMaxWatts/getMemory: the values of the listed processors,
 * averaged (summed left to right, then divided), or their median when Sandy or
 * Ivy Bridge is listed; a processor without a value, or no processor, gives the
 * provider's fallback. which: 0 min W, 1 max W, 2 GB per chip (never median). */
static double per_proc(const char *prov, const char *list, int which, double fallback)
{
    double v[16];
    int n = 0, median = 0, missing = 0;
    for (const char *p = list; *p && n < 16;) {
        size_t len = strcspn(p, ";");
        const struct ccf_proc *c = processor(prov, p, len);
        median |= (len == 12 && !strncmp(p, "Sandy Bridge", len)) ||
                  (len == 10 && !strncmp(p, "Ivy Bridge", len));
        double x = !c ? NAN : which == 0 ? c->min_w : which == 1 ? c->max_w : c->gb_per_chip;
        missing |= isnan(x);
        v[n++] = x;
        p += len + (p[len] == ';');
    }
    if (n == 0 || missing)
        return fallback;
    double r;
    if (median && which != 2) {
        qsort(v, (size_t)n, sizeof v[0], cmp_double);
        r = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    } else if (n == 1) {
        r = v[0];
    } else {
        r = v[0];
        for (int i = 1; i < n; i++)
            r += v[i];
        r /= n;
    }
    return r ? r : fallback; /* CCF treats 0 as "none" too */
}

static int replication(const struct ct_ccf_usage *u, double *rf, ct_err *e)
{
    const char *s = u->replication ? u->replication : "";
    char *end;
    *rf = 1;
    if (!*s)
        return 0;
    double x = strtod(s, &end);
    if (end != s && !*end && isfinite(x) && x > 0)
        return *rf = x, 0;
    for (int i = 0; i < ccf_replication_n; i++)
        if (!strcmp(ccf_replication[i].provider, u->provider) &&
            !strcasecmp(ccf_replication[i].key, s))
            return *rf = ccf_replication[i].value, 0;
    return ct_errf(e, "replication '%.40s': not a number nor one of CCF's %s keys (S3, "
                   "STORAGE_GRS, ...)", s, u->provider);
}

static double or0(double x)
{
    return isnan(x) ? 0 : x;
}

static void part(struct ct_ccf_part *p, double device_kwh, double kwh, double factor)
{
    p->kwh_device = device_kwh;
    p->kwh = kwh;
    p->co2e_t = kwh * factor;
}

/* vCPU and GPU energy: CCF's compute formula. */
static void compute(const struct ct_ccf_usage *u, const struct ccf_inst *in, struct ct_ccf_result *r)
{
    const char *prov = u->provider;
    int gcp = !strcmp(prov, "gcp");
    double fmin = konst(prov, gcp ? "MIN_WATTS_MEDIAN" : "MIN_WATTS_AVG");
    double fmax = konst(prov, gcp ? "MAX_WATTS_MEDIAN" : "MAX_WATTS_AVG");
    const char *procs = u->processor && *u->processor ? u->processor : in ? in->processors : "";
    snprintf(r->processors, sizeof r->processors, "%s", procs);
    r->min_w = per_proc(prov, procs, 0, fmin);
    r->max_w = per_proc(prov, procs, 1, fmax);
    const char *gp = u->gpu_model && *u->gpu_model ? u->gpu_model : in ? in->gpu_model : "";
    snprintf(r->gpu_processors, sizeof r->gpu_processors, "%s", gp);
    r->gpu_min_w = per_proc(prov, gp, 0, fmin);
    r->gpu_max_w = per_proc(prov, gp, 1, fmax);
    double h = u->instance_hours;
    r->vcpu_hours = !isnan(u->vcpu_hours) ? u->vcpu_hours : in && !isnan(h) ? in->vcpus * h : 0;
    r->gpu_hours = !isnan(u->gpu_hours) ? u->gpu_hours : in && !isnan(h) ? in->gpus * h : 0;
    double util = r->utilisation, rf = r->replication, pue = r->pue, f = r->factor_t;
    double w = r->min_w + (util / 100) * (r->max_w - r->min_w);
    part(&r->part[CT_CCF_CPU], (w * r->vcpu_hours * rf) / 1000,
         (w * r->vcpu_hours * pue * rf) / 1000, f);
    if (r->gpu_hours > 0) {
        double g = r->gpu_min_w + (util / 100) * (r->gpu_max_w - r->gpu_min_w);
        part(&r->part[CT_CCF_GPU], (g * r->gpu_hours * rf) / 1000,
             (g * r->gpu_hours * pue * rf) / 1000, f);
    }
}

/* CCF's extra memory of an instance: the memory above what its processors come
 * with, per chip of the family's largest instance. */
static double extra_memory(const char *prov, const struct ccf_inst *in, double hours)
{
    static const char *const burstable[] = {"t2", "t3", "t3a", "t4g", NULL};
    double avg = konst(prov, "MEMORY_AVG");
    if (!in || isnan(hours) || isnan(avg) || in->memory_gb <= 0 || in->platform_vcpus <= 0)
        return 0;
    for (int i = 0; !strcmp(prov, "aws") && burstable[i]; i++)
        if (!strcmp(in->family, burstable[i]))
            return 0; /* CCF: a t-family's largest instance is no whole machine */
    double chips = !strcmp(prov, "aws") && (!strcmp(in->family, "m5zn") || !strcmp(in->family, "z1d"))
                       ? 2 : ceil(in->platform_vcpus / 96);
    double proc_mem = per_proc(prov, in->processors, 2, avg);
    double inst_mem = in->platform_memory_gb / chips;
    if (!(inst_mem - proc_mem > 0))
        return 0;
    return ((inst_mem - proc_mem) / (in->platform_memory_gb / in->memory_gb)) * hours;
}

static int embodied(const struct ct_ccf_usage *u, const struct ccf_inst *in,
                    struct ct_ccf_result *r, ct_err *e)
{
    if (!in || in->embodied_kg <= 0 || in->vcpus <= 0 || in->platform_vcpus <= 0)
        return ct_errf(e, "embodied emissions need an instance type CCF knows ('%.60s' is not one)",
                       u->usage_type ? u->usage_type : "");
    if (isnan(u->instance_hours))
        return ct_errf(e, "embodied emissions need instance hours");
    double life = konst(u->provider, "SERVER_EXPECTED_LIFESPAN");
    r->inst_vcpus = in->vcpus;
    r->largest_vcpus = in->platform_vcpus;
    r->scope3_t = in->embodied_kg / 1000;
    double period = u->instance_hours / in->vcpus;
    r->embodied_t = r->scope3_t * (period / life) * (in->vcpus / in->platform_vcpus);
    r->embodied_kwh = (r->embodied_t / r->factor_t) * 1;
    return 0;
}

static int check_amounts(const struct ct_ccf_usage *u, ct_err *e)
{
    const double v[] = {u->instance_hours, u->vcpu_hours, u->gpu_hours, u->memory_gb_hours,
                        u->storage_tb_hours, u->network_gb};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!isnan(v[i]) && (!isfinite(v[i]) || v[i] < 0))
            return ct_errf(e, "amounts of usage must be finite and not negative");
    if (!isnan(u->utilisation) && !(u->utilisation >= 0 && u->utilisation <= 100))
        return ct_errf(e, "utilisation %g is not a percentage from 0 to 100", u->utilisation);
    return 0;
}

static void totals(struct ct_ccf_result *r)
{
    /* CCF adds the GPU into the compute estimate, then memory and embodied. */
    double kwh = r->part[CT_CCF_CPU].kwh + r->part[CT_CCF_GPU].kwh;
    double co2 = r->part[CT_CCF_CPU].co2e_t + r->part[CT_CCF_GPU].co2e_t;
    kwh = kwh + r->part[CT_CCF_MEMORY].kwh + r->embodied_kwh;
    co2 = co2 + r->part[CT_CCF_MEMORY].co2e_t + r->embodied_t;
    r->kwh_ccf = kwh + r->part[CT_CCF_STORAGE].kwh + r->part[CT_CCF_NETWORK].kwh;
    r->co2e_t = co2 + r->part[CT_CCF_STORAGE].co2e_t + r->part[CT_CCF_NETWORK].co2e_t;
}

int ct_ccf_estimate(const struct ct_ccf_usage *u, struct ct_ccf_result *r, ct_err *e)
{
    memset(r, 0, sizeof *r);
    if (!known_provider(u->provider))
        return ct_errf(e, "provider '%.20s': expected aws, gcp or azure", u->provider ? u->provider : "");
    if (check_amounts(u, e) < 0 || replication(u, &r->replication, e) < 0)
        return -1;
    const char *prov = u->provider;
    const struct ccf_inst *in = instance(prov, u->usage_type);
    r->instance_known = in != NULL;
    r->pue = pue_of(prov, u->region ? u->region : "");
    r->factor_t = grid(prov, u->region ? u->region : "", &r->factor_unknown);
    r->utilisation = isnan(u->utilisation) ? konst(prov, "AVG_CPU_UTILIZATION_2020") : u->utilisation;
    double pue = r->pue, f = r->factor_t, rf = r->replication;
    compute(u, in, r);
    r->memory_gb_hours = !isnan(u->memory_gb_hours) ? u->memory_gb_hours
                                                     : extra_memory(prov, in, u->instance_hours);
    double mc = konst(prov, "MEMORY_COEFFICIENT");
    part(&r->part[CT_CCF_MEMORY], r->memory_gb_hours * mc * rf, r->memory_gb_hours * mc * pue * rf, f);
    double tb = or0(u->storage_tb_hours);
    if (tb > 0) {
        const char *t = u->storage_type ? u->storage_type : "";
        double c = !strcasecmp(t, "ssd") ? konst(prov, "SSDCOEFFICIENT")
                 : !strcasecmp(t, "hdd") ? konst(prov, "HDDCOEFFICIENT") : NAN;
        if (isnan(c))
            return ct_errf(e, "storage type '%.20s': expected ssd or hdd", t);
        part(&r->part[CT_CCF_STORAGE], (tb * c * rf) / 1000, (tb * c * pue * rf) / 1000, f);
    }
    double gb = or0(u->network_gb), nc = konst(prov, "NETWORKING_COEFFICIENT");
    part(&r->part[CT_CCF_NETWORK], gb * nc, gb * nc * pue, f);
    if (u->embodied && embodied(u, in, r, e) < 0)
        return -1;
    totals(r);
    return 0;
}
