/* turbostat logs (Linux, x86 RAPL): one table per interval, each under its own
 * header line, tab- or space-separated.
 *
 * Shape. Every interval starts with a header (turbostat repeats it; its
 * whitespace may differ) and a summary row whose Package/Core/CPU columns read
 * "-". Then one row per CPU; the rows are ragged: package columns (PkgWatt,
 * CorWatt, GFXWatt, RAMWatt) appear only on the first CPU of each package, and
 * platform columns (SysWatt) only on the summary row. With --Summary there are
 * only summary rows, without topology columns.
 *
 * What counts. Per-package rows are counted (package-N, dram-N); the summary row
 * is their sum, so it is used only in intervals that have no per-package rows
 * (as "cpu" and "dram"). CorWatt (the cores, inside the package) and GFXWatt
 * (the integrated GPU, inside the package) are detail. SysWatt (RAPL psys, the
 * platform domain) contains the packages and DRAM: where it is present it is
 * counted as "psys" and everything else in that interval becomes detail, so the
 * widest measured boundary is the one that adds up. With --Joules (Pkg_J, ...)
 * the energy is taken as printed instead of watts x interval.
 *
 * Time. Time_Of_Day_Seconds (the end of each CPU's interval) gives each interval
 * as the delta from the previous one. The first interval, and one after a gap
 * longer than --max-gap (default 5 x the smallest delta bridged, 300 s before
 * any is: a restarted run; formats/bounds.h),
 * lasts the nominal interval: --interval when given, else the first delta seen,
 * else the "N sec" line turbostat prints after a command. Without timestamps the intervals are --start + k x --interval.
 * turbostat's default of 5 s is never assumed: with no way to tell, the parse
 * fails and says which option to pass. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formats/bounds.h"
#include "formats/format.h"
#include "formats/measured_int.h"

enum { TS_PKG, TS_COR, TS_GFX, TS_RAM, TS_SYS, TS_N };
#define TS_MAX_PKG 1024 /* packages (and dies) in one interval: more is not a turbostat log */
static const char *const watt_col[TS_N] = {"PkgWatt", "CorWatt", "GFXWatt", "RAMWatt", "SysWatt"};
static const char *const joule_col[TS_N] = {"Pkg_J", "Cor_J", "GFX_J", "RAM_J", "Sys_J"};
/* Device names: per package (with %s the package key), and for the summary. */
static const char *const pkg_dev[TS_N] = {"package-%s", "cores-%s", "gfx-%s", "dram-%s", "psys"};
static const char *const sum_dev[TS_N] = {"cpu", "cores", "gfx", "dram", "psys"};
static const char *const component[TS_N] = {"cpu", "cpu", "gpu", "dram", "system"};
static const int inside[TS_N] = {0, 1, 1, 0, 0}; /* detail even without psys */

struct ts_cols {
    int n; /* fields in the header */
    int pkg, die, core, cpu, tod, busy;
    int w[TS_N], j[TS_N];
};

/* One package's figures (or the summary's) in one interval. */
struct ts_dom {
    long pkg, die;
    double v[TS_N]; /* watts, or joules where isj has the bit */
    unsigned has, isj;
    double busy;
    int nbusy;
};

struct ts_block {
    int rows, last_fields;
    long line;
    double tod; /* latest Time_Of_Day_Seconds in the interval; NAN without */
    int has_sum;
    struct ts_dom sum;
    struct ts_dom *pk;
    size_t npk, cappk;
};

/* A reading waiting for the nominal interval (the first one, before it is known). */
struct ts_pend {
    struct ct_reading r;
    char dev[40];
    double val;
    int isj;
    long k;
};

struct ts {
    struct ct_input *in;
    const struct ct_parse_opts *o;
    struct ct_reading_sink *sink;
    ct_err *e;
    struct ml_fields fl;
    struct ts_cols c;
    int have_header, timed; /* timed: -1 unknown, 0 index mode, 1 Time_Of_Day_Seconds */
    struct ts_block cur;
    int prev_rows, prev_fields; /* shape of the last finished interval */
    double prev_t, nom, step; /* step: the smallest delta bridged */
    long k;
    struct ts_pend *pend;
    size_t npend, cappend;
    int saw_power;
    char *hdr; /* the last header line as read */
    size_t hdrlen, hdrcap;
};

static int is_dash(const struct ml_fields *f, int i)
{
    return i >= 0 && i < f->n && strcmp(f->f[i], "-") == 0;
}

static int find_col(const struct ml_fields *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->f[i], name) == 0)
            return i;
    return -1;
}

/* A header names at least one column every turbostat prints. */
static int is_header(const struct ml_fields *f)
{
    static const char *const known[] = {"usec", "Time_Of_Day_Seconds", "Package", "Core", "CPU",
                                        "Avg_MHz", "Busy%", "%Busy", "Bzy_MHz", "TSC_MHz",
                                        "PkgWatt", "Pkg_J"};
    for (int i = 0; i < f->n; i++)
        for (size_t k = 0; k < sizeof known / sizeof *known; k++)
            if (strcmp(f->f[i], known[k]) == 0)
                return 1;
    return 0;
}

static void read_header(struct ts *s)
{
    struct ts_cols *c = &s->c;
    c->n = s->fl.n;
    c->pkg = find_col(&s->fl, "Package");
    c->die = find_col(&s->fl, "Die");
    c->core = find_col(&s->fl, "Core");
    c->cpu = find_col(&s->fl, "CPU");
    c->tod = find_col(&s->fl, "Time_Of_Day_Seconds");
    c->busy = find_col(&s->fl, "Busy%");
    if (c->busy < 0)
        c->busy = find_col(&s->fl, "%Busy");
    for (int d = 0; d < TS_N; d++) {
        c->w[d] = find_col(&s->fl, watt_col[d]);
        c->j[d] = find_col(&s->fl, joule_col[d]);
        if (c->w[d] >= 0 || c->j[d] >= 0)
            s->saw_power = 1;
    }
    s->have_header = 1;
}

/* ---- time and emission ---- */

static int resolve_emit(struct ts *s, struct ts_pend *p)
{
    struct ct_reading *r = &p->r;
    /* The length is nom itself where nom places the interval: t1 - t0 at epoch
     * magnitudes would lose the digits below a microsecond. */
    double dt = s->nom;
    if (!ml_set(r->t1)) { /* no timestamps: the k-th interval after --start */
        r->t0 = s->o->start + (double)p->k * s->nom;
        r->t1 = r->t0 + s->nom;
    } else if (!ml_set(r->t0)) {
        r->t0 = r->t1 - s->nom;
    } else {
        dt = r->t1 - r->t0;
    }
    r->joules = p->isj ? p->val : p->val * dt;
    r->device = p->dev;
    return ml_emit(s->sink, s->in, s->o, r, s->e);
}

static int flush(struct ts *s)
{
    for (size_t i = 0; i < s->npend; i++)
        if (resolve_emit(s, &s->pend[i]) < 0)
            return -1;
    s->npend = 0;
    return 0;
}

/* Emits now when the interval is known, else queues (in order) until it is. */
static int put(struct ts *s, const struct ts_pend *p)
{
    int known = ml_set(p->r.t0) || ml_set(s->nom);
    if (known && s->npend == 0) {
        struct ts_pend q = *p;
        return resolve_emit(s, &q);
    }
    s->pend = ml_grow(s->pend, &s->cappend, s->npend + 1, sizeof *s->pend);
    s->pend[s->npend++] = *p;
    return 0;
}

static void set_nom(struct ts *s, double nom)
{
    if (!ml_set(s->nom) && nom > 0)
        s->nom = nom;
}

/* Die numbers can be system-wide (package 1 holds die 1), so a die is named only
 * where its package shows more than one in the interval. */
static int multi_die(const struct ts_block *b, const struct ts_dom *d)
{
    for (size_t i = 0; i < b->npk; i++)
        if (b->pk[i].pkg == d->pkg && b->pk[i].die != d->die && b->pk[i].has)
            return 1;
    return 0;
}

static int put_dom(struct ts *s, const struct ts_dom *d, int per_pkg, int psys, double t0,
                   double t1)
{
    char key[32];
    if (per_pkg && multi_die(&s->cur, d))
        snprintf(key, sizeof key, "%ld-die-%ld", d->pkg, d->die);
    else
        snprintf(key, sizeof key, "%ld", d->pkg);
    for (int i = 0; i < TS_N; i++) {
        if (!(d->has & (1u << i)) || (per_pkg && i == TS_SYS))
            continue;
        struct ts_pend p = {.val = d->v[i], .isj = (d->isj >> i) & 1, .k = s->k};
        snprintf(p.dev, sizeof p.dev, per_pkg ? pkg_dev[i] : sum_dev[i], key);
        p.r = (struct ct_reading){.component = component[i], .t0 = t0, .t1 = t1,
                                  .detail = inside[i] || (psys && i != TS_SYS),
                                  .util = NAN, .line = s->cur.line};
        if (i == TS_PKG && d->nbusy > 0)
            p.r.util = fmin(1, fmax(0, d->busy / d->nbusy / 100));
        if (put(s, &p) < 0)
            return -1;
    }
    return 0;
}

/* A problem with a whole interval, reported at its first row. */
static int block_bad(struct ts *s, const struct ct_parse_opts *o, const char *msg, double a,
                     double b)
{
    if (o && o->skip_bad) {
        if (o->skipped)
            (*o->skipped)++;
        return 0;
    }
    return ct_errf(s->e, msg, ct_input_name(s->in), s->cur.line, a, b);
}

/* The interval [t0, t1) of the finished block, NAN where it waits for the nominal
 * interval. Returns 1, 0 to drop the block (skip_bad), -1 on error. */
static int block_times(struct ts *s, double *t0, double *t1)
{
    *t0 = *t1 = NAN;
    if (!s->timed) {
        if (!ml_set(s->o->start))
            return block_bad(s, NULL,
                             "%s:%ld: turbostat log has no Time_Of_Day_Seconds column, so it "
                             "needs --start (UTC time of the first sample) and --interval "
                             "SECONDS; or record with turbostat --enable Time_Of_Day_Seconds",
                             0, 0);
        if (s->k > 0 && !ml_set(s->nom))
            return block_bad(s, NULL,
                             "%s:%ld: turbostat log has no Time_Of_Day_Seconds column and no "
                             "--interval: pass --interval SECONDS (the -i turbostat ran with; "
                             "its default of 5 is not assumed)",
                             0, 0);
        return 1;
    }
    *t1 = s->cur.tod;
    const char *why = ct_bounds_measured_time(s->o, *t1);
    if (why) /* before it becomes prev_t: one bad time must not stop the rest */
        return ct_bounds_bad(s->o, s->in, s->cur.line, s->e, why) < 0 ? -1 : 0;
    if (ml_set(s->prev_t)) {
        double dt = *t1 - s->prev_t;
        if (!(dt > 0))
            return block_bad(s, s->o,
                             "%s:%ld: Time_Of_Day_Seconds goes back from %.6f to %.6f; split "
                             "the log where the runs were joined",
                             s->prev_t, *t1);
        /* --max-gap, else 5 x the smallest step bridged, else (the first pair)
         * CT_GAP_FIRST_S: a first interval far from the rest is a gap too */
        if (dt <= ct_gap_limit(s->o, ml_set(s->step) ? s->step : s->o->interval)) {
            *t0 = s->prev_t;
            set_nom(s, dt);
            s->step = ml_set(s->step) ? fmin(s->step, dt) : dt;
        } else {
            ct_gap_note(s->o, dt);
        }
    }
    s->prev_t = *t1;
    return 1;
}

/* Packages with a counted column (PkgWatt, RAMWatt) make the summary redundant. */
static int counted(const struct ts_dom *d)
{
    return (d->has & ((1u << TS_PKG) | (1u << TS_RAM))) != 0;
}

static int emit_block(struct ts *s, double t0, double t1)
{
    struct ts_block *b = &s->cur;
    int psys = b->has_sum && (b->sum.has & (1u << TS_SYS));
    size_t n = 0;
    for (size_t i = 0; i < b->npk; i++) {
        if (!b->pk[i].has)
            continue;
        n += (size_t)counted(&b->pk[i]);
        if (put_dom(s, &b->pk[i], 1, psys, t0, t1) < 0)
            return -1;
    }
    if (!b->has_sum)
        return 0;
    struct ts_dom sum = b->sum;
    if (n) /* the summary is the packages' sum: keep only its platform column */
        sum.has &= 1u << TS_SYS;
    return put_dom(s, &sum, 0, psys, t0, t1);
}

static int end_block(struct ts *s)
{
    struct ts_block *b = &s->cur;
    if (b->rows == 0)
        return 0;
    double t0, t1;
    int rc = block_times(s, &t0, &t1);
    if (rc > 0 && ml_set(s->nom))
        rc = flush(s) < 0 ? -1 : 1;
    if (rc > 0)
        rc = emit_block(s, t0, t1) < 0 ? -1 : 1;
    s->prev_rows = b->rows;
    s->prev_fields = b->last_fields;
    s->k++;
    b->rows = 0;
    b->npk = 0;
    b->has_sum = 0;
    b->tod = NAN;
    return rc < 0 ? -1 : 0;
}

/* ---- rows ---- */

/* A number from column col. Returns 1 (*present: whether the row has it), 0 when the
 * row is malformed and skipped, -1 on error. */
static int field_num(struct ts *s, int col, const char *name, double *v, int *present)
{
    *present = 0;
    if (col < 0 || col >= s->fl.n || !*s->fl.f[col])
        return 1;
    if (ml_num(s->fl.f[col], v) < 0)
        return ml_bad(s->in, s->o, s->e, "expected a number in %s, got '%.40s'", name,
                      s->fl.f[col]);
    *present = 1;
    return 1;
}

/* Reads the row's power, Busy% and time into d (zeroed); same returns as field_num. */
static int read_dom(struct ts *s, struct ts_dom *d, double *tod)
{
    int present, rc;
    double v;
    for (int i = 0; i < TS_N; i++) {
        int isj = s->c.j[i] >= 0;
        const char *name = isj ? joule_col[i] : watt_col[i];
        if ((rc = field_num(s, isj ? s->c.j[i] : s->c.w[i], name, &v, &present)) <= 0)
            return rc;
        if (!present)
            continue;
        if (v < 0 || (!isj && v > ML_MAX_WATTS))
            return ml_bad(s->in, s->o, s->e, "expected watts or joules >= 0 in %s, got %g", name,
                          v) < 0 ? -1 : 0;
        d->v[i] = v;
        d->has |= 1u << i;
        d->isj |= (unsigned)isj << i;
    }
    if ((rc = field_num(s, s->c.busy, "Busy%", &v, &present)) <= 0)
        return rc;
    if (present) {
        d->busy = v;
        d->nbusy = 1;
    }
    if ((rc = field_num(s, s->c.tod, "Time_Of_Day_Seconds", tod, &present)) <= 0)
        return rc;
    if (s->c.tod >= 0 && (!present || !(*tod >= 0 && *tod < 1e11)))
        return ml_bad(s->in, s->o, s->e, "expected Time_Of_Day_Seconds, got '%.40s'",
                      s->c.tod < s->fl.n ? s->fl.f[s->c.tod] : "") < 0 ? -1 : 0;
    return 1;
}

static int field_long(struct ts *s, int col, long *v)
{
    *v = 0;
    if (col < 0 || col >= s->fl.n)
        return 1;
    double d;
    if (ml_num(s->fl.f[col], &d) < 0 || d < 0 || d > 1e6 || d != floor(d))
        return ml_bad(s->in, s->o, s->e, "expected a package or die number, got '%.40s'",
                      s->fl.f[col]) < 0 ? -1 : 0;
    *v = (long)d;
    return 1;
}

static struct ts_dom *find_dom(struct ts_block *b, long pkg, long die)
{
    for (size_t i = 0; i < b->npk; i++)
        if (b->pk[i].pkg == pkg && b->pk[i].die == die)
            return &b->pk[i];
    if (b->npk >= TS_MAX_PKG)
        return NULL;
    b->pk = ml_grow(b->pk, &b->cappk, b->npk + 1, sizeof *b->pk);
    struct ts_dom *d = &b->pk[b->npk++];
    *d = (struct ts_dom){.pkg = pkg, .die = die};
    return d;
}

/* Adds a CPU row to its package; a package seen twice starts the next interval
 * (logs without summary rows or repeated headers). */
static int add_cpu_row(struct ts *s, const struct ts_dom *row)
{
    unsigned pkgcols = row->has & ~(1u << TS_COR);
    struct ts_dom *d = find_dom(&s->cur, row->pkg, row->die);
    if (d && pkgcols && (d->has & pkgcols)) {
        if (end_block(s) < 0)
            return -1;
        d = find_dom(&s->cur, row->pkg, row->die);
    }
    if (!d)
        return ml_bad(s->in, s->o, s->e, "more than %d packages and dies in one interval",
                      TS_MAX_PKG) < 0 ? -1 : 0;
    for (int i = 0; i < TS_N; i++) {
        if (!(row->has & (1u << i)))
            continue;
        /* CorWatt can be per core (AMD): the package's is the sum over its rows. */
        d->v[i] = (i == TS_COR && (d->has & (1u << i))) ? d->v[i] + row->v[i] : row->v[i];
        d->has |= 1u << i;
        d->isj |= row->isj & (1u << i);
    }
    d->busy += row->busy;
    d->nbusy += row->nbusy;
    return 0;
}

static int data_row(struct ts *s)
{
    if (s->fl.n > s->c.n)
        return ml_bad(s->in, s->o, s->e, "expected at most %d fields as in the header, got %d",
                      s->c.n, s->fl.n);
    int summary = is_dash(&s->fl, s->c.pkg) || is_dash(&s->fl, s->c.core) ||
                  is_dash(&s->fl, s->c.cpu) || (s->c.pkg < 0 && s->c.core < 0 && s->c.cpu < 0);
    struct ts_dom row = {0};
    double tod = NAN;
    int rc = read_dom(s, &row, &tod);
    if (rc <= 0)
        return rc;
    if (!summary && ((rc = field_long(s, s->c.pkg, &row.pkg)) <= 0 ||
                     (rc = field_long(s, s->c.die, &row.die)) <= 0))
        return rc;
    int timed = s->c.tod >= 0;
    if (s->timed >= 0 && s->timed != timed)
        return ml_bad(s->in, NULL, s->e,
                      "the header %s Time_Of_Day_Seconds midway; split the log where it changes",
                      timed ? "gains" : "loses");
    s->timed = timed;
    if (summary) {
        if (end_block(s) < 0)
            return -1;
        s->cur.sum = row;
        s->cur.has_sum = 1;
    } else if (add_cpu_row(s, &row) < 0) {
        return -1;
    }
    if (s->cur.rows++ == 0)
        s->cur.line = ct_input_lineno(s->in);
    s->cur.last_fields = s->fl.n;
    if (timed && !(s->cur.tod >= tod))
        s->cur.tod = tod;
    return 0;
}

/* "1.004 sec": turbostat's closing line after running a command. */
static int sec_line(struct ts *s)
{
    double v;
    if (s->fl.n != 2 || strcmp(s->fl.f[1], "sec") != 0 || ml_num(s->fl.f[0], &v) < 0)
        return 0;
    if (!ml_set(s->o->interval))
        set_nom(s, v);
    return 1;
}

/* The header turbostat repeats every interval, byte for byte: seen before, it
 * ends the interval without being read again. */
static int same_header(struct ts *s, const char *ln, size_t len)
{
    return s->have_header && len == s->hdrlen && memcmp(ln, s->hdr, len) == 0;
}

static void keep_header(struct ts *s, const char *ln, size_t len)
{
    s->hdr = ml_grow(s->hdr, &s->hdrcap, len + 1, 1);
    memcpy(s->hdr, ln, len);
    s->hdrlen = len;
}

static int line(struct ts *s, const char *ln, size_t len)
{
    if (same_header(s, ln, len))
        return end_block(s);
    ml_split(&s->fl, ln, len, memchr(ln, '\t', len) ? '\t' : 0);
    while (s->fl.n > 0 && !*s->fl.f[s->fl.n - 1])
        s->fl.n--; /* a trailing tab */
    if (s->fl.n == 0)
        return 0;
    const char *f0 = s->fl.f[0];
    for (int i = 0; i < s->fl.n && !*f0; i++)
        f0 = s->fl.f[i]; /* reordered columns: a CPU row may start with empty fields */
    int datalike = strcmp(f0, "-") == 0 || ml_num(f0, &(double){0}) == 0;
    if (!datalike && is_header(&s->fl)) {
        if (end_block(s) < 0)
            return -1;
        read_header(s);
        keep_header(s, ln, len);
        return 0;
    }
    if (!s->have_header)
        return 0; /* turbostat's preamble (its stderr, when captured with 2>&1) */
    if (sec_line(s))
        return 0;
    if (!datalike)
        return ml_bad(s->in, s->o, s->e, "expected a turbostat row or header, got '%.60s'", f0);
    return data_row(s);
}

/* At the end: an interval shorter than the one before was cut while turbostat
 * was writing it, and is dropped; one that nothing can time is an error. */
static int finish(struct ts *s)
{
    if (!s->have_header)
        return ct_errf(s->e, "%s: expected a turbostat header (Core, CPU, Avg_MHz, ...), found "
                       "none in %ld lines",
                       ct_input_name(s->in), ct_input_lineno(s->in));
    if (!s->saw_power)
        return ct_errf(s->e, "%s: turbostat log has no power columns (PkgWatt, RAMWatt, SysWatt "
                       "or Pkg_J, ...); run turbostat as root on a CPU with RAPL",
                       ct_input_name(s->in));
    struct ts_block *b = &s->cur;
    if (b->rows && s->k > 0 && (b->rows < s->prev_rows || b->last_fields < s->prev_fields)) {
        b->rows = 0;
        if (s->o->skipped)
            (*s->o->skipped)++;
    }
    if (end_block(s) < 0)
        return -1;
    if (s->npend && !ml_set(s->nom))
        return ct_errf(s->e, "%s:%ld: turbostat log has a single timed interval, so its length "
                       "is unknown: pass --interval SECONDS (the -i turbostat ran with; its "
                       "default of 5 is not assumed)",
                       ct_input_name(s->in), s->pend[0].r.line);
    return flush(s);
}

static int ts_parse(struct ct_input *in, const struct ct_parse_opts *o,
                    struct ct_reading_sink *sink, ct_err *e)
{
    struct ts s = {.in = in, .o = o, .sink = sink, .e = e, .timed = -1, .prev_t = NAN,
                   .nom = NAN, .step = NAN};
    s.cur.tod = NAN;
    if (ml_set(o->interval) && o->interval > 0)
        s.nom = o->interval;
    const char *ln;
    size_t len;
    int rc;
    while ((rc = ct_input_line(in, &ln, &len, e)) > 0)
        if ((rc = line(&s, ln, len)) < 0)
            break;
    if (rc == 0)
        rc = finish(&s);
    ml_fields_free(&s.fl);
    free(s.cur.pk);
    free(s.pend);
    free(s.hdr);
    return rc < 0 ? -1 : 0;
}

static int ts_sniff(const char *head, size_t n)
{
    static const char *const cols[] = {"Avg_MHz", "Busy%", "Bzy_MHz", "TSC_MHz", "PkgWatt",
                                       "Time_Of_Day_Seconds", "CorWatt", "RAMWatt"};
    int hits = 0;
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        hits += ml_has(head, n, cols[i]);
    return hits >= 3 ? 95 : hits == 2 ? 80 : hits == 1 ? 30 : 0;
}

const struct ct_format_ops ct_fmt_turbostat = {
    .version = CT_FORMAT_OPS_VERSION,
    .name = "turbostat",
    .summary = "turbostat table (PkgWatt, RAMWatt per package, SysWatt; or the _J columns)",
    .sniff = ts_sniff,
    .parse = ts_parse,
};
