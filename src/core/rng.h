/* rng.h: the stack's seeded random generator (xoshiro256**, seeded by splitmix64).
 * Every random choice in the stack comes from here, so a seed replays a run exactly. */
#ifndef SYNACK_CORE_RNG_H
#define SYNACK_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
    uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n > 0; unbiased (rejection). */
uint32_t rng_below(struct rng *r, uint32_t n);
/* Uniform in [0, 1) with 53 bits. */
double rng_unit(struct rng *r);
void rng_bytes(struct rng *r, uint8_t *out, size_t n);

#endif
