/* checksum.c: the Internet checksum, its pseudo-headers and its incremental update.
 * Read RFC 1071 §1-4, RFC 1624 §3-4, RFC 9293 §3.1 and RFC 8200 §8.1 before changing. */
#include "wire/checksum.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "wire/bytes.h"

/* Folds carries back into the low bits (RFC 1071 §2(B), end-around carry). */
static uint32_t fold32(uint64_t sum)
{
    while (sum >> 32)
        sum = (sum & 0xffffffffu) + (sum >> 32);
    return (uint32_t)sum;
}

/* RFC 1071 §2(B) and §2(C): the sum is independent of byte order and may be taken over
 * wider words, the carries added back at the end.  Native 32-bit words are summed into
 * 64-bit accumulators, which cannot overflow below 2^32 words, so no carry is handled
 * per word; the total is folded to 16 bits and, on a little-endian machine, its two bytes
 * swapped back.  Returns the 16-bit big-endian sum of the first len & ~3 bytes.  With
 * SSE2 (every x86-64) four words go per instruction, each widened to a 64-bit lane;
 * the checksum was 41% of a bulk transfer's CPU with one 64-bit add-with-carry chain.
 * When dst is not NULL each word loaded is also stored there (RFC 1071 §2(3): the sum
 * combined with the copy).  csum_add passes a constant NULL, so its code has no stores;
 * in csum_copy the compiler takes the test out of the loops. */
static inline uint32_t sum_words(uint8_t *restrict dst, const uint8_t *restrict data,
                                 size_t len)
{
    uint64_t acc = 0;
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    __m128i a = zero, b = zero, c = zero, d = zero;
    for (; i + 32 <= len; i += 32) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(data + i));
        __m128i y = _mm_loadu_si128((const __m128i *)(const void *)(data + i + 16));
        if (dst) {
            _mm_storeu_si128((__m128i *)(void *)(dst + i), x);
            _mm_storeu_si128((__m128i *)(void *)(dst + i + 16), y);
        }
        a = _mm_add_epi64(a, _mm_unpacklo_epi32(x, zero));
        b = _mm_add_epi64(b, _mm_unpackhi_epi32(x, zero));
        c = _mm_add_epi64(c, _mm_unpacklo_epi32(y, zero));
        d = _mm_add_epi64(d, _mm_unpackhi_epi32(y, zero));
    }
    uint64_t lanes[2];
    _mm_storeu_si128((__m128i *)(void *)lanes, _mm_add_epi64(_mm_add_epi64(a, b), _mm_add_epi64(c, d)));
    acc = lanes[0] + lanes[1];
#else
    uint64_t lo = 0, hi = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, data + i, 8);
        if (dst)
            memcpy(dst + i, &w, 8);
        lo += w & 0xffffffffu;
        hi += w >> 32;
    }
    acc = lo + hi;
#endif
    for (; i + 4 <= len; i += 4) {
        uint32_t w;
        memcpy(&w, data + i, 4);
        if (dst)
            memcpy(dst + i, &w, 4);
        acc += w;
    }
    uint64_t t = fold32(acc);
    while (t >> 16)
        t = (t & 0xffffu) + (t >> 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    t = ((t & 0xffu) << 8) | (t >> 8);
#endif
    return (uint32_t)t;
}

/* csum_add, copying the bytes to dst as well when dst is not NULL. */
static inline uint32_t add_copy(uint32_t sum, uint8_t *restrict dst,
                                const uint8_t *restrict data, size_t len)
{
    /* RFC 1071 §4.1: sum 16-bit words in a wider accumulator, fold the carries later. */
    size_t i = len & ~(size_t)3;
    uint64_t acc = (uint64_t)sum + sum_words(dst, data, i);

    if (dst && i < len)
        memcpy(dst + i, data + i, len - i);
    for (; i + 1 < len; i += 2)
        acc += rd16(data + i);
    if (len & 1)
        acc += (uint32_t)data[len - 1] << 8; /* RFC 1071 §4.1: pad with a zero byte */
    return fold32(acc);
}

uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    return add_copy(sum, NULL, data, len);
}

uint32_t csum_copy(uint32_t sum, uint8_t *dst, const uint8_t *src, size_t len)
{
    /* RFC 1071 §2(3), "combine with data copying": each byte is fetched once for both. */
    return add_copy(sum, dst, src, len);
}

uint32_t csum_combine(uint32_t sum, uint32_t part, size_t off)
{
    /* RFC 1071 §2(B): a piece starting at an odd offset has its bytes in the other
     * halves of the words; swapping the bytes of its own 16-bit sum puts them back. */
    if (off & 1) {
        part = (uint16_t)~csum_fold(part); /* folded to 16 bits, not complemented */
        part = ((part & 0xffu) << 8) | (part >> 8);
    }
    return fold32((uint64_t)sum + part);
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
