#ifndef CT_TEAM_H
#define CT_TEAM_H
/* The team file: an INI file with a [team] section and one [platform NAME] section
 * per platform. Loading validates every key and value; the first problem is an
 * error naming the file and line. */
#include <stddef.h>

#include "core/err.h"

/* What a platform is, for advice: playbook rules select on it, never on names. */
enum ct_kind {
    CT_KIND_LAPTOP = 0, CT_KIND_DESKTOP, CT_KIND_CI, CT_KIND_SERVER, CT_KIND_GPU_SERVER,
    CT_KIND_CLOUD, CT_KIND_STORAGE, CT_KIND_NETWORK, CT_KIND_OTHER, CT_KIND_COUNT
};
const char *ct_kind_name(int kind); /* "laptop", ..., "gpu-server", ...; "?" when out of range */
int ct_kind_parse(const char *s);   /* -1 when unknown */

/* One part of a whole-machine model: "4 x NVIDIA A100 SXM4 80GB" of chips =. */
#define CT_MAX_PARTS 8
struct ct_part {
    char name[96];         /* the chip's table name */
    int chip_kind;         /* enum ct_chip_kind */
    double n;              /* how many per unit */
    double watts, idle_watts; /* per chip; idle NAN unless the table gives one */
    const char *source;    /* the chip's source id (static) */
};

struct ct_platform {
    char *name;
    int line;              /* line of the [platform NAME] header */
    int cur_line;          /* the loader sets it before each key: the line being read */
    int key_line[32];      /* line of each key given, by bit index (team_keys.c), else 0 */
    int kind;              /* enum ct_kind: given, or inferred by validation */
    int kind_inferred;     /* 1 when kind was not given */
    char kind_why[96];     /* inferred: from what ("its chip is a GPU") */
    int method;            /* enum ct_method */
    char *location;        /* NULL: the team's country */
    double pue;            /* NAN when not given */
    char *pue_source;      /* "team file" or the PUE table's source id when named */
    char **hosts;          /* measured platforms: the hosts whose energy belongs here */
    size_t nhosts;
    /* calculated platforms */
    double count;          /* units (machines, laptops, vCPU groups), default 1 */
    char *chip;            /* NULL when watts is given */
    double watts;          /* per unit: TDP, or the chip table's value */
    double idle_watts;     /* NAN unless given (or the chip table gives a minimum) */
    double utilisation;    /* 0..1 */
    double hours_per_year; /* per unit; computed from the keys below when not given */
    double hours_per_day, days_per_year, minutes_per_month; /* NAN unless given */
    char *hours_basis;     /* how hours_per_year was given, for --explain */
    /* whole-machine calculated models: chips = 4 x A, 2 x B; ram_gb; storage;
     * base_watts; per-component utilisation (NAN: utilisation) */
    struct ct_part parts[CT_MAX_PARTS];
    int nparts;            /* chips = items, or 1 for chip = NAME with a whole-machine key */
    int machine;           /* 1: written per component (gpu, cpu, ram, storage, base) */
    double ram_gb, storage_watts, base_watts; /* 0 unless given */
    double gpu_utilisation, cpu_utilisation;  /* NAN unless given */
    char storage_desc[160];   /* how storage_watts was found */
    char power_note[200];     /* "" or "watts = 350 replaces ...'s 400 W TDP" */
    int calc_source;       /* enum ct_calc_source: which calculated records count */
    /* embodied emissions, for SCI (any method): both or neither */
    double embodied_kgco2e; /* per unit (count units, or each of hosts); NAN unless given */
    double lifetime_years;  /* the hardware's expected lifetime; NAN unless given */
    /* provided platforms: the provider rows this platform claims */
    char *provider;        /* "aws", "gcp", "azure"; NULL when not given (a provided
                            * platform with a cloud location takes that provider) */
    char **accounts;       /* accounts, projects or subscriptions claimed; none: all of
                            * the provider's rows that no other platform claims */
    size_t naccounts;
    int seen;              /* bit set of keys seen, for duplicate and missing checks */
};

/* A calculated platform is counted from one kind of calculated record: the team
 * file's own parameters (`co2tally estimate`, source kind "estimate"), or cloud
 * usage rows imported for it (`import --format usage --platform NAME`, source
 * kind "usage"), never both: the other kind is an overlap. */
enum ct_calc_source { CT_CALC_ESTIMATE = 0, CT_CALC_USAGE = 1 };

/* A host of a platform's hosts list, for lookups by host. */
struct ct_team_host {
    const char *host;
    size_t plat;           /* index into plat */
};

struct ct_team {
    char *path;
    char *name;
    char *country;         /* default location, ISO3 */
    int year;              /* 0 when not given */
    struct ct_platform *plat;
    size_t nplat;
    /* sorted views built by validation, so lookups stay O(log n) for teams of
     * thousands of platforms: plat indices by name, and (host, plat) pairs by
     * host then platform */
    size_t *by_name;
    struct ct_team_host *by_host;
    size_t nby_host;
};

/* Loads and validates path. On error returns -1 with "FILE:LINE: message". */
int ct_team_load(const char *path, struct ct_team *t, ct_err *e);
/* The same from a string (for tests and fuzzing); name is used in messages. */
int ct_team_load_string(const char *text, const char *name, struct ct_team *t, ct_err *e);
void ct_team_free(struct ct_team *t);

const struct ct_platform *ct_team_platform(const struct ct_team *t, const char *name);
/* Builds the sorted views (by_name, by_host); -1 with e when out of memory. */
int ct_team_index(struct ct_team *t, ct_err *e);
/* The first platform (lowest index) listing host, or NULL; uses by_host. */
const struct ct_platform *ct_team_first_owner(const struct ct_team *t, const char *host);
/* The platform whose hosts list holds host; NULL when none. */
const struct ct_platform *ct_team_platform_of_host(const struct ct_team *t, const char *host);
/* The platform that claims a provider's row: one whose accounts list names the
 * row's account or project, else the one platform of that provider with no
 * accounts list; NULL (unassigned) when none does. */
const struct ct_platform *ct_team_platform_of_provided(const struct ct_team *t,
                                                       const char *provider,
                                                       const char *account,
                                                       const char *project);
/* The provider whose rows a provided platform claims: its provider key, else
 * the provider of its cloud location ("gcp:europe-west1" -> "gcp"); NULL for
 * other methods and for a provided platform with neither. */
const char *ct_platform_provider(const struct ct_platform *p);
/* The location a platform's energy is counted at: its own, else the team's. */
const char *ct_platform_location(const struct ct_team *t, const struct ct_platform *p);

#endif
