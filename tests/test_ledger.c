/* Ledger tests.
 *
 * The contract_* functions take a backend and a URL and check what every
 * backend must do, with values worked out by hand in the comments; the cmocka
 * wrappers run them on SQLite in a fresh temporary directory, or, when
 * CT_TEST_LEDGER_URL names a PostgreSQL server (tests/pg/pgtest.sh starts
 * one), on that server in a fresh schema each.
 * Then come SQLite-only checks (schema version, WAL, foreign files), the
 * backend selection, and SHA-256 against the FIPS 180-4 examples. */
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

/* 2023-03-01T00:00:00Z, a day and an hour boundary. */
#define T_DAY 1677628800LL
#define H 3600LL

/* ---- helpers ---- */

static const char SHA_A[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char SHA_B[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
static const char SHA_C[] = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

static void assert_near(double got, double want)
{
    if (fabs(got - want) > 1e-9 * (fabs(want) + 1)) {
        fprintf(stderr, "got %.17g, want %.17g\n", got, want);
        fail();
    }
}

static void assert_contains(const char *s, const char *sub)
{
    if (!strstr(s, sub)) {
        fprintf(stderr, "'%s' lacks '%s'\n", s, sub);
        fail();
    }
}

static ct_ledger *open_ok(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = NULL;
    ct_err e = {{0}};
    if (ops->open(url, &l, &e) != 0) {
        fprintf(stderr, "open: %s\n", e.msg);
        fail();
    }
    return l;
}

static int64_t source(const struct ct_ledger_ops *ops, ct_ledger *l, const char *kind,
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

static struct ct_energy_rec rec(const char *host, const char *device, int64_t t0, int64_t t1,
                                double joules)
{
    return (struct ct_energy_rec){
        .platform = NULL, .host = host, .device = device, .component = "gpu",
        .method = CT_METHOD_MEASURED, .t0 = t0, .t1 = t1, .covered_s = (double)(t1 - t0),
        .joules = joules, .idle_joules = 0, .idle_s = 0, .util = NAN,
    };
}

static void add_ok(const struct ct_ledger_ops *ops, ct_ledger *l, int64_t src,
                   const struct ct_energy_rec *r)
{
    ct_err e = {{0}};
    if (ops->add_energy(l, src, r, &e) != 0) {
        fprintf(stderr, "add_energy: %s\n", e.msg);
        fail();
    }
}

static int64_t count(const struct ct_ledger_ops *ops, ct_ledger *l, const char *table)
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

static int collect(const struct ct_energy_day *d, void *ud)
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

static void scan(const struct ct_ledger_ops *ops, ct_ledger *l, int64_t from, int64_t to,
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

/* Opening twice migrates once and keeps what was stored. */
static void contract_reopen(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    int64_t src = source(ops, l, "agent", SHA_A);
    struct ct_energy_rec r = rec("h1", "gpu0", T_DAY, T_DAY + H, 10);
    add_ok(ops, l, src, &r);
    ops->close(l);
    l = open_ok(ops, url);
    assert_int_equal(count(ops, l, "sources"), 1);
    assert_int_equal(count(ops, l, "energy"), 1);
    ops->close(l);
}

static void contract_source_dedup(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    ct_err e = {{0}};
    int64_t id = source(ops, l, "nvidia-smi", SHA_A), id2 = 0, found = -1;
    int existed = 0;
    struct ct_source_rec again = {"turbostat", "/other/path", SHA_A, 1800000000};
    assert_int_equal(ops->add_source(l, &again, &id2, &existed, &e), 0);
    assert_int_equal(existed, 1);
    assert_int_equal(id2, id);
    assert_int_equal(ops->find_source(l, SHA_A, &found, &e), 0);
    assert_int_equal(found, id);
    assert_int_equal(ops->find_source(l, SHA_B, &found, &e), 0);
    assert_int_equal(found, 0);
    assert_int_equal(count(ops, l, "sources"), 1);

    struct ct_source_rec bad = {"agent", "x", "ABC", 0};
    assert_int_equal(ops->add_source(l, &bad, &id2, &existed, &e), -1);
    assert_contains(e.msg, "sha256");
    ops->close(l);
}

/* Two adds to one bucket sum; util is kept covered-time weighted. */
static void contract_upsert_sums(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    int64_t src = source(ops, l, "agent", SHA_A);
    struct ct_energy_rec r = rec("h1", "gpu0", T_DAY + 2 * H, T_DAY + 3 * H, 1000);
    r.covered_s = 1800, r.idle_joules = 100, r.idle_s = 60, r.util = 0.5;
    add_ok(ops, l, src, &r);
    r.joules = 500, r.covered_s = 1200, r.idle_joules = 50, r.idle_s = 30, r.util = 0.2;
    add_ok(ops, l, src, &r);
    assert_int_equal(count(ops, l, "energy"), 1);

    struct got g;
    scan(ops, l, T_DAY, T_DAY + CT_DAY, &g);
    assert_int_equal(g.n, 1);
    assert_near(g.v[0].d.joules, 1500);
    assert_near(g.v[0].d.covered_s, 3000);
    assert_near(g.v[0].d.idle_joules, 150);
    assert_near(g.v[0].d.idle_s, 90);
    assert_near(g.v[0].d.util_s, 0.5 * 1800 + 0.2 * 1200); /* 1140: mean 0.38 */
    assert_int_equal(g.v[0].d.day, T_DAY);
    assert_string_equal(g.v[0].platform, "");
    assert_string_equal(g.v[0].host, "h1");
    assert_string_equal(g.v[0].kind, "agent");
    assert_int_equal(g.v[0].d.method, CT_METHOD_MEASURED);
    ops->close(l);
}

/* Unknown utilisation adds nothing to util_s but its time still counts. */
static void contract_util_unknown(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    int64_t src = source(ops, l, "agent", SHA_A);
    struct ct_energy_rec r = rec("h1", "gpu0", T_DAY, T_DAY + H, 10);
    r.covered_s = 600;
    add_ok(ops, l, src, &r); /* util NAN */
    r.covered_s = 1000, r.util = 0.4;
    add_ok(ops, l, src, &r);
    struct ct_energy_rec only_nan = rec("h2", "gpu0", T_DAY, T_DAY + H, 10);
    add_ok(ops, l, src, &only_nan);

    struct got g;
    scan(ops, l, T_DAY, T_DAY + CT_DAY, &g);
    assert_int_equal(g.n, 2);
    assert_near(g.v[0].d.covered_s, 1600);
    assert_near(g.v[0].d.util_s, 400);
    assert_near(g.v[1].d.util_s, 0);
    ops->close(l);
}

/* A record straddling the period edge counts pro rata. */
static void contract_prorata(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    int64_t src = source(ops, l, "agent", SHA_A);
    struct ct_energy_rec r = rec("h1", "gpu0", T_DAY + 5 * H, T_DAY + 6 * H, 3600);
    r.idle_joules = 360, r.idle_s = 600, r.util = 0.25;
    add_ok(ops, l, src, &r);

    struct got g;
    scan(ops, l, T_DAY + 5 * H + H / 2, T_DAY + 2 * CT_DAY, &g); /* from half past */
    assert_int_equal(g.n, 1);
    assert_near(g.v[0].d.joules, 1800);
    assert_near(g.v[0].d.covered_s, 1800);
    assert_near(g.v[0].d.idle_joules, 180);
    assert_near(g.v[0].d.idle_s, 300);
    assert_near(g.v[0].d.util_s, 0.25 * 3600 / 2);
    assert_int_equal(g.v[0].d.day, T_DAY);

    scan(ops, l, T_DAY, T_DAY + 5 * H + 900, &g); /* to a quarter past */
    assert_int_equal(g.n, 1);
    assert_near(g.v[0].d.joules, 900);

    scan(ops, l, INT64_MIN, INT64_MAX, &g); /* everything */
    assert_int_equal(g.n, 1);
    assert_near(g.v[0].d.joules, 3600);
    assert_int_equal(g.v[0].d.day, T_DAY);

    scan(ops, l, T_DAY + 6 * H, T_DAY + CT_DAY, &g); /* [t1, ...) holds none of it */
    assert_int_equal(g.n, 0);
    scan(ops, l, T_DAY, T_DAY + 5 * H, &g); /* [..., t0) neither */
    assert_int_equal(g.n, 0);
    ops->close(l);
}

/* Periods that start or end inside a day: whole days and cut days agree. */
static void contract_cut_days(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    int64_t src = source(ops, l, "agent", SHA_A);
    for (int64_t h = 0; h < 48; h++) { /* 100 J in each hour of two days */
        struct ct_energy_rec r = rec("h1", "gpu0", T_DAY + h * H, T_DAY + (h + 1) * H, 100);
        add_ok(ops, l, src, &r);
    }
    struct got g;
    scan(ops, l, T_DAY, T_DAY + 10 * H + H / 2, &g); /* to half past ten */
    assert_int_equal(g.n, 1);
    assert_near(g.v[0].d.joules, 1050);
    assert_near(g.v[0].d.covered_s, 10.5 * H);

    scan(ops, l, T_DAY + 5 * H + H / 2, T_DAY + 3 * CT_DAY, &g); /* from half past five */
    assert_int_equal(g.n, 2);
    assert_int_equal(g.v[0].d.day, T_DAY);
    assert_near(g.v[0].d.joules, 50 + 18 * 100);
    assert_int_equal(g.v[1].d.day, T_DAY + CT_DAY);
    assert_near(g.v[1].d.joules, 2400);

    scan(ops, l, T_DAY + 30 * H, T_DAY + 30 * H + 60, &g); /* one minute */
    assert_int_equal(g.n, 1);
    assert_int_equal(g.v[0].d.day, T_DAY + CT_DAY);
    assert_near(g.v[0].d.joules, 100.0 / 60);
    ops->close(l);
}

/* A calculated month ending past the period: cut at the period's end. */
static void contract_month_cut_at_end(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    int64_t src = source(ops, l, "estimate", SHA_A);
    int64_t jan1 = ct_days_from_civil(2023, 1, 1) * CT_DAY;
    struct ct_energy_rec r = rec("laptops", "calculated", jan1, jan1 + 31 * CT_DAY, 3100);
    r.method = CT_METHOD_CALCULATED;
    add_ok(ops, l, src, &r);
    struct got g;
    scan(ops, l, jan1 - 5 * CT_DAY, jan1 + 10 * CT_DAY, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.v[0].d.day, jan1);
    assert_near(g.v[0].d.joules, 1000);
    ops->close(l);
}

/* Random buckets and random periods against sums worked out here, record by
 * record, with the pro-rata rule. */
#define NREC 300
static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

static void contract_random_periods(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    int64_t src = source(ops, l, "agent", SHA_A);
    static struct ct_energy_rec recs[NREC];
    uint64_t x = 42;
    for (int i = 0; i < NREC; i++) {
        int64_t hour = T_DAY + (int64_t)(lcg(&x) % (10 * 24)) * H;
        int64_t t0 = hour + (int64_t)(lcg(&x) % 1800), t1 = t0 + 1 + (int64_t)(lcg(&x) % 1799);
        recs[i] = rec(lcg(&x) % 2 ? "h1" : "h2", "gpu0", t0, t1, (double)(lcg(&x) % 5000));
        if (i % 50 == 0) { /* some calculated records of several days */
            recs[i].method = CT_METHOD_CALCULATED;
            recs[i].t1 = t0 + (int64_t)(lcg(&x) % (5 * CT_DAY)) + 1;
            recs[i].covered_s = (double)(recs[i].t1 - t0);
        }
        add_ok(ops, l, src, &recs[i]);
    }
    for (int trial = 0; trial < 40; trial++) {
        int64_t from = T_DAY - CT_DAY + (int64_t)(lcg(&x) % (12 * CT_DAY));
        int64_t to = from + 1 + (int64_t)(lcg(&x) % (6 * CT_DAY));
        if (trial % 4 == 0) /* whole days too */
            from = ct_floor(from, CT_DAY), to = ct_floor(to, CT_DAY) + CT_DAY;
        struct got g;
        scan(ops, l, from, to, &g);
        for (size_t k = 0; k < g.n; k++) {
            double want = 0;
            for (int i = 0; i < NREC; i++) {
                const struct ct_energy_rec *r = &recs[i];
                int64_t a = r->t0 > from ? r->t0 : from, b = r->t1 < to ? r->t1 : to;
                if (b <= a || strcmp(r->host, g.v[k].host) != 0 ||
                    r->method != g.v[k].d.method || ct_floor(a, CT_DAY) != g.v[k].d.day)
                    continue;
                want += r->joules * (double)(b - a) / (double)(r->t1 - r->t0);
            }
            if (fabs(g.v[k].d.joules - want) > 1e-6 * (want + 1)) {
                fprintf(stderr, "trial %d: %s day %lld: %.9g, want %.9g\n", trial,
                        g.v[k].host, (long long)g.v[k].d.day, g.v[k].d.joules, want);
                fail();
            }
        }
        /* And nothing is left out: the totals agree. */
        double total = 0, want = 0;
        for (size_t k = 0; k < g.n; k++)
            total += g.v[k].d.joules;
        for (int i = 0; i < NREC; i++) {
            const struct ct_energy_rec *r = &recs[i];
            int64_t a = r->t0 > from ? r->t0 : from, b = r->t1 < to ? r->t1 : to;
            if (b > a)
                want += r->joules * (double)(b - a) / (double)(r->t1 - r->t0);
        }
        assert_true(fabs(total - want) <= 1e-6 * (want + 1));
    }
    ops->close(l);
}

/* A calculated month clipped from the 16th: 16 of 31 days, all on the 16th
 * (a record counts on the day it starts, after clipping). */
static void contract_calculated_month(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    int64_t src = source(ops, l, "estimate", SHA_A);
    int64_t jan1 = ct_days_from_civil(2023, 1, 1) * CT_DAY;
    int64_t feb1 = ct_days_from_civil(2023, 2, 1) * CT_DAY;
    struct ct_energy_rec r = rec("laptops", "calculated", jan1, feb1, 31.0 * 1000);
    r.method = CT_METHOD_CALCULATED, r.platform = "laptops", r.component = "system";
    add_ok(ops, l, src, &r);

    struct got g;
    int64_t jan16 = jan1 + 15 * CT_DAY;
    scan(ops, l, jan16, feb1 + 100 * CT_DAY, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.v[0].d.day, jan16);
    assert_near(g.v[0].d.joules, 16.0 * 1000);
    assert_int_equal(g.v[0].d.method, CT_METHOD_CALCULATED);
    assert_string_equal(g.v[0].platform, "laptops");
    ops->close(l);
}

static void add_grid(const struct ct_ledger_ops *ops, ct_ledger *l)
{
    int64_t agent = source(ops, l, "agent", SHA_A);
    int64_t smi1 = source(ops, l, "nvidia-smi", SHA_B);
    int64_t smi2 = source(ops, l, "nvidia-smi", SHA_C);
    struct ct_energy_rec r = rec("hb", "gpu0", T_DAY, T_DAY + H, 1);
    add_ok(ops, l, agent, &r);
    r = rec("ha", "gpu0", T_DAY + CT_DAY + 3 * H, T_DAY + CT_DAY + 4 * H, 2);
    add_ok(ops, l, agent, &r);
    r = rec("ha", "gpu0", T_DAY + H, T_DAY + 2 * H, 4);
    add_ok(ops, l, agent, &r);
    r = rec("ha", "gpu0", T_DAY + 7 * H, T_DAY + 8 * H, 8);
    add_ok(ops, l, agent, &r);
    /* Two log files of one kind for one device: one group, days merged. */
    r = rec("ha", "gpu0", T_DAY + 9 * H, T_DAY + 10 * H, 16);
    add_ok(ops, l, smi2, &r);
    r = rec("ha", "gpu0", T_DAY + CT_DAY + 9 * H, T_DAY + CT_DAY + 10 * H, 32);
    add_ok(ops, l, smi1, &r);
    r = rec("ha", "gpu0", T_DAY + 10 * H, T_DAY + 11 * H, 64);
    add_ok(ops, l, smi1, &r);
    r = rec("ha", "gpu0", T_DAY + 3 * H, T_DAY + 4 * H, 128);
    r.platform = "onprem";
    add_ok(ops, l, agent, &r);
}

/* Days come out summed and sorted by platform, host, device, component,
 * method, source kind, day. */
static void contract_grouping(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    add_grid(ops, l);
    struct got g;
    scan(ops, l, T_DAY, T_DAY + 7 * CT_DAY, &g);
    static const struct {
        const char *platform, *host, *kind;
        int64_t day;
        double joules;
    } want[] = {
        {"", "ha", "agent", T_DAY, 4 + 8},
        {"", "ha", "agent", T_DAY + CT_DAY, 2},
        {"", "ha", "nvidia-smi", T_DAY, 16 + 64},
        {"", "ha", "nvidia-smi", T_DAY + CT_DAY, 32},
        {"", "hb", "agent", T_DAY, 1},
        {"onprem", "ha", "agent", T_DAY, 128},
    };
    assert_int_equal(g.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < g.n; i++) {
        assert_string_equal(g.v[i].platform, want[i].platform);
        assert_string_equal(g.v[i].host, want[i].host);
        assert_string_equal(g.v[i].kind, want[i].kind);
        assert_string_equal(g.v[i].device, "gpu0");
        assert_string_equal(g.v[i].component, "gpu");
        assert_int_equal(g.v[i].d.day, want[i].day);
        assert_near(g.v[i].d.joules, want[i].joules);
    }
    ops->close(l);
}

/* A detail record (a core inside its package) is kept but not totalled. */
static void contract_detail(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    int64_t src = source(ops, l, "turbostat", SHA_A);
    struct ct_energy_rec pkg = rec("h1", "cpu0", T_DAY, T_DAY + H, 100), core = pkg;
    core.device = "cpu0/core0", core.joules = 30, core.detail = 1;
    add_ok(ops, l, src, &pkg);
    add_ok(ops, l, src, &core);
    core.device = "cpu0"; /* same key as the package, but detail: its own bucket */
    add_ok(ops, l, src, &core);
    assert_int_equal(count(ops, l, "energy"), 3);
    struct got g;
    scan(ops, l, T_DAY, T_DAY + CT_DAY, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.v[0].device, "cpu0");
    assert_near(g.v[0].d.joules, 100);
    ops->close(l);
}

static void add_all_kinds(const struct ct_ledger_ops *ops, ct_ledger *l, int64_t src)
{
    ct_err e = {{0}};
    struct ct_energy_rec r = rec("h1", "gpu0", T_DAY, T_DAY + H, 10);
    add_ok(ops, l, src, &r);
    struct ct_provided_rec p = {"aws", "123", "", "EC2", "us-east-1", "USE1", 2, 0,
                                T_DAY, T_DAY + CT_DAY, 1.5, 1.5, "MTCO2e", NULL};
    assert_int_equal(ops->add_provided(l, src, &p, &e), 0);
    struct ct_run_rec run = {"h1", "make", T_DAY, T_DAY + 60, 0, 1, 2, 3, 6, "cpu=measured"};
    assert_int_equal(ops->add_run(l, src, &run, &e), 0);
}

static void contract_delete_cascades(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    ct_err e = {{0}};
    int64_t a = source(ops, l, "aws", SHA_A), b = source(ops, l, "aws", SHA_B);
    add_all_kinds(ops, l, a);
    add_all_kinds(ops, l, b);
    assert_int_equal(ops->delete_source(l, a, &e), 0);
    assert_int_equal(count(ops, l, "sources"), 1);
    assert_int_equal(count(ops, l, "energy"), 1);
    assert_int_equal(count(ops, l, "provided"), 1);
    assert_int_equal(count(ops, l, "runs"), 1);
    assert_int_equal(ops->delete_source(l, b, &e), 0);
    assert_int_equal(count(ops, l, "energy"), 0);
    assert_int_equal(count(ops, l, "provided"), 0);
    assert_int_equal(count(ops, l, "runs"), 0);
    struct got g;
    scan(ops, l, 0, T_DAY * 2, &g);
    assert_int_equal(g.n, 0);

    assert_int_equal(ops->delete_source(l, b, &e), -1);
    assert_contains(e.msg, "no source");
    /* Energy for a deleted source is refused, not filed under a stale series. */
    struct ct_energy_rec r = rec("h1", "gpu0", T_DAY, T_DAY + H, 10);
    assert_int_equal(ops->add_energy(l, a, &r, &e), -1);
    ops->close(l);
}

static void contract_rollback(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    ct_err e = {{0}};
    assert_int_equal(ops->begin(l, &e), 0);
    int64_t a = source(ops, l, "aws", SHA_A);
    add_all_kinds(ops, l, a);
    ops->rollback(l);
    static const char *const tables[] = {"sources", "energy", "provided", "runs"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(count(ops, l, tables[i]), 0);
    ops->rollback(l); /* no transaction: harmless */

    /* After a rollback the same keys work again (no stale cached series). */
    assert_int_equal(ops->begin(l, &e), 0);
    a = source(ops, l, "aws", SHA_A);
    add_all_kinds(ops, l, a);
    assert_int_equal(ops->commit(l, &e), 0);
    ops->close(l);
    l = open_ok(ops, url);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(count(ops, l, tables[i]), 1);
    struct got g;
    scan(ops, l, T_DAY, T_DAY + CT_DAY, &g);
    assert_int_equal(g.n, 1);
    assert_near(g.v[0].d.joules, 10);
    ops->close(l);
}

static void expect_invalid(const struct ct_ledger_ops *ops, ct_ledger *l, int64_t src,
                           const struct ct_energy_rec *r, const char *msg)
{
    ct_err e = {{0}};
    assert_int_equal(ops->add_energy(l, src, r, &e), -1);
    assert_contains(e.msg, msg);
}

static void contract_validation(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    int64_t s = source(ops, l, "agent", SHA_A);
    struct ct_energy_rec ok = rec("h1", "gpu0", T_DAY, T_DAY + H, 10), r;
    r = ok, r.t1 = r.t0;
    expect_invalid(ops, l, s, &r, "before it starts");
    r = ok, r.covered_s = H + 1;
    expect_invalid(ops, l, s, &r, "covers");
    r = ok, r.joules = -1;
    expect_invalid(ops, l, s, &r, "negative");
    r = ok, r.joules = NAN;
    expect_invalid(ops, l, s, &r, "non-finite");
    r = ok, r.util = INFINITY;
    expect_invalid(ops, l, s, &r, "non-finite");
    r = ok, r.util = 1.5;
    expect_invalid(ops, l, s, &r, "utilisation");
    r = ok, r.idle_joules = 11;
    expect_invalid(ops, l, s, &r, "idle");
    r = ok, r.t0 += 60, r.t1 += 60;
    expect_invalid(ops, l, s, &r, "crosses a UTC hour boundary");
    r = ok, r.method = CT_METHOD_PROVIDED;
    expect_invalid(ops, l, s, &r, "measured or calculated");
    r = ok, r.t0 = -H, r.t1 = 0;
    expect_invalid(ops, l, s, &r, "outside 1970..9999");
    r = ok, r.t0 = INT64_MAX - 10, r.t1 = INT64_MAX;
    expect_invalid(ops, l, s, &r, "outside 1970..9999");
    r = ok, r.detail = 2;
    expect_invalid(ops, l, s, &r, "detail");
    r = ok, r.host = NULL;
    expect_invalid(ops, l, s, &r, "lacks a host");
    r = ok, r.method = CT_METHOD_CALCULATED, r.t1 = ct_next_month(r.t0) + 1;
    expect_invalid(ops, l, s, &r, "crosses a UTC month boundary");
    assert_int_equal(count(ops, l, "energy"), 0);

    r = ok, r.method = CT_METHOD_CALCULATED, r.t1 = ct_next_month(r.t0);
    r.covered_s = (double)(r.t1 - r.t0);
    add_ok(ops, l, s, &r);
    r = ok, r.covered_s = H + 1e-6; /* float slack is allowed */
    add_ok(ops, l, s, &r);
    assert_int_equal(count(ops, l, "energy"), 2);
    ops->close(l);
}

static void contract_count_names(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    ct_err e = {{0}};
    int64_t n = 7;
    assert_int_equal(ops->count(l, "sqlite_master", &n, &e), -1);
    assert_contains(e.msg, "no table");
    assert_int_equal(ops->count(l, "sources; DROP TABLE sources", &n, &e), -1);
    assert_int_equal(ops->count(l, NULL, &n, &e), -1);
    assert_int_equal(count(ops, l, "sources"), 0);
    ops->close(l);
}

static int collect_provided(const struct ct_provided_rec *r, void *ud)
{
    struct ct_provided_rec *out = ud;
    assert_string_equal(r->provider, "aws");
    assert_string_equal(r->region_raw, "USE1");
    assert_null(r->platform);
    out->kgco2e += r->kgco2e;
    out->scope = r->scope;
    return 0;
}

static int collect_run(const struct ct_run_rec *r, void *ud)
{
    int *n = ud;
    assert_string_equal(r->command, "make");
    assert_string_equal(r->methods, "cpu=measured");
    assert_near(r->total_j, 6);
    assert_int_equal(r->t1 - r->t0, 60);
    (*n)++;
    return 0;
}

static int stop_at_once(const struct ct_energy_day *d, void *ud)
{
    (void)d, (void)ud;
    return 1;
}

static void contract_scan_records(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    ct_err e = {{0}};
    add_all_kinds(ops, l, source(ops, l, "aws", SHA_A));
    struct ct_provided_rec sum = {0};
    assert_int_equal(ops->scan_provided(l, T_DAY, T_DAY + 1, collect_provided, &sum, &e), 0);
    assert_near(sum.kgco2e, 1.5);
    assert_int_equal(sum.scope, 2);
    sum.kgco2e = 0;
    assert_int_equal(ops->scan_provided(l, T_DAY + CT_DAY, T_DAY + 9 * CT_DAY, collect_provided,
                                        &sum, &e), 0);
    assert_near(sum.kgco2e, 0);
    int runs = 0;
    assert_int_equal(ops->scan_runs(l, T_DAY - CT_DAY, T_DAY + 30, collect_run, &runs, &e), 0);
    assert_int_equal(runs, 1);
    assert_int_equal(ops->scan_energy_days(l, 0, T_DAY * 2, stop_at_once, NULL, &e), -1);
    assert_contains(e.msg, "stopped");
    /* The aborted scan leaves the ledger usable, for writes too. */
    assert_int_equal(ops->begin(l, &e), 0);
    assert_int_equal(ops->commit(l, &e), 0);
    ops->close(l);
}

/* list_sources (version 2): the sources of one kind, by path then id, with the
 * ids add_source gave; a stopping callback makes it -1. */
struct listed {
    int n;
    int64_t id[8];
    char path[8][32];
    int stop_after;
};

static int collect_source(int64_t id, const struct ct_source_rec *s, void *ud)
{
    struct listed *g = ud;
    assert_true(g->n < 8);
    assert_string_equal(s->kind, "estimate");
    assert_int_equal(strlen(s->sha256), 64);
    assert_int_equal(s->imported_at, 1700000000);
    g->id[g->n] = id;
    snprintf(g->path[g->n], sizeof g->path[0], "%s", s->path);
    return ++g->n == g->stop_after;
}

static void contract_list_sources(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    ct_err e = {{0}};
    int64_t ids[3];
    const char *shas[3] = {SHA_A, SHA_B, SHA_C}, *paths[3] = {"estimate:b:2023", "x.csv",
                                                              "estimate:a:2024"};
    for (int i = 0; i < 3; i++) {
        struct ct_source_rec s = {i == 1 ? "nvidia-smi" : "estimate", paths[i], shas[i],
                                  1700000000};
        int existed = -1;
        assert_int_equal(ops->add_source(l, &s, &ids[i], &existed, &e), 0);
    }
    struct listed g = {0};
    assert_int_equal(ops->list_sources(l, "estimate", collect_source, &g, &e), 0);
    assert_int_equal(g.n, 2); /* the nvidia-smi source is another kind */
    assert_string_equal(g.path[0], "estimate:a:2024");
    assert_int_equal(g.id[0], ids[2]);
    assert_string_equal(g.path[1], "estimate:b:2023");
    assert_int_equal(g.id[1], ids[0]);
    memset(&g, 0, sizeof g);
    assert_int_equal(ops->list_sources(l, "aws", collect_source, &g, &e), 0);
    assert_int_equal(g.n, 0);
    /* Listed ids delete, inside a transaction, and are gone from the list. */
    assert_int_equal(ops->begin(l, &e), 0);
    assert_int_equal(ops->delete_source(l, ids[2], &e), 0);
    assert_int_equal(ops->commit(l, &e), 0);
    memset(&g, 0, sizeof g);
    assert_int_equal(ops->list_sources(l, "estimate", collect_source, &g, &e), 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.id[0], ids[0]);
    struct ct_source_rec c = {"estimate", "estimate:c:2023", SHA_C, 1700000000};
    assert_int_equal(ops->add_source(l, &c, &ids[2], NULL, &e), 0);
    g = (struct listed){.stop_after = 1}; /* two listed, stopped after the first */
    e.msg[0] = '\0';
    assert_int_equal(ops->list_sources(l, "estimate", collect_source, &g, &e), -1);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.path[0], "estimate:b:2023");
    assert_contains(e.msg, "stopped");
    ops->close(l);
}


/* ---- version 4: reading a source back, and copying it (push, merge) ---- */

/* What source_energy_rows handed out, copied. */
struct erows {
    int n;
    struct {
        char platform[16], host[16], device[16];
        struct ct_energy_rec r;
    } v[16];
};

static int collect_erow(const struct ct_energy_rec *r, void *ud)
{
    struct erows *g = ud;
    assert_true(g->n < 16);
    snprintf(g->v[g->n].platform, sizeof g->v[0].platform, "%s", r->platform ? r->platform : "");
    snprintf(g->v[g->n].host, sizeof g->v[0].host, "%s", r->host);
    snprintf(g->v[g->n].device, sizeof g->v[0].device, "%s", r->device);
    g->v[g->n].r = *r;
    g->n++;
    return 0;
}

static int count_series(const struct ct_series_row *r, void *ud)
{
    assert_string_equal(r->source_kind, "turbostat");
    assert_string_equal(r->device, "package-0"); /* the detail core is not listed */
    (*(int *)ud)++;
    return 0;
}

static int take_provided_row(const struct ct_provided_rec *r, void *ud)
{
    struct ct_provided_rec *out = ud;
    assert_string_equal(r->orig_unit, "MTCO2e");
    *out = *r;
    out->provider = NULL; /* borrowed strings end with the call */
    out->account = out->project = out->service = out->region = out->region_raw = NULL;
    out->orig_unit = NULL;
    out->platform = r->platform ? "set" : NULL;
    return 0;
}

static int take_run_row(const struct ct_run_rec *r, void *ud)
{
    struct ct_run_rec *out = ud;
    assert_string_equal(r->host, "h1");
    assert_string_equal(r->command, "make");
    assert_string_equal(r->methods, "cpu=measured");
    *out = *r;
    out->host = out->command = out->methods = NULL;
    return 0;
}

/* Two sources; the rows of one come back whole, with every field as stored:
 * a bucket added twice as its sum (10 + 5 J, covered 1200 + 600 s, util the
 * covered-time mean (0.5 x 1200 + 0.8 x 600) / 1800 = 0.6), a detail record
 * with its flag, an unknown utilisation as NAN, a platform as given. */
static void contract_source_rows(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    ct_err e = {{0}};
    int64_t a = source(ops, l, "turbostat", SHA_A), b = source(ops, l, "aws", SHA_B);
    struct ct_energy_rec r = rec("h1", "package-0", T_DAY + H, T_DAY + H + 1800, 10);
    r.component = "cpu";
    r.platform = "servers";
    r.covered_s = 1200;
    r.util = 0.5;
    add_ok(ops, l, a, &r);
    r.joules = 5, r.covered_s = 600, r.util = 0.8;
    add_ok(ops, l, a, &r);
    struct ct_energy_rec early = rec("h1", "package-0", T_DAY, T_DAY + H, 7);
    early.component = "cpu";
    early.platform = "servers";
    add_ok(ops, l, a, &early);
    struct ct_energy_rec core = rec("h1", "core0", T_DAY, T_DAY + H, 3);
    core.component = "cpu";
    core.detail = 1;
    core.idle_joules = 1, core.idle_s = 100;
    add_ok(ops, l, a, &core);
    add_all_kinds(ops, l, b); /* 10 J on h1/gpu0, a provided row and a run */

    struct erows g = {0};
    assert_int_equal(ops->source_energy_rows(l, a, collect_erow, &g, &e), 0);
    assert_int_equal(g.n, 3);
    /* Series in the order they were first written, then by t0. */
    assert_string_equal(g.v[0].device, "package-0");
    assert_string_equal(g.v[0].platform, "servers");
    assert_int_equal(g.v[0].r.t0, T_DAY);
    assert_near(g.v[0].r.joules, 7);
    assert_true(isnan(g.v[0].r.util));
    assert_int_equal(g.v[1].r.t0, T_DAY + H);
    assert_int_equal(g.v[1].r.t1, T_DAY + H + 1800);
    assert_near(g.v[1].r.joules, 15);
    assert_near(g.v[1].r.covered_s, 1800);
    assert_near(g.v[1].r.util, 0.6);
    assert_int_equal(g.v[1].r.detail, 0);
    assert_int_equal(g.v[1].r.method, CT_METHOD_MEASURED);
    assert_string_equal(g.v[2].device, "core0");
    assert_string_equal(g.v[2].platform, "");
    assert_int_equal(g.v[2].r.detail, 1);
    assert_near(g.v[2].r.idle_joules, 1);
    assert_near(g.v[2].r.idle_s, 100);
    int nseries = 0;
    assert_int_equal(ops->source_series_rows(l, a, count_series, &nseries, &e), 0);
    assert_int_equal(nseries, 1);
    /* The other source holds no energy of a, and a holds no provided rows or runs. */
    struct ct_provided_rec p = {0};
    struct ct_run_rec run = {0};
    assert_int_equal(ops->source_provided_rows(l, a, take_provided_row, &p, &e), 0);
    assert_int_equal(ops->source_run_rows(l, a, take_run_row, &run, &e), 0);
    assert_int_equal(p.scope, 0);
    assert_int_equal(run.t1, 0);
    memset(&g, 0, sizeof g);
    assert_int_equal(ops->source_energy_rows(l, b, collect_erow, &g, &e), 0);
    assert_int_equal(g.n, 1);
    assert_near(g.v[0].r.joules, 10);
    assert_int_equal(ops->source_provided_rows(l, b, take_provided_row, &p, &e), 0);
    assert_int_equal(p.scope, 2);
    assert_int_equal(p.market_based, 0);
    assert_near(p.kgco2e, 1.5);
    assert_int_equal(p.t1 - p.t0, CT_DAY);
    assert_null(p.platform);
    assert_int_equal(ops->source_run_rows(l, b, take_run_row, &run, &e), 0);
    assert_near(run.cpu_j + 10 * run.dram_j + 100 * run.gpu_j, 321);
    assert_int_equal(run.t1 - run.t0, 60);
    /* A callback that stops makes the stream -1. */
    e.msg[0] = '\0';
    assert_int_equal(ops->source_energy_rows(l, a, (ct_energy_fn)stop_at_once, NULL, &e), -1);
    assert_contains(e.msg, "stopped");
    ops->close(l);
}

static int collect_any_source(int64_t id, const struct ct_source_rec *s, void *ud)
{
    struct listed *g = ud;
    (void)s;
    g->id[g->n++] = id;
    return 0;
}

/* list_sources with kind NULL (version 4) lists every kind, by path then id. */
static void contract_list_every_source(const struct ct_ledger_ops *ops, const char *url)
{
    ct_ledger *l = open_ok(ops, url);
    ct_err e = {{0}};
    int64_t a = source(ops, l, "turbostat", SHA_A), b = source(ops, l, "aws", SHA_B);
    struct listed g = {0};
    assert_int_equal(ops->list_sources(l, NULL, collect_any_source, &g, &e), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.id[0], a); /* both paths are /tmp/x.csv: by id */
    assert_int_equal(g.id[1], b);
    ops->close(l);
}

static void transfer_ok(const struct ct_ledger_h *a, const struct ct_ledger_h *b,
                        struct ct_transfer_stats *st, ct_transfer_note_fn note, void *ud)
{
    ct_err e = {{0}};
    if (ct_ledger_transfer(a, b, st, note, ud, &e) != 0) {
        fprintf(stderr, "transfer: %s\n", e.msg);
        fail();
    }
}

static void count_note(const char *path, const char *why, void *ud)
{
    assert_string_equal(path, "/tmp/x.csv");
    assert_contains(why, "kept");
    (*(int *)ud)++;
}

/* Copies one ledger into another (ct_ledger_transfer): the copy scans to the
 * same days, a second copy adds nothing, an agent's source that grew is
 * replaced whole, and one whose target copy holds more is kept. */
static void contract_transfer(const struct ct_ledger_ops *ops, const char *url, const char *url2)
{
    struct ct_ledger_h A = {ops, open_ok(ops, url)}, B = {ops, open_ok(ops, url2)};
    ct_err e = {{0}};
    int64_t s1 = source(ops, A.db, "nvidia-smi", SHA_A), s2 = source(ops, A.db, "agent", SHA_B);
    struct ct_energy_rec r = rec("h1", "gpu0", T_DAY, T_DAY + H, 100);
    r.util = 0.25;
    add_ok(ops, A.db, s1, &r);
    struct ct_energy_rec d = rec("h1", "gpu0-mem", T_DAY, T_DAY + H, 40);
    d.detail = 1;
    add_ok(ops, A.db, s1, &d);
    add_all_kinds(ops, A.db, s2); /* 10 J, a provided row, a run */
    struct ct_transfer_stats st;
    transfer_ok(&A, &B, &st, NULL, NULL);
    assert_int_equal(st.sources, 2);
    assert_int_equal(st.copied, 2);
    assert_int_equal(st.energy, 3);
    assert_int_equal(st.provided, 1);
    assert_int_equal(st.runs, 1);
    struct got ga, gb;
    scan(ops, A.db, T_DAY - CT_DAY, T_DAY + CT_DAY, &ga);
    scan(ops, B.db, T_DAY - CT_DAY, T_DAY + CT_DAY, &gb);
    assert_int_equal(ga.n, 2);
    assert_int_equal(gb.n, 2);
    for (size_t i = 0; i < ga.n; i++) {
        assert_string_equal(ga.v[i].device, gb.v[i].device);
        assert_string_equal(ga.v[i].kind, gb.v[i].kind);
        assert_true(ga.v[i].d.joules == gb.v[i].d.joules);
        assert_true(ga.v[i].d.util_s == gb.v[i].d.util_s);
    }
    assert_near(gb.v[0].d.joules + gb.v[1].d.joules, 110); /* the detail 40 J not counted */
    assert_int_equal(count(ops, B.db, "energy"), 3);

    /* Again: nothing new. */
    transfer_ok(&A, &B, &st, NULL, NULL);
    assert_int_equal(st.copied + st.updated, 0);
    assert_int_equal(st.present, 2);
    assert_int_equal(count(ops, B.db, "energy"), 3);
    assert_int_equal(count(ops, B.db, "runs"), 1);

    /* The agent wrote on: two more hours of 5 J. Replaced. */
    struct ct_energy_rec more = rec("h1", "gpu0", T_DAY + H, T_DAY + 2 * H, 5);
    add_ok(ops, A.db, s2, &more);
    more.t0 += H, more.t1 += H;
    add_ok(ops, A.db, s2, &more);
    transfer_ok(&A, &B, &st, NULL, NULL);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.present, 1);
    assert_int_equal(count(ops, B.db, "energy"), 5);
    assert_int_equal(count(ops, B.db, "sources"), 2);
    assert_int_equal(count(ops, B.db, "runs"), 1);
    scan(ops, B.db, T_DAY, T_DAY + CT_DAY, &gb);
    double sum = 0;
    for (size_t i = 0; i < gb.n; i++)
        sum += gb.v[i].d.joules;
    assert_near(sum, 100 + 10 + 5 + 5);

    /* Copying back the other way: B's agent source is A's, the same. */
    transfer_ok(&B, &A, &st, NULL, NULL);
    assert_int_equal(st.present, 2);
    assert_int_equal(count(ops, A.db, "energy"), 5);
    /* A target holding more than the origin keeps its own copy. */
    more.t0 += H, more.t1 += H;
    int64_t b2 = 0;
    assert_int_equal(ops->find_source(B.db, SHA_B, &b2, &e), 0);
    add_ok(ops, B.db, b2, &more);
    int notes = 0;
    transfer_ok(&A, &B, &st, count_note, &notes);
    assert_int_equal(st.kept, 1);
    assert_int_equal(notes, 1);
    assert_int_equal(count(ops, B.db, "energy"), 6);
    ops->close(B.db);
    ops->close(A.db);
}

/* ---- running the contract on SQLite ---- */

struct tmp {
    char dir[256], url[300];
};

static int tmp_setup(void **state)
{
    struct tmp *t = calloc(1, sizeof *t);
    const char *base = getenv("TMPDIR");
    snprintf(t->dir, sizeof t->dir, "%s/ct_ledger_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(t->dir))
        return -1;
    snprintf(t->url, sizeof t->url, "%s/ledger.db", t->dir);
    *state = t;
    return 0;
}

static int tmp_teardown(void **state)
{
    struct tmp *t = *state;
    static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
    char p[320];
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", t->url, ext[i]);
        unlink(p);
    }
    rmdir(t->dir);
    free(t);
    return 0;
}

/* ---- running the contract on a PostgreSQL URL ---- */

static void quiet_notice(void *arg, const char *msg)
{
    (void)arg, (void)msg;
}

/* Runs constant SQL on the test server, outside the backend under test. */
static int pg_admin(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "pg_admin: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

/* A fresh schema per test: the URL's search_path names it, so the ledger's
 * tables land there (dir holds the schema name). */
static int pg_setup(void **state)
{
    static int n;
    const char *base = getenv("CT_TEST_LEDGER_URL");
    struct tmp *t = calloc(1, sizeof *t);
    char sql[640];
    snprintf(t->dir, sizeof t->dir, "ct_test_%d_%d", (int)getpid(), ++n);
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", t->dir,
             t->dir);
    snprintf(t->url, sizeof t->url, "%s%soptions=-csearch_path%%3D%s", base,
             strchr(base, '?') ? "&" : "?", t->dir);
    *state = t;
    return pg_admin(base, sql);
}

static int pg_teardown(void **state)
{
    struct tmp *t = *state;
    char sql[640];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", t->dir);
    int ret = pg_admin(getenv("CT_TEST_LEDGER_URL"), sql);
    free(t);
    return ret;
}

/* The backend the URL picks: PostgreSQL, by its scheme. */
#define URL_CONTRACT(check)                                                     \
    static void url_##check(void **state)                                        \
    {                                                                           \
        const char *url = ((struct tmp *)*state)->url;                          \
        ct_err e = {{0}};                                                       \
        const struct ct_ledger_ops *ops = ct_ledger_backend(url, &e);           \
        assert_non_null(ops);                                                   \
        assert_string_equal(ops->name, "postgresql");                           \
        contract_##check(ops, url);                                             \
    }
URL_CONTRACT(reopen)
URL_CONTRACT(source_dedup)
URL_CONTRACT(upsert_sums)
URL_CONTRACT(util_unknown)
URL_CONTRACT(prorata)
URL_CONTRACT(calculated_month)
URL_CONTRACT(cut_days)
URL_CONTRACT(month_cut_at_end)
URL_CONTRACT(random_periods)
URL_CONTRACT(grouping)
URL_CONTRACT(detail)
URL_CONTRACT(delete_cascades)
URL_CONTRACT(rollback)
URL_CONTRACT(validation)
URL_CONTRACT(count_names)
URL_CONTRACT(scan_records)
URL_CONTRACT(list_sources)
URL_CONTRACT(source_rows)
URL_CONTRACT(list_every_source)

#define SQLITE_CONTRACT(name)                                                   \
    static void sqlite_##name(void **state)                                     \
    {                                                                           \
        contract_##name(&ct_ledger_sqlite, ((struct tmp *)*state)->url);        \
    }
SQLITE_CONTRACT(reopen)
SQLITE_CONTRACT(source_dedup)
SQLITE_CONTRACT(upsert_sums)
SQLITE_CONTRACT(util_unknown)
SQLITE_CONTRACT(prorata)
SQLITE_CONTRACT(calculated_month)
SQLITE_CONTRACT(cut_days)
SQLITE_CONTRACT(month_cut_at_end)
SQLITE_CONTRACT(random_periods)
SQLITE_CONTRACT(grouping)
SQLITE_CONTRACT(detail)
SQLITE_CONTRACT(delete_cascades)
SQLITE_CONTRACT(rollback)
SQLITE_CONTRACT(validation)
SQLITE_CONTRACT(count_names)
SQLITE_CONTRACT(scan_records)
SQLITE_CONTRACT(list_sources)
SQLITE_CONTRACT(source_rows)
SQLITE_CONTRACT(list_every_source)

/* The transfer contract wants a second ledger beside the first. */
static void sqlite_transfer(void **state)
{
    struct tmp *t = *state;
    char url2[320], p[330];
    snprintf(url2, sizeof url2, "%s/ledger2.db", t->dir);
    contract_transfer(&ct_ledger_sqlite, t->url, url2);
    static const char *const ext[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", url2, ext[i]);
        unlink(p);
    }
}

/* ---- SQLite only ---- */

static void sql_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void sqlite_newer_schema(void **state)
{
    const char *url = ((struct tmp *)*state)->url;
    ct_ledger *l = open_ok(&ct_ledger_sqlite, url);
    ct_ledger_sqlite.close(l);
    sql_exec(url, "PRAGMA user_version = 99");
    ct_err e = {{0}};
    l = NULL;
    assert_int_equal(ct_ledger_sqlite.open(url, &l, &e), -1);
    assert_null(l);
    assert_contains(e.msg, url);
    assert_contains(e.msg, "ledger schema version 99 is newer than this co2tally (1); "
                           "upgrade co2tally");
}

static void sqlite_foreign_files(void **state)
{
    const char *url = ((struct tmp *)*state)->url;
    ct_ledger *l = NULL;
    ct_err e = {{0}};
    sql_exec(url, "CREATE TABLE photos(x)");
    assert_int_equal(ct_ledger_sqlite.open(url, &l, &e), -1);
    assert_contains(e.msg, "not a co2tally ledger");
    unlink(url);

    FILE *f = fopen(url, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database, ", f);
    fclose(f);
    assert_int_equal(ct_ledger_sqlite.open(url, &l, &e), -1);
    assert_contains(e.msg, url);
    assert_contains(e.msg, "not a database");

    assert_int_equal(ct_ledger_sqlite.open("/nonexistent-dir/x/ledger.db", &l, &e), -1);
    assert_contains(e.msg, "/nonexistent-dir/x/ledger.db");
}

static void sqlite_wal_reader(void **state)
{
    const char *url = ((struct tmp *)*state)->url;
    const struct ct_ledger_ops *ops = &ct_ledger_sqlite;
    ct_ledger *w = open_ok(ops, url), *r = open_ok(ops, url);
    ct_err e = {{0}};
    assert_int_equal(ops->begin(w, &e), 0);
    struct ct_energy_rec x = rec("h1", "gpu0", T_DAY, T_DAY + H, 10);
    add_ok(ops, w, source(ops, w, "agent", SHA_A), &x);
    struct got g;
    scan(ops, r, T_DAY, T_DAY + CT_DAY, &g); /* reads while the writer holds its lock */
    assert_int_equal(g.n, 0);
    assert_int_equal(ops->commit(w, &e), 0);
    scan(ops, r, T_DAY, T_DAY + CT_DAY, &g);
    assert_int_equal(g.n, 1);
    ops->close(w);
    ops->close(r);

    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(url, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* ---- backend selection and names ---- */

static void backend_pick(void **state)
{
    (void)state;
    ct_err e = {{0}};
    const struct ct_ledger_ops *pg = ct_ledger_backend("postgresql://db/co2", &e);
    assert_non_null(pg);
    assert_string_equal(pg->name, "postgresql");
    assert_int_equal(pg->version, CT_LEDGER_OPS_VERSION);
    assert_ptr_equal(ct_ledger_backend("postgres://db/co2", &e), pg);
    assert_ptr_equal(ct_ledger_backend("./co2tally.db", &e), &ct_ledger_sqlite);
    assert_null(ct_ledger_backend("", &e));
    /* No server there: the open fails, names no password, and leaves no handle. */
    struct ct_ledger_h h = {0};
    assert_int_equal(ct_ledger_open("postgres://u:s3cret@/x?host=/nonexistent-dir&"
                                    "connect_timeout=2", &h, &e), -1);
    assert_null(h.db);
    assert_contains(e.msg, "PostgreSQL ledger");
    assert_null(strstr(e.msg, "s3cret"));
    ct_ledger_close(&h);
    assert_string_equal(ct_ledger_sqlite.name, "sqlite");
    assert_int_equal(ct_ledger_sqlite.version, CT_LEDGER_OPS_VERSION);
}

static void backend_open_close(void **state)
{
    struct ct_ledger_h h = {0};
    ct_err e = {{0}};
    assert_int_equal(ct_ledger_open(((struct tmp *)*state)->url, &h, &e), 0);
    assert_ptr_equal(h.ops, &ct_ledger_sqlite);
    int64_t n = -1;
    assert_int_equal(h.ops->count(h.db, "runs", &n, &e), 0);
    assert_int_equal(n, 0);
    ct_ledger_close(&h);
    assert_null(h.db);
}

static void method_names(void **state)
{
    (void)state;
    for (int m = CT_METHOD_MEASURED; m <= CT_METHOD_PROVIDED; m++)
        assert_int_equal(ct_method_parse(ct_method_name(m)), m);
    assert_string_equal(ct_method_name(CT_METHOD_CALCULATED), "calculated");
    assert_int_equal(ct_method_parse("guessed"), -1);
    assert_int_equal(ct_method_parse(NULL), -1);
}

/* ---- SHA-256 (FIPS 180-4 examples) ---- */

static void sha_is(const void *data, size_t n, const char *want)
{
    char hex[65];
    ct_sha256_hex(data, n, hex);
    assert_string_equal(hex, want);
}

static void sha256_vectors(void **state)
{
    (void)state;
    sha_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha_is(m448, strlen(m448),
           "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    sha_is(m896, strlen(m896),
           "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* One million 'a', in one call and in uneven pieces across block edges. */
static void sha256_million(void **state)
{
    (void)state;
    static const char want[] =
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    size_t n = 1000000;
    char *a = malloc(n);
    memset(a, 'a', n);
    sha_is(a, n, want);

    static const size_t pieces[] = {1, 55, 63, 64, 65, 127, 1000};
    ct_sha256 c;
    ct_sha256_init(&c);
    for (size_t done = 0, i = 0; done < n; i++) {
        size_t k = pieces[i % 7] < n - done ? pieces[i % 7] : n - done;
        ct_sha256_update(&c, a + done, k);
        done += k;
    }
    unsigned char d[32];
    ct_sha256_final(&c, d);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    assert_string_equal(hex, want);
    free(a);
}

/* The same contract on the PostgreSQL server CT_TEST_LEDGER_URL names. */
static int run_on_url(void)
{
#define U(name) cmocka_unit_test_setup_teardown(url_##name, pg_setup, pg_teardown)
    const struct CMUnitTest tests[] = {
        U(reopen),           U(source_dedup),  U(upsert_sums),  U(util_unknown),
        U(prorata),          U(calculated_month), U(cut_days),  U(month_cut_at_end),
        U(random_periods),   U(grouping),      U(detail),       U(delete_cascades),
        U(rollback),         U(validation),    U(count_names),  U(scan_records),
        U(list_sources),     U(source_rows),   U(list_every_source),
        cmocka_unit_test(backend_pick),
    };
#undef U
    return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(void)
{
    const char *url = getenv("CT_TEST_LEDGER_URL");
    if (url && *url)
        return run_on_url();
#define T(name) cmocka_unit_test_setup_teardown(name, tmp_setup, tmp_teardown)
    const struct CMUnitTest tests[] = {
        T(sqlite_reopen),
        T(sqlite_source_dedup),
        T(sqlite_upsert_sums),
        T(sqlite_util_unknown),
        T(sqlite_prorata),
        T(sqlite_calculated_month),
        T(sqlite_cut_days),
        T(sqlite_month_cut_at_end),
        T(sqlite_random_periods),
        T(sqlite_grouping),
        T(sqlite_detail),
        T(sqlite_delete_cascades),
        T(sqlite_rollback),
        T(sqlite_validation),
        T(sqlite_count_names),
        T(sqlite_scan_records),
        T(sqlite_list_sources),
        T(sqlite_newer_schema),
        T(sqlite_foreign_files),
        T(sqlite_wal_reader),
        T(backend_open_close),
        cmocka_unit_test(backend_pick),
        cmocka_unit_test(method_names),
        cmocka_unit_test(sha256_vectors),
        cmocka_unit_test(sha256_million),
        T(sqlite_source_rows),
        T(sqlite_list_every_source),
        T(sqlite_transfer),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
