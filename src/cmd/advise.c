/* co2tally advise: findings from the ledger and the playbook's measures that
 * apply, ranked by saving over effort, quick wins first. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/common.h"
#include "core/strutil.h"
#include "core/timeutil.h"
#include "cmd/document.h"

static const char usage[] =
    "usage: co2tally advise [--year Y | --from DATE --to DATE] [--json] [-o FILE]\n"
    "                       [--low-util X] [--cleaner-ratio X] [--impact-share X]\n"
    "                       [--country ISO3]\n\n"
    "Findings, each with its evidence from the ledger and its kgCO2e a year: each\n"
    "platform's share of the total (the biggest lever first); GPUs drawing power\n"
    "while under 5% utilisation (from imported logs and the agent); platforms whose\n"
    "team-file utilisation, or hosts whose measured utilisation, is under --low-util\n"
    "(default 0.3); cloud platforms with a region of the same provider whose grid\n"
    "factor is at most --cleaner-ratio of theirs (default 0.5).\n\n"
    "Then the measures of the playbook (data/playbook.csv) that these findings make\n"
    "apply, with the yearly saving each rule estimates, in an impact x effort\n"
    "quadrant: high impact saves at least --impact-share of the total (default\n"
    "0.02). Quick wins come first, then the rest by saving over effort. Each saving\n"
    "is estimated alone: measures overlap, so savings do not add up.\n";

struct args {
    long year;
    int64_t from, to;
    int have_from, have_to, json;
    const char *out;
    const char *country;
    char note[300];
    struct ct_insight_opts o;
};

static int fraction(const char *name, const char *v, double *out)
{
    if (ct_parse_double(v, out) < 0 || !(*out >= 0 && *out <= 1))
        return ct_fail(CT_EXIT_USAGE, "advise", "--%s wants a number from 0 to 1, not '%s'", name, v);
    return 0;
}

static int option(int c, struct args *a)
{
    switch (c) {
    case 'y':
        if (ct_parse_long(optarg, &a->year) < 0 || a->year < 1990 || a->year > 2100)
            return ct_fail(CT_EXIT_USAGE, "advise", "--year wants a year such as 2023");
        return 0;
    case 'f':
    case 't':
        if (ct_parse_time(optarg, c == 'f' ? &a->from : &a->to) < 0)
            return ct_fail(CT_EXIT_USAGE, "advise", "--%s '%s' is not a date (YYYY-MM-DD)",
                           c == 'f' ? "from" : "to", optarg);
        *(c == 'f' ? &a->have_from : &a->have_to) = 1;
        return 0;
    case 'L': return fraction("low-util", optarg, &a->o.low_util);
    case 'C': return fraction("cleaner-ratio", optarg, &a->o.cleaner_ratio);
    case 'I': return fraction("impact-share", optarg, &a->o.impact_share);
    case 'j': a->json = 1; return 0;
    case 'K': a->country = optarg; return 0;
    case 'o': a->out = optarg; return 0;
    case 'h': fputs(usage, stdout); return -1;
    default: fputs(usage, stderr); return CT_EXIT_USAGE;
    }
}

static int parse_args(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        {"year", required_argument, 0, 'y'}, {"from", required_argument, 0, 'f'},
        {"to", required_argument, 0, 't'}, {"json", no_argument, 0, 'j'},
        {"output", required_argument, 0, 'o'}, {"low-util", required_argument, 0, 'L'},
        {"cleaner-ratio", required_argument, 0, 'C'}, {"impact-share", required_argument, 0, 'I'},
        {"country", required_argument, 0, 'K'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c, rc;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1)
        if ((rc = option(c, a)) != 0)
            return rc;
    if (optind < argc)
        return ct_fail(CT_EXIT_USAGE, "advise", "unexpected argument '%s'", argv[optind]);
    if (a->have_from != a->have_to)
        return ct_fail(CT_EXIT_USAGE, "advise", "--from and --to go together");
    if (a->have_from && a->year)
        return ct_fail(CT_EXIT_USAGE, "advise", "give --year or --from/--to, not both");
    return 0;
}

static void render(const struct args *a, const struct ct_report *b, const struct ct_advice *adv,
                   ct_buf *out)
{
    if (a->json) {
        ct_advice_json(adv, out);
        ct_buf_puts(out, "\n");
        return;
    }
    char f[11], t[11];
    ct_fmt_date(b->from, f);
    ct_fmt_date(b->to - 1, t);
    ct_buf_printf(out, "co2tally advise%s%s, %s to %s\n\n", b->team[0] ? ": " : "", b->team, f, t);
    ct_advice_text(adv, out);
    for (int i = 0; i < b->nwarnings; i++)
        ct_buf_printf(out, "%swarning: %s\n", i ? "" : "\n", b->warnings[i]);
}

static int run(const struct args *a, const struct ct_global *g, struct ct_team *t)
{
    int64_t from = a->from, to = a->to;
    if (!a->have_from)
        ct_year_bounds((int)(a->year ? a->year : t->year ? t->year : ct_year_of(ct_now())), &from, &to);
    struct ct_doc_opts o = {.report = {.from = from, .to = to, .by = CT_BY_PLATFORM},
                            .advice = 1, .io = &a->o, .note = a->note};
    struct ct_report b;
    if (ct_cmd_document("advise", g, t, &o, &b))
        return CT_EXIT_USER;
    ct_buf out = {0};
    render(a, &b, b.advice, &out);
    ct_report_free(&b);
    int rc = ct_cmd_write("advise", a->out, out.p ? out.p : "", out.len);
    ct_buf_free(&out);
    return rc;
}

int cmd_advise(int argc, char **argv, const struct ct_global *g)
{
    struct args a = {0};
    ct_insight_defaults(&a.o);
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? CT_EXIT_OK : rc;
    struct ct_team t;
    if ((rc = ct_cmd_team_optional("advise", g, a.country, &t, a.note, sizeof a.note)) != 0)
        return rc;
    rc = run(&a, g, &t);
    ct_team_free(&t);
    return rc;
}
