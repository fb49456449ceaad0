/* Shared by the provider-export tests: a sink that sums what a parser emits. */
#ifndef CT_PROVIDER_TESTUTIL_H
#define CT_PROVIDER_TESTUTIL_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "formats/provider.h"

struct collect {
    int n, warnings;
    double kg[4][2];            /* [scope][market_based] */
    double orig_sum;
    char first_region[96], first_raw[96], first_account[64], first_project[96], first_service[96];
    char first_unit[32];
    int64_t first_t0, first_t1;
    int first_scope, first_market;
    char last_warning[768];
};

static int collect_provided(void *ud, const struct ct_provided_rec *p, long line, ct_err *e)
{
    (void)line;
    (void)e;
    struct collect *c = ud;
    if (c->n++ == 0) {
        snprintf(c->first_region, sizeof c->first_region, "%s", p->region);
        snprintf(c->first_raw, sizeof c->first_raw, "%s", p->region_raw);
        snprintf(c->first_account, sizeof c->first_account, "%s", p->account);
        snprintf(c->first_project, sizeof c->first_project, "%s", p->project);
        snprintf(c->first_service, sizeof c->first_service, "%s", p->service);
        snprintf(c->first_unit, sizeof c->first_unit, "%s", p->orig_unit);
        c->first_t0 = p->t0;
        c->first_t1 = p->t1;
        c->first_scope = p->scope;
        c->first_market = p->market_based;
    }
    c->kg[p->scope][p->market_based] += p->kgco2e;
    c->orig_sum += p->orig_value;
    return 0;
}

static int collect_energy(void *ud, const struct ct_reading *r, ct_err *e)
{
    (void)ud;
    (void)r;
    return ct_errf(e, "a provider parser emitted energy");
}

static void collect_warn(void *ud, const char *msg)
{
    struct collect *c = ud;
    c->warnings++;
    snprintf(c->last_warning, sizeof c->last_warning, "%s", msg);
}

/* --scope and --period for the next parses (0: not given). */
static int test_scope;
static int64_t test_period[2];
/* --skip-bad and its count, and "now" for the bounds (0: the clock). */
static int test_skip_bad;
static long test_skipped;
static double test_now;

/* Parses with the named format; returns the parse's result. */
static int parse_with(const char *fmt, struct ct_input *in, struct collect *c, ct_err *e)
{
    memset(c, 0, sizeof *c);
    const struct ct_format_ops *f = ct_format_find(fmt);
    if (!f)
        return ct_errf(e, "no format %s", fmt);
    struct ct_parse_opts o = {.start = NAN, .interval = NAN, .max_gap = NAN,
                              .scope = test_scope, .period_t0 = test_period[0],
                              .period_t1 = test_period[1], .skip_bad = test_skip_bad,
                              .skipped = &test_skipped, .now = test_now};
    struct ct_reading_sink sink = {.emit = collect_energy, .ud = c, .provided = collect_provided};
    ct_format_warn_hook(collect_warn, c);
    int rc = f->parse(in, &o, &sink, e);
    ct_format_warn_hook(NULL, NULL);
    return rc;
}

static int parse_path(const char *fmt, const char *path, struct collect *c, ct_err *e)
{
    struct ct_input *in;
    if (ct_input_open(path, &in, e) < 0)
        return -1;
    int rc = parse_with(fmt, in, c, e);
    ct_input_close(in);
    return rc;
}

static int parse_text(const char *fmt, const char *text, const char *name, struct collect *c,
                      ct_err *e)
{
    struct ct_input *in;
    if (ct_input_memopen(text, strlen(text), name, &in, e) < 0)
        return -1;
    int rc = parse_with(fmt, in, c, e);
    ct_input_close(in);
    return rc;
}

/* A fixture path: tests/fixtures/provider/NAME, or shared/fixtures/provider/NAME. */
static const char *fixture(const char *name, int shared)
{
    static char buf[1024];
    const char *root = getenv(shared ? "CT_SHARED" : "CT_SOURCE_ROOT");
    snprintf(buf, sizeof buf, "%s/%s/%s", root ? root : ".",
             shared ? "fixtures/provider" : "tests/fixtures/provider", name);
    return buf;
}

/* The format the sniffer picks for a file's head. */
static const char *sniffed(const char *path)
{
    struct ct_input *in;
    ct_err e;
    const char *head;
    if (ct_input_open(path, &in, &e) < 0)
        return "";
    size_t n = ct_input_peek(in, &head);
    const struct ct_format_ops *f = ct_format_sniff(head, n);
    ct_input_close(in);
    return f ? f->name : "";
}

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-9 * fabs((double)(b)) + 1e-9)

#endif
