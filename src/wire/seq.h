/* seq.h: sequence number arithmetic modulo 2^32.
 * Read RFC 9293 §3.4 (and RFC 1982 for why the difference is taken as signed). */
#ifndef SYNACK_WIRE_SEQ_H
#define SYNACK_WIRE_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/* a - b as a signed distance; meaningful while |a - b| < 2^31. */
static inline int32_t seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }
static inline bool seq_lt(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return seq_diff(a, b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return seq_diff(a, b) >= 0; }
/* lo <= x < hi, all modulo 2^32 (RFC 9293 §3.4's "=<" and "<" tests). */
static inline bool seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
    return (uint32_t)(x - lo) < (uint32_t)(hi - lo);
}
static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }
static inline uint32_t seq_min(uint32_t a, uint32_t b) { return seq_lt(a, b) ? a : b; }

#endif
