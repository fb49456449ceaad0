/* co2tally measure: one command's energy and kgCO2e, recorded as a run. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/measure.h"
#include "agent/spool.h"
#include "cmd/common.h"
#include "core/buf.h"
#include "core/strutil.h"
#include "core/timeutil.h"

static const char usage[] =
    "usage: co2tally measure [--json] [--interval S] [-o FILE] [--] COMMAND [ARGS...]\n\n"
    "Runs COMMAND, samples this host's sensors every S seconds while it runs (default\n"
    "0.2; also right before it starts and right after it ends), and prints its\n"
    "duration, its energy by component and its kgCO2e. The CPU's energy (and DRAM's\n"
    "and the platform's) is shared by the command's process tree's part of the host's\n"
    "busy CPU time; a GPU's by the tree's part of the processes the GPU lists, or\n"
    "whole where the GPU cannot list them. kgCO2e: the grid factor of this year at\n"
    "the location of the team platform listing this host, else the team's country,\n"
    "else the world average (WORLD), times the platform's PUE (else 1.0).\n"
    "The run and its energy go into the ledger; when it cannot take them (locked\n"
    "past the wait, full, read-only) they are kept in DB.spool beside it, which the\n"
    "next measure or agent that can write the ledger adds to it, and the exit status\n"
    "is still the command's. Exit status: the command's (128 +\n"
    "N when signal N killed it; 127 when it cannot be found). SIGINT, SIGTERM,\n"
    "SIGHUP and SIGQUIT are passed on to it. The report goes to stdout, which the\n"
    "command shares: -o FILE keeps them apart.\n";

struct args {
    int json;
    double interval;
    const char *out;
    char **cmd;
};

static int parse_args(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'}, {"interval", required_argument, 0, 'i'},
        {"output", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    /* "+": stop at the command, whose own options are not ours. */
    while ((c = getopt_long(argc, argv, "+ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'j': a->json = 1; break;
        case 'o': a->out = optarg; break;
        case 'i':
            if (ct_parse_double(optarg, &a->interval) < 0 || a->interval < 0.01 || a->interval > 3600)
                return ct_fail(CT_EXIT_USAGE, "measure", "--interval '%s': give seconds from "
                               "0.01 to 3600", optarg);
            break;
        case 'h': fputs(usage, stdout); return -1;
        default: fputs(usage, stderr); return CT_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return ct_fail(CT_EXIT_USAGE, "measure", "no command; e.g. co2tally measure -- python "
                       "train.py");
    a->cmd = argv + optind;
    return 0;
}

static void join(char *const *argv, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; argv[i] && n + 1 < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? " " : "", argv[i]);
}

static double ratio(double a, double b) { return b > 0 ? a / b : NAN; }

static void json_comp(ct_buf *b, const char *key, const struct ct_measurement *m, int host)
{
    ct_buf_printf(b, ", \"%s\": {", key);
    for (int c = 0; c < CT_NCOMP; c++) {
        if (c > CT_COMP_GPU && !m->comp_ndev[c])
            continue; /* cpu, dram and gpu are always there; system and other when present */
        ct_buf_printf(b, "%s\"%s\": ", c ? ", " : "", ct_comp_names[c]);
        ct_buf_json_num(b, host ? m->comp_host_j[c] : m->comp_j[c]);
    }
    ct_buf_puts(b, ", \"total\": ");
    ct_buf_json_num(b, host ? m->host_total_j : m->total_j);
    ct_buf_puts(b, "}");
}

static void json_by_comp(ct_buf *b, const char *key, const struct ct_measurement *m, int share)
{
    ct_buf_printf(b, ", \"%s\": {", key);
    for (int c = 0, first = 1; c < CT_NCOMP; c++) {
        if (c > CT_COMP_GPU && !m->comp_ndev[c])
            continue;
        ct_buf_printf(b, "%s\"%s\": ", first ? "" : ", ", ct_comp_names[c]);
        first = 0;
        if (share)
            ct_buf_json_num(b, ratio(m->comp_j[c], m->comp_host_j[c]));
        else if (m->comp_method[c])
            ct_buf_json_str(b, m->comp_method[c]);
        else
            ct_buf_puts(b, "null");
    }
    ct_buf_puts(b, "}");
}

static void render_json(ct_buf *b, const struct ct_measurement *m, const char *cmd,
                        const struct ct_measure_co2 *co2)
{
    ct_buf_puts(b, "{\"command\": ");
    ct_buf_json_str(b, cmd);
    ct_buf_puts(b, ", \"host\": ");
    ct_buf_json_str(b, m->host);
    ct_buf_printf(b, ", \"exit_status\": %d, \"duration_s\": ", m->exit_status);
    ct_buf_json_num(b, m->duration_s);
    ct_buf_puts(b, ", \"cpu_time_s\": ");
    ct_buf_json_num(b, m->tree_cpu_s);
    ct_buf_puts(b, ", \"host_busy_s\": ");
    ct_buf_json_num(b, m->host_busy_s);
    json_comp(b, "energy_j", m, 0);
    json_comp(b, "host_energy_j", m, 1);
    json_by_comp(b, "share", m, 1);
    json_by_comp(b, "method", m, 0);
    ct_buf_puts(b, ", \"kgco2e\": ");
    ct_buf_json_num(b, co2->kgco2e);
    ct_buf_puts(b, ", \"location\": ");
    ct_buf_json_str(b, co2->f.code);
    ct_buf_puts(b, ", \"factor_kg_per_kwh\": ");
    ct_buf_json_num(b, co2->f.kg_per_kwh);
    ct_buf_printf(b, ", \"factor_year\": %d, \"factor_source\": ", co2->f.year);
    ct_buf_json_str(b, co2->f.source ? co2->f.source : "");
    ct_buf_puts(b, ", \"pue\": ");
    ct_buf_json_num(b, co2->pue);
    ct_buf_puts(b, ", \"note\": ");
    ct_buf_json_str(b, co2->note);
    ct_buf_puts(b, "}\n");
}

static void render_text(ct_buf *b, const struct ct_measurement *m, const char *cmd,
                        const struct ct_measure_co2 *co2)
{
    ct_buf_printf(b, "co2tally measure: %s\n  exit %d after %.3f s on %s; CPU time %.2f s of "
                  "%.2f s busy on the host\n", cmd, m->exit_status, m->duration_s, m->host,
                  m->tree_cpu_s, m->host_busy_s);
    ct_buf_printf(b, "  %-9s %12s %12s %7s  %s\n", "component", "energy (J)", "host (J)",
                  "share", "method");
    for (int c = 0; c < CT_NCOMP; c++)
        if (m->comp_ndev[c])
            ct_buf_printf(b, "  %-9s %12.4g %12.4g %6.1f%%  %s%s\n", ct_comp_names[c],
                          m->comp_j[c], m->comp_host_j[c],
                          100 * (m->comp_host_j[c] > 0 ? m->comp_j[c] / m->comp_host_j[c] : 0),
                          m->comp_method[c], m->comp_is_detail[c] ? " (detail)" : "");
    ct_buf_printf(b, "  %-9s %12.4g %12.4g\n", "total", m->total_j, m->host_total_j);
    ct_buf_printf(b, "  %.4g kgCO2e at %s %d (%.4g kgCO2e/kWh), PUE %.2f\n", co2->kgco2e,
                  co2->f.code, co2->f.year, co2->f.kg_per_kwh, co2->pue);
    if (co2->note[0])
        ct_buf_printf(b, "  note: %s\n", co2->note);
}

static void on_lost(const struct ct_sensor_device *d, void *ud)
{
    (void)ud;
    fprintf(stderr, "co2tally measure: %s stopped answering; the other devices go on\n", d->id);
}

struct ledger_ctx {
    const struct ct_global *g;
    struct ct_ledger_h L;
    int open;
};

/* Opening the ledger takes a few ms: done while the command runs, not before. */
static void on_started(void *ud)
{
    struct ledger_ctx *c = ud;
    c->open = ct_cmd_ledger("measure", c->g, 0, &c->L) == CT_EXIT_OK;
}

/* Before the command starts: a ledger that cannot be written fails now, not after
 * a long job. (A URL is checked when it is opened.) */
static int ledger_writable(const char *db)
{
    char dir[1024];
    if (strstr(db, "://"))
        return CT_EXIT_OK;
    snprintf(dir, sizeof dir, "%s", db);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        slash[slash == dir] = '\0';
    if (access(dir, W_OK | X_OK) != 0 || (access(db, F_OK) == 0 && access(db, R_OK | W_OK) != 0))
        return ct_fail(CT_EXIT_USER, "measure", "cannot write the ledger %s: %s; pass --db PATH",
                       db, strerror(errno));
    return CT_EXIT_OK;
}

/* The team file is optional here: measure works on a machine without one. */
static int load_team(const struct ct_global *g, struct ct_team *t, int *have)
{
    *have = g->config_given || access(g->config, F_OK) == 0;
    return *have ? ct_cmd_team("measure", g, t) : CT_EXIT_OK;
}

static int report(const struct args *a, struct ct_measurement *m, const struct ct_team *t,
                  const char *cmd)
{
    struct ct_measure_co2 co2;
    ct_err e;
    if (ct_measure_co2(t, m->host, ct_year_of(ct_now()), m->total_j, &co2, &e) < 0) {
        ct_fail(CT_EXIT_USER, "measure", "no kgCO2e: %s", e.msg);
        co2.kgco2e = co2.f.kg_per_kwh = NAN;
    }
    ct_buf b = {0};
    if (a->json)
        render_json(&b, m, cmd, &co2);
    else
        render_text(&b, m, cmd, &co2);
    int rc = ct_cmd_write("measure", a->out, b.p ? b.p : "", b.len);
    ct_buf_free(&b);
    return rc;
}

/* The ledger could not take the run: it goes into the spool beside it, and the
 * exit status stays the command's. */
static void keep(struct ct_measurement *m, const struct ledger_ctx *c, const char *cmd,
                 const char *why)
{
    char spool[4200];
    ct_err e;
    if (ct_spool_path(c->g->db, spool, sizeof spool) < 0) {
        fprintf(stderr, "co2tally measure: not recorded: %s\n", why);
        return;
    }
    if (ct_measure_spool(m, spool, cmd, &e) < 0)
        fprintf(stderr, "co2tally measure: not recorded: %s; and it cannot be kept in %s "
                "either: %s\n", why, spool, e.msg);
    else
        fprintf(stderr, "co2tally measure: not recorded in %s yet (%s); kept in %s, which the "
                "next measure or agent that can write the ledger adds to it\n", c->g->db, why,
                spool);
}

/* After the command: the ledger (if it opened), then the report. */
static int finish(const struct args *a, struct ct_measurement *m, struct ledger_ctx *c,
                  const struct ct_team *t, const char *cmd)
{
    ct_err e;
    int rc = m->exit_status;
    if (!c->open)
        keep(m, c, cmd, "the ledger did not open (see above)");
    else if (ct_measure_record(m, &c->L, cmd, &e) < 0)
        keep(m, c, cmd, e.msg);
    else
        ct_cmd_spool_drain("measure", c->g, &c->L);
    if (report(a, m, t, cmd) != CT_EXIT_OK && rc == 0)
        rc = CT_EXIT_USER;
    return rc;
}

static int measure(const struct args *a, struct ct_sensor_set *set, const sigset_t *saved,
                   const struct ct_global *g, const struct ct_team *t)
{
    struct ct_env env;
    ct_env_from_environ(&env);
    char host[256] = "", cmd[1024];
    if (gethostname(host, sizeof host - 1) < 0 || !host[0])
        snprintf(host, sizeof host, "localhost");
    join(a->cmd, cmd, sizeof cmd);
    struct ct_measurement *m = calloc(1, sizeof *m);
    if (!m)
        return ct_fail(CT_EXIT_USER, "measure", "out of memory");
    ct_err e;
    struct ledger_ctx c = {.g = g};
    struct ct_measure_hooks h = {.lost = on_lost, .started = on_started, .ud = &c};
    int rc = ct_measure_run(m, set, env.procfs_root, host, a->interval, a->cmd, saved, &h, &e);
    if (rc < 0)
        rc = ct_fail(CT_EXIT_USER, "measure", "%s", e.msg);
    else if (m->exec_errno)
        rc = ct_fail(m->exit_status, "measure", "cannot run '%s': %s", a->cmd[0],
                     strerror(m->exec_errno));
    else
        rc = finish(a, m, &c, t, cmd);
    if (c.open)
        ct_ledger_close(&c.L);
    ct_measure_free(m);
    free(m);
    return rc;
}

int cmd_measure(int argc, char **argv, const struct ct_global *g)
{
    struct args a = {.interval = CT_MEASURE_INTERVAL};
    int rc = parse_args(argc, argv, &a), have_team;
    if (rc)
        return rc < 0 ? CT_EXIT_OK : rc;
    if (ledger_writable(g->db))
        return CT_EXIT_USER;
    struct ct_team t;
    if (load_team(g, &t, &have_team))
        return CT_EXIT_USER;
    struct ct_env env;
    ct_env_from_environ(&env);
    static struct ct_sensor_set set;
    ct_err e;
    sigset_t saved;
    ct_measure_block(&saved); /* before the sensors open: see ct_measure_block */
    if (ct_sensor_set_open(&set, &env, &e) < 0)
        rc = ct_fail(CT_EXIT_USER, "measure", "%s", e.msg);
    else
        rc = measure(&a, &set, &saved, g, have_team ? &t : NULL);
    ct_measure_unblock(&saved);
    ct_sensor_set_close(&set);
    if (have_team)
        ct_team_free(&t);
    return rc;
}
