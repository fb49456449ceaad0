#ifndef CT_NVIDIA_SMI_INT_H
#define CT_NVIDIA_SMI_INT_H
/* What the four nvidia-smi parsers share: number and time parsing, the error
 * rule for malformed lines, and the integrator that turns power samples into
 * energy readings.
 *
 * Energy is the trapezoid rule per GPU: between two consecutive samples of a GPU
 * at (t0, P0) and (t1, P1) it spent (P0 + P1) / 2 x (t1 - t0) joules, at the mean
 * of the two utilisations. Samples further apart than the gap limit are not
 * bridged. A sample with no neighbour within the limit (a one-shot log, a GPU
 * seen once) counts as P x S over [t, t + S), where S is --interval, else the
 * log's own step (the smallest step seen so far between two samples of one GPU);
 * with neither known it waits until one is (the first sample of a log before a
 * gap), and is an error that says to pass --interval if none ever is. The gap
 * limit is --max-gap, else 5 x that step, else (no pair bridged yet) 300 s
 * (formats/bounds.h): only a bridged pair teaches the step, so the first gap
 * of a log is never bridged. */
#include <stdint.h>

#include "formats/format.h"

#define NV_MAX_DEVICES 1024
#define NV_MAX_WATTS 1e6   /* more than this from one GPU is a misread column */

/* Parses a decimal number at s (before lim); *end is set past it. 0, or -1 when
 * there is no number. Plain decimals are parsed inline (the 1 GB bench spends
 * most of its time here); anything else goes to strtod. */
int nv_num(const char *s, const char *lim, double *out, const char **end);

/* "YYYY/MM/DD HH:MM:SS[.frac]" (also '-' for '/' and 'T' for ' ') as UTC
 * seconds; the date part's day number is cached across calls. 0 or -1. */
struct nv_datecache {
    char date[10];
    double day_s;
    int valid;
};
int nv_time(const char *s, const char *lim, struct nv_datecache *c, double *out);
/* ctime's "Tue Oct 10 12:00:00 2023" (nvidia-smi's table date line and -q's
 * Timestamp) as UTC seconds. 0 or -1. */
int nv_ctime(const char *s, const char *lim, double *out);

/* Trims ASCII spaces and tabs from [*b, *e). */
void nv_trim(const char **b, const char **e);
/* 1 when [b, e) is a value nvidia-smi prints for no value: [N/A], [Not Supported],
 * [Unknown Error] (any bracketed word), N/A, or "-" (dmon). */
int nv_missing(const char *b, const char *e);

/* A malformed line: formats "NAME:LINE: msg" into e, then with --skip-bad, or
 * for an unterminated last line (a log cut off mid-write), counts it in
 * o->skipped and returns 0 (skip it); otherwise returns -1 (fail the parse). */
int nv_bad(struct ct_input *in, const struct ct_parse_opts *o, ct_err *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

struct nv_dev {
    char device[72];     /* "gpu:" + the key */
    char model[96];      /* "" when the log does not say */
    long sample;         /* the sample it was last seen in (for sample boundaries) */
    int have, single;    /* a previous sample is held; it has not been integrated yet */
    double t, w, u;
    long line;
    int pend;            /* a sample with no neighbour waits for the step (pt...) */
    double pt, pw, pu, proom;
    long pline;
};

struct nv_series {
    struct ct_input *in;
    const struct ct_parse_opts *o;
    struct ct_reading_sink *sink;
    struct nv_dev *dev;
    int n, cap, last;
    double step;         /* the log's own step (smallest bridged), NAN until seen */
    double gap_t0, gap_t1; /* the last gap counted */
};

void nv_series_init(struct nv_series *s, struct ct_input *in, const struct ct_parse_opts *o,
                    struct ct_reading_sink *sink);
void nv_series_free(struct nv_series *s);
/* The device for an identifier from the log (uuid, bus id, index or ordinal),
 * added on first sight; -1 with e filled when the key is not an identifier. */
int nv_device(struct nv_series *s, const char *key, size_t klen, ct_err *e);
void nv_set_model(struct nv_series *s, int d, const char *b, const char *e);
/* One power sample (watts; util 0..1 or NAN) of device d at time t. */
int nv_sample(struct nv_series *s, int d, double t, double watts, double util, ct_err *e);
/* Integrates what is still held; call once at the end of input. */
int nv_finish(struct nv_series *s, ct_err *e);

/* The time of sample k when the log has none: --start + k x --interval; -1 with
 * an error naming what to pass when either is missing. */
int nv_untimed(struct ct_input *in, const struct ct_parse_opts *o, long k, const char *how,
               double *t, ct_err *e);

#endif
