#include "agent/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"

int ct_spool_path(const char *db, char *out, size_t cap)
{
    if (!db || !*db || strstr(db, "://") || strcmp(db, ":memory:") == 0)
        return -1;
    return snprintf(out, cap, "%s%s", db, CT_SPOOL_SUFFIX) < (int)cap ? 0 : -1;
}

static void put_str(ct_buf *b, const char *s)
{
    ct_buf_puts(b, "\t");
    for (; s && *s; s++) {
        switch (*s) {
        case '\\': ct_buf_puts(b, "\\\\"); break;
        case '\t': ct_buf_puts(b, "\\t"); break;
        case '\n': ct_buf_puts(b, "\\n"); break;
        case '\r': ct_buf_puts(b, "\\r"); break;
        default: ct_buf_printf(b, "%c", *s);
        }
    }
}

static void put_num(ct_buf *b, double v) { ct_buf_printf(b, "\t%.17g", v); }
static void put_int(ct_buf *b, long long v) { ct_buf_printf(b, "\t%lld", v); }

static int open_locked(const char *path, int flags, ct_err *e)
{
    int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        return ct_errf(e, "%s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX) < 0) {
        ct_errf(e, "%s: cannot lock it: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int ct_spool_append(const char *path, const struct ct_source_rec *s, const struct ct_run_rec *r,
                    const struct ct_energy_rec *recs, int n, ct_err *e)
{
    ct_buf b = {0};
    ct_buf_puts(&b, r ? "R" : "S");
    put_str(&b, s->kind), put_str(&b, s->path), put_str(&b, s->sha256);
    put_int(&b, s->imported_at);
    if (r) {
        put_str(&b, r->host), put_str(&b, r->command);
        put_int(&b, r->t0), put_int(&b, r->t1), put_int(&b, r->exit_status);
        put_num(&b, r->cpu_j), put_num(&b, r->dram_j), put_num(&b, r->gpu_j);
        put_num(&b, r->total_j);
        put_str(&b, r->methods);
    }
    ct_buf_puts(&b, "\n");
    for (int i = 0; i < n; i++) {
        const struct ct_energy_rec *x = &recs[i];
        ct_buf_puts(&b, "E");
        put_str(&b, x->platform), put_str(&b, x->host), put_str(&b, x->device);
        put_str(&b, x->component);
        put_int(&b, x->method), put_int(&b, x->detail), put_int(&b, x->t0), put_int(&b, x->t1);
        put_num(&b, x->covered_s), put_num(&b, x->joules), put_num(&b, x->idle_joules);
        put_num(&b, x->idle_s);
        if (isnan(x->util))
            ct_buf_puts(&b, "\tnan");
        else
            put_num(&b, x->util);
        ct_buf_puts(&b, "\n");
    }
    ct_buf_puts(&b, ".\n");
    int fd = b.p ? open_locked(path, O_WRONLY | O_CREAT | O_APPEND, e) : -1;
    if (!b.p)
        ct_errf(e, "%s: out of memory", path);
    int ret = fd < 0 ? -1 : 0;
    struct stat st;
    if (ret == 0 && fstat(fd, &st) == 0 && st.st_size + (off_t)b.len > CT_SPOOL_MAX_BYTES)
        ret = ct_errf(e, "%s: full (%ld MiB of runs waiting for the ledger)", path,
                      CT_SPOOL_MAX_BYTES >> 20);
    if (ret == 0 && write(fd, b.p, b.len) != (ssize_t)b.len)
        ret = ct_errf(e, "%s: cannot write: %s", path, errno ? strerror(errno) : "short write");
    if (fd >= 0)
        close(fd);
    ct_buf_free(&b);
    return ret;
}

/* ---- reading ---- */

/* Splits a line into tab-separated fields, unescaping each in place. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    for (char *p = line;; p++) {
        if (n == max)
            return -1;
        f[n++] = p;
        char *w = p;
        for (; *p && *p != '\t'; p++) {
            if (*p == '\\' && p[1]) {
                p++;
                *w++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
            } else {
                *w++ = *p;
            }
        }
        int end = *p == '\0';
        *w = '\0';
        if (end)
            return n;
    }
}

static int num(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return *s && !*end ? 0 : -1;
}

static int inum(const char *s, int64_t *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    *v = x;
    return *s && !*end && errno == 0 ? 0 : -1;
}

struct drain {
    const char *path;
    const struct ct_ledger_h *L;
    int line, skip, nblocks;
    int64_t source;
    ct_err *e;
};

static int bad(struct drain *d) { return ct_errf(d->e, "%s:%d: not a spool line", d->path, d->line); }

static int run_line(struct drain *d, char **f, int n)
{
    int64_t imported = 0, t0 = 0, t1 = 0, st = 0;
    double cpu = 0, dram = 0, gpu = 0, total = 0;
    int run = f[0][0] == 'R';
    if (n != (run ? 15 : 5) || inum(f[4], &imported) ||
        (run && (inum(f[7], &t0) || inum(f[8], &t1) || inum(f[9], &st) || num(f[10], &cpu) ||
                 num(f[11], &dram) || num(f[12], &gpu) || num(f[13], &total))))
        return bad(d);
    struct ct_source_rec s = {.kind = f[1], .path = f[2], .sha256 = f[3], .imported_at = imported};
    int existed;
    if (d->L->ops->add_source(d->L->db, &s, &d->source, &existed, d->e) < 0)
        return -1;
    d->skip = existed;
    if (existed)
        return 0;
    d->nblocks++;
    if (!run)
        return 0;
    struct ct_run_rec r = {.host = f[5], .command = f[6], .t0 = t0, .t1 = t1,
                           .exit_status = (int)st, .cpu_j = cpu, .dram_j = dram, .gpu_j = gpu,
                           .total_j = total, .methods = f[14]};
    return d->L->ops->add_run(d->L->db, d->source, &r, d->e);
}

static int energy_line(struct drain *d, char **f, int n)
{
    int64_t method, detail, t0, t1;
    struct ct_energy_rec r = {0};
    if (n != 14 || inum(f[5], &method) || inum(f[6], &detail) || inum(f[7], &t0) ||
        inum(f[8], &t1) || num(f[9], &r.covered_s) || num(f[10], &r.joules) ||
        num(f[11], &r.idle_joules) || num(f[12], &r.idle_s) || num(f[13], &r.util))
        return bad(d);
    if (d->skip)
        return 0;
    r.platform = f[1], r.host = f[2], r.device = f[3], r.component = f[4];
    r.method = (int)method, r.detail = (int)detail, r.t0 = t0, r.t1 = t1;
    return d->L->ops->add_energy(d->L->db, d->source, &r, d->e);
}

/* Adds the blocks of text (NUL-terminated) inside the caller's transaction.
 * Whatever follows the last closing "." is a block a crash cut short: left out. */
static int add_all(struct drain *d, char *text)
{
    char *last = strstr(text, ".\n") == text ? text : NULL;
    for (char *p = text; (p = strstr(p, "\n.\n")) != NULL; p++)
        last = p + 1;
    if (!last)
        return 0;
    last[2] = '\0';
    char *f[16];
    int in_block = 0;
    for (char *line = text, *next; *line; line = next) {
        next = strchr(line, '\n');
        *next++ = '\0';
        d->line++;
        int n = split(line, f, 16);
        if (n < 0)
            return bad(d);
        if (strcmp(f[0], ".") == 0 && n == 1 && in_block) {
            in_block = 0;
        } else if ((strcmp(f[0], "R") == 0 || strcmp(f[0], "S") == 0) && !in_block) {
            in_block = 1;
            if (run_line(d, f, n) < 0)
                return -1;
        } else if (strcmp(f[0], "E") == 0 && in_block) {
            if (energy_line(d, f, n) < 0)
                return -1;
        } else {
            return bad(d);
        }
    }
    return 0;
}

static char *read_all(int fd, const char *path, ct_err *e)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size > CT_SPOOL_MAX_BYTES + (1 << 20)) {
        ct_errf(e, "%s: cannot read it (or it is too large)", path);
        return NULL;
    }
    char *p = malloc((size_t)st.st_size + 1);
    size_t n = 0;
    while (p && n < (size_t)st.st_size) {
        ssize_t k = read(fd, p + n, (size_t)st.st_size - n);
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    if (!p)
        ct_errf(e, "%s: out of memory", path);
    else
        p[n] = '\0';
    return p;
}

int ct_spool_drain(const char *path, const struct ct_ledger_h *L, int *nblocks, ct_err *e)
{
    *nblocks = 0;
    if (access(path, F_OK) != 0)
        return 0;
    int fd = open_locked(path, O_RDWR, e);
    if (fd < 0)
        return -1;
    char *text = read_all(fd, path, e);
    struct drain d = {.path = path, .L = L, .e = e};
    int ret = text ? 0 : -1;
    if (ret == 0 && text[0]) {
        ret = L->ops->begin(L->db, e);
        if (ret == 0 && (add_all(&d, text) < 0 || L->ops->commit(L->db, e) < 0)) {
            L->ops->rollback(L->db);
            ret = -1;
        }
    }
    /* Committed: empty it (a block appended meanwhile waited for the lock). */
    if (ret == 0 && ftruncate(fd, 0) < 0)
        ret = ct_errf(e, "%s: written to the ledger but cannot empty it: %s", path,
                      strerror(errno));
    if (ret == 0)
        *nblocks = d.nblocks;
    free(text);
    close(fd);
    return ret;
}
