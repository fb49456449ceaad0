/* co2tally ledger sources | forget | runs: what the ledger holds, source by
 * source; forgetting one; the runs `measure` recorded. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/measure.h"
#include "cmd/common.h"
#include "cmd/ledger_int.h"
#include "core/buf.h"
#include "core/timeutil.h"
#include "ledger/sources.h"

static int want_json(int argc, char **argv, const char *sub, int *json)
{
    *json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            *json = 1;
        else
            return ct_fail(CT_EXIT_USAGE, "ledger", "%s: unexpected argument '%s'", sub, argv[i]);
    }
    return 0;
}

static void period(const struct ct_source_info *s, char *out, size_t n)
{
    char a[21], b[21];
    if (!s->t0 && !s->t1) {
        snprintf(out, n, "-");
        return;
    }
    ct_fmt_iso(s->t0, a);
    ct_fmt_iso(s->t1, b);
    snprintf(out, n, "%.10s..%.10s", a, b);
}

static void who(const char *first, int n, char *out, size_t size)
{
    if (n > 1)
        snprintf(out, size, "%s +%d", first, n - 1);
    else
        snprintf(out, size, "%s", *first ? first : "-");
}

static void source_json(ct_buf *b, const struct ct_source_info *s)
{
    char t[21];
    ct_fmt_iso(s->imported_at, t);
    ct_buf_printf(b, "{\"id\": %lld, \"kind\": ", (long long)s->id);
    ct_buf_json_str(b, s->kind);
    ct_buf_puts(b, ", \"path\": ");
    ct_buf_json_str(b, s->path);
    ct_buf_printf(b, ", \"sha256\": \"%s\", \"imported_at\": \"%s\", \"host\": ", s->sha256, t);
    ct_buf_json_str(b, s->host);
    ct_buf_printf(b, ", \"hosts\": %d, \"platform\": ", s->nhosts);
    ct_buf_json_str(b, s->platform);
    ct_buf_printf(b, ", \"records\": %zu, \"provided\": %zu, \"runs\": %zu, \"energy_kwh\": ",
                  s->records, s->provided, s->runs);
    ct_buf_json_num(b, s->kwh);
    if (s->t0 || s->t1) {
        char a[21], z[21];
        ct_fmt_iso(s->t0, a);
        ct_fmt_iso(s->t1, z);
        ct_buf_printf(b, ", \"from\": \"%s\", \"to\": \"%s\"}", a, z);
    } else {
        ct_buf_puts(b, ", \"from\": null, \"to\": null}");
    }
}

static void sources_text(ct_buf *b, const struct ct_source_info *s, size_t n)
{
    int wk = 4, wp = 4;
    for (size_t i = 0; i < n; i++) {
        wk = (int)strlen(s[i].kind) > wk ? (int)strlen(s[i].kind) : wk;
        wp = (int)strlen(s[i].path) > wp ? (int)strlen(s[i].path) : wp;
    }
    ct_buf_printf(b, "%5s  %-*s  %-*s  %-16s  %-16s  %-22s  %8s  %12s\n", "id", wk, "kind", wp,
                  "file", "host", "platform", "period", "records", "kWh");
    for (size_t i = 0; i < n; i++) {
        char h[160], p[192], per[32];
        who(s[i].host, s[i].nhosts, h, sizeof h);
        who(s[i].platform, s[i].nplatforms, p, sizeof p);
        period(&s[i], per, sizeof per);
        ct_buf_printf(b, "%5lld  %-*s  %-*s  %-16s  %-16s  %-22s  %8zu  %12.6g\n",
                      (long long)s[i].id, wk, s[i].kind, wp, s[i].path, h, p, per,
                      s[i].records + s[i].provided + s[i].runs, s[i].kwh);
    }
    if (n == 0)
        ct_buf_puts(b, "(the ledger holds no sources)\n");
}

int ct_ledger_cmd_sources(int argc, char **argv, const struct ct_global *g)
{
    int json;
    if (want_json(argc, argv, "sources", &json))
        return CT_EXIT_USAGE;
    struct ct_ledger_h L;
    if (ct_cmd_ledger("ledger", g, 1, &L))
        return CT_EXIT_USER;
    struct ct_source_info *s;
    size_t n;
    ct_err e;
    int rc = ct_ledger_sources(&L, &s, &n, &e);
    ct_ledger_close(&L);
    if (rc < 0)
        return ct_fail(CT_EXIT_USER, "ledger", "%s", e.msg);
    ct_buf b = {0};
    if (json) {
        ct_buf_puts(&b, "{\"sources\": [");
        for (size_t i = 0; i < n; i++) {
            ct_buf_puts(&b, i ? ",\n  " : "\n  ");
            source_json(&b, &s[i]);
        }
        ct_buf_puts(&b, n ? "\n]}\n" : "]}\n");
    } else {
        sources_text(&b, s, n);
    }
    ct_ledger_sources_free(s, n);
    rc = ct_cmd_write("ledger", NULL, b.p ? b.p : "", b.len);
    ct_buf_free(&b);
    return rc;
}

/* ---- forget ---- */

int ct_ledger_cmd_forget(int argc, char **argv, const struct ct_global *g)
{
    if (argc != 2 || argv[1][0] == '-')
        return ct_fail(CT_EXIT_USAGE, "ledger", "usage: co2tally ledger forget SOURCE (an id, a "
                       "sha256 or 8+ of its first hex digits, or a path; see `ledger sources`)");
    if (!strstr(g->db, "://") && access(g->db, F_OK) != 0)
        return ct_fail(CT_EXIT_USER, "ledger", "no ledger at %s", g->db);
    struct ct_ledger_h L;
    if (ct_cmd_ledger("ledger", g, 0, &L))
        return CT_EXIT_USER;
    ct_err e;
    struct ct_source_info *s;
    size_t n, idx[8];
    /* One write transaction from the look-up to the delete: what is forgotten
     * is what was shown, and a kill -9 leaves either all of it or none. */
    if (L.ops->begin(L.db, &e) < 0 || ct_ledger_sources(&L, &s, &n, &e) < 0) {
        L.ops->rollback(L.db);
        ct_ledger_close(&L);
        return ct_fail(CT_EXIT_USER, "ledger", "%s", e.msg);
    }
    size_t k = ct_ledger_source_match(s, n, argv[1], idx, 8);
    int rc = CT_EXIT_OK;
    if (k == 0) {
        rc = ct_fail(CT_EXIT_USER, "ledger", "no source matches '%s' (see `co2tally ledger "
                     "sources`)", argv[1]);
    } else if (k > 1) {
        fprintf(stderr, "co2tally ledger: '%s' matches %zu sources; give one id:\n", argv[1], k);
        for (size_t i = 0; i < k && i < 8; i++)
            fprintf(stderr, "  %lld  %s  %s\n", (long long)s[idx[i]].id, s[idx[i]].kind,
                    s[idx[i]].path);
        rc = CT_EXIT_USER;
    } else if (L.ops->delete_source(L.db, s[idx[0]].id, &e) < 0 || L.ops->commit(L.db, &e) < 0) {
        rc = ct_fail(CT_EXIT_USER, "ledger", "%s", e.msg);
    } else {
        const struct ct_source_info *x = &s[idx[0]];
        printf("forgot source %lld (%s, %s): %zu energy records (%.6g kWh), %zu provided "
               "emissions, %zu runs\n", (long long)x->id, x->kind, x->path, x->records, x->kwh,
               x->provided, x->runs);
    }
    if (rc != CT_EXIT_OK)
        L.ops->rollback(L.db);
    ct_ledger_sources_free(s, n);
    ct_ledger_close(&L);
    return rc;
}

/* ---- runs ---- */

struct runs {
    ct_buf *b;
    const struct ct_team *t;
    int json, n;
    ct_err *e;
};

static int on_run(const struct ct_run_rec *r, void *ud)
{
    struct runs *x = ud;
    struct ct_measure_co2 co2;
    if (ct_measure_co2(x->t, r->host, ct_year_of(r->t0), r->total_j, &co2, x->e) < 0)
        return 1;
    char t0[21];
    ct_fmt_iso(r->t0, t0);
    double dur = (double)(r->t1 - r->t0);
    if (x->json) {
        ct_buf_puts(x->b, x->n++ ? ",\n  {\"host\": " : "\n  {\"host\": ");
        ct_buf_json_str(x->b, r->host);
        ct_buf_puts(x->b, ", \"command\": ");
        ct_buf_json_str(x->b, r->command);
        ct_buf_printf(x->b, ", \"start\": \"%s\", \"duration_s\": %.0f, \"exit_status\": %d, "
                      "\"cpu_j\": %.17g, \"dram_j\": %.17g, \"gpu_j\": %.17g, \"total_j\": %.17g, "
                      "\"kgco2e\": %.17g, \"location\": ", t0, dur, r->exit_status, r->cpu_j,
                      r->dram_j, r->gpu_j, r->total_j, co2.kgco2e);
        ct_buf_json_str(x->b, co2.f.code);
        ct_buf_puts(x->b, ", \"methods\": ");
        ct_buf_json_str(x->b, r->methods ? r->methods : "");
        ct_buf_puts(x->b, "}");
        return 0;
    }
    ct_buf_printf(x->b, "%-20s  %-14s  %8.0f  %10.1f  %10.1f  %10.1f  %10.1f  %12.6g  %4d  %s\n",
                  t0, r->host, dur, r->cpu_j, r->dram_j, r->gpu_j, r->total_j, co2.kgco2e * 1000,
                  r->exit_status, r->command);
    x->n++;
    return 0;
}

int ct_ledger_cmd_runs(int argc, char **argv, const struct ct_global *g)
{
    int json;
    if (want_json(argc, argv, "runs", &json))
        return CT_EXIT_USAGE;
    struct ct_team t;
    char note[300];
    int rc = ct_cmd_team_optional("ledger", g, NULL, &t, note, sizeof note);
    if (rc)
        return rc;
    struct ct_ledger_h L;
    if (ct_cmd_ledger("ledger", g, 1, &L)) {
        ct_team_free(&t);
        return CT_EXIT_USER;
    }
    ct_buf b = {0};
    ct_err e = {{0}};
    struct runs x = {.b = &b, .t = &t, .json = json, .e = &e};
    if (json)
        ct_buf_puts(&b, "{\"runs\": [");
    else
        ct_buf_printf(&b, "%-20s  %-14s  %8s  %10s  %10s  %10s  %10s  %12s  %4s  %s\n", "start",
                      "host", "seconds", "cpu J", "dram J", "gpu J", "total J", "gCO2e", "exit",
                      "command");
    rc = L.ops->scan_runs(L.db, 0, CT_LEDGER_T_MAX, on_run, &x, &e);
    ct_ledger_close(&L);
    ct_team_free(&t);
    if (rc < 0) {
        ct_buf_free(&b);
        return ct_fail(CT_EXIT_USER, "ledger", "%s", e.msg);
    }
    if (json)
        ct_buf_puts(&b, x.n ? "\n]}\n" : "]}\n");
    else if (x.n == 0)
        ct_buf_puts(&b, "(no runs: `co2tally measure -- COMMAND` records them)\n");
    if (!json && note[0])
        ct_buf_printf(&b, "note: %s\n", note);
    rc = ct_cmd_write("ledger", NULL, b.p ? b.p : "", b.len);
    ct_buf_free(&b);
    return rc;
}
