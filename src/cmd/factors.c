/* co2tally factors: the grid factor used for a location, its year and source. */
#include <stdio.h>
#include <string.h>

#include "account/factors.h"
#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/strutil.h"

static const char usage_text[] =
    "usage: co2tally factors [CODE] [--year Y] [--json] [--list] [--help]\n"
    "\n"
    "The grid emission factor (kgCO2e/kWh) for a location and year, with its source.\n"
    "\n"
    "CODE is an ISO3 country (SGP; WORLD for the world average), an Electricity Maps\n"
    "zone (FR, US-CAL-CISO, em:FR; add /direct for the direct-emissions value), or a\n"
    "cloud region (gcp:us-central1, aws:eu-west-1, azure:westeurope).\n"
    "\n"
    "  --year Y   the year wanted (default: the latest); a missing year falls back\n"
    "             to the nearest earlier one, and the output says so\n"
    "  --list     every known location with its latest value (or the --year value)\n"
    "  --json     machine-readable output (an array with --list)\n";

struct opts {
    const char *code;
    int year, json, list;
};

static int parse_year(const char *s, int *year)
{
    long v;
    if (!s || ct_parse_long(s, &v) < 0 || v < 0 || v > 9999)
        return ct_fail(CT_EXIT_USAGE, "factors", "--year needs a year such as 2023, not '%s'", s ? s : "");
    *year = (int)v;
    return 0;
}

/* Returns -1 to go on, or the exit status. */
static int parse(int argc, char **argv, struct opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return CT_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--list") == 0) {
            o->list = 1;
        } else if (strcmp(a, "--year") == 0) {
            if (parse_year(i + 1 < argc ? argv[++i] : NULL, &o->year))
                return CT_EXIT_USAGE;
        } else if (strncmp(a, "--year=", 7) == 0) {
            if (parse_year(a + 7, &o->year))
                return CT_EXIT_USAGE;
        } else if (a[0] == '-' && a[1]) {
            return ct_fail(CT_EXIT_USAGE, "factors", "unknown option '%s'; see 'co2tally factors --help'", a);
        } else if (o->code) {
            return ct_fail(CT_EXIT_USAGE, "factors", "one location at a time ('%s' and '%s')", o->code, a);
        } else {
            o->code = a;
        }
    }
    if (o->list && o->code)
        return ct_fail(CT_EXIT_USAGE, "factors", "give a location or --list, not both");
    if (!o->list && !o->code) {
        fputs(usage_text, stderr);
        return CT_EXIT_USAGE;
    }
    return -1;
}

static void json_year(ct_buf *b, const char *name, int year)
{
    ct_buf_printf(b, ",\"%s\":", name);
    if (year)
        ct_buf_printf(b, "%d", year);
    else
        ct_buf_puts(b, "null"); /* undated, or "the latest" when asked */
}

static void json_field(ct_buf *b, const char *name, const char *value)
{
    ct_buf_printf(b, ",\"%s\":", name);
    ct_buf_json_str(b, value);
}

static void put_json(ct_buf *b, const struct ct_factor *f)
{
    const struct ct_source *s = ct_source_get(f->source);
    ct_buf_puts(b, "{\"code\":");
    ct_buf_json_str(b, f->code);
    json_field(b, "name", f->name);
    json_year(b, "year", f->year);
    json_year(b, "year_asked", f->year_asked);
    ct_buf_puts(b, ",\"value_kg_per_kwh\":");
    ct_buf_json_num(b, f->kg_per_kwh);
    json_field(b, "basis", ct_basis_name(f->basis));
    json_field(b, "source", f->source);
    json_field(b, "source_title", s ? s->title : "");
    json_field(b, "licence", s ? s->licence : "");
    json_field(b, "url", s ? s->url : "");
    json_field(b, "note", f->note);
    ct_buf_puts(b, "}");
}

static void put_text(ct_buf *b, const struct ct_factor *f)
{
    const struct ct_source *s = ct_source_get(f->source);
    ct_buf_printf(b, "%s  %s\n", f->code, f->name);
    ct_buf_printf(b, "  value   %.10g kgCO2e/kWh (%.10g gCO2e/kWh)\n", f->kg_per_kwh, f->kg_per_kwh * 1000);
    if (f->year)
        ct_buf_printf(b, "  year    %d", f->year);
    else
        ct_buf_puts(b, "  year    undated");
    if (f->year_asked)
        ct_buf_printf(b, " (asked: %d)\n", f->year_asked);
    else
        ct_buf_puts(b, " (asked: latest)\n");
    ct_buf_printf(b, "  basis   %s\n", ct_basis_name(f->basis));
    if (s)
        ct_buf_printf(b, "  source  %s [%s]\n          %s\n", s->title, s->licence, s->url);
    if (f->note[0])
        ct_buf_printf(b, "  note    %s\n", f->note);
}

static void put_row(ct_buf *b, const struct ct_factor *f)
{
    char year[8] = "-";
    if (f->year)
        snprintf(year, sizeof year, "%d", f->year);
    ct_buf_printf(b, "%-34s %-12.6g %-5s %-12s %s\n", f->code, f->kg_per_kwh, year,
                  ct_basis_name(f->basis), f->name);
}

struct list_state {
    ct_buf *b;
    const struct opts *o;
    int n;
};

static int list_one(const struct ct_factor *latest, void *ud)
{
    struct list_state *st = ud;
    struct ct_factor f = *latest;
    /* ct_factor_each gives the latest value; re-ask for another year. Every
     * listed code looks itself up, so this cannot fail. */
    if (st->o->year && ct_factor_lookup(latest->code, st->o->year, &f, NULL) < 0)
        f = *latest;
    if (st->o->json) {
        ct_buf_puts(st->b, st->n ? ",\n" : "\n");
        put_json(st->b, &f);
    } else {
        put_row(st->b, &f);
    }
    st->n++;
    return 0;
}

static int list_all(const struct opts *o)
{
    ct_buf b = {0};
    struct list_state st = {&b, o, 0};
    if (o->json)
        ct_buf_puts(&b, "[");
    else
        ct_buf_printf(&b, "%-34s %-12s %-5s %-12s %s\n", "code", "kgCO2e/kWh", "year", "basis", "name");
    ct_factor_each(list_one, &st);
    if (o->json)
        ct_buf_puts(&b, "\n]\n");
    fwrite(b.p, 1, b.len, stdout);
    ct_buf_free(&b);
    return fflush(stdout) == 0 ? CT_EXIT_OK : CT_EXIT_USER;
}

int cmd_factors(int argc, char **argv, const struct ct_global *g)
{
    struct opts o = {0};
    (void)g;
    int rc = parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (o.list)
        return list_all(&o);
    struct ct_factor f;
    ct_err e;
    if (ct_factor_lookup(o.code, o.year, &f, &e) < 0)
        return ct_fail(CT_EXIT_USER, "factors", "%s", e.msg);
    ct_buf b = {0};
    if (o.json) {
        put_json(&b, &f);
        ct_buf_puts(&b, "\n");
    } else {
        put_text(&b, &f);
    }
    fwrite(b.p, 1, b.len, stdout);
    ct_buf_free(&b);
    return fflush(stdout) == 0 ? CT_EXIT_OK : CT_EXIT_USER;
}
