/* Shared by the unit tests: a fresh ledger in a temporary folder. */
#ifndef CT_TESTUTIL_H
#define CT_TESTUTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sha256.h"
#include "ledger/ledger.h"

struct tmpledger {
    char dir[256], path[300];
    struct ct_ledger_h L;
};

static inline void tmpledger_open(struct tmpledger *t)
{
    snprintf(t->dir, sizeof t->dir, "%s/co2tally-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(t->dir))
        abort();
    snprintf(t->path, sizeof t->path, "%s/ledger.db", t->dir);
    ct_err e;
    if (ct_ledger_open(t->path, &t->L, &e) < 0) {
        fprintf(stderr, "%s\n", e.msg);
        abort();
    }
}

static inline void tmpledger_close(struct tmpledger *t)
{
    char cmd[400];
    ct_ledger_close(&t->L);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", t->dir);
}

/* A source of a kind and key (its sha256 from the key), inside a transaction. */
static inline int64_t tmpledger_source(struct ct_ledger_h *L, const char *kind, const char *key)
{
    char sha[65];
    ct_sha256_hex(key, strlen(key), sha);
    struct ct_source_rec s = {kind, key, sha, 1700000000};
    int64_t id = 0;
    int existed;
    ct_err e;
    if (L->ops->add_source(L->db, &s, &id, &existed, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        abort();
    }
    return id;
}

#endif
