/* sha256 of whole blocks with the x86 SHA extensions (SHA256RNDS2, SHA256MSG1,
 * SHA256MSG2), checked for at run time with cpuid; everything else, and every
 * other CPU, goes through core/sha256.c. Written from the instructions' definitions
 * in Intel's SDM: the state lives in two registers as (A,B,E,F) and (C,D,G,H). */
#include "formats/input_sha.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>


#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* Four message words per step; w[] is a ring of the last four groups. */
SHA_TARGET static void blocks_ni(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i t = _mm_loadu_si128((const __m128i *)&h[0]);     /* A B C D */
    __m128i s1 = _mm_loadu_si128((const __m128i *)&h[4]);    /* E F G H */
    t = _mm_shuffle_epi32(t, 0xB1);                          /* B A D C */
    s1 = _mm_shuffle_epi32(s1, 0x1B);                        /* H G F E */
    __m128i s0 = _mm_alignr_epi8(t, s1, 8);                  /* F E B A = ABEF */
    s1 = _mm_blend_epi16(s1, t, 0xF0);                       /* H G D C = CDGH */
    for (; nblocks; nblocks--, p += 64) {
        __m128i save0 = s0, save1 = s1, w[4];
        for (int i = 0; i < 16; i++) {
            if (i < 4) {
                w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
            } else {
                __m128i m = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
                m = _mm_add_epi32(m, _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
                w[i & 3] = _mm_sha256msg2_epu32(m, w[(i + 3) & 3]);
            }
            __m128i k = _mm_add_epi32(w[i & 3],
                                      _mm_load_si128((const __m128i *)&ct_sha256_K[4 * i]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, k);
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(k, 0x0E));
        }
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }
    t = _mm_shuffle_epi32(s0, 0x1B);                         /* A B E F */
    s1 = _mm_shuffle_epi32(s1, 0xB1);                        /* G H C D */
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, s1, 0xF0));
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(s1, t, 8));
}

static int have_ni(void)
{
    static int known = -1;
    if (known < 0) {
        unsigned a, b, c, d;
        int sha = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
        int sse = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19)) && (c & (1u << 9));
        known = sha && sse;
    }
    return known;
}
#else
static int have_ni(void) { return 0; }
static void blocks_ni(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
    (void)h, (void)p, (void)nblocks;
}
#endif

int ct_input_sha_accelerated(void) { return have_ni(); }

void ct_input_sha_update(ct_sha256 *c, const void *data, size_t n)
{
    const unsigned char *p = data;
    if (!have_ni()) {
        ct_sha256_update(c, p, n);
        return;
    }
    if (c->nbuf) { /* top up the partial block through the portable code */
        size_t k = 64 - c->nbuf < n ? 64 - c->nbuf : n;
        ct_sha256_update(c, p, k);
        p += k;
        n -= k;
    }
    size_t nb = n / 64;
    if (c->nbuf == 0 && nb) {
        blocks_ni(c->h, p, nb);
        c->len += (uint64_t)nb * 64;
        p += nb * 64;
        n -= nb * 64;
    }
    ct_sha256_update(c, p, n);
}

/* ---- the hashing thread ---- */

struct ct_sha_async {
    ct_sha256 *c;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned char *stage[2];
    size_t n[2];
    int full[2];    /* stage i holds a chunk not hashed yet */
    int next, quit; /* the stage main fills next; no more chunks */
};

static void *hash_loop(void *arg)
{
    struct ct_sha_async *a = arg;
    pthread_mutex_lock(&a->mu);
    for (int i = 0;; i ^= 1) { /* chunks are hashed in the order they were fed */
        while (!a->full[i] && !a->quit)
            pthread_cond_wait(&a->cv, &a->mu);
        if (!a->full[i])
            break;
        pthread_mutex_unlock(&a->mu);
        ct_input_sha_update(a->c, a->stage[i], a->n[i]);
        pthread_mutex_lock(&a->mu);
        a->full[i] = 0;
        pthread_cond_broadcast(&a->cv);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

struct ct_sha_async *ct_sha_async_start(ct_sha256 *c, size_t max)
{
    struct ct_sha_async *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->c = c;
    a->stage[0] = malloc(max);
    a->stage[1] = malloc(max);
    if (!a->stage[0] || !a->stage[1] || pthread_mutex_init(&a->mu, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&a->cv, NULL) != 0) {
        pthread_mutex_destroy(&a->mu);
        goto fail;
    }
    if (pthread_create(&a->th, NULL, hash_loop, a) == 0)
        return a;
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
fail:
    free(a->stage[0]);
    free(a->stage[1]);
    free(a);
    return NULL;
}

void ct_sha_async_feed(struct ct_sha_async *a, const void *data, size_t n)
{
    int i = a->next;
    pthread_mutex_lock(&a->mu);
    while (a->full[i])
        pthread_cond_wait(&a->cv, &a->mu);
    pthread_mutex_unlock(&a->mu);
    memcpy(a->stage[i], data, n); /* the thread does not touch stage i until it is full */
    pthread_mutex_lock(&a->mu);
    a->n[i] = n;
    a->full[i] = 1;
    a->next = i ^ 1;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

void ct_sha_async_finish(struct ct_sha_async *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    a->quit = 1;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->th, NULL);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    free(a->stage[0]);
    free(a->stage[1]);
    free(a);
}
