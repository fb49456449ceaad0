#ifndef CT_MEASURE_H
#define CT_MEASURE_H
/* measure: runs one command, samples the host's sensors while it runs, and
 * attributes to the command's process tree its share of each interval's energy.
 *
 * Attribution, per sampling interval:
 * - cpu, dram, system and other: the tree's busy CPU time (utime + stime of the
 *   tree, see proctree.h) over the host's busy time ($PROCFS/stat), capped at 1;
 * - gpu: where the sensor lists the GPU's processes, the fraction of them that
 *   belong to the tree (none listed: 0); where it cannot tell, the whole GPU.
 * The last interval (after the command exits) takes the tree's time from
 * wait4's rusage and reuses each GPU's last share, since its processes are gone.
 *
 * It samples right before starting the command and right after reaping it, and
 * never sleeps after the command exits, so a short command costs only the two
 * reads. */
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "account/factors.h"
#include "agent/proctree.h"
#include "agent/sampler.h"
#include "config/team.h"
#include "ingest/bucket.h"

#define CT_MEASURE_INTERVAL 0.2   /* seconds; the default sampling period */
#define CT_MEASURE_MAX_PIDS 1024  /* processes a GPU lists */

enum ct_comp { CT_COMP_CPU, CT_COMP_DRAM, CT_COMP_GPU, CT_COMP_SYSTEM, CT_COMP_OTHER, CT_NCOMP };
extern const char *const ct_comp_names[CT_NCOMP];  /* "cpu", "dram", "gpu", "system", "other" */
int ct_comp_of(const char *component);             /* anything unknown is "other" */

struct ct_measure_hooks {
    void (*lost)(const struct ct_sensor_device *d, void *ud);  /* once per device */
    /* Called once the command runs (may be NULL): work the caller can do while it
     * runs rather than before, such as opening the ledger. */
    void (*started)(void *ud);
    void *ud;
};

struct ct_measurement {
    /* the result */
    int exit_status;            /* the command's, or 128 + signal */
    int exec_errno;             /* not 0: the command could not be started (exit 126/127) */
    double t0, t1;              /* wall clock, seconds */
    double duration_s;          /* monotonic */
    double tree_cpu_s, host_busy_s;
    /* Per component: attributed and whole-host energy of its devices that are not
     * detail, or of its detail devices when it has only those. */
    double comp_j[CT_NCOMP], comp_host_j[CT_NCOMP];
    int comp_ndev[CT_NCOMP];         /* 0: the component is absent */
    const char *comp_method[CT_NCOMP];  /* "measured", "calculated", "mixed"; NULL if absent */
    int comp_is_detail[CT_NCOMP];    /* 1: only detail devices (inside another one) */
    double total_j, host_total_j;     /* devices that are not detail */
    /* state */
    struct ct_sampler smp;
    struct ct_proctree tree;
    struct ct_bucketer b[CT_SENSOR_MAX_DEVICES];
    double dev_j[CT_SENSOR_MAX_DEVICES], dev_host_j[CT_SENSOR_MAX_DEVICES];
    double gpu_share[CT_SENSOR_MAX_DEVICES];  /* last seen; NAN before the first */
    int pids[CT_MEASURE_MAX_PIDS];
    struct ct_energy_rec *recs;  /* finished hours, written by ct_measure_record */
    int nrecs, caprecs;
    int64_t host_ticks0, host_ticks, tree_ticks;
    double clk_tck, m0;
    char procfs[256], host[256];
    pid_t pid;
};

/* Blocks the signals measure waits for (SIGCHLD) and passes on to the command
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT). Call it before opening the sensors, so
 * that threads their libraries start inherit the mask (see ct_signals_block). */
void ct_measure_block(sigset_t *saved);
/* Drops those signals if still pending (they came after the command ended) and
 * restores the saved mask. */
void ct_measure_unblock(const sigset_t *saved);

/* Runs argv (execvp, with the saved signal mask) to completion, between
 * ct_measure_block and ct_measure_unblock. Signals sent to measure go on to the
 * command, except those the terminal sent to the whole process group, which the
 * command got already. Returns 0 when the command ran (whatever its exit status)
 * or could not be started (exec_errno set); -1 when measuring failed before. */
int ct_measure_run(struct ct_measurement *m, struct ct_sensor_set *set, const char *procfs,
                   const char *host, double interval, char *const argv[],
                   const sigset_t *saved, const struct ct_measure_hooks *h, ct_err *e);
void ct_measure_free(struct ct_measurement *m);

/* "cpu=measured,gpu=calculated" for the components present. */
void ct_measure_methods(const struct ct_measurement *m, char *out, size_t cap);
/* Records the run and its attributed energy (source kind "measure", one source
 * per run) in one transaction. */
int ct_measure_record(struct ct_measurement *m, const struct ct_ledger_h *L, const char *command,
                      ct_err *e);
/* Keeps what ct_measure_record would write in the spool file (agent/spool.h),
 * for when the ledger cannot take it. */
int ct_measure_spool(struct ct_measurement *m, const char *spool, const char *command, ct_err *e);
/* The run's source and run record as ct_measure_record writes them. */
struct ct_measure_out {
    char key[400], sha[65], methods[128];
    struct ct_source_rec src;
    struct ct_run_rec run;
};
void ct_measure_output(const struct ct_measurement *m, const char *command,
                       struct ct_measure_out *o);

/* kgCO2e of joules drawn on host: the location and PUE of the team platform that
 * lists the host, else the team's country, else WORLD; the factor for year with
 * the table's fallback. */
struct ct_measure_co2 {
    struct ct_factor f;
    double pue;
    const char *pue_source;   /* "team file", a table's source id, or "default" */
    const char *platform;     /* NULL when no platform lists the host */
    double kgco2e;
    char note[320];           /* "" or what was assumed */
};
int ct_measure_co2(const struct ct_team *t, const char *host, int year, double joules,
                   struct ct_measure_co2 *out, ct_err *e);

#endif
