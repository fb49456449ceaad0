/* Line input for the log parsers: a file, a .gz file, standard input, a
 * descriptor or bytes in memory, read in large blocks and split at line ends with
 * memchr, so a parser sees lines about as fast as `wc -l` counts them.
 *
 * gzip is recognised by its magic bytes (1f 8b), not by the name, so `zcat`-less
 * pipes and misnamed files work; concatenated members are read as one stream.
 * The sha256 covers the bytes as the parser sees them (decompressed): the same
 * log imported plain and gzipped is the same source. */
#include "formats/format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/sha256.h"
#include "formats/input_sha.h"

#define READ_CHUNK (1u << 20)   /* buffer for plain reads: 1 MiB, ~1000 read()s per GB */
#define RAW_CHUNK (256u << 10)  /* compressed bytes handed to inflate at a time */
#define PEEK_BYTES 65536u       /* what sniffing gets to look at: sniffers scan all of it */
#define MAX_LINE (64u << 20)    /* longer than this is not a log line */
#define ASYNC_HASH (32u << 20)  /* files this big are hashed on a second thread */

struct ct_input {
    char *name;
    int fd;                     /* -1 for memory input */
    int own_fd;
    const unsigned char *mem;
    size_t mem_n, mem_pos;
    int gz_checked, gz, member_done, raw_eof;
    z_stream z;
    unsigned char *raw;
    char *buf;                  /* lines are in buf[pos, end); buf[end] is kept for a NUL */
    size_t cap, pos, end;
    int eof, failed;
    ct_err err;                 /* a read error met while peeking, reported by the next line */
    long lineno;
    const char *last;
    size_t last_len;
    int unread, unterminated;
    uint64_t done, total;
    ct_sha256 sha;
    struct ct_sha_async *async; /* NULL: hashed inline */
    size_t async_max;
    int hashed;
    char hex[65];
};

static struct ct_input *input_new(const char *name, size_t cap)
{
    struct ct_input *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->name = strdup(name ? name : "input");
    in->buf = malloc(cap);
    if (!in->name || !in->buf) {
        free(in->name);
        free(in->buf);
        free(in);
        return NULL;
    }
    in->cap = cap;
    in->fd = -1;
    ct_sha256_init(&in->sha);
    return in;
}

int ct_input_fdopen(int fd, const char *name, struct ct_input **out, ct_err *e)
{
    struct ct_input *in = input_new(name, READ_CHUNK + 4096);
    if (!in)
        return ct_errf(e, "%s: out of memory", name ? name : "input");
    in->fd = fd;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        in->total = (uint64_t)st.st_size;
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        if (in->total >= ASYNC_HASH) {
            in->async = ct_sha_async_start(&in->sha, in->cap);
            in->async_max = in->cap;
        }
    }
    *out = in;
    return 0;
}

int ct_input_open(const char *path, struct ct_input **out, ct_err *e)
{
    if (strcmp(path, "-") == 0)
        return ct_input_fdopen(0, "<stdin>", out, e);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ct_errf(e, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return ct_errf(e, "%s is a directory, not a log file", path);
    }
    if (ct_input_fdopen(fd, path, out, e) < 0) {
        close(fd);
        return -1;
    }
    (*out)->own_fd = 1;
    return 0;
}

int ct_input_memopen(const void *data, size_t n, const char *name, struct ct_input **out,
                     ct_err *e)
{
    /* Small inputs get a small buffer: the fuzzers open thousands a second. */
    size_t cap = n + 64 < READ_CHUNK ? n + 64 : READ_CHUNK + 4096;
    struct ct_input *in = input_new(name, cap);
    if (!in)
        return ct_errf(e, "%s: out of memory", name ? name : "input");
    in->mem = data;
    in->mem_n = n;
    in->total = n;
    *out = in;
    return 0;
}

void ct_input_close(struct ct_input *in)
{
    if (!in)
        return;
    if (in->gz)
        inflateEnd(&in->z);
    ct_sha_async_finish(in->async);
    if (in->own_fd)
        close(in->fd);
    free(in->raw);
    free(in->buf);
    free(in->name);
    free(in);
}

/* Raw bytes from the source: n > 0, 0 at its end, -1 on an error. */
static long src_read(struct ct_input *in, void *dst, size_t n, ct_err *e)
{
    if (in->fd < 0) {
        size_t k = in->mem_n - in->mem_pos < n ? in->mem_n - in->mem_pos : n;
        memcpy(dst, in->mem + in->mem_pos, k);
        in->mem_pos += k;
        in->done += k;
        return (long)k;
    }
    for (;;) {
        ssize_t r = read(in->fd, dst, n);
        if (r >= 0) {
            in->done += (uint64_t)r;
            return (long)r;
        }
        if (errno != EINTR)
            return ct_errf(e, "cannot read %s: %s", in->name, strerror(errno));
    }
}

/* Decompressed bytes into buf[end, end + room). */
static long inflate_some(struct ct_input *in, size_t room, ct_err *e)
{
    for (;;) {
        if (in->z.avail_in == 0 && !in->raw_eof) {
            long r = src_read(in, in->raw, RAW_CHUNK, e);
            if (r < 0)
                return -1;
            in->raw_eof = r == 0;
            in->z.next_in = in->raw;
            in->z.avail_in = (uInt)r;
        }
        if (in->member_done) { /* another gzip member may follow (cat a.gz b.gz) */
            if (in->z.avail_in == 0)
                return 0;
            inflateReset(&in->z);
            in->member_done = 0;
        }
        in->z.next_out = (Bytef *)in->buf + in->end;
        in->z.avail_out = (uInt)room;
        int rc = inflate(&in->z, Z_NO_FLUSH);
        long n = (long)(room - in->z.avail_out);
        if (rc == Z_STREAM_END)
            in->member_done = 1;
        else if (rc == Z_BUF_ERROR || (rc == Z_OK && n == 0 && in->z.avail_in == 0)) {
            if (in->raw_eof && in->z.avail_in == 0)
                return ct_errf(e, "%s: the gzip data is cut short", in->name);
        } else if (rc != Z_OK)
            return ct_errf(e, "%s: corrupt gzip data (%s)", in->name,
                           in->z.msg ? in->z.msg : "cannot inflate");
        if (n > 0)
            return n;
    }
}

/* The first read decides between plain and gzip by the magic bytes. */
static long first_fill(struct ct_input *in, size_t room, ct_err *e)
{
    size_t got = 0;
    while (got < 2) {
        long r = src_read(in, in->buf + in->end + got, room - got, e);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    in->gz_checked = 1;
    unsigned char *p = (unsigned char *)in->buf + in->end;
    if (got < 2 || p[0] != 0x1f || p[1] != 0x8b)
        return (long)got;
    in->raw = malloc(got > RAW_CHUNK ? got : RAW_CHUNK);
    if (!in->raw)
        return ct_errf(e, "%s: out of memory", in->name);
    memcpy(in->raw, p, got);
    if (inflateInit2(&in->z, 15 + 16) != Z_OK) /* 16: gzip wrapper only */
        return ct_errf(e, "%s: cannot start zlib", in->name);
    in->gz = 1;
    in->z.next_in = in->raw;
    in->z.avail_in = (uInt)got;
    return inflate_some(in, room, e);
}

/* Appends bytes to the buffer: 1, 0 at the end of input, -1 on an error. */
static int fill(struct ct_input *in, ct_err *e)
{
    size_t room = in->cap - in->end - 1;
    long n = !in->gz_checked ? first_fill(in, room, e)
           : in->gz ? inflate_some(in, room, e)
           : src_read(in, in->buf + in->end, room, e);
    if (n < 0)
        return -1;
    if (!in->async)
        ct_input_sha_update(&in->sha, in->buf + in->end, (size_t)n);
    for (size_t k = 0; in->async && k < (size_t)n; k += in->async_max) /* the buffer may grow */
        ct_sha_async_feed(in->async, in->buf + in->end + k,
                          (size_t)n - k < in->async_max ? (size_t)n - k : in->async_max);
    in->end += (size_t)n;
    return n > 0;
}

/* Moves the unread tail to the front and grows the buffer when a line is long. */
static int make_room(struct ct_input *in, ct_err *e)
{
    size_t keep = in->end - in->pos;
    if (in->pos > 0) {
        memmove(in->buf, in->buf + in->pos, keep);
        in->pos = 0;
        in->end = keep;
    }
    if (in->cap - in->end - 1 >= in->cap / 2)
        return 0;
    if (keep >= MAX_LINE)
        return ct_errf(e, "%s:%ld: a line longer than %u MiB; this is not a log this "
                       "format knows", in->name, in->lineno + 1, MAX_LINE >> 20);
    char *p = realloc(in->buf, in->cap * 2);
    if (!p)
        return ct_errf(e, "%s: out of memory", in->name);
    in->buf = p;
    in->cap *= 2;
    return 0;
}

static void finish_hash(struct ct_input *in)
{
    if (in->hashed)
        return;
    ct_sha_async_finish(in->async);
    in->async = NULL;
    unsigned char d[32];
    ct_sha256_final(&in->sha, d);
    for (int i = 0; i < 32; i++) {
        in->hex[2 * i] = "0123456789abcdef"[d[i] >> 4];
        in->hex[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
    }
    in->hex[64] = '\0';
    in->hashed = 1;
}

static int give(struct ct_input *in, char *p, size_t n, int unterminated, const char **line,
                size_t *len)
{
    p[n] = '\0';
    if (n && p[n - 1] == '\r')
        p[--n] = '\0';
    in->lineno++;
    in->last = p;
    in->last_len = n;
    in->unterminated = unterminated;
    *line = p;
    *len = n;
    return 1;
}

int ct_input_line(struct ct_input *in, const char **line, size_t *len, ct_err *e)
{
    if (in->unread) {
        in->unread = 0;
        in->lineno++;
        *line = in->last;
        *len = in->last_len;
        return 1;
    }
    if (in->failed) {
        if (e)
            *e = in->err;
        return -1;
    }
    for (;;) {
        char *p = in->buf + in->pos;
        size_t avail = in->end - in->pos;
        char *nl = avail ? memchr(p, '\n', avail) : NULL;
        if (nl) {
            in->pos += (size_t)(nl - p) + 1;
            return give(in, p, (size_t)(nl - p), 0, line, len);
        }
        if (in->eof) {
            if (avail == 0) {
                finish_hash(in);
                return 0;
            }
            in->pos = in->end;
            return give(in, p, avail, 1, line, len);
        }
        int r;
        if (make_room(in, e) < 0 || (r = fill(in, e)) < 0)
            return -1;
        in->eof = r == 0;
    }
}

void ct_input_unread(struct ct_input *in)
{
    if (in->last && !in->unread) {
        in->unread = 1;
        in->lineno--;
    }
}

size_t ct_input_peek(struct ct_input *in, const char **head)
{
    while (!in->eof && !in->failed && in->end - in->pos < PEEK_BYTES) {
        int r;
        if (make_room(in, &in->err) < 0 || (r = fill(in, &in->err)) < 0)
            in->failed = 1;
        else
            in->eof = r == 0;
    }
    *head = in->buf + in->pos;
    return in->end - in->pos < PEEK_BYTES ? in->end - in->pos : PEEK_BYTES;
}

int ct_input_drain(struct ct_input *in, ct_err *e)
{
    in->unread = 0;
    while (!in->eof) {
        if (in->failed) {
            if (e)
                *e = in->err;
            return -1;
        }
        in->pos = in->end = 0;
        int r = fill(in, e);
        if (r < 0)
            return -1;
        in->eof = r == 0;
    }
    in->pos = in->end;
    finish_hash(in);
    return 0;
}

const char *ct_input_name(const struct ct_input *in) { return in->name; }
long ct_input_lineno(const struct ct_input *in) { return in->lineno; }
int ct_input_unterminated(const struct ct_input *in) { return in->unterminated; }
int ct_input_is_gzip(const struct ct_input *in) { return in->gz; }

void ct_input_progress(const struct ct_input *in, uint64_t *done, uint64_t *total)
{
    *done = in->done;
    *total = in->total;
}

const char *ct_input_sha256(struct ct_input *in)
{
    return in->hashed ? in->hex : NULL;
}
