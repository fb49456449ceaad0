#ifndef CT_CMD_LEDGER_INT_H
#define CT_CMD_LEDGER_INT_H
/* The `ledger` command's housekeeping subcommands (ledger_sources.c); argv[0]
 * is the subcommand's name. */
#include "cmd/cmd.h"
#include "cmd/document.h"

int ct_ledger_cmd_sources(int argc, char **argv, const struct ct_global *g);
int ct_ledger_cmd_forget(int argc, char **argv, const struct ct_global *g);
int ct_ledger_cmd_runs(int argc, char **argv, const struct ct_global *g);

#endif
