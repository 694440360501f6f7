/* test_batch.c: packets that arrive together are one receive batch (issue 5 item 11,
 * synack_stack_input_batch): a burst of three full-sized segments draws one ACK for
 * all three at once, where per-packet processing ACKs two and holds the third for the
 * 40 ms delayed-ACK timer (RFC 9293 §3.8.6.3); and an ACK a batch owes is not lost when
 * a later packet of the batch ends the connection's full state (simultaneous close).
 * Two stacks over a memlink. */
#include <errno.h>
#include <string.h>

#include "two_hosts.h"

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
