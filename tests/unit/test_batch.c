/* test_batch.c: packets that arrive together are one receive batch (issue 5 item 11,
 * synack_stack_input_batch): a burst of three full-sized segments draws one ACK for
 * all three at once, where per-packet processing ACKs two and holds the third for the
 * 40 ms delayed-ACK timer (RFC 9293 §3.8.6.3); a batch that opens several holes reports
 * every new SACK block (RFC 2018 §4); and an ACK a batch owes is not lost when
 * a later packet of the batch ends the connection's full state (simultaneous close).
 * Two stacks over a memlink. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "two_hosts.h"
#include "wire/ip.h"
#include "wire/tcp.h"

#define MS 1000000ull

struct acks {
    int server;
    unsigned n;
    uint32_t last_ack;
    uint64_t last_ns;
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void tap(void *user, int event, int from, int to, uint64_t now, const uint8_t *pkt,
                size_t len)
{
    (void)to;
    struct acks *a = user;
    if (event != SYNACK_MEMLINK_TX || from != a->server || len < 40)
        return;
    size_t ihl = (size_t)(pkt[0] & 15) * 4;
    a->n++;
    a->last_ack = be32(pkt + ihl + 8);
    a->last_ns = now;
}

/* A burst with holes: the client's segments are kept (the link drops them), then some
 * are put back on the wire together, so that they reach the server as one batch. */
#define HOLES_SEGS 12
struct holes {
    int client, server;
    bool keep;
    unsigned kept, acks;
    uint8_t seg[HOLES_SEGS][1600];
    size_t len[HOLES_SEGS];
    uint32_t blocks[32][2]; /* every SACK block the server reported, once each */
    unsigned nblocks;
};

/* The TCP segment of an IPv4 packet, parsed by the stack's own wire code. */
static bool parse_segment(const uint8_t *pkt, size_t len, struct wire_tcp *t)
{
    struct wire_ip ip;
    return wire_ip_parse(pkt, len, &ip) == 0 &&
           wire_tcp_parse(ip.payload, ip.payload_len, &ip.src, &ip.dst, false, t) == 0;
}

static void holes_tap(void *user, int event, int from, int to, uint64_t now, const uint8_t *pkt,
                      size_t len)
{
    (void)to;
    (void)now;
    struct holes *h = user;
    struct wire_tcp t;
    if (event != SYNACK_MEMLINK_TX || !parse_segment(pkt, len, &t))
        return;
    if (from == h->client && h->keep && t.payload_len && h->kept < HOLES_SEGS) {
        memcpy(h->seg[h->kept], pkt, len);
        h->len[h->kept++] = len;
    }
    if (from != h->server)
        return;
    h->acks++;
    for (unsigned k = 0; k < t.opts.sack_n && h->nblocks < 32; k++) {
        uint32_t start = t.opts.sack[k].start, end = t.opts.sack[k].end;
        bool seen = false;
        for (unsigned i = 0; i < h->nblocks; i++)
            seen |= h->blocks[i][0] == start && h->blocks[i][1] == end;
        if (!seen) {
            h->blocks[h->nblocks][0] = start;
            h->blocks[h->nblocks++][1] = end;
        }
    }
}

static uint32_t seg_seq(const uint8_t *pkt, size_t len)
{
    struct wire_tcp t;
    return parse_segment(pkt, len, &t) ? t.seq : 0;
}

struct states {
    int closing, time_wait;
};

static void count_states(void *user, const struct synack_conn *conn)
{
    struct states *n = user;
    n->closing += conn->info.state == SYNACK_TCP_CLOSING;
    n->time_wait += conn->info.state == SYNACK_TCP_TIME_WAIT;
}

int main(void)
{
    struct synack_settings cs, ss;
    two_hosts_settings(&cs, &ss);
    struct two_hosts h2;
    two_hosts_init(&h2, &cs, &ss, 3);
    struct synack_stack *c = h2.c, *s = h2.s;
    struct synack_memlink *m = h2.m;
    struct synack_sockaddr sv = h2.sv;
    struct acks a = {.server = h2.host_s};
    struct synack_memlink_impair imp = {.delay_us = 5000};
    synack_memlink_set_impair(m, -1, -1, &imp);

    int l = synack_socket(s, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    CHECK_EQ(synack_bind(s, l, &sv), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    int cl = synack_socket(c, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    int one = 1;
    CHECK_EQ(synack_setsockopt(c, cl, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, &one, sizeof(one)), 0);
    CHECK_EQ(synack_connect(c, cl, &sv), -EINPROGRESS);
    synack_memlink_run(m, synack_memlink_now(m) + 100 * MS, NULL, NULL);
    int sd = synack_accept(s, l, NULL);
    CHECK(sd >= 0);

    /* Use up the quick ACKs of a starting connection (and grow cwnd), then go idle. */
    static uint8_t buf[65536];
    for (int i = 0; i < 8; i++) {
        CHECK_EQ(synack_send(c, cl, buf, 8192, 0), 8192);
        synack_memlink_run(m, synack_memlink_now(m) + 100 * MS, NULL, NULL);
        CHECK_EQ(synack_recv(s, sd, buf, sizeof(buf), 0), 8192);
    }
    synack_memlink_run(m, synack_memlink_now(m) + 1000 * MS, NULL, NULL);
    struct synack_tcp_info ti;
    CHECK_EQ(synack_tcp_info(c, cl, &ti), 0);
    uint32_t mss = ti.snd_mss;
    CHECK(mss > 1000);

    /* The burst: three full-sized segments sent at once, arriving together. */
    synack_memlink_set_tap(m, tap, &a);
    uint64_t t0 = synack_memlink_now(m);
    CHECK_EQ(synack_send(c, cl, buf, 3 * mss, 0), (ssize_t)(3 * mss));
    synack_memlink_run(m, t0 + 200 * MS, NULL, NULL);
    CHECK_EQ(a.n, 1);                              /* one ACK ... */
    CHECK_EQ(a.last_ns - t0, 5 * MS);              /* ... sent on arrival ... */
    CHECK_EQ(synack_recv(s, sd, buf, sizeof(buf), 0), (ssize_t)(3 * mss));
    CHECK_EQ(synack_tcp_info(c, cl, &ti), 0);
    CHECK_EQ(ti.unacked, 0);                       /* ... covering all three */
    struct synack_counters k;
    synack_stack_counters(s, &k);
    CHECK_EQ(k.delayed_acks, 0);

    /* Several holes in one batch: the server gets segments 1-2, 4-5, 7-8 and 10-11 of
     * twelve together (0, 3, 6 and 9 lost).  An ACK has room for three SACK blocks
     * beside the timestamps (RFC 2018 §3); one ACK for the batch would leave 1-2
     * unreported, and the sender, seeing later segments SACKed, would resend data that
     * arrived (RFC 8985 §6.2).  Each block must be reported. */
    struct holes hs = {.client = h2.host_c, .server = h2.host_s, .keep = true};
    struct synack_memlink_impair drop = {.delay_us = 5000, .loss = 1.0};
    synack_memlink_set_impair(m, h2.host_c, h2.host_s, &drop);
    synack_memlink_set_tap(m, holes_tap, &hs);
    CHECK_EQ(synack_send(c, cl, buf, HOLES_SEGS * mss, 0), (ssize_t)(HOLES_SEGS * mss));
    synack_memlink_run(m, synack_memlink_now(m) + 1 * MS, NULL, NULL);
    CHECK_EQ(hs.kept, HOLES_SEGS);
    hs.keep = false;
    synack_memlink_set_impair(m, h2.host_c, h2.host_s, &imp);
    for (unsigned i = 0; i < hs.kept; i++)
        if (i % 3)
            synack_memlink_inject(m, h2.host_c, hs.seg[i], hs.len[i]);
    hs.acks = 0;
    synack_memlink_run(m, synack_memlink_now(m) + 6 * MS, NULL, NULL); /* the batch only */
    CHECK_EQ(hs.acks, 4); /* one per block the batch opened */
    for (unsigned i = 1; i + 1 < hs.kept; i += 3) {
        uint32_t start = seg_seq(hs.seg[i], hs.len[i]);
        uint32_t end = seg_seq(hs.seg[i + 1], hs.len[i + 1]) + mss;
        bool reported = false;
        for (unsigned b = 0; b < hs.nblocks; b++)
            reported |= hs.blocks[b][0] == start && hs.blocks[b][1] == end;
        CHECK(reported);
    }
    synack_memlink_set_tap(m, NULL, NULL);
    synack_memlink_run(m, synack_memlink_now(m) + 2000 * MS, NULL, NULL); /* recovery */
    CHECK_EQ(synack_recv(s, sd, buf, sizeof(buf), 0), (ssize_t)(HOLES_SEGS * mss));

    /* Simultaneous close with no delay: the client's FIN and its ACK of the server's
     * FIN reach the server in one batch.  The server, in CLOSING after the FIN, owes an
     * ACK when the next packet takes it to TIME_WAIT; it must still go out, or the
     * client waits in CLOSING for its FIN's retransmission timeout. */
    synack_memlink_set_tap(m, NULL, NULL);
    struct synack_memlink_impair none = {0};
    synack_memlink_set_impair(m, -1, -1, &none);
    synack_close(s, sd);
    synack_close(c, cl);
    synack_memlink_run(m, synack_memlink_now(m) + 10 * MS, NULL, NULL);
    struct states client = {0}, server = {0};
    synack_stack_connections(c, count_states, &client);
    synack_stack_connections(s, count_states, &server);
    CHECK_EQ(client.closing, 0);
    CHECK_EQ(client.time_wait, 1);
    CHECK_EQ(server.time_wait, 1);

    synack_close(s, l);
    synack_memlink_run(m, synack_memlink_now(m) + 130000 * MS, NULL, NULL);
    two_hosts_free(&h2);
    return check_done();
}
