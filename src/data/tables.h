#ifndef CT_DATA_TABLES_H
#define CT_DATA_TABLES_H
/* The compiled-in reference tables, generated at build time by
 * tools/gen_data.py from the CSV files in data/. Private to src/account: other code goes
 * through account/factors.h. Tables marked "sorted" are in strcmp order of
 * their key, for bsearch. */
#include <stddef.h>

#include "account/factors.h"

enum ct_family {
    CT_FAM_COUNTRY = 0, /* ISO3 (and WORLD): OWID series, Ember latest */
    CT_FAM_EM = 1,      /* Electricity Maps zone */
    CT_FAM_GCP = 2,     /* Google Cloud region */
    CT_FAM_AWS = 3,     /* AWS region (CCF) */
    CT_FAM_AZURE = 4    /* Azure region (CCF) */
};
#define CT_FAM_COUNT 5

struct ct_tab_value {
    int year;           /* 0: the source gives no year */
    int basis;          /* enum ct_basis */
    double g_per_kwh;   /* gCO2e/kWh on that basis */
    double g_direct;    /* direct-basis value where the source also gives one, else -1 */
    const char *source; /* ct_source id */
};

struct ct_tab_location {
    const char *key;  /* lower case, family prefix except for countries: "sgp", "em:fr" */
    const char *code; /* as shown: "SGP", "FR", "gcp:us-central1" */
    const char *name;
    int family;       /* enum ct_family */
    int first, count; /* its values in ct_tab_values, years ascending */
};

struct ct_tab_pue {
    const char *key; /* "aws", "gcp:us-central1" */
    double pue;
    int year;        /* 0 when undated */
    const char *source;
    const char *note;
};

struct ct_tab_vcpu {
    const char *key;             /* "average" (no provider known), "aws", "azure", "gcp" */
    double min_watts, max_watts; /* per vCPU */
    const char *source;
    const char *note;
};

struct ct_tab_chip {
    const char *key;  /* normalised name (see chips.c) */
    const char *name; /* as in the source table */
    int kind;         /* enum ct_chip_kind */
    double watts;     /* TDP (or the vendor's maximum power) */
    double idle_watts; /* -1 unless the source gives an idle or minimum power */
    const char *source;
    const char *url;  /* the row's own address (vendor rows), else NULL */
    const char *note; /* what the figure is (vendor rows), else NULL */
};

extern const struct ct_tab_value ct_tab_values[];
extern const size_t ct_tab_n_values;
extern const struct ct_tab_location ct_tab_locations[]; /* sorted */
extern const size_t ct_tab_n_locations;
extern const struct ct_tab_pue ct_tab_pue[]; /* sorted */
extern const size_t ct_tab_n_pue;
extern const struct ct_tab_vcpu ct_tab_vcpu[]; /* sorted */
extern const size_t ct_tab_n_vcpu;
extern const struct ct_tab_chip ct_tab_chips[]; /* sorted */
extern const size_t ct_tab_n_chips;
extern const struct ct_equivalent ct_tab_equivalents[];
extern const int ct_tab_equivalents_n;
extern const struct ct_equivalent ct_tab_references[];
extern const int ct_tab_references_n;
extern const struct ct_source ct_tab_sources[]; /* sorted */
extern const size_t ct_tab_n_sources;

#endif
