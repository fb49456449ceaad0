/* NVIDIA GPUs through NVML, loaded with dlopen so co2tally runs (and says why not)
 * where no driver is installed. No NVML header: the few types and functions used
 * are declared here as the driver's libnvidia-ml.so.1 exports them.
 *
 * Energy: the total-energy counter (millijoules, Volta and newer) where the GPU has
 * one, else the power reading (milliwatts) integrated over the read times. A GPU
 * that answers NVML_ERROR_GPU_IS_LOST is marked lost and never asked again. */
#include <dlfcn.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"
#include "sensors/backends.h"
#include "sensors/fsutil.h"

typedef int nvml_ret;               /* nvmlReturn_t, an int-sized enum */
typedef struct nvml_dev *nvml_dev;  /* nvmlDevice_t, an opaque pointer */
struct nvml_util {                  /* nvmlUtilization_t: percent over the last sample period */
    unsigned int gpu, memory;
};
struct nvml_proc {                  /* nvmlProcessInfo_t (v2 layout) of GetComputeRunningProcesses_v3 */
    unsigned int pid;
    unsigned long long used_memory;
    unsigned int gpu_instance, compute_instance;
};

enum {
    NVML_OK = 0,
    NVML_ERR_NO_PERMISSION = 4,
    NVML_ERR_DRIVER_NOT_LOADED = 9,
    NVML_ERR_GPU_IS_LOST = 15,
};

struct nvml_fns {
    nvml_ret (*init)(void);
    nvml_ret (*shutdown)(void);
    nvml_ret (*count)(unsigned int *n);
    nvml_ret (*handle)(unsigned int i, nvml_dev *d);
    const char *(*errstr)(nvml_ret r);
    nvml_ret (*name)(nvml_dev d, char *buf, unsigned int len);
    nvml_ret (*uuid)(nvml_dev d, char *buf, unsigned int len);
    nvml_ret (*energy)(nvml_dev d, unsigned long long *mj);
    nvml_ret (*power)(nvml_dev d, unsigned int *mw);
    nvml_ret (*util)(nvml_dev d, struct nvml_util *u);
    nvml_ret (*limit)(nvml_dev d, unsigned int *mw);
    nvml_ret (*mgmt_limit)(nvml_dev d, unsigned int *mw);
    nvml_ret (*procs)(nvml_dev d, unsigned int *n, struct nvml_proc *p);
    nvml_ret (*driver)(char *buf, unsigned int len);
};

#define REQUIRED 5 /* the first five symbols below */
static const struct {
    const char *sym;
    size_t off;
} syms[] = {
    {"nvmlInit_v2", offsetof(struct nvml_fns, init)},
    {"nvmlShutdown", offsetof(struct nvml_fns, shutdown)},
    {"nvmlDeviceGetCount_v2", offsetof(struct nvml_fns, count)},
    {"nvmlDeviceGetHandleByIndex_v2", offsetof(struct nvml_fns, handle)},
    {"nvmlErrorString", offsetof(struct nvml_fns, errstr)},
    {"nvmlDeviceGetName", offsetof(struct nvml_fns, name)},
    {"nvmlDeviceGetUUID", offsetof(struct nvml_fns, uuid)},
    {"nvmlDeviceGetTotalEnergyConsumption", offsetof(struct nvml_fns, energy)},
    {"nvmlDeviceGetPowerUsage", offsetof(struct nvml_fns, power)},
    {"nvmlDeviceGetUtilizationRates", offsetof(struct nvml_fns, util)},
    {"nvmlDeviceGetEnforcedPowerLimit", offsetof(struct nvml_fns, limit)},
    {"nvmlDeviceGetPowerManagementLimit", offsetof(struct nvml_fns, mgmt_limit)},
    {"nvmlDeviceGetComputeRunningProcesses_v3", offsetof(struct nvml_fns, procs)},
    {"nvmlSystemGetDriverVersion", offsetof(struct nvml_fns, driver)},
};

struct gpu {
    nvml_dev h;
    struct ct_sensor_device dev;
    int has_energy, lost;
    unsigned long long last_mj;
    double joules;
    struct ct_integ integ;
};

struct nvml {
    void *lib;
    int inited, n, skipped;
    struct nvml_fns f;
    char skip_why[160], driver[48];
    struct gpu g[CT_SENSOR_MAX_DEVICES];
};

static const char *errstr(const struct nvml *v, nvml_ret r)
{
    const char *s = v->f.errstr ? v->f.errstr(r) : NULL;
    return s ? s : "unknown NVML error";
}

/* dlsym's object pointer goes into a function pointer by memcpy: the cast is not
 * ISO C, and POSIX guarantees both have the same representation. */
static int load(struct nvml *v, const char *lib, ct_err *e)
{
    v->lib = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!v->lib) {
        const char *why = dlerror();
        return ct_errf(e, "cannot load %s (%.160s): install the NVIDIA driver (Debian: "
                       "nvidia-driver, which brings libnvidia-ml1), or set CO2TALLY_NVML_LIBRARY "
                       "to the library's path", lib, why ? why : "not found");
    }
    for (size_t i = 0; i < sizeof syms / sizeof *syms; i++) {
        void *p = dlsym(v->lib, syms[i].sym);
        if (!p && i < REQUIRED)
            return ct_errf(e, "%s is not a usable NVML library: no %s (driver too old?)", lib,
                           syms[i].sym);
        memcpy((char *)&v->f + syms[i].off, &p, sizeof p);
    }
    return 0;
}

static int init(struct nvml *v, ct_err *e)
{
    nvml_ret r = v->f.init();
    if (r != NVML_OK) {
        const char *fix = r == NVML_ERR_DRIVER_NOT_LOADED
                              ? ": the NVIDIA kernel driver is not loaded (modprobe nvidia, or "
                                "install nvidia-driver and reboot)"
                          : r == NVML_ERR_NO_PERMISSION
                              ? ": no access to /dev/nvidia* (add the user to the group that owns "
                                "them, often video)"
                              : "";
        return ct_errf(e, "nvmlInit failed: %s%s", errstr(v, r), fix);
    }
    v->inited = 1;
    if (v->f.driver && v->f.driver(v->driver, sizeof v->driver) != NVML_OK)
        v->driver[0] = '\0';
    return 0;
}

static void skip(struct nvml *v, unsigned idx, nvml_ret r, const char *what)
{
    v->skipped++;
    snprintf(v->skip_why, sizeof v->skip_why, "GPU %u %s %.60s", idx, what, errstr(v, r));
}

/* The GPU's energy source: the counter, else power. 0, or the NVML error. */
static nvml_ret probe_energy(struct nvml *v, struct gpu *g)
{
    unsigned int mw;
    nvml_ret r = v->f.energy ? v->f.energy(g->h, &g->last_mj) : -1;
    g->has_energy = r == NVML_OK;
    if (r == NVML_OK || r == NVML_ERR_GPU_IS_LOST)
        return r;
    return v->f.power ? v->f.power(g->h, &mw) : -1;
}

static void describe(struct nvml *v, struct gpu *g, unsigned idx)
{
    char buf[96];
    unsigned int mw;
    struct ct_sensor_device *d = &g->dev;
    if (v->f.uuid && v->f.uuid(g->h, buf, sizeof buf) == NVML_OK)
        snprintf(d->id, sizeof d->id, "gpu:%.75s", buf);
    else
        snprintf(d->id, sizeof d->id, "gpu:%u", idx);
    if (v->f.name && v->f.name(g->h, buf, sizeof buf) == NVML_OK)
        snprintf(d->model, sizeof d->model, "%s", buf);
    snprintf(d->component, sizeof d->component, "gpu");
    d->method = CT_METHOD_MEASURED;
    if ((v->f.limit && v->f.limit(g->h, &mw) == NVML_OK) ||
        (v->f.mgmt_limit && v->f.mgmt_limit(g->h, &mw) == NVML_OK))
        d->max_watts = mw / 1000.0;
}

static void open_gpu(struct nvml *v, unsigned idx)
{
    struct gpu *g = &v->g[v->n];
    memset(g, 0, sizeof *g);
    nvml_ret r = v->f.handle(idx, &g->h);
    if (r == NVML_OK)
        describe(v, g, idx);
    if (r == NVML_OK)
        r = probe_energy(v, g);
    if (r == NVML_ERR_GPU_IS_LOST) {
        snprintf(g->dev.id, sizeof g->dev.id, "gpu:%u", idx);
        snprintf(g->dev.component, sizeof g->dev.component, "gpu");
        g->lost = 1;
    } else if (r != NVML_OK) {
        skip(v, idx, r, "gives neither energy nor power:");
        return;
    }
    v->n++;
}

static void nvml_close(void *state)
{
    struct nvml *v = state;
    if (!v)
        return;
    if (v->inited)
        v->f.shutdown();
    if (v->lib)
        dlclose(v->lib);
    free(v);
}

static int nvml_open(const struct ct_env *env, void **state, ct_err *e)
{
    struct nvml *v = calloc(1, sizeof *v);
    unsigned int n = 0;
    if (!v)
        return ct_errf(e, "out of memory");
    nvml_ret r = -1;
    if (load(v, env->nvml_library, e) < 0 || init(v, e) < 0 ||
        ((r = v->f.count(&n)) != NVML_OK && ct_errf(e, "nvmlDeviceGetCount failed: %s",
                                                    errstr(v, r)) < 0)) {
        nvml_close(v);
        return -1;
    }
    for (unsigned i = 0; i < n && v->n < CT_SENSOR_MAX_DEVICES; i++)
        open_gpu(v, i);
    if (v->n == 0) {
        ct_errf(e, "NVML sees no usable GPU%s%s", v->skipped ? ": " : "", v->skip_why);
        nvml_close(v);
        return -1;
    }
    *state = v;
    return 0;
}

static int nvml_devices(void *state, struct ct_sensor_device *out, int cap)
{
    struct nvml *v = state;
    int n = v->n < cap ? v->n : cap;
    for (int i = 0; i < n; i++)
        out[i] = v->g[i].dev;
    return n;
}

/* One GPU's energy and utilisation; marks it lost when NVML says so. */
static double read_gpu(struct nvml *v, struct gpu *g, double now)
{
    unsigned long long mj;
    unsigned int mw;
    struct nvml_util u;
    nvml_ret r = g->has_energy ? v->f.energy(g->h, &mj) : v->f.power(g->h, &mw);
    if (r == NVML_OK && g->has_energy) {
        /* a smaller value: the driver was reloaded and counts from zero again */
        g->joules += (double)(mj >= g->last_mj ? mj - g->last_mj : mj) / 1000.0;
        g->last_mj = mj;
    } else if (r == NVML_OK) {
        ct_integ_add(&g->integ, now, mw / 1000.0);
        g->joules = g->integ.joules;
    }
    if (r != NVML_ERR_GPU_IS_LOST && v->f.util)
        r = v->f.util(g->h, &u);
    g->lost = r == NVML_ERR_GPU_IS_LOST;
    return r == NVML_OK && v->f.util ? u.gpu / 100.0 : NAN;
}

static int nvml_read(void *state, double now, struct ct_sensor_value *vals, ct_err *e)
{
    struct nvml *v = state;
    (void)e;
    for (int i = 0; i < v->n; i++) {
        struct gpu *g = &v->g[i];
        vals[i].util = g->lost ? NAN : read_gpu(v, g, now);
        vals[i].joules = g->joules;
        vals[i].lost = g->lost;
    }
    return 0;
}

static int nvml_pids(void *state, int device, int *pids, int cap)
{
    struct nvml *v = state;
    struct nvml_proc p[256];
    unsigned int n = sizeof p / sizeof *p;
    if (device < 0 || device >= v->n || v->g[device].lost || !v->f.procs ||
        v->f.procs(v->g[device].h, &n, p) != NVML_OK)
        return -1;
    int k = 0;
    for (unsigned i = 0; i < n && k < cap; i++)
        pids[k++] = (int)p[i].pid;
    return k;
}

static void nvml_note(void *state, char *buf, size_t cap)
{
    const struct nvml *v = state;
    int counter = 0;
    for (int i = 0; i < v->n; i++)
        counter += v->g[i].has_energy;
    snprintf(buf, cap, "driver %s; energy counter on %d GPU(s), power integrated on %d%s%s",
             v->driver[0] ? v->driver : "unknown", counter, v->n - counter,
             v->skipped ? "; skipped " : "", v->skip_why);
}

const struct ct_sensor_ops ct_sensor_nvml = {
    .version = CT_SENSOR_OPS_VERSION,
    .name = "nvml",
    .reads = "NVIDIA GPU energy (or power), utilisation and processes through NVML",
    .open = nvml_open,
    .devices = nvml_devices,
    .read = nvml_read,
    .pids = nvml_pids,
    .close = nvml_close,
    .note = nvml_note,
};
