#ifndef CT_SCI_H
#define CT_SCI_H
/* Software Carbon Intensity (Green Software Foundation; ISO/IEC 21031:2024):
 * SCI = ((E x I) + M) per R, for the report's period.
 *   E x I  operational emissions: the report's kgCO2e per platform, extrapolated
 *          to the whole period (E: energy with the facility overhead of the PUE;
 *          I: the grid factor of each platform's location and year). A provider's
 *          own figures (scopes 1 and 2) stand for E x I where E is not known.
 *   M      embodied emissions: per platform, embodied_kgco2e per unit x units
 *          (count for calculated platforms, the number of hosts for measured
 *          ones, 1 for provided ones) x the period over lifetime_years, the
 *          time-share of the hardware's life the period uses. Platforms without
 *          those keys add no M, and the result says so.
 *   R      the functional unit's count in the period (--per), named by --unit. */
#include "core/buf.h"
#include "report/model.h"

struct ct_sci_part {
    char platform[160];
    char method[16];
    double e_kwh;        /* NAN for provided figures (energy not known) */
    double op_kg;        /* E x I, extrapolated to the period */
    double m_kg;         /* NAN when the team file gives no embodied figures */
    double units, embodied_per_unit, lifetime_years;
};

struct ct_sci {
    int64_t from, to;
    double r;
    char unit[64];
    double e_kwh, op_kg, i_kg_per_kwh, m_kg;
    double sci, sci_lo, sci_hi;   /* kgCO2e per unit; the interval from E x I's */
    struct ct_sci_part *parts;
    int nparts;
    int missing_m;                /* platforms with no embodied figures */
    int has_provided;
};

/* Computes SCI from the report document's platforms. -1 (with e) when per is
 * not positive. */
int ct_sci_compute(const struct ct_report *r, const struct ct_team *t, double per,
                   const char *unit, struct ct_sci *s, ct_err *e);
void ct_sci_free(struct ct_sci *s);
void ct_sci_text(const struct ct_sci *s, ct_buf *b);
void ct_sci_json(const struct ct_sci *s, ct_buf *b);         /* {"sci": {...}} */
void ct_sci_json_object(const struct ct_sci *s, ct_buf *b);  /* the inner object */

#endif
