#ifndef CT_FORMAT_H
#define CT_FORMAT_H
/* Log formats: parsers for what nvidia-smi, turbostat, powermetrics, powerstat and
 * perf already wrote. Each is a const struct ct_format_ops in formats.c's table;
 * the importer sniffs the format from the first bytes when --format is absent.
 *
 * A parser turns a log into readings: energy of one device over [t0, t1). It
 * never writes the ledger itself; the import pipeline buckets the readings and
 * writes them in one transaction, so a parse error leaves nothing behind.
 * Live sensors that run a tool (powermetrics on macOS) reuse the same parser on
 * the tool's stdout. */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "ledger/ledger.h"

#define CT_FORMAT_OPS_VERSION 1

/* Line input over a file, a .gz file or standard input, counting lines for
 * error messages ("FILE:LINE: ..."). Implemented in src/formats/input.c. */
struct ct_input;
int ct_input_open(const char *path, struct ct_input **in, ct_err *e); /* "-" = stdin */
/* An input over bytes in memory (tests, fuzzing); data is borrowed. */
int ct_input_memopen(const void *data, size_t n, const char *name, struct ct_input **in,
                     ct_err *e);
/* An input over an already open descriptor (a child's stdout), named for messages. */
int ct_input_fdopen(int fd, const char *name, struct ct_input **in, ct_err *e);
/* Next line without its line end (LF or CRLF), NUL-terminated, valid until the next
 * call; *len its length. Returns 1, 0 at end of input, -1 on a read error. A line
 * may hold NUL bytes (powermetrics' plist output separates samples with NUL);
 * len counts them. */
int ct_input_line(struct ct_input *in, const char **line, size_t *len, ct_err *e);
/* Pushes the last line back, so the next ct_input_line returns it again (once). */
void ct_input_unread(struct ct_input *in);
const char *ct_input_name(const struct ct_input *in);
long ct_input_lineno(const struct ct_input *in);
/* The first bytes of the input (for sniffing), without consuming them. */
size_t ct_input_peek(struct ct_input *in, const char **head);
/* Bytes consumed and total size (0 when unknown), for a progress bar. */
void ct_input_progress(const struct ct_input *in, uint64_t *done, uint64_t *total);
void ct_input_close(struct ct_input *in);
/* sha256 of the whole input as read (hex); valid after end of input. */
const char *ct_input_sha256(struct ct_input *in);
/* Added with input.c: reads the rest of the input unparsed (so its sha256 is
 * known after a parse error); 0, or -1 on a read error. */
int ct_input_drain(struct ct_input *in, ct_err *e);
/* 1 when the line last returned ended the input without a line end (a log cut
 * off mid-write: parsers may treat a malformed one as truncated, not as bad). */
int ct_input_unterminated(const struct ct_input *in);
/* 1 when the input is gzip data being decompressed. */
int ct_input_is_gzip(const struct ct_input *in);

/* One reading: a device's energy over [t0, t1). */
struct ct_reading {
    const char *device;     /* stable per device: "gpu:GPU-<uuid>", "gpu:0", "package-0",
                             * "dram-0", "psys", "core-0", "cpu", "ane" */
    const char *component;  /* "cpu", "gpu", "dram", "system", "ane", "other" */
    const char *model;      /* device model when the log says ("NVIDIA A100-SXM4-40GB"); may be NULL */
    int detail;             /* 1: contained in another reading (a core in its package, CPU in
                             * Combined Power): stored as detail, never added to the host */
    double t0, t1;          /* UTC seconds; fractional allowed */
    double joules;
    double util;            /* mean utilisation 0..1, NAN when unknown */
    long line;              /* input line it came from, for messages */
    /* Added for the "usage" format (cloud usage estimated the CCF way): */
    int method;             /* enum ct_method: 0 measured (every log), or CT_METHOD_CALCULATED */
    const char *host;       /* NULL: the import's host; "aws:us-east-1" for cloud usage rows */
};

struct ct_reading_sink {
    /* Returns 0, or -1 with e filled to stop the parse. */
    int (*emit)(void *ud, const struct ct_reading *r, ct_err *e);
    void *ud;
    /* Provider exports (AWS, Google Cloud, Azure) emit emissions the provider
     * computed, not energy. NULL when the caller takes energy only. */
    int (*provided)(void *ud, const struct ct_provided_rec *p, long line, ct_err *e);
};

struct ct_parse_opts {
    double start;           /* --start: UTC seconds for logs without timestamps (NAN if not given) */
    double interval;        /* --interval: seconds between samples when the log does not say (NAN) */
    double max_gap;         /* gaps longer than this are not bridged (seconds) */
    int skip_bad;           /* skip malformed lines instead of failing; counted in *skipped */
    long *skipped;
    /* Added for provider exports that do not say what query they answer (Azure's
     * Get-AzCarbonEmissionReport output as PowerShell prints it): */
    int scope;              /* --scope: 1, 2 or 3; 0 when not given */
    int64_t period_t0, period_t1; /* --period: [first month, month after last); 0, 0 if not given */
    /* Added for the plausibility bounds and the gap count (formats/bounds.h): */
    double now;             /* UTC seconds the bounds take as now; 0: the system clock */
    long *gaps;             /* NULL, or counts the gaps not bridged ... */
    double *gap_seconds;    /* ... and adds up their length */
};

struct ct_format_ops {
    int version;            /* CT_FORMAT_OPS_VERSION */
    const char *name;       /* "nvidia-smi", "nvidia-smi-dmon", "turbostat", "powermetrics", ... */
    const char *summary;    /* one line for --help */
    /* 0 (not this format) to 100 (certainly this format), from the first bytes. */
    int (*sniff)(const char *head, size_t n);
    /* Reads the whole input, emitting readings in time order per device. Errors
     * name the file and line: "FILE:LINE: expected ..., got ...". */
    int (*parse)(struct ct_input *in, const struct ct_parse_opts *o, struct ct_reading_sink *sink,
                 ct_err *e);
};

/* The table of formats (formats.c) and lookups over it. */
const struct ct_format_ops *const *ct_formats(int *n);
const struct ct_format_ops *ct_format_find(const char *name);
/* The best-scoring format for the head of an input; NULL when none scores. */
const struct ct_format_ops *ct_format_sniff(const char *head, size_t n);

#endif
