#ifndef CT_CCF_TABLES_H
#define CT_CCF_TABLES_H
/* Cloud Carbon Footprint's coefficients (Apache-2.0), compiled in from
 * data/ccf/ (CSV) by tools/gen_ccf.py. Sorted by provider then key, as the CSVs
 * are; looked up by linear scan (a few hundred rows, once per usage row kind). */

struct ccf_kv {
    const char *provider, *key;
    double value;
};
struct ccf_proc {
    const char *provider, *name;
    int gpu;
    double min_w, max_w;     /* per vCPU, or per GPU */
    double gb_per_chip;      /* NAN when CCF gives none */
};
struct ccf_region {          /* grid factors (t CO2e/kWh), PUE, replication factors */
    const char *provider, *key;
    double value;
};
struct ccf_inst {
    const char *provider, *type, *family;
    double vcpus, memory_gb;
    const char *processors;  /* CCF names joined by ';', "" when unknown */
    double gpus;
    const char *gpu_model;
    double embodied_kg;      /* the server's total embodied emissions; 0 when unknown */
    double platform_vcpus, platform_memory_gb;   /* the largest instance of the family */
};

extern const struct ccf_kv ccf_constants[];
extern const int ccf_nconstants;
extern const struct ccf_proc ccf_processors[];
extern const int ccf_nprocessors;
extern const struct ccf_region ccf_grid[], ccf_pue[], ccf_replication[];
extern const int ccf_grid_n, ccf_pue_n, ccf_replication_n;
extern const struct ccf_inst ccf_instances[];
extern const int ccf_ninstances;

#endif
