/* co2tally ledger: what the ledger holds (info, hosts), and moving it between
 * machines (push, merge, backup). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/common.h"
#include "cmd/ledger_int.h"
#include "core/buf.h"
#include "core/strutil.h"
#include "core/timeutil.h"
#include "ledger/hosts.h"
#include "ledger/transfer.h"

static const char usage[] =
    "usage: co2tally ledger info\n"
    "       co2tally ledger hosts [--year Y | --from DATE --to DATE] [--json]\n"
    "       co2tally ledger push --to URL\n"
    "       co2tally ledger merge FILE.db\n"
    "       co2tally ledger backup DEST\n"
    "       co2tally ledger sources [--json]\n"
    "       co2tally ledger forget SOURCE\n"
    "       co2tally ledger runs [--json]\n\n"
    "info    the ledger's location, how many sources, energy records, provided\n"
    "        emissions and runs it holds; on stderr, what still sits in its -wal file.\n"
    "hosts   every host with energy in the ledger: its first and last record, its\n"
    "        sources, its energy in the period (default: all of it) and the team-file\n"
    "        platform that claims it; hosts the team file lists that never reported\n"
    "        are shown as such. The team file is optional here.\n"
    "push    sends what this ledger (--db) holds and the ledger at URL (a path or\n"
    "        postgresql://...) lacks: each source whole, in one transaction, so an\n"
    "        interrupted push loses nothing and running it again sends the rest.\n"
    "merge   the same from another SQLite ledger FILE.db into this one (--db).\n"
    "backup  a consistent copy of a live SQLite ledger (SQLite's online backup, no\n"
    "        -wal to carry along) into DEST, which must not exist.\n"
    "sources each source with its kind, file, host, platform, period, records and kWh.\n"
    "forget  deletes one source and every record that came from it, in one transaction;\n"
    "        SOURCE is its id, its sha256 (or 8+ of its first hex digits) or its path.\n"
    "runs    the commands `measure` recorded: start, host, duration, energy per\n"
    "        component and gCO2e (by the accounting rule reports use).\n"
    "Running push or merge twice gives the same ledger as running it once.\n";

static int is_url(const char *s) { return strstr(s, "://") != NULL; }

/* A URL may hold a password: it is never echoed. */
static const char *shown(const char *where) { return is_url(where) ? "the remote ledger" : where; }

/* ---- info ---- */

static int info(const struct ct_global *g)
{
    int64_t wal_bytes = 0, wal_frames = 0;
    ct_err e;
    /* Read before opening: the open itself may replay or checkpoint the log. */
    if (!is_url(g->db) && access(g->db, F_OK) == 0 &&
        ct_sqlite_wal_size(g->db, &wal_bytes, &wal_frames, &e) < 0)
        return ct_fail(CT_EXIT_USER, "ledger", "%s", e.msg);
    struct ct_ledger_h L;
    if (ct_cmd_ledger("ledger", g, 1, &L))
        return CT_EXIT_USER;
    static const char *tables[] = {"sources", "energy", "provided", "runs"};
    printf("ledger: %s (%s)\n", shown(g->db), L.ops->name);
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        int64_t n = 0;
        if (L.ops->count(L.db, tables[i], &n, &e) < 0) {
            ct_ledger_close(&L);
            return ct_fail(CT_EXIT_USER, "ledger", "%s", e.msg);
        }
        printf("  %-10s %lld\n", tables[i], (long long)n);
    }
    ct_ledger_close(&L);
    /* On stderr, as a note: stdout stays the counts, which scripts compare. */
    if (wal_bytes > 0)
        fprintf(stderr, "write-ahead log: %lld frames (%lld bytes) sit in %s-wal, not yet in "
                "the main file;\n  a copy of %s alone may lack them: copy it with `co2tally "
                "--db %s ledger backup DEST`\n  (or copy %s and %s-wal together while nothing "
                "writes)\n", (long long)wal_frames, (long long)wal_bytes, g->db, g->db, g->db,
                g->db, g->db);
    return CT_EXIT_OK;
}

/* ---- push and merge ---- */

/* Two paths naming one file (push to itself would read what it writes). */
static int same_file(const char *a, const char *b)
{
    if (is_url(a) || is_url(b))
        return 0;
    char ra[PATH_MAX], rb[PATH_MAX];
    if (!realpath(a, ra) || !realpath(b, rb))
        return 0;
    return strcmp(ra, rb) == 0;
}

static void note(const char *path, const char *why, void *ud)
{
    (void)ud;
    fprintf(stderr, "co2tally ledger: source %s: %s\n", path, why);
}

static int transfer(const char *cmd, const char *from, const char *to)
{
    if (!is_url(from) && access(from, F_OK) != 0)
        return ct_fail(CT_EXIT_USER, "ledger", "no ledger at %s", from);
    if (same_file(from, to))
        return ct_fail(CT_EXIT_USER, "ledger", "%s: %s and %s are the same ledger", cmd,
                       from, to);
    struct ct_ledger_h F, T;
    ct_err e;
    if (ct_ledger_open(from, &F, &e) < 0)
        return ct_fail(CT_EXIT_USER, "ledger", "%s", e.msg);
    if (ct_ledger_open(to, &T, &e) < 0) {
        ct_ledger_close(&F);
        return ct_fail(CT_EXIT_USER, "ledger", "%s", e.msg);
    }
    struct ct_transfer_stats st;
    int rc = ct_ledger_transfer(&F, &T, &st, note, NULL, &e);
    ct_ledger_close(&T);
    ct_ledger_close(&F);
    printf("%s %s into %s: %lld sources copied (%lld energy buckets, %lld provided "
           "emissions, %lld runs), %lld updated, %lld already there",
           cmd, shown(from), shown(to), (long long)st.copied, (long long)st.energy,
           (long long)st.provided, (long long)st.runs, (long long)st.updated,
           (long long)st.present);
    if (st.kept)
        printf(", %lld kept as the target had them", (long long)st.kept);
    printf(" (of %lld)\n", (long long)st.sources);
    if (rc < 0)
        return ct_fail(CT_EXIT_USER, "ledger", "%s stopped: %s; what was copied stays, run it "
                       "again to send the rest", cmd, e.msg);
    return CT_EXIT_OK;
}

static int push(int argc, char **argv, const struct ct_global *g)
{
    static const struct option opts[] = {{"to", required_argument, 0, 't'},
                                         {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *to = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
        if (c == 't')
            to = optarg;
        else if (c == 'h')
            return fputs(usage, stdout), CT_EXIT_OK;
        else
            return fputs(usage, stderr), CT_EXIT_USAGE;
    }
    if (optind < argc)
        return ct_fail(CT_EXIT_USAGE, "ledger", "push: unexpected argument '%s'", argv[optind]);
    if (!to)
        return ct_fail(CT_EXIT_USAGE, "ledger", "push needs --to URL (a ledger path or "
                       "postgresql://...)");
    return transfer("push", g->db, to);
}

static int merge(int argc, char **argv, const struct ct_global *g)
{
    if (argc != 2 || argv[1][0] == '-')
        return ct_fail(CT_EXIT_USAGE, "ledger", "usage: co2tally ledger merge FILE.db");
    if (is_url(argv[1]))
        return ct_fail(CT_EXIT_USAGE, "ledger", "merge reads a SQLite file; to send to a "
                       "remote ledger use `ledger push --to URL`");
    return transfer("merge", argv[1], g->db);
}

static int backup(int argc, char **argv, const struct ct_global *g)
{
    if (argc != 2 || argv[1][0] == '-')
        return ct_fail(CT_EXIT_USAGE, "ledger", "usage: co2tally ledger backup DEST");
    if (is_url(g->db))
        return ct_fail(CT_EXIT_USER, "ledger", "backup copies a SQLite ledger; back a "
                       "PostgreSQL ledger up with pg_dump");
    if (access(g->db, F_OK) != 0)
        return ct_fail(CT_EXIT_USER, "ledger", "no ledger at %s", g->db);
    ct_err e;
    if (ct_sqlite_backup(g->db, argv[1], &e) < 0)
        return ct_fail(CT_EXIT_USER, "ledger", "%s", e.msg);
    printf("backup of %s written to %s\n", g->db, argv[1]);
    return CT_EXIT_OK;
}

/* ---- hosts ---- */

struct row {
    const char *host;
    const struct ct_host_sum *s;   /* NULL: listed by the team file, never reported */
    const char *platform;          /* the team-file platform claiming it, or NULL */
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct row *)a)->host, ((const struct row *)b)->host);
}

/* The ledger's hosts and the team file's, one row each, by name. */
static struct row *rows_of(const struct ct_hosts *h, const struct ct_team *t, size_t *n)
{
    size_t cap = h->n;
    for (size_t i = 0; t && i < t->nplat; i++)
        cap += t->plat[i].nhosts;
    struct row *r = calloc(cap ? cap : 1, sizeof *r);
    if (!r)
        return NULL;
    *n = 0;
    for (size_t i = 0; i < h->n; i++)
        r[(*n)++] = (struct row){h->v[i].host, &h->v[i], NULL};
    for (size_t i = 0; t && i < t->nplat; i++)
        for (size_t k = 0; k < t->plat[i].nhosts; k++) {
            const char *name = t->plat[i].hosts[k];
            int dup = ct_hosts_find(h, name) != NULL;
            for (size_t j = h->n; j < *n && !dup; j++)
                dup = strcmp(r[j].host, name) == 0;
            if (!dup)
                r[(*n)++] = (struct row){name, NULL, NULL};
        }
    qsort(r, *n, sizeof *r, by_name);
    for (size_t i = 0; t && i < *n; i++) {
        const struct ct_platform *p = ct_team_platform_of_host(t, r[i].host);
        r[i].platform = p ? p->name : NULL;
    }
    return r;
}

static void kinds_text(const struct ct_host_sum *s, char *out, size_t n)
{
    size_t len = (size_t)snprintf(out, n, "%lld (", (long long)s->sources);
    for (size_t k = 0; k < s->nkinds && len < n; k++)
        len += (size_t)snprintf(out + len, n - len, "%s%s %lld", k ? ", " : "",
                                s->kinds[k].kind, (long long)s->kinds[k].sources);
    if (len < n)
        snprintf(out + len, n - len, ")");
}

static void hosts_table(const struct row *r, size_t n, int64_t from, int64_t to, int whole,
                        ct_buf *b)
{
    char a[21], z[21];
    if (whole) {
        ct_buf_puts(b, "hosts (energy: everything in the ledger)\n");
    } else {
        ct_fmt_date(from, a);
        ct_fmt_date(to, z);
        ct_buf_printf(b, "hosts (energy from %s to %s, exclusive)\n", a, z);
    }
    ct_buf_printf(b, "%-20s %-16s %-20s %-20s %12s  %s\n", "host", "platform", "first record",
                  "last record", "kWh", "sources");
    for (size_t i = 0; i < n; i++) {
        const char *plat = r[i].platform ? r[i].platform : "-";
        if (!r[i].s) {
            ct_buf_printf(b, "%-20s %-16s never reported\n", r[i].host, plat);
            continue;
        }
        char kinds[256];
        kinds_text(r[i].s, kinds, sizeof kinds);
        ct_fmt_iso(r[i].s->first, a);
        ct_fmt_iso(r[i].s->last, z);
        ct_buf_printf(b, "%-20s %-16s %-20s %-20s %12.6g  %s\n", r[i].host, plat, a, z,
                      r[i].s->joules / 3.6e6, kinds);
    }
}

static void hosts_json(const struct row *r, size_t n, int64_t from, int64_t to, int whole,
                       ct_buf *b)
{
    char a[21], z[21];
    ct_fmt_iso(from, a);
    ct_fmt_iso(to, z);
    ct_buf_puts(b, "{\"from\": ");
    if (whole)
        ct_buf_puts(b, "null, \"to\": null");
    else
        ct_buf_printf(b, "\"%s\", \"to\": \"%s\"", a, z);
    ct_buf_puts(b, ", \"hosts\": [");
    for (size_t i = 0; i < n; i++) {
        ct_buf_puts(b, i ? ",\n  {\"host\": " : "\n  {\"host\": ");
        ct_buf_json_str(b, r[i].host);
        ct_buf_puts(b, ", \"platform\": ");
        if (r[i].platform)
            ct_buf_json_str(b, r[i].platform);
        else
            ct_buf_puts(b, "null");
        const struct ct_host_sum *s = r[i].s;
        ct_buf_printf(b, ", \"reported\": %s", s ? "true" : "false");
        if (s) {
            ct_fmt_iso(s->first, a);
            ct_fmt_iso(s->last, z);
            ct_buf_printf(b, ", \"first\": \"%s\", \"last\": \"%s\", \"joules\": ", a, z);
            ct_buf_json_num(b, s->joules);
            ct_buf_puts(b, ", \"energy_kwh\": ");
            ct_buf_json_num(b, s->joules / 3.6e6);
            ct_buf_printf(b, ", \"sources\": %lld, \"kinds\": {", (long long)s->sources);
            for (size_t k = 0; k < s->nkinds; k++) {
                ct_buf_puts(b, k ? ", " : "");
                ct_buf_json_str(b, s->kinds[k].kind);
                ct_buf_printf(b, ": %lld", (long long)s->kinds[k].sources);
            }
            ct_buf_puts(b, "}");
        }
        ct_buf_puts(b, "}");
    }
    ct_buf_puts(b, n ? "\n]}\n" : "]}\n");
}

struct hosts_args {
    long year;
    int64_t from, to;
    int have_from, have_to, json;
};

static int hosts_parse(int argc, char **argv, struct hosts_args *a)
{
    static const struct option opts[] = {
        {"year", required_argument, 0, 'y'}, {"from", required_argument, 0, 'f'},
        {"to", required_argument, 0, 't'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'y':
            if (ct_parse_long(optarg, &a->year) < 0 || a->year < 1970 || a->year > 9999)
                return ct_fail(CT_EXIT_USAGE, "ledger", "--year wants a year such as 2023");
            break;
        case 'f':
        case 't':
            if (ct_parse_time(optarg, c == 'f' ? &a->from : &a->to) < 0)
                return ct_fail(CT_EXIT_USAGE, "ledger", "--%s '%s' is not a date (YYYY-MM-DD)",
                               c == 'f' ? "from" : "to", optarg);
            *(c == 'f' ? &a->have_from : &a->have_to) = 1;
            break;
        case 'j': a->json = 1; break;
        case 'h': fputs(usage, stdout); return -1;
        default: fputs(usage, stderr); return CT_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return ct_fail(CT_EXIT_USAGE, "ledger", "hosts: unexpected argument '%s'", argv[optind]);
    if (a->have_from != a->have_to)
        return ct_fail(CT_EXIT_USAGE, "ledger", "--from and --to go together");
    if (a->have_from && a->year)
        return ct_fail(CT_EXIT_USAGE, "ledger", "give --year or --from/--to, not both");
    if (a->have_from && a->to <= a->from)
        return ct_fail(CT_EXIT_USAGE, "ledger", "--to must come after --from");
    return 0;
}

static int hosts_print(const struct ct_hosts *h, const struct ct_team *t,
                       const struct hosts_args *a, int64_t from, int64_t to)
{
    int whole = !a->year && !a->have_from;
    size_t n = 0;
    struct row *r = rows_of(h, t, &n);
    if (!r)
        return ct_fail(CT_EXIT_USER, "ledger", "out of memory");
    ct_buf b = {0};
    if (a->json)
        hosts_json(r, n, from, to, whole, &b);
    else
        hosts_table(r, n, from, to, whole, &b);
    free(r);
    int rc = ct_cmd_write("ledger", "-", b.p ? b.p : "", b.len);
    ct_buf_free(&b);
    return rc;
}

static int hosts(int argc, char **argv, const struct ct_global *g)
{
    struct hosts_args a = {0};
    int rc = hosts_parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? CT_EXIT_OK : rc;
    struct ct_team t, *tp = NULL;
    /* Optional here: without one, no host has a platform and none is missing. */
    if (g->config_given || access(g->config, F_OK) == 0) {
        if (ct_cmd_team("ledger", g, &t))
            return CT_EXIT_USER;
        tp = &t;
    }
    int64_t from = 0, to = CT_LEDGER_T_MAX;
    if (a.year)
        ct_year_bounds((int)a.year, &from, &to);
    else if (a.have_from)
        from = a.from, to = a.to;
    struct ct_ledger_h L;
    struct ct_hosts h;
    ct_err e;
    rc = CT_EXIT_USER;
    if (ct_cmd_ledger("ledger", g, 1, &L) == CT_EXIT_OK) {
        if (ct_ledger_hosts(&L, from, to, &h, &e) < 0) {
            ct_fail(CT_EXIT_USER, "ledger", "%s", e.msg);
        } else {
            rc = hosts_print(&h, tp, &a, from, to);
            ct_hosts_free(&h);
        }
        ct_ledger_close(&L);
    }
    if (tp)
        ct_team_free(tp);
    return rc;
}

int cmd_ledger(int argc, char **argv, const struct ct_global *g)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return CT_EXIT_OK;
    }
    const char *sub = argc > 1 ? argv[1] : "info";
    if (strcmp(sub, "info") == 0) {
        if (argc > 2)
            return ct_fail(CT_EXIT_USAGE, "ledger", "info takes no arguments");
        return info(g);
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **, const struct ct_global *);
    } subs[] = {{"hosts", hosts}, {"push", push}, {"merge", merge}, {"backup", backup},
                {"sources", ct_ledger_cmd_sources}, {"forget", ct_ledger_cmd_forget},
                {"runs", ct_ledger_cmd_runs}};
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
        if (strcmp(sub, subs[i].name) == 0)
            return subs[i].fn(argc - 1, argv + 1, g);
    return ct_fail(CT_EXIT_USAGE, "ledger", "unknown subcommand '%s'; try info, hosts, sources, "
                   "forget, runs, push, merge or backup", sub);
}
