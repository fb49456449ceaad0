#ifndef CT_SENSOR_H
#define CT_SENSOR_H
/* Live sensors. Each backend is a const struct ct_sensor_ops in sensors.c's table,
 * probed at run time: it either opens and lists its devices, or fails with a
 * message that says exactly why (no such file, permission denied and how to grant
 * it, library not found) and what to do.
 *
 * Contract:
 * - open() may allocate; read() must not (the agent's loop is allocation-free).
 * - read() reports, per device, the energy since open() in joules (counters
 *   unwrapped; power-only sources integrated over the `now` values passed in) and
 *   the current utilisation (NAN when unknown).
 * - A device that fails (a GPU fallen off the bus) is marked lost once and the
 *   others go on; it never fails the whole read.
 * - Roots come from struct ct_env, so tests point sensors at fixture trees and a
 *   fake NVML library. */
#include <stddef.h>

#include "core/err.h"

#define CT_SENSOR_OPS_VERSION 1
#define CT_SENSOR_MAX_DEVICES 64

struct ct_env {
    const char *sysfs_root;    /* CO2TALLY_SYSFS_ROOT, default "/sys" */
    const char *procfs_root;   /* CO2TALLY_PROCFS_ROOT, default "/proc" */
    const char *nvml_library;  /* CO2TALLY_NVML_LIBRARY, default "libnvidia-ml.so.1" */
    const char *powermetrics;  /* CO2TALLY_POWERMETRICS, default "powermetrics" (macOS) */
};
void ct_env_from_environ(struct ct_env *env);

struct ct_sensor_device {
    char id[80];          /* stable: "package-0", "dram-0", "psys", "gpu:GPU-<uuid>", "cpu" */
    char component[16];   /* "cpu", "gpu", "dram", "system", "ane" */
    char model[96];       /* "Intel(R) Xeon(R) ...", "NVIDIA A100-SXM4-40GB"; "" if unknown */
    int method;           /* CT_METHOD_MEASURED, or CT_METHOD_CALCULATED for the fallback */
    int detail;           /* 1: contained in another device of this host (kept, never added) */
    double max_watts;     /* power limit or TDP where known, else 0 */
};

struct ct_sensor_value {
    double joules;        /* since open() */
    double util;          /* 0..1 now, NAN when unknown */
    int lost;             /* 1 once the device stopped answering; joules then stay put */
};

struct ct_sensor_ops {
    int version;          /* CT_SENSOR_OPS_VERSION */
    const char *name;     /* "rapl", "nvml", "hwmon-amdgpu", "procstat", "powermetrics" */
    const char *reads;    /* one line for doctor: what it reads */
    /* Probes and opens. On failure: -1, e says why and how to fix it. */
    int (*open)(const struct ct_env *env, void **state, ct_err *e);
    /* The devices, in the order read() reports them. */
    int (*devices)(void *state, struct ct_sensor_device *out, int cap);
    /* now: seconds on a monotonic clock. vals has one slot per device. */
    int (*read)(void *state, double now, struct ct_sensor_value *vals, ct_err *e);
    /* Optional (may be NULL): pids using device i (GPUs), for measure's attribution.
     * Returns how many were written, or -1 when the device cannot tell. */
    int (*pids)(void *state, int device, int *pids, int cap);
    void (*close)(void *state);
    /* Added after the first version (optional, may be NULL): one line for doctor about
     * an open sensor: which zone is counted and which kept as detail, how often to
     * read so a counter cannot wrap twice, the power model of an estimate. */
    void (*note)(void *state, char *buf, size_t cap);
};

/* The sensors in probing order, and the one whose energy is a fallback: the
 * procstat sensor is used for the CPU only when no measured CPU sensor opens. */
const struct ct_sensor_ops *const *ct_sensors(int *n);

/* An open set of sensors for this host: what doctor, agent and measure share. */
struct ct_sensor_set {
    struct {
        const struct ct_sensor_ops *ops;
        void *state;
        int first, ndev;            /* its devices' slots in dev[] / val[] */
    } s[8];
    int ns;
    struct ct_sensor_device dev[CT_SENSOR_MAX_DEVICES];
    struct ct_sensor_value val[CT_SENSOR_MAX_DEVICES];
    int ndev;
    char why[8][400];               /* per sensor in ct_sensors() order: "" or why it did not open */
    int unneeded[8];                /* per sensor in ct_sensors() order: 1 for a fallback left
                                     * closed because a measured sensor covers it (why says which) */
};
/* Opens every sensor that works; fills why[] for those that do not. Never fails
 * for a missing sensor; fails only when nothing at all can be read. */
int ct_sensor_set_open(struct ct_sensor_set *set, const struct ct_env *env, ct_err *e);
/* Reads every open sensor; returns 0, or -1 when one sensor's read failed (the others
 * were still read; e names it). */
int ct_sensor_set_read(struct ct_sensor_set *set, double now, ct_err *e);
void ct_sensor_set_close(struct ct_sensor_set *set);

#endif
