/* checksum.c: the Internet checksum, its pseudo-headers and its incremental update.
 * Read RFC 1071 §1-4, RFC 1624 §3-4, RFC 9293 §3.1 and RFC 8200 §8.1 before changing. */
#include "wire/checksum.h"

#include "wire/bytes.h"

/* Folds carries back into the low bits (RFC 1071 §2(B), end-around carry). */
static uint32_t fold32(uint64_t sum)
{
    while (sum >> 32)
        sum = (sum & 0xffffffffu) + (sum >> 32);
    return (uint32_t)sum;
}

uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    /* RFC 1071 §4.1: sum 16-bit words in a wider accumulator, fold the carries later. */
    uint64_t acc = sum;
    size_t i;

    for (i = 0; i + 1 < len; i += 2)
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
