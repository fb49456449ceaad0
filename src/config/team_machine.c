/* Whole-machine calculated models (chips = 4 x A, 2 x B; ram_gb; storage;
 * base_watts; per-component utilisation) and the kind of a platform, given or
 * inferred from its other keys. Private to the team-file loader. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/factors.h"
#include "config/team_keys.h"
#include "core/strutil.h"
#include "ledger/ledger.h"

static const char *const kind_names[CT_KIND_COUNT] = {
    "laptop", "desktop", "ci", "server", "gpu-server", "cloud", "storage", "network", "other",
};

const char *ct_kind_name(int kind)
{
    return kind >= 0 && kind < CT_KIND_COUNT ? kind_names[kind] : "?";
}

int ct_kind_parse(const char *s)
{
    for (int i = 0; i < CT_KIND_COUNT; i++)
        if (strcmp(s, kind_names[i]) == 0)
            return i;
    return -1;
}

/* "4 x NAME", "4x NAME", "4 * NAME" or "NAME": the count and where the name starts. */
static const char *item_count(const char *item, double *n)
{
    char *end;
    double v = strtod(item, &end);
    if (end == item || !(v > 0)) {
        *n = 1;
        return item;
    }
    while (*end == ' ' || *end == '\t')
        end++;
    if ((*end != 'x' && *end != 'X' && *end != '*') || (end[1] != ' ' && end[1] != '\t')) {
        *n = 1; /* "3080 Ti" is a name, not a count */
        return item;
    }
    *n = v;
    end++;
    while (*end == ' ' || *end == '\t')
        end++;
    return end;
}

int ct_machine_chips(struct ct_platform *p, const char *value, ct_err *e)
{
    char *copy = ct_strdup(value), *save = NULL;
    int rc = 0;
    p->nparts = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        tok = ct_trim(tok);
        if (!*tok)
            continue;
        if (p->nparts == CT_MAX_PARTS) {
            rc = ct_errf(e, "chips lists more than %d kinds of chip", CT_MAX_PARTS);
            break;
        }
        struct ct_part *c = &p->parts[p->nparts];
        memset(c, 0, sizeof *c);
        const char *name = item_count(tok, &c->n);
        if (c->n > 1e5 || !*name)
            rc = ct_errf(e, "chips: '%s' is not N x CHIP, as in 4 x NVIDIA A100 SXM4 80GB", tok);
        snprintf(c->name, sizeof c->name, "%s", name);
        p->nparts++;
    }
    free(copy);
    if (rc == 0 && p->nparts == 0)
        rc = ct_errf(e, "chips = '%s' names nothing; list them as 4 x NVIDIA A100 SXM4 80GB, "
                        "2 x AMD EPYC 7763", value);
    return rc;
}

/* Cloud Carbon Footprint's storage coefficients (SSDCOEFFICIENT 1.2,
 * HDDCOEFFICIENT 0.65 Wh per TB-hour: data/ccf/constants.csv), as watts per TB. */
#define SSD_W_PER_TB 1.2
#define HDD_W_PER_TB 0.65

/* storage = 2 x 3.84 TB ssd, 4 x 16 TB hdd | storage = 25 W | storage = 25 */
int ct_machine_storage(struct ct_platform *p, const char *value, ct_err *e)
{
    double w;
    char unit[8] = "";
    if (sscanf(value, "%lf %7s", &w, unit) >= 1 && (!unit[0] || strcmp(unit, "W") == 0 ||
                                                    strcmp(unit, "w") == 0) && !strchr(value, 'x')) {
        if (!(w >= 0 && w <= 1e6))
            return ct_errf(e, "storage = %s is out of range (0 to 1e6 W)", value);
        p->storage_watts = w;
        snprintf(p->storage_desc, sizeof p->storage_desc, "%g W (team file)", w);
        return 0;
    }
    char *copy = ct_strdup(value), *save = NULL;
    int rc = 0;
    double total = 0, tb_ssd = 0, tb_hdd = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        tok = ct_trim(tok);
        double n, size;
        char u[8], type[8];
        const char *rest = item_count(tok, &n);
        if (sscanf(rest, "%lf %7s %7s", &size, u, type) != 3 || !(size > 0) ||
            (strcmp(u, "TB") != 0 && strcmp(u, "GB") != 0) ||
            (strcmp(type, "ssd") != 0 && strcmp(type, "hdd") != 0)) {
            rc = ct_errf(e, "storage: '%s' is not N x SIZE TB ssd|hdd (Cloud Carbon Footprint's "
                            "%g W per TB of SSD, %g W per TB of HDD), nor N W", tok, SSD_W_PER_TB,
                         HDD_W_PER_TB);
            break;
        }
        double tb = n * size / (strcmp(u, "GB") == 0 ? 1000.0 : 1.0);
        *(strcmp(type, "ssd") == 0 ? &tb_ssd : &tb_hdd) += tb;
        total += tb * (strcmp(type, "ssd") == 0 ? SSD_W_PER_TB : HDD_W_PER_TB);
    }
    free(copy);
    if (rc < 0)
        return rc;
    p->storage_watts = total;
    snprintf(p->storage_desc, sizeof p->storage_desc, "%g TB SSD x %g W/TB + %g TB HDD x %g W/TB "
             "(Cloud Carbon Footprint coefficients)", tb_ssd, SSD_W_PER_TB, tb_hdd, HDD_W_PER_TB);
    return 0;
}

/* The provider whose vCPU figures apply: of the platform's cloud location. */
static const char *vcpu_provider(const struct ct_team *t, const struct ct_platform *p)
{
    const char *loc = ct_platform_location(t, p);
    static const char *const provs[] = {"aws", "gcp", "azure"};
    for (size_t i = 0; loc && i < sizeof provs / sizeof *provs; i++) {
        size_t n = strlen(provs[i]);
        if (strncmp(loc, provs[i], n) == 0 && loc[n] == ':')
            return provs[i];
    }
    return p->provider;
}

int ct_machine_lookup(const struct ct_team *t, const char *chip, const struct ct_platform *p,
                      struct ct_chip *c, ct_err *e)
{
    return ct_chip_lookup_for(chip, vcpu_provider(t, p), c, e);
}

int ct_machine_resolve(const struct ct_team *t, struct ct_platform *p, char *msg, size_t cap)
{
    double wsum = 0, usum = 0;
    for (int i = 0; i < p->nparts; i++) {
        struct ct_part *c = &p->parts[i];
        struct ct_chip ch;
        ct_err le;
        if (c->chip_kind >= 0 && !c->source) { /* an item of chips =, not yet looked up */
            if (ct_machine_lookup(t, c->name, p, &ch, &le) < 0) {
                snprintf(msg, cap, "chips: %s", le.msg);
                return -1;
            }
            snprintf(c->name, sizeof c->name, "%s", ch.name);
            c->chip_kind = ch.kind;
            c->watts = ch.watts;
            c->idle_watts = ch.idle_watts;
            c->source = ch.source;
        }
        /* The same choice as ct_calc_components: a part given as watts = N
         * (no chip) runs at utilisation. */
        int gpu = c->chip_kind == CT_CHIP_GPU, cpu = c->chip_kind >= 0 && !gpu;
        double u = gpu && !isnan(p->gpu_utilisation) ? p->gpu_utilisation
                 : cpu && !isnan(p->cpu_utilisation) ? p->cpu_utilisation : p->utilisation;
        if (isnan(u)) {
            snprintf(msg, cap, "utilisation is missing for its %s (%s): give %sutilisation "
                     "(0 to 1: the mean load while it runs)", gpu ? "GPUs" : cpu ? "CPUs" : "power",
                     c->name, gpu ? "gpu_utilisation or " : cpu ? "cpu_utilisation or " : "");
            return -1;
        }
        wsum += c->n * c->watts;
        usum += c->n * c->watts * u;
    }
    /* The whole unit's maximum power, and its mean utilisation weighted by
     * power, for the findings that speak of a platform as one figure. */
    p->watts = wsum;
    if (isnan(p->utilisation))
        p->utilisation = wsum > 0 ? usum / wsum : 0;
    p->idle_watts = NAN;
    return 0;
}

/* Apple M* chips are laptop chips (and the small desktops'); several units on a
 * working day make a fleet of laptops. */
static int laptop_chip(const char *chip)
{
    return chip && strncmp(chip, "Apple M", 7) == 0 && isdigit((unsigned char)chip[7]);
}

void ct_infer_kind(const struct ct_team *t, struct ct_platform *p, int has_hpd)
{
    int gpu = 0, vcpu = 0, laptop = 0;
    for (int i = 0; i < p->nparts; i++) {
        gpu |= p->parts[i].chip_kind == CT_CHIP_GPU;
        vcpu |= p->parts[i].chip_kind == CT_CHIP_VCPU;
        laptop |= laptop_chip(p->parts[i].name);
    }
    struct ct_chip c;
    if (p->nparts == 0 && p->chip && ct_machine_lookup(t, p->chip, p, &c, NULL) == 0) {
        gpu = c.kind == CT_CHIP_GPU;
        vcpu = c.kind == CT_CHIP_VCPU;
        laptop = laptop_chip(c.name);
    }
    const char *loc = ct_platform_location(t, p);
    int cloud = loc && (strncmp(loc, "aws:", 4) == 0 || strncmp(loc, "gcp:", 4) == 0 ||
                        strncmp(loc, "azure:", 6) == 0);
    const char *why;
    if (gpu) {
        p->kind = CT_KIND_GPU_SERVER;
        why = "its chips include a GPU";
    } else if (vcpu && !isnan(p->minutes_per_month)) {
        p->kind = CT_KIND_CI;
        why = "vCPUs counted in minutes a month, as CI runners are";
    } else if (p->method == CT_METHOD_PROVIDED || cloud || vcpu) {
        p->kind = CT_KIND_CLOUD;
        why = p->method == CT_METHOD_PROVIDED ? "a provider's figures"
            : cloud ? "a cloud location" : "its chip is vCPUs";
    } else if (laptop && has_hpd && p->count > 1) {
        p->kind = CT_KIND_LAPTOP;
        why = "several units of a laptop chip on hours a day";
    } else if (p->method == CT_METHOD_MEASURED && p->nhosts) {
        p->kind = CT_KIND_SERVER;
        why = "measured hosts";
    } else {
        p->kind = CT_KIND_OTHER;
        why = "nothing in its keys says what it is";
    }
    p->kind_inferred = 1;
    snprintf(p->kind_why, sizeof p->kind_why, "%s", why);
}
