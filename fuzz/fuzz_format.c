/* libFuzzer target for one log format, chosen at build time (-DCT_FUZZ_FORMAT).
 * Any input must parse or fail with a message; every reading a parser emits must
 * be sane (finite, non-negative energy over a non-empty interval) and inside
 * the plausibility bounds (formats/bounds.h), as must every provided emission. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "formats/bounds.h"
#include "formats/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed "now" (2026-01-01), so a finding replays the same way later. */
static const struct ct_parse_opts opts = {.start = 1.6e9, .interval = 1, .max_gap = 60,
                                          .now = 1767225600};

static int check(void *ud, const struct ct_reading *r, ct_err *e)
{
    (void)ud;
    (void)e;
    char why[256];
    if (!(r->t1 > r->t0) || !isfinite(r->joules) || r->joules < 0 || !r->device || !r->component)
        abort();
    if (ct_bounds_reading(&opts, r, why, sizeof why))
        abort();
    return 0;
}

/* Provider exports: every emission must be sane too (scope 1..3, a period, finite kg). */
static int check_provided(void *ud, const struct ct_provided_rec *p, long line, ct_err *e)
{
    (void)ud;
    (void)line;
    (void)e;
    char why[256];
    if (p->scope < 1 || p->scope > 3 || !(p->t1 > p->t0) || !isfinite(p->kgco2e) || !p->provider)
        abort();
    if (ct_bounds_provided(&opts, p, why, sizeof why))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct ct_format_ops *f = ct_format_find(CT_FUZZ_FORMAT);
    if (!f)
        abort();
    struct ct_input *in;
    ct_err e;
    if (ct_input_memopen(data, size, "fuzz", &in, &e) < 0)
        return 0;
    struct ct_reading_sink sink = {check, NULL, check_provided};
    f->parse(in, &opts, &sink, &e);
    ct_input_close(in);
    /* Sniffing must not crash on anything either. */
    ct_format_sniff((const char *)data, size);
    return 0;
}
