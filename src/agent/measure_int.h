#ifndef CT_MEASURE_INT_H
#define CT_MEASURE_INT_H
/* Between measure.c (the child and the wait) and attrib.c (the sampling and
 * attribution). Not for other callers. */
#include "agent/measure.h"

/* Clears m, sets a bucketer up per device and takes the first readings. */
int ct_measure_setup(struct ct_measurement *m, struct ct_sensor_set *set, const char *procfs,
                     const char *host, ct_err *e);
/* One sample and its attribution. final: the command has been reaped (the tree's
 * time was raised from rusage; do not scan for it). */
int ct_measure_step(struct ct_measurement *m, int final, const struct ct_measure_hooks *h,
                    ct_err *e);
/* Sums the devices into components once the command is over. */
void ct_measure_finish(struct ct_measurement *m);

#endif
