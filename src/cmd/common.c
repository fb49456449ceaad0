#include "cmd/common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int ct_cmd_team(const char *cmd, const struct ct_global *g, struct ct_team *t)
{
    ct_err e;
    if (!g->config_given && access(g->config, F_OK) != 0)
        return ct_fail(CT_EXIT_USER, cmd, "no team file at %s; write one (see examples/team.ini) "
                       "or pass --config FILE", g->config);
    if (ct_team_load(g->config, t, &e) < 0)
        return ct_fail(CT_EXIT_USER, cmd, "%s", e.msg);
    return CT_EXIT_OK;
}

int ct_cmd_ledger(const char *cmd, const struct ct_global *g, int must_exist,
                  struct ct_ledger_h *L)
{
    ct_err e;
    int is_url = strstr(g->db, "://") != NULL;
    if (must_exist && !is_url && access(g->db, F_OK) != 0)
        return ct_fail(CT_EXIT_USER, cmd, "no ledger at %s; run `co2tally estimate` or import "
                       "something first, or pass --db PATH", g->db);
    if (ct_ledger_open(g->db, L, &e) < 0)
        return ct_fail(CT_EXIT_USER, cmd, "%s", e.msg);
    return CT_EXIT_OK;
}

int ct_cmd_write(const char *cmd, const char *path, const char *text, size_t n)
{
    if (!path || strcmp(path, "-") == 0) {
        fwrite(text, 1, n, stdout);
        return fflush(stdout) == 0 ? CT_EXIT_OK : CT_EXIT_USER;
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return ct_fail(CT_EXIT_USER, cmd, "cannot write %s: %s", path, strerror(errno));
    int bad = fwrite(text, 1, n, f) != n;
    bad |= fclose(f) != 0;
    if (bad)
        return ct_fail(CT_EXIT_USER, cmd, "writing %s failed: %s", path, strerror(errno));
    return CT_EXIT_OK;
}
