/* test_wire_tcp.c: TCP header and option parsing and building.
 * Read RFC 9293 §3.1-3.2, RFC 7323 §2-3, RFC 2018 §3 and src/wire/tcp.h before changing. */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/tcp.h"

static const struct synack_addr S4 = {SYNACK_AF_INET, {198, 18, 0, 1}};
static const struct synack_addr D4 = {SYNACK_AF_INET, {198, 18, 0, 2}};
static const struct synack_addr S6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
static const struct synack_addr D6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};

/* Same options present with the same values (only the fields `has` makes meaningful). */
static bool opts_equal(const struct wire_tcp_opts *a, const struct wire_tcp_opts *b)
{
    if (a->has != b->has)
        return false;
    if ((a->has & OPT_MSS) && a->mss != b->mss)
        return false;
    if ((a->has & OPT_WSCALE) && a->wscale != b->wscale)
        return false;
    if ((a->has & OPT_TS) && (a->ts_val != b->ts_val || a->ts_ecr != b->ts_ecr))
        return false;
    if (a->has & OPT_SACK) {
        if (a->sack_n != b->sack_n)
            return false;
        for (int i = 0; i < a->sack_n; i++)
            if (a->sack[i].start != b->sack[i].start || a->sack[i].end != b->sack[i].end)
                return false;
    }
    return true;
}

/* Parses a segment whose options are opt[0..olen) (olen a multiple of 4, <= 40). */
static int parse_with_opts(const uint8_t *opt, size_t olen, struct wire_tcp *t)
{
    uint8_t seg[60] = {0x9c, 0x40, 0x00, 0x50};
    seg[12] = (uint8_t)(((20 + olen) / 4) << 4);
    memcpy(seg + 20, opt, olen);
    return wire_tcp_parse(seg, 20 + olen, &S4, &D4, false, t);
}

#define TSV 0x11, 0x22, 0x33, 0x44
#define TSE 0x55, 0x66, 0x77, 0x88
#define BLK(n) 0, 0, 0x10, n, 0, 0, 0x20, n /* [0x1000+n, 0x2000+n) */

struct layout {
    const char *name;
    struct wire_tcp_opts in;
    uint8_t want[40];
    size_t want_len;
    uint8_t want_sack_n; /* after truncation on build */
};

#define SACKS                                                                            \
    {{0x1001, 0x2001}, {0x1002, 0x2002}, {0x1003, 0x2003}, {0x1004, 0x2004}}

static const struct layout layouts[] = {
    {"SYN: mss, sackOK, TS, wscale (Linux)",
     {OPT_MSS | OPT_SACK_PERM | OPT_TS | OPT_WSCALE, 1460, 7, 0x11223344, 0x55667788, 0,
      {{0}}},
     {2, 4, 0x05, 0xb4, 4, 2, 8, 10, TSV, TSE, 1, 3, 3, 7},
     20, 0},
    {"SYN without TS: mss, nop, nop, sackOK, nop, wscale",
     {OPT_MSS | OPT_SACK_PERM | OPT_WSCALE, 1460, 7, 0, 0, 0, {{0}}},
     {2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7},
     12, 0},
    {"SYN with mss, TS, wscale (no SACK)",
     {OPT_MSS | OPT_TS | OPT_WSCALE, 1460, 14, 0x11223344, 0x55667788, 0, {{0}}},
     {2, 4, 0x05, 0xb4, 1, 1, 8, 10, TSV, TSE, 1, 3, 3, 14},
     20, 0},
    {"mss only", {OPT_MSS, 536, 0, 0, 0, 0, {{0}}}, {2, 4, 0x02, 0x18}, 4, 0},
    {"mss and wscale", {OPT_MSS | OPT_WSCALE, 1440, 0, 0, 0, 0, {{0}}},
     {2, 4, 0x05, 0xa0, 1, 3, 3, 0}, 8, 0},
    {"sackOK alone", {OPT_SACK_PERM, 0, 0, 0, 0, 0, {{0}}}, {1, 1, 4, 2}, 4, 0},
    {"wscale alone", {OPT_WSCALE, 0, 5, 0, 0, 0, {{0}}}, {1, 3, 3, 5}, 4, 0},
    {"established: TS", {OPT_TS, 0, 0, 0x11223344, 0x55667788, 0, {{0}}},
     {1, 1, 8, 10, TSV, TSE}, 12, 0},
    {"TS + 1 SACK block", {OPT_TS | OPT_SACK, 0, 0, 0x11223344, 0x55667788, 1, SACKS},
     {1, 1, 8, 10, TSV, TSE, 1, 1, 5, 10, BLK(1)}, 24, 1},
    {"TS + 4 SACK blocks: 3 fit", {OPT_TS | OPT_SACK, 0, 0, 0x11223344, 0x55667788, 4, SACKS},
     {1, 1, 8, 10, TSV, TSE, 1, 1, 5, 26, BLK(1), BLK(2), BLK(3)}, 40, 3},
    {"1 SACK block", {OPT_SACK, 0, 0, 0, 0, 1, SACKS}, {1, 1, 5, 10, BLK(1)}, 12, 1},
    {"2 SACK blocks", {OPT_SACK, 0, 0, 0, 0, 2, SACKS}, {1, 1, 5, 18, BLK(1), BLK(2)}, 20, 2},
    {"3 SACK blocks", {OPT_SACK, 0, 0, 0, 0, 3, SACKS},
     {1, 1, 5, 26, BLK(1), BLK(2), BLK(3)}, 28, 3},
    {"4 SACK blocks", {OPT_SACK, 0, 0, 0, 0, 4, SACKS},
     {1, 1, 5, 34, BLK(1), BLK(2), BLK(3), BLK(4)}, 36, 4},
    {"all five: SACK cut to 2",
     {OPT_MSS | OPT_SACK_PERM | OPT_TS | OPT_WSCALE | OPT_SACK, 1460, 7, 0x11223344,
      0x55667788, 4, SACKS},
     {2, 4, 0x05, 0xb4, 4, 2, 8, 10, TSV, TSE, 1, 3, 3, 7, 1, 1, 5, 18, BLK(1), BLK(2)},
     40, 2},
    {"sackOK, wscale, SACK: cut to 3",
     {OPT_MSS | OPT_SACK_PERM | OPT_WSCALE | OPT_SACK, 1460, 7, 0, 0, 4, SACKS},
     {2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7, 1, 1, 5, 26, BLK(1), BLK(2), BLK(3)},
     40, 3},
    {"none", {0, 0, 0, 0, 0, 0, {{0}}}, {0}, 0, 0},
};

static void test_layouts(void)
{
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        const struct layout *l = &layouts[i];
        uint8_t buf[TCP_MAX_OPT_LEN + 8];
        struct wire_tcp t;
        struct wire_tcp_opts expect = l->in;
        size_t n;

        memset(buf, 0xee, sizeof buf);
        n = wire_tcp_opts_build(buf, &l->in);
        CHECK_EQ(n, l->want_len);
        CHECK_EQ(n % 4, 0);
        CHECK_MEM(buf, l->want, l->want_len);
        CHECK_EQ(buf[n], 0xee); /* nothing written past the length */
        /* parse(build(x)) gives x back, less the SACK blocks that did not fit. */
        expect.sack_n = l->want_sack_n;
        CHECK_EQ(parse_with_opts(buf, n, &t), 0);
        if (!opts_equal(&t.opts, &expect))
            fprintf(stderr, "layout \"%s\" does not round-trip\n", l->name);
        CHECK(opts_equal(&t.opts, &expect));
    }
}

static void test_segment(void)
{
    /* A Linux-style SYN, built then checked against an independent checksum. */
    struct wire_tcp_opts o = layouts[0].in;
    o.ts_ecr = 0; /* a SYN echoes nothing */
    struct wire_tcp_out out = {40000, 80, 0x01020304, 0, TCP_SYN, 64240, 0, &o};
    uint8_t seg[128];
    struct wire_tcp t;

    CHECK_EQ(wire_tcp_build_hdr(seg, 39, &out), 0);
    CHECK_EQ(wire_tcp_build_hdr(seg, 40, &out), 40);
    CHECK_EQ(seg[12], 0xa0); /* data offset 10, reserved 0 */
    CHECK_EQ(rd16(seg + 16), 0);
    wire_tcp_set_csum(seg, 40, &S4, &D4);
    CHECK_EQ(rd16(seg + 16), 0xdbea);
    CHECK_EQ(wire_tcp_parse(seg, 40, &S4, &D4, true, &t), 0);
    CHECK_EQ(t.sport, 40000);
    CHECK_EQ(t.dport, 80);
    CHECK_EQ(t.seq, 0x01020304);
    CHECK_EQ(t.ack, 0);
    CHECK_EQ(t.flags, TCP_SYN);
    CHECK_EQ(t.win, 64240);
    CHECK_EQ(t.urp, 0);
    CHECK_EQ(t.hdr_len, 40);
    CHECK(t.payload == seg + 40);
    CHECK_EQ(t.payload_len, 0);
    CHECK(opts_equal(&t.opts, &o));
    /* The pseudo-header is covered: other addresses fail, unless not verifying. */
    CHECK_EQ(wire_tcp_parse(seg, 40, &S4, &S4, true, &t), SYNACK_DROP_BAD_CSUM);
    CHECK_EQ(wire_tcp_parse(seg, 40, &S4, &S4, false, &t), 0);

    /* IPv6, no options, all flags, odd payload "hello": independent checksum 0c72. */
    struct wire_tcp_out o6 = {80,  40000, 0xa0b0c0d0, 0x01020305, TCP_PSH | TCP_ACK,
                              502, 0,     NULL};
    CHECK_EQ(wire_tcp_build_hdr(seg, 19, &o6), 0);
    CHECK_EQ(wire_tcp_build_hdr(seg, 20, &o6), 20);
    memcpy(seg + 20, "hello", 5);
    wire_tcp_set_csum(seg, 25, &S6, &D6);
    CHECK_EQ(rd16(seg + 16), 0x0c72);
    /* The same with the payload summed beforehand (as output does while copying it). */
    wire_tcp_set_csum_hdr(seg, 20, 25, csum_add(0, seg + 20, 5), &S6, &D6);
    CHECK_EQ(rd16(seg + 16), 0x0c72);
    CHECK_EQ(wire_tcp_parse(seg, 25, &S6, &D6, true, &t), 0);
    CHECK_EQ(t.seq, 0xa0b0c0d0);
    CHECK_EQ(t.ack, 0x01020305);
    CHECK_EQ(t.flags, TCP_PSH | TCP_ACK);
    CHECK_EQ(t.hdr_len, 20);
    CHECK_EQ(t.payload_len, 5);
    CHECK_MEM(t.payload, "hello", 5);
    CHECK_EQ(t.opts.has, 0);
    seg[24] ^= 0x01; /* the payload is covered */
    CHECK_EQ(wire_tcp_parse(seg, 25, &S6, &D6, true, &t), SYNACK_DROP_BAD_CSUM);
    CHECK_EQ(wire_tcp_parse(seg, 25, &S6, &D6, false, &t), 0);

    /* Every flag bit and the urgent pointer round-trip. */
    struct wire_tcp_out all = {1, 2, 3, 4, 0xff, 5, 0x1234, NULL};
    CHECK_EQ(wire_tcp_build_hdr(seg, 20, &all), 20);
    wire_tcp_set_csum(seg, 20, &S4, &D4);
    CHECK_EQ(wire_tcp_parse(seg, 20, &S4, &D4, true, &t), 0);
    CHECK_EQ(t.flags, TCP_FIN | TCP_SYN | TCP_RST | TCP_PSH | TCP_ACK | TCP_URG | TCP_ECE |
                          TCP_CWR);
    CHECK_EQ(t.urp, 0x1234);
}

static void test_header_rejects(void)
{
    uint8_t seg[64] = {0x9c, 0x40, 0x00, 0x50, [12] = 0x50};
    struct wire_tcp t;

    CHECK_EQ(wire_tcp_parse(seg, 19, &S4, &D4, false, &t), SYNACK_DROP_TRUNCATED);
    CHECK_EQ(wire_tcp_parse(seg, 0, &S4, &D4, true, &t), SYNACK_DROP_TRUNCATED);
    CHECK_EQ(wire_tcp_parse(seg, 20, &S4, &D4, false, &t), 0);
    seg[12] = 0x40; /* data offset 4 */
    CHECK_EQ(wire_tcp_parse(seg, 20, &S4, &D4, false, &t), SYNACK_DROP_BAD_DATA_OFF);
    seg[12] = 0x00;
    CHECK_EQ(wire_tcp_parse(seg, 20, &S4, &D4, false, &t), SYNACK_DROP_BAD_DATA_OFF);
    seg[12] = 0x60; /* 24 bytes of header in a 20-byte segment */
    CHECK_EQ(wire_tcp_parse(seg, 20, &S4, &D4, false, &t), SYNACK_DROP_BAD_DATA_OFF);
    CHECK_EQ(wire_tcp_parse(seg, 23, &S4, &D4, false, &t), SYNACK_DROP_BAD_DATA_OFF);
    CHECK_EQ(wire_tcp_parse(seg, 24, &S4, &D4, false, &t), 0); /* 4 bytes of EOL */
    CHECK_EQ(t.hdr_len, 24);
    CHECK_EQ(t.payload_len, 0);
    seg[12] = 0xf0; /* 60 bytes */
    CHECK_EQ(wire_tcp_parse(seg, 59, &S4, &D4, false, &t), SYNACK_DROP_BAD_DATA_OFF);
    CHECK_EQ(wire_tcp_parse(seg, 64, &S4, &D4, false, &t), 0);
    CHECK_EQ(t.payload_len, 4);
    seg[12] = 0x50;
    seg[16] = 0x12; /* a wrong checksum: rejected only when verifying */
    CHECK_EQ(wire_tcp_parse(seg, 20, &S4, &D4, true, &t), SYNACK_DROP_BAD_CSUM);
    CHECK_EQ(wire_tcp_parse(seg, 20, &S4, &D4, false, &t), 0);
}

static int parse4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, struct wire_tcp *t)
{
    const uint8_t opt[4] = {a, b, c, d};
    return parse_with_opts(opt, 4, t);
}

static void test_option_rules(void)
{
    struct wire_tcp t;
    const int bad = SYNACK_DROP_BAD_OPTION;

    /* A kind other than EOL/NOP needs a length byte >= 2 that stays in the header. */
    CHECK_EQ(parse4(1, 1, 1, 2, &t), bad);         /* MSS kind, no length byte */
    CHECK_EQ(parse4(1, 1, 1, 99, &t), bad);        /* unknown kind, no length byte */
    CHECK_EQ(parse4(30, 0, 0, 0, &t), bad);        /* length 0 */
    CHECK_EQ(parse4(30, 1, 0, 0, &t), bad);        /* length 1 */
    CHECK_EQ(parse4(30, 5, 0, 0, &t), bad);        /* runs one byte past */
    CHECK_EQ(parse4(1, 30, 4, 0, &t), bad);        /* runs past after a NOP */
    CHECK_EQ(parse4(30, 4, 0xab, 0xcd, &t), 0);    /* unknown, skipped by length */
    CHECK_EQ(t.opts.has, 0);
    CHECK_EQ(parse4(30, 2, 30, 2, &t), 0);         /* two empty unknown options */
    CHECK_EQ(parse4(1, 1, 1, 1, &t), 0);
    CHECK_EQ(parse4(0, 2, 1, 0, &t), 0);           /* after EOL nothing is read */
    CHECK_EQ(t.opts.has, 0);

    /* The fixed lengths: MSS 4, WS 3, SACK-permitted 2, TS 10. */
    CHECK_EQ(parse4(2, 3, 5, 0, &t), bad);
    CHECK_EQ(parse4(2, 2, 1, 1, &t), bad);
    CHECK_EQ(parse4(2, 4, 0x05, 0xb4, &t), 0);
    CHECK(t.opts.has == OPT_MSS && t.opts.mss == 1460);
    CHECK_EQ(parse4(3, 4, 7, 0, &t), bad);
    CHECK_EQ(parse4(3, 2, 1, 1, &t), bad);
    CHECK_EQ(parse4(3, 3, 7, 0, &t), 0);
    CHECK(t.opts.has == OPT_WSCALE && t.opts.wscale == 7);
    CHECK_EQ(parse4(4, 3, 0, 0, &t), bad);
    CHECK_EQ(parse4(4, 4, 0, 0, &t), bad);
    CHECK_EQ(parse4(4, 2, 0, 0, &t), 0);
    CHECK_EQ(t.opts.has, OPT_SACK_PERM);
    {
        const uint8_t ts8[12] = {1, 1, 8, 8, TSV, 0, 0, 0, 0};
        const uint8_t ts12[12] = {8, 12, TSV, TSE, 0, 0};
        const uint8_t ts10[12] = {1, 1, 8, 10, TSV, TSE};
        CHECK_EQ(parse_with_opts(ts8, 12, &t), bad);
        CHECK_EQ(parse_with_opts(ts12, 12, &t), bad);
        CHECK_EQ(parse_with_opts(ts10, 12, &t), 0);
        CHECK(t.opts.has == OPT_TS && t.opts.ts_val == 0x11223344 &&
              t.opts.ts_ecr == 0x55667788);
        CHECK_EQ(parse_with_opts(ts10, 8, &t), bad); /* the header ends inside it */
    }

    /* RFC 7323 §2.3: shifts above 14 are used as 14. */
    CHECK_EQ(parse4(3, 3, 14, 0, &t), 0);
    CHECK_EQ(t.opts.wscale, 14);
    CHECK_EQ(parse4(3, 3, 15, 0, &t), 0);
    CHECK_EQ(t.opts.wscale, 14);
    CHECK_EQ(parse4(3, 3, 255, 0, &t), 0);
    CHECK_EQ(t.opts.wscale, 14);

    /* SACK: 2 + 8n with n 1..4. */
    {
        uint8_t s[40] = {1, 1, 5, 0, BLK(1), BLK(2), BLK(3), BLK(4)};
        const uint8_t bad_lens[] = {2, 3, 9, 11, 17, 33, 35};
        for (size_t i = 0; i < sizeof bad_lens; i++) {
            s[3] = bad_lens[i];
            CHECK_EQ(parse_with_opts(s, 36, &t), bad);
        }
        for (uint8_t n = 1; n <= 4; n++) {
            s[3] = (uint8_t)(2 + 8 * n);
            CHECK_EQ(parse_with_opts(s, 36, &t), 0);
            CHECK_EQ(t.opts.has, OPT_SACK);
            CHECK_EQ(t.opts.sack_n, n);
            CHECK_EQ(t.opts.sack[n - 1].start, 0x1000u + n);
            CHECK_EQ(t.opts.sack[n - 1].end, 0x2000u + n);
        }
        /* Five blocks would need 42 bytes: the header cannot hold them. */
        s[3] = 42;
        CHECK_EQ(parse_with_opts(s, 40, &t), bad);
    }

    /* An unknown kind between known ones; the options after it are still read. */
    {
        const uint8_t mix[20] = {2, 4, 0x05, 0xb4, 253, 6, 1, 2, 3, 4, 3, 3, 2, 1, 4, 2, 0};
        CHECK_EQ(parse_with_opts(mix, 20, &t), 0);
        CHECK_EQ(t.opts.has, OPT_MSS | OPT_WSCALE | OPT_SACK_PERM);
        CHECK_EQ(t.opts.wscale, 2);
    }
}

int main(void)
{
    test_layouts();
    test_segment();
    test_header_rejects();
    test_option_rules();
    return check_done();
}
