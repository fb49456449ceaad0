/* A fake libnvidia-ml.so for the tests: the NVML functions co2tally uses, answering
 * from a small text file that the test writes and may rewrite between reads. The
 * file is named by CO2TALLY_FAKE_NVML and read again on every call, so what a call
 * returns is exactly what the file said at that moment.
 *
 *   init 9                          nvmlInit_v2 returns this error
 *   driver 550.54.15                nvmlSystemGetDriverVersion
 *   gpu KEY=VALUE ...               one line per GPU, in index order
 *
 * GPU keys: uuid, name ('_' reads as a space), energy_mj (the total-energy counter;
 * absent: NOT_SUPPORTED), power_mw (absent: NOT_SUPPORTED), util (percent; absent:
 * NOT_SUPPORTED), limit_mw (enforced power limit), pids (comma-separated compute
 * processes), lost=1 (every call on the GPU returns NVML_ERROR_GPU_IS_LOST). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_MAX 8
enum { OK = 0, UNINIT = 1, INVALID = 2, NOT_SUPPORTED = 3, INSUFFICIENT = 7, LOST = 15 };

struct fake_gpu {
    char uuid[80], name[96];
    int has_energy, has_power, has_util, has_limit, lost, npids;
    unsigned long long energy_mj;
    unsigned int power_mw, util, limit_mw, pids[16];
};

struct proc_info { /* nvmlProcessInfo_t as GetComputeRunningProcesses_v3 fills it */
    unsigned int pid;
    unsigned long long used_memory;
    unsigned int gpu_instance, compute_instance;
};

static struct fake_gpu gpus[FAKE_MAX];
static int ngpus, init_error, inited;
static char driver[64];

static void set_key(struct fake_gpu *g, const char *k, const char *v)
{
    if (strcmp(k, "uuid") == 0)
        snprintf(g->uuid, sizeof g->uuid, "%s", v);
    else if (strcmp(k, "name") == 0) {
        snprintf(g->name, sizeof g->name, "%s", v);
        for (char *p = g->name; *p; p++)
            *p = *p == '_' ? ' ' : *p;
    } else if (strcmp(k, "energy_mj") == 0)
        g->has_energy = 1, g->energy_mj = strtoull(v, NULL, 10);
    else if (strcmp(k, "power_mw") == 0)
        g->has_power = 1, g->power_mw = (unsigned)strtoul(v, NULL, 10);
    else if (strcmp(k, "util") == 0)
        g->has_util = 1, g->util = (unsigned)strtoul(v, NULL, 10);
    else if (strcmp(k, "limit_mw") == 0)
        g->has_limit = 1, g->limit_mw = (unsigned)strtoul(v, NULL, 10);
    else if (strcmp(k, "lost") == 0)
        g->lost = atoi(v);
    else if (strcmp(k, "pids") == 0)
        for (const char *p = v; *p && g->npids < 16;) {
            char *end;
            unsigned long pid = strtoul(p, &end, 10);
            if (end == p)
                break;
            g->pids[g->npids++] = (unsigned)pid;
            p = end + (*end == ',');
        }
}

static void parse_gpu(char *rest)
{
    if (ngpus >= FAKE_MAX)
        return;
    struct fake_gpu *g = &gpus[ngpus++];
    for (char *tok = strtok(rest, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
        char *eq = strchr(tok, '=');
        if (eq) {
            *eq = '\0';
            set_key(g, tok, eq + 1);
        }
    }
}

static void load(void)
{
    const char *path = getenv("CO2TALLY_FAKE_NVML");
    FILE *f = path ? fopen(path, "r") : NULL;
    char line[1024];
    memset(gpus, 0, sizeof gpus);
    ngpus = init_error = 0;
    driver[0] = '\0';
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "gpu ", 4) == 0)
            parse_gpu(line + 4);
        else if (strncmp(line, "init ", 5) == 0)
            init_error = atoi(line + 5);
        else if (strncmp(line, "driver ", 7) == 0)
            sscanf(line + 7, "%63s", driver);
    }
    if (f)
        fclose(f);
}

/* The GPU behind a handle, with the file read again; NULL for a bad handle. */
static struct fake_gpu *gpu(void *h, int *rc)
{
    load();
    long i = (long)((struct fake_gpu *)h - gpus);
    *rc = !inited ? UNINIT : i < 0 || i >= ngpus ? INVALID : gpus[i].lost ? LOST : OK;
    return *rc == OK ? &gpus[i] : NULL;
}

int nvmlInit_v2(void)
{
    load();
    inited = init_error == 0;
    return init_error;
}

int nvmlShutdown(void)
{
    inited = 0;
    return OK;
}

const char *nvmlErrorString(int r)
{
    switch (r) {
    case OK: return "Success";
    case UNINIT: return "Uninitialized";
    case INVALID: return "Invalid Argument";
    case NOT_SUPPORTED: return "Not Supported";
    case 9: return "Driver Not Loaded";
    case LOST: return "GPU is lost";
    default: return "Unknown Error";
    }
}

int nvmlSystemGetDriverVersion(char *buf, unsigned int len)
{
    load();
    snprintf(buf, len, "%s", driver[0] ? driver : "fake");
    return OK;
}

int nvmlDeviceGetCount_v2(unsigned int *n)
{
    load();
    *n = (unsigned)ngpus;
    return inited ? OK : UNINIT;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int i, void **h)
{
    load();
    if (!inited || i >= (unsigned)ngpus)
        return inited ? INVALID : UNINIT;
    *h = &gpus[i];
    return gpus[i].lost ? LOST : OK;
}

int nvmlDeviceGetName(void *h, char *buf, unsigned int len)
{
    int rc;
    struct fake_gpu *g = gpu(h, &rc);
    if (g)
        snprintf(buf, len, "%s", g->name);
    return rc;
}

int nvmlDeviceGetUUID(void *h, char *buf, unsigned int len)
{
    int rc;
    struct fake_gpu *g = gpu(h, &rc);
    if (g)
        snprintf(buf, len, "%s", g->uuid);
    return rc;
}

int nvmlDeviceGetTotalEnergyConsumption(void *h, unsigned long long *mj)
{
    int rc;
    struct fake_gpu *g = gpu(h, &rc);
    if (g && !g->has_energy)
        return NOT_SUPPORTED;
    if (g)
        *mj = g->energy_mj;
    return rc;
}

int nvmlDeviceGetPowerUsage(void *h, unsigned int *mw)
{
    int rc;
    struct fake_gpu *g = gpu(h, &rc);
    if (g && !g->has_power)
        return NOT_SUPPORTED;
    if (g)
        *mw = g->power_mw;
    return rc;
}

int nvmlDeviceGetUtilizationRates(void *h, unsigned int *u)
{
    int rc;
    struct fake_gpu *g = gpu(h, &rc);
    if (g && !g->has_util)
        return NOT_SUPPORTED;
    if (g)
        u[0] = g->util, u[1] = 0; /* nvmlUtilization_t: gpu, memory */
    return rc;
}

int nvmlDeviceGetEnforcedPowerLimit(void *h, unsigned int *mw)
{
    int rc;
    struct fake_gpu *g = gpu(h, &rc);
    if (g && !g->has_limit)
        return NOT_SUPPORTED;
    if (g)
        *mw = g->limit_mw;
    return rc;
}

int nvmlDeviceGetComputeRunningProcesses_v3(void *h, unsigned int *n, struct proc_info *p)
{
    int rc;
    struct fake_gpu *g = gpu(h, &rc);
    if (!g)
        return rc;
    if (*n < (unsigned)g->npids) {
        *n = (unsigned)g->npids;
        return INSUFFICIENT;
    }
    for (int i = 0; i < g->npids; i++)
        p[i] = (struct proc_info){g->pids[i], 1u << 20, 0xffffffffu, 0xffffffffu};
    *n = (unsigned)g->npids;
    return OK;
}
