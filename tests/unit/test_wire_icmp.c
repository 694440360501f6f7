/* test_wire_icmp.c: ICMPv4 and ICMPv6 parsing and building, errors quoting TCP.
 * Read RFC 792, RFC 1191 §4, RFC 4443 §2-4 and src/wire/icmp.h before changing. */
#include <stdint.h>

#include "check.h"
#include "wire/bytes.h"
#include "wire/icmp.h"
#include "wire/ip.h"
#include "wire/tcp.h"

static const struct synack_addr S4 = {SYNACK_AF_INET, {198, 18, 0, 1}};
static const struct synack_addr D4 = {SYNACK_AF_INET, {198, 18, 0, 2}};
static const struct synack_addr S6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
static const struct synack_addr D6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
static const struct synack_addr R6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 0xfe}};

static bool addr_is(const struct synack_addr *a, const struct synack_addr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

/* One of our TCP segments (S -> D, 40000 -> 80, seq deadbeef) with its IP header, as an
 * error would quote it. */
static size_t make_sent(uint8_t *buf, size_t cap, uint8_t family)
{
    struct wire_ip_out ip = {family == SYNACK_AF_INET ? S4 : S6,
                             family == SYNACK_AF_INET ? D4 : D6,
                             IPPROTO_TCP_, 64, 0, 0x4242, true};
    struct wire_tcp_out tcp = {40000, 80, 0xdeadbeef, 0x01020304, TCP_ACK, 1000, 0, NULL};
    size_t hl = wire_ip_build(buf, cap, &ip, 20);
    return hl + wire_tcp_build_hdr(buf + hl, cap - hl, &tcp);
}

static void check_quote(const struct wire_icmp *m, uint8_t family)
{
    CHECK(m->is_error);
    CHECK(addr_is(&m->quote.src, family == SYNACK_AF_INET ? &S4 : &S6));
    CHECK(addr_is(&m->quote.dst, family == SYNACK_AF_INET ? &D4 : &D6));
    CHECK_EQ(m->quote.proto, IPPROTO_TCP_);
    CHECK_EQ(m->quote.sport, 40000);
    CHECK_EQ(m->quote.dport, 80);
    CHECK_EQ(m->quote.seq, 0xdeadbeef);
}

static void test_echo(void)
{
    uint8_t buf[64];
    struct wire_icmp m;
    static const uint8_t want4[] = {8, 0, 0x21, 0x04, 0x12, 0x34, 0, 1, 'a', 'b', 'c', 'd'};
    static const uint8_t want6[] = {128, 0, 0x4d, 0x48, 0x12, 0x34, 0, 1, 'a', 'b', 'c', 'd'};

    /* ICMPv4 echo (RFC 792); checksum 2104 computed independently. */
    CHECK_EQ(wire_icmp_build(buf, sizeof buf, SYNACK_AF_INET, ICMP4_ECHO_REQUEST, 0,
                             0x12340001, (const uint8_t *)"abcd", 4, NULL, NULL),
             12);
    CHECK_MEM(buf, want4, sizeof want4);
    CHECK_EQ(wire_icmp4_parse(buf, 12, &m), 0);
    CHECK_EQ(m.family, SYNACK_AF_INET);
    CHECK_EQ(m.type, ICMP4_ECHO_REQUEST);
    CHECK_EQ(m.code, 0);
    CHECK(!m.is_error);
    CHECK_EQ(m.id, 0x1234);
    CHECK_EQ(m.seq, 1);
    CHECK(m.data == buf + 8);
    CHECK_EQ(m.data_len, 4);
    CHECK_EQ(m.mtu, 0);
    CHECK_EQ(wire_icmp4_parse(buf, 7, &m), SYNACK_DROP_TRUNCATED);
    buf[9] ^= 0x20;
    CHECK_EQ(wire_icmp4_parse(buf, 12, &m), SYNACK_DROP_BAD_CSUM);

    /* An echo reply built in place from the request's data (body inside buf). */
    CHECK_EQ(wire_icmp_build(buf, 12, SYNACK_AF_INET, ICMP4_ECHO_REPLY, 0, 0x12340002,
                             buf + 8, 4, NULL, NULL),
             12);
    CHECK_EQ(wire_icmp4_parse(buf, 12, &m), 0);
    CHECK_EQ(m.type, ICMP4_ECHO_REPLY);
    CHECK_EQ(m.seq, 2);
    CHECK_MEM(m.data, "aBcd", 4);

    /* ICMPv6 echo (RFC 4443 §4.1), pseudo-header included; checksum 4d48. */
    CHECK_EQ(wire_icmp_build(buf, sizeof buf, SYNACK_AF_INET6, ICMP6_ECHO_REQUEST, 0,
                             0x12340001, (const uint8_t *)"abcd", 4, &S6, &D6),
             12);
    CHECK_MEM(buf, want6, sizeof want6);
    CHECK_EQ(wire_icmp6_parse(buf, 12, &S6, &D6, &m), 0);
    CHECK_EQ(m.family, SYNACK_AF_INET6);
    CHECK_EQ(m.type, ICMP6_ECHO_REQUEST);
    CHECK(!m.is_error);
    CHECK_EQ(m.id, 0x1234);
    CHECK_EQ(m.seq, 1);
    CHECK_MEM(m.data, "abcd", 4);
    CHECK_EQ(wire_icmp6_parse(buf, 12, &S6, &R6, &m), SYNACK_DROP_BAD_CSUM);
    CHECK_EQ(wire_icmp6_parse(buf, 7, &S6, &D6, &m), SYNACK_DROP_TRUNCATED);
    buf[11] ^= 1;
    CHECK_EQ(wire_icmp6_parse(buf, 12, &S6, &D6, &m), SYNACK_DROP_BAD_CSUM);

    /* An odd-length echo. */
    CHECK_EQ(wire_icmp_build(buf, sizeof buf, SYNACK_AF_INET6, ICMP6_ECHO_REPLY, 0, 7,
                             (const uint8_t *)"xyz", 3, &D6, &S6),
             11);
    CHECK_EQ(wire_icmp6_parse(buf, 11, &D6, &S6, &m), 0);
    CHECK_EQ(m.type, ICMP6_ECHO_REPLY);
    CHECK_EQ(m.seq, 7);
    CHECK_EQ(m.data_len, 3);
}

static void test_errors4(void)
{
    uint8_t sent[64], msg[128];
    struct wire_icmp m;
    size_t n = make_sent(sent, sizeof sent, SYNACK_AF_INET);
    size_t len;

    CHECK_EQ(n, 40);
    /* RFC 792: IP header + 8 bytes, for each error type; the quoted total length (40)
     * says more followed, which is not checked. */
    const uint8_t types[][2] = {{ICMP4_DEST_UNREACH, ICMP4_PORT_UNREACH},
                                {ICMP4_DEST_UNREACH, ICMP4_HOST_UNREACH},
                                {ICMP4_DEST_UNREACH, ICMP4_ADMIN_PROHIB},
                                {ICMP4_TIME_EXCEEDED, 0},
                                {ICMP4_PARAM_PROBLEM, 0}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET, types[i][0], types[i][1], 0,
                              sent, 28, NULL, NULL);
        CHECK_EQ(len, 36);
        CHECK_EQ(wire_icmp4_parse(msg, len, &m), 0);
        CHECK_EQ(m.type, types[i][0]);
        CHECK_EQ(m.code, types[i][1]);
        CHECK_EQ(m.mtu, 0);
        check_quote(&m, SYNACK_AF_INET);
    }

    /* RFC 1191 §4: frag needed carries the next-hop MTU in the low 16 bits. */
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET, ICMP4_DEST_UNREACH,
                          ICMP4_FRAG_NEEDED, 1400, sent, n, NULL, NULL);
    CHECK_EQ(wire_icmp4_parse(msg, len, &m), 0);
    CHECK_EQ(m.mtu, 1400);
    check_quote(&m, SYNACK_AF_INET);
    CHECK_EQ(rd16(msg + 6), 1400);

    /* Lenient quote: its total length (40) exceeds what was quoted, and its own
     * checksum is wrong (a router rewrote it): still parsed. */
    sent[10] ^= 0xff;
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET, ICMP4_DEST_UNREACH, 1, 0, sent,
                          28, NULL, NULL);
    CHECK_EQ(wire_icmp4_parse(msg, len, &m), 0);
    check_quote(&m, SYNACK_AF_INET);
    sent[10] ^= 0xff;

    /* Too short a quote, the wrong version, a bad IHL: ICMP_BAD. */
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET, 3, 3, 0, sent, 27, NULL, NULL);
    CHECK_EQ(wire_icmp4_parse(msg, len, &m), SYNACK_DROP_ICMP_BAD);
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET, 3, 3, 0, sent, 0, NULL, NULL);
    CHECK_EQ(wire_icmp4_parse(msg, len, &m), SYNACK_DROP_ICMP_BAD);
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET, 11, 0, 0, sent, 1, NULL, NULL);
    CHECK_EQ(wire_icmp4_parse(msg, len, &m), SYNACK_DROP_ICMP_BAD);
    sent[0] = 0x65;
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET, 3, 3, 0, sent, 28, NULL, NULL);
    CHECK_EQ(wire_icmp4_parse(msg, len, &m), SYNACK_DROP_ICMP_BAD);
    sent[0] = 0x44;
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET, 3, 3, 0, sent, 28, NULL, NULL);
    CHECK_EQ(wire_icmp4_parse(msg, len, &m), SYNACK_DROP_ICMP_BAD);

    /* A quoted header with options (IHL 6): the ports follow the options. */
    memmove(sent + 24, sent + 20, 20);
    sent[0] = 0x46;
    memset(sent + 20, 1, 4); /* four NOPs */
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET, 3, 3, 0, sent, 31, NULL, NULL);
    CHECK_EQ(wire_icmp4_parse(msg, len, &m), SYNACK_DROP_ICMP_BAD);
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET, 3, 3, 0, sent, 32, NULL, NULL);
    CHECK_EQ(wire_icmp4_parse(msg, len, &m), 0);
    check_quote(&m, SYNACK_AF_INET);
    msg[len - 1] ^= 1;
    CHECK_EQ(wire_icmp4_parse(msg, len, &m), SYNACK_DROP_BAD_CSUM);
}

static void test_errors6(void)
{
    uint8_t sent[64], msg[128];
    struct wire_icmp m;
    size_t n = make_sent(sent, sizeof sent, SYNACK_AF_INET6);
    size_t len;

    CHECK_EQ(n, 60);
    const uint8_t types[][2] = {{ICMP6_DEST_UNREACH, ICMP6_PORT_UNREACH},
                                {ICMP6_DEST_UNREACH, ICMP6_ADDR_UNREACH},
                                {ICMP6_DEST_UNREACH, ICMP6_ADMIN_PROHIB},
                                {ICMP6_TIME_EXCEEDED, 0},
                                {ICMP6_PARAM_PROBLEM, 0}};
    /* RFC 4443 §3: as much of the packet as fits; 48 bytes suffice, although the quoted
     * payload length (20) says more followed. */
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET6, types[i][0], types[i][1], 0,
                              sent, 48, &R6, &S6);
        CHECK_EQ(len, 56);
        CHECK_EQ(wire_icmp6_parse(msg, len, &R6, &S6, &m), 0);
        CHECK_EQ(m.type, types[i][0]);
        CHECK_EQ(m.code, types[i][1]);
        CHECK_EQ(m.mtu, 0);
        check_quote(&m, SYNACK_AF_INET6);
    }

    /* RFC 4443 §3.2: packet too big carries a 32-bit MTU. */
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET6, ICMP6_PACKET_TOO_BIG, 0, 1280,
                          sent, n, &R6, &S6);
    CHECK_EQ(wire_icmp6_parse(msg, len, &R6, &S6, &m), 0);
    CHECK_EQ(m.mtu, 1280);
    check_quote(&m, SYNACK_AF_INET6);
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET6, ICMP6_PACKET_TOO_BIG, 0,
                          0x00012345, sent, n, &R6, &S6);
    CHECK_EQ(wire_icmp6_parse(msg, len, &R6, &S6, &m), 0);
    CHECK_EQ(m.mtu, 0x12345);
    CHECK_EQ(wire_icmp6_parse(msg, len, &R6, &D6, &m), SYNACK_DROP_BAD_CSUM);

    /* Short of header + 8 bytes, or the wrong version: ICMP_BAD. */
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET6, 1, 4, 0, sent, 47, &R6, &S6);
    CHECK_EQ(wire_icmp6_parse(msg, len, &R6, &S6, &m), SYNACK_DROP_ICMP_BAD);
    sent[0] = 0x45;
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET6, 1, 4, 0, sent, 48, &R6, &S6);
    CHECK_EQ(wire_icmp6_parse(msg, len, &R6, &S6, &m), SYNACK_DROP_ICMP_BAD);

    /* An IPv4 error quoting IPv6, or the reverse, is malformed. */
    n = make_sent(sent, sizeof sent, SYNACK_AF_INET);
    len = wire_icmp_build(msg, sizeof msg, SYNACK_AF_INET6, 1, 4, 0, sent, n, &R6, &S6);
    CHECK_EQ(wire_icmp6_parse(msg, len, &R6, &S6, &m), SYNACK_DROP_ICMP_BAD);
}

static void test_other(void)
{
    uint8_t buf[64];
    struct wire_icmp m;

    /* Informational and unknown types parse, are not errors, quote nothing. */
    size_t len = wire_icmp_build(buf, sizeof buf, SYNACK_AF_INET, 13, 0, 0, NULL, 0, NULL,
                                 NULL);
    CHECK_EQ(len, 8);
    CHECK_EQ(wire_icmp4_parse(buf, len, &m), 0);
    CHECK(!m.is_error);
    CHECK_EQ(m.type, 13);
    len = wire_icmp_build(buf, sizeof buf, SYNACK_AF_INET, 4, 0, 0, NULL, 0, NULL, NULL);
    CHECK_EQ(wire_icmp4_parse(buf, len, &m), 0); /* source quench (RFC 6633): ignored */
    CHECK(!m.is_error);
    len = wire_icmp_build(buf, sizeof buf, SYNACK_AF_INET6, 135, 0, 0, NULL, 0, &R6, &S6);
    CHECK_EQ(wire_icmp6_parse(buf, len, &R6, &S6, &m), 0);
    CHECK(!m.is_error);
    CHECK_EQ(m.type, 135);
    /* An ICMPv6 echo type number is not an echo in ICMPv4, nor the reverse. */
    len = wire_icmp_build(buf, sizeof buf, SYNACK_AF_INET, ICMP6_ECHO_REQUEST, 0, 0x12340001,
                          NULL, 0, NULL, NULL);
    CHECK_EQ(wire_icmp4_parse(buf, len, &m), 0);
    CHECK_EQ(m.id, 0);
    len = wire_icmp_build(buf, sizeof buf, SYNACK_AF_INET6, ICMP4_ECHO_REQUEST, 0, 0x12340001,
                          NULL, 0, &R6, &S6);
    CHECK_EQ(wire_icmp6_parse(buf, len, &R6, &S6, &m), 0);
    CHECK_EQ(m.id, 0);
    CHECK(!m.is_error);

    /* Build limits. */
    CHECK_EQ(wire_icmp_build(buf, 11, SYNACK_AF_INET, 8, 0, 0, (const uint8_t *)"abcd", 4,
                             NULL, NULL),
             0);
    CHECK_EQ(wire_icmp_build(buf, 7, SYNACK_AF_INET, 8, 0, 0, NULL, 0, NULL, NULL), 0);
    CHECK_EQ(wire_icmp_build(buf, 64, SYNACK_AF_UNSPEC, 8, 0, 0, NULL, 0, NULL, NULL), 0);
    CHECK_EQ(wire_icmp_build(buf, SIZE_MAX, SYNACK_AF_INET, 8, 0, 0, buf, 65528, NULL, NULL),
             0);
}

int main(void)
{
    test_echo();
    test_errors4();
    test_errors6();
    test_other();
    return check_done();
}
