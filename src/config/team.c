#include "config/team.h"

#include <ini.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/team_keys.h"
#include "core/strutil.h"
#include "ledger/ledger.h"

#define TEAM_MAX_BYTES (1 << 20)

/* inih reads lines through our reader so we know the line each call is on,
 * which the Debian build of inih does not pass to the handler. */
struct parse_state {
    const char *name;      /* file name for messages */
    const char *p, *end;   /* remaining text */
    int line;              /* line just handed to inih */
    int hdr_line;          /* line of the last [section] header */
    int hdr_keys;          /* keys seen since that header */
    int empty_line;        /* first header followed by no keys */
    int hdr_new;           /* a header was read since the last key */
    struct ct_team *team;
    size_t *names;         /* open addressing over team->plat by name: index + 1 */
    size_t capnames;
    struct ct_platform *cur; /* NULL in [team] */
    int in_team;
    char section[256];     /* the section of the last key seen */
    ct_err *err;
    int failed;
};

/* A header with no keys under it never reaches the handler; catch it here. */
static void note_header(struct parse_state *s)
{
    if (s->hdr_line && s->hdr_keys == 0 && !s->empty_line)
        s->empty_line = s->hdr_line;
    s->hdr_line = s->line;
    s->hdr_keys = 0;
    s->hdr_new = 1;
}

static int fail(struct parse_state *s, const char *fmt, const char *a, const char *b);

static char *reader(char *str, int num, void *stream)
{
    struct parse_state *s = stream;
    if (s->p >= s->end || num < 2) {
        if (s->hdr_line && s->hdr_keys == 0 && !s->empty_line)
            s->empty_line = s->hdr_line;
        s->hdr_line = 0;
        return NULL;
    }
    const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
    size_t len = nl ? (size_t)(nl - s->p) + 1 : (size_t)(s->end - s->p);
    /* inih's line buffer (num bytes, INI_MAX_LINE: 200 in Debian's libinih)
     * must hold the line, its CR and LF and a NUL, as ini.h says. A longer
     * line cannot be handed over whole: a [header] cut short would leave its
     * keys under the section before, which would then name them as unknown
     * keys. Say what is wrong, at this line, and hand inih an empty line so
     * that nothing of it is read. Debian's inih is used as it is built (the
     * limit is fixed there), so the limit is reported rather than raised. */
    size_t chars = len - (nl != NULL);
    if (chars && s->p[chars - 1] == '\r')
        chars--;
    int max_chars = num > 3 ? num - 3 : 0;
    if (chars > (size_t)max_chars) {
        s->p += len;
        s->line++;
        char msg[96];
        snprintf(msg, sizeof msg, "line %d is longer than the %d characters a team-file line may have",
                 s->line, max_chars);
        fail(s, "%s", msg, NULL);
        str[0] = '\n';
        str[1] = '\0';
        return str;
    }
    memcpy(str, s->p, len);
    str[len] = '\0';
    s->p += len;
    s->line++;
    const char *c = str;
    while (*c == ' ' || *c == '\t')
        c++;
    if (*c == '[')
        note_header(s);
    return str;
}

static int fail_at(struct parse_state *s, int line, const char *fmt, const char *a, const char *b)
{
    if (!s->failed) {
        char msg[sizeof s->err->msg];
        if (snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "") >= (int)sizeof msg)
            msg[sizeof msg - 2] = '~'; /* cut: mark it, still say where */
        ct_errf(s->err, "%s:%d: %s", s->name, line, msg);
        s->failed = 1;
    }
    return 0;
}

static int fail(struct parse_state *s, const char *fmt, const char *a, const char *b)
{
    return fail_at(s, s->line, fmt, a, b);
}

static struct ct_platform *new_platform(struct parse_state *s, const char *name)
{
    struct ct_team *t = s->team;
    struct ct_platform *p = realloc(t->plat, (t->nplat + 1) * sizeof *p);
    if (!p)
        abort();
    t->plat = p;
    p = &t->plat[t->nplat++];
    memset(p, 0, sizeof *p);
    p->name = ct_strdup(name);
    p->line = s->hdr_line ? s->hdr_line : s->line;
    p->method = -1;
    p->pue = NAN;
    p->count = 1;
    p->watts = NAN;
    p->idle_watts = NAN;
    p->utilisation = NAN;
    p->hours_per_year = NAN;
    p->hours_per_day = NAN;
    p->days_per_year = NAN;
    p->minutes_per_month = NAN;
    p->embodied_kgco2e = NAN;
    p->lifetime_years = NAN;
    return p;
}

/* Platform names seen so far, hashed, so a team of thousands of platforms is
 * read in linear time. */
static size_t name_hash(const char *n)
{
    return (size_t)ct_hash_str(CT_HASH_INIT, n);
}

static int name_seen(const struct parse_state *s, const char *name)
{
    if (!s->capnames)
        return 0;
    size_t m = s->capnames - 1;
    for (size_t i = name_hash(name) & m; s->names[i]; i = (i + 1) & m)
        if (strcmp(s->team->plat[s->names[i] - 1].name, name) == 0)
            return 1;
    return 0;
}

static int name_add(struct parse_state *s, size_t idx)
{
    if ((idx + 1) * 2 > s->capnames) {
        size_t cap = s->capnames ? s->capnames * 2 : 64;
        size_t *n = calloc(cap, sizeof *n);
        if (!n)
            return fail_at(s, s->hdr_line, "out of memory%s%s", NULL, NULL), -1;
        for (size_t k = 0; k < idx; k++) {
            size_t i = name_hash(s->team->plat[k].name) & (cap - 1);
            while (n[i])
                i = (i + 1) & (cap - 1);
            n[i] = k + 1;
        }
        free(s->names);
        s->names = n;
        s->capnames = cap;
    }
    size_t i = name_hash(s->team->plat[idx].name) & (s->capnames - 1);
    while (s->names[i])
        i = (i + 1) & (s->capnames - 1);
    s->names[i] = idx + 1;
    return 0;
}

/* Finds or opens the section a key belongs to. Returns -1 on a bad section. */
static int enter_section(struct parse_state *s, const char *section)
{
    if (strcmp(section, "team") == 0) {
        s->in_team = 1;
        s->cur = NULL;
        return 0;
    }
    s->in_team = 0;
    if (strncmp(section, "platform", 8) != 0 || (section[8] != ' ' && section[8] != '\t'))
        return fail_at(s, s->hdr_line, "unknown section [%s]; expected [team] or [platform NAME]",
                       section, NULL), -1;
    const char *name = section + 9;
    while (*name == ' ' || *name == '\t')
        name++;
    if (!*name)
        return fail_at(s, s->hdr_line, "[platform] needs a name, as in [platform laptops]", NULL,
                       NULL), -1;
    if (name_seen(s, name))
        return fail_at(s, s->hdr_line, "platform '%s' is defined twice", name, NULL), -1;
    s->cur = new_platform(s, name);
    return name_add(s, s->team->nplat - 1);
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
    struct parse_state *s = user;
    if (s->failed)
        return 0;
    s->hdr_keys++;
    if (!section || !*section)
        return fail(s, "'%s' stands outside any section; put it under [team] or [platform NAME]",
                    key, NULL);
    /* inih calls us once per key; a section change shows up as a new name. */
    if (s->hdr_new || strcmp(section, s->section) != 0) {
        s->hdr_new = 0;
        s->cur = NULL; /* a repeated [platform X] header is a second definition */
        if (enter_section(s, section) < 0)
            return 0;
        snprintf(s->section, sizeof s->section, "%s", section);
    }
    ct_err kerr = {{0}};
    if (s->cur)
        s->cur->cur_line = s->line; /* validation names the key's own line */
    int rc = s->in_team ? ct_team_key(s->team, key, value, &kerr)
                        : ct_platform_key(s->cur, key, value, &kerr);
    if (rc < 0)
        return fail(s, "%s", kerr.msg, NULL);
    return 1;
}

static int parse_text(struct parse_state *s)
{
    int rc = ini_parse_stream(reader, s, handler, s);
    if (s->failed)
        return -1;
    if (s->empty_line) {
        ct_errf(s->err, "%s:%d: this section has no keys", s->name, s->empty_line);
        return -1;
    }
    if (rc != 0) {
        ct_errf(s->err, "%s:%d: not an INI line (expected [section], key = value or a ; comment)",
                s->name, rc);
        return -1;
    }
    return 0;
}

int ct_team_load_string(const char *text, const char *name, struct ct_team *t, ct_err *e)
{
    memset(t, 0, sizeof *t);
    t->path = ct_strdup(name);
    struct parse_state s = {.name = name, .p = text, .end = text + strlen(text), .team = t, .err = e};
    int rc = parse_text(&s);
    free(s.names);
    if (rc < 0 || ct_team_validate(t, e) < 0) {
        ct_team_free(t);
        return -1;
    }
    return 0;
}

int ct_team_load(const char *path, struct ct_team *t, ct_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ct_errf(e, "%s: cannot open the team file: %s", path, strerror(errno));
    char *text = malloc(TEAM_MAX_BYTES + 1);
    if (!text)
        abort();
    size_t n = fread(text, 1, TEAM_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > TEAM_MAX_BYTES) {
        free(text);
        return ct_errf(e, "%s: %s", path, bad ? "read error" : "larger than 1 MiB; not a team file");
    }
    text[n] = '\0';
    if (memchr(text, '\0', n)) {
        free(text);
        return ct_errf(e, "%s: holds a NUL byte; not a text file", path);
    }
    int rc = ct_team_load_string(text, path, t, e);
    free(text);
    return rc;
}

void ct_team_free(struct ct_team *t)
{
    for (size_t i = 0; i < t->nplat; i++) {
        struct ct_platform *p = &t->plat[i];
        free(p->name);
        free(p->location);
        free(p->pue_source);
        free(p->chip);
        free(p->hours_basis);
        free(p->provider);
        for (size_t k = 0; k < p->naccounts; k++)
            free(p->accounts[k]);
        free(p->accounts);
        for (size_t h = 0; h < p->nhosts; h++)
            free(p->hosts[h]);
        free(p->hosts);
    }
    free(t->plat);
    free(t->by_name);
    free(t->by_host);
    free(t->path);
    free(t->name);
    free(t->country);
    memset(t, 0, sizeof *t);
}

/* qsort has no context argument: the team being indexed. Validation runs in
 * one thread at a time. */
static const struct ct_team *index_team;

static int cmp_name(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(index_team->plat[x].name, index_team->plat[y].name);
    return c ? c : (x > y) - (x < y);
}

static int cmp_host(const void *a, const void *b)
{
    const struct ct_team_host *x = a, *y = b;
    int c = strcmp(x->host, y->host);
    return c ? c : (x->plat > y->plat) - (x->plat < y->plat);
}

int ct_team_index(struct ct_team *t, ct_err *e)
{
    free(t->by_name);
    free(t->by_host);
    t->by_host = NULL;
    t->nby_host = 0;
    size_t nh = 0;
    for (size_t i = 0; i < t->nplat; i++)
        nh += t->plat[i].nhosts;
    t->by_name = malloc(sizeof *t->by_name * (t->nplat ? t->nplat : 1));
    t->by_host = malloc(sizeof *t->by_host * (nh ? nh : 1));
    if (!t->by_name || !t->by_host)
        return ct_errf(e, "%s: out of memory reading the team file", t->path);
    for (size_t i = 0; i < t->nplat; i++) {
        t->by_name[i] = i;
        for (size_t h = 0; h < t->plat[i].nhosts; h++)
            t->by_host[t->nby_host++] = (struct ct_team_host){t->plat[i].hosts[h], i};
    }
    index_team = t;
    if (t->nplat > 1)
        qsort(t->by_name, t->nplat, sizeof *t->by_name, cmp_name);
    index_team = NULL;
    if (t->nby_host > 1)
        qsort(t->by_host, t->nby_host, sizeof *t->by_host, cmp_host);
    return 0;
}

const struct ct_platform *ct_team_platform(const struct ct_team *t, const char *name)
{
    if (!t->by_name) { /* not indexed (a team being built): scan */
        for (size_t i = 0; i < t->nplat; i++)
            if (strcmp(t->plat[i].name, name) == 0)
                return &t->plat[i];
        return NULL;
    }
    size_t lo = 0, hi = t->nplat;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->plat[t->by_name[mid]].name, name);
        if (c == 0)
            return &t->plat[t->by_name[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct ct_platform *ct_team_first_owner(const struct ct_team *t, const char *host)
{
    size_t lo = 0, hi = t->nby_host;
    while (lo < hi) { /* the first entry not below host */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(t->by_host[mid].host, host) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->nby_host && strcmp(t->by_host[lo].host, host) == 0)
        return &t->plat[t->by_host[lo].plat];
    return NULL;
}

const struct ct_platform *ct_team_platform_of_host(const struct ct_team *t, const char *host)
{
    if (!t->by_host && t->nplat) {
        for (size_t i = 0; i < t->nplat; i++)
            for (size_t h = 0; h < t->plat[i].nhosts; h++)
                if (strcmp(t->plat[i].hosts[h], host) == 0)
                    return &t->plat[i];
        return NULL;
    }
    return ct_team_first_owner(t, host);
}

/* The provider a provided platform claims rows of: its provider key, else the
 * provider of its cloud location ("gcp:europe-west1" -> "gcp"). */
static int claims_provider(const struct ct_platform *p, const char *provider)
{
    if (p->method != CT_METHOD_PROVIDED || !provider)
        return 0;
    if (p->provider)
        return strcmp(p->provider, provider) == 0;
    size_t n = strlen(provider);
    return p->location && strncmp(p->location, provider, n) == 0 && p->location[n] == ':';
}

const struct ct_platform *ct_team_platform_of_provided(const struct ct_team *t,
                                                       const char *provider,
                                                       const char *account,
                                                       const char *project)
{
    const struct ct_platform *any = NULL;
    for (size_t i = 0; i < t->nplat; i++) {
        const struct ct_platform *p = &t->plat[i];
        if (!claims_provider(p, provider))
            continue;
        if (p->naccounts == 0) {
            any = any ? any : p;
            continue;
        }
        for (size_t k = 0; k < p->naccounts; k++)
            if ((account && strcmp(p->accounts[k], account) == 0) ||
                (project && project[0] && strcmp(p->accounts[k], project) == 0))
                return p;
    }
    return any;
}

const char *ct_platform_provider(const struct ct_platform *p)
{
    static const char *const providers[] = {"aws", "gcp", "azure"};
    for (size_t i = 0; i < sizeof providers / sizeof *providers; i++)
        if (claims_provider(p, providers[i]))
            return providers[i];
    return NULL;
}

const char *ct_platform_location(const struct ct_team *t, const struct ct_platform *p)
{
    return p && p->location ? p->location : t->country;
}
