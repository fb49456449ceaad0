/* powermetrics -f plist: one XML property list per sample, each followed by a
 * NUL byte. A small tag scanner, not an XML parser: powermetrics writes one
 * element per line, and only a few keys matter:
 *   top level:                elapsed_ns, timestamp, hw_model
 *   processor (and gpu) dict: package_joules / package_watts (Intel Macs, J and W),
 *                             package_energy / package_power, combined_power,
 *                             {cpu,gpu,ane,dram}_energy / _power (Apple Silicon, mJ and mW).
 * Energy fields are preferred over power x elapsed: they are what the hardware
 * counted. Combined energy is the sum of the CPU, GPU and ANE energies when all
 * three are there (Combined is defined as that sum), else combined_power x elapsed. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/strutil.h"
#include "core/timeutil.h"
#include "formats/measured_int.h"
#include "formats/powermetrics_int.h"

#define PX_DEPTH 16

static const struct {
    const char *key;
    int part, isj, whole;
    double scale; /* to joules or watts */
} keys[] = {
    {"package_joules", PM_WHOLE, 1, PM_INTEL, 1},
    {"package_watts", PM_WHOLE, 0, PM_INTEL, 1},
    {"package_energy", PM_WHOLE, 1, PM_APPLE_PACKAGE, 1e-3},
    {"package_power", PM_WHOLE, 0, PM_APPLE_PACKAGE, 1e-3},
    {"combined_power", PM_WHOLE, 0, PM_COMBINED, 1e-3},
    {"cpu_energy", PM_CPU, 1, PM_NONE, 1e-3},
    {"cpu_power", PM_CPU, 0, PM_NONE, 1e-3},
    {"gpu_energy", PM_GPU, 1, PM_NONE, 1e-3},
    {"gpu_power", PM_GPU, 0, PM_NONE, 1e-3},
    {"ane_energy", PM_ANE, 1, PM_NONE, 1e-3},
    {"ane_power", PM_ANE, 0, PM_NONE, 1e-3},
    {"dram_energy", PM_DRAM, 1, PM_NONE, 1e-3},
    {"dram_power", PM_DRAM, 0, PM_NONE, 1e-3},
};

struct px {
    struct pm_state *st;
    struct pm_sample s;
    int in_plist, depth;
    char key[48];           /* the <key> waiting for its value; "" when none */
    char ctx[PX_DEPTH][16]; /* the key that opened each dict or array */
};

static int px_num(struct px *x, const char *t, size_t n, double *v)
{
    char buf[64];
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, t, n);
    buf[n] = '\0';
    if (ml_num(ml_trim(buf), v) == 0 && *v >= 0)
        return 1;
    return ml_bad(x->st->in, x->st->o, x->st->e, "expected a number >= 0 for <key>%s</key>, got '%s'",
                  x->key, buf);
}

static int top_value(struct px *x, const char *t, size_t n)
{
    double v;
    int rc = 1;
    if (strcmp(x->key, "elapsed_ns") == 0) {
        if ((rc = px_num(x, t, n, &v)) > 0)
            x->s.elapsed = v / 1e9;
    } else if (strcmp(x->key, "timestamp") == 0) {
        char buf[40];
        int64_t ts;
        snprintf(buf, sizeof buf, "%.*s", (int)(n < 39 ? n : 39), t);
        if (ct_parse_time(buf, &ts) == 0)
            x->s.date = (double)ts;
    } else if (strcmp(x->key, "hw_model") == 0 && !x->st->model[0]) {
        snprintf(x->st->model, sizeof x->st->model, "%.*s", (int)(n < 63 ? n : 63), t);
    }
    return rc;
}

static int power_value(struct px *x, const char *t, size_t n)
{
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        if (strcmp(x->key, keys[i].key) != 0)
            continue;
        double v;
        int rc = px_num(x, t, n, &v);
        if (rc <= 0)
            return rc;
        if (!keys[i].isj && v * keys[i].scale > ML_MAX_WATTS)
            return ml_bad(x->st->in, x->st->o, x->st->e, "%s of %g W is not a measurement",
                          keys[i].key, v * keys[i].scale);
        struct pm_sample *s = &x->s;
        if (keys[i].whole && s->whole == PM_NONE)
            s->whole = keys[i].whole;
        pm_set(keys[i].isj ? &s->j[keys[i].part] : &s->w[keys[i].part], v * keys[i].scale);
        return 1;
    }
    return 1;
}

/* A value element's text for the pending key. 1, 0 (skipped), -1. */
static int value(struct px *x, const char *name, const char *t, size_t n)
{
    if (strcmp(name, "key") == 0) {
        snprintf(x->key, sizeof x->key, "%.*s", (int)(n < 47 ? n : 47), t);
        return 1;
    }
    int rc = 1;
    if (x->in_plist && x->depth == 1)
        rc = top_value(x, t, n);
    else if (x->in_plist && x->depth == 2 &&
             (strcmp(x->ctx[2], "processor") == 0 || strcmp(x->ctx[2], "gpu") == 0))
        rc = power_value(x, t, n);
    x->key[0] = '\0';
    return rc;
}

static int end_sample(struct px *x)
{
    struct pm_sample *s = &x->s;
    x->in_plist = 0;
    if (s->whole == PM_COMBINED && !ml_set(s->j[PM_WHOLE]) && ml_set(s->j[PM_CPU]) &&
        ml_set(s->j[PM_GPU]) && ml_set(s->j[PM_ANE]))
        s->j[PM_WHOLE] = s->j[PM_CPU] + s->j[PM_GPU] + s->j[PM_ANE];
    return pm_emit(x->st, s);
}

static int tag(struct px *x, const char *name, int closing, int selfclose)
{
    if (strcmp(name, "plist") == 0) {
        if (closing)
            return x->in_plist ? end_sample(x) : 0;
        if (x->in_plist)
            pm_drop(x->st); /* a sample without its end */
        pm_sample_reset(&x->s, ct_input_lineno(x->st->in));
        x->in_plist = 1;
        x->depth = 0;
        x->st->samples++;
    } else if (strcmp(name, "dict") == 0 || strcmp(name, "array") == 0) {
        if (closing && x->depth > 0)
            x->depth--;
        else if (!closing && !selfclose && ++x->depth < PX_DEPTH)
            ct_strlcpy(x->ctx[x->depth], x->key, sizeof x->ctx[0]); /* a cut key never matches */
        x->key[0] = '\0';
    } else if (selfclose) {
        x->key[0] = '\0'; /* <true/>, <false/>: a value we do not need */
    }
    return 0;
}

static int is_value(const char *name)
{
    return !strcmp(name, "key") || !strcmp(name, "integer") || !strcmp(name, "real") ||
           !strcmp(name, "date") || !strcmp(name, "string");
}

/* One element starting at lt; returns where scanning goes on, NULL on a stop. */
static const char *element(struct px *x, const char *lt, const char *lim, int *rc)
{
    const char *gt = memchr(lt, '>', (size_t)(lim - lt));
    if (lt + 4 <= lim && memcmp(lt, "<!--", 4) == 0) {
        const char *end = memmem(lt, (size_t)(lim - lt), "-->", 3);
        return end ? end + 3 : lim; /* comments stay on their line here */
    }
    if (!gt) {
        *rc = ml_bad(x->st->in, x->st->o, x->st->e, "expected '>' to close a plist tag");
        return NULL;
    }
    if (lt[1] == '?' || lt[1] == '!')
        return gt + 1;
    int closing = lt[1] == '/', selfclose = gt[-1] == '/';
    char name[16];
    size_t n = 0;
    for (const char *p = lt + 1 + closing; p < gt && *p != ' ' && *p != '/' && n < 15; p++)
        name[n++] = *p;
    name[n] = '\0';
    if (closing || selfclose || !is_value(name)) {
        *rc = tag(x, name, closing, selfclose);
        return *rc < 0 ? NULL : gt + 1;
    }
    const char *end = memmem(gt + 1, (size_t)(lim - gt - 1), "</", 2);
    if (!end) {
        *rc = ml_bad(x->st->in, x->st->o, x->st->e, "expected </%s> on the same line", name);
        return NULL;
    }
    if ((*rc = value(x, name, gt + 1, (size_t)(end - gt - 1))) <= 0)
        return NULL;
    const char *close = memchr(end, '>', (size_t)(lim - end));
    return close ? close + 1 : lim;
}

static int scan_line(struct px *x, const char *p, const char *lim)
{
    int rc = 0;
    while (p && p < lim) {
        const char *lt = memchr(p, '<', (size_t)(lim - p));
        if (!lt)
            return 0;
        p = element(x, lt, lim, &rc);
    }
    return rc < 0 ? -1 : 0;
}

int pm_parse_plist(struct pm_state *st)
{
    static struct px zero;
    struct px x = zero;
    x.st = st;
    const char *ln;
    size_t len;
    int rc;
    while ((rc = ct_input_line(st->in, &ln, &len, st->e)) > 0)
        if (scan_line(&x, ln, ln + len) < 0)
            return -1;
    if (rc < 0)
        return -1;
    if (st->samples == 0)
        return ct_errf(st->e, "%s: expected powermetrics plist samples (<plist>), found none in "
                       "%ld lines",
                       ct_input_name(st->in), ct_input_lineno(st->in));
    if (x.in_plist)
        pm_drop(st); /* the last sample was cut short */
    return 0;
}
