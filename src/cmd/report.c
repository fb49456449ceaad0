/* co2tally report: the ledger's energy as kgCO2e, grouped and extrapolated. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/common.h"
#include "core/strutil.h"
#include "core/timeutil.h"
#include "cmd/document.h"
#include "report/render.h"
#include "report/render_html.h"
#include "report/sci.h"

static const char usage[] =
    "usage: co2tally report [--year Y | --from DATE --to DATE]\n"
    "                       [--by platform|host|device|month|method]\n"
    "                       [--format table|json|csv|html] [--json] [--explain] [-o FILE]\n"
    "                       [--sci --per R [--unit NAME]]\n"
    "                       [--basis location|market] [--scope 1,2,3] [--country ISO3]\n\n"
    "Turns the ledger's energy into kgCO2e (kWh x PUE x the grid factor of the\n"
    "platform's location for each year) and extrapolates each group to the whole\n"
    "period with a 95% interval. DATE is YYYY-MM-DD (UTC); --to is exclusive.\n"
    "--explain lists the factor, its year, source and basis, and the PUE behind\n"
    "every group. Providers' own figures (imported exports) are location-based\n"
    "unless --basis market, never both added; --scope picks the scopes counted.\n"
    "--format html writes one self-contained page (charts, findings, recommendations);\n"
    "JSON carries the findings and recommendations of `co2tally advise` too.\n"
    "--sci gives the Software Carbon Intensity ((E x I) + M) per R, R being --per\n"
    "functional units (named by --unit) in the period, M the embodied emissions of\n"
    "the team file's embodied_kgco2e and lifetime_years.\n"
    "Without a team file (none at the default path) every host is counted at the\n"
    "world average, or at --country ISO3, and the report says so.\n";

enum fmt { F_TABLE, F_JSON, F_CSV, F_HTML };

struct args {
    long year;
    int64_t from, to;
    int have_from, have_to, by, fmt, explain, market, scopes;
    const char *out;
    int sci;
    double per;
    const char *unit;
    const char *country;
    char note[300];
};

static int parse_fmt(const char *s)
{
    return strcmp(s, "table") == 0 ? F_TABLE : strcmp(s, "json") == 0 ? F_JSON
         : strcmp(s, "csv") == 0 ? F_CSV : strcmp(s, "html") == 0 ? F_HTML : -1;
}

/* "1,2,3" -> bit set (1 << scope); -1 when malformed. */
static int parse_scopes(const char *s)
{
    int bits = 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '1' && *p <= '3' && (p[1] == ',' || p[1] == '\0'))
            bits |= 1 << (*p - '0');
        else if (*p != ',')
            return -1;
    }
    return bits ? bits : -1;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        {"year", required_argument, 0, 'y'}, {"from", required_argument, 0, 'f'},
        {"to", required_argument, 0, 't'}, {"by", required_argument, 0, 'b'},
        {"format", required_argument, 0, 'F'}, {"json", no_argument, 0, 'j'},
        {"explain", no_argument, 0, 'x'}, {"output", required_argument, 0, 'o'},
        {"basis", required_argument, 0, 'B'}, {"scope", required_argument, 0, 'S'},
        {"sci", no_argument, 0, 'I'}, {"per", required_argument, 0, 'P'},
        {"unit", required_argument, 0, 'U'},
        {"country", required_argument, 0, 'K'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'y':
            if (ct_parse_long(optarg, &a->year) < 0 || a->year < 1990 || a->year > 2100)
                return ct_fail(CT_EXIT_USAGE, "report", "--year wants a year such as 2023");
            break;
        case 'f':
        case 't':
            if (ct_parse_time(optarg, c == 'f' ? &a->from : &a->to) < 0)
                return ct_fail(CT_EXIT_USAGE, "report", "--%s '%s' is not a date (YYYY-MM-DD)",
                               c == 'f' ? "from" : "to", optarg);
            *(c == 'f' ? &a->have_from : &a->have_to) = 1;
            break;
        case 'b':
            if ((a->by = ct_group_by_parse(optarg)) < 0)
                return ct_fail(CT_EXIT_USAGE, "report", "--by '%s'; use platform, host, device, "
                               "month or method", optarg);
            break;
        case 'F':
            if ((a->fmt = parse_fmt(optarg)) < 0)
                return ct_fail(CT_EXIT_USAGE, "report", "--format '%s'; use table, json, csv or html", optarg);
            break;
        case 'B':
            if (strcmp(optarg, "location") != 0 && strcmp(optarg, "market") != 0)
                return ct_fail(CT_EXIT_USAGE, "report", "--basis '%s'; use location or market", optarg);
            a->market = strcmp(optarg, "market") == 0;
            break;
        case 'S':
            if ((a->scopes = parse_scopes(optarg)) < 0)
                return ct_fail(CT_EXIT_USAGE, "report", "--scope '%s'; list scopes 1, 2 and 3, "
                               "as in --scope 1,2", optarg);
            break;
        case 'I': a->sci = 1; break;
        case 'P':
            if (ct_parse_double(optarg, &a->per) < 0 || !(a->per > 0))
                return ct_fail(CT_EXIT_USAGE, "report", "--per wants a positive count of "
                               "functional units, not '%s'", optarg);
            break;
        case 'U': a->unit = optarg; break;
        case 'K': a->country = optarg; break;
        case 'j': a->fmt = F_JSON; break;
        case 'x': a->explain = 1; break;
        case 'o': a->out = optarg; break;
        case 'h': fputs(usage, stdout); return -1;
        default: fputs(usage, stderr); return CT_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return ct_fail(CT_EXIT_USAGE, "report", "unexpected argument '%s'", argv[optind]);
    if (a->have_from != a->have_to)
        return ct_fail(CT_EXIT_USAGE, "report", "--from and --to go together");
    if (a->have_from && a->year)
        return ct_fail(CT_EXIT_USAGE, "report", "give --year or --from/--to, not both");
    if (a->sci != (a->per > 0))
        return ct_fail(CT_EXIT_USAGE, "report", "--sci and --per R go together (R: the functional "
                       "units in the period, as in --sci --per 1000000 --unit request)");
    return 0;
}

static int run(const struct args *a, const struct ct_global *g, struct ct_team *t)
{
    int64_t from = a->from, to = a->to;
    if (!a->have_from) {
        long year = a->year ? a->year : t->year ? t->year : ct_year_of(ct_now());
        ct_year_bounds((int)year, &from, &to);
    }
    struct ct_doc_opts o = {
        .report = {.from = from, .to = to, .by = a->by, .market = a->market, .scopes = a->scopes},
        .advice = a->fmt == F_HTML || a->fmt == F_JSON,
        .sci_per = a->sci ? a->per : 0,
        .sci_unit = a->unit,
        .note = a->note,
    };
    if (a->sci && !a->scopes)
        o.report.scopes = (1 << 1) | (1 << 2); /* providers' scope 3 holds embodied emissions:
                                                * M is the team file's */
    struct ct_report r;
    if (ct_cmd_document("report", g, t, &o, &r))
        return CT_EXIT_USER;
    ct_buf b = {0};
    if (a->fmt == F_HTML) {
        struct ct_html_opts ho = {.generated = ct_now()};
        ct_render_html(&r, &ho, &b);
    } else if (a->sci && a->fmt == F_JSON) {
        ct_sci_json(r.sci, &b);
    } else if (a->sci) {
        ct_sci_text(r.sci, &b);
    } else if (a->fmt == F_JSON) {
        ct_render_json(&r, a->explain, &b);
    } else if (a->fmt == F_CSV) {
        ct_render_csv(&r, &b);
    } else {
        ct_render_table(&r, a->explain, &b);
    }
    ct_report_free(&r);
    int rc = ct_cmd_write("report", a->out, b.p ? b.p : "", b.len);
    ct_buf_free(&b);
    return rc;
}

int cmd_report(int argc, char **argv, const struct ct_global *g)
{
    struct args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? CT_EXIT_OK : rc;
    struct ct_team t;
    if ((rc = ct_cmd_team_optional("report", g, a.country, &t, a.note, sizeof a.note)) != 0)
        return rc;
    rc = run(&a, g, &t);
    ct_team_free(&t);
    return rc;
}
