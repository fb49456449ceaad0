/* AMD GPUs through the amdgpu driver's hwmon ($SYSFS/class/hwmon/hwmon*, name
 * "amdgpu"): power1_average in microwatts (power1_input on kernels and GPUs that
 * report the instantaneous value instead), integrated over the read times, and
 * utilisation from the device's gpu_busy_percent.
 * Caveat: on an APU the value is the whole socket's power (CPU included). */
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

#define MAX_GPUS 16

struct agpu {
    int hwmon;                     /* N of hwmonN, for sorting */
    int power_fd, busy_fd;
    struct ct_sensor_device dev;
    struct ct_integ integ;
    int lost;
};

struct hwmon {
    struct agpu g[MAX_GPUS];
    int n, skipped;
    char skip_why[400];  /* the last GPU skipped, and why */
};

/* PCI_SLOT_NAME from the device's uevent, for an id that survives reboots. */
static void pci_slot(const char *dev, char out[64])
{
    char path[600], line[128];
    out[0] = '\0';
    if (ct_fs_path(path, sizeof path, "%s/uevent", dev) < 0)
        return;
    FILE *f = fopen(path, "re");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "PCI_SLOT_NAME=%63s", out) == 1)
            break;
    if (f)
        fclose(f);
}

static int open_power(const char *dir, struct agpu *g, ct_err *e)
{
    static const char *const files[] = {"power1_average", "power1_input"};
    char path[600];
    uint64_t uw;
    for (int i = 0; i < 2; i++) {
        if (ct_fs_path(path, sizeof path, "%s/%s", dir, files[i]) < 0)
            return ct_errf(e, "path too long: %s", dir);
        g->power_fd = ct_fs_open(path);
        if (g->power_fd >= 0 && ct_fs_pread_u64(g->power_fd, &uw) == 0)
            return 0;
        if (g->power_fd >= 0 || errno != ENOENT)
            return ct_errf(e, "cannot read %s: %s", path, strerror(errno));
    }
    return ct_errf(e, "%s has neither power1_average nor power1_input (this GPU or kernel "
                   "reports no power)", dir);
}

static int open_gpu(const char *dir, int num, struct agpu *g, ct_err *e)
{
    char dev[560], path[600], slot[64];
    uint64_t cap;
    g->hwmon = num;
    g->busy_fd = -1;
    if (open_power(dir, g, e) < 0)
        return -1;
    if (ct_fs_path(dev, sizeof dev, "%s/device", dir) < 0)
        return ct_errf(e, "path too long: %s", dir);
    pci_slot(dev, slot);
    snprintf(g->dev.id, sizeof g->dev.id, "gpu:amdgpu-%s", slot[0] ? slot : strrchr(dir, '/') + 1);
    snprintf(g->dev.component, sizeof g->dev.component, "gpu");
    g->dev.method = CT_METHOD_MEASURED;
    if (ct_fs_path(path, sizeof path, "%s/product_name", dev) == 0)
        ct_fs_read_str(path, g->dev.model, sizeof g->dev.model);
    if (ct_fs_path(path, sizeof path, "%s/power1_cap", dir) == 0 && ct_fs_read_u64(path, &cap) == 0)
        g->dev.max_watts = (double)cap / 1e6;
    if (ct_fs_path(path, sizeof path, "%s/gpu_busy_percent", dev) == 0)
        g->busy_fd = ct_fs_open(path);
    return 0;
}

static int cmp_gpu(const void *a, const void *b)
{
    return ((const struct agpu *)a)->hwmon - ((const struct agpu *)b)->hwmon;
}

static void close_gpu(struct agpu *g)
{
    if (g->power_fd >= 0)
        close(g->power_fd);
    if (g->busy_fd >= 0)
        close(g->busy_fd);
}

static void hwmon_close(void *state)
{
    struct hwmon *h = state;
    for (int i = 0; h && i < h->n; i++)
        close_gpu(&h->g[i]);
    free(h);
}

static int is_amdgpu(const char *root, const char *entry, char *dir, size_t cap)
{
    char path[600], name[32];
    if (strncmp(entry, "hwmon", 5) != 0 || ct_fs_path(dir, cap, "%s/%s", root, entry) < 0 ||
        ct_fs_path(path, sizeof path, "%s/name", dir) < 0)
        return 0;
    return ct_fs_read_str(path, name, sizeof name) > 0 && strcmp(name, "amdgpu") == 0;
}

/* A GPU that gives no power (an APU on an old kernel) is skipped, not fatal: the
 * others can still be read. */
static int scan(const char *root, struct hwmon *h, ct_err *e)
{
    DIR *d = opendir(root);
    if (!d && errno == ENOENT)
        return ct_errf(e, "no %s: this kernel has no hardware monitoring, so no amdgpu", root);
    if (!d)
        return ct_errf(e, "cannot list %s: %s", root, strerror(errno));
    struct dirent *de;
    while ((de = readdir(d)) != NULL && h->n < MAX_GPUS) {
        char dir[512];
        ct_err why;
        if (!is_amdgpu(root, de->d_name, dir, sizeof dir))
            continue;
        struct agpu *g = &h->g[h->n];
        memset(g, 0, sizeof *g);
        g->power_fd = g->busy_fd = -1;
        if (open_gpu(dir, atoi(de->d_name + 5), g, &why) == 0) {
            h->n++;
            continue;
        }
        close_gpu(g);
        h->skipped++;
        snprintf(h->skip_why, sizeof h->skip_why, "%.399s", why.msg);
    }
    closedir(d);
    return 0;
}

static int hwmon_open(const struct ct_env *env, void **state, ct_err *e)
{
    char root[400];
    if (ct_fs_path(root, sizeof root, "%s/class/hwmon", env->sysfs_root) < 0)
        return ct_errf(e, "sysfs root too long");
    struct hwmon *h = calloc(1, sizeof *h);
    if (!h)
        return ct_errf(e, "out of memory");
    if (scan(root, h, e) < 0) {
        hwmon_close(h);
        return -1;
    }
    if (h->n == 0) {
        if (h->skipped)
            ct_errf(e, "%s", h->skip_why);
        else
            ct_errf(e, "no amdgpu under %s: no AMD GPU here, or its driver is not loaded "
                    "(modprobe amdgpu)", root);
        hwmon_close(h);
        return -1;
    }
    qsort(h->g, (size_t)h->n, sizeof *h->g, cmp_gpu);
    *state = h;
    return 0;
}

static int hwmon_devices(void *state, struct ct_sensor_device *out, int cap)
{
    struct hwmon *h = state;
    int n = h->n < cap ? h->n : cap;
    for (int i = 0; i < n; i++)
        out[i] = h->g[i].dev;
    return n;
}

static int hwmon_read(void *state, double now, struct ct_sensor_value *vals, ct_err *e)
{
    struct hwmon *h = state;
    (void)e;
    for (int i = 0; i < h->n; i++) {
        struct agpu *g = &h->g[i];
        uint64_t uw, busy;
        if (!g->lost && ct_fs_pread_u64(g->power_fd, &uw) < 0)
            g->lost = 1;
        else if (!g->lost)
            ct_integ_add(&g->integ, now, (double)uw / 1e6);
        int ok = !g->lost && g->busy_fd >= 0 && ct_fs_pread_u64(g->busy_fd, &busy) == 0;
        vals[i].util = ok ? (double)busy / 100.0 : NAN;
        vals[i].joules = g->integ.joules;
        vals[i].lost = g->lost;
    }
    return 0;
}

static void hwmon_note(void *state, char *buf, size_t cap)
{
    const struct hwmon *h = state;
    snprintf(buf, cap, "power integrated over the read times%s%.300s",
             h->skipped ? "; skipped: " : "", h->skip_why);
}

const struct ct_sensor_ops ct_sensor_hwmon = {
    .version = CT_SENSOR_OPS_VERSION,
    .name = "hwmon-amdgpu",
    .reads = "AMD GPU power (amdgpu hwmon power1_average) and gpu_busy_percent",
    .open = hwmon_open,
    .devices = hwmon_devices,
    .read = hwmon_read,
    .pids = NULL,
    .close = hwmon_close,
    .note = hwmon_note,
};
