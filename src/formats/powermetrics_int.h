#ifndef CT_POWERMETRICS_INT_H
#define CT_POWERMETRICS_INT_H
/* powermetrics (macOS): the text and the plist readers fill one sample at a time;
 * powermetrics.c times it and turns it into readings, the same way for both. */
#include "formats/format.h"

/* What a sample measures. WHOLE is the package: Apple Silicon's "Package Power"
 * (older macOS; it contains CPU, GPU, ANE and DRAM), "Combined Power (CPU + GPU +
 * ANE)" (newer macOS; DRAM is outside it), or an Intel Mac's package (CPUs + GT +
 * SA; DRAM outside). */
enum { PM_WHOLE, PM_CPU, PM_GPU, PM_ANE, PM_DRAM, PM_N };
enum { PM_NONE, PM_APPLE_PACKAGE, PM_COMBINED, PM_INTEL };

struct pm_sample {
    double j[PM_N];  /* joules as measured; NAN when absent */
    double w[PM_N];  /* watts, for energy = watts x elapsed; NAN when absent */
    int whole;       /* PM_NONE... */
    double elapsed;  /* seconds; NAN when the sample does not say */
    double date;     /* UTC seconds (to the second) the sample ended; NAN when unknown */
    long line;       /* where the sample began */
    int started;
};

struct pm_state {
    struct ct_input *in;
    const struct ct_parse_opts *o;
    struct ct_reading_sink *sink;
    ct_err *e;
    double t1;       /* end of the last sample emitted; NAN before the first */
    int had_whole;   /* an earlier sample had the package figure */
    long samples;    /* sample headers (or plists) seen */
    char model[64];  /* "MacBookAir10,1" when the log says */
};

void pm_sample_reset(struct pm_sample *s, long line);
/* Sets a figure unless the sample already has it: GPU Power appears in two
 * sections of one sample and counts once. */
void pm_set(double *slot, double v);
/* Times the sample and emits its readings: the package counted once, its parts as
 * detail. 0, or -1 with e set. */
int pm_emit(struct pm_state *st, struct pm_sample *s);
/* At the end of input: a last sample cut short (no package figure where the ones
 * before had it, or an unfinished plist) is dropped and counted in o->skipped. */
void pm_drop(struct pm_state *st);

int pm_parse_text(struct pm_state *st);
int pm_parse_plist(struct pm_state *st);

#endif
