/* The CPU fallback: utilisation from $PROCFS/stat and the CPU's power from the TDP
 * tables, through the calculated method's model. It is an estimate, labelled
 * calculated, and the sensor set opens it only when no measured sensor covers the
 * CPU.
 *
 * Power model: TDP x sockets x utilisation, with no idle power (the plain TDP
 * model of Green Algorithms and of the team file's calculated platforms): the
 * TDP tables give no idle figure, and guessing one would add the same invented
 * watts to every host. A CPU the tables do not know (a VM's "AMD EPYC", most Arm
 * kernels, which name no model) is taken as N vCPU at the Cloud Carbon Footprint
 * average, which does come with an idle power. Utilisation counts user, nice,
 * system, irq and softirq as busy; steal (another guest's time) is counted as
 * neither ours nor idle so it does not inflate this host's share. Power is linear
 * in utilisation, so the mean utilisation between two reads gives the exact mean
 * power over that interval. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account/factors.h"
#include "estimate/calculated.h"
#include "sensors/backends.h"
#include "sensors/fsutil.h"

struct procstat {
    int fd;
    struct ct_sensor_device dev;
    struct ct_chip chip;          /* watts for the whole host */
    int sockets, ncpu, known, lost;
    unsigned long long busy, total;
    double util, joules, t;
    int have_t;
};

static void take_value(const char *line, char *out, size_t cap)
{
    const char *v = strchr(line, ':');
    v = v ? v + 1 : "";
    while (*v == ' ' || *v == '\t')
        v++;
    snprintf(out, cap, "%s", v);
    size_t n = strlen(out);
    while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
        out[--n] = '\0';
}

int ct_cpuinfo(const char *procfs, char *model, size_t cap, int *sockets)
{
    char path[512], line[512], val[128];
    unsigned char ids[256] = {0};
    model[0] = '\0';
    *sockets = 0;
    if (ct_fs_path(path, sizeof path, "%s/cpuinfo", procfs) < 0)
        return -1;
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0 && !model[0])
            take_value(line, model, cap);
        if (strncmp(line, "physical id", 11) == 0) {
            take_value(line, val, sizeof val);
            unsigned id = (unsigned)atoi(val) & 255u;
            *sockets += !ids[id];
            ids[id] = 1;
        }
    }
    fclose(f);
    if (*sockets < 1)
        *sockets = 1;
    return 0;
}

/* "cpu  user nice system idle iowait irq softirq steal ..." */
static int parse_stat(const char *s, unsigned long long *busy, unsigned long long *total)
{
    unsigned long long v[8] = {0};
    int k = sscanf(s, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7]);
    if (k < 4)
        return -1;
    *busy = v[0] + v[1] + v[2] + v[5] + v[6];
    *total = *busy + v[3] + v[4];
    return 0;
}

static int count_cpus(const char *path)
{
    FILE *f = fopen(path, "re");
    char line[256];
    int n = 0;
    while (f && fgets(line, sizeof line, f))
        n += strncmp(line, "cpu", 3) == 0 && line[3] >= '0' && line[3] <= '9';
    if (f)
        fclose(f);
    return n > 0 ? n : 1;
}

/* The host's CPU power: the TDP table, else N vCPU. */
static void find_power(struct procstat *p)
{
    p->known = p->dev.model[0] && ct_chip_lookup(p->dev.model, &p->chip, NULL) == 0 &&
               p->chip.kind == CT_CHIP_CPU;
    if (p->known) {
        p->chip.watts *= p->sockets;
        return;
    }
    char vcpu[32];
    snprintf(vcpu, sizeof vcpu, "%d vCPU", p->ncpu);
    if (ct_chip_lookup(vcpu, &p->chip, NULL) < 0) { /* cannot happen with a sane table */
        p->chip.watts = 0;
        p->chip.idle_watts = NAN;
    }
}

static int procstat_open(const struct ct_env *env, void **state, ct_err *e)
{
    char path[512], buf[512];
    if (ct_fs_path(path, sizeof path, "%s/stat", env->procfs_root) < 0)
        return ct_errf(e, "procfs root too long");
    struct procstat *p = calloc(1, sizeof *p);
    if (!p)
        return ct_errf(e, "out of memory");
    p->fd = ct_fs_open(path);
    if (p->fd < 0 || ct_fs_pread(p->fd, buf, sizeof buf) < 0 ||
        parse_stat(buf, &p->busy, &p->total) < 0) {
        int err = errno;
        if (p->fd >= 0)
            close(p->fd);
        free(p);
        return ct_errf(e, "cannot read CPU time from %s: %s", path,
                       err == ENOENT ? "no such file (not Linux, or procfs not mounted)"
                                     : strerror(err ? err : EINVAL));
    }
    if (ct_cpuinfo(env->procfs_root, p->dev.model, sizeof p->dev.model, &p->sockets) < 0)
        p->sockets = 1;
    p->ncpu = count_cpus(path);
    find_power(p);
    snprintf(p->dev.id, sizeof p->dev.id, "cpu");
    snprintf(p->dev.component, sizeof p->dev.component, "cpu");
    p->dev.method = CT_METHOD_CALCULATED;
    p->dev.max_watts = p->chip.watts;
    p->util = NAN;
    *state = p;
    return 0;
}

static int procstat_devices(void *state, struct ct_sensor_device *out, int cap)
{
    if (cap < 1)
        return 0;
    out[0] = ((struct procstat *)state)->dev;
    return 1;
}

static int procstat_read(void *state, double now, struct ct_sensor_value *vals, ct_err *e)
{
    struct procstat *p = state;
    char buf[512];
    unsigned long long busy, total;
    (void)e;
    if (p->lost || ct_fs_pread(p->fd, buf, sizeof buf) < 0 || parse_stat(buf, &busy, &total) < 0) {
        p->lost = 1; /* the estimate stops where its input did */
        vals[0].joules = p->joules;
        vals[0].util = NAN;
        vals[0].lost = 1;
        return 0;
    }
    if (total > p->total && busy >= p->busy)
        p->util = (double)(busy - p->busy) / (double)(total - p->total);
    p->busy = busy;
    p->total = total;
    double util = isnan(p->util) ? 0 : p->util;
    double w = ct_calc_power_w(p->chip.watts, p->chip.idle_watts, util);
    /* w is the mean power since the last read (see the top): a rectangle. */
    if (p->have_t && now > p->t)
        p->joules += w * (now - p->t);
    if (!p->have_t || now > p->t) {
        p->t = now;
        p->have_t = 1;
    }
    vals[0].joules = p->joules;
    vals[0].util = p->util;
    vals[0].lost = 0;
    return 0;
}

static void procstat_close(void *state)
{
    struct procstat *p = state;
    if (p && p->fd >= 0)
        close(p->fd);
    free(p);
}

static void procstat_note(void *state, char *buf, size_t cap)
{
    const struct procstat *p = state;
    if (p->known)
        snprintf(buf, cap, "calculated, not measured: %d x %.0f W TDP (%s, %s) x CPU "
                 "utilisation; no idle power (plain TDP model)", p->sockets,
                 p->chip.watts / p->sockets, p->chip.name, p->chip.source);
    else
        snprintf(buf, cap, "calculated, not measured: CPU '%s' is not in the TDP tables, so "
                 "%s at the %s average: %.1f W idle to %.1f W busy", p->dev.model[0] ?
                 p->dev.model : "unnamed", p->chip.name, p->chip.source, p->chip.idle_watts,
                 p->chip.watts);
}

const struct ct_sensor_ops ct_sensor_procstat = {
    .version = CT_SENSOR_OPS_VERSION,
    .name = "procstat",
    .reads = "CPU utilisation (/proc/stat) x the CPU's TDP: an estimate, used when nothing "
             "measures the CPU",
    .open = procstat_open,
    .devices = procstat_devices,
    .read = procstat_read,
    .pids = NULL,
    .close = procstat_close,
    .note = procstat_note,
};
