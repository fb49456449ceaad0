/* co2tally: the command table and the global options. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv, const struct ct_global *g);
    const char *summary;
};

static const struct command commands[] = {
    {"estimate", cmd_estimate, "write the calculated platforms' energy for the team year"},
    {"report", cmd_report, "emissions per platform, host, device, month or method"},
    {"factors", cmd_factors, "grid emission factors: value, year, source"},
    {"chips", cmd_chips, "the chips the power tables know: watts, idle watts, source"},
    {"ledger", cmd_ledger, "what the ledger holds"},
    {"doctor", cmd_doctor, "which sensors work here, and how to fix the ones that do not"},
    {"import", cmd_import, "read power logs (nvidia-smi, ...) into the ledger"},
    {"measure", cmd_measure, "run a command; its energy and kgCO2e, recorded as a run"},
    {"agent", cmd_agent, "sample this host's sensors into the ledger"},
    {"advise", cmd_advise, "findings and recommendations, ranked by impact and effort"},
};

int ct_fail(int code, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "co2tally%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: co2tally [--db PATH] [--config FILE] <command> [options]\n\n"
               "Carbon accounting for ML engineering teams: energy in, kgCO2e out.\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nglobal options:\n"
               "  --db PATH        the ledger (SQLite file; default ./co2tally.db)\n"
               "  --config FILE    the team file (default ./co2tally.ini)\n"
               "  --version        print the version\n"
               "  --help           this text; `co2tally COMMAND --help` for a command\n");
}

/* Takes --db and --config out of argv wherever they stand before a "--", so each
 * command sees only its own options. Returns the new argc, or -1 on a missing value. */
static int take_globals(int argc, char **argv, struct ct_global *g)
{
    int out = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        const char *name = NULL;
        if (strcmp(a, "--") == 0) {
            while (i < argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strncmp(a, "--db", 4) == 0 && (a[4] == '\0' || a[4] == '='))
            slot = &g->db, name = "--db";
        else if (strncmp(a, "--config", 8) == 0 && (a[8] == '\0' || a[8] == '='))
            slot = &g->config, name = "--config", g->config_given = 1;
        if (!slot) {
            argv[out++] = argv[i];
            continue;
        }
        const char *eq = strchr(a, '=');
        if (eq) {
            *slot = eq + 1;
        } else if (i + 1 < argc) {
            *slot = argv[++i];
        } else {
            ct_fail(CT_EXIT_USAGE, NULL, "%s needs a value", name);
            return -1;
        }
    }
    argv[out] = NULL;
    return out;
}

int main(int argc, char **argv)
{
    struct ct_global g = {.db = "co2tally.db", .config = "co2tally.ini"};
    argc = take_globals(argc - 1, argv + 1, &g);
    argv++;
    if (argc < 0)
        return CT_EXIT_USAGE;
    if (argc == 0) {
        usage(stderr);
        return CT_EXIT_USAGE;
    }
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "help") == 0) {
        usage(stdout);
        return CT_EXIT_OK;
    }
    if (strcmp(argv[0], "--version") == 0 || strcmp(argv[0], "version") == 0) {
        printf("co2tally %s\n", CT_VERSION);
        return CT_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(argv[0], commands[i].name) == 0)
            return commands[i].run(argc, argv, &g);
    ct_fail(CT_EXIT_USAGE, NULL, "'%s' is not a command; see 'co2tally --help'", argv[0]);
    return CT_EXIT_USAGE;
}
