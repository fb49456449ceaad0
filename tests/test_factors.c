/* Grid factors, PUE, equivalents and sources, checked against the shared
 * source files (read here independently of tools/) and spot values from
 * ../shared/data/SOURCES.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/factors.h"

#define REL_EQ(a, b) assert_true(fabs((a) - (b)) <= 1e-12 * fabs(b) + 1e-15)

static FILE *open_shared(const char *rel)
{
    const char *root = getenv("CT_SHARED");
    char path[1024];
    snprintf(path, sizeof path, "%s/data/%s", root ? root : "../shared", rel);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (CT_SHARED not set?)", path);
    return f;
}

/* Splits one CSV line (quotes allowed, CR/LF stripped) into at most max fields. */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    char *w = line, *r = line;
    line[strcspn(line, "\r\n")] = '\0';
    fields[n++] = w;
    for (int q = 0; *r; r++) {
        if (*r == '"' && q && r[1] == '"')
            *w++ = *r++;
        else if (*r == '"')
            q = !q;
        else if (*r == ',' && !q && n < max)
            *w++ = '\0', fields[n++] = w;
        else
            *w++ = *r;
    }
    *w = '\0';
    return n;
}

static void expect_factor(const char *loc, int year, double kg, int got_year, int basis, const char *src)
{
    struct ct_factor f;
    ct_err e = {{0}};
    if (ct_factor_lookup(loc, year, &f, &e) < 0)
        fail_msg("%s %d: %s", loc, year, e.msg);
    REL_EQ(f.kg_per_kwh, kg);
    assert_int_equal(f.year, got_year);
    assert_int_equal(f.year_asked, year);
    assert_int_equal(f.basis, basis);
    assert_string_equal(f.source, src);
}

static void test_spot_values(void **state)
{
    (void)state;
    /* ../shared/data/SOURCES.md, grid/owid-carbon-intensity-electricity.csv */
    expect_factor("USA", 2023, 0.392848, 2023, CT_BASIS_LIFECYCLE, "owid-ember");
    expect_factor("FRA", 2023, 0.05527541, 2023, CT_BASIS_LIFECYCLE, "owid-ember");
    expect_factor("SGP", 2023, 0.50087228, 2023, CT_BASIS_LIFECYCLE, "owid-ember");
    expect_factor("DEU", 2024, 0.34413992, 2024, CT_BASIS_LIFECYCLE, "owid-ember");
    expect_factor("sgp", 2024, 0.49874182, 2024, CT_BASIS_LIFECYCLE, "owid-ember");
    expect_factor("WORLD", 2024, 0.4730065, 2024, CT_BASIS_LIFECYCLE, "owid-ember");
    expect_factor("OWID_WRL", 2024, 0.4730065, 2024, CT_BASIS_LIFECYCLE, "owid-ember");
    expect_factor(" usa ", 0, 0.3835492, 2024, CT_BASIS_LIFECYCLE, "owid-ember");
}

/* Every OWID row with a real ISO3 code comes back as published (g -> kg). */
static void test_every_owid_row(void **state)
{
    (void)state;
    FILE *f = open_shared("grid/owid-carbon-intensity-electricity.csv");
    char line[512], *c[6];
    int rows = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        if (split_csv(line, c, 6) != 4 || strlen(c[1]) != 3)
            continue;
        int year = atoi(c[2]);
        expect_factor(c[1], year, strtod(c[3], NULL) / 1000, year, CT_BASIS_LIFECYCLE, "owid-ember");
        rows++;
    }
    fclose(f);
    assert_true(rows > 5000);
}

static void test_year_fallback(void **state)
{
    (void)state;
    struct ct_factor f;
    ct_err e;
    assert_int_equal(ct_factor_lookup("SGP", 2031, &f, &e), 0);
    assert_int_equal(f.year, 2024);
    REL_EQ(f.kg_per_kwh, 0.49874182);
    assert_non_null(strstr(f.note, "no 2031 value for SGP; 2024 used (nearest earlier year)"));
    /* Before the series starts: the nearest later year. */
    assert_int_equal(ct_factor_lookup("USA", 1990, &f, &e), 0);
    assert_int_equal(f.year, 2000);
    assert_non_null(strstr(f.note, "nearest later year"));
    /* An exact year has no note. */
    assert_int_equal(ct_factor_lookup("USA", 2023, &f, &e), 0);
    assert_string_equal(f.note, "");
}

/* Ember's latest table fills a year OWID lacks (SAU 2024) and says so. */
static void test_ember_complement(void **state)
{
    (void)state;
    struct ct_factor f;
    ct_err e;
    expect_factor("SAU", 2024, 0.69195, 2024, CT_BASIS_LIFECYCLE, "ember-latest");
    assert_int_equal(ct_factor_lookup("SAU", 0, &f, &e), 0);
    assert_non_null(strstr(f.note, "Ember"));
    expect_factor("SAU", 2023, 0.69631335, 2023, CT_BASIS_LIFECYCLE, "owid-ember");
    /* Where both have the year, OWID's series is kept (Ember says 342.06). */
    expect_factor("DEU", 2024, 0.34413992, 2024, CT_BASIS_LIFECYCLE, "owid-ember");
    expect_factor("XKX", 2024, 0.95872, 2024, CT_BASIS_LIFECYCLE, "ember-latest");
}

static void test_unknown_location(void **state)
{
    (void)state;
    struct ct_factor f;
    ct_err e = {{0}};
    assert_int_equal(ct_factor_lookup("Germny", 2023, &f, &e), -1);
    assert_non_null(strstr(e.msg, "unknown location 'Germny'"));
    assert_non_null(strstr(e.msg, "did you mean"));
    assert_non_null(strstr(e.msg, "DEU (Germany)"));
    assert_int_equal(ct_factor_lookup("us-central1", 0, &f, &e), -1);
    assert_non_null(strstr(e.msg, "gcp:us-central1"));
    assert_int_equal(ct_factor_lookup("", 0, &f, &e), -1);
    assert_int_equal(ct_factor_lookup(NULL, 0, &f, &e), -1);
    assert_int_equal(ct_factor_lookup("SGP/direct", 0, &f, &e), -1);
    assert_non_null(strstr(e.msg, "no direct-basis value"));
    assert_int_equal(ct_factor_lookup("FR/marginal", 0, &f, &e), -1);
    assert_int_equal(ct_factor_lookup("SGP", -3, &f, &e), -1);
}

/* Every row of every Google year file, with the basis its header implies. */
static void test_gcp_regions(void **state)
{
    (void)state;
    expect_factor("gcp:us-central1", 2019, 0.479, 2019, CT_BASIS_LIFECYCLE, "gcp-region-carbon");
    expect_factor("gcp:us-central1", 2024, 0.41272, 2024, CT_BASIS_UNSPECIFIED, "gcp-region-carbon");
    expect_factor("GCP:US-CENTRAL1", 2025, 0.41272, 2024, CT_BASIS_UNSPECIFIED, "gcp-region-carbon");
    int rows = 0;
    for (int y = 2019; y <= 2024; y++) {
        char rel[64], line[256], *c[6], code[96];
        snprintf(rel, sizeof rel, "cloud/gcp-region-carbon-%d.csv", y);
        FILE *f = open_shared(rel);
        assert_non_null(fgets(line, sizeof line, f));
        int basis = strstr(line, "Lifecycle") ? CT_BASIS_LIFECYCLE : CT_BASIS_UNSPECIFIED;
        while (fgets(line, sizeof line, f)) {
            if (split_csv(line, c, 6) != 4)
                continue;
            snprintf(code, sizeof code, "gcp:%s", c[0]);
            expect_factor(code, y, strtod(c[3], NULL) / 1000, y, basis, "gcp-region-carbon");
            rows++;
        }
        fclose(f);
    }
    assert_int_equal(rows, 24 + 27 + 34 + 36 + 40 + 44);
}

static void test_aws_azure(void **state)
{
    (void)state;
    struct ct_factor f;
    ct_err e;
    /* metric t/kWh x 1000 = kg/kWh; undated (year 0); EPA/EEA rows are direct. */
    expect_factor("aws:us-east-1", 2023, 0.415755, 0, CT_BASIS_DIRECT, "ccf-coefficients");
    expect_factor("aws:eu-west-1", 0, 0.316, 0, CT_BASIS_DIRECT, "ccf-coefficients");
    expect_factor("aws:ap-southeast-1", 0, 0.4085, 0, CT_BASIS_UNSPECIFIED, "ccf-coefficients");
    expect_factor("aws:ap-south-1", 0, 0.708, 0, CT_BASIS_UNSPECIFIED, "ccf-coefficients");
    /* The two rows published without "0." (000077, 000402). */
    expect_factor("azure:Finland Central", 0, 0.077, 0, CT_BASIS_DIRECT, "ccf-coefficients");
    expect_factor("azure:germanywestcentral", 0, 0.402, 0, CT_BASIS_DIRECT, "ccf-coefficients");
    expect_factor("azure:West Europe", 0, 0.39, 0, CT_BASIS_DIRECT, "ccf-coefficients");
    assert_int_equal(ct_factor_lookup("azure:westeurope", 2023, &f, &e), 0);
    assert_string_equal(f.code, "azure:westeurope");
    assert_non_null(strstr(f.note, "no year"));
}

static void test_electricity_maps(void **state)
{
    (void)state;
    struct ct_factor f;
    ct_err e;
    expect_factor("FR", 0, 0.03344, 2024, CT_BASIS_LIFECYCLE, "electricitymaps-2024");
    expect_factor("em:FR", 2024, 0.03344, 2024, CT_BASIS_LIFECYCLE, "electricitymaps-2024");
    expect_factor("em:fr/direct", 2024, 0.0184, 2024, CT_BASIS_DIRECT, "electricitymaps-2024");
    expect_factor("FR/lifecycle", 0, 0.03344, 2024, CT_BASIS_LIFECYCLE, "electricitymaps-2024");
    expect_factor("US-CAL-CISO", 0, 0.22714, 2024, CT_BASIS_LIFECYCLE, "electricitymaps-2024");
    expect_factor("DE/direct", 0, 0.27661, 2024, CT_BASIS_DIRECT, "electricitymaps-2024");
    assert_int_equal(ct_factor_lookup("FR/direct", 0, &f, &e), 0);
    assert_string_equal(f.code, "FR/direct");
    assert_int_equal(ct_factor_lookup("FR", 2023, &f, &e), 0);
    assert_int_equal(f.year, 2024);
    assert_non_null(strstr(f.note, "nearest later year"));
}

static int count_cb(const struct ct_factor *f, void *ud)
{
    int *n = ud;
    assert_true(f->kg_per_kwh > 0 || strcmp(f->code, "azure:swedencentral") == 0 || f->kg_per_kwh == 0);
    assert_non_null(ct_source_get(f->source));
    /* Every listed code looks itself up. */
    struct ct_factor g;
    ct_err e;
    if (ct_factor_lookup(f->code, 0, &g, &e) < 0)
        fail_msg("%s: %s", f->code, e.msg);
    assert_string_equal(g.code, f->code);
    return ++*n >= 100000;
}

static int stop_cb(const struct ct_factor *f, void *ud)
{
    (void)f;
    return ++*(int *)ud == 3;
}

static void test_each_and_years(void **state)
{
    (void)state;
    int n = 0, years[64];
    ct_factor_each(count_cb, &n);
    assert_true(n > 215 + 300 + 40 + 20 + 20);
    n = 0;
    ct_factor_each(stop_cb, &n);
    assert_int_equal(n, 3);
    assert_int_equal(ct_factor_years("USA", years, 64), 25);
    assert_int_equal(years[0], 2000);
    assert_int_equal(years[24], 2024);
    assert_int_equal(ct_factor_years("USA", years, 3), 3);
    assert_int_equal(ct_factor_years("gcp:us-central1", years, 64), 6);
    assert_int_equal(ct_factor_years("aws:us-east-1", years, 64), 1);
    assert_int_equal(years[0], 0);
    assert_int_equal(ct_factor_years("nowhere-at-all", years, 64), 0);
}

static void test_sources(void **state)
{
    (void)state;
    const struct ct_source *s = ct_source_get("owid-ember");
    assert_non_null(s);
    assert_string_equal(s->licence, "CC-BY-4.0");
    assert_string_equal(ct_source_get("electricitymaps-2024")->licence, "ODbL-1.0");
    assert_string_equal(ct_source_get("ember-latest")->licence, "CC-BY-SA-4.0");
    assert_string_equal(ct_source_get("ccf-coefficients")->licence, "Apache-2.0");
    assert_null(ct_source_get("nope"));
    assert_null(ct_source_get(NULL));
    assert_string_equal(ct_basis_name(CT_BASIS_LIFECYCLE), "lifecycle");
    assert_string_equal(ct_basis_name(CT_BASIS_DIRECT), "direct");
    assert_string_equal(ct_basis_name(CT_BASIS_UNSPECIFIED), "unspecified");
}

static void expect_pue(const char *key, double want, const char *src)
{
    double p = 0;
    const char *s = NULL;
    ct_err e;
    if (ct_pue_lookup(key, &p, &s, &e) < 0)
        fail_msg("%s: %s", key, e.msg);
    REL_EQ(p, want);
    assert_string_equal(s, src);
}

static void test_pue(void **state)
{
    (void)state;
    /* ../shared/data/misc/pue.csv and cloud/ccf/CONSTANTS.md */
    expect_pue("aws", 1.15, "aws-pue");
    expect_pue("gcp", 1.10, "google-pue");
    expect_pue("azure", 1.18, "microsoft-pue");
    expect_pue("onprem", 1.56, "uptime-2024");
    expect_pue("On-Prem", 1.56, "uptime-2024");
    expect_pue("laptop", 1.0, "green-algorithms");
    expect_pue("aws:us-east-1", 1.15, "aws-pue");
    expect_pue("azure:westeurope", 1.18, "microsoft-pue");
    expect_pue("gcp:us-central1", 1.11, "ccf-app");
    expect_pue("gcp:europe-west4", 1.07, "ccf-app");
    expect_pue("gcp:asia-southeast1", 1.13, "ccf-app");
    expect_pue("gcp:asia-south1", 1.10, "google-pue"); /* no regional value: fleet */
    struct ct_pue p;
    ct_err e;
    assert_int_equal(ct_pue_get("gcp:us-east4", &p, &e), 0);
    assert_string_equal(p.key, "gcp:us-east4");
    REL_EQ(p.pue, 1.08);
    assert_int_equal(ct_pue_lookup("1.5", NULL, NULL, &e), -1);
    assert_int_equal(ct_pue_lookup("mars", NULL, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "unknown PUE key 'mars'"));
    assert_int_equal(ct_pue_lookup("ovh:gra", NULL, NULL, &e), -1);
    assert_int_equal(ct_pue_lookup(NULL, NULL, NULL, &e), -1);
}

static const struct ct_equivalent *find_eq(const struct ct_equivalent *t, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(t[i].key, key) == 0)
            return t + i;
    fail_msg("no equivalent %s", key);
    return NULL;
}

static void test_equivalents(void **state)
{
    (void)state;
    int n = 0, nr = 0;
    const struct ct_equivalent *eq = ct_equivalents(&n);
    const struct ct_equivalent *ref = ct_references(&nr);
    assert_true(n >= 3 && nr >= 2);
    /* ../shared/data/misc/equivalents.csv, converted to kg per unit. */
    REL_EQ(find_eq(eq, n, "flight_ny_sf")->kg_per_unit, 570.0);
    REL_EQ(find_eq(eq, n, "car_km")->kg_per_unit, 0.393 / 1.609344);
    REL_EQ(find_eq(eq, n, "home_year")->kg_per_unit, 5505.0);
    assert_non_null(strstr(find_eq(eq, n, "home_year")->note, "edition"));
    REL_EQ(find_eq(ref, nr, "gpt3")->kg_per_unit, 502000.0);
    assert_non_null(strstr(find_eq(ref, nr, "gpt3")->note, "PUE"));
    REL_EQ(find_eq(ref, nr, "llama2")->kg_per_unit, 539000.0);
    for (int i = 0; i < n; i++)
        assert_non_null(ct_source_get(eq[i].source));
    for (int i = 0; i < nr; i++)
        assert_non_null(ct_source_get(ref[i].source));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spot_values),     cmocka_unit_test(test_every_owid_row),
        cmocka_unit_test(test_year_fallback),   cmocka_unit_test(test_ember_complement),
        cmocka_unit_test(test_unknown_location), cmocka_unit_test(test_gcp_regions),
        cmocka_unit_test(test_aws_azure),       cmocka_unit_test(test_electricity_maps),
        cmocka_unit_test(test_each_and_years),  cmocka_unit_test(test_sources),
        cmocka_unit_test(test_pue),             cmocka_unit_test(test_equivalents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
