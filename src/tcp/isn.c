/* isn.c: initial sequence numbers and timestamp offsets from keyed hashes.
 * Read RFC 6528 §3 (ISN = M + F(4-tuple, secret)) and RFC 7323 §5.4 / Linux's per-flow
 * TSval offsets before changing. */
#include "core/siphash.h"
#include "tcp/tcp.h"

static uint64_t tuple_hash(const uint8_t key[16], const struct flow_key *k)
{
    uint8_t b[40];
    size_t n = k->laddr.family == SYNACK_AF_INET ? 4 : 16;
    for (size_t i = 0; i < n; i++) {
        b[i] = k->laddr.bytes[i];
        b[n + i] = k->raddr.bytes[i];
    }
    b[2 * n] = (uint8_t)(k->lport >> 8);
    b[2 * n + 1] = (uint8_t)k->lport;
    b[2 * n + 2] = (uint8_t)(k->rport >> 8);
    b[2 * n + 3] = (uint8_t)k->rport;
    return siphash24(key, b, 2 * n + 4);
}

uint32_t tcp_isn(struct synack_stack *st, const struct flow_key *k)
{
    /* RFC 6528 §3: M is a 4-microsecond timer; F a keyed hash of the 4-tuple. */
    uint32_t m = (uint32_t)(st->now / 4000u);
    return m + (uint32_t)tuple_hash(st->isn_secret, k);
}

uint32_t tcp_ts_offset(struct synack_stack *st, const struct flow_key *k)
{
    return (uint32_t)tuple_hash(st->ts_secret, k);
}
