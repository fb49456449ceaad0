/* measure: the child process, the wait, and the signals passed on to it. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/measure_int.h"

/* Starts argv with the caller's signal mask restored in the child. A close-on-exec
 * pipe tells the parent whether exec worked: it reads EOF when it did, else errno. */
static int start(struct ct_measurement *m, char *const argv[], const sigset_t *old, ct_err *e)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return ct_errf(e, "pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        return ct_errf(e, "fork: %s", strerror(err));
    }
    if (pid == 0) {
        close(fds[0]);
        pthread_sigmask(SIG_SETMASK, old, NULL);
        execvp(argv[0], argv);
        int err = errno;
        ssize_t w = write(fds[1], &err, sizeof err);
        (void)w;
        _exit(127);
    }
    close(fds[1]);
    int err = 0;
    ssize_t n;
    do
        n = read(fds[0], &err, sizeof err);
    while (n < 0 && errno == EINTR);
    close(fds[0]);
    m->pid = pid;
    m->tree.root = pid;
    if (n == (ssize_t)sizeof err) {
        m->exec_errno = err;
        m->exit_status = err == ENOENT ? 127 : 126; /* as a shell says it */
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    return 0;
}

static struct timespec span(double s)
{
    if (s < 0)
        s = 0;
    struct timespec ts = {.tv_sec = (time_t)s};
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    return ts;
}

static int64_t rusage_ticks(const struct rusage *ru, double clk_tck)
{
    double s = (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
               (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1e-6;
    return (int64_t)llround(s * clk_tck);
}

static const int measure_sigs[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define NSIGS ((int)(sizeof measure_sigs / sizeof *measure_sigs))

void ct_measure_block(sigset_t *saved) { ct_signals_block(measure_sigs, NSIGS, saved); }

void ct_measure_unblock(const sigset_t *saved)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < NSIGS; i++)
        sigaddset(&set, measure_sigs[i]);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&set, NULL, &zero) > 0)
        ;
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}

/* 1 once the child is reaped. Someone else reaping it (ECHILD) must not leave
 * measure waiting for ever: its status is then unknown, taken as 1. */
static int reaped(struct ct_measurement *m, int *status, struct rusage *ru)
{
    pid_t r = wait4(m->pid, status, WNOHANG, ru);
    if (r == m->pid)
        return 1;
    if (r < 0 && errno == ECHILD) {
        *status = 1 << 8;
        memset(ru, 0, sizeof *ru);
        return 1;
    }
    return 0;
}

/* Samples on the interval until the child is reaped; signals meant for measure
 * go on to the child. sigtimedwait on blocked signals has no race between "the
 * child exited" and "go to sleep"; the check at every tick is a second line, so
 * a SIGCHLD taken by some library's thread costs one interval, not a hang. */
static int wait_child(struct ct_measurement *m, double interval, const struct ct_measure_hooks *h,
                      ct_err *e)
{
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < NSIGS; i++)
        sigaddset(&set, measure_sigs[i]);
    double start = m->smp.m_now;
    long k = 1;
    int status = 0;
    struct rusage ru;
    for (;;) {
        double now = ct_clock_mono(), at = start + (double)k * interval;
        if (now >= at) {
            if (reaped(m, &status, &ru))
                break;
            if (ct_measure_step(m, 0, h, e) < 0)
                return -1;
            k = (long)floor((ct_clock_mono() - start) / interval) + 1;
            continue;
        }
        struct timespec ts = span(at - now);
        siginfo_t si;
        int sig = sigtimedwait(&set, &si, &ts);
        if (sig < 0)
            continue; /* timed out (or interrupted): the top of the loop samples */
        if (sig == SIGCHLD) {
            if (reaped(m, &status, &ru))
                break;
            continue;
        }
        /* The terminal sends ^C to the whole foreground group, the child included;
         * only a signal sent to measure itself is passed on. */
        if (si.si_code != SI_KERNEL)
            kill(m->pid, sig);
    }
    m->exit_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    ct_proctree_raise(&m->tree, rusage_ticks(&ru, m->clk_tck));
    return ct_measure_step(m, 1, h, e);
}

int ct_measure_run(struct ct_measurement *m, struct ct_sensor_set *set, const char *procfs,
                   const char *host, double interval, char *const argv[],
                   const sigset_t *saved, const struct ct_measure_hooks *h, ct_err *e)
{
    if (!argv[0])
        return ct_errf(e, "no command to measure");
    if (ct_measure_setup(m, set, procfs, host, e) < 0)
        return -1;
    int rc = start(m, argv, saved, e);
    if (rc == 0 && !m->exec_errno) {
        if (h && h->started)
            h->started(h->ud);
        rc = wait_child(m, interval, h, e);
    }
    m->t1 = m->smp.t_now;
    m->duration_s = m->smp.m_now - m->m0;
    ct_measure_finish(m);
    return rc;
}
