/* Dropping root once the counters are open: RAPL's energy_uj is readable by
 * root only (since the Platypus side channel, CVE-2020-8694), but the open file
 * descriptors keep working for the unprivileged user afterwards. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "agent/agent.h"

static int verify(uid_t uid, gid_t gid, ct_err *e)
{
    /* Order matters above (groups, gid, then uid); here each way back is tried. */
    if (setuid(0) == 0 || seteuid(0) == 0)
        return ct_errf(e, "could regain root after dropping privileges; refusing to go on");
    if (setgid(0) == 0 || setegid(0) == 0)
        return ct_errf(e, "could regain group root after dropping privileges; refusing to go on");
    uid_t r, ef, sv;
    gid_t gr, ge, gs;
    if (getresuid(&r, &ef, &sv) < 0 || getresgid(&gr, &ge, &gs) < 0)
        return ct_errf(e, "cannot read back the process ids: %s", strerror(errno));
    if (r != uid || ef != uid || sv != uid || gr != gid || ge != gid || gs != gid)
        return ct_errf(e, "privileges were not fully dropped (uid %d/%d/%d, gid %d/%d/%d)",
                       (int)r, (int)ef, (int)sv, (int)gr, (int)ge, (int)gs);
    gid_t groups[2];
    int n = getgroups(2, groups);
    if (n < 0 || n > 1 || (n == 1 && groups[0] != gid))
        return ct_errf(e, "supplementary groups were not dropped");
    return 0;
}

int ct_drop_privileges(const char *user, ct_err *e)
{
    if (geteuid() != 0)
        return ct_errf(e, "--user %s needs the agent started as root (it runs as uid %d)",
                       user, (int)geteuid());
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw)
        return ct_errf(e, "no user named '%s'%s%s", user, errno ? ": " : "",
                       errno ? strerror(errno) : "");
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (uid == 0)
        return ct_errf(e, "--user %s is root; name an unprivileged user", user);
    if (setgroups(1, &gid) < 0)
        return ct_errf(e, "setgroups: %s", strerror(errno));
    if (setgid(gid) < 0)
        return ct_errf(e, "setgid(%d): %s", (int)gid, strerror(errno));
    if (setuid(uid) < 0)
        return ct_errf(e, "setuid(%d): %s", (int)uid, strerror(errno));
    /* Nothing this process runs later can gain privileges through exec either. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return ct_errf(e, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
    return verify(uid, gid, e);
}
