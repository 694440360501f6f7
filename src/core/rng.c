/* rng.c: xoshiro256** seeded through splitmix64, with unbiased bounded integers.
 * Read Blackman & Vigna, "Scrambled Linear Pseudorandom Number Generators" (2018, ACM TOMS
 * 2021) for the generator and seeding, and Lemire, "Fast Random Integer Generation in an
 * Interval" (ACM TOMACS 2019) for rng_below, before changing it. */
#include "core/rng.h"

#include <assert.h>

static uint64_t rotl(uint64_t x, unsigned k) { return (x << k) | (x >> (64 - k)); }

/* splitmix64 (Steele, Lea & Flood 2014), the seeding Blackman & Vigna recommend: its
 * outputs are a bijection of its counter, so four of them are never all zero. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

/* xoshiro256**: the ** scrambler over the xoshiro256 linear engine. */
uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Lemire's multiply-and-reject: the high half of x * n is uniform in [0, n) once the
 * low half's few biased values (below 2^32 mod n) are rejected. */
uint32_t rng_below(struct rng *r, uint32_t n)
{
    assert(n > 0);
    uint64_t m = (rng_next(r) >> 32) * n;
    if ((uint32_t)m < n) {
        uint32_t reject = (0u - n) % n; /* 2^32 mod n */
        while ((uint32_t)m < reject)
            m = (rng_next(r) >> 32) * n;
    }
    return (uint32_t)(m >> 32);
}

/* The top 53 bits scaled by 2^-53: every double in [0, 1) on that grid, equally likely. */
double rng_unit(struct rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

void rng_bytes(struct rng *r, uint8_t *out, size_t n)
{
    while (n) {
        uint64_t v = rng_next(r);
        for (int i = 0; i < 8 && n; i++, n--)
            *out++ = (uint8_t)(v >> (8 * i));
    }
}
