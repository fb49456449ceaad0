/* The table of log formats and the lookups over it. Sniffing asks every format
 * to score the head of the input; the best score wins, ties going to the format
 * listed first, so put the more specific format of a family first. */
#include <string.h>

#include "formats/formats_int.h"

static const struct ct_format_ops *const table[] = {
    &ct_fmt_nvidia_smi_q,
    &ct_fmt_nvidia_smi_table,
    &ct_fmt_nvidia_smi_dmon,
    &ct_fmt_nvidia_smi,
    &ct_fmt_aws_carbon,
    &ct_fmt_gcp_carbon,
    &ct_fmt_azure_carbon,
    &ct_fmt_usage,
    &ct_fmt_turbostat,
    &ct_fmt_powermetrics,
    &ct_fmt_powerstat,
    &ct_fmt_perf_stat,
    /* more formats: one line each, e.g. &ct_fmt_turbostat, */
};

const struct ct_format_ops *const *ct_formats(int *n)
{
    *n = (int)(sizeof table / sizeof table[0]);
    return table;
}

const struct ct_format_ops *ct_format_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i]->name, name) == 0)
            return table[i];
    return NULL;
}

const struct ct_format_ops *ct_format_sniff(const char *head, size_t n)
{
    const struct ct_format_ops *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int s = table[i]->sniff(head, n);
        if (s > best_score) {
            best = table[i];
            best_score = s;
        }
    }
    return best;
}
