/* The ledger contract, part 2: counts, validation, provided emissions and runs,
 * sources, and version 4's per-source streams and transfer (see
 * ledger_contract.h). */
#include "ledger_contract.h"

void contract_count_names(const struct ct_ledger_ops *ops, const char *url)
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

void contract_scan_records(const struct ct_ledger_ops *ops, const char *url)
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

void contract_list_sources(const struct ct_ledger_ops *ops, const char *url)
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
void contract_source_rows(const struct ct_ledger_ops *ops, const char *url)
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
void contract_list_every_source(const struct ct_ledger_ops *ops, const char *url)
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
void contract_transfer(const struct ct_ledger_ops *ops, const char *url, const char *url2)
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
