#ifndef CT_USAGE_CCF_H
#define CT_USAGE_CCF_H
/* The "usage" format: cloud usage rows (CSV, columns by name) estimated the
 * way Cloud Carbon Footprint does (estimate/ccf.h).
 *
 * Columns: provider (aws, gcp, azure) and region are required; then any of
 * service, usage_type (an instance type), processor, instance_hours,
 * vcpu_hours, gpu_hours, gpu_model, memory_gb_hours, storage_tb_hours,
 * storage_type (ssd, hdd), replication (a number or a CCF key such as S3),
 * network_gb (moved between regions), utilisation (percent), embodied (yes/no),
 * start, end (UTC; required on import), account, host.
 *
 * On import each row becomes calculated energy before PUE, one reading per
 * part (vCPU, GPU, memory, storage, network), on host "PROVIDER:REGION" (or the
 * row's host) and device "PROVIDER:USAGE_TYPE/PART", split at UTC month ends
 * pro rata. A report turns it into kgCO2e with the platform's PUE and the
 * location's factor; CCF's own kWh and CO2e (its PUE, its factors, embodied)
 * are what ct_usage_each hands out. */
#include <stdint.h>

#include "estimate/ccf.h"
#include "formats/format.h"

struct ct_usage_row {
    long line;
    struct ct_ccf_usage u;
    int64_t t0, t1;            /* 0, 0 when the row has no start/end */
    const char *account, *host;
};

typedef int (*ct_usage_fn)(void *ud, const struct ct_usage_row *row,
                           const struct ct_ccf_result *r, ct_err *e);
/* Reads every row of in and estimates it; errors name FILE:LINE. need_times:
 * start and end are required. 0 or -1. */
int ct_usage_each(struct ct_input *in, int need_times, ct_usage_fn fn, void *ud, ct_err *e);

#endif
