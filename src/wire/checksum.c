/* checksum.c: the Internet checksum, its pseudo-headers and its incremental update.
 * Read RFC 1071 §1-4, RFC 1624 §3-4, RFC 9293 §3.1 and RFC 8200 §8.1 before changing. */
#include "wire/checksum.h"

#include <string.h>

#include "wire/bytes.h"

/* Folds carries back into the low bits (RFC 1071 §2(B), end-around carry). */
static uint32_t fold32(uint64_t sum)
{
    while (sum >> 32)
        sum = (sum & 0xffffffffu) + (sum >> 32);
    return (uint32_t)sum;
}

/* RFC 1071 §2(B) and §2(C): the sum is independent of byte order and may be taken over
 * wider words: add native 64-bit words with end-around carry, fold to 16 bits, and on a
 * little-endian machine swap the two bytes back.  Returns the 16-bit big-endian sum of
 * the first len & ~7 bytes. */
static uint32_t sum64(const uint8_t *data, size_t len)
{
    uint64_t acc = 0;
    for (size_t i = 0; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, data + i, 8);
        acc += w;
        acc += acc < w; /* end-around carry */
    }
    uint64_t t = (acc & 0xffffffffu) + (acc >> 32);
    while (t >> 16)
        t = (t & 0xffffu) + (t >> 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    t = ((t & 0xffu) << 8) | (t >> 8);
#endif
    return (uint32_t)t;
}

uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    /* RFC 1071 §4.1: sum 16-bit words in a wider accumulator, fold the carries later. */
    size_t i = len & ~(size_t)7;
    uint64_t acc = (uint64_t)sum + sum64(data, i);

    for (; i + 1 < len; i += 2)
        acc += rd16(data + i);
    if (len & 1)
        acc += (uint32_t)data[len - 1] << 8; /* RFC 1071 §4.1: pad with a zero byte */
    return fold32(acc);
}

uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t csum(const uint8_t *data, size_t len) { return csum_fold(csum_add(0, data, len)); }

uint32_t csum_pseudo(const struct synack_addr *src, const struct synack_addr *dst,
                     uint8_t proto, uint32_t len)
{
    /* RFC 9293 §3.1: src, dst, zero, PTCL, TCP length (16 bits).
     * RFC 8200 §8.1: src, dst, upper-layer length (32 bits), three zeros, next header.
     * Both sum to the same words; only the address size differs. */
    size_t alen = src->family == SYNACK_AF_INET6 ? 16 : 4;
    uint32_t sum = csum_add(0, src->bytes, alen);

    sum = csum_add(sum, dst->bytes, alen);
    return fold32((uint64_t)sum + proto + (len >> 16) + (len & 0xffffu));
}

uint16_t csum_update16(uint16_t hc, uint16_t m, uint16_t m_new)
{
    /* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), which never yields the -0 of eqn. 2. */
    return csum_fold((uint32_t)(uint16_t)~hc + (uint16_t)~m + m_new);
}

uint16_t csum_update32(uint16_t hc, uint32_t m, uint32_t m_new)
{
    /* RFC 1624 eqn. 3 applied to both 16-bit halves in one sum. */
    return csum_fold((uint32_t)(uint16_t)~hc + (uint16_t)~(m >> 16) + (uint16_t)~m +
                     (m_new >> 16) + (m_new & 0xffffu));
}
