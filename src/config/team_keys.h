#ifndef CT_TEAM_KEYS_H
#define CT_TEAM_KEYS_H
/* Private to the team-file loader: one key at a time, then the whole file. */
#include "config/team.h"

int ct_team_key(struct ct_team *t, const char *key, const char *value, ct_err *e);
int ct_platform_key(struct ct_platform *p, const char *key, const char *value, ct_err *e);
/* Checks what only the whole file can tell (missing keys, method-specific rules).
 * Messages name the file and the platform's header line. */
int ct_team_validate(struct ct_team *t, ct_err *e);

#endif
