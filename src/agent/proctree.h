#ifndef CT_PROCTREE_H
#define CT_PROCTREE_H
/* The CPU time of a process tree (a measured command and its descendants), and
 * the host's busy CPU time, both read from a procfs root so tests can use a
 * fixture tree.
 *
 * A tree's time is the sum, over its live members, of utime + stime + cutime +
 * cstime from $PROCFS/PID/stat. The kernel adds a reaped child's own and
 * children's times to its parent's cutime/cstime, so a process that has exited
 * and been waited for by a member is counted exactly once, in its reaper. One
 * that was reparented away from the tree (a daemon) is lost from view, so the
 * running total is kept monotone: it never goes down. */
#include <stdint.h>

#include "core/err.h"

/* One line of $PROCFS/PID/stat, times in clock ticks. */
struct ct_proc_stat {
    int pid, ppid;
    char state;
    int64_t utime, stime, cutime, cstime;
};
/* Parses a stat line ("PID (comm) S PPID ... utime stime cutime cstime ...").
 * comm may hold spaces and parentheses: the last ')' ends it. 0 or -1. */
int ct_proc_stat_parse(const char *line, struct ct_proc_stat *out);

/* The host's busy time from the "cpu" line of $PROCFS/stat, in clock ticks:
 * user + nice + system + irq + softirq. Idle and iowait are not busy; steal is
 * time a hypervisor gave to another guest, in no process's utime or stime; guest
 * time is already inside user. */
int ct_host_busy_ticks(const char *procfs, int64_t *ticks, ct_err *e);

struct ct_proctree {
    char procfs[256];
    int root;              /* the tree's first process */
    int64_t ticks;         /* the tree's busy time so far, never decreasing */
    int *members;          /* pids in the tree at the last scan, sorted */
    int nmembers;
    /* scratch for a scan of every process, grown as needed */
    struct ct_proc_stat *all;
    int *up;               /* index of each process's parent in all[], or -1 */
    signed char *mark;     /* 0 unknown, 1 in the tree, -1 not */
    int cap;
};

/* Allocates the scratch space (measure may allocate; the agent does not use this). */
int ct_proctree_init(struct ct_proctree *t, const char *procfs, int root, ct_err *e);
/* Scans procfs: finds root's descendants through their ppid chains and updates
 * ticks and members. A root that has vanished leaves ticks as they were. */
int ct_proctree_scan(struct ct_proctree *t, ct_err *e);
/* Raises ticks to at least v (e.g. from wait4's rusage once the root is reaped). */
void ct_proctree_raise(struct ct_proctree *t, int64_t v);
/* 1 when pid was in the tree at the last scan. */
int ct_proctree_has(const struct ct_proctree *t, int pid);
void ct_proctree_free(struct ct_proctree *t);

#endif
