/* Everyday equivalents and published reference footprints, for scale. */
#include "account/factors.h"
#include "data/tables.h"

const struct ct_equivalent *ct_equivalents(int *n)
{
    if (n)
        *n = ct_tab_equivalents_n;
    return ct_tab_equivalents;
}

const struct ct_equivalent *ct_references(int *n)
{
    if (n)
        *n = ct_tab_references_n;
    return ct_tab_references;
}
