/* test_malformed.c: a table of malformed and unwanted packets fed to synack_stack_input:
 * each must be dropped and counted under its reason, with nothing sent in answer unless
 * the rules say so, nothing crashing and nothing leaking. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "synack.h"
#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/icmp.h"
#include "wire/ip.h"
#include "wire/tcp.h"

struct capture {
    int sent;
};

static void tx(void *user, const uint8_t *pkt, size_t len)
{
    (void)pkt;
    (void)len;
    ((struct capture *)user)->sent++;
}

static struct synack_addr A(const char *s)
{
    struct synack_addr a;
    synack_addr_parse(s, &a);
    return a;
}

/* A valid TCP SYN to 198.18.0.2:80 from 198.18.0.1:1234 (IPv4) or the IPv6 pair. */
static size_t make_syn(uint8_t *pkt, int v6, const struct wire_tcp_opts *o)
{
    struct wire_ip_out h;
    memset(&h, 0, sizeof(h));
    h.src = v6 ? A("2001:db8::1") : A("198.18.0.1");
    h.dst = v6 ? A("2001:db8::2") : A("198.18.0.2");
    h.proto = IPPROTO_TCP_;
    h.ttl = 64;
    struct wire_tcp_out t = {.sport = 1234, .dport = 80, .seq = 1000, .flags = TCP_SYN,
                             .win = 65535, .opts = o};
    size_t hl = wire_ip_hdr_len(h.src.family);
    size_t tl = wire_tcp_build_hdr(pkt + hl, 1500 - hl, &t);
    wire_tcp_set_csum(pkt + hl, tl, &h.src, &h.dst);
    wire_ip_build(pkt, 1500, &h, tl);
    return hl + tl;
}

static void fix_ip_csum(uint8_t *pkt)
{
    wr16(pkt + 10, 0);
    wr16(pkt + 10, csum(pkt, (size_t)(pkt[0] & 0xf) * 4));
}

static void fix_tcp_csum(uint8_t *pkt, size_t len)
{
    size_t hl = (size_t)(pkt[0] & 0xf) * 4;
    struct synack_addr s = A("198.18.0.1"), d = A("198.18.0.2");
    memcpy(s.bytes, pkt + 12, 4);
    memcpy(d.bytes, pkt + 16, 4);
    wire_tcp_set_csum(pkt + hl, len - hl, &s, &d);
}

struct mcase {
    const char *name;
    int reason;
    int answers; /* packets the stack may send back */
    size_t (*make)(uint8_t *pkt);
};

static size_t m_empty(uint8_t *p) { (void)p; return 0; }
static size_t m_one_byte(uint8_t *p) { p[0] = 0x45; return 1; }
static size_t m_short_ipv4(uint8_t *p) { size_t n = make_syn(p, 0, NULL); (void)n; return 19; }
static size_t m_version5(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[0] = 0x55; fix_ip_csum(p); return n; }
static size_t m_version0(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[0] = 0x05; return n; }
static size_t m_ihl4(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[0] = 0x44; return n; }
static size_t m_ihl_past(uint8_t *p) { make_syn(p, 0, NULL); p[0] = 0x4f; return 40; }
static size_t m_total_short(uint8_t *p) { size_t n = make_syn(p, 0, NULL); wr16(p + 2, 10); fix_ip_csum(p); return n; }
static size_t m_total_long(uint8_t *p) { size_t n = make_syn(p, 0, NULL); wr16(p + 2, (uint16_t)(n + 1)); fix_ip_csum(p); return n; }
static size_t m_ip_csum(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[10] ^= 0x01; return n; }
static size_t m_fragment_mf(uint8_t *p) { size_t n = make_syn(p, 0, NULL); wr16(p + 6, 0x2000); fix_ip_csum(p); return n; }
static size_t m_fragment_off(uint8_t *p) { size_t n = make_syn(p, 0, NULL); wr16(p + 6, 0x0010); fix_ip_csum(p); return n; }
static size_t m_not_for_us(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[19] = 99; fix_ip_csum(p); fix_tcp_csum(p, n); return n; }
static size_t m_broadcast_dst(uint8_t *p) { size_t n = make_syn(p, 0, NULL); memset(p + 16, 255, 4); fix_ip_csum(p); fix_tcp_csum(p, n); return n; }
static size_t m_src_ours(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[15] = 2; fix_ip_csum(p); fix_tcp_csum(p, n); return n; }
static size_t m_src_multicast(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[12] = 224; fix_ip_csum(p); fix_tcp_csum(p, n); return n; }
static size_t m_src_zero(uint8_t *p) { size_t n = make_syn(p, 0, NULL); memset(p + 12, 0, 4); fix_ip_csum(p); fix_tcp_csum(p, n); return n; }
static size_t m_src_loopback(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[12] = 127; fix_ip_csum(p); fix_tcp_csum(p, n); return n; }
static size_t m_udp(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[9] = 17; fix_ip_csum(p); return n; }
static size_t m_tcp_short(uint8_t *p) { make_syn(p, 0, NULL); wr16(p + 2, 30); fix_ip_csum(p); return 30; }
static size_t m_doff0(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[32] = 0x00; fix_tcp_csum(p, n); return n; }
static size_t m_doff4(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[32] = 0x40; fix_tcp_csum(p, n); return n; }
static size_t m_doff_past(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[32] = 0xf0; fix_tcp_csum(p, n); return n; }
static size_t m_tcp_csum(uint8_t *p) { size_t n = make_syn(p, 0, NULL); p[36] ^= 0x80; return n; }
static size_t m_sport0(uint8_t *p) { size_t n = make_syn(p, 0, NULL); wr16(p + 20, 0); fix_tcp_csum(p, n); return n; }
static size_t m_dport0(uint8_t *p) { size_t n = make_syn(p, 0, NULL); wr16(p + 22, 0); fix_tcp_csum(p, n); return n; }

/* TCP options: the SYN carries 4 option bytes we then corrupt. */
static size_t with_opt(uint8_t *p, const uint8_t opt[4])
{
    struct wire_tcp_opts o = {.has = OPT_MSS, .mss = 1460};
    size_t n = make_syn(p, 0, &o);
    memcpy(p + 40, opt, 4);
    fix_tcp_csum(p, n);
    return n;
}
static size_t m_opt_len0(uint8_t *p) { static const uint8_t o[4] = {2, 0, 5, 180}; return with_opt(p, o); }
static size_t m_opt_len1(uint8_t *p) { static const uint8_t o[4] = {8, 1, 0, 0}; return with_opt(p, o); }
static size_t m_opt_past(uint8_t *p) { static const uint8_t o[4] = {30, 9, 0, 0}; return with_opt(p, o); }
static size_t m_opt_mss_len(uint8_t *p) { static const uint8_t o[4] = {2, 3, 5, 1}; return with_opt(p, o); }
static size_t m_opt_ws_len(uint8_t *p) { static const uint8_t o[4] = {3, 4, 7, 1}; return with_opt(p, o); }
static size_t m_opt_sackok_len(uint8_t *p) { static const uint8_t o[4] = {4, 3, 0, 1}; return with_opt(p, o); }
static size_t m_opt_ts_len(uint8_t *p) { static const uint8_t o[4] = {8, 4, 0, 0}; return with_opt(p, o); }
static size_t m_opt_sack_len(uint8_t *p) { static const uint8_t o[4] = {5, 4, 0, 0}; return with_opt(p, o); }
static size_t m_opt_kind_only(uint8_t *p) { static const uint8_t o[4] = {1, 1, 1, 2}; return with_opt(p, o); }

/* IPv6 */
static size_t m_v6_short(uint8_t *p) { make_syn(p, 1, NULL); return 39; }
static size_t m_v6_paylen(uint8_t *p) { size_t n = make_syn(p, 1, NULL); wr16(p + 4, 1000); return n; }
static size_t m_v6_tcp_csum(uint8_t *p) { size_t n = make_syn(p, 1, NULL); p[56] ^= 1; return n; }
static size_t m_v6_frag(uint8_t *p)
{
    size_t n = make_syn(p, 1, NULL);
    /* Insert an 8-byte fragment header (next header TCP, offset 0, M set). */
    memmove(p + 48, p + 40, n - 40);
    p[40] = IPPROTO_TCP_;
    p[41] = 0;
    wr16(p + 42, 0x0001);
    wr32(p + 44, 7);
    p[6] = 44;
    wr16(p + 4, (uint16_t)(n - 40 + 8));
    return n + 8;
}
static size_t m_v6_not_for_us(uint8_t *p) { size_t n = make_syn(p, 1, NULL); p[39] = 0x77; return n; }
static size_t m_v6_multicast_src(uint8_t *p) { size_t n = make_syn(p, 1, NULL); p[8] = 0xff; return n; }

/* ICMP */
static size_t make_icmp(uint8_t *p, uint8_t type, uint8_t code, const uint8_t *body, size_t blen)
{
    struct wire_ip_out h;
    memset(&h, 0, sizeof(h));
    h.src = A("198.18.0.1");
    h.dst = A("198.18.0.2");
    h.proto = IPPROTO_ICMP_;
    h.ttl = 64;
    size_t n = wire_icmp_build(p + 20, 1400, SYNACK_AF_INET, type, code, 0, body, blen, &h.src, &h.dst);
    wire_ip_build(p, 1500, &h, n);
    return 20 + n;
}
static size_t m_icmp_short(uint8_t *p) { size_t n = make_icmp(p, 8, 0, NULL, 0); wr16(p + 2, 24); fix_ip_csum(p); (void)n; return 24; }
static size_t m_icmp_csum(uint8_t *p) { size_t n = make_icmp(p, 8, 0, (const uint8_t *)"ping", 4); p[22] ^= 1; return n; }
static size_t m_icmp_quote_short(uint8_t *p) { static const uint8_t q[12] = {0x45}; return make_icmp(p, 3, 1, q, 12); }
static size_t m_icmp_quote_unknown(uint8_t *p)
{
    uint8_t q[64];
    size_t n = make_syn(q, 0, NULL);
    (void)n;
    return make_icmp(p, 3, 1, q, 28); /* quotes a connection that does not exist */
}
static size_t m_icmp_unknown_type(uint8_t *p) { return make_icmp(p, 42, 0, NULL, 0); }

static const struct mcase cases[] = {
    {"empty buffer", SYNACK_DROP_TRUNCATED, 0, m_empty},
    {"one byte", SYNACK_DROP_TRUNCATED, 0, m_one_byte},
    {"IPv4 header cut at 19 bytes", SYNACK_DROP_TRUNCATED, 0, m_short_ipv4},
    {"IP version 5", SYNACK_DROP_BAD_VERSION, 0, m_version5},
    {"IP version 0", SYNACK_DROP_BAD_VERSION, 0, m_version0},
    {"IHL 4", SYNACK_DROP_BAD_HDR_LEN, 0, m_ihl4},
    {"IHL past the buffer", SYNACK_DROP_BAD_HDR_LEN, 0, m_ihl_past},
    {"total length below the header", SYNACK_DROP_BAD_TOTAL_LEN, 0, m_total_short},
    {"total length past the buffer", SYNACK_DROP_BAD_TOTAL_LEN, 0, m_total_long},
    {"IPv4 header checksum", SYNACK_DROP_BAD_CSUM, 0, m_ip_csum},
    {"first fragment (MF)", SYNACK_DROP_FRAGMENT, 0, m_fragment_mf},
    {"later fragment (offset)", SYNACK_DROP_FRAGMENT, 0, m_fragment_off},
    {"destination not ours", SYNACK_DROP_NOT_FOR_US, 0, m_not_for_us},
    {"broadcast destination", SYNACK_DROP_NOT_FOR_US, 0, m_broadcast_dst},
    {"source is our own address", SYNACK_DROP_BAD_SRC, 0, m_src_ours},
    {"multicast source", SYNACK_DROP_BAD_SRC, 0, m_src_multicast},
    {"source 0.0.0.0", SYNACK_DROP_BAD_SRC, 0, m_src_zero},
    {"loopback source", SYNACK_DROP_BAD_SRC, 0, m_src_loopback},
    {"UDP (no such protocol here)", SYNACK_DROP_UNKNOWN_PROTO, 1, m_udp},
    {"TCP header cut at 10 bytes", SYNACK_DROP_TRUNCATED, 0, m_tcp_short},
    {"TCP data offset 0", SYNACK_DROP_BAD_DATA_OFF, 0, m_doff0},
    {"TCP data offset 4", SYNACK_DROP_BAD_DATA_OFF, 0, m_doff4},
    {"TCP data offset past the segment", SYNACK_DROP_BAD_DATA_OFF, 0, m_doff_past},
    {"TCP checksum", SYNACK_DROP_BAD_CSUM, 0, m_tcp_csum},
    {"source port 0", SYNACK_DROP_BAD_PORT, 0, m_sport0},
    {"destination port 0", SYNACK_DROP_BAD_PORT, 0, m_dport0},
    {"option length 0", SYNACK_DROP_BAD_OPTION, 0, m_opt_len0},
    {"option length 1", SYNACK_DROP_BAD_OPTION, 0, m_opt_len1},
    {"option running past the header", SYNACK_DROP_BAD_OPTION, 0, m_opt_past},
    {"MSS option length 3", SYNACK_DROP_BAD_OPTION, 0, m_opt_mss_len},
    {"window scale option length 4", SYNACK_DROP_BAD_OPTION, 0, m_opt_ws_len},
    {"SACK-permitted length 3", SYNACK_DROP_BAD_OPTION, 0, m_opt_sackok_len},
    {"timestamp option length 4", SYNACK_DROP_BAD_OPTION, 0, m_opt_ts_len},
    {"SACK option length 4", SYNACK_DROP_BAD_OPTION, 0, m_opt_sack_len},
    {"option kind with no length byte", SYNACK_DROP_BAD_OPTION, 0, m_opt_kind_only},
    {"IPv6 header cut at 39 bytes", SYNACK_DROP_TRUNCATED, 0, m_v6_short},
    {"IPv6 payload length past the buffer", SYNACK_DROP_BAD_TOTAL_LEN, 0, m_v6_paylen},
    {"IPv6 TCP checksum", SYNACK_DROP_BAD_CSUM, 0, m_v6_tcp_csum},
    {"IPv6 fragment", SYNACK_DROP_FRAGMENT, 0, m_v6_frag},
    {"IPv6 destination not ours", SYNACK_DROP_NOT_FOR_US, 0, m_v6_not_for_us},
    {"IPv6 multicast source", SYNACK_DROP_BAD_SRC, 0, m_v6_multicast_src},
    {"ICMP shorter than its header", SYNACK_DROP_TRUNCATED, 0, m_icmp_short},
    {"ICMP checksum", SYNACK_DROP_BAD_CSUM, 0, m_icmp_csum},
    {"ICMP error quoting too little", SYNACK_DROP_ICMP_BAD, 0, m_icmp_quote_short},
    {"ICMP error about no connection", SYNACK_DROP_ICMP_BAD, 0, m_icmp_quote_unknown},
    {"ICMP unknown type", SYNACK_DROP_ICMP_BAD, 0, m_icmp_unknown_type},
};

int main(void)
{
    struct synack_settings s;
    synack_settings_default(&s);
    s.max_sockets = 16;
    s.buf_chunks = 16;
    struct synack_stack *st;
    CHECK_EQ(synack_stack_create(&s, &st), 0);
    struct capture cap = {0};
    struct synack_link link = {.mtu = 1500, .tx = tx, .user = &cap};
    CHECK_EQ(synack_stack_attach_link(st, &link), 0);
    struct synack_addr a4 = A("198.18.0.2"), a6 = A("2001:db8::2");
    CHECK_EQ(synack_stack_add_addr(st, &a4, 24), 0);
    CHECK_EQ(synack_stack_add_addr(st, &a6, 64), 0);

    int n = (int)(sizeof(cases) / sizeof(cases[0]));
    CHECK(n >= 30);
    uint8_t *pkt = calloc(1, 2048);
    for (int i = 0; i < n; i++) {
        memset(pkt, 0, 2048);
        size_t len = cases[i].make(pkt);
        struct synack_counters before, after;
        synack_stack_counters(st, &before);
        cap.sent = 0;
        synack_stack_input(st, (uint64_t)i * 1000000u, pkt, len);
        synack_stack_counters(st, &after);
        uint64_t total = 0;
        for (int r = 1; r < SYNACK_DROP__COUNT; r++)
            total += after.drops[r] - before.drops[r];
        int ok = after.drops[cases[i].reason] == before.drops[cases[i].reason] + 1 && total == 1 &&
                 cap.sent <= cases[i].answers;
        if (!ok)
            fprintf(stderr, "case '%s': wanted one drop '%s', got %llu drops (%s +%llu), %d sent\n",
                    cases[i].name, synack_drop_name(cases[i].reason), (unsigned long long)total,
                    synack_drop_name(cases[i].reason),
                    (unsigned long long)(after.drops[cases[i].reason] - before.drops[cases[i].reason]),
                    cap.sent);
        CHECK(ok);
    }
    /* A valid SYN to a port nobody listens on is answered with a RST (the control). */
    size_t len = make_syn(pkt, 0, NULL);
    cap.sent = 0;
    synack_stack_input(st, 999000000u, pkt, len);
    CHECK_EQ(cap.sent, 1);
    struct synack_counters c;
    synack_stack_counters(st, &c);
    CHECK_EQ(c.drops[SYNACK_DROP_NO_LISTENER], 1);
    CHECK_EQ(c.tcp_out_rsts, 1);

    struct synack_pool_stats p[8];
    int np = synack_stack_pools(st, p, 8);
    for (int i = 0; i < np; i++)
        CHECK_EQ(p[i].in_use, 0);
    free(pkt);
    synack_stack_destroy(st);
    return check_done();
}
