#ifndef CT_INPUT_SHA_H
#define CT_INPUT_SHA_H
/* The input layer's running sha256: core/sha256.c's context, with whole 64-byte
 * blocks run through the x86 SHA extensions where the CPU has them. The portable
 * code hashes about 130 MB/s, slower than the parsers read; with the extensions
 * it is several times faster, so hashing no longer bounds an import. The result
 * is the same digest either way (tests/test_input.c compares the two). */
#include <stddef.h>

#include "core/sha256.h"

void ct_input_sha_update(ct_sha256 *c, const void *data, size_t n);
/* 1 when the accelerated path is in use (for tests and the bench's notes). */
int ct_input_sha_accelerated(void);

/* Hashing on a second thread, for big files: each chunk is copied to one of two
 * staging buffers (a memcpy is ~20x faster than hashing) and hashed there while
 * the parser goes on. Chunks are at most max bytes. start returns NULL when no
 * thread can be had; the caller then hashes inline. finish waits for the last
 * chunk; c then holds everything fed. */
struct ct_sha_async;
struct ct_sha_async *ct_sha_async_start(ct_sha256 *c, size_t max);
void ct_sha_async_feed(struct ct_sha_async *a, const void *data, size_t n);
void ct_sha_async_finish(struct ct_sha_async *a);

#endif
