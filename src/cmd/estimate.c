/* co2tally estimate: the calculated method, written into the ledger. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/common.h"
#include "core/buf.h"
#include "core/strutil.h"
#include "core/timeutil.h"
#include "estimate/calculated.h"

static const char usage[] =
    "usage: co2tally estimate [--year Y] [--json]\n\n"
    "Writes the energy of every calculated platform in the team file for the year\n"
    "(the team year unless --year) into the ledger. Power per unit is watts x\n"
    "utilisation, or idle_watts + (watts - idle_watts) x utilisation where an idle\n"
    "power is known; energy is power x hours x count. Running it again replaces\n"
    "each platform's estimate for that year. A calculated platform with\n"
    "source = usage is counted from its imported usage rows and skipped here.\n"
    "Estimates (of any year) of platforms that are no longer estimated (now\n"
    "measured or provided, source = usage, or gone from the team file) are\n"
    "removed, in the same transaction, and listed.\n";

struct out {
    ct_buf b;
    ct_buf skipped, removed; /* JSON arrays, or text lines after the written ones */
    int json, n, nskipped, nremoved;
};

/* A skipped or removed platform: listed after the written ones. */
static void on_other(struct out *o, const struct ct_estimate_line *l)
{
    int removed = l->kind == CT_EST_REMOVED;
    ct_buf *b = removed ? &o->removed : &o->skipped;
    int n = removed ? o->nremoved++ : o->nskipped++;
    if (!o->json && removed)
        ct_buf_printf(b, "removed the estimate of '%s' for %d: %s\n", l->platform, l->year,
                      l->reason);
    else if (!o->json)
        ct_buf_printf(b, "%-24s skipped: %s\n", l->platform, l->reason);
    if (!o->json)
        return;
    ct_buf_puts(b, n ? ",\n  {\"platform\": " : "\n  {\"platform\": ");
    ct_buf_json_str(b, l->platform);
    if (removed)
        ct_buf_printf(b, ", \"year\": %d", l->year);
    ct_buf_puts(b, ", \"reason\": ");
    ct_buf_json_str(b, l->reason);
    ct_buf_puts(b, "}");
}

static void on_line(const struct ct_estimate_line *l, void *ud)
{
    struct out *o = ud;
    if (l->kind != CT_EST_WRITTEN) {
        on_other(o, l);
        return;
    }
    if (o->json) {
        ct_buf_puts(&o->b, o->n++ ? ",\n  {\"platform\": " : "\n  {\"platform\": ");
        ct_buf_json_str(&o->b, l->platform);
        ct_buf_printf(&o->b, ", \"power_w\": %.15g, \"count\": %.15g, \"hours_per_year\": %.15g, "
                      "\"energy_kwh\": %.15g, \"replaced\": %s}", l->power_w, l->count,
                      l->hours_per_year, l->joules / 3.6e6, l->replaced ? "true" : "false");
        return;
    }
    ct_buf_printf(&o->b, "%-24s %9.2f W x %8.1f h x %6g = %12.1f kWh%s\n", l->platform,
                  l->power_w, l->hours_per_year, l->count, l->joules / 3.6e6,
                  l->replaced ? "  (replaced)" : "");
    if (l->note)
        ct_buf_printf(&o->b, "%-24s (%s)\n", "", l->note);
    o->n++;
}

int cmd_estimate(int argc, char **argv, const struct ct_global *g)
{
    static const struct option opts[] = {
        {"year", required_argument, 0, 'y'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    long year = 0;
    struct out o = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'y':
            if (ct_parse_long(optarg, &year) < 0 || year < 1990 || year > 2100)
                return ct_fail(CT_EXIT_USAGE, "estimate", "--year wants a year such as 2023");
            break;
        case 'j': o.json = 1; break;
        case 'h': fputs(usage, stdout); return CT_EXIT_OK;
        default: fputs(usage, stderr); return CT_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return ct_fail(CT_EXIT_USAGE, "estimate", "unexpected argument '%s'", argv[optind]);
    struct ct_team t;
    if (ct_cmd_team("estimate", g, &t))
        return CT_EXIT_USER;
    if (!year)
        year = t.year;
    if (!year) {
        ct_team_free(&t);
        return ct_fail(CT_EXIT_USER, "estimate", "no year: give --year or year in [team]");
    }
    struct ct_ledger_h L;
    if (ct_cmd_ledger("estimate", g, 0, &L)) {
        ct_team_free(&t);
        return CT_EXIT_USER;
    }
    ct_err e;
    if (o.json)
        ct_buf_printf(&o.b, "{\"year\": %ld, \"platforms\": [", year);
    int rc = ct_estimate_write(&L, &t, (int)year, ct_now(), on_line, &o, &e);
    ct_ledger_close(&L);
    ct_team_free(&t);
    if (rc < 0) {
        ct_buf_free(&o.b);
        ct_buf_free(&o.skipped);
        ct_buf_free(&o.removed);
        return ct_fail(CT_EXIT_USER, "estimate", "%s", e.msg);
    }
    if (o.json) {
        ct_buf_puts(&o.b, o.n ? "\n], \"skipped\": [" : "], \"skipped\": [");
        ct_buf_puts(&o.b, o.skipped.p ? o.skipped.p : "");
        ct_buf_puts(&o.b, o.nskipped ? "\n], \"removed\": [" : "], \"removed\": [");
        ct_buf_puts(&o.b, o.removed.p ? o.removed.p : "");
        ct_buf_puts(&o.b, o.nremoved ? "\n]}\n" : "]}\n");
    } else {
        ct_buf_puts(&o.b, o.skipped.p ? o.skipped.p : "");
        ct_buf_puts(&o.b, o.removed.p ? o.removed.p : "");
        if (o.n == 0)
            ct_buf_puts(&o.b, "no estimated platforms in the team file; nothing to estimate\n");
        else
            ct_buf_printf(&o.b, "%d calculated platform%s written for %ld\n", o.n,
                          o.n == 1 ? "" : "s", year);
    }
    rc = ct_cmd_write("estimate", NULL, o.b.p, o.b.len);
    ct_buf_free(&o.b);
    ct_buf_free(&o.skipped);
    ct_buf_free(&o.removed);
    return rc;
}
