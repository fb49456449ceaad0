/* RAPL energy counters through powercap ($SYSFS/class/powercap): Intel, and AMD
 * (whose kernels use the same intel-rapl names).
 *
 * What is counted: every package and every dram zone, or, where the platform has a
 * psys zone (recent laptops: the whole SoC and more, packages included), psys alone
 * with the packages and dram kept as detail. Core and uncore sit inside their
 * package and are always detail. intel-rapl-mmio repeats zones the MSR interface
 * already gives (package-0); a repeated name is dropped.
 *
 * Counters: energy_uj counts up to max_energy_range_uj and starts again at zero; a
 * value below the last one is one wrap, (max - before) + after. Two wraps between
 * reads cannot be told from one, so reads must come at least every
 * max_energy_range / max power seconds; note() says how often that is here. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger/ledger.h"
#include "sensors/backends.h"
#include "sensors/fsutil.h"

struct zone {
    char dir[48];        /* "intel-rapl:0:1" */
    char name[32];       /* its name file: "package-0", "dram", "core", "psys" */
    int mmio, top, sub;  /* sub: -1 for a top-level zone */
    struct ct_sensor_device dev;
    int fd;
    uint64_t max_uj, last_uj;
    double joules;
    int lost;
};

struct rapl {
    struct zone z[CT_SENSOR_MAX_DEVICES];
    int n, psys;
};

/* "intel-rapl:0", "intel-rapl:0:2", "intel-rapl-mmio:0"; not "intel-rapl" itself. */
static int parse_dir(const char *d, struct zone *z)
{
    const char *colon = strchr(d, ':');
    if (!colon || !strstr(d, "rapl") || strlen(d) >= sizeof z->dir)
        return 0;
    char tail;
    z->sub = -1;
    int k = sscanf(colon, ":%d:%d%c", &z->top, &z->sub, &tail);
    if (k != 1 && k != 2)
        return 0;
    memcpy(z->dir, d, strlen(d) + 1); /* fits: checked above */
    z->mmio = strstr(d, "mmio") != NULL;
    return 1;
}

static int cmp_zone(const void *a, const void *b)
{
    const struct zone *x = a, *y = b;
    if (x->mmio != y->mmio)
        return x->mmio - y->mmio;
    if (x->top != y->top)
        return x->top - y->top;
    return x->sub - y->sub;
}

static int scan(const char *root, struct zone *z, int cap, int *n, ct_err *e)
{
    DIR *d = opendir(root);
    if (!d && errno == ENOENT)
        return ct_errf(e, "no %s: this kernel exposes no RAPL (try modprobe intel_rapl_msr; "
                       "virtual machines and containers usually have none)", root);
    if (!d)
        return ct_errf(e, "cannot list %s: %s", root, strerror(errno));
    struct dirent *de;
    *n = 0;
    while ((de = readdir(d)) != NULL && *n < cap) {
        struct zone t = {.fd = -1};
        char path[512];
        if (!parse_dir(de->d_name, &t) ||
            ct_fs_path(path, sizeof path, "%s/%s/name", root, de->d_name) < 0 ||
            ct_fs_read_str(path, t.name, sizeof t.name) <= 0)
            continue;
        z[(*n)++] = t;
    }
    closedir(d);
    if (*n == 0)
        return ct_errf(e, "%s has no RAPL zone (try modprobe intel_rapl_msr)", root);
    qsort(z, (size_t)*n, sizeof *z, cmp_zone);
    return 0;
}

/* The package number of a zone: N of its top zone's "package-N", else its index. */
static int package_of(const struct zone *all, int n, const struct zone *z)
{
    for (int i = 0; i < n; i++) {
        const struct zone *p = &all[i];
        int pk;
        if (p->mmio == z->mmio && p->top == z->top && p->sub < 0 &&
            sscanf(p->name, "package-%d", &pk) == 1)
            return pk;
    }
    return z->top;
}

static void classify(const struct zone *all, int n, struct zone *z, const char *cpu_model)
{
    struct ct_sensor_device *d = &z->dev;
    int pk = package_of(all, n, z);
    d->method = CT_METHOD_MEASURED;
    if (strncmp(z->name, "package-", 8) == 0 && z->sub < 0) {
        snprintf(d->id, sizeof d->id, "%s", z->name);
        snprintf(d->component, sizeof d->component, "cpu");
        snprintf(d->model, sizeof d->model, "%s", cpu_model);
    } else if (strcmp(z->name, "psys") == 0) {
        snprintf(d->id, sizeof d->id, "psys");
        snprintf(d->component, sizeof d->component, "system");
    } else if (strcmp(z->name, "dram") == 0) {
        snprintf(d->id, sizeof d->id, "dram-%d", pk);
        snprintf(d->component, sizeof d->component, "dram");
    } else { /* core, uncore and anything new: inside its package, never added */
        snprintf(d->id, sizeof d->id, "%.31s-%d", z->name, pk);
        snprintf(d->component, sizeof d->component, "%s",
                 strcmp(z->name, "core") == 0 || strcmp(z->name, "uncore") == 0 ? "cpu" : "other");
        if (strcmp(z->name, "core") == 0)
            snprintf(d->model, sizeof d->model, "%s", cpu_model);
        d->detail = 1;
    }
}

/* The highest power the zone may draw: its constraints' max_power, else their limits. */
static double max_power_w(const char *zdir)
{
    static const char *const kinds[] = {"max_power_uw", "power_limit_uw"};
    for (int k = 0; k < 2; k++) {
        double best = 0;
        for (int c = 0; c < 4; c++) {
            char path[600];
            uint64_t uw;
            if (ct_fs_path(path, sizeof path, "%s/constraint_%d_%s", zdir, c, kinds[k]) == 0 &&
                ct_fs_read_u64(path, &uw) == 0 && uw / 1e6 > best)
                best = uw / 1e6;
        }
        if (best > 0)
            return best;
    }
    return 0;
}

static int denied(const char *path, ct_err *e)
{
    return ct_errf(e, "cannot read %s: permission denied (energy_uj is root-only since Linux "
                   "5.10). Grant read access with the udev rule SUBSYSTEM==\"powercap\", "
                   "ACTION==\"add\", RUN+=\"/bin/chmod o+r /sys%%p/energy_uj\" (then udevadm "
                   "trigger --subsystem-match=powercap --action=add), or run as root "
                   "(agent --user drops root after opening)", path);
}

static int open_zone(const char *root, struct zone *z, ct_err *e)
{
    char zdir[512], path[600];
    if (ct_fs_path(zdir, sizeof zdir, "%s/%s", root, z->dir) < 0 ||
        ct_fs_path(path, sizeof path, "%s/energy_uj", zdir) < 0)
        return ct_errf(e, "path too long under %s", root);
    z->fd = ct_fs_open(path);
    if (z->fd < 0 && errno == EACCES)
        return denied(path, e);
    if (z->fd < 0 || ct_fs_pread_u64(z->fd, &z->last_uj) < 0)
        return ct_errf(e, "cannot read %s: %s", path, strerror(errno));
    char mpath[600];
    if (ct_fs_path(mpath, sizeof mpath, "%s/max_energy_range_uj", zdir) < 0 ||
        ct_fs_read_u64(mpath, &z->max_uj) < 0)
        z->max_uj = 0; /* unknown: a smaller value is then taken as a counter reset */
    z->dev.max_watts = max_power_w(zdir);
    return 0;
}

static int seen(const struct rapl *r, const char *id)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->z[i].dev.id, id) == 0)
            return 1;
    return 0;
}

/* Classifies the scanned zones into r, dropping mmio repeats, and applies the
 * psys rule. */
static void keep_zones(struct rapl *r, const struct zone *all, int n, const char *model)
{
    r->n = 0;
    for (int i = 0; i < n; i++) {
        struct zone *z = &r->z[r->n];
        *z = all[i];
        classify(all, n, z, model);
        if (z->mmio && seen(r, z->dev.id))
            continue;
        r->psys |= strcmp(z->name, "psys") == 0;
        r->n++;
    }
    for (int i = 0; r->psys && i < r->n; i++)
        if (strcmp(r->z[i].dev.component, "cpu") == 0 || strcmp(r->z[i].dev.component, "dram") == 0)
            r->z[i].dev.detail = 1;
}

static void rapl_close(void *state)
{
    struct rapl *r = state;
    if (!r)
        return;
    for (int i = 0; i < r->n; i++)
        if (r->z[i].fd >= 0)
            close(r->z[i].fd);
    free(r);
}

static int rapl_open(const struct ct_env *env, void **state, ct_err *e)
{
    char root[400], model[96];
    int sockets, n;
    if (ct_fs_path(root, sizeof root, "%s/class/powercap", env->sysfs_root) < 0)
        return ct_errf(e, "sysfs root too long");
    struct zone *all = calloc(CT_SENSOR_MAX_DEVICES, sizeof *all);
    struct rapl *r = calloc(1, sizeof *r);
    if (!all || !r) {
        free(all);
        free(r);
        return ct_errf(e, "out of memory");
    }
    int rc = scan(root, all, CT_SENSOR_MAX_DEVICES, &n, e);
    if (rc == 0) {
        if (ct_cpuinfo(env->procfs_root, model, sizeof model, &sockets) < 0)
            model[0] = '\0';
        keep_zones(r, all, n, model);
        for (int i = 0; i < r->n; i++)
            r->z[i].fd = -1;
        for (int i = 0; rc == 0 && i < r->n; i++)
            rc = open_zone(root, &r->z[i], e);
    }
    free(all);
    if (rc < 0) {
        rapl_close(r);
        return -1;
    }
    *state = r;
    return 0;
}

static int rapl_devices(void *state, struct ct_sensor_device *out, int cap)
{
    struct rapl *r = state;
    int n = r->n < cap ? r->n : cap;
    for (int i = 0; i < n; i++)
        out[i] = r->z[i].dev;
    return n;
}

static uint64_t delta_uj(const struct zone *z, uint64_t now_uj)
{
    if (now_uj >= z->last_uj)
        return now_uj - z->last_uj;
    if (z->max_uj > z->last_uj) /* one wrap */
        return (z->max_uj - z->last_uj) + now_uj;
    return now_uj; /* the range is unknown: taken as a reset to zero */
}

static int rapl_read(void *state, double now, struct ct_sensor_value *vals, ct_err *e)
{
    struct rapl *r = state;
    (void)now;
    (void)e;
    for (int i = 0; i < r->n; i++) {
        struct zone *z = &r->z[i];
        uint64_t uj;
        if (!z->lost && ct_fs_pread_u64(z->fd, &uj) < 0)
            z->lost = 1;
        else if (!z->lost) {
            z->joules += (double)delta_uj(z, uj) / 1e6;
            z->last_uj = uj;
        }
        vals[i].joules = z->joules;
        vals[i].util = NAN;
        vals[i].lost = z->lost;
    }
    return 0;
}

/* The shortest time any counter needs to wrap at its zone's highest power. */
static double wrap_seconds(const struct rapl *r, const struct zone **which)
{
    double best = INFINITY;
    for (int i = 0; i < r->n; i++) {
        const struct zone *z = &r->z[i];
        if (z->max_uj == 0 || z->dev.max_watts <= 0)
            continue;
        double s = (double)z->max_uj / 1e6 / z->dev.max_watts;
        if (s < best) {
            best = s;
            *which = z;
        }
    }
    return best;
}

static int smallest_range(const struct rapl *r, const struct zone **which)
{
    *which = NULL;
    for (int i = 0; i < r->n; i++)
        if (r->z[i].max_uj && (!*which || r->z[i].max_uj < (*which)->max_uj))
            *which = &r->z[i];
    return *which != NULL;
}

static void rapl_note(void *state, char *buf, size_t cap)
{
    const struct rapl *r = state;
    const struct zone *z = NULL;
    double s = wrap_seconds(r, &z);
    int n = snprintf(buf, cap, "%s", r->psys ? "psys counted (the whole platform); packages "
                     "and dram kept as detail; " : "packages and dram counted; ");
    if (n < 0 || (size_t)n >= cap)
        return;
    if (z)
        snprintf(buf + n, cap - (size_t)n, "read at least every %.0f s: %s wraps after %.0f J, "
                 "%.0f s at its %.0f W maximum", s, z->dev.id, (double)z->max_uj / 1e6, s,
                 z->dev.max_watts);
    else if (smallest_range(r, &z))
        snprintf(buf + n, cap - (size_t)n, "no power limit known: at 1000 W %s would wrap "
                 "after %.0f s, so read at least that often", z->dev.id,
                 (double)z->max_uj / 1e6 / 1000.0);
}

const struct ct_sensor_ops ct_sensor_rapl = {
    .version = CT_SENSOR_OPS_VERSION,
    .name = "rapl",
    .reads = "CPU package, DRAM and platform (psys) energy counters through powercap",
    .open = rapl_open,
    .devices = rapl_devices,
    .read = rapl_read,
    .pids = NULL,
    .close = rapl_close,
    .note = rapl_note,
};
