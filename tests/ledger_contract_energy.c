/* The ledger contract, part 1: sources, buckets, clipping and grouping of the
 * energy scan (see ledger_contract.h). */
#include "ledger_contract.h"

/* ---- the contract ---- */

/* Opening twice migrates once and keeps what was stored. */
void contract_reopen(const struct ct_ledger_ops *ops, const char *url)
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

void contract_source_dedup(const struct ct_ledger_ops *ops, const char *url)
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
void contract_upsert_sums(const struct ct_ledger_ops *ops, const char *url)
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
void contract_util_unknown(const struct ct_ledger_ops *ops, const char *url)
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
void contract_prorata(const struct ct_ledger_ops *ops, const char *url)
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
void contract_cut_days(const struct ct_ledger_ops *ops, const char *url)
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
void contract_month_cut_at_end(const struct ct_ledger_ops *ops, const char *url)
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

void contract_random_periods(const struct ct_ledger_ops *ops, const char *url)
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
void contract_calculated_month(const struct ct_ledger_ops *ops, const char *url)
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
void contract_grouping(const struct ct_ledger_ops *ops, const char *url)
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
void contract_detail(const struct ct_ledger_ops *ops, const char *url)
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

void add_all_kinds(const struct ct_ledger_ops *ops, ct_ledger *l, int64_t src)
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

void contract_delete_cascades(const struct ct_ledger_ops *ops, const char *url)
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

void contract_rollback(const struct ct_ledger_ops *ops, const char *url)
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

void contract_validation(const struct ct_ledger_ops *ops, const char *url)
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
