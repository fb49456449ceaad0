/* The calculated method: every number checked against a hand computation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "config/team.h"
#include "core/timeutil.h"
#include "estimate/calculated.h"
#include "testutil.h"

static const char team_text[] =
    "[team]\ncountry = SGP\nyear = 2023\n"
    /* 3 x 100 W x 0.5 x 1000 h = 150 kWh */
    "[platform plain]\nmethod = calculated\nwatts = 100\nutilisation = 0.5\n"
    "hours_per_year = 1000\ncount = 3\n"
    /* 8 x (50 + (250 - 50) x 0.35) W x 8760 h = 8 x 120 x 8760 Wh = 8409.6 kWh */
    "[platform gpus]\nmethod = calculated\nchip = NVIDIA A100 40GB PCIe\nidle_watts = 50\n"
    "utilisation = 0.35\nhours_per_year = 8760\ncount = 8\n"
    /* 4 vCPU: 4 x (0.74 + (3.5 - 0.74) x 0.5) W = 8.48 W; 40000 min/month x 12 = 8000 h
     * -> 67.84 kWh */
    "[platform ci]\nmethod = calculated\nchip = 4 vCPU\nutilisation = 0.5\n"
    "minutes_per_month = 40000\n"
    "[platform servers]\nmethod = measured\nhosts = h1\n";

struct sums {
    double joules[3];
    double jan[3];
    int rows;
};

static int idx(const char *p)
{
    return strcmp(p, "plain") == 0 ? 0 : strcmp(p, "gpus") == 0 ? 1 : 2;
}

static int on_day(const struct ct_energy_day *d, void *ud)
{
    struct sums *s = ud;
    s->joules[idx(d->platform)] += d->joules;
    if (d->day < 1675209600) /* before 2023-02-01 */
        s->jan[idx(d->platform)] += d->joules;
    assert_int_equal(d->method, CT_METHOD_CALCULATED);
    s->rows++;
    return 0;
}

static void test_power_models(void **state)
{
    (void)state;
    assert_float_equal(ct_calc_power_w(100, NAN, 0.5), 50, 1e-12);
    assert_float_equal(ct_calc_power_w(250, 50, 0.35), 120, 1e-12);
    assert_float_equal(ct_calc_power_w(250, 50, 0), 50, 1e-12);
}

static void check_ledger(struct ct_ledger_h *L)
{
    struct sums s = {{0}, {0}, 0};
    ct_err e;
    int64_t from, to;
    ct_year_bounds(2023, &from, &to);
    assert_int_equal(L->ops->scan_energy_days(L->db, from, to, on_day, &s, &e), 0);
    assert_float_equal(s.joules[0] / 3.6e6, 150.0, 1e-9);
    assert_float_equal(s.joules[1] / 3.6e6, 8409.6, 1e-9);
    assert_float_equal(s.joules[2] / 3.6e6, 67.84, 1e-9);
    /* January holds 31/365 of the year. */
    assert_float_equal(s.jan[0] / 3.6e6, 150.0 * 31 / 365, 1e-9);
    int64_t n;
    assert_int_equal(L->ops->count(L->db, "energy", &n, &e), 0);
    assert_int_equal(n, 36); /* 3 platforms x 12 months */
}

static void test_estimate_and_replace(void **state)
{
    (void)state;
    struct ct_team t;
    ct_err e = {{0}};
    assert_int_equal(ct_team_load_string(team_text, "t.ini", &t, &e), 0);
    struct tmpledger tl;
    tmpledger_open(&tl);
    assert_int_equal(ct_estimate_write(&tl.L, &t, 2023, 1700000000, NULL, NULL, &e), 0);
    check_ledger(&tl.L);
    /* A second run replaces the estimate rather than adding to it. */
    assert_int_equal(ct_estimate_write(&tl.L, &t, 2023, 1700000100, NULL, NULL, &e), 0);
    check_ledger(&tl.L);
    int64_t n;
    assert_int_equal(tl.L.ops->count(tl.L.db, "sources", &n, &e), 0);
    assert_int_equal(n, 3);
    /* Another year adds its own estimate beside it. */
    assert_int_equal(ct_estimate_write(&tl.L, &t, 2024, 1700000100, NULL, NULL, &e), 0);
    assert_int_equal(tl.L.ops->count(tl.L.db, "energy", &n, &e), 0);
    assert_int_equal(n, 72);
    tmpledger_close(&tl);
    ct_team_free(&t);
}

/* What ct_estimate_write said, one "KIND platform year reason" line each. */
struct heard {
    char text[1024];
    int n[3];
};

static void hear(const struct ct_estimate_line *l, void *ud)
{
    struct heard *h = ud;
    size_t k = strlen(h->text);
    snprintf(h->text + k, sizeof h->text - k, "%c %s %d %s\n", "WSR"[l->kind], l->platform,
             l->year, l->reason ? l->reason : "-");
    h->n[l->kind]++;
}

static int64_t count_of(struct ct_ledger_h *L, const char *table)
{
    int64_t n = -1;
    ct_err e;
    assert_int_equal(L->ops->count(L->db, table, &n, &e), 0);
    return n;
}

/* The same platforms, now: plain still estimated, gpus measured, ci counted
 * from usage rows. */
static const char team_later[] =
    "[team]\ncountry = SGP\nyear = 2023\n"
    "[platform plain]\nmethod = calculated\nwatts = 100\nutilisation = 0.5\n"
    "hours_per_year = 1000\ncount = 3\n"
    "[platform gpus]\nmethod = measured\nhosts = g1\n"
    "[platform ci]\nmethod = calculated\nsource = usage\ncount = 4\n";

/* Estimates of platforms no longer estimated go, of every year, in the same
 * run; the ones still estimated stay; a foreign "estimate" source stays. */
static void test_stale_estimates_removed(void **state)
{
    (void)state;
    struct ct_team t, later, gone;
    ct_err e = {{0}};
    assert_int_equal(ct_team_load_string(team_text, "t.ini", &t, &e), 0);
    assert_int_equal(ct_team_load_string(team_later, "t.ini", &later, &e), 0);
    assert_int_equal(ct_team_load_string("[team]\ncountry = SGP\n[platform other]\n"
                                         "method = provided\n", "t.ini", &gone, &e), 0);
    struct tmpledger tl;
    tmpledger_open(&tl);
    assert_int_equal(ct_estimate_write(&tl.L, &t, 2023, 1700000000, NULL, NULL, &e), 0);
    assert_int_equal(ct_estimate_write(&tl.L, &t, 2024, 1700000000, NULL, NULL, &e), 0);
    struct ct_source_rec odd = {"estimate", "estimate:no-year", "dddddddddddddddddddddddddddddd"
                                "dddddddddddddddddddddddddddddddddd", 1700000000};
    int64_t id;
    assert_int_equal(tl.L.ops->add_source(tl.L.db, &odd, &id, NULL, &e), 0);
    assert_int_equal(count_of(&tl.L, "sources"), 7);  /* 3 platforms x 2 years + odd */
    assert_int_equal(count_of(&tl.L, "energy"), 72);

    struct heard h = {{0}, {0}};
    assert_int_equal(ct_estimate_write(&tl.L, &later, 2023, 1700000100, hear, &h, &e), 0);
    assert_string_equal(h.text,
                        "W plain 2023 -\n"
                        "S ci 2023 counted from usage rows (source = usage), not estimated\n"
                        "R ci 2023 the platform is now counted from usage rows (source = usage)\n"
                        "R ci 2024 the platform is now counted from usage rows (source = usage)\n"
                        "R gpus 2023 the platform is now measured\n"
                        "R gpus 2024 the platform is now measured\n");
    /* plain's two years and the odd source are left: 2 x 12 months of energy. */
    assert_int_equal(count_of(&tl.L, "sources"), 3);
    assert_int_equal(count_of(&tl.L, "energy"), 24);
    /* Run again: nothing more to remove. */
    memset(&h, 0, sizeof h);
    assert_int_equal(ct_estimate_write(&tl.L, &later, 2023, 1700000200, hear, &h, &e), 0);
    assert_int_equal(h.n[CT_EST_REMOVED], 0);
    assert_int_equal(h.n[CT_EST_WRITTEN], 1);
    assert_int_equal(h.n[CT_EST_SKIPPED], 1);
    /* A team file without plain: its estimates go too, as gone from the file. */
    memset(&h, 0, sizeof h);
    assert_int_equal(ct_estimate_write(&tl.L, &gone, 2023, 1700000300, hear, &h, &e), 0);
    assert_string_equal(h.text, "R plain 2023 the platform is no longer in the team file\n"
                                "R plain 2024 the platform is no longer in the team file\n");
    assert_int_equal(count_of(&tl.L, "sources"), 1);
    assert_int_equal(count_of(&tl.L, "energy"), 0);
    tmpledger_close(&tl);
    ct_team_free(&t);
    ct_team_free(&later);
    ct_team_free(&gone);
}

/* A whole GPU server, every figure typed here from its source:
 *   GPU  4 x 400 W (A100 SXM4 80GB datasheet) x 0.6          = 960 W
 *   CPU  2 x 280 W (AMD EPYC 7763, CodeCarbon) x 0.2          = 112 W
 *   RAM  512 GB x 0.392 W/GB (CCF 0.000392 kWh per GB-hour)   = 200.704 W
 *   disk 2 x 3.84 TB x 1.2 W/TB + 4 x 16 TB x 0.65 W/TB (CCF) = 50.816 W
 *   base 150 W
 * per machine 1473.52 W; 2 machines x 1000 h = 2947.04 kWh. */
static const char machine_text[] =
    "[team]\ncountry = DEU\nyear = 2023\n"
    "[platform box]\nmethod = calculated\n"
    "chips = 4 x NVIDIA A100 SXM4 80GB, 2 x AMD EPYC 7763\nram_gb = 512\n"
    "storage = 2 x 3.84 TB ssd, 4 x 16 TB hdd\nbase_watts = 150\n"
    "gpu_utilisation = 0.6\ncpu_utilisation = 0.2\nhours_per_year = 1000\ncount = 2\n"
    /* chip with watts: 300 W replaces the table's 400 W: 300 x 0.5 x 100 h = 15 kWh */
    "[platform capped]\nmethod = calculated\nchip = NVIDIA A100 SXM4 80GB\nwatts = 300\n"
    "utilisation = 0.5\nhours_per_year = 100\n"
    /* N vCPU at a Google Cloud location: GCP's median 0.68/4.11 W per vCPU:
     * 4 x (0.68 + 3.43 x 0.5) = 9.58 W x 1000 h = 9.58 kWh */
    "[platform gce]\nmethod = calculated\nlocation = gcp:us-central1\nchip = 4 vCPU\n"
    "utilisation = 0.5\nhours_per_year = 1000\n";

struct devs {
    double kwh[8];
};

static int on_dev(const struct ct_energy_day *d, void *ud)
{
    static const char *const names[] = {"gpu", "cpu", "ram", "storage", "base", "calculated"};
    struct devs *s = ud;
    int k = 6;
    for (int i = 0; i < 6; i++)
        if (strcmp(d->device, names[i]) == 0)
            k = i;
    if (strcmp(d->platform, "box") != 0)
        k = strcmp(d->platform, "capped") == 0 ? 6 : 7;
    s->kwh[k] += d->joules / 3.6e6;
    if (strcmp(d->device, "ram") == 0)
        assert_string_equal(d->component, "dram");
    if (strcmp(d->device, "gpu") == 0)
        assert_string_equal(d->component, "gpu");
    return 0;
}

static void test_whole_machine(void **state)
{
    (void)state;
    struct ct_team t;
    ct_err e = {{0}};
    if (ct_team_load_string(machine_text, "m.ini", &t, &e) < 0)
        fail_msg("%s", e.msg);
    const struct ct_platform *box = ct_team_platform(&t, "box");
    assert_int_equal(box->machine, 1);
    assert_int_equal(box->nparts, 2);
    assert_int_equal(box->kind, CT_KIND_GPU_SERVER);
    assert_int_equal(box->kind_inferred, 1);
    struct ct_calc_component c[CT_CALC_N];
    assert_float_equal(ct_calc_components(box, c), 1473.52, 1e-9);
    assert_float_equal(c[CT_CALC_GPU].watts, 960, 1e-9);
    assert_float_equal(c[CT_CALC_CPU].watts, 112, 1e-9);
    assert_float_equal(c[CT_CALC_RAM].watts, 200.704, 1e-9);
    assert_float_equal(c[CT_CALC_STORAGE].watts, 50.816, 1e-9);
    assert_float_equal(c[CT_CALC_BASE].watts, 150, 1e-9);
    const struct ct_platform *capped = ct_team_platform(&t, "capped");
    assert_float_equal(capped->watts, 300, 1e-12);
    assert_non_null(strstr(capped->power_note, "watts = 300 replaces the 400 W of NVIDIA A100 SXM4 80GB"));
    assert_float_equal(ct_team_platform(&t, "gce")->watts, 4 * 4.11, 1e-12);
    assert_int_equal(ct_team_platform(&t, "gce")->kind, CT_KIND_CLOUD);

    struct tmpledger tl;
    tmpledger_open(&tl);
    assert_int_equal(ct_estimate_write(&tl.L, &t, 2023, 1700000000, NULL, NULL, &e), 0);
    struct devs d = {{0}};
    int64_t from, to;
    ct_year_bounds(2023, &from, &to);
    assert_int_equal(tl.L.ops->scan_energy_days(tl.L.db, from, to, on_dev, &d, &e), 0);
    assert_float_equal(d.kwh[0], 1920, 1e-9);    /* gpu */
    assert_float_equal(d.kwh[1], 224, 1e-9);     /* cpu */
    assert_float_equal(d.kwh[2], 401.408, 1e-9); /* ram */
    assert_float_equal(d.kwh[3], 101.632, 1e-9); /* storage */
    assert_float_equal(d.kwh[4], 300, 1e-9);     /* base */
    assert_float_equal(d.kwh[0] + d.kwh[1] + d.kwh[2] + d.kwh[3] + d.kwh[4], 2947.04, 1e-9);
    assert_float_equal(d.kwh[5], 0, 0);          /* no "calculated" device for the machine */
    assert_float_equal(d.kwh[6], 15, 1e-9);      /* capped */
    assert_float_equal(d.kwh[7], 9.58, 1e-9);    /* gce */
    tmpledger_close(&tl);
    ct_team_free(&t);
    /* watts = N with whole-machine keys: the given power at utilisation, plus
     * RAM: 400 x 0.5 + 100 GB x 0.392 = 239.2 W; cpu_utilisation does not
     * apply to a power given without a chip, so utilisation is required. */
    assert_int_equal(ct_team_load_string("[team]\ncountry = DEU\n[platform w]\nmethod = calculated\n"
                                         "watts = 400\nram_gb = 100\nutilisation = 0.5\n"
                                         "hours_per_year = 10\n", "w.ini", &t, &e), 0);
    assert_float_equal(ct_calc_components(ct_team_platform(&t, "w"), c), 239.2, 1e-9);
    assert_float_equal(c[CT_CALC_SYSTEM].watts, 200, 1e-9);
    ct_team_free(&t);
    assert_int_equal(ct_team_load_string("[team]\ncountry = DEU\n[platform w]\nmethod = calculated\n"
                                         "watts = 400\nram_gb = 100\ncpu_utilisation = 0.5\n"
                                         "hours_per_year = 10\n", "w.ini", &t, &e), -1);
    assert_non_null(strstr(e.msg, "w.ini:3: [platform w]: utilisation is missing for its power"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_models),
        cmocka_unit_test(test_estimate_and_replace),
        cmocka_unit_test(test_stale_estimates_removed),
        cmocka_unit_test(test_whole_machine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
