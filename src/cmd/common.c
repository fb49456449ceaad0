#include "cmd/common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/spool.h"
#include "ledger/open.h"

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

/* Run as root, a ledger (or a file beside it that SQLite or the spool opens)
 * that is a symbolic link owned by someone else is refused: another user could
 * have planted it to make root write where only root may. */
static int foreign_link(const char *cmd, const char *db)
{
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal", CT_SPOOL_SUFFIX};
    if (geteuid() != 0 || strstr(db, "://"))
        return CT_EXIT_OK;
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
        char p[4200];
        struct stat st;
        snprintf(p, sizeof p, "%s%s", db, sfx[i]);
        if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode) && st.st_uid != geteuid())
            return ct_fail(CT_EXIT_USER, cmd, "%s is a symbolic link owned by user %u, not by "
                           "root: refusing to follow it as root; pass --db with the real path",
                           p, (unsigned)st.st_uid);
    }
    return CT_EXIT_OK;
}

static void on_waiting(const char *path, double waited_s, double bound_s, void *ud)
{
    (void)waited_s;
    fprintf(stderr, "co2tally %s: %s is locked by another writer (an import, an agent's "
            "flush); waiting for it, up to %g s (CO2TALLY_BUSY_TIMEOUT_MS)\n",
            (const char *)ud, path, bound_s);
}

int ct_cmd_ledger_with(const char *cmd, const struct ct_global *g, int must_exist, int busy_ms,
                       struct ct_ledger_h *L)
{
    ct_err e;
    int is_url = strstr(g->db, "://") != NULL;
    if (foreign_link(cmd, g->db))
        return CT_EXIT_USER;
    if (must_exist && !is_url && access(g->db, F_OK) != 0)
        return ct_fail(CT_EXIT_USER, cmd, "no ledger at %s; run `co2tally estimate` or import "
                       "something first, or pass --db PATH", g->db);
    /* Commands that need an existing ledger only read it: read-only, they work
     * on a read-only file or mount too. */
    struct ct_ledger_open_opts o = {.read_only = must_exist, .busy_timeout_ms = busy_ms,
                                    .waiting = on_waiting, .ud = (void *)cmd};
    if (ct_ledger_open_with(g->db, &o, L, &e) < 0)
        return ct_fail(CT_EXIT_USER, cmd, "%s", e.msg);
    return CT_EXIT_OK;
}

int ct_cmd_ledger(const char *cmd, const struct ct_global *g, int must_exist,
                  struct ct_ledger_h *L)
{
    return ct_cmd_ledger_with(cmd, g, must_exist, 0, L);
}

void ct_cmd_spool_drain(const char *cmd, const struct ct_global *g, struct ct_ledger_h *L)
{
    char path[4200];
    if (ct_spool_path(g->db, path, sizeof path) < 0 || access(path, F_OK) != 0)
        return;
    ct_err e;
    int n = 0;
    if (ct_spool_drain(path, L, &n, &e) < 0)
        fprintf(stderr, "co2tally %s: what %s keeps is not in the ledger yet: %s "
                "(kept for the next try)\n", cmd, path, e.msg);
    else if (n > 0)
        fprintf(stderr, "co2tally %s: wrote %d earlier entr%s (a run, or energy an agent held) "
                "kept in %s into the ledger\n", cmd, n, n == 1 ? "y" : "ies", path);
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
