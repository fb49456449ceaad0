/* ccf_estimate FILE: runs co2tally's CCF-compatible estimator over a usage CSV
 * and prints one JSON object per row (for tests/ccf_parity and bench/ccf.sh).
 * With -q it prints only the row count (timing). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "formats/usage_ccf.h"

struct out {
    ct_buf b;
    long rows;
    int quiet;
};

static void num(ct_buf *b, const char *k, double v)
{
    ct_buf_printf(b, ",\"%s\":", k);
    if (isfinite(v))
        ct_buf_printf(b, "%.17g", v);
    else
        ct_buf_puts(b, "null");
}

static int row(void *ud, const struct ct_usage_row *row, const struct ct_ccf_result *r, ct_err *e)
{
    (void)e;
    struct out *o = ud;
    o->rows++;
    if (o->quiet)
        return 0;
    static const char *const parts[] = {"cpu", "gpu", "memory", "storage", "network"};
    ct_buf *b = &o->b;
    ct_buf_printf(b, "{\"line\":%ld,\"processors\":", row->line);
    ct_buf_json_str(b, r->processors);
    ct_buf_puts(b, ",\"gpu_processors\":");
    ct_buf_json_str(b, r->gpu_processors);
    num(b, "kwh", r->kwh_ccf);
    num(b, "co2e_t", r->co2e_t);
    num(b, "pue", r->pue);
    num(b, "factor_t", r->factor_t);
    num(b, "embodied_t", r->embodied_t);
    num(b, "embodied_kwh", r->embodied_kwh);
    num(b, "vcpu_hours", r->vcpu_hours);
    num(b, "gpu_hours", r->gpu_hours);
    num(b, "memory_gb_hours", r->memory_gb_hours);
    num(b, "replication", r->replication);
    num(b, "utilisation", r->utilisation);
    num(b, "inst_vcpus", r->inst_vcpus);
    num(b, "largest_vcpus", r->largest_vcpus);
    num(b, "scope3_t", r->scope3_t);
    for (int p = 0; p < CT_CCF_NPARTS; p++) {
        char k[32];
        snprintf(k, sizeof k, "%s_kwh", parts[p]);
        num(b, k, r->part[p].kwh);
        snprintf(k, sizeof k, "%s_co2e_t", parts[p]);
        num(b, k, r->part[p].co2e_t);
    }
    ct_buf_puts(b, "}\n");
    if (b->len > 1 << 16) {
        fwrite(b->p, 1, b->len, stdout);
        b->len = 0;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct out o = {0};
    int a = 1;
    if (a < argc && !strcmp(argv[a], "-q"))
        o.quiet = 1, a++;
    if (a >= argc) {
        fprintf(stderr, "usage: ccf_estimate [-q] USAGE.csv\n");
        return 2;
    }
    struct ct_input *in;
    ct_err e;
    if (ct_input_open(argv[a], &in, &e) < 0 || ct_usage_each(in, 0, row, &o, &e) < 0) {
        fprintf(stderr, "ccf_estimate: %s\n", e.msg);
        return 1;
    }
    ct_input_close(in);
    if (o.b.len)
        fwrite(o.b.p, 1, o.b.len, stdout);
    if (o.quiet)
        printf("%ld\n", o.rows);
    ct_buf_free(&o.b);
    return 0;
}
