#ifndef CT_SENSORS_BACKENDS_H
#define CT_SENSORS_BACKENDS_H
/* The backends in sensors.c's table, and what several of them share. */
#include "sensors/sensor.h"

extern const struct ct_sensor_ops ct_sensor_rapl;
extern const struct ct_sensor_ops ct_sensor_nvml;
extern const struct ct_sensor_ops ct_sensor_hwmon;
extern const struct ct_sensor_ops ct_sensor_powermetrics;
extern const struct ct_sensor_ops ct_sensor_procstat;
extern const struct ct_sensor_ops ct_sensor_meminfo;

/* The CPU as $PROCFS/cpuinfo names it: the first "model name" ("" when absent,
 * as on most Arm kernels) and the number of sockets (distinct "physical id",
 * at least 1). Returns 0, or -1 with errno when the file cannot be read. */
int ct_cpuinfo(const char *procfs, char *model, size_t cap, int *sockets);

#endif
