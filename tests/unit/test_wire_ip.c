/* test_wire_ip.c: IPv4 and IPv6 header parsing and building.
 * Read RFC 791 §3.1, RFC 8200 §3-4 and src/wire/ip.h before changing. */
#include <stdint.h>

#include "check.h"
#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/ip.h"

static const struct synack_addr S4 = {SYNACK_AF_INET, {198, 18, 0, 1}};
static const struct synack_addr D4 = {SYNACK_AF_INET, {198, 18, 0, 2}};
static const struct synack_addr S6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
static const struct synack_addr D6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};

/* Recomputes an IPv4 header checksum after a test edited the header. */
static void fix_v4(uint8_t *p)
{
    size_t ihl = (size_t)(p[0] & 0x0f) * 4;
    wr16(p + 10, 0);
    wr16(p + 10, csum(p, ihl));
}

/* An IPv4 packet: 20-byte header then 20 bytes of payload 0..19. */
static size_t make_v4(uint8_t *buf)
{
    struct wire_ip_out h = {S4, D4, IPPROTO_TCP_, 64, IP_ECN_ECT0, 0x1234, true};
    size_t hl = wire_ip_build(buf, 60, &h, 20);
    for (size_t i = 0; i < 20; i++)
        buf[hl + i] = (uint8_t)i;
    return hl + 20;
}

static void test_v4_build_parse(void)
{
    uint8_t buf[64];
    struct wire_ip ip;
    /* By hand (RFC 791 §3.1); checksum 9c72 from an independent computation. */
    static const uint8_t want[20] = {0x45, 0x02, 0x00, 0x28, 0x12, 0x34, 0x40,
                                     0x00, 0x40, 0x06, 0x9c, 0x72, 198,  18,
                                     0,    1,    198,  18,   0,    2};

    CHECK_EQ(make_v4(buf), 40);
    CHECK_MEM(buf, want, sizeof want);
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), 0);
    CHECK_EQ(ip.version, 4);
    CHECK(ip.src.family == SYNACK_AF_INET && memcmp(ip.src.bytes, S4.bytes, 16) == 0);
    CHECK(ip.dst.family == SYNACK_AF_INET && memcmp(ip.dst.bytes, D4.bytes, 16) == 0);
    CHECK_EQ(ip.proto, IPPROTO_TCP_);
    CHECK_EQ(ip.ttl, 64);
    CHECK_EQ(ip.tos, IP_ECN_ECT0);
    CHECK_EQ(ip.id, 0x1234);
    CHECK(ip.df);
    CHECK(!ip.fragment);
    CHECK(ip.hdr == buf);
    CHECK_EQ(ip.hdr_len, 20);
    CHECK(ip.payload == buf + 20);
    CHECK_EQ(ip.payload_len, 20);
    CHECK_EQ(ip.payload[19], 19);

    /* Through the dispatcher, and with link padding past the total length. */
    CHECK_EQ(wire_ip_parse(buf, 40, &ip), 0);
    CHECK_EQ(ip.version, 4);
    CHECK_EQ(wire_ip_parse(buf, 64, &ip), 0);
    CHECK_EQ(ip.payload_len, 20);

    /* TTL 0 is the IP layer's business, not the parser's. */
    buf[8] = 0;
    fix_v4(buf);
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), 0);
    CHECK_EQ(ip.ttl, 0);

    /* No DF: df false. */
    struct wire_ip_out h = {S4, D4, IPPROTO_UDP_, 1, 0, 7, false};
    CHECK_EQ(wire_ip_build(buf, 20, &h, 0), 20);
    CHECK_EQ(rd16(buf + 6), 0);
    CHECK_EQ(wire_ipv4_parse(buf, 20, &ip), 0);
    CHECK(!ip.df);
    CHECK_EQ(ip.payload_len, 0);
    CHECK_EQ(ip.proto, IPPROTO_UDP_);
}

static void test_v4_rejects(void)
{
    uint8_t buf[64];
    struct wire_ip ip;

    make_v4(buf);
    CHECK_EQ(wire_ipv4_parse(buf, 19, &ip), SYNACK_DROP_TRUNCATED);
    CHECK_EQ(wire_ipv4_parse(buf, 0, &ip), SYNACK_DROP_TRUNCATED);

    buf[0] = 0x55; /* version 5 */
    fix_v4(buf);
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), SYNACK_DROP_BAD_VERSION);
    CHECK_EQ(wire_ip_parse(buf, 40, &ip), SYNACK_DROP_BAD_VERSION);
    buf[0] = 0x65; /* an IPv6 nibble handed to the IPv4 parser */
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), SYNACK_DROP_BAD_VERSION);

    make_v4(buf);
    buf[0] = 0x44; /* IHL 4 */
    fix_v4(buf);
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), SYNACK_DROP_BAD_HDR_LEN);
    buf[0] = 0x40; /* IHL 0 */
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), SYNACK_DROP_BAD_HDR_LEN);
    make_v4(buf);
    buf[0] = 0x4f; /* IHL 15: 60 bytes, more than the 40 we have */
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), SYNACK_DROP_BAD_HDR_LEN);

    make_v4(buf);
    wr16(buf + 2, 19); /* total length below the header */
    fix_v4(buf);
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), SYNACK_DROP_BAD_TOTAL_LEN);
    wr16(buf + 2, 41); /* total length past the buffer */
    fix_v4(buf);
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), SYNACK_DROP_BAD_TOTAL_LEN);
    CHECK_EQ(wire_ipv4_parse(buf, 41, &ip), 0);

    make_v4(buf);
    buf[11] ^= 1; /* header checksum */
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), SYNACK_DROP_BAD_CSUM);
    make_v4(buf);
    buf[16] ^= 0x80; /* a header byte after the checksum was computed */
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), SYNACK_DROP_BAD_CSUM);
    make_v4(buf);
    buf[39] ^= 0xff; /* the payload is not covered */
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), 0);
}

static void test_v4_frag_options(void)
{
    uint8_t buf[64];
    struct wire_ip ip;

    make_v4(buf);
    wr16(buf + 6, 0x2000); /* MF, offset 0: a first fragment */
    fix_v4(buf);
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), 0);
    CHECK(ip.fragment);
    CHECK(!ip.df);
    wr16(buf + 6, 0x0001); /* offset 8, no MF: a last fragment */
    fix_v4(buf);
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), 0);
    CHECK(ip.fragment);
    wr16(buf + 6, 0x1fff | 0x4000);
    fix_v4(buf);
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), 0);
    CHECK(ip.fragment);
    CHECK(ip.df);
    wr16(buf + 6, 0x4000);
    fix_v4(buf);
    CHECK_EQ(wire_ipv4_parse(buf, 40, &ip), 0);
    CHECK(!ip.fragment);

    /* IHL 6 with a router alert option (RFC 2113): skipped, payload after it. */
    make_v4(buf);
    memmove(buf + 24, buf + 20, 20);
    buf[0] = 0x46;
    buf[20] = 0x94;
    buf[21] = 0x04;
    buf[22] = 0;
    buf[23] = 0;
    wr16(buf + 2, 44);
    fix_v4(buf);
    CHECK_EQ(wire_ipv4_parse(buf, 44, &ip), 0);
    CHECK_EQ(ip.hdr_len, 24);
    CHECK(ip.payload == buf + 24);
    CHECK_EQ(ip.payload_len, 20);
    CHECK_EQ(ip.payload[0], 0);
    CHECK_EQ(wire_ipv4_parse(buf, 23, &ip), SYNACK_DROP_BAD_HDR_LEN);
    CHECK_EQ(wire_ipv4_parse(buf, 43, &ip), SYNACK_DROP_BAD_TOTAL_LEN);
    buf[21] ^= 1; /* options are under the header checksum */
    CHECK_EQ(wire_ipv4_parse(buf, 44, &ip), SYNACK_DROP_BAD_CSUM);
}

/* An IPv6 header (next header proto) for payload_len bytes, which the caller fills. */
static size_t make_v6(uint8_t *buf, uint8_t proto, size_t payload_len)
{
    struct wire_ip_out h = {S6, D6, proto, 64, 0xb9, 0, false};
    size_t hl = wire_ip_build(buf, 40, &h, payload_len);
    return hl + payload_len;
}

static void test_v6_build_parse(void)
{
    uint8_t buf[128] = {0};
    struct wire_ip ip;
    /* RFC 8200 §3: version 6, traffic class b9, flow label 0, length 20, TCP, hop 64. */
    static const uint8_t want[40] = {0x6b, 0x90, 0x00, 0x00, 0x00, 0x14, 0x06, 0x40,
                                     0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
                                     0,    0,    0,    1,    0x20, 0x01, 0x0d, 0xb8, 0, 0,
                                     0,    0,    0,    0,    0,    0,    0,    0,    0, 2};

    CHECK_EQ(make_v6(buf, IPPROTO_TCP_, 20), 60);
    CHECK_MEM(buf, want, sizeof want);
    CHECK_EQ(wire_ipv6_parse(buf, 60, &ip), 0);
    CHECK_EQ(ip.version, 6);
    CHECK(ip.src.family == SYNACK_AF_INET6 && memcmp(ip.src.bytes, S6.bytes, 16) == 0);
    CHECK(ip.dst.family == SYNACK_AF_INET6 && memcmp(ip.dst.bytes, D6.bytes, 16) == 0);
    CHECK_EQ(ip.proto, IPPROTO_TCP_);
    CHECK_EQ(ip.ttl, 64);
    CHECK_EQ(ip.tos, 0xb9);
    CHECK_EQ(ip.id, 0);
    CHECK(!ip.df);
    CHECK(!ip.fragment);
    CHECK_EQ(ip.hdr_len, 40);
    CHECK(ip.payload == buf + 40);
    CHECK_EQ(ip.payload_len, 20);
    CHECK_EQ(wire_ip_parse(buf, 60, &ip), 0);
    CHECK_EQ(ip.version, 6);
    CHECK_EQ(wire_ip_parse(buf, 128, &ip), 0); /* trailing bytes ignored */
    CHECK_EQ(ip.payload_len, 20);

    CHECK_EQ(wire_ipv6_parse(buf, 39, &ip), SYNACK_DROP_TRUNCATED);
    CHECK_EQ(wire_ipv6_parse(buf, 59, &ip), SYNACK_DROP_BAD_TOTAL_LEN);
    buf[0] = 0x4b;
    CHECK_EQ(wire_ipv6_parse(buf, 60, &ip), SYNACK_DROP_BAD_VERSION);
    buf[0] = 0x7b;
    CHECK_EQ(wire_ip_parse(buf, 60, &ip), SYNACK_DROP_BAD_VERSION);
    CHECK_EQ(wire_ip_parse(buf, 0, &ip), SYNACK_DROP_TRUNCATED);
}

static void test_v6_ext(void)
{
    uint8_t buf[128] = {0};
    struct wire_ip ip;

    /* hop-by-hop (8) -> routing (16) -> destination options (8) -> TCP (20). */
    CHECK_EQ(make_v6(buf, 0, 52), 92);
    buf[40] = 43;
    buf[41] = 0;
    buf[48] = 60;
    buf[49] = 1;
    buf[64] = IPPROTO_TCP_;
    buf[65] = 0;
    CHECK_EQ(wire_ipv6_parse(buf, 92, &ip), 0);
    CHECK_EQ(ip.proto, IPPROTO_TCP_);
    CHECK_EQ(ip.hdr_len, 72);
    CHECK(ip.payload == buf + 72);
    CHECK_EQ(ip.payload_len, 20);
    CHECK(!ip.fragment);

    /* The destination options header claims 16 bytes where 28 remain: fine; 32: not. */
    buf[65] = 1;
    CHECK_EQ(wire_ipv6_parse(buf, 92, &ip), 0);
    CHECK_EQ(ip.payload_len, 12);
    buf[65] = 3;
    CHECK_EQ(wire_ipv6_parse(buf, 92, &ip), SYNACK_DROP_BAD_HDR_LEN);
    buf[65] = 255;
    CHECK_EQ(wire_ipv6_parse(buf, 128, &ip), SYNACK_DROP_BAD_HDR_LEN);
    /* Bounded by the payload length, not the buffer. */
    buf[65] = 3;
    CHECK_EQ(wire_ipv6_parse(buf, 128, &ip), SYNACK_DROP_BAD_HDR_LEN);

    /* A chain ending where a header should start, or with one byte of it. */
    CHECK_EQ(make_v6(buf, 60, 0), 40);
    CHECK_EQ(wire_ipv6_parse(buf, 40, &ip), SYNACK_DROP_BAD_HDR_LEN);
    CHECK_EQ(make_v6(buf, 60, 1), 41);
    CHECK_EQ(wire_ipv6_parse(buf, 41, &ip), SYNACK_DROP_BAD_HDR_LEN);
    CHECK_EQ(make_v6(buf, 60, 7), 47);
    buf[41] = 0;
    CHECK_EQ(wire_ipv6_parse(buf, 47, &ip), SYNACK_DROP_BAD_HDR_LEN);
    CHECK_EQ(make_v6(buf, 60, 8), 48);
    buf[40] = 59; /* no next header: an empty payload */
    CHECK_EQ(wire_ipv6_parse(buf, 48, &ip), 0);
    CHECK_EQ(ip.proto, 59);
    CHECK_EQ(ip.payload_len, 0);

    /* A fragment header (RFC 8200 §4.5): fragment, protocol from its next header. */
    memset(buf, 0, sizeof buf);
    CHECK_EQ(make_v6(buf, 44, 28), 68);
    buf[40] = IPPROTO_TCP_;
    wr16(buf + 42, 0x0001); /* offset 0, M set */
    wr32(buf + 44, 0xdeadbeef);
    CHECK_EQ(wire_ipv6_parse(buf, 68, &ip), 0);
    CHECK(ip.fragment);
    CHECK_EQ(ip.proto, IPPROTO_TCP_);
    CHECK_EQ(ip.hdr_len, 48);
    CHECK_EQ(ip.payload_len, 20);
    CHECK_EQ(make_v6(buf, 44, 7), 47);
    CHECK_EQ(wire_ipv6_parse(buf, 47, &ip), SYNACK_DROP_BAD_HDR_LEN);
    /* Hop-by-hop then fragment. */
    CHECK_EQ(make_v6(buf, 0, 16), 56);
    buf[40] = 44;
    buf[41] = 0;
    buf[48] = IPPROTO_ICMPV6_;
    CHECK_EQ(wire_ipv6_parse(buf, 56, &ip), 0);
    CHECK(ip.fragment);
    CHECK_EQ(ip.proto, IPPROTO_ICMPV6_);
    CHECK_EQ(ip.payload_len, 0);
}

static void test_build_limits(void)
{
    uint8_t buf[64];
    struct wire_ip_out h4 = {S4, D4, IPPROTO_TCP_, 64, 0, 1, true};
    struct wire_ip_out h6 = {S6, D6, IPPROTO_TCP_, 64, 0, 0, false};
    struct wire_ip_out mixed = {S4, D6, IPPROTO_TCP_, 64, 0, 0, false};
    struct wire_ip_out none = {{0}, {0}, IPPROTO_TCP_, 64, 0, 0, false};
    struct wire_ip ip;

    CHECK_EQ(wire_ip_hdr_len(SYNACK_AF_INET), 20);
    CHECK_EQ(wire_ip_hdr_len(SYNACK_AF_INET6), 40);
    CHECK_EQ(wire_ip_hdr_len(SYNACK_AF_UNSPEC), 0);

    CHECK_EQ(wire_ip_build(buf, 19, &h4, 0), 0);
    CHECK_EQ(wire_ip_build(buf, 20, &h4, 65516), 0);
    CHECK_EQ(wire_ip_build(buf, 20, &h4, 65515), 20);
    CHECK_EQ(rd16(buf + 2), 65535);
    CHECK_EQ(csum(buf, 20), 0);
    CHECK_EQ(wire_ip_build(buf, 39, &h6, 0), 0);
    CHECK_EQ(wire_ip_build(buf, 40, &h6, 65536), 0);
    CHECK_EQ(wire_ip_build(buf, 40, &h6, 65535), 40);
    CHECK_EQ(rd16(buf + 4), 65535);
    CHECK_EQ(wire_ip_build(buf, 64, &mixed, 0), 0);
    CHECK_EQ(wire_ip_build(buf, 64, &none, 0), 0);

    /* parse(build(x)) for the header-only case of both families. */
    CHECK_EQ(wire_ip_build(buf, 64, &h4, 0), 20);
    CHECK_EQ(wire_ip_parse(buf, 20, &ip), 0);
    CHECK(ip.id == 1 && ip.df && ip.ttl == 64 && ip.payload_len == 0);
    CHECK_EQ(wire_ip_build(buf, 64, &h6, 0), 40);
    CHECK_EQ(wire_ip_parse(buf, 40, &ip), 0);
    CHECK(ip.version == 6 && ip.ttl == 64 && ip.payload_len == 0);
}

int main(void)
{
    test_v4_build_parse();
    test_v4_rejects();
    test_v4_frag_options();
    test_v6_build_parse();
    test_v6_ext();
    test_build_limits();
    return check_done();
}
