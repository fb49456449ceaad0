/* The RAM estimate: MemTotal from $PROCFS/meminfo x 0.3725 W per GiB, the memory
 * power of the Green Algorithms reference values (Lannelongue et al. 2021, CC BY
 * 4.0), drawn all the time whatever the load. Labelled calculated; the sensor set
 * opens it only when no measured sensor covers the memory (a dram or psys zone). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"
#include "sensors/backends.h"
#include "sensors/fsutil.h"

#define RAM_W_PER_GIB 0.3725

struct meminfo {
    struct ct_sensor_device dev;
    double gib, watts, joules, t;
    int have_t;
};

static int mem_total_kib(const char *path, double *kib)
{
    FILE *f = fopen(path, "re");
    char line[256];
    int rc = -1;
    while (f && rc < 0 && fgets(line, sizeof line, f))
        if (sscanf(line, "MemTotal: %lf kB", kib) == 1 && *kib > 0)
            rc = 0;
    if (f)
        fclose(f);
    else
        return -1;
    errno = rc < 0 ? EINVAL : 0;
    return rc;
}

static int meminfo_open(const struct ct_env *env, void **state, ct_err *e)
{
    char path[512];
    double kib;
    if (ct_fs_path(path, sizeof path, "%s/meminfo", env->procfs_root) < 0)
        return ct_errf(e, "procfs root too long");
    if (mem_total_kib(path, &kib) < 0)
        return ct_errf(e, "cannot read MemTotal from %s: %s", path,
                       errno == EINVAL ? "no MemTotal line" : strerror(errno));
    struct meminfo *m = calloc(1, sizeof *m);
    if (!m)
        return ct_errf(e, "out of memory");
    m->gib = kib / (1024.0 * 1024.0);
    m->watts = m->gib * RAM_W_PER_GIB;
    snprintf(m->dev.id, sizeof m->dev.id, "ram");
    snprintf(m->dev.component, sizeof m->dev.component, "dram");
    snprintf(m->dev.model, sizeof m->dev.model, "%.1f GiB", m->gib);
    m->dev.method = CT_METHOD_CALCULATED;
    m->dev.max_watts = m->watts;
    *state = m;
    return 0;
}

static int meminfo_devices(void *state, struct ct_sensor_device *out, int cap)
{
    if (cap < 1)
        return 0;
    out[0] = ((struct meminfo *)state)->dev;
    return 1;
}

static int meminfo_read(void *state, double now, struct ct_sensor_value *vals, ct_err *e)
{
    struct meminfo *m = state;
    (void)e;
    if (m->have_t && now > m->t)
        m->joules += m->watts * (now - m->t);
    if (!m->have_t || now > m->t) {
        m->t = now;
        m->have_t = 1;
    }
    vals[0].joules = m->joules;
    vals[0].util = NAN;
    vals[0].lost = 0;
    return 0;
}

static void meminfo_close(void *state)
{
    free(state);
}

static void meminfo_note(void *state, char *buf, size_t cap)
{
    const struct meminfo *m = state;
    snprintf(buf, cap, "calculated, not measured: %.1f GiB x %.4f W/GiB (Green Algorithms) = "
             "%.2f W, all the time", m->gib, RAM_W_PER_GIB, m->watts);
}

const struct ct_sensor_ops ct_sensor_meminfo = {
    .version = CT_SENSOR_OPS_VERSION,
    .name = "meminfo",
    .reads = "installed RAM (/proc/meminfo) x 0.3725 W/GiB: an estimate, used when nothing "
             "measures the memory",
    .open = meminfo_open,
    .devices = meminfo_devices,
    .read = meminfo_read,
    .pids = NULL,
    .close = meminfo_close,
    .note = meminfo_note,
};
