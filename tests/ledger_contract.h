/* Shared by the ledger's contract tests (ledger_contract_energy.c,
 * ledger_contract_records.c) and their runner (test_ledger.c): the helpers,
 * and the contract_* checks every backend must pass, each taking a backend
 * and a URL (test_ledger.c runs them on SQLite and on a PostgreSQL URL). */
#ifndef CT_TEST_LEDGER_CONTRACT_H
#define CT_TEST_LEDGER_CONTRACT_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sha256.h"
#include "core/timeutil.h"
#include "ledger/ledger.h"
#include "ledger/transfer.h"

#define T_DAY 1677628800LL
#define H 3600LL

/* ---- helpers ---- */

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static inline void assert_near(double got, double want)
{
    if (fabs(got - want) > 1e-9 * (fabs(want) + 1)) {
        fprintf(stderr, "got %.17g, want %.17g\n", got, want);
        fail();
    }
}

static inline void assert_contains(const char *s, const char *sub)
{
    if (!strstr(s, sub)) {
        fprintf(stderr, "'%s' lacks '%s'\n", s, sub);
        fail();
    }
}

static inline ct_ledger *open_ok(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = NULL;
    ct_err e = {{0}};
    if (ops->open(url, &l, &e) != 0) {
        fprintf(stderr, "open: %s\n", e.msg);
        fail();
    }
    return l;
}

static inline int64_t source(const struct ct_ledger_ops *ops, ct_ledger *l, const char *kind,
                      const char *sha)
{
    struct ct_source_rec s = {kind, "/tmp/x.csv", sha, 1700000000};
    int64_t id = 0;
    int existed = -1;
    ct_err e = {{0}};
    assert_int_equal(ops->add_source(l, &s, &id, &existed, &e), 0);
    assert_int_equal(existed, 0);
    assert_true(id > 0);
    return id;
}

static inline struct ct_energy_rec rec(const char *host, const char *device, int64_t t0, int64_t t1,
                                double joules)
{
    return (struct ct_energy_rec){
        .platform = NULL, .host = host, .device = device, .component = "gpu",
        .method = CT_METHOD_MEASURED, .t0 = t0, .t1 = t1, .covered_s = (double)(t1 - t0),
        .joules = joules, .idle_joules = 0, .idle_s = 0, .util = NAN,
    };
}

static inline void add_ok(const struct ct_ledger_ops *ops, ct_ledger *l, int64_t src,
                   const struct ct_energy_rec *r)
{
    ct_err e = {{0}};
    if (ops->add_energy(l, src, r, &e) != 0) {
        fprintf(stderr, "add_energy: %s\n", e.msg);
        fail();
    }
}

static inline int64_t count(const struct ct_ledger_ops *ops, ct_ledger *l, const char *table)
{
    int64_t n = -1;
    ct_err e = {{0}};
    assert_int_equal(ops->count(l, table, &n, &e), 0);
    return n;
}

/* What a scan handed out, copied. */
#define MAXDAYS 128
struct got {
    size_t n;
    struct {
        char platform[32], host[32], device[32], component[16], kind[16];
        int method;
        struct ct_energy_day d;
    } v[MAXDAYS];
};

static inline int collect(const struct ct_energy_day *d, void *ud)
{
    struct got *g = ud;
    assert_true(g->n < MAXDAYS);
    snprintf(g->v[g->n].platform, sizeof g->v[0].platform, "%s", d->platform);
    snprintf(g->v[g->n].host, sizeof g->v[0].host, "%s", d->host);
    snprintf(g->v[g->n].device, sizeof g->v[0].device, "%s", d->device);
    snprintf(g->v[g->n].component, sizeof g->v[0].component, "%s", d->component);
    snprintf(g->v[g->n].kind, sizeof g->v[0].kind, "%s", d->source_kind);
    g->v[g->n].d = *d;
    g->n++;
    return 0;
}

static inline void scan(const struct ct_ledger_ops *ops, ct_ledger *l, int64_t from, int64_t to,
                 struct got *g)
{
    ct_err e = {{0}};
    memset(g, 0, sizeof *g);
    if (ops->scan_energy_days(l, from, to, collect, g, &e) != 0) {
        fprintf(stderr, "scan: %s\n", e.msg);
        fail();
    }
}

/* ---- the contract ---- */
/* Adds one record of every kind (energy, provided, run) to source src. */
void add_all_kinds(const struct ct_ledger_ops *ops, ct_ledger *l, int64_t src);
void contract_reopen(const struct ct_ledger_ops *ops, const char *url);
void contract_source_dedup(const struct ct_ledger_ops *ops, const char *url);
void contract_upsert_sums(const struct ct_ledger_ops *ops, const char *url);
void contract_util_unknown(const struct ct_ledger_ops *ops, const char *url);
void contract_prorata(const struct ct_ledger_ops *ops, const char *url);
void contract_cut_days(const struct ct_ledger_ops *ops, const char *url);
void contract_month_cut_at_end(const struct ct_ledger_ops *ops, const char *url);
void contract_random_periods(const struct ct_ledger_ops *ops, const char *url);
void contract_calculated_month(const struct ct_ledger_ops *ops, const char *url);
void contract_grouping(const struct ct_ledger_ops *ops, const char *url);
void contract_detail(const struct ct_ledger_ops *ops, const char *url);
void contract_delete_cascades(const struct ct_ledger_ops *ops, const char *url);
void contract_rollback(const struct ct_ledger_ops *ops, const char *url);
void contract_validation(const struct ct_ledger_ops *ops, const char *url);
void contract_count_names(const struct ct_ledger_ops *ops, const char *url);
void contract_scan_records(const struct ct_ledger_ops *ops, const char *url);
void contract_list_sources(const struct ct_ledger_ops *ops, const char *url);
void contract_source_rows(const struct ct_ledger_ops *ops, const char *url);
void contract_list_every_source(const struct ct_ledger_ops *ops, const char *url);
void contract_transfer(const struct ct_ledger_ops *ops, const char *url, const char *url2);

#endif
