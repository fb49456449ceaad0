/* co2tally agent: this host's sensors, sampled into the ledger until stopped. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/spool.h"
#include "core/sha256.h"
#include "cmd/common.h"
#include "ledger/open.h"
#include "core/strutil.h"

static const char usage[] =
    "usage: co2tally agent [--interval S] [--duration S] [--host NAME] [--user NAME]\n"
    "                      [--flush S]\n\n"
    "Samples this host's sensors (see `co2tally doctor`) every S seconds (default 1)\n"
    "on an absolute clock and writes their energy into the ledger's hourly buckets:\n"
    "one transaction every --flush seconds (default 5) and on SIGINT or SIGTERM, so\n"
    "a crash loses at most one flush interval. --duration stops after S seconds\n"
    "(default: until stopped). --host names the host in the ledger (default: its\n"
    "host name). Started as root, --user NAME opens every counter and then drops\n"
    "to that user. A GPU under 5% utilisation counts as idle. The roots the sensors\n"
    "read come from CO2TALLY_SYSFS_ROOT, CO2TALLY_PROCFS_ROOT, CO2TALLY_NVML_LIBRARY.\n\n"
    "While the ledger cannot be written (full, locked, read-only) the energy is kept\n"
    "in memory, one record per device and hour (when a day's worth for 64 devices is\n"
    "held, the oldest hours are folded into later ones), and written when it can be;\n"
    "stderr says once when writing stops and once when it resumes; what is still held\n"
    "when the agent stops goes into DB.spool beside the ledger, which the next agent or\n"
    "measure that can write it drains. One agent per host\n"
    "and ledger: a second is refused (an flock on DB.agent-HOST.lock beside it).\n";

struct args {
    struct ct_agent_opts o;
    const char *host, *user;
};

static volatile sig_atomic_t stop_flag;
static void on_stop(int sig) { (void)sig; stop_flag = 1; }

/* S: seconds, a positive number within [lo, hi]. */
static int seconds(const char *opt, const char *s, double lo, double hi, double *out)
{
    if (ct_parse_double(s, out) < 0 || *out < lo || *out > hi)
        return ct_fail(CT_EXIT_USAGE, "agent", "--%s '%s': give seconds from %g to %g", opt, s,
                       lo, hi);
    return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        {"interval", required_argument, 0, 'i'}, {"duration", required_argument, 0, 'd'},
        {"host", required_argument, 0, 'H'}, {"user", required_argument, 0, 'u'},
        {"flush", required_argument, 0, 'f'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c, rc = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'i': rc = seconds("interval", optarg, 0.01, 3600, &a->o.interval); break;
        case 'd': rc = seconds("duration", optarg, 0, 1e9, &a->o.duration); break;
        case 'f': rc = seconds("flush", optarg, 0.01, 3600, &a->o.flush); break;
        case 'H': a->host = optarg; break;
        case 'u': a->user = optarg; break;
        case 'h': fputs(usage, stdout); return -1;
        default: fputs(usage, stderr); return CT_EXIT_USAGE;
        }
    }
    if (rc == 0 && optind < argc)
        return ct_fail(CT_EXIT_USAGE, "agent", "unexpected argument '%s'", argv[optind]);
    if (rc == 0 && a->host && !a->host[0])
        return ct_fail(CT_EXIT_USAGE, "agent", "--host needs a name");
    return rc;
}

static void on_lost(const struct ct_sensor_device *d, void *ud)
{
    (void)ud;
    fprintf(stderr, "co2tally agent: %s%s%s%s stopped answering; its energy stops here and "
            "the other devices go on\n", d->id, d->model[0] ? " (" : "", d->model,
            d->model[0] ? ")" : "");
}

static void on_warn(const char *msg, void *ud)
{
    (void)ud;
    fprintf(stderr, "co2tally agent: %s (going on)\n", msg);
}

static void on_ledger(int writable, const char *msg, void *ud)
{
    (void)ud, (void)writable;
    fprintf(stderr, "co2tally agent: %s\n", msg);
}

/* One agent per host and ledger: two would count the host's energy twice.
 * The lock is an flock on a file beside the ledger, held until exit (the
 * kernel drops it however the agent ends); the file holds the holder's pid.
 * Returns the descriptor, or -1 after saying why. */
static int lock_host(const char *db, const char *host)
{
    char path[4400], safe[256];
    if (strstr(db, "://") || strcmp(db, ":memory:") == 0)
        return INT32_MAX; /* no file to lock beside: nothing to hold */
    size_t i = 0;
    for (; host[i] && i + 1 < sizeof safe; i++) {
        char c = host[i];
        safe[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-' ? c : '_';
    }
    safe[i] = '\0';
    snprintf(path, sizeof path, "%s.agent-%s.lock", db, safe);
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EACCES) /* made by another user (root before --user) */
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        ct_fail(CT_EXIT_USER, "agent", "cannot make the agent's lock %s: %s", path,
                strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        ct_fail(CT_EXIT_USER, "agent", "another co2tally agent%s%s%s is already recording host "
                "%s into %s (it holds %s); two would count this host's energy twice: stop it "
                "first, or pass --host or --db for another", pid[0] ? " (pid " : "", pid,
                pid[0] ? ")" : "", host, db, path);
        close(fd);
        return -1;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) != n) {
        /* Only the message of a second agent misses the pid. */
    }
    return fd;
}

static void install_handlers(void)
{
    /* No SA_RESTART: the sleep returns at once and the loop sees the flag. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void print_start(const struct ct_agent *a, const struct ct_sensor_set *set,
                        const struct args *x, const char *db)
{
    printf("co2tally agent: host %s, %d device%s every %g s, flush every %g s, into %s "
           "(source %lld%s)\n", a->host, set->ndev, set->ndev == 1 ? "" : "s", x->o.interval,
           x->o.flush, strstr(db, "://") ? "the remote ledger" : db, /* a URL may hold a password */
           (long long)a->source,
           !a->source ? ": not written yet, the ledger takes no writes now"
                      : a->source_existed ? ", reused" : "");
    for (int k = 0; k < set->ns; k++)
        for (int i = set->s[k].first; i < set->s[k].first + set->s[k].ndev; i++)
            printf("  %-24s %-7s %-10s %s%s\n", set->dev[i].id, set->dev[i].component,
                   ct_method_name(set->dev[i].method), set->s[k].ops->name,
                   set->dev[i].detail ? ", detail" : "");
    fflush(stdout);
}

/* Stopped while the ledger still cannot be written: what the agent holds goes
 * into the spool beside it (agent/spool.h), under a source of its own, which
 * the next agent or measure that can write the ledger adds to it. */
static void keep_held(const struct ct_agent *a, const char *db)
{
    char spool[4200], key[400], sha[65];
    ct_err e;
    double now = ct_clock_real();
    snprintf(key, sizeof key, "agent:%s:held:%.6f:%ld", a->host, now, (long)getpid());
    ct_sha256_hex(key, strlen(key), sha);
    struct ct_source_rec s = {.kind = "agent", .path = key, .sha256 = sha,
                              .imported_at = (int64_t)now};
    double j = ct_pending_joules(&a->pend);
    if (ct_spool_path(db, spool, sizeof spool) < 0 ||
        ct_spool_append(spool, &s, NULL, a->pend.r, a->pend.n, &e) < 0)
        fprintf(stderr, "co2tally agent: %.6g J in %d hourly records could not be written "
                "to the ledger nor kept in its spool\n", j, a->pend.n);
    else
        fprintf(stderr, "co2tally agent: %.6g J in %d hourly records kept in %s, which the next "
                "agent or measure that can write the ledger adds to it\n", j, a->pend.n, spool);
}

/* Runs with the sensors open (and root dropped where asked). */
static int run(const struct args *x, struct ct_sensor_set *set, const struct ct_global *g)
{
    static struct ct_agent a; /* large, and the loop must not allocate */
    char host[256] = "";
    if (x->host)
        snprintf(host, sizeof host, "%s", x->host);
    else if (gethostname(host, sizeof host - 1) < 0 || !host[0])
        return ct_fail(CT_EXIT_USER, "agent", "cannot tell this host's name; pass --host NAME");
    int lock = lock_host(g->db, host);
    if (lock < 0)
        return CT_EXIT_USER;
    /* A flush waits a second at most for another writer: the energy stays in
     * memory meanwhile, and sampling goes on. */
    int busy = ct_ledger_busy_timeout_ms() < 1000 ? ct_ledger_busy_timeout_ms() : 1000;
    struct ct_ledger_h L;
    if (ct_cmd_ledger_with("agent", g, 0, busy ? busy : 1, &L)) {
        if (lock != INT32_MAX)
            close(lock);
        return CT_EXIT_USER;
    }
    ct_cmd_spool_drain("agent", g, &L);
    ct_err e;
    struct ct_agent_hooks h = {.lost = on_lost, .warn = on_warn, .ledger = on_ledger};
    int rc = ct_agent_init(&a, set, &L, host, &e);
    if (rc == 0) {
        print_start(&a, set, x, g->db);
        rc = ct_agent_run(&a, &x->o, &stop_flag, &h, &e);
    }
    if (rc == 0)
        printf("co2tally agent: stopped after %llu samples and %llu flushes; %.6g J recorded\n",
               (unsigned long long)a.smp.steps, (unsigned long long)a.flushes, a.joules);
    else if (a.pend.n > 0)
        keep_held(&a, g->db);
    ct_ledger_close(&L);
    if (lock != INT32_MAX)
        close(lock);
    return rc == 0 ? CT_EXIT_OK : ct_fail(CT_EXIT_USER, "agent", "%s", e.msg);
}

static int no_sensors(const struct ct_sensor_set *set)
{
    int n;
    const struct ct_sensor_ops *const *ops = ct_sensors(&n);
    ct_fail(CT_EXIT_USER, "agent", "no sensor works here; each one says why:");
    for (int i = 0; i < n && i < 8; i++)
        fprintf(stderr, "  %-14s %s\n", ops[i]->name, set->why[i][0] ? set->why[i] : "no device");
    return CT_EXIT_USER;
}

int cmd_agent(int argc, char **argv, const struct ct_global *g)
{
    struct args x = {.o = {.interval = 1, .duration = 0, .flush = 5}};
    int rc = parse_args(argc, argv, &x);
    if (rc)
        return rc < 0 ? CT_EXIT_OK : rc;
    struct ct_env env;
    ct_env_from_environ(&env);
    static struct ct_sensor_set set;
    ct_err e;
    /* Only this thread may take SIGINT/SIGTERM, so they cut its sleep short:
     * blocked while the sensors open (their threads inherit that), then not. */
    static const int stops[] = {SIGINT, SIGTERM};
    sigset_t saved;
    ct_signals_block(stops, 2, &saved);
    install_handlers();
    rc = ct_sensor_set_open(&set, &env, &e);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (rc < 0 || set.ndev == 0)
        return no_sensors(&set);
    /* Every counter is open: root is no longer needed. */
    if (x.user && ct_drop_privileges(x.user, &e) < 0) {
        ct_sensor_set_close(&set);
        return ct_fail(CT_EXIT_USER, "agent", "%s", e.msg);
    }
    rc = run(&x, &set, g);
    ct_sensor_set_close(&set);
    return rc;
}
