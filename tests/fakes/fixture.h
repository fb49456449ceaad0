/* Shared by the sensor tests: fixture trees copied into a temporary folder, so a
 * test can rewrite counters between reads and chmod files without touching the
 * source tree. */
#ifndef CT_TEST_FIXTURE_H
#define CT_TEST_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
    char dir[256];
};

/* A fresh temporary folder holding a copy of tests/fixtures/<tree> (tree may be NULL:
 * an empty folder). */
static inline void fixture_copy(struct fixture *f, const char *tree)
{
    const char *tmp = getenv("TMPDIR");
    char cmd[1024];
    snprintf(f->dir, sizeof f->dir, "%s/co2tally-sensor-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        abort();
    if (!tree)
        return;
    snprintf(cmd, sizeof cmd, "cp -R '%s/tests/fixtures/%s/.' '%s/'", getenv("CT_SOURCE_ROOT"),
             tree, f->dir);
    if (system(cmd) != 0)
        abort();
}

/* Writes text to DIR/rel in place (same inode: an open descriptor sees it). */
static inline void fixture_write(const struct fixture *f, const char *rel, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", f->dir, rel);
    FILE *fp = fopen(path, "w");
    if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
        abort();
}

static inline void fixture_path(const struct fixture *f, const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", f->dir, rel);
}

static inline void fixture_remove(struct fixture *f)
{
    char cmd[640];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwX '%s'; rm -rf '%s'", f->dir, f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
}

#endif
