/* scenarios.c: the seed stories, played over the simulated link and checked: the
 * handshake, the four-way close, simultaneous open and close, half-close, TIME_WAIT,
 * SYN floods with and without cookies, keepalive, and what a peer sees when a server
 * process dies, a host crashes, reboots, or a router says it is unreachable. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "demo.h"
#include "wire/icmp.h"
#include "wire/ip.h"
#include "wire/tcp.h"

#define PORT 8080

static int check(struct world *w, bool ok, const char *what)
{
    printf("  %s %s\n", ok ? "ok:  " : "FAIL:", what);
    if (w->ladder)
        ladder_note(w->ladder, 0, world_now(w), "%s %s", ok ? "checked:" : "FAILED:", what);
    return ok ? 0 : 1;
}

static int sock(struct world *w, int side)
{
    return synack_socket(w->st[side], SYNACK_AF_INET, SYNACK_SOCK_STREAM);
}

static int listener(struct world *w, int side, uint16_t port)
{
    int sd = sock(w, side);
    struct synack_sockaddr a = world_sockaddr(w, side, port);
    if (synack_bind(w->st[side], sd, &a) || synack_listen(w->st[side], sd, 128))
        return -1;
    return sd;
}

static int connect_to(struct world *w, int side, uint16_t port)
{
    int sd = sock(w, side);
    struct synack_sockaddr a = world_sockaddr(w, 1 - side, port);
    int rc = synack_connect(w->st[side], sd, &a);
    return rc == -EINPROGRESS ? sd : -1;
}

struct until {
    struct world *w;
    int side, sd, state;
};

static bool reached_state(void *ctx)
{
    struct until *u = ctx;
    return u->w->st[u->side] && synack_state(u->w->st[u->side], u->sd) == u->state;
}

static bool wait_state(struct world *w, int side, int sd, int state, uint64_t limit_ns)
{
    struct until u = {w, side, sd, state};
    return world_run(w, reached_state, &u, limit_ns);
}

struct acceptor {
    struct world *w;
    int ls, sd;
};

static bool accepted(void *ctx)
{
    struct acceptor *a = ctx;
    a->sd = synack_accept(a->w->st[1], a->ls, NULL);
    return a->sd >= 0;
}

/* Listener on the server, connection from the client, accepted: returns 0 and the ids. */
static int establish(struct world *w, int *ls, int *cl, int *sv)
{
    *ls = listener(w, 1, PORT);
    *cl = connect_to(w, 0, PORT);
    struct acceptor a = {w, *ls, -1};
    if (*ls < 0 || *cl < 0 || !world_run(w, accepted, &a, 10 * S_NS))
        return 1;
    *sv = a.sd;
    return 0;
}

/* Closes what is open and lets TIME_WAIT run out, so the pools must be empty. */
static void finish(struct world *w, const int *sds0, int n0, const int *sds1, int n1)
{
    for (int i = 0; i < n0; i++)
        if (sds0[i] >= 0 && w->st[0])
            synack_close(w->st[0], sds0[i]);
    for (int i = 0; i < n1; i++)
        if (sds1[i] >= 0 && w->st[1])
            synack_close(w->st[1], sds1[i]);
    world_advance(w, 2 * w->cfg[0].msl_ms * MS_NS + 10 * S_NS);
}

struct reader {
    struct world *w;
    int side, sd;
    ssize_t rc;
    uint8_t buf[4096];
};

/* Done when recv returns anything but -EAGAIN. */
static bool read_result(void *ctx)
{
    struct reader *r = ctx;
    r->rc = synack_recv(r->w->st[r->side], r->sd, r->buf, sizeof(r->buf), 0);
    return r->rc != -EAGAIN;
}

static ssize_t wait_read(struct world *w, int side, int sd, uint64_t limit_ns)
{
    struct reader r = {w, side, sd, -EAGAIN, {0}};
    world_run(w, read_result, &r, limit_ns);
    return r.rc;
}

static ssize_t send_str(struct world *w, int side, int sd, const char *s)
{
    ssize_t rc = synack_send(w->st[side], sd, s, strlen(s), 0);
    world_kick(w);
    return rc;
}

/* ---------------------------------------------------------------- the stories */

static int play_handshake(struct world *w)
{
    int ls = listener(w, 1, PORT), fails = 0;
    int cl = connect_to(w, 0, PORT);
    fails += check(w, ls >= 0 && cl >= 0, "listen() and a non-blocking connect() = -EINPROGRESS");
    fails += check(w, wait_state(w, 0, cl, SYNACK_TCP_ESTABLISHED, 5 * S_NS),
                   "connect completes on the SYN-ACK (second segment)");
    fails += check(w, synack_accept(w->st[1], ls, NULL) == -EAGAIN,
                   "at that moment accept() still has nothing: the third segment is in flight");
    struct acceptor a = {w, ls, -1};
    fails += check(w, world_run(w, accepted, &a, 5 * S_NS),
                   "accept() returns once the final ACK arrives");
    fails += check(w, synack_state(w->st[1], a.sd) == SYNACK_TCP_ESTABLISHED,
                   "server side ESTABLISHED");
    int c[] = {cl}, s[] = {a.sd, ls};
    finish(w, c, 1, s, 2);
    return fails;
}

static int play_close(struct world *w)
{
    int ls, cl, sv, fails = 0;
    fails += check(w, establish(w, &ls, &cl, &sv) == 0, "connection established");
    synack_close(w->st[0], cl);
    world_kick(w);
    fails += check(w, (w->seen[0] & (1u << SYNACK_TCP_FIN_WAIT_1)) != 0,
                   "close(): FIN sent, client in FIN_WAIT_1");
    fails += check(w, wait_read(w, 1, sv, 5 * S_NS) == 0,
                   "server read() returns 0 (EOF) after the FIN");
    fails += check(w, synack_state(w->st[1], sv) == SYNACK_TCP_CLOSE_WAIT,
                   "server in CLOSE_WAIT until it closes");
    fails += check(w, wait_state(w, 0, cl, SYNACK_TCP_FIN_WAIT_2, S_NS) ||
                          (w->seen[0] & (1u << SYNACK_TCP_FIN_WAIT_2)),
                   "client reached FIN_WAIT_2 on the ACK of its FIN");
    world_advance(w, 5 * S_NS);
    fails += check(w, synack_state(w->st[1], sv) == SYNACK_TCP_CLOSE_WAIT,
                   "CLOSE_WAIT lasts while the application keeps the socket");
    synack_close(w->st[1], sv);
    world_advance(w, S_NS);
    fails += check(w, (w->seen[1] & (1u << SYNACK_TCP_LAST_ACK)) != 0,
                   "server close(): FIN, LAST_ACK, then CLOSED on the ACK");
    fails += check(w, (w->seen[0] & (1u << SYNACK_TCP_TIME_WAIT)) != 0,
                   "client (the active closer) in TIME_WAIT");
    struct synack_pool_stats p[4];
    synack_stack_pools(w->st[0], p, 4);
    fails += check(w, p[2].in_use == 1, "one compact TIME_WAIT entry on the client");
    world_advance(w, 58 * S_NS);
    synack_stack_pools(w->st[0], p, 4);
    fails += check(w, p[2].in_use == 1, "still in TIME_WAIT 59 s later");
    world_advance(w, 2 * S_NS);
    synack_stack_pools(w->st[0], p, 4);
    fails += check(w, p[2].in_use == 0, "gone after 2MSL (60 s)");
    int s[] = {ls};
    finish(w, NULL, 0, s, 1);
    return fails;
}

static int play_simultaneous_open(struct world *w)
{
    int fails = 0;
    int a = sock(w, 0), b = sock(w, 1);
    struct synack_sockaddr la = world_sockaddr(w, 0, 5000), lb = world_sockaddr(w, 1, 6000);
    synack_bind(w->st[0], a, &la);
    synack_bind(w->st[1], b, &lb);
    synack_connect(w->st[0], a, &lb);
    synack_connect(w->st[1], b, &la);
    world_kick(w);
    fails += check(w, wait_state(w, 0, a, SYNACK_TCP_ESTABLISHED, 5 * S_NS) &&
                          wait_state(w, 1, b, SYNACK_TCP_ESTABLISHED, 5 * S_NS),
                   "both sides ESTABLISHED from two connect() calls");
    fails += check(w, (w->seen[0] & w->seen[1] & (1u << SYNACK_TCP_SYN_RCVD)) != 0,
                   "both went SYN_SENT -> SYN_RCVD (each got the other's SYN)");
    int c[] = {a}, s[] = {b};
    finish(w, c, 1, s, 1);
    return fails;
}

static int play_simultaneous_close(struct world *w)
{
    int ls, cl, sv, fails = 0;
    fails += check(w, establish(w, &ls, &cl, &sv) == 0, "connection established");
    synack_close(w->st[0], cl);
    synack_close(w->st[1], sv);
    world_advance(w, S_NS);
    fails += check(w, (w->seen[0] & w->seen[1] & (1u << SYNACK_TCP_CLOSING)) != 0,
                   "FINs crossed: both FIN_WAIT_1 -> CLOSING");
    fails += check(w, (w->seen[0] & w->seen[1] & (1u << SYNACK_TCP_TIME_WAIT)) != 0,
                   "both sides end in TIME_WAIT");
    int s[] = {ls};
    finish(w, NULL, 0, s, 1);
    return fails;
}

static int play_half_close(struct world *w)
{
    int ls, cl, sv, fails = 0;
    fails += check(w, establish(w, &ls, &cl, &sv) == 0, "connection established");
    send_str(w, 0, cl, "request");
    synack_shutdown(w->st[0], cl, SYNACK_SHUT_WR);
    world_kick(w);
    ssize_t n = wait_read(w, 1, sv, 5 * S_NS);
    fails += check(w, n == 7, "server reads the request");
    fails += check(w, wait_read(w, 1, sv, 5 * S_NS) == 0, "then EOF: the client half-closed");
    fails += check(w, send_str(w, 1, sv, "response after your FIN") == 23,
                   "server still sends after the client's FIN (CLOSE_WAIT)");
    fails += check(w, wait_read(w, 0, cl, 5 * S_NS) == 23,
                   "client in FIN_WAIT_2 still receives");
    synack_close(w->st[1], sv);
    fails += check(w, wait_read(w, 0, cl, 5 * S_NS) == 0, "client sees EOF when the server closes");
    int c[] = {cl}, s[] = {ls};
    finish(w, c, 1, s, 1);
    return fails;
}

static int play_time_wait(struct world *w)
{
    int ls, cl, sv, fails = 0;
    fails += check(w, establish(w, &ls, &cl, &sv) == 0, "connection established");
    /* The server closes first: TIME_WAIT lands on the server, holding port 8080. */
    synack_close(w->st[1], sv);
    synack_close(w->st[1], ls);
    fails += check(w, wait_read(w, 0, cl, 5 * S_NS) == 0, "client reads EOF");
    synack_close(w->st[0], cl);
    world_advance(w, S_NS);
    fails += check(w, (w->seen[1] & (1u << SYNACK_TCP_TIME_WAIT)) != 0,
                   "the side that closed first (the server) is in TIME_WAIT");
    int again = sock(w, 1);
    struct synack_sockaddr a = world_sockaddr(w, 1, PORT);
    fails += check(w, synack_bind(w->st[1], again, &a) == -EADDRINUSE,
                   "bind() to the port in TIME_WAIT fails with EADDRINUSE");
    int one = 1;
    synack_setsockopt(w->st[1], again, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, &one, sizeof(one));
    fails += check(w, synack_bind(w->st[1], again, &a) == 0, "with SO_REUSEADDR it succeeds");
    synack_close(w->st[1], again);
    world_advance(w, 61 * S_NS);
    int later = sock(w, 1);
    fails += check(w, synack_bind(w->st[1], later, &a) == 0,
                   "after 2MSL the port is free without SO_REUSEADDR");
    int s[] = {later};
    finish(w, NULL, 0, s, 1);
    return fails;
}

/* Spoofed SYNs from addresses nobody owns: their SYN-ACKs go nowhere. */
static void flood(struct world *w, int count, uint32_t salt)
{
    for (int i = 0; i < count; i++) {
        uint8_t pkt[64];
        struct wire_ip_out h;
        memset(&h, 0, sizeof(h));
        h.src.family = SYNACK_AF_INET;
        h.src.bytes[0] = 198;
        h.src.bytes[1] = 19;
        h.src.bytes[2] = (uint8_t)(i >> 8);
        h.src.bytes[3] = (uint8_t)(i | 1);
        h.dst = w->addr[1];
        h.proto = IPPROTO_TCP_;
        h.ttl = 64;
        struct wire_tcp_opts o = {.has = OPT_MSS, .mss = 1460};
        struct wire_tcp_out t = {.sport = (uint16_t)(1024 + i), .dport = PORT,
                                 .seq = salt * 7919u + (uint32_t)i, .flags = TCP_SYN,
                                 .win = 65535, .opts = &o};
        size_t hl = wire_ip_hdr_len(SYNACK_AF_INET);
        size_t tl = wire_tcp_build_hdr(pkt + hl, sizeof(pkt) - hl, &t);
        wire_tcp_set_csum(pkt + hl, tl, &h.src, &h.dst);
        wire_ip_build(pkt, sizeof(pkt), &h, tl);
        synack_memlink_inject(w->net, w->host[0], pkt, hl + tl);
    }
}

static void tune_flood(struct synack_settings *s, int side)
{
    if (side == 1) {
        s->tcp_max_syn_backlog = 64;
        s->tcp_syncookies = 0;
    }
}

static int play_syn_flood(struct world *w)
{
    int fails = 0;
    int ls = listener(w, 1, PORT);
    struct synack_counters c;

    printf("  phase 1: tcp_syncookies=0, SYN queue of 64, 200 spoofed SYNs\n");
    flood(w, 200, 1);
    world_advance(w, 10 * MS_NS);
    synack_stack_counters(w->st[1], &c);
    fails += check(w, c.drops[SYNACK_DROP_SYN_QUEUE_FULL] == 136,
                   "64 half-open entries kept, 136 SYNs refused (syn_queue_full)");
    int cl = connect_to(w, 0, PORT);
    struct acceptor a = {w, ls, -1};
    bool got = world_run(w, accepted, &a, 3 * S_NS);
    fails += check(w, !got, "a real client cannot get in while the queue is full");
    /* The half-open entries die after tcp_synack_retries (5): 1+2+4+8+16+32 = 63 s. */
    got = world_run(w, accepted, &a, 70 * S_NS);
    fails += check(w, got, "it gets in by retrying its SYN once the entries expire");
    synack_stack_counters(w->st[1], &c);
    printf("  server: %llu SYN-ACK retransmissions, %llu SYNs refused\n",
           (unsigned long long)c.synack_retrans,
           (unsigned long long)c.drops[SYNACK_DROP_SYN_QUEUE_FULL]);
    synack_close(w->st[0], cl);
    if (a.sd >= 0)
        synack_close(w->st[1], a.sd);
    world_advance(w, 70 * S_NS);

    printf("  phase 2: tcp_syncookies=1, the same flood\n");
    struct synack_settings s = w->cfg[1];
    s.tcp_syncookies = 1;
    synack_stack_configure(w->st[1], &s);
    flood(w, 200, 2);
    world_advance(w, 10 * MS_NS);
    cl = connect_to(w, 0, PORT);
    a.sd = -1;
    got = world_run(w, accepted, &a, 3 * S_NS);
    synack_stack_counters(w->st[1], &c);
    printf("  server: %llu cookies sent, %llu validated, %llu failed\n",
           (unsigned long long)c.syncookies_sent, (unsigned long long)c.syncookies_recv,
           (unsigned long long)c.syncookies_failed);
    fails += check(w, got, "with SYN cookies the real client gets in at once");
    fails += check(w, c.syncookies_sent >= 137 && c.syncookies_recv == 1,
                   "every SYN past the queue got a cookie; the client's came back valid");
    send_str(w, 0, cl, "hello");
    fails += check(w, wait_read(w, 1, a.sd, S_NS) == 5, "data flows on the cookie connection");
    int cs[] = {cl}, ss[] = {a.sd, ls};
    finish(w, cs, 1, ss, 2);
    world_advance(w, 70 * S_NS); /* the flood's half-open entries run out */
    return fails;
}

static void tune_keepalive(struct synack_settings *s, int side)
{
    (void)side;
    s->tcp_keepalive_time_ms = 10000;
    s->tcp_keepalive_intvl_ms = 2000;
    s->tcp_keepalive_probes = 3;
}

static int play_keepalive(struct world *w)
{
    int ls, cl, sv, fails = 0, one = 1;
    fails += check(w, establish(w, &ls, &cl, &sv) == 0, "connection established");
    synack_setsockopt(w->st[0], cl, SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, &one, sizeof(one));
    world_advance(w, 25 * S_NS);
    struct synack_counters c;
    synack_stack_counters(w->st[0], &c);
    fails += check(w, c.keepalive_probes == 2 && synack_state(w->st[0], cl) == SYNACK_TCP_ESTABLISHED,
                   "idle 10 s: a probe, answered; again 10 s later (2 probes in 25 s)");
    printf("  the server host crashes; nobody answers now\n");
    world_crash(w, 1);
    ssize_t rc = wait_read(w, 0, cl, 30 * S_NS);
    synack_stack_counters(w->st[0], &c);
    fails += check(w, rc == -ETIMEDOUT, "after 3 unanswered probes 2 s apart: ETIMEDOUT");
    printf("  %llu probes in all\n", (unsigned long long)c.keepalive_probes);
    int cs[] = {cl};
    finish(w, cs, 1, NULL, 0);
    return fails;
}

static int play_process_dies(struct world *w)
{
    int ls, cl, sv, fails = 0;
    fails += check(w, establish(w, &ls, &cl, &sv) == 0, "connection established");
    printf("  the server process dies: the kernel closes its sockets\n");
    synack_close(w->st[1], sv);
    synack_close(w->st[1], ls);
    fails += check(w, wait_read(w, 0, cl, 5 * S_NS) == 0, "client read() returns 0 (the FIN)");
    fails += check(w, send_str(w, 0, cl, "anyone there?") == 13,
                   "the client's next write is accepted locally...");
    world_advance(w, S_NS);
    fails += check(w, (w->seen[1] & (1u << SYNACK_TCP_CLOSED)) != 0,
                   "...and draws a RST from the orphaned server connection");
    fails += check(w, send_str(w, 0, cl, "again") == -ECONNRESET,
                   "the write after that fails with ECONNRESET");
    fails += check(w, send_str(w, 0, cl, "again") == -EPIPE, "and later writes with EPIPE");
    int cs[] = {cl};
    finish(w, cs, 1, NULL, 0);
    return fails;
}

static int play_host_crash(struct world *w)
{
    int ls, cl, sv, fails = 0;
    fails += check(w, establish(w, &ls, &cl, &sv) == 0, "connection established");
    printf("  the server host crashes (power off): silence\n");
    world_crash(w, 1);
    send_str(w, 0, cl, "hello?");
    uint64_t t0 = world_now(w);
    ssize_t rc = wait_read(w, 0, cl, 3600 * S_NS);
    struct synack_counters c;
    synack_stack_counters(w->st[0], &c);
    printf("  gave up after %.1f s and %llu retransmissions\n",
           (double)(world_now(w) - t0) / 1e9, (unsigned long long)c.tcp_retrans_segs);
    fails += check(w, rc == -ETIMEDOUT, "retransmissions (tcp_retries2 = 15), then ETIMEDOUT");
    int cs[] = {cl};
    finish(w, cs, 1, NULL, 0);
    return fails;
}

static int play_crash_reboot(struct world *w)
{
    int ls, cl, sv, fails = 0;
    fails += check(w, establish(w, &ls, &cl, &sv) == 0, "connection established");
    printf("  the server host crashes and reboots: its new stack knows nothing\n");
    world_reboot(w, 1);
    send_str(w, 0, cl, "hello?");
    fails += check(w, wait_read(w, 0, cl, 10 * S_NS) == -ECONNRESET,
                   "the rebooted host answers with RST: ECONNRESET");
    int cs[] = {cl};
    finish(w, cs, 1, NULL, 0);
    return fails;
}

static int play_half_open_keepalive(struct world *w)
{
    int ls, cl, sv, fails = 0, one = 1;
    fails += check(w, establish(w, &ls, &cl, &sv) == 0, "connection established");
    synack_setsockopt(w->st[0], cl, SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, &one, sizeof(one));
    printf("  the server reboots while the connection is idle: half-open\n");
    world_reboot(w, 1);
    ssize_t rc = wait_read(w, 0, cl, 30 * S_NS);
    fails += check(w, rc == -ECONNRESET,
                   "the keepalive probe draws a RST from the rebooted host: ECONNRESET");
    int cs[] = {cl};
    finish(w, cs, 1, NULL, 0);
    return fails;
}

struct gather {
    struct world *w;
    int side, sd;
    size_t want, got;
};

static bool gathered(void *ctx)
{
    struct gather *g = ctx;
    uint8_t buf[512];
    ssize_t n;
    while (g->got < g->want &&
           (n = synack_recv(g->w->st[g->side], g->sd, buf, sizeof(buf), 0)) > 0)
        g->got += (size_t)n;
    return g->got >= g->want;
}

/* Reads exactly n bytes (or gives up after limit). */
static bool read_n(struct world *w, int side, int sd, size_t n, uint64_t limit_ns)
{
    struct gather g = {w, side, sd, n, 0};
    return world_run(w, gathered, &g, limit_ns);
}

/* One request in two small writes, answered by one small write; returns its time. */
static uint64_t request_round(struct world *w, int cl, int sv)
{
    static const char head[] = "GET /x HTTP/1.0\r\n", tail[] = "\r\n";
    uint64_t t0 = world_now(w);
    send_str(w, 0, cl, head);
    send_str(w, 0, cl, tail);
    if (!read_n(w, 1, sv, strlen(head) + strlen(tail), 5 * S_NS))
        return UINT64_MAX;
    send_str(w, 1, sv, "HTTP/1.0 2");
    if (!read_n(w, 0, cl, 10, 5 * S_NS))
        return UINT64_MAX;
    return world_now(w) - t0;
}

static int play_nagle(struct world *w)
{
    int ls, cl, sv, fails = 0, one = 1;
    fails += check(w, establish(w, &ls, &cl, &sv) == 0, "connection established");
    uint64_t worst = 0, nd_worst = 0, t[24];
    for (int i = 0; i < 24; i++) {
        t[i] = request_round(w, cl, sv);
        if (t[i] > worst)
            worst = t[i];
    }
    printf("  write-write-read with Nagle on (RTT 10 ms), ms per round:");
    for (int i = 0; i < 24; i++)
        printf(" %.0f", (double)t[i] / 1e6);
    printf("\n");
    fails += check(w, worst >= 50 * MS_NS && worst != UINT64_MAX,
                   "once the connection is interactive, the second write waits for the "
                   "40 ms delayed ACK (a round takes 50 ms, not 10)");
    synack_setsockopt(w->st[0], cl, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, &one, sizeof(one));
    for (int i = 0; i < 8; i++) {
        t[i] = request_round(w, cl, sv);
        if (t[i] > nd_worst)
            nd_worst = t[i];
    }
    printf("  the same with TCP_NODELAY, ms per round:");
    for (int i = 0; i < 8; i++)
        printf(" %.0f", (double)t[i] / 1e6);
    printf("\n");
    fails += check(w, nd_worst <= 12 * MS_NS, "TCP_NODELAY: every round takes one RTT");
    int cs[] = {cl}, ss[] = {sv, ls};
    finish(w, cs, 1, ss, 2);
    return fails;
}

static int play_refused(struct world *w)
{
    int fails = 0;
    int cl = connect_to(w, 0, 9); /* nothing listens on port 9 */
    fails += check(w, wait_read(w, 0, cl, 5 * S_NS) == -ECONNREFUSED,
                   "SYN to a closed port: RST, connect fails with ECONNREFUSED");
    int cs[] = {cl};
    finish(w, cs, 1, NULL, 0);
    return fails;
}

static int play_unreachable(struct world *w)
{
    int fails = 0;
    int ls = listener(w, 1, PORT);
    int cl = connect_to(w, 0, PORT);
    printf("  a router answers the SYN with ICMP host unreachable\n");
    /* Quote the client's SYN (still in last_tx) from the server's address, as a
     * router on the path would. */
    uint8_t pkt[256];
    size_t hl = wire_ip_hdr_len(SYNACK_AF_INET);
    size_t quote = w->last_tx_len[0] < 28 ? w->last_tx_len[0] : 28;
    size_t n = wire_icmp_build(pkt + hl, sizeof(pkt) - hl, SYNACK_AF_INET, ICMP4_DEST_UNREACH,
                               ICMP4_HOST_UNREACH, 0, w->last_tx[0], quote, &w->addr[1],
                               &w->addr[0]);
    struct wire_ip_out h;
    memset(&h, 0, sizeof(h));
    h.src = w->addr[1];
    h.dst = w->addr[0];
    h.proto = IPPROTO_ICMP_;
    h.ttl = 64;
    wire_ip_build(pkt, sizeof(pkt), &h, n);
    synack_memlink_inject(w->net, w->host[1], pkt, hl + n);
    fails += check(w, wait_read(w, 0, cl, 5 * S_NS) == -EHOSTUNREACH,
                   "connect fails with EHOSTUNREACH");
    int cs[] = {cl}, ss[] = {ls};
    finish(w, cs, 1, ss, 1);
    return fails;
}

const struct scenario scenarios[] = {
    {"handshake", "three-way handshake: connect returns on the SYN-ACK, accept on the ACK",
     NULL, play_handshake},
    {"close", "four-way close: FIN_WAIT_1/2, CLOSE_WAIT, LAST_ACK, TIME_WAIT for 2MSL",
     NULL, play_close},
    {"simultaneous-open", "both sides connect at once: SYN_SENT -> SYN_RCVD -> ESTABLISHED",
     NULL, play_simultaneous_open},
    {"simultaneous-close", "both sides close at once: FIN_WAIT_1 -> CLOSING -> TIME_WAIT",
     NULL, play_simultaneous_close},
    {"half-close", "shutdown(SHUT_WR): the other direction keeps flowing", NULL, play_half_close},
    {"time-wait", "TIME_WAIT on the side that closes first; EADDRINUSE and SO_REUSEADDR",
     NULL, play_time_wait},
    {"syn-flood", "spoofed SYN flood against a listener, SYN cookies off then on",
     tune_flood, play_syn_flood},
    {"keepalive", "keepalive probes on an idle connection; a silent peer times out",
     tune_keepalive, play_keepalive},
    {"process-dies", "the server process dies: EOF, a write draws RST, ECONNRESET, EPIPE",
     NULL, play_process_dies},
    {"host-crash", "the server host crashes: retransmissions, then ETIMEDOUT", NULL,
     play_host_crash},
    {"crash-reboot", "the server host reboots: its RST gives ECONNRESET", NULL,
     play_crash_reboot},
    {"half-open", "a half-open connection found by keepalive after a reboot", tune_keepalive,
     play_half_open_keepalive},
    {"nagle", "write-write-read: Nagle meets the 40 ms delayed ACK; TCP_NODELAY cures it",
     NULL, play_nagle},
    {"refused", "connect to a closed port: RST, ECONNREFUSED", NULL, play_refused},
    {"unreachable", "a router reports the host unreachable: EHOSTUNREACH", NULL,
     play_unreachable},
};
const int scenario_count = (int)(sizeof(scenarios) / sizeof(scenarios[0]));
