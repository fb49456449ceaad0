#ifndef CT_CMD_H
#define CT_CMD_H
/* The command layer: one file per subcommand, each a `int cmd_NAME(argc, argv, g)`
 * listed in main.c's table. Only this layer prints to the user.
 *
 * Exit status: CT_EXIT_OK, CT_EXIT_USER (a user error, with a message that says
 * what to do), CT_EXIT_USAGE (bad usage). argv[0] is the command name; the
 * global options (--db, --config) have already been removed from argv. */

#define CT_EXIT_OK 0
#define CT_EXIT_USER 1
#define CT_EXIT_USAGE 2

struct ct_global {
    const char *db;      /* --db, default "./co2tally.db" */
    const char *config;  /* --config, default "./co2tally.ini" */
    int config_given;    /* 1 when --config was on the command line */
};

/* Prints "co2tally CMD: message" to stderr; returns code. */
int ct_fail(int code, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int cmd_factors(int argc, char **argv, const struct ct_global *g);
int cmd_estimate(int argc, char **argv, const struct ct_global *g);
int cmd_report(int argc, char **argv, const struct ct_global *g);
int cmd_ledger(int argc, char **argv, const struct ct_global *g);
int cmd_doctor(int argc, char **argv, const struct ct_global *g);
int cmd_import(int argc, char **argv, const struct ct_global *g);
int cmd_agent(int argc, char **argv, const struct ct_global *g);
int cmd_measure(int argc, char **argv, const struct ct_global *g);
int cmd_advise(int argc, char **argv, const struct ct_global *g);
int cmd_chips(int argc, char **argv, const struct ct_global *g);

#endif
