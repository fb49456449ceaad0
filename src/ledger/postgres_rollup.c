/* The day roll-up of a transaction's adds, folded into one write per
 * (series, day). An import or a day of an agent adds 24 buckets to each
 * series-day; upserting the roll-up row each time leaves 23 dead versions of
 * it that PostgreSQL cannot reclaim before the transaction ends, and a report
 * then reads a table many times its size. Adds to one series-day usually
 * come together, so the pending roll-up holds the amounts of the current one
 * in the order they came, and PG_DAY_FOLD adds them onto the stored row in
 * that order when another series or day comes, when PG_FOLD_MAX of them are
 * waiting, or before anything else is sent (pg_pipe_drain): the same doubles
 * as one upsert per add, as SQLite makes them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/timeutil.h"
#include "ledger/postgres_int.h"

/* "{a,b,...}" of column c of the n amounts, at text + *used. */
static void array_text(const struct pg_rollup *u, int c, size_t *used, size_t cap, char *text)
{
    char *p = text + *used, *end = text + cap;
    *p++ = '{';
    for (size_t i = 0; i < u->n; i++)
        p += snprintf(p, (size_t)(end - p), "%s%.17g", i ? "," : "", u->v[i * 5 + c]);
    *p++ = '}';
    *p++ = '\0';
    *used = (size_t)(p - text);
}

int pg_rollup_send(ct_ledger *l, ct_err *e)
{
    struct pg_rollup *u = l->roll;
    if (!u || !u->n)
        return 0;
    /* 24 characters hold any %.17g, one more its comma. */
    size_t need = 5 * (u->n * 25 + 3);
    if (need > u->textcap) {
        char *t = realloc(u->text, need);
        if (!t) {
            u->n = 0;
            return ct_errf(e, "%s: out of memory adding energy", l->label);
        }
        u->text = t;
        u->textcap = need;
    }
    size_t off[5], used = 0;
    for (int c = 0; c < 5; c++) {
        off[c] = used;
        array_text(u, c, &used, u->textcap, u->text);
    }
    struct pg_params p = {0};
    pp_i64(&p, u->series);
    pp_i64(&p, u->day);
    pp_i64(&p, u->max_t1);
    for (int c = 0; c < 5; c++)
        pp_str(&p, u->text + off[c]);
    /* Emptied first: pg_pipe_send may drain, and draining sends the roll-up. */
    u->n = 0;
    return pg_pipe_send(l, PG_DAY_FOLD, &p, e, "cannot add energy");
}

int pg_rollup_add(ct_ledger *l, int64_t series, const struct ct_energy_rec *r, ct_err *e)
{
    if (!l->roll && !(l->roll = calloc(1, sizeof *l->roll)))
        return ct_errf(e, "%s: out of memory adding energy", l->label);
    struct pg_rollup *u = l->roll;
    int64_t day = ct_floor(r->t0, CT_DAY);
    if (u->n && (u->series != series || u->day != day || u->n >= PG_FOLD_MAX) &&
        pg_rollup_send(l, e) != 0)
        return -1;
    if (!u->n) {
        u->series = series;
        u->day = day;
        u->max_t1 = r->t1;
    } else if (r->t1 > u->max_t1) {
        u->max_t1 = r->t1;
    }
    double *x = &u->v[u->n++ * 5];
    x[0] = r->covered_s;
    x[1] = r->joules;
    x[2] = r->idle_joules;
    x[3] = r->idle_s;
    x[4] = isnan(r->util) ? 0 : r->util * r->covered_s; /* the roll-up counts unknown as 0 */
    return 0;
}

void pg_rollup_discard(ct_ledger *l)
{
    if (l->roll)
        l->roll->n = 0;
}

void pg_rollup_free(ct_ledger *l)
{
    if (l->roll)
        free(l->roll->text);
    free(l->roll);
    l->roll = NULL;
}
