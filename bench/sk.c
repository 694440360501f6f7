/* sk.c: the synack side of the benchmark: two stacks in one process over a memlink with
 * no delay and no loss, run as fast as the CPU allows; lossy over a memlink with the
 * delay and loss of bench.h, timed in virtual time.  Read bench/README.md first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "synack.h"
#include "synack_memlink.h"

#define PORT 5001

struct sk {
    enum bench_kind kind;
    const struct bench_params *p;
    struct synack_memlink *net;
    struct synack_stack *st[2]; /* 0: client, 1: server */
    int host[2];                /* their memlink ids */
    struct synack_sockaddr srv;
    int cl, ls, sv;             /* client socket, listener, accepted socket (-1: none) */
    bool cl_open;               /* bulk, rr: connected;  crr: a connection is open */
    uint64_t sent, recvd;       /* bytes (bulk, crr per connection) or round trips */
    uint64_t sv_recvd, sv_sent; /* server side of a crr connection or rr */
    uint64_t ops;
    uint64_t t_first, t_last;   /* lossy: virtual ns of the first byte sent, last received */
    uint32_t mss;               /* lossy: the sender's */
    bool done, failed;
    bool acted;                 /* a socket call succeeded: poll the stacks after it */
    uint64_t events;
    double t_end;               /* wall-clock bound */
    char why[160];
    uint8_t buf[BENCH_IO_CHUNK];
};

static bool fail(struct sk *s, const char *what, long err)
{
    if (!s->failed)
        snprintf(s->why, sizeof(s->why), "%s: %s", what, synack_strerror((int)err));
    s->failed = true;
    return false;
}

static void settings(struct synack_settings *c, uint64_t seed, uint64_t count)
{
    synack_settings_default(c);
    c->seed = seed;
    /* Nothing here is tuned for speed: Linux defaults, only the TIME_WAIT table sized
     * for every crr connection, as Linux's (262144 by default here) would be. */
    if (count + 1024 > c->max_tw_buckets)
        c->max_tw_buckets = (uint32_t)(count + 1024);
}

static int setup(struct sk *s)
{
    int err = synack_memlink_create(s->kind == BENCH_LOSSY ? s->p->seed : 42, &s->net);
    if (err)
        return err;
    struct synack_addr a[2];
    synack_addr_parse("198.18.0.1", &a[0]);
    synack_addr_parse("198.18.0.2", &a[1]);
    for (int i = 0; i < 2; i++) {
        struct synack_settings c;
        settings(&c, 7 + (uint64_t)i, s->kind == BENCH_CRR ? s->p->count : 0);
        if ((err = synack_stack_create(&c, &s->st[i])) != 0)
            return err;
        if ((err = synack_stack_add_addr(s->st[i], &a[i], 24)) != 0)
            return err;
        if ((s->host[i] = synack_memlink_add_host(s->net, s->st[i], 1500)) < 0)
            return s->host[i];
    }
    /* Zero impairments: no delay, no loss, MTU 1500 (the defaults); lossy: bench.h's. */
    if (s->kind == BENCH_LOSSY) {
        struct synack_memlink_impair imp = {.delay_us = BENCH_LOSSY_DELAY_US};
        synack_memlink_set_impair(s->net, s->host[1], s->host[0], &imp);
        imp.loss = BENCH_LOSSY_LOSS;
        synack_memlink_set_impair(s->net, s->host[0], s->host[1], &imp);
    }
    memset(&s->srv, 0, sizeof(s->srv));
    s->srv.addr = a[1];
    s->srv.port = PORT;
    s->ls = synack_socket(s->st[1], SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    if (s->ls < 0)
        return s->ls;
    if ((err = synack_bind(s->st[1], s->ls, &s->srv)) != 0)
        return err;
    if ((err = synack_listen(s->st[1], s->ls, 128)) != 0)
        return err;
    s->sv = -1;
    s->cl = -1;
    return 0;
}

static void teardown(struct sk *s)
{
    if (s->net)
        synack_memlink_destroy(s->net);
    for (int i = 0; i < 2; i++)
        if (s->st[i])
            synack_stack_destroy(s->st[i]);
}

/* rr: TCP_NODELAY; lossy: CUBIC, named as on the Linux side. */
static bool sockopts(struct sk *s, int side, int sd)
{
    int one = 1, err = 0;
    if (s->kind == BENCH_RR)
        err = synack_setsockopt(s->st[side], sd, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, &one,
                                sizeof(one));
    else if (s->kind == BENCH_LOSSY)
        err = synack_setsockopt(s->st[side], sd, SYNACK_IPPROTO_TCP, SYNACK_TCP_CONGESTION,
                                "cubic", sizeof("cubic"));
    return err ? fail(s, "setsockopt", err) : true;
}

static bool open_client(struct sk *s)
{
    s->cl = synack_socket(s->st[0], SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    if (s->cl < 0)
        return fail(s, "socket", s->cl);
    if (!sockopts(s, 0, s->cl))
        return false;
    int err = synack_connect(s->st[0], s->cl, &s->srv);
    if (err != -EINPROGRESS)
        return fail(s, "connect", err);
    s->cl_open = false;
    s->sent = s->recvd = 0;
    s->acted = true;
    return true;
}

/* Connected yet?  Fails the run on a connection error. */
static bool connected(struct sk *s)
{
    int ev = synack_socket_events(s->st[0], s->cl);
    if (ev & SYNACK_EV_ERR) {
        int e = 0;
        size_t len = sizeof(e);
        synack_getsockopt(s->st[0], s->cl, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &e, &len);
        return fail(s, "connect", -e);
    }
    return (ev & SYNACK_EV_OUT) != 0;
}

static void accept_one(struct sk *s)
{
    if (s->sv >= 0)
        return;
    int sd = synack_accept(s->st[1], s->ls, NULL);
    if (sd == -EAGAIN)
        return;
    if (sd < 0) {
        fail(s, "accept", sd);
        return;
    }
    if (!sockopts(s, 1, sd))
        return;
    s->sv = sd;
    s->sv_recvd = s->sv_sent = 0;
    s->acted = true;
}

/* ------------------------------------------------------------------ bulk */

static void bulk_client(struct sk *s)
{
    if (!s->cl_open) {
        if (!connected(s))
            return;
        s->cl_open = true;
        struct synack_tcp_info ti;
        s->mss = synack_tcp_info(s->st[0], s->cl, &ti) ? 0 : ti.snd_mss;
        s->t_first = synack_memlink_now(s->net);
    }
    while (s->sent < s->p->bytes) {
        uint64_t left = s->p->bytes - s->sent;
        size_t n = left < BENCH_IO_CHUNK ? (size_t)left : BENCH_IO_CHUNK;
        if (n > BENCH_PAT_PERIOD)
            n = BENCH_PAT_PERIOD;
        ssize_t w = synack_send(s->st[0], s->cl, bench_pattern() + s->sent % BENCH_PAT_PERIOD,
                                n, 0);
        if (w == -EAGAIN)
            return;
        if (w < 0) {
            fail(s, "send", w);
            return;
        }
        s->sent += (uint64_t)w;
        s->acted = true;
    }
    if (s->cl >= 0) { /* everything queued: FIN after it, as shutdown(WR) + close() */
        synack_close(s->st[0], s->cl);
        s->cl = -1;
        s->acted = true;
    }
}

static void bulk_server(struct sk *s)
{
    accept_one(s);
    if (s->sv < 0)
        return;
    for (;;) {
        ssize_t n = synack_recv(s->st[1], s->sv, s->buf, sizeof(s->buf), 0);
        if (n == -EAGAIN)
            return;
        if (n < 0) {
            fail(s, "recv", n);
            return;
        }
        s->acted = true;
        if (n == 0) {
            if (s->recvd != s->p->bytes)
                fail(s, "early EOF", -EPIPE);
            synack_close(s->st[1], s->sv);
            s->sv = -1;
            s->done = true;
            return;
        }
        if (!bench_pattern_check(s->recvd, s->buf, (size_t)n)) {
            fail(s, "data corrupted", -EIO);
            return;
        }
        s->recvd += (uint64_t)n;
        if (s->recvd == s->p->bytes)
            s->t_last = synack_memlink_now(s->net);
    }
}

/* ------------------------------------------------------------------ rr */

static void rr_client(struct sk *s)
{
    if (!s->cl_open) {
        if (!connected(s))
            return;
        s->cl_open = true;
        s->sent = s->recvd = 0;
    }
    for (;;) {
        if (s->sent == s->recvd) { /* nothing outstanding: next request */
            if (s->recvd == s->p->count) {
                s->done = true;
                return;
            }
            ssize_t w = synack_send(s->st[0], s->cl, "q", 1, 0);
            if (w == -EAGAIN)
                return;
            if (w != 1) {
                fail(s, "send", w);
                return;
            }
            s->sent++;
            s->acted = true;
        }
        ssize_t n = synack_recv(s->st[0], s->cl, s->buf, 1, 0);
        if (n == -EAGAIN)
            return;
        if (n != 1) {
            fail(s, "recv", n ? n : -EPIPE);
            return;
        }
        s->recvd++;
        s->acted = true;
    }
}

static void rr_server(struct sk *s)
{
    accept_one(s);
    if (s->sv < 0)
        return;
    for (;;) {
        ssize_t n = synack_recv(s->st[1], s->sv, s->buf, 1, 0);
        if (n == -EAGAIN)
            return;
        if (n != 1) {
            fail(s, "recv", n ? n : -EPIPE);
            return;
        }
        s->acted = true;
        ssize_t w = synack_send(s->st[1], s->sv, "r", 1, 0);
        if (w != 1) { /* one byte outstanding at a time: there is always room */
            fail(s, "send", w);
            return;
        }
    }
}

/* ------------------------------------------------------------------ crr */

static void crr_client(struct sk *s)
{
    for (int guard = 0; guard < 4; guard++) {
        if (s->cl < 0) {
            if (s->ops == s->p->count) {
                s->done = true;
                return;
            }
            if (!open_client(s))
                return;
        }
        if (!s->cl_open) {
            if (!connected(s))
                return;
            s->cl_open = true;
            ssize_t w = synack_send(s->st[0], s->cl, bench_pattern(), BENCH_CRR_BYTES, 0);
            if (w != BENCH_CRR_BYTES) {
                fail(s, "send", w < 0 ? w : -EAGAIN);
                return;
            }
            s->acted = true;
        }
        for (;;) {
            ssize_t n = synack_recv(s->st[0], s->cl, s->buf, sizeof(s->buf), 0);
            if (n == -EAGAIN)
                return;
            if (n < 0) {
                fail(s, "recv", n);
                return;
            }
            s->acted = true;
            if (n == 0)
                break;
            s->recvd += (uint64_t)n;
        }
        if (s->recvd != BENCH_CRR_BYTES) {
            fail(s, "short reply", -EPIPE);
            return;
        }
        synack_close(s->st[0], s->cl); /* CLOSE_WAIT -> LAST_ACK: the server closed first */
        s->cl = -1;
        s->ops++;
        s->acted = true;
    }
}

static void crr_server(struct sk *s)
{
    accept_one(s);
    if (s->sv < 0)
        return;
    while (s->sv_recvd < BENCH_CRR_BYTES) {
        ssize_t n = synack_recv(s->st[1], s->sv, s->buf, BENCH_CRR_BYTES - s->sv_recvd, 0);
        if (n == -EAGAIN)
            return;
        if (n <= 0) {
            fail(s, "recv", n ? n : -EPIPE);
            return;
        }
        s->sv_recvd += (uint64_t)n;
        s->acted = true;
    }
    ssize_t w = synack_send(s->st[1], s->sv, bench_pattern(), BENCH_CRR_BYTES, 0);
    if (w != BENCH_CRR_BYTES) {
        fail(s, "send", w < 0 ? w : -EAGAIN);
        return;
    }
    synack_close(s->st[1], s->sv); /* FIN after the reply; TIME_WAIT is the server's */
    s->sv = -1;
    s->acted = true;
}

/* ------------------------------------------------------------------ driver */

static int handshake_done(void *user)
{
    struct sk *s = user;
    if (!s->cl_open && connected(s))
        s->cl_open = true;
    accept_one(s);
    return (s->cl_open && s->sv >= 0) || s->failed;
}

/* Called by the memlink after every event: the applications act, as an event loop
 * would after a wakeup.  Also checks the wall-clock bound now and then. */
static int step(void *user)
{
    struct sk *s = user;
    s->acted = false;
    switch (s->kind) {
    case BENCH_BULK:
    case BENCH_LOSSY:
        bulk_client(s);
        bulk_server(s);
        break;
    case BENCH_RR:
        rr_client(s);
        rr_server(s);
        break;
    default:
        crr_server(s);
        crr_client(s);
        break;
    }
    /* As the API asks: poll after socket calls, to flush what they queued. */
    if (s->acted && !s->failed)
        synack_memlink_kick(s->net);
    if ((++s->events & 1023) == 0 && bench_wall() > s->t_end)
        return fail(s, "wall-clock limit reached", -ETIMEDOUT), 1;
    return s->done || s->failed;
}

int sk_run(enum bench_kind k, const struct bench_params *p, struct bench_result *r)
{
    memset(r, 0, sizeof(*r));
    struct sk *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(r->why, sizeof(r->why), "out of memory");
        return -1;
    }
    s->kind = k;
    s->p = p;
    int err = setup(s);
    if (err) {
        snprintf(r->why, sizeof(r->why), "setup: %s", synack_strerror(err));
        teardown(s);
        free(s);
        return -1;
    }
    const uint64_t vlimit = 24ull * 3600 * 1000000000ull; /* virtual time: a day */
    double w0 = bench_wall();
    s->t_end = w0 + p->limit_s;
    if (k == BENCH_RR) { /* the round trips are timed, not the handshake */
        if (!open_client(s))
            goto out;
        /* Run until both ends hold the connection, then start the clock. */
        synack_memlink_kick(s->net);
        synack_memlink_run(s->net, 60ull * 1000000000ull, handshake_done, s);
        if (!s->cl_open || s->sv < 0) {
            fail(s, "connect", -ETIMEDOUT);
            goto out;
        }
        s->sent = s->recvd = 0;
    } else if (k == BENCH_BULK || k == BENCH_LOSSY) {
        if (!open_client(s))
            goto out;
    }
    w0 = bench_wall();
    double c0 = bench_cpu();
    synack_memlink_kick(s->net);
    int stopped = step(s) ? 1 : synack_memlink_run(s->net, vlimit, step, s);
    double w1 = bench_wall(), c1 = bench_cpu();
    if (!stopped && !s->done)
        fail(s, "virtual-time limit reached", -ETIMEDOUT);
    r->wall_s = w1 - w0;
    r->cpu_s = c1 - c0;
    r->bytes = k == BENCH_BULK || k == BENCH_LOSSY ? s->recvd : 0;
    r->ops = k == BENCH_RR ? s->recvd : s->ops;
    struct synack_counters c;
    synack_stack_counters(s->st[0], &c);
    if (k == BENCH_BULK) {
        r->segs = c.tcp_out_segs;
        if (c.tcp_retrans_segs)
            snprintf(r->why, sizeof(r->why), "%llu retransmitted",
                     (unsigned long long)c.tcp_retrans_segs);
    } else if (k == BENCH_LOSSY) { /* goodput in virtual time */
        struct synack_memlink_stats ms;
        synack_memlink_stats(s->net, s->host[0], s->host[1], &ms);
        r->wall_s = (double)(s->t_last - s->t_first) / 1e9;
        r->segs = c.tcp_out_segs;
        r->mss = s->mss;
        r->lost = ms.sent ? (double)ms.lost / (double)ms.sent : 0;
        r->retrans = c.tcp_retrans_segs;
        r->recoveries = c.fast_recoveries;
        r->timeouts = c.timeouts;
    }
out:
    r->ok = s->done && !s->failed;
    if (!r->ok)
        snprintf(r->why, sizeof(r->why), "%s", s->why[0] ? s->why : "did not finish");
    teardown(s);
    free(s);
    return r->ok ? 0 : -1;
}
