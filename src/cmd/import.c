/* co2tally import: power and energy logs into the ledger as measured energy. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/common.h"
#include "core/buf.h"
#include "core/strutil.h"
#include "core/timeutil.h"
#include "ingest/import.h"

static const char usage_head[] =
    "usage: co2tally import [--format F] [--host NAME] [--platform NAME] [--start TIME]\n"
    "                       [--interval S] [--max-gap S] [--skip-bad] [--replace] [--scope N]\n"
    "                       [--period YYYY-MM[..YYYY-MM]] [--json] FILE...\n\n"
    "Reads the power logs a team already has into the ledger as measured energy.\n"
    "FILE - is standard input; gzip files are read as they are. The format is\n"
    "found from the content unless --format names one of:\n";

static const char usage_tail[] =
    "\nFrom power samples (nvidia-smi), energy is the trapezoid of power over time,\n"
    "per GPU; samples further apart than --max-gap S (default 5 x the log's own\n"
    "step, 300 s until one is known) are not bridged, first, last or in between;\n"
    "the summary counts the gaps and their length. A reading with no neighbour\n"
    "(one nvidia-smi table, a GPU seen once) counts as watts x --interval (or the\n"
    "log's step), and is an error without either. Times, spans, watts and\n"
    "emissions outside the plausible bounds (README) are bad lines.\n"
    "Logs without timestamps need --start TIME (YYYY-MM-DDTHH:MM:SS, UTC) and\n"
    "--interval S (seconds between samples). nvidia-smi writes the logging\n"
    "machine's local time with no zone: it is read as UTC.\n\n"
    "One import is one transaction. A malformed line is an error (FILE:LINE) and\n"
    "nothing is written, unless --skip-bad, which skips and counts such lines; a\n"
    "truncated last line is always skipped and counted. A file imported before\n"
    "(the same sha256) changes nothing, unless --replace, which forgets its earlier\n"
    "import (the same content, or the same path and format) in the same transaction\n"
    "and imports it with these options. Energy spent at under 5 % utilisation is\n"
    "counted as idle.\n\n"
    "  --host NAME       the host the log came from (default: this machine)\n"
    "  --platform NAME   the team-file platform it belongs to (default: found from\n"
    "                    the host, or the provider's account, when a report is made);\n"
    "                    NAME must be a platform of the team file (--config)\n"
    "  --scope N         provider reports that do not say their scope (Azure's\n"
    "                    Get-AzCarbonEmissionReport as PowerShell prints it): 1, 2 or 3\n"
    "  --period FROM[..TO]  the months such a report covers (its query's date range,\n"
    "                    YYYY-MM, both included), for items that carry no date\n"
    "  --json            per file and device: samples, first and last time, joules,\n"
    "                    mean watts and idle joules; per file the parser's warnings\n\n"
    "A parser's warnings (a total that is not the sum of its scopes, a summary\n"
    "left out, items PowerShell elided) go to standard error as FILE:LINE: ...\n";

struct args {
    struct ct_import_opts o;
    int json;
};

static void usage(FILE *f)
{
    int n;
    const struct ct_format_ops *const *t = ct_formats(&n);
    fputs(usage_head, f);
    for (int i = 0; i < n; i++)
        fprintf(f, "  %-18s %s\n", t[i]->name, t[i]->summary);
    fputs(usage_tail, f);
}

static int seconds_arg(const char *name, const char *s, double *out)
{
    if (ct_parse_double(s, out) < 0 || !(*out > 0))
        return ct_fail(CT_EXIT_USAGE, "import", "--%s wants seconds above 0, got '%s'", name, s);
    return 0;
}

/* "2024-03" or "2024-03-01": the month's start. */
static int month_arg(const char *s, size_t n, int64_t *t)
{
    char buf[16];
    if (n != 7 && n != 10)
        return -1;
    snprintf(buf, sizeof buf, "%.*s%s", (int)n, s, n == 7 ? "-01" : "");
    if (ct_parse_time(buf, t) < 0)
        return -1;
    *t = ct_month_start(*t);
    return 0;
}

static int period_arg(const char *s, struct ct_import_opts *o)
{
    const char *dots = strstr(s, "..");
    int64_t t0, t1;
    if (month_arg(s, dots ? (size_t)(dots - s) : strlen(s), &t0) < 0 ||
        month_arg(dots ? dots + 2 : s, dots ? strlen(dots + 2) : strlen(s), &t1) < 0 || t1 < t0)
        return ct_fail(CT_EXIT_USAGE, "import", "--period wants YYYY-MM or YYYY-MM..YYYY-MM "
                       "(months, both included), got '%s'", s);
    o->period_t0 = t0;
    o->period_t1 = ct_next_month(t1);
    return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        {"format", required_argument, 0, 'f'}, {"host", required_argument, 0, 'H'},
        {"platform", required_argument, 0, 'p'}, {"start", required_argument, 0, 's'},
        {"interval", required_argument, 0, 'i'}, {"max-gap", required_argument, 0, 'g'},
        {"skip-bad", no_argument, 0, 'k'}, {"json", no_argument, 0, 'j'},
        {"replace", no_argument, 0, 'R'},
        {"scope", required_argument, 0, 'S'}, {"period", required_argument, 0, 'P'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    int64_t start;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!ct_format_find(optarg))
                return ct_fail(CT_EXIT_USAGE, "import", "--format '%s' is not a format; see "
                               "`co2tally import --help`", optarg);
            a->o.format = optarg;
            break;
        case 'H': a->o.host = optarg; break;
        case 'p': a->o.platform = optarg; break;
        case 's':
            if (ct_parse_time(optarg, &start) < 0)
                return ct_fail(CT_EXIT_USAGE, "import", "--start '%s' is not a time "
                               "(YYYY-MM-DDTHH:MM:SS, UTC)", optarg);
            a->o.start = (double)start;
            break;
        case 'i':
            if (seconds_arg("interval", optarg, &a->o.interval))
                return CT_EXIT_USAGE;
            break;
        case 'g':
            if (seconds_arg("max-gap", optarg, &a->o.max_gap))
                return CT_EXIT_USAGE;
            break;
        case 'k': a->o.skip_bad = 1; break;
        case 'R': a->o.replace = 1; break;
        case 'S':
            if (strlen(optarg) != 1 || optarg[0] < '1' || optarg[0] > '3')
                return ct_fail(CT_EXIT_USAGE, "import", "--scope wants 1, 2 or 3, got '%s'",
                               optarg);
            a->o.scope = optarg[0] - '0';
            break;
        case 'P':
            if (period_arg(optarg, &a->o))
                return CT_EXIT_USAGE;
            break;
        case 'j': a->json = 1; break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return CT_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return ct_fail(CT_EXIT_USAGE, "import", "no FILE to import; see `co2tally import --help`");
    return 0;
}

/* ---- progress bar: on a terminal only, for big files or pipes ---- */

struct bar {
    double last;
    int shown;
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void on_progress(void *ud, const char *path, uint64_t done, uint64_t total)
{
    struct bar *b = ud;
    double now = mono();
    if ((total && total < (16u << 20)) || now - b->last < 0.1)
        return;
    b->last = now;
    b->shown = 1;
    if (total) {
        int pct = (int)(done * 100 / total), fill = pct / 4;
        fprintf(stderr, "\r%-30.30s [%.*s%*s] %3d%%", path, fill, "#########################",
                25 - fill, "", pct);
    } else {
        fprintf(stderr, "\r%-30.30s %.1f MB", path, (double)done / 1e6);
    }
    fflush(stderr);
}

/* ---- output ---- */

/* ISO 8601 UTC, with milliseconds when the time has them. */
static void iso(double t, char out[32])
{
    double s = floor(t);
    int ms = (int)lround((t - s) * 1000);
    if (ms == 1000)
        s += 1, ms = 0;
    ct_fmt_iso((int64_t)s, out);
    if (ms)
        snprintf(out + 19, 13, ".%03dZ", ms);
}

static const char *status_name(int s)
{
    return s == CT_IMPORT_DONE ? "imported" : s == CT_IMPORT_ALREADY ? "already imported"
         : "nothing to import";
}

static void json_device(ct_buf *b, const struct ct_import_device *d)
{
    char t0[32], t1[32];
    iso(d->first, t0);
    iso(d->last, t1);
    ct_buf_puts(b, "{\"host\": ");
    ct_buf_json_str(b, d->host);
    ct_buf_printf(b, ", \"method\": \"%s\", \"device\": ", ct_method_name(d->method));
    ct_buf_json_str(b, d->device);
    ct_buf_puts(b, ", \"component\": ");
    ct_buf_json_str(b, d->component);
    ct_buf_puts(b, ", \"model\": ");
    if (d->model)
        ct_buf_json_str(b, d->model);
    else
        ct_buf_puts(b, "null");
    ct_buf_printf(b, ", \"detail\": %s, \"samples\": %ld, \"first\": \"%s\", \"last\": \"%s\"",
                  d->detail ? "true" : "false", d->samples, t0, t1);
    ct_buf_puts(b, ", \"seconds\": ");
    ct_buf_json_num(b, d->seconds);
    ct_buf_puts(b, ", \"joules\": ");
    ct_buf_json_num(b, d->joules);
    ct_buf_puts(b, ", \"mean_watts\": ");
    ct_buf_json_num(b, d->seconds > 0 ? d->joules / d->seconds : NAN);
    ct_buf_puts(b, ", \"idle_joules\": ");
    ct_buf_json_num(b, d->idle_joules);
    ct_buf_puts(b, "}");
}

static void json_file(ct_buf *b, const struct ct_import_file *f)
{
    ct_buf_puts(b, "{\"path\": ");
    ct_buf_json_str(b, f->path);
    ct_buf_puts(b, ", \"format\": ");
    ct_buf_json_str(b, f->format);
    ct_buf_printf(b, ", \"sha256\": \"%s\", \"status\": \"%s\", \"gzip\": %s, \"skipped_lines\": "
                  "%ld, \"records\": %zu, \"provided\": %zu", f->sha256,
                  status_name(f->status), f->gzip ? "true" : "false", f->skipped, f->records,
                  f->provided);
    /* Per basis, never added; null where the file gave no figure of that basis. */
    size_t both = f->provided - f->provided_location - f->provided_market;
    ct_buf_puts(b, ", \"provided_kgco2e_location\": ");
    ct_buf_json_num(b, f->provided_location + both ? f->provided_kg_location : NAN);
    ct_buf_puts(b, ", \"provided_kgco2e_market\": ");
    ct_buf_json_num(b, f->provided_market + both ? f->provided_kg_market : NAN);
    ct_buf_puts(b, ", \"provided_kgco2e_both_bases\": ");
    ct_buf_json_num(b, f->provided_kg_both);
    ct_buf_printf(b, ", \"replaced\": %d, \"gaps\": %ld, \"gap_seconds\": ", f->replaced, f->gaps);
    ct_buf_json_num(b, f->gap_seconds);
    ct_buf_puts(b, ", \"warnings\": [");
    for (int k = 0; f->status == CT_IMPORT_DONE && k < f->nwarnings; k++) {
        ct_buf_puts(b, k ? ", " : "");
        ct_buf_json_str(b, f->warnings[k]);
    }
    ct_buf_puts(b, "], \"devices\": [");
    for (int k = 0; f->status == CT_IMPORT_DONE && k < f->ndev; k++) {
        ct_buf_puts(b, k ? ",\n    " : "\n    ");
        json_device(b, &f->dev[k]);
    }
    ct_buf_puts(b, f->status == CT_IMPORT_DONE && f->ndev ? "\n  ]}" : "]}");
}

static void json(ct_buf *b, const struct ct_import_result *r)
{
    ct_buf_puts(b, "{\"host\": ");
    ct_buf_json_str(b, r->host);
    ct_buf_puts(b, ", \"files\": [");
    for (int i = 0; i < r->nfiles; i++) {
        ct_buf_puts(b, i ? ",\n  " : "\n  ");
        json_file(b, &r->files[i]);
    }
    ct_buf_puts(b, r->nfiles ? "\n]}\n" : "]}\n");
}

/* A provider's location-based and market-based totals are two answers to one
 * question: shown side by side, never added. */
static void text_provided(ct_buf *b, const struct ct_import_file *f)
{
    size_t both = f->provided - f->provided_location - f->provided_market;
    ct_buf_printf(b, "%s: imported as %s%s, %zu provided emission%s: ", f->path, f->format,
                  f->gzip ? " (gzip)" : "", f->provided, f->provided == 1 ? "" : "s");
    if (f->provided_location + both)
        ct_buf_printf(b, "location-based %.1f kgCO2e, ", f->provided_kg_location);
    else
        ct_buf_puts(b, "location-based none in the file, ");
    if (f->provided_market + both)
        ct_buf_printf(b, "market-based %.1f kgCO2e", f->provided_kg_market);
    else
        ct_buf_puts(b, "market-based none in the file");
    if (both)
        ct_buf_printf(b, " (each includes scope 1/3, the same under both: %.1f kgCO2e)",
                      f->provided_kg_both);
    ct_buf_puts(b, "\n");
}

static void text_file(ct_buf *b, const struct ct_import_file *f, const char *host, int skip_bad)
{
    if (f->status == CT_IMPORT_ALREADY)
        ct_buf_printf(b, "%s: already imported (sha256 %.16s...); nothing changed\n", f->path,
                      f->sha256);
    else if (f->status == CT_IMPORT_NOTHING)
        ct_buf_printf(b, "%s: %s; nothing imported\n", f->path, f->bytes ? "no samples" : "empty");
    else if (f->provided)
        text_provided(b, f);
    if (f->status == CT_IMPORT_DONE && (f->ndev || !f->provided))
        ct_buf_printf(b, "%s: imported as %s%s, %d device%s, %zu hourly record%s\n", f->path,
                      f->format, f->gzip ? " (gzip)" : "", f->ndev, f->ndev == 1 ? "" : "s",
                      f->records, f->records == 1 ? "" : "s");
    if (f->status == CT_IMPORT_DONE && f->replaced)
        ct_buf_printf(b, "%s: replaced %d earlier import%s of it\n", f->path, f->replaced,
                      f->replaced == 1 ? "" : "s");
    if (f->status == CT_IMPORT_DONE && f->gaps)
        ct_buf_printf(b, "%s: %ld gap%s not bridged, %.6g s in all\n", f->path, f->gaps,
                      f->gaps == 1 ? "" : "s", f->gap_seconds);
    if (f->skipped)
        ct_buf_printf(b, "%s: skipped %ld %s\n", f->path, f->skipped,
                      skip_bad ? (f->skipped == 1 ? "bad line" : "bad lines")
                               : "truncated last line");
    for (int k = 0; f->status == CT_IMPORT_DONE && k < f->ndev; k++) {
        const struct ct_import_device *d = &f->dev[k];
        char t0[32], t1[32];
        iso(d->first, t0);
        iso(d->last, t1);
        int other = strcmp(d->host, host) != 0; /* cloud usage rows name their own */
        ct_buf_printf(b, "  %s%s%-24s %8ld samples  %s .. %s  %.6g kWh  %.1f W mean  idle %.6g "
                      "kWh%s%s\n", other ? d->host : "", other ? "/" : "", d->device, d->samples,
                      t0, t1, d->joules / 3.6e6, d->seconds > 0 ? d->joules / d->seconds : 0,
                      d->idle_joules / 3.6e6, d->detail ? "  (detail)" : "",
                      d->method == CT_METHOD_CALCULATED ? "  (calculated)" : "");
    }
}

/* --platform must name a platform the team file defines: a name that is not
 * there would put records on a platform no report shows. Fails (printing)
 * before anything is read or written. */
static int check_platform(const char *name, const struct ct_global *g)
{
    struct ct_team t;
    ct_err e;
    if (ct_team_load(g->config, &t, &e) < 0)
        return ct_fail(CT_EXIT_USER, "import", "--platform %s needs the team file that defines "
                       "it, and %s does not load (%s); pass --config FILE; nothing was "
                       "imported", name, g->config, e.msg);
    if (ct_team_platform(&t, name)) {
        ct_team_free(&t);
        return CT_EXIT_OK;
    }
    ct_buf known = {0};
    for (size_t i = 0; i < t.nplat; i++)
        ct_buf_printf(&known, "%s%s", i ? ", " : "", t.plat[i].name);
    ct_fail(CT_EXIT_USER, "import", "--platform '%s' is not a platform of %s (its platforms: "
            "%s); nothing was imported", name, g->config, t.nplat ? known.p : "none");
    ct_buf_free(&known);
    ct_team_free(&t);
    return CT_EXIT_USER;
}

int cmd_import(int argc, char **argv, const struct ct_global *g)
{
    struct args a = {.o = {.start = NAN, .interval = NAN, .max_gap = NAN}};
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? CT_EXIT_OK : rc;
    struct bar bar = {0, 0};
    if (isatty(2)) {
        a.o.progress = on_progress;
        a.o.progress_ud = &bar;
    }
    a.o.imported_at = ct_now();
    if (a.o.platform && check_platform(a.o.platform, g))
        return CT_EXIT_USER;
    struct ct_ledger_h L;
    if (ct_cmd_ledger("import", g, 0, &L))
        return CT_EXIT_USER;
    struct ct_import_result r;
    ct_err e;
    rc = ct_import(&L, argv + optind, argc - optind, &a.o, &r, &e);
    ct_ledger_close(&L);
    if (bar.shown)
        fputs("\r\033[K", stderr);
    if (rc < 0) {
        ct_import_result_free(&r);
        return ct_fail(CT_EXIT_USER, "import", "%s; nothing was imported", e.msg);
    }
    for (int i = 0; i < r.nfiles; i++) /* an already imported file's were seen then */
        for (int k = 0; r.files[i].status == CT_IMPORT_DONE && k < r.files[i].nwarnings; k++)
            fprintf(stderr, "co2tally import: warning: %s\n", r.files[i].warnings[k]);
    ct_buf b = {0};
    if (a.json)
        json(&b, &r);
    for (int i = 0; !a.json && i < r.nfiles; i++)
        text_file(&b, &r.files[i], r.host, a.o.skip_bad);
    ct_import_result_free(&r);
    rc = ct_cmd_write("import", NULL, b.p ? b.p : "", b.len);
    ct_buf_free(&b);
    return rc;
}
