#ifndef CT_FORMATS_INT_H
#define CT_FORMATS_INT_H
/* The format backends formats.c's table lists. Declared here, defined one per
 * parser file; a name declared but not yet in the table is harmless. */
#include "formats/format.h"

extern const struct ct_format_ops ct_fmt_nvidia_smi, ct_fmt_nvidia_smi_dmon,
    ct_fmt_nvidia_smi_table, ct_fmt_nvidia_smi_q, ct_fmt_turbostat, ct_fmt_powermetrics,
    ct_fmt_powerstat, ct_fmt_perf_stat;
/* Provider exports and cloud usage (provider.c, csvsplit.c, json_min.c help them). */
extern const struct ct_format_ops ct_fmt_aws_carbon, ct_fmt_gcp_carbon, ct_fmt_azure_carbon,
    ct_fmt_usage;

#endif
