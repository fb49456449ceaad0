#ifndef CT_SENSORS_FSUTIL_H
#define CT_SENSORS_FSUTIL_H
/* File helpers shared by the sysfs and procfs sensors. None allocates, so a
 * sensor's read() may use them. Files stay open from open() to close() and are
 * re-read from offset 0: sysfs and procfs regenerate their text on every read
 * from the start, and an open descriptor survives the agent dropping root. */
#include <stddef.h>
#include <stdint.h>

/* For tests: when set, called before every open with the path; a non-zero return
 * is taken as the errno that open failed with (EACCES as root, for example). */
extern int (*ct_fs_inject)(const char *path);

/* open(O_RDONLY | O_CLOEXEC), or -1 with errno set. */
int ct_fs_open(const char *path);
/* Reads the whole file from offset 0 into buf (NUL-terminated, trailing white
 * space removed). Returns the length, or -1 with errno set. */
long ct_fs_pread(int fd, char *buf, size_t cap);
int ct_fs_pread_u64(int fd, uint64_t *v);
/* Open, read, close. -1 with errno set (EINVAL: not a number). */
long ct_fs_read_str(const char *path, char *buf, size_t cap);
int ct_fs_read_u64(const char *path, uint64_t *v);
/* snprintf into out; -1 (ENAMETOOLONG) when it does not fit. */
int ct_fs_path(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Power integrated over the `now` values of successive samples (trapezoid). The
 * first sample only anchors the time: energy counts from there. */
struct ct_integ {
    double t, w, joules;
    int have;
};
void ct_integ_add(struct ct_integ *g, double now, double watts);

#endif
