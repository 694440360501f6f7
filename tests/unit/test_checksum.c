/* test_checksum.c: the Internet checksum, pseudo-headers and incremental updates.
 * Read RFC 1071 §3, RFC 1624 §3-4, RFC 9293 §3.1 and RFC 8200 §8.1 before changing. */
#include <stdint.h>

#include "check.h"
#include "wire/bytes.h"
#include "wire/checksum.h"

/* A fixed-seed xorshift64 generator: the same sequence on every run. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static struct synack_addr addr4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    struct synack_addr x = {.family = SYNACK_AF_INET, .bytes = {a, b, c, d}};
    return x;
}

static struct synack_addr addr6(uint8_t last)
{
    struct synack_addr x = {.family = SYNACK_AF_INET6,
                            .bytes = {0x20, 0x01, 0x0d, 0xb8, [15] = last}};
    return x;
}

static void test_vectors(void)
{
    /* RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (after the carry). */
    static const uint8_t rfc1071[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK_EQ((uint16_t)~csum_fold(csum_add(0, rfc1071, sizeof rfc1071)), 0xddf2);
    CHECK_EQ(csum(rfc1071, sizeof rfc1071), 0x220d);
    /* §2(B): any even split gives the same sum; so does any starting value of -0. */
    CHECK_EQ(csum_fold(csum_add(csum_add(0, rfc1071, 2), rfc1071 + 2, 6)), 0x220d);
    CHECK_EQ(csum_fold(csum_add(csum_add(0, rfc1071, 6), rfc1071 + 6, 2)), 0x220d);
    CHECK_EQ(csum_fold(csum_add(0xffffffffu, rfc1071, sizeof rfc1071)), 0x220d);

    /* An IPv4 header 198.18.0.1 -> 198.18.0.2, TCP, DF, ttl 64, id 0x1c46, total 60.
     * By hand: 4500+003c+1c46+4000+4006+c612+0001+c612+0002 = 0x26daf -> 6daf+2 = 6db1,
     * so the checksum field is ~6db1 = 924e. */
    uint8_t ip[20] = {0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06,
                      0x92, 0x4e, 0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02};
    CHECK_EQ(csum(ip, sizeof ip), 0); /* a correct header sums to -0 */
    wr16(ip + 10, 0);
    CHECK_EQ(csum(ip, sizeof ip), 0x924e);

    /* Odd lengths: the last byte is the high half of a zero-padded word (RFC 1071 §4.1). */
    static const uint8_t one[] = {0xab}, three[] = {0x01, 0x02, 0x03};
    CHECK_EQ(csum(one, 1), 0x54ff);     /* ~ab00 */
    CHECK_EQ(csum(three, 3), 0xfbfd);   /* ~(0102 + 0300) */
    CHECK_EQ(csum(rfc1071, 7), 0x2304); /* 0001+f203+f4f5+f600 = 2dcf9 -> dcfb */
    CHECK_EQ(csum(three, 0), 0xffff);   /* nothing sums to +0 */

    /* A large buffer: 65535 bytes of ff are 32767 words of -0 plus ff00. */
    static uint8_t big[65535];
    memset(big, 0xff, sizeof big);
    CHECK_EQ(csum(big, sizeof big), 0x00ff);
}

static void test_pseudo(void)
{
    /* IPv4 (RFC 9293 §3.1): c612+0001+c612+0002+0006+0014 = 18c41 -> 8c42, ~ = 73bd. */
    struct synack_addr s4 = addr4(198, 18, 0, 1), d4 = addr4(198, 18, 0, 2);
    CHECK_EQ(csum_fold(csum_pseudo(&s4, &d4, 6, 20)), 0x73bd);
    CHECK_EQ(csum_fold(csum_pseudo(&d4, &s4, 6, 20)), 0x73bd);

    /* IPv6 (RFC 8200 §8.1): 2*(2001+0db8) + 0001 + 0002 + 0000+0014 + 0006 = 5b8f. */
    struct synack_addr s6 = addr6(1), d6 = addr6(2);
    CHECK_EQ(csum_fold(csum_pseudo(&s6, &d6, 6, 20)), 0xa470);
    /* The 32-bit upper-layer length counts both halves: 0001 + 0002, next header 58. */
    CHECK_EQ(csum_fold(csum_pseudo(&s6, &d6, 58, 0x10002)), 0xa44d);

    /* A pseudo-header plus a segment carrying its checksum sums to -0. */
    uint8_t seg[21] = {0x9c, 0x40, 0x00, 0x50, 1, 2, 3, 4, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff};
    seg[20] = 0x5a;
    wr16(seg + 16, csum_fold(csum_add(csum_pseudo(&s6, &d6, 6, sizeof seg), seg, sizeof seg)));
    CHECK_EQ(csum_fold(csum_add(csum_pseudo(&s6, &d6, 6, sizeof seg), seg, sizeof seg)), 0);
    CHECK(csum_fold(csum_add(csum_pseudo(&s4, &d4, 6, sizeof seg), seg, sizeof seg)) != 0);
}

/* A value for a changed field, often one of the edges RFC 1624 §3 discusses. */
static uint16_t pick16(uint64_t *rng)
{
    uint64_t r = next_rand(rng);
    switch (r % 8) {
    case 0:
        return 0x0000;
    case 1:
        return 0xffff;
    default:
        return (uint16_t)(r >> 16);
    }
}

static void test_incremental(void)
{
    /* RFC 1624 §4: the other words sum to cd7a, m = 5555 -> m' = 3285; eqn. 3 gives
     * 0000 where eqn. 2 would give the wrong ffff. */
    CHECK_EQ(csum_update16(0xdd2f, 0x5555, 0x3285), 0x0000);
    CHECK_EQ(csum_update32(0xdd2f, 0x00005555, 0x00003285), 0x0000);
    CHECK_EQ(csum_update32(0xdd2f, 0x55550000, 0x32850000), 0x0000);
    /* 0000 and ffff are both zero in one's complement: swapping them changes nothing. */
    CHECK_EQ(csum_update16(0x1234, 0x0000, 0xffff), 0x1234);
    CHECK_EQ(csum_update16(0x1234, 0xffff, 0x0000), 0x1234);

    /* Random changes to a 40-byte IPv4+TCP-like header versus full recomputation.  Word
     * 0 stays 0x4500 (version/IHL is never zero), so the data never sum to +0 and the
     * two computations must agree exactly. */
    uint8_t hdr[40];
    uint64_t rng = 0x5eed5eed12345678ull;
    for (size_t i = 0; i < sizeof hdr; i++)
        hdr[i] = (uint8_t)next_rand(&rng);
    wr16(hdr, 0x4500);
    uint16_t hc = csum(hdr, sizeof hdr);
    unsigned zero_results = 0;

    for (int iter = 0; iter < 12000; iter++) {
        uint64_t r = next_rand(&rng);
        size_t off = 2 + 2 * (size_t)(r % 18); /* even offsets 2..36, so 32 bits fit */
        uint16_t want;

        if (r & (1u << 20)) {
            uint16_t m = rd16(hdr + off), m_new = pick16(&rng);
            if (iter % 16 == 0) {
                /* Force the RFC 1624 §3 edge: m' = -(sum of the other words) makes
                 * the new sum -0 (ffff), whose checksum is 0000. */
                wr16(hdr + off, 0);
                m_new = csum(hdr, sizeof hdr);
            }
            wr16(hdr + off, m_new);
            hc = csum_update16(hc, m, m_new);
        } else {
            uint32_t m = rd32(hdr + off);
            uint32_t m_new = ((uint32_t)pick16(&rng) << 16) | pick16(&rng);
            wr32(hdr + off, m_new);
            hc = csum_update32(hc, m, m_new);
        }
        want = csum(hdr, sizeof hdr);
        CHECK_EQ(hc, want);
        zero_results += want == 0;
    }
    CHECK(zero_results > 0); /* the edge case was really exercised */
}

/* The plain RFC 1071 §4.1 loop, one 16-bit word at a time: the reference csum_add's
 * wide-word path must agree with, at every length and alignment. */
static uint32_t ref_sum(uint32_t sum, const uint8_t *d, size_t len)
{
    uint64_t acc = sum;
    for (size_t i = 0; i + 1 < len; i += 2)
        acc += (uint32_t)(d[i] << 8 | d[i + 1]);
    if (len & 1)
        acc += (uint32_t)d[len - 1] << 8;
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint32_t)acc;
}

static void test_wide_words_against_reference(void)
{
    static uint8_t buf[2100];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int round = 0; round < 3000; round++) {
        for (size_t i = 0; i < sizeof(buf); i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[i] = (uint8_t)(round % 7 == 0 ? 0xff : x); /* runs of 0xff stress carries */
        }
        size_t off = (size_t)(x % 9), len = (size_t)((x >> 8) % 2048);
        uint32_t seed = (uint32_t)(x >> 40) & 0xffff;
        uint32_t got = csum_add(seed, buf + off, len);
        while (got >> 16)
            got = (got & 0xffff) + (got >> 16);
        CHECK_EQ(got, ref_sum(seed, buf + off, len));
    }
}

/* RFC 1071 §2(3): csum_copy over pieces split anywhere (odd and even lengths, odd and even
 * offsets, any alignment), each chained by csum_combine, copies every byte and sums to
 * what memcpy + csum_add over the whole give; nothing outside the pieces is written. */
static void test_copy_pieces(void)
{
    static uint8_t src[2100], dst[2100 + 16], want[2100 + 16];
    uint64_t x = 0x243f6a8885a308d3ull;
    for (int round = 0; round < 3000; round++) {
        for (size_t i = 0; i < sizeof src; i++)
            src[i] = (uint8_t)(round % 5 == 0 ? 0xff : next_rand(&x)); /* carries */
        memset(dst, 0xa5, sizeof dst);
        memset(want, 0xa5, sizeof want);
        size_t soff = (size_t)(next_rand(&x) % 8), doff = (size_t)(next_rand(&x) % 8);
        size_t len = (size_t)(next_rand(&x) % 2049);
        uint32_t seed = (uint32_t)next_rand(&x) & 0xffff;
        memcpy(want + doff, src + soff, len);
        uint16_t whole = csum_fold(csum_add(seed, src + soff, len));

        /* The whole in one call: the same accumulator as csum_add. */
        CHECK_EQ(csum_copy(seed, dst + doff, src + soff, len), csum_add(seed, src + soff, len));
        CHECK_MEM(dst, want, sizeof dst);

        /* Up to 7 random cuts, so pieces start at odd and even offsets alike. */
        memset(dst, 0xa5, sizeof dst);
        uint32_t sum = seed;
        size_t at = 0;
        for (int cut = (int)(next_rand(&x) % 8); at < len; cut--) {
            size_t n = cut > 0 ? (size_t)(next_rand(&x) % (len - at + 1)) : len - at;
            sum = csum_combine(sum, csum_copy(0, dst + doff + at, src + soff + at, n), at);
            at += n;
        }
        CHECK_EQ(csum_fold(sum), whole);
        CHECK_MEM(dst, want, sizeof dst);
    }
    /* By hand: "\x01" then "\x02\x03" at offset 1 are the words 0102 0300. */
    static const uint8_t three[] = {0x01, 0x02, 0x03};
    uint8_t out[3];
    uint32_t sum = csum_copy(0, out, three, 1);
    CHECK_EQ(csum_fold(csum_combine(sum, csum_copy(0, out + 1, three + 1, 2), 1)), 0xfbfd);
    CHECK_MEM(out, three, 3);
}

int main(void)
{
    test_wide_words_against_reference();
    test_copy_pieces();
    test_vectors();
    test_pseudo();
    test_incremental();
    return check_done();
}
