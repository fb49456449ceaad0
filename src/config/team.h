#ifndef CT_TEAM_H
#define CT_TEAM_H
/* The team file: an INI file with a [team] section and one [platform NAME] section
 * per platform. Loading validates every key and value; the first problem is an
 * error naming the file and line. */
#include <stddef.h>

#include "core/err.h"

struct ct_platform {
    char *name;
    int line;              /* line of the [platform NAME] header */
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
    /* embodied emissions, for SCI (any method): both or neither */
    double embodied_kgco2e; /* per unit (count units, or each of hosts); NAN unless given */
    double lifetime_years;  /* the hardware's expected lifetime; NAN unless given */
    int seen;              /* bit set of keys seen, for duplicate and missing checks */
};

struct ct_team {
    char *path;
    char *name;
    char *country;         /* default location, ISO3 */
    int year;              /* 0 when not given */
    struct ct_platform *plat;
    size_t nplat;
};

/* Loads and validates path. On error returns -1 with "FILE:LINE: message". */
int ct_team_load(const char *path, struct ct_team *t, ct_err *e);
/* The same from a string (for tests and fuzzing); name is used in messages. */
int ct_team_load_string(const char *text, const char *name, struct ct_team *t, ct_err *e);
void ct_team_free(struct ct_team *t);

const struct ct_platform *ct_team_platform(const struct ct_team *t, const char *name);
/* The platform whose hosts list holds host; NULL when none. */
const struct ct_platform *ct_team_platform_of_host(const struct ct_team *t, const char *host);
/* The location a platform's energy is counted at: its own, else the team's. */
const char *ct_platform_location(const struct ct_team *t, const struct ct_platform *p);

#endif
