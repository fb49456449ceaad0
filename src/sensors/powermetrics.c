/* Apple Silicon (and Intel Macs) through powermetrics: the tool runs as a child
 * and a reader thread feeds its stdout to the powermetrics log parser
 * (src/formats/powermetrics.c), adding each reading's joules to its device. The
 * parser decides what is counted (the package or "Combined Power") and what is
 * detail (CPU, GPU, ANE inside it); the devices are those of the first sample.
 *
 * powermetrics runs only on macOS and only as root; CO2TALLY_POWERMETRICS may
 * name a stand-in (the tests replay a recorded log). The child gets its own
 * process group, so close() also ends whatever a stand-in script started. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "formats/formats_int.h"
#include "sensors/backends.h"

#define PM_MAX 8
/* The first sample: powermetrics starts, the parser sniffs its first 16 KB (a few
 * samples of text) and emits a sample when the next one begins. */
#define PM_WAIT_S 20

struct pm {
    pid_t child;
    int fd;
    struct ct_input *in;
    pthread_t th;
    int have_thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int fixed, ended, ndev;     /* fixed: the device list is final */
    double first_t1;
    long skipped;
    struct ct_sensor_device dev[PM_MAX];
    double joules[PM_MAX];
    ct_err err;                 /* why the parser stopped, when it did on an error */
};

static int find_dev(const struct pm *p, const char *id)
{
    for (int i = 0; i < p->ndev; i++)
        if (strcmp(p->dev[i].id, id) == 0)
            return i;
    return -1;
}

static void add_dev(struct pm *p, const struct ct_reading *r)
{
    struct ct_sensor_device *d = &p->dev[p->ndev++];
    snprintf(d->id, sizeof d->id, "%s", r->device);
    snprintf(d->component, sizeof d->component, "%s", r->component);
    snprintf(d->model, sizeof d->model, "%s", r->model ? r->model : "");
    d->method = CT_METHOD_MEASURED;
    d->detail = r->detail;
}

/* The parser's sink, on the reader thread. */
static int on_reading(void *ud, const struct ct_reading *r, ct_err *e)
{
    struct pm *p = ud;
    (void)e;
    pthread_mutex_lock(&p->mu);
    if (!p->fixed && p->ndev > 0 && r->t1 != p->first_t1) {
        p->fixed = 1; /* the second sample began: the first one named every device */
        pthread_cond_broadcast(&p->cv);
    }
    if (!p->fixed && p->ndev == 0)
        p->first_t1 = r->t1;
    int i = find_dev(p, r->device);
    if (i < 0 && !p->fixed && p->ndev < PM_MAX) {
        add_dev(p, r);
        i = p->ndev - 1;
    }
    if (i >= 0)
        p->joules[i] += r->joules;
    pthread_mutex_unlock(&p->mu);
    return 0;
}

static void *reader(void *arg)
{
    struct pm *p = arg;
    ct_err err = {{0}};
    long skipped = 0;
    struct ct_reading_sink sink = {.emit = on_reading, .ud = p};
    /* dates come from the samples; start is a fallback for a sample without one */
    struct ct_parse_opts o = {.start = (double)time(NULL), .interval = NAN, .max_gap = 60,
                              .skip_bad = 1, .skipped = &skipped};
    int rc = ct_fmt_powermetrics.parse(p->in, &o, &sink, &err);
    pthread_mutex_lock(&p->mu);
    p->skipped = skipped;
    if (rc < 0)
        p->err = err;
    p->ended = p->fixed = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Only async-signal-safe calls between fork and exec: the agent may have threads. */
static int spawn(struct pm *p, const char *exe, ct_err *e)
{
    char *const argv[] = {(char *)exe, "-i", "1000", "--samplers", "cpu_power,gpu_power", NULL};
    int fds[2];
    int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (nul < 0 || pipe(fds) < 0) {
        if (nul >= 0)
            close(nul);
        return ct_errf(e, "cannot start %s: %s", exe, strerror(errno));
    }
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    p->child = fork();
    if (p->child == 0) {
        setpgid(0, 0);
        dup2(nul, 0);
        dup2(fds[1], 1);
        dup2(nul, 2);
        execvp(exe, argv);
        _exit(127);
    }
    int err = errno;
    close(nul);
    close(fds[1]);
    if (p->child < 0) {
        close(fds[0]);
        return ct_errf(e, "cannot start %s: %s", exe, strerror(err));
    }
    setpgid(p->child, p->child); /* also here: whichever runs first */
    p->fd = fds[0];
    return 0;
}

/* Ends the child (and its group), the reader and everything else. */
static void pm_close(void *state)
{
    struct pm *p = state;
    if (!p)
        return;
    if (p->child > 0) {
        kill(-p->child, SIGTERM);
        kill(p->child, SIGTERM);
    }
    if (p->have_thread)
        pthread_join(p->th, NULL);
    if (p->child > 0)
        while (waitpid(p->child, NULL, 0) < 0 && errno == EINTR)
            ;
    ct_input_close(p->in);
    if (p->fd >= 0)
        close(p->fd);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

static int check_exe(const char *exe, ct_err *e)
{
#ifndef __APPLE__
    if (!strchr(exe, '/'))
        return ct_errf(e, "not macOS: %s is Apple's power tool (set CO2TALLY_POWERMETRICS to "
                       "a program that prints its output to use a stand-in)", exe);
#endif
    if (strchr(exe, '/') && access(exe, X_OK) != 0)
        return ct_errf(e, "cannot run %s: %s", exe, strerror(errno));
    return 0;
}

/* Waits for the first sample; 0 once the devices are known. */
static int wait_first(struct pm *p, const char *exe, ct_err *e)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += PM_WAIT_S;
    pthread_mutex_lock(&p->mu);
    int rc = 0;
    while (!p->fixed && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&p->cv, &p->mu, &until);
    int n = p->ndev, fixed = p->fixed;
    ct_err err = p->err;
    pthread_mutex_unlock(&p->mu);
    if (n > 0 && fixed)
        return 0;
    if (!fixed)
        return ct_errf(e, "%s gave no sample within %d s", exe, PM_WAIT_S);
    return ct_errf(e, "%s ended without a sample%s%.300s%s; powermetrics must run as root "
                   "(sudo)", exe, err.msg[0] ? " (" : "", err.msg, err.msg[0] ? ")" : "");
}

static int pm_open(const struct ct_env *env, void **state, ct_err *e)
{
    const char *exe = env->powermetrics;
    if (check_exe(exe, e) < 0)
        return -1;
    struct pm *p = calloc(1, sizeof *p);
    if (!p)
        return ct_errf(e, "out of memory");
    p->fd = -1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    int rc = spawn(p, exe, e);
    if (rc == 0)
        rc = ct_input_fdopen(p->fd, "powermetrics", &p->in, e);
    if (rc == 0 && pthread_create(&p->th, NULL, reader, p) != 0)
        rc = ct_errf(e, "cannot start a thread to read %s", exe);
    p->have_thread = rc == 0;
    if (rc == 0)
        rc = wait_first(p, exe, e);
    if (rc < 0) {
        pm_close(p);
        return -1;
    }
    *state = p;
    return 0;
}

static int pm_devices(void *state, struct ct_sensor_device *out, int cap)
{
    struct pm *p = state;
    int n = p->ndev < cap ? p->ndev : cap; /* final since open() */
    for (int i = 0; i < n; i++)
        out[i] = p->dev[i];
    return n;
}

/* A copy under the lock; nothing allocated. Once powermetrics has ended every
 * device is lost. */
static int pm_read(void *state, double now, struct ct_sensor_value *vals, ct_err *e)
{
    struct pm *p = state;
    (void)now;
    (void)e;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->ndev; i++) {
        vals[i].joules = p->joules[i];
        vals[i].util = NAN;
        vals[i].lost = p->ended;
    }
    pthread_mutex_unlock(&p->mu);
    return 0;
}

static void pm_note(void *state, char *buf, size_t cap)
{
    struct pm *p = state;
    pthread_mutex_lock(&p->mu);
    int ended = p->ended;
    pthread_mutex_unlock(&p->mu);
    snprintf(buf, cap, "powermetrics -i 1000 --samplers cpu_power,gpu_power, read as it "
             "runs%s", ended ? "; it has ended" : "");
}

const struct ct_sensor_ops ct_sensor_powermetrics = {
    .version = CT_SENSOR_OPS_VERSION,
    .name = "powermetrics",
    .reads = "Apple Silicon CPU, GPU and ANE power from powermetrics (macOS, as root)",
    .open = pm_open,
    .devices = pm_devices,
    .read = pm_read,
    .pids = NULL,
    .close = pm_close,
    .note = pm_note,
};
