/* The sensor table, the environment, and the open set of sensors for this host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"
#include "sensors/backends.h"

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

void ct_env_from_environ(struct ct_env *env)
{
    env->sysfs_root = env_or("CO2TALLY_SYSFS_ROOT", "/sys");
    env->procfs_root = env_or("CO2TALLY_PROCFS_ROOT", "/proc");
    env->nvml_library = env_or("CO2TALLY_NVML_LIBRARY", "libnvidia-ml.so.1");
    env->powermetrics = env_or("CO2TALLY_POWERMETRICS", "powermetrics");
}

/* Measured sensors first; the two estimates last, so the set knows what the
 * measured ones cover before it decides on them. */
static const struct ct_sensor_ops *const table[] = {
    &ct_sensor_rapl, &ct_sensor_nvml, &ct_sensor_hwmon, &ct_sensor_powermetrics,
    &ct_sensor_procstat, &ct_sensor_meminfo,
};
_Static_assert(sizeof table / sizeof *table <= 8, "struct ct_sensor_set holds 8 sensors");

const struct ct_sensor_ops *const *ct_sensors(int *n)
{
    *n = (int)(sizeof table / sizeof *table);
    return table;
}

/* Keeps the first cap - 1 bytes of a longer message. */
static void copy_why(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void try_open(struct ct_sensor_set *set, int i, const struct ct_env *env)
{
    const struct ct_sensor_ops *ops = table[i];
    struct ct_sensor_device tmp[CT_SENSOR_MAX_DEVICES];
    void *state = NULL;
    ct_err e = {{0}};
    if (ops->version != CT_SENSOR_OPS_VERSION) {
        snprintf(set->why[i], sizeof set->why[i], "built for another sensor interface");
        return;
    }
    if (ops->open(env, &state, &e) < 0) {
        copy_why(set->why[i], sizeof set->why[i], e.msg);
        return;
    }
    int n = ops->devices(state, tmp, CT_SENSOR_MAX_DEVICES);
    if (n <= 0 || n > CT_SENSOR_MAX_DEVICES - set->ndev) {
        snprintf(set->why[i], sizeof set->why[i], n <= 0 ? "opened but found no device"
                 : "more devices than co2tally can hold (%d)", CT_SENSOR_MAX_DEVICES);
        ops->close(state);
        return;
    }
    memcpy(set->dev + set->ndev, tmp, sizeof *tmp * (size_t)n);
    set->s[set->ns].ops = ops;
    set->s[set->ns].state = state;
    set->s[set->ns].first = set->ndev;
    set->s[set->ns].ndev = n;
    set->ns++;
    set->ndev += n;
}

/* The open sensor with a measured device of one of the components, or NULL. */
static const char *measured_by(const struct ct_sensor_set *set, const char *c1, const char *c2)
{
    for (int k = 0; k < set->ns; k++)
        for (int d = set->s[k].first; d < set->s[k].first + set->s[k].ndev; d++)
            if (set->dev[d].method == CT_METHOD_MEASURED &&
                (strcmp(set->dev[d].component, c1) == 0 || strcmp(set->dev[d].component, c2) == 0))
                return set->s[k].ops->name;
    return NULL;
}

static void open_fallback(struct ct_sensor_set *set, int i, const struct ct_env *env)
{
    int cpu = table[i] == &ct_sensor_procstat;
    const char *by = cpu ? measured_by(set, "cpu", "system") : measured_by(set, "dram", "system");
    if (!by) {
        try_open(set, i, env);
        return;
    }
    set->unneeded[i] = 1;
    snprintf(set->why[i], sizeof set->why[i], "not used: %s measures the %s", by,
             cpu ? "CPU" : "memory");
}

static int is_fallback(const struct ct_sensor_ops *ops)
{
    return ops == &ct_sensor_procstat || ops == &ct_sensor_meminfo;
}

int ct_sensor_set_open(struct ct_sensor_set *set, const struct ct_env *env, ct_err *e)
{
    int n = (int)(sizeof table / sizeof *table);
    memset(set, 0, sizeof *set);
    for (int i = 0; i < n; i++)
        if (!is_fallback(table[i]))
            try_open(set, i, env);
    for (int i = 0; i < n; i++)
        if (is_fallback(table[i]))
            open_fallback(set, i, env);
    if (set->ns > 0)
        return 0;
    return ct_errf(e, "no sensor works here (see co2tally doctor): %s: %s; %s: %s",
                   table[0]->name, set->why[0], table[n - 2]->name, set->why[n - 2]);
}

int ct_sensor_set_read(struct ct_sensor_set *set, double now, ct_err *e)
{
    int rc = 0;
    for (int k = 0; k < set->ns; k++) {
        ct_err one;
        if (set->s[k].ops->read(set->s[k].state, now, set->val + set->s[k].first, &one) < 0 &&
            rc == 0)
            rc = ct_errf(e, "%s: %s", set->s[k].ops->name, one.msg);
    }
    return rc;
}

void ct_sensor_set_close(struct ct_sensor_set *set)
{
    for (int k = 0; k < set->ns; k++)
        set->s[k].ops->close(set->s[k].state);
    set->ns = 0;
    set->ndev = 0;
}
