#ifndef CT_FACTORS_H
#define CT_FACTORS_H
/* Reference data compiled in from data/: grid emission factors, PUE defaults,
 * chip power (TDP) and everyday equivalents. Every value carries its source.
 *
 * Contract: lookups never allocate; the strings they return point into the
 * compiled-in tables and live for the whole process. */
#include "core/err.h"

enum ct_basis {
    CT_BASIS_LIFECYCLE = 0,  /* includes upstream (construction, fuel supply) */
    CT_BASIS_DIRECT = 1,     /* combustion at the plant only */
    CT_BASIS_UNSPECIFIED = 2 /* the source does not say */
};
const char *ct_basis_name(int basis); /* "lifecycle", "direct", "unspecified" */

struct ct_source {
    const char *id;      /* short key, e.g. "owid-ember" */
    const char *title;   /* who published it */
    const char *licence; /* e.g. "CC-BY-4.0" */
    const char *url;
};
const struct ct_source *ct_source_get(const char *id); /* NULL if unknown */

/* A grid factor as used for one (location, year). */
struct ct_factor {
    char code[64];        /* normalised location: "SGP", "gcp:us-central1", "aws:eu-west-1", "FR" */
    char name[96];        /* human name: "Singapore", "Iowa" */
    double kg_per_kwh;    /* kgCO2e per kWh */
    int year_asked;       /* the year the caller asked for (0 = latest) */
    int year;             /* the year the value is really for; 0 when the source gives none */
    int basis;            /* enum ct_basis */
    const char *source;   /* id of a struct ct_source */
    char note[192];       /* "" or why this is not exactly what was asked, e.g.
                           * "no 2025 value for SGP; 2024 used (nearest earlier year)" */
};

/* location: ISO3 country ("SGP", case-insensitive), "aws:REGION", "gcp:REGION",
 * "azure:REGION" (CCF names such as "West Europe", or "westeurope"), an Electricity
 * Maps zone ("FR", "US-CAL-CISO", or "em:FR"). year 0 means the latest known.
 * "WORLD" (or "OWID_WRL") is the world average. A zone gives its life-cycle value;
 * "FR/direct" gives its direct one (basis CT_BASIS_DIRECT; zones only).
 * A missing year falls back to the nearest earlier one (or, when none is earlier,
 * the nearest later one) and says so in note. Unknown location: -1 with a message
 * that names it and suggests close codes. */
int ct_factor_lookup(const char *location, int year, struct ct_factor *out, ct_err *e);

/* Iterates every known location with its latest value (for `factors --list`).
 * Calls fn once per location in a stable order; stops early if fn returns non-zero. */
void ct_factor_each(int (*fn)(const struct ct_factor *f, void *ud), void *ud);

/* Every year a location has a value for (ascending); returns how many were written
 * (at most cap); 0 for an unknown location. */
int ct_factor_years(const char *location, int *years, int cap);

/* PUE. key is a number-free name: "aws", "gcp", "azure", "onprem", "laptop", or a
 * location ("aws:us-east-1" gives the AWS fleet value, "gcp:us-central1" the
 * region's own where known). Returns 0 and fills pue and source id, or -1. */
int ct_pue_lookup(const char *key, double *pue, const char **source, ct_err *e);
/* The same lookup with the table row it used: key ("gcp:us-central1", or "gcp"
 * when the region has no value of its own), year (0 when undated) and a note. */
struct ct_pue {
    char key[64];
    double pue;
    int year;
    const char *source;
    const char *note;
};
int ct_pue_get(const char *key, struct ct_pue *out, ct_err *e);

/* Chip power. */
enum ct_chip_kind { CT_CHIP_CPU = 0, CT_CHIP_GPU = 1, CT_CHIP_VCPU = 2 };
const char *ct_chip_kind_name(int kind); /* "cpu", "gpu", "vcpu" */
struct ct_chip {
    char name[96];        /* as found in the table */
    int kind;             /* enum ct_chip_kind */
    double watts;         /* TDP (or max watts, for vCPUs) per unit named */
    double idle_watts;    /* NAN unless the table gives a minimum (CCF vCPU values,
                           * Apple's idle figures, CCF's GPU minimum) */
    const char *source;   /* source id */
    const char *url;      /* the row's own address (vendor datasheet), or NULL */
    const char *note;     /* what the figure is, or NULL */
    const char *provider; /* vCPUs: whose figures ("aws", "azure", "gcp", "average") */
};
/* Looks up a chip: the vendors' datasheet table first (data/chips_vendor.csv:
 * today's GPUs and Apple chips, each row with its own address), then CPUs in
 * CodeCarbon's table, then Green Algorithms' CPUs and GPUs; or "N vCPU" (N x
 * Cloud Carbon Footprint's min/max watts per vCPU: of the provider named in
 * the chip, "N aws vCPU", else of provider ("aws", "azure", "gcp"; NULL: the
 * AWS average CCF uses when the provider is unknown)). Matching ignores case
 * and treats space, '-' and '_' alike. Unknown chip: -1 with up to five
 * nearest names in the message, the kind of device most of the close names
 * are (GPU for "A100") first. */
int ct_chip_lookup_for(const char *chip, const char *provider, struct ct_chip *out, ct_err *e);
int ct_chip_lookup(const char *chip, struct ct_chip *out, ct_err *e); /* provider NULL */
/* Every chip the tables know, in key order, then the per-vCPU rows ("aws vCPU":
 * watts per vCPU); query NULL or "" for all, else those whose normalised name
 * holds the query's normalised text. Stops early if fn returns non-zero. */
void ct_chip_each(const char *query, int (*fn)(const struct ct_chip *c, void *ud), void *ud);

/* Everyday equivalents: kgCO2e per one unit (one flight, one km, one home-year). */
struct ct_equivalent {
    const char *key;          /* "flight_ny_sf", "car_km", "home_year", ... */
    const char *label;        /* "one-way New York - San Francisco flights (passenger)" */
    double kg_per_unit;
    const char *source;       /* source id */
    const char *note;         /* edition and caveats */
};
const struct ct_equivalent *ct_equivalents(int *n);
/* Published reference footprints for scale (GPT-3 502 t, Llama 2 539 t). */
const struct ct_equivalent *ct_references(int *n);

#endif
