#include "agent/proctree.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads up to cap-1 bytes of a small file; -1 with errno set when it cannot. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, cap - 1);
    int saved = errno;
    close(fd);
    errno = saved;
    if (n >= 0)
        buf[n] = '\0';
    return n;
}

int ct_proc_stat_parse(const char *line, struct ct_proc_stat *out)
{
    const char *close_paren = strrchr(line, ')');
    char *end;
    long pid = strtol(line, &end, 10);
    if (!close_paren || end == line || pid <= 0 || pid > INT32_MAX)
        return -1;
    /* After "comm)": state ppid pgrp session tty_nr tpgid flags minflt cminflt
     * majflt cmajflt utime stime cutime cstime (fields 3..17 of proc(5)). */
    char state;
    long long f[14];
    int n = sscanf(close_paren + 1, " %c %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld "
                   "%lld %lld %lld %lld", &state, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5],
                   &f[6], &f[7], &f[8], &f[9], &f[10], &f[11], &f[12], &f[13]);
    if (n != 15 || f[0] < 0 || f[0] > INT32_MAX)
        return -1;
    for (int i = 10; i < 14; i++)
        if (f[i] < 0)
            return -1;
    *out = (struct ct_proc_stat){.pid = (int)pid, .ppid = (int)f[0], .state = state,
                                 .utime = f[10], .stime = f[11], .cutime = f[12], .cstime = f[13]};
    return 0;
}

int ct_host_busy_ticks(const char *procfs, int64_t *ticks, ct_err *e)
{
    char path[300], buf[1024];
    snprintf(path, sizeof path, "%s/stat", procfs);
    if (read_small(path, buf, sizeof buf) < 0)
        return ct_errf(e, "cannot read %s: %s", path, strerror(errno));
    long long v[8] = {0};
    /* user nice system idle iowait irq softirq steal; older kernels stop early. */
    int n = sscanf(buf, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7]);
    if (n < 4)
        return ct_errf(e, "%s: no 'cpu' line at the top", path);
    *ticks = v[0] + v[1] + v[2] + v[5] + v[6];
    return 0;
}

int ct_proctree_init(struct ct_proctree *t, const char *procfs, int root, ct_err *e)
{
    memset(t, 0, sizeof *t);
    if (snprintf(t->procfs, sizeof t->procfs, "%s", procfs) >= (int)sizeof t->procfs)
        return ct_errf(e, "procfs root too long: %s", procfs);
    t->root = root;
    return 0;
}

void ct_proctree_free(struct ct_proctree *t)
{
    free(t->all);
    free(t->up);
    free(t->mark);
    free(t->members);
    memset(t, 0, sizeof *t);
}

static int grow(struct ct_proctree *t, ct_err *e)
{
    int cap = t->cap ? t->cap * 2 : 512;
    struct ct_proc_stat *all = realloc(t->all, (size_t)cap * sizeof *all);
    if (all)
        t->all = all;
    int *up = realloc(t->up, (size_t)cap * sizeof *up);
    if (up)
        t->up = up;
    signed char *mark = realloc(t->mark, (size_t)cap);
    if (mark)
        t->mark = mark;
    int *mem = realloc(t->members, (size_t)cap * sizeof *mem);
    if (mem)
        t->members = mem;
    if (!all || !up || !mark || !mem)
        return ct_errf(e, "out of memory scanning processes");
    t->cap = cap;
    return 0;
}

/* Reads every $PROCFS/PID/stat into all[]; returns how many, or -1. */
static int read_all(struct ct_proctree *t, ct_err *e)
{
    DIR *d = opendir(t->procfs);
    if (!d)
        return ct_errf(e, "cannot list %s: %s", t->procfs, strerror(errno));
    int n = 0;
    struct dirent *de;
    char path[600], buf[1024];
    while ((de = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        snprintf(path, sizeof path, "%s/%s/stat", t->procfs, de->d_name);
        /* A process may exit between readdir and open: skip it. */
        if (read_small(path, buf, sizeof buf) <= 0)
            continue;
        if (n == t->cap && grow(t, e) < 0) {
            closedir(d);
            return -1;
        }
        if (ct_proc_stat_parse(buf, &t->all[n]) == 0)
            n++;
    }
    closedir(d);
    return n;
}

static int by_pid(const void *a, const void *b)
{
    int x = ((const struct ct_proc_stat *)a)->pid, y = ((const struct ct_proc_stat *)b)->pid;
    return (x > y) - (x < y);
}

static int find(const struct ct_proc_stat *all, int n, int pid)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (all[mid].pid == pid)
            return mid;
        if (all[mid].pid < pid)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* Whether process i descends from the root: walks up its ppid chain to a process
 * already decided, the root, or the top, then marks the path it walked. The step
 * limit guards against a cycle in a hand-made fixture. */
static void decide(struct ct_proctree *t, int n, int i)
{
    signed char v = -1;
    int j = i;
    for (int steps = 0; steps <= n; steps++, j = t->up[j]) {
        if (t->mark[j] || t->all[j].pid == t->root || t->up[j] < 0) {
            v = t->mark[j] ? t->mark[j] : t->all[j].pid == t->root ? 1 : -1;
            break;
        }
    }
    for (j = i; !t->mark[j]; j = t->up[j]) {
        int is_root = t->all[j].pid == t->root;
        t->mark[j] = is_root ? 1 : v;
        if (is_root || t->up[j] < 0)
            break;
    }
}

int ct_proctree_scan(struct ct_proctree *t, ct_err *e)
{
    int n = read_all(t, e);
    if (n < 0)
        return -1;
    qsort(t->all, (size_t)n, sizeof *t->all, by_pid);
    if (find(t->all, n, t->root) < 0)
        return 0; /* reaped: the caller takes the rest from wait4's rusage */
    for (int i = 0; i < n; i++) {
        t->up[i] = t->all[i].pid == t->all[i].ppid ? -1 : find(t->all, n, t->all[i].ppid);
        t->mark[i] = 0;
    }
    int64_t sum = 0;
    t->nmembers = 0;
    for (int i = 0; i < n; i++) {
        decide(t, n, i);
        if (t->mark[i] == 1) {
            const struct ct_proc_stat *p = &t->all[i];
            sum += p->utime + p->stime + p->cutime + p->cstime;
            t->members[t->nmembers++] = p->pid; /* all[] is sorted, so members are too */
        }
    }
    ct_proctree_raise(t, sum);
    return 0;
}

void ct_proctree_raise(struct ct_proctree *t, int64_t v)
{
    if (v > t->ticks)
        t->ticks = v;
}

int ct_proctree_has(const struct ct_proctree *t, int pid)
{
    int lo = 0, hi = t->nmembers - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (t->members[mid] == pid)
            return 1;
        if (t->members[mid] < pid)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}
