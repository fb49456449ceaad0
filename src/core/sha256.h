#ifndef CT_SHA256_H
#define CT_SHA256_H
/* SHA-256 (FIPS 180-4), for identifying imported files. */
#include <stddef.h>
#include <stdint.h>

typedef struct ct_sha256 {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t nbuf;
} ct_sha256;

/* The round constants (FIPS 180-4, 4.2.2), 16-byte aligned for SIMD loads; shared
 * with the SHA-extensions path in formats/input_sha.c. */
extern const uint32_t ct_sha256_K[64];

void ct_sha256_init(ct_sha256 *c);
void ct_sha256_update(ct_sha256 *c, const void *data, size_t n);
void ct_sha256_final(ct_sha256 *c, unsigned char out[32]);
/* One call: 64 lowercase hex chars plus NUL. */
void ct_sha256_hex(const void *data, size_t n, char out[65]);

#endif
