#include "sensors/fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int (*ct_fs_inject)(const char *path);

int ct_fs_open(const char *path)
{
    int err = ct_fs_inject ? ct_fs_inject(path) : 0;
    if (err) {
        errno = err;
        return -1;
    }
    return open(path, O_RDONLY | O_CLOEXEC);
}

long ct_fs_pread(int fd, char *buf, size_t cap)
{
    if (cap == 0) {
        errno = EINVAL;
        return -1;
    }
    size_t n = 0;
    while (n + 1 < cap) {
        ssize_t r = pread(fd, buf + n, cap - 1 - n, (off_t)n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            buf[0] = '\0';
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    while (n > 0 && isspace((unsigned char)buf[n - 1]))
        n--;
    buf[n] = '\0';
    return (long)n;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!isdigit((unsigned char)*s)) {
        errno = EINVAL;
        return -1;
    }
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end) {
        errno = EINVAL;
        return -1;
    }
    *v = x;
    return 0;
}

int ct_fs_pread_u64(int fd, uint64_t *v)
{
    char buf[32];
    if (ct_fs_pread(fd, buf, sizeof buf) < 0)
        return -1;
    return parse_u64(buf, v);
}

long ct_fs_read_str(const char *path, char *buf, size_t cap)
{
    int fd = ct_fs_open(path);
    if (fd < 0)
        return -1;
    long n = ct_fs_pread(fd, buf, cap);
    int err = errno;
    close(fd);
    errno = err;
    return n;
}

int ct_fs_read_u64(const char *path, uint64_t *v)
{
    char buf[32];
    if (ct_fs_read_str(path, buf, sizeof buf) < 0)
        return -1;
    return parse_u64(buf, v);
}

int ct_fs_path(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

void ct_integ_add(struct ct_integ *g, double now, double watts)
{
    if (g->have && now > g->t)
        g->joules += (now - g->t) * (g->w + watts) / 2.0;
    if (!g->have || now > g->t) {
        g->t = now;
        g->w = watts;
        g->have = 1;
    }
}
