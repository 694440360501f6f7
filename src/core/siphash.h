/* siphash.h: SipHash-2-4 (Aumasson & Bernstein, 2012), the keyed hash behind the flow
 * table, ISNs (RFC 6528) and SYN cookies (RFC 4987 §3.6). */
#ifndef SYNACK_CORE_SIPHASH_H
#define SYNACK_CORE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

#endif
