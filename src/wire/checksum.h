/* checksum.h: the Internet checksum.
 * Read RFC 1071 (computation) and RFC 1624 (incremental update, eqn. 3) before changing. */
#ifndef SYNACK_WIRE_CHECKSUM_H
#define SYNACK_WIRE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

/* Adds data to a running 32-bit one's-complement accumulator (RFC 1071 §4.1).  An odd
 * length is padded with a zero byte; chain calls only on even-length pieces (others
 * through csum_combine). */
uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len);
/* csum_add over src while copying its len bytes to dst (no overlap): the same result as
 * memcpy then csum_add, with one pass over the bytes (RFC 1071 §2(3)). */
uint32_t csum_copy(uint32_t sum, uint8_t *dst, const uint8_t *src, size_t len);
/* Adds part, the accumulator of a piece that starts off bytes into the data summed by
 * sum, any length and any offset (RFC 1071 §2(B): an odd offset swaps the piece's bytes).
 * Pieces chained this way give the sum of the whole, each piece summed from 0. */
uint32_t csum_combine(uint32_t sum, uint32_t part, size_t off);
/* Folds the accumulator to 16 bits and complements it: the value to store. */
uint16_t csum_fold(uint32_t sum);
/* The checksum of one buffer: csum_fold(csum_add(0, data, len)). */
uint16_t csum(const uint8_t *data, size_t len);
/* Accumulator of the TCP/UDP/ICMPv6 pseudo-header (RFC 9293 §3.1, RFC 8200 §8.1) for
 * src/dst of the given family, protocol and upper-layer length. */
uint32_t csum_pseudo(const struct synack_addr *src, const struct synack_addr *dst,
                     uint8_t proto, uint32_t len);
/* RFC 1624 eqn. 3: the new checksum HC' after a 16-bit field changes from m to m'. */
uint16_t csum_update16(uint16_t hc, uint16_t m, uint16_t m_new);
/* The same for a 32-bit field (two 16-bit halves). */
uint16_t csum_update32(uint16_t hc, uint32_t m, uint32_t m_new);

#endif
