/* co2tally chips: what the chip power tables know (name, kind, watts, idle
 * watts, source), for picking a team file's chip = or chips = value. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "account/factors.h"
#include "cmd/cmd.h"
#include "core/buf.h"

static const char usage_text[] =
    "usage: co2tally chips [QUERY] [--json] [--help]\n"
    "\n"
    "The chips the power tables know: name, kind (cpu, gpu, vcpu), watts (TDP or the\n"
    "vendor's maximum power), idle watts where the source gives one, and the source\n"
    "(vendor datasheet address, CodeCarbon, Green Algorithms, Cloud Carbon Footprint,\n"
    "Apple's published power figures). QUERY keeps the names that hold it, ignoring\n"
    "case, spaces, '-' and '_' (co2tally chips a100). The vCPU rows give watts per\n"
    "vCPU per provider: a team file's 'N vCPU' takes its location's provider, and\n"
    "'N aws vCPU', 'N azure vCPU', 'N gcp vCPU' name one.\n"
    "\n"
    "  --json     machine-readable output (an array)\n";

struct list {
    ct_buf b;
    int json, n;
};

static const char *where(const struct ct_chip *c)
{
    if (c->url)
        return c->url;
    const struct ct_source *s = ct_source_get(c->source);
    return s ? s->url : "";
}

static int row(const struct ct_chip *c, void *ud)
{
    struct list *l = ud;
    const struct ct_source *s = ct_source_get(c->source);
    if (!l->json) {
        char idle[32] = "-";
        if (!isnan(c->idle_watts))
            snprintf(idle, sizeof idle, "%g", c->idle_watts);
        ct_buf_printf(&l->b, "%-44s %-5s %8g %8s  %s", c->name, ct_chip_kind_name(c->kind),
                      c->watts, idle, c->source);
        if (c->url)
            ct_buf_printf(&l->b, " %s", c->url);
        if (c->note)
            ct_buf_printf(&l->b, " (%s)", c->note);
        ct_buf_puts(&l->b, "\n");
    } else {
        ct_buf_puts(&l->b, l->n ? ",\n {\"name\": " : "[\n {\"name\": ");
        ct_buf_json_str(&l->b, c->name);
        ct_buf_puts(&l->b, ", \"kind\": ");
        ct_buf_json_str(&l->b, ct_chip_kind_name(c->kind));
        ct_buf_puts(&l->b, ", \"watts\": ");
        ct_buf_json_num(&l->b, c->watts);
        ct_buf_puts(&l->b, ", \"idle_watts\": ");
        if (isnan(c->idle_watts))
            ct_buf_puts(&l->b, "null");
        else
            ct_buf_json_num(&l->b, c->idle_watts);
        ct_buf_puts(&l->b, ", \"per\": ");
        ct_buf_json_str(&l->b, c->kind == CT_CHIP_VCPU ? "vcpu" : "chip");
        ct_buf_puts(&l->b, ", \"source\": ");
        ct_buf_json_str(&l->b, c->source);
        ct_buf_puts(&l->b, ", \"source_title\": ");
        ct_buf_json_str(&l->b, s ? s->title : "");
        ct_buf_puts(&l->b, ", \"licence\": ");
        ct_buf_json_str(&l->b, s ? s->licence : "");
        ct_buf_puts(&l->b, ", \"url\": ");
        ct_buf_json_str(&l->b, where(c));
        ct_buf_puts(&l->b, ", \"note\": ");
        if (c->note)
            ct_buf_json_str(&l->b, c->note);
        else
            ct_buf_puts(&l->b, "null");
        ct_buf_puts(&l->b, "}");
    }
    l->n++;
    return 0;
}

int cmd_chips(int argc, char **argv, const struct ct_global *g)
{
    (void)g;
    const char *query = NULL;
    struct list l = {{0}, 0, 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return CT_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            l.json = 1;
        } else if (a[0] == '-' && a[1]) {
            return ct_fail(CT_EXIT_USAGE, "chips", "unknown option '%s'; see 'co2tally chips --help'", a);
        } else if (query) {
            return ct_fail(CT_EXIT_USAGE, "chips", "one query at a time ('%s' and '%s')", query, a);
        } else {
            query = a;
        }
    }
    if (!l.json)
        ct_buf_printf(&l.b, "%-44s %-5s %8s %8s  %s\n", "name", "kind", "watts", "idle", "source");
    ct_chip_each(query, row, &l);
    if (l.json)
        ct_buf_puts(&l.b, l.n ? "\n]\n" : "[]\n");
    int rc = CT_EXIT_OK;
    if (l.n == 0 && !l.json) {
        ct_buf_free(&l.b);
        return ct_fail(CT_EXIT_USER, "chips", "no chip name holds '%s'; try a shorter query, or "
                       "give the power as watts = N in the team file", query ? query : "");
    }
    if (l.b.len)
        fwrite(l.b.p, 1, l.b.len, stdout);
    ct_buf_free(&l.b);
    return rc;
}
