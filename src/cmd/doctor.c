/* co2tally doctor: which sensors work on this host, what they read, and how to
 * fix the ones that do not. A diagnosis: exit 0 even when sensors are missing. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "ledger/ledger.h"
#include "sensors/sensor.h"

static const char usage[] =
    "usage: co2tally doctor [--json]\n\n"
    "Probes every sensor on this host and prints one line each: found (with its\n"
    "devices and models), missing (with why and how to fix it), or not used (an\n"
    "estimate left out because something measures the same part). A last line says\n"
    "what would be counted. Exit status 0 even when sensors are missing.\n\n"
    "Environment: CO2TALLY_SYSFS_ROOT (/sys), CO2TALLY_PROCFS_ROOT (/proc),\n"
    "CO2TALLY_NVML_LIBRARY (libnvidia-ml.so.1), CO2TALLY_POWERMETRICS (powermetrics).\n";

/* The slot of table sensor ops in the open set, or -1. */
static int open_slot(const struct ct_sensor_set *set, const struct ct_sensor_ops *ops)
{
    for (int k = 0; k < set->ns; k++)
        if (set->s[k].ops == ops)
            return k;
    return -1;
}

static const char *method_name(int m)
{
    return m == CT_METHOD_CALCULATED ? "calculated" : "measured";
}

static void text_device(ct_buf *b, const struct ct_sensor_device *d, int first)
{
    ct_buf_printf(b, "%s%s [%s", first ? "" : ", ", d->id, d->component);
    if (d->model[0])
        ct_buf_printf(b, ", %s", d->model);
    if (d->max_watts > 0)
        ct_buf_printf(b, ", max %.0f W", d->max_watts);
    if (d->method != CT_METHOD_MEASURED)
        ct_buf_printf(b, ", %s", method_name(d->method));
    ct_buf_puts(b, d->detail ? ", detail]" : "]");
}

static void text_sensor(ct_buf *b, const struct ct_sensor_set *set, int i,
                        const struct ct_sensor_ops *ops)
{
    int k = open_slot(set, ops);
    if (k < 0) {
        ct_buf_printf(b, "%s: %s: %s\n", ops->name, set->unneeded[i] ? "not used" : "missing",
                      set->unneeded[i] ? set->why[i] + strlen("not used: ") : set->why[i]);
        return;
    }
    ct_buf_printf(b, "%s: found: ", ops->name);
    for (int d = 0; d < set->s[k].ndev; d++)
        text_device(b, &set->dev[set->s[k].first + d], d == 0);
    char note[400] = "";
    if (ops->note)
        ops->note(set->s[k].state, note, sizeof note);
    ct_buf_printf(b, "%s%s\n", note[0] ? "; " : "", note);
}

/* "counting: package-0 package-1 dram-0 (rapl, measured); ..." */
static void text_summary(ct_buf *b, const struct ct_sensor_set *set)
{
    if (set->ns == 0) {
        ct_buf_puts(b, "counting: nothing; no sensor works here (see the fixes above)\n");
        return;
    }
    ct_buf_puts(b, "counting:");
    for (int k = 0; k < set->ns; k++) {
        int method = -1;
        ct_buf_puts(b, k ? ";" : "");
        for (int d = set->s[k].first; d < set->s[k].first + set->s[k].ndev; d++)
            if (!set->dev[d].detail) {
                ct_buf_printf(b, " %s", set->dev[d].id);
                method = set->dev[d].method;
            }
        ct_buf_printf(b, " (%s, %s)", set->s[k].ops->name, method_name(method));
    }
    ct_buf_puts(b, "\n");
}

static void json_device(ct_buf *b, const struct ct_sensor_device *d, int first)
{
    ct_buf_puts(b, first ? "{\"id\": " : ", {\"id\": ");
    ct_buf_json_str(b, d->id);
    ct_buf_puts(b, ", \"component\": ");
    ct_buf_json_str(b, d->component);
    ct_buf_puts(b, ", \"model\": ");
    ct_buf_json_str(b, d->model);
    ct_buf_printf(b, ", \"method\": \"%s\", \"detail\": %s, \"max_watts\": ",
                  method_name(d->method), d->detail ? "true" : "false");
    ct_buf_json_num(b, d->max_watts);
    ct_buf_puts(b, "}");
}

static void json_sensor(ct_buf *b, const struct ct_sensor_set *set, int i,
                        const struct ct_sensor_ops *ops)
{
    int k = open_slot(set, ops);
    char note[400] = "";
    ct_buf_puts(b, i ? ",\n  {\"name\": " : "\n  {\"name\": ");
    ct_buf_json_str(b, ops->name);
    ct_buf_puts(b, ", \"reads\": ");
    ct_buf_json_str(b, ops->reads);
    ct_buf_printf(b, ", \"status\": \"%s\", \"why\": ",
                  k >= 0 ? "found" : set->unneeded[i] ? "not used" : "missing");
    ct_buf_json_str(b, set->why[i]);
    if (k >= 0 && ops->note)
        ops->note(set->s[k].state, note, sizeof note);
    ct_buf_puts(b, ", \"note\": ");
    ct_buf_json_str(b, note);
    ct_buf_puts(b, ", \"devices\": [");
    for (int d = 0; k >= 0 && d < set->s[k].ndev; d++)
        json_device(b, &set->dev[set->s[k].first + d], d == 0);
    ct_buf_puts(b, "]}");
}

static void render(ct_buf *b, const struct ct_sensor_set *set, const struct ct_env *env, int json)
{
    int n;
    const struct ct_sensor_ops *const *ops = ct_sensors(&n);
    if (json) {
        ct_buf_puts(b, "{\"sysfs_root\": ");
        ct_buf_json_str(b, env->sysfs_root);
        ct_buf_puts(b, ", \"procfs_root\": ");
        ct_buf_json_str(b, env->procfs_root);
        ct_buf_puts(b, ", \"sensors\": [");
    }
    for (int i = 0; i < n; i++)
        (json ? json_sensor : text_sensor)(b, set, i, ops[i]);
    if (json)
        ct_buf_printf(b, "\n], \"usable\": %s}\n", set->ns > 0 ? "true" : "false");
    else
        text_summary(b, set);
}

int cmd_doctor(int argc, char **argv, const struct ct_global *g)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c, json = 0;
    (void)g;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'h')
            return fputs(usage, stdout), CT_EXIT_OK;
        else
            return fputs(usage, stderr), CT_EXIT_USAGE;
    }
    if (optind < argc)
        return ct_fail(CT_EXIT_USAGE, "doctor", "unexpected argument '%s'", argv[optind]);
    struct ct_env env;
    struct ct_sensor_set set;
    ct_err e;
    ct_env_from_environ(&env);
    ct_sensor_set_open(&set, &env, &e); /* nothing working is a finding, not a failure */
    ct_buf b = {0};
    render(&b, &set, &env, json);
    ct_sensor_set_close(&set);
    fwrite(b.p, 1, b.len, stdout);
    ct_buf_free(&b);
    return CT_EXIT_OK;
}
