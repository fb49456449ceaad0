#ifndef CT_RNG_H
#define CT_RNG_H
/* A small seeded generator (splitmix64) so the bootstrap gives the same interval
 * on every run and every machine. */
#include <stdint.h>

typedef struct ct_rng {
    uint64_t s;
} ct_rng;

static inline uint64_t ct_rng_next(ct_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0, without modulo bias worth caring about for n < 2^32. */
static inline uint32_t ct_rng_below(ct_rng *r, uint32_t n)
{
    return (uint32_t)(((ct_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

#endif
