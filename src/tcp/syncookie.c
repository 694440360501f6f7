/* syncookie.c: SYN cookies: a SYN-ACK whose ISN carries the connection, no state kept.
 * Read RFC 4987 §3.6 (the cookie layout: t mod 32, an MSS index, a keyed hash) and
 * RFC 7323 §3 (timestamps, whose low bits here carry WS/SACK/ECN) before changing. */
#include "core/siphash.h"
#include "tcp/tcp.h"

/* The counter t advances every 64 s; a cookie is good for this period and the last. */
#define COOKIE_PERIOD_NS (64ull * 1000000000ull)

/* MSS values a cookie can carry (3 bits), ascending; Linux's table plus common ones. */
static const uint16_t cookie_mss[8] = {536, 1200, 1300, 1380, 1420, 1440, 1460, 8960};

static uint32_t cookie_hash(struct synack_stack *st, const struct flow_key *k, uint32_t client_isn,
                            uint64_t t)
{
    uint8_t b[52];
    size_t n = k->laddr.family == SYNACK_AF_INET ? 4 : 16, o = 0;
    for (size_t i = 0; i < n; i++)
        b[o++] = k->laddr.bytes[i];
    for (size_t i = 0; i < n; i++)
        b[o++] = k->raddr.bytes[i];
    b[o++] = (uint8_t)(k->lport >> 8);
    b[o++] = (uint8_t)k->lport;
    b[o++] = (uint8_t)(k->rport >> 8);
    b[o++] = (uint8_t)k->rport;
    for (int i = 0; i < 4; i++)
        b[o++] = (uint8_t)(client_isn >> (24 - 8 * i));
    for (int i = 0; i < 8; i++)
        b[o++] = (uint8_t)(t >> (56 - 8 * i));
    return (uint32_t)siphash24(st->cookie_secret, b, o);
}

/* RFC 4987 §3.6: top 5 bits t mod 32, next 3 bits the MSS index, low 24 bits a keyed
 * hash of the 4-tuple, the client's ISN and t. */
uint32_t tcp_cookie_make(struct synack_stack *st, const struct flow_key *k, uint32_t client_isn,
                         uint16_t peer_mss, uint16_t *mss_out)
{
    uint32_t idx = 0;
    for (uint32_t i = 0; i < 8; i++)
        if (cookie_mss[i] <= peer_mss)
            idx = i;
    *mss_out = cookie_mss[idx];
    uint64_t t = st->now / COOKIE_PERIOD_NS;
    uint32_t h = cookie_hash(st, k, client_isn, t) & 0xffffffu;
    return ((uint32_t)(t & 31) << 27) | (idx << 24) | h;
}

/* Returns 1 and the MSS if cookie (SEG.ACK - 1) was made for this 4-tuple and client ISN
 * (SEG.SEQ - 1) in this period or the last; else 0. */
int tcp_cookie_check(struct synack_stack *st, const struct flow_key *k, uint32_t client_isn,
                     uint32_t cookie, uint16_t *mss_out)
{
    uint64_t now_t = st->now / COOKIE_PERIOD_NS;
    for (uint64_t back = 0; back < 2 && back <= now_t; back++) {
        uint64_t t = now_t - back;
        if ((cookie >> 27) != (t & 31))
            continue;
        if ((cookie & 0xffffffu) != (cookie_hash(st, k, client_isn, t) & 0xffffffu))
            continue;
        *mss_out = cookie_mss[(cookie >> 24) & 7];
        return 1;
    }
    return 0;
}

/* Like Linux's cookie_init_timestamp: the low 6 bits of our TSval carry the options the
 * SYN offered: bits 0-3 the peer's window shift (15: none), bit 4 SACK, bit 5 ECN.  The
 * value is lowered, never raised, so it stays monotonic with earlier ones. */
uint32_t tcp_cookie_tsval(uint32_t tsval, bool ws, uint8_t wscale, bool sack, bool ecn)
{
    uint32_t bits = (ws ? wscale : 0xfu) | (sack ? 0x10u : 0) | (ecn ? 0x20u : 0);
    uint32_t v = (tsval & ~0x3fu) | bits;
    if (v > tsval)
        v -= 64;
    return v;
}

int tcp_cookie_ts_decode(uint32_t tsecr, bool *ws, uint8_t *wscale, bool *sack, bool *ecn)
{
    uint32_t w = tsecr & 0xfu;
    if (w != 0xf && w > TCP_MAX_WSCALE)
        return 0;
    *ws = w != 0xf;
    *wscale = *ws ? (uint8_t)w : 0;
    *sack = tsecr & 0x10u;
    *ecn = tsecr & 0x20u;
    return 1;
}
