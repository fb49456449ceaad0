#ifndef CT_TEAM_KEYS_H
#define CT_TEAM_KEYS_H
/* Private to the team-file loader: one key at a time, then the whole file. */
#include "config/team.h"

int ct_team_key(struct ct_team *t, const char *key, const char *value, ct_err *e);
int ct_platform_key(struct ct_platform *p, const char *key, const char *value, ct_err *e);
/* Checks what only the whole file can tell (missing keys, method-specific rules).
 * Messages name the file and the platform's header line. */
int ct_team_validate(struct ct_team *t, ct_err *e);

/* team_machine.c: whole-machine models and kinds. */
struct ct_chip;
int ct_machine_chips(struct ct_platform *p, const char *value, ct_err *e);   /* chips = */
int ct_machine_storage(struct ct_platform *p, const char *value, ct_err *e); /* storage = */
/* A chip looked up with the vCPU figures of the platform's provider. */
int ct_machine_lookup(const struct ct_team *t, const char *chip, const struct ct_platform *p,
                      struct ct_chip *c, ct_err *e);
/* Looks up the parts, checks each has a utilisation, sets watts (the unit's
 * maximum) and utilisation (power-weighted) when not given. -1 with msg. */
int ct_machine_resolve(const struct ct_team *t, struct ct_platform *p, char *msg, size_t cap);
/* Sets kind, kind_inferred and kind_why from the other keys. */
void ct_infer_kind(const struct ct_team *t, struct ct_platform *p, int has_hpd);

#endif
