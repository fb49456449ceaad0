#ifndef CT_CMD_COMMON_H
#define CT_CMD_COMMON_H
/* What several commands share: loading the team file and opening the ledger,
 * with the messages a user sees when either fails. */
#include "cmd/cmd.h"
#include "config/team.h"
#include "ledger/ledger.h"

/* Returns CT_EXIT_OK or prints and returns CT_EXIT_USER. */
int ct_cmd_team(const char *cmd, const struct ct_global *g, struct ct_team *t);
/* must_exist: fail rather than create an empty SQLite ledger, and open it
 * read-only (the commands that need one only read it). Run as root, refuses a
 * --db that is a symbolic link owned by another user. A writer that finds the
 * ledger locked waits (see ledger/open.h) and says so on stderr. */
int ct_cmd_ledger(const char *cmd, const struct ct_global *g, int must_exist,
                  struct ct_ledger_h *L);
/* The same with a writer's wait of busy_ms (0: the default). */
int ct_cmd_ledger_with(const char *cmd, const struct ct_global *g, int must_exist, int busy_ms,
                       struct ct_ledger_h *L);
/* Writes the runs measure kept in the spool beside the ledger (see
 * agent/spool.h) into L, saying on stderr how many, or why not. */
void ct_cmd_spool_drain(const char *cmd, const struct ct_global *g, struct ct_ledger_h *L);
/* Writes text to path ("-" or NULL: stdout). */
int ct_cmd_write(const char *cmd, const char *path, const char *text, size_t n);

#endif
