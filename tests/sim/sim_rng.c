/* sim_rng.c: the simulation's own randomness (splitmix64) and the per-connection byte
 * streams receivers check against.  Read sim.h before changing: a change here changes
 * what every seed does, so replay lines from older runs stop matching. */
#include "sim.h"

#include <math.h>

uint64_t sim_mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void sim_rng_seed(struct sim_rng *r, uint64_t seed) { r->s = sim_mix(seed ^ 0x5eed5eed5eedull); }

uint64_t sim_rng_next(struct sim_rng *r)
{
    r->s += 0x9e3779b97f4a7c15ull;
    uint64_t z = r->s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t sim_rng_below(struct sim_rng *r, uint32_t n)
{
    return (uint32_t)(((sim_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

uint32_t sim_rng_range(struct sim_rng *r, uint32_t lo, uint32_t hi)
{
    return lo + sim_rng_below(r, hi - lo + 1);
}

double sim_rng_unit(struct sim_rng *r) { return (double)(sim_rng_next(r) >> 11) * 0x1p-53; }

bool sim_rng_chance(struct sim_rng *r, double p) { return sim_rng_unit(r) < p; }

uint32_t sim_rng_log(struct sim_rng *r, uint32_t lo, uint32_t hi)
{
    double l = log((double)lo), h = log((double)hi + 1.0);
    double v = exp(l + (h - l) * sim_rng_unit(r));
    uint32_t x = (uint32_t)v;
    return x < lo ? lo : x > hi ? hi : x;
}

uint64_t sim_stream_key(uint64_t seed, int conn, int dir)
{
    return sim_mix(sim_mix(seed) ^ ((uint64_t)conn << 8) ^ (uint64_t)dir);
}

/* Eight bytes of the stream per 64-bit word. */
static inline uint64_t word(uint64_t key, uint64_t idx) { return sim_mix(key + idx * 0xd1b54a32d192ed03ull); }

void sim_stream_fill(uint64_t key, uint64_t off, uint8_t *buf, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint64_t k = off + i;
        uint64_t w = word(key, k >> 3);
        for (unsigned b = (unsigned)(k & 7); b < 8 && i < n; b++, i++)
            buf[i] = (uint8_t)(w >> (8 * b));
    }
}

size_t sim_stream_check(uint64_t key, uint64_t off, const uint8_t *buf, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint64_t k = off + i;
        uint64_t w = word(key, k >> 3);
        for (unsigned b = (unsigned)(k & 7); b < 8 && i < n; b++, i++)
            if (buf[i] != (uint8_t)(w >> (8 * b)))
                return i;
    }
    return n;
}
