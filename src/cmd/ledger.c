/* co2tally ledger: what the ledger holds. */
#include <stdio.h>
#include <string.h>

#include "cmd/common.h"

int cmd_ledger(int argc, char **argv, const struct ct_global *g)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        puts("usage: co2tally ledger [info]\n\nPrints the ledger's location and how many "
             "sources, energy records,\nprovided emissions and runs it holds.");
        return CT_EXIT_OK;
    }
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "info") != 0))
        return ct_fail(CT_EXIT_USAGE, "ledger", "unknown subcommand '%s'; try 'ledger info'", argv[1]);
    struct ct_ledger_h L;
    if (ct_cmd_ledger("ledger", g, 1, &L))
        return CT_EXIT_USER;
    static const char *tables[] = {"sources", "energy", "provided", "runs"};
    printf("ledger: %s (%s)\n", g->db, L.ops->name);
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        int64_t n = 0;
        ct_err e;
        if (L.ops->count(L.db, tables[i], &n, &e) < 0) {
            ct_ledger_close(&L);
            return ct_fail(CT_EXIT_USER, "ledger", "%s", e.msg);
        }
        printf("  %-10s %lld\n", tables[i], (long long)n);
    }
    ct_ledger_close(&L);
    return CT_EXIT_OK;
}
