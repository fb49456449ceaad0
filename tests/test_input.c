/* The input layer: lines, line ends, unread, peek, gzip, files, pipes, sha256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/sha256.h"
#include "formats/format.h"
#include "formats/input_sha.h"

static struct ct_input *mem(const void *p, size_t n)
{
    struct ct_input *in;
    ct_err e;
    assert_int_equal(ct_input_memopen(p, n, "mem", &in, &e), 0);
    return in;
}

static void want_line(struct ct_input *in, const char *s, size_t n)
{
    const char *l;
    size_t len;
    ct_err e;
    assert_int_equal(ct_input_line(in, &l, &len, &e), 1);
    assert_int_equal(len, n);
    assert_memory_equal(l, s, n);
    assert_int_equal(l[len], '\0');
}

static void want_end(struct ct_input *in)
{
    const char *l;
    size_t len;
    ct_err e;
    assert_int_equal(ct_input_line(in, &l, &len, &e), 0);
}

static void test_lines(void **state)
{
    (void)state;
    static const char s[] = "a\nbb\r\n\r\n\nx\0y\nlast\r";
    struct ct_input *in = mem(s, sizeof s - 1);
    want_line(in, "a", 1);
    assert_int_equal(ct_input_lineno(in), 1);
    want_line(in, "bb", 2);      /* CRLF stripped */
    want_line(in, "", 0);        /* a bare CRLF */
    want_line(in, "", 0);
    want_line(in, "x\0y", 3);    /* NUL kept and counted */
    assert_int_equal(ct_input_unterminated(in), 0);
    want_line(in, "last", 4);    /* no line end; the CR still goes */
    assert_int_equal(ct_input_unterminated(in), 1);
    assert_int_equal(ct_input_lineno(in), 6);
    want_end(in);
    want_end(in);
    char hex[65];
    ct_sha256_hex(s, sizeof s - 1, hex);
    assert_string_equal(ct_input_sha256(in), hex);
    uint64_t done, total;
    ct_input_progress(in, &done, &total);
    assert_int_equal(done, sizeof s - 1);
    assert_int_equal(total, sizeof s - 1);
    ct_input_close(in);
}

static void test_unread_peek(void **state)
{
    (void)state;
    static const char s[] = "one\ntwo\nthree\n";
    struct ct_input *in = mem(s, sizeof s - 1);
    const char *h;
    assert_int_equal(ct_input_peek(in, &h), sizeof s - 1);
    assert_memory_equal(h, s, sizeof s - 1);
    assert_null(ct_input_sha256(in)); /* not at the end yet */
    want_line(in, "one", 3);
    want_line(in, "two", 3);
    ct_input_unread(in);
    assert_int_equal(ct_input_lineno(in), 1);
    ct_input_unread(in); /* only once */
    want_line(in, "two", 3);
    assert_int_equal(ct_input_lineno(in), 2);
    want_line(in, "three", 5);
    want_end(in);
    ct_input_close(in);
}

static void test_empty(void **state)
{
    (void)state;
    struct ct_input *in = mem("", 0);
    const char *h;
    assert_int_equal(ct_input_peek(in, &h), 0);
    want_end(in);
    assert_string_equal(ct_input_sha256(in),
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ct_input_close(in);
}

/* The accelerated and portable sha256 agree at every alignment and length. */
static void test_sha(void **state)
{
    (void)state;
    size_t n = 3 * 1000 * 1000 + 17;
    unsigned char *p = malloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 2654435761u >> 13);
    static const size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 1000, 65536, 3000017};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        char want[65];
        ct_sha256_hex(p, lens[k], want);
        for (size_t chunk = 1; chunk < 200; chunk += 37) {
            ct_sha256 c;
            ct_sha256_init(&c);
            for (size_t o = 0; o < lens[k]; o += chunk)
                ct_input_sha_update(&c, p + o, lens[k] - o < chunk ? lens[k] - o : chunk);
            unsigned char d[32];
            char got[65];
            ct_sha256_final(&c, d);
            for (int i = 0; i < 32; i++)
                snprintf(got + 2 * i, 3, "%02x", d[i]);
            assert_string_equal(got, want);
            if (lens[k] > 100000)
                break; /* one chunking is enough for the big one */
        }
    }
    free(p);
    print_message("# sha256 accelerated: %s\n", ct_input_sha_accelerated() ? "yes" : "no");
}

static size_t gzip_into(const char *s, size_t n, unsigned char *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)s;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t got = cap - z.avail_out;
    deflateEnd(&z);
    return got;
}

static void test_gzip(void **state)
{
    (void)state;
    static const char a[] = "timestamp, power.draw [W]\n2023/10/01 12:00:00.000, 1 W\n";
    static const char b[] = "2023/10/01 12:00:01.000, 2 W";
    unsigned char z[1024];
    size_t n = gzip_into(a, sizeof a - 1, z, sizeof z);
    n += gzip_into(b, sizeof b - 1, z + n, sizeof z - n); /* cat a.gz b.gz */
    struct ct_input *in = mem(z, n);
    const char *h;
    assert_true(ct_input_peek(in, &h) >= 9);
    assert_memory_equal(h, "timestamp", 9);
    assert_int_equal(ct_input_is_gzip(in), 1);
    want_line(in, "timestamp, power.draw [W]", 25);
    want_line(in, "2023/10/01 12:00:00.000, 1 W", 28);
    want_line(in, b, sizeof b - 1);
    want_end(in);
    char both[256], hex[65];
    snprintf(both, sizeof both, "%s%s", a, b);
    ct_sha256_hex(both, strlen(both), hex);
    assert_string_equal(ct_input_sha256(in), hex); /* the content's hash, not the file's */
    ct_input_close(in);

    /* Cut short, and corrupt. */
    const char *l;
    size_t len;
    ct_err e;
    in = mem(z, 20);
    while (ct_input_line(in, &l, &len, &e) > 0)
        ;
    assert_int_equal(ct_input_line(in, &l, &len, &e), -1);
    assert_non_null(strstr(e.msg, "cut short"));
    ct_input_close(in);
    z[12] ^= 0xff;
    z[13] ^= 0xff;
    in = mem(z, n);
    int rc;
    while ((rc = ct_input_line(in, &l, &len, &e)) > 0)
        ;
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.msg, "mem:"));
    ct_input_close(in);
}

/* A file bigger than the read buffer, with a line longer than it. */
static void test_file(void **state)
{
    (void)state;
    char path[] = "/tmp/co2tally-input-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    long lines = 0;
    for (; lines < 200000; lines++)
        fprintf(f, "line %ld, 123.45 W\n", lines);
    for (int i = 0; i < 3 * 1024 * 1024; i++)
        fputc('x', f);
    fputs("\nend\n", f);
    fclose(f);
    struct ct_input *in;
    ct_err e;
    assert_int_equal(ct_input_open(path, &in, &e), 0);
    const char *l, *head;
    size_t len;
    char want[64];
    assert_int_equal(ct_input_peek(in, &head), 65536); /* bounded: sniffers scan it all */
    assert_memory_equal(head, "line 0, 123.45 W\n", 17);
    for (long i = 0; i < lines; i++) {
        assert_int_equal(ct_input_line(in, &l, &len, &e), 1);
        snprintf(want, sizeof want, "line %ld, 123.45 W", i);
        assert_string_equal(l, want);
    }
    assert_int_equal(ct_input_line(in, &l, &len, &e), 1);
    assert_int_equal(len, 3 * 1024 * 1024);
    assert_int_equal(l[len - 1], 'x');
    want_line(in, "end", 3);
    want_end(in);
    const char *h;
    assert_int_equal(ct_input_peek(in, &h), 0);
    uint64_t done, total;
    ct_input_progress(in, &done, &total);
    assert_true(total > 3000000 && done == total);
    assert_int_equal(ct_input_lineno(in), lines + 2);
    ct_input_close(in);

    /* Drain after one line gives the same hash. */
    assert_int_equal(ct_input_open(path, &in, &e), 0);
    assert_int_equal(ct_input_line(in, &l, &len, &e), 1);
    assert_int_equal(ct_input_drain(in, &e), 0);
    char h1[65];
    memcpy(h1, ct_input_sha256(in), 65);
    ct_input_close(in);
    assert_int_equal(ct_input_open(path, &in, &e), 0);
    while (ct_input_line(in, &l, &len, &e) > 0)
        ;
    assert_string_equal(ct_input_sha256(in), h1);
    ct_input_close(in);
    unlink(path);

    assert_int_equal(ct_input_open("/nonexistent/x.csv", &in, &e), -1);
    assert_non_null(strstr(e.msg, "/nonexistent/x.csv"));
    assert_int_equal(ct_input_open("/tmp", &in, &e), -1);
    assert_non_null(strstr(e.msg, "directory"));
}

/* Over 32 MiB the hash is made on a second thread: the same digest. */
static void test_big_file(void **state)
{
    (void)state;
    char path[] = "/tmp/co2tally-input-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t block = 1 << 20, n = 33 * block + 12345;
    char *p = malloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (i % 61 == 60) ? '\n' : (char)('a' + i % 26);
    assert_int_equal(write(fd, p, n), (ssize_t)n);
    close(fd);
    char want[65];
    ct_sha256_hex(p, n, want);
    struct ct_input *in;
    ct_err e;
    assert_int_equal(ct_input_open(path, &in, &e), 0);
    const char *l;
    size_t len;
    long lines = 0;
    while (ct_input_line(in, &l, &len, &e) > 0)
        lines++;
    assert_int_equal(lines, (long)((n + 60) / 61));
    assert_string_equal(ct_input_sha256(in), want);
    ct_input_close(in);
    /* Closed before the end: the thread is stopped and joined. */
    assert_int_equal(ct_input_open(path, &in, &e), 0);
    assert_int_equal(ct_input_line(in, &l, &len, &e), 1);
    ct_input_close(in);
    unlink(path);
    free(p);
}

static void test_pipe(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "x, 1 W\ny, 2 W\n", 14), 14);
    close(p[1]);
    struct ct_input *in;
    ct_err e;
    assert_int_equal(ct_input_fdopen(p[0], "child", &in, &e), 0);
    assert_string_equal(ct_input_name(in), "child");
    want_line(in, "x, 1 W", 6);
    want_line(in, "y, 2 W", 6);
    want_end(in);
    uint64_t done, total;
    ct_input_progress(in, &done, &total);
    assert_int_equal(total, 0); /* unknown for a pipe */
    assert_int_equal(done, 14);
    ct_input_close(in);
    close(p[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines), cmocka_unit_test(test_unread_peek),
        cmocka_unit_test(test_empty), cmocka_unit_test(test_sha),
        cmocka_unit_test(test_gzip),  cmocka_unit_test(test_file),
        cmocka_unit_test(test_pipe),  cmocka_unit_test(test_big_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
