/* demo.c: `synack demo`: two hosts over a simulated link in virtual time.  Without
 * --scenario: connect, send N bytes, close, and check they arrived intact (sha256). */
#include "demo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

#define DEMO_PORT 8080

struct xfer {
    struct world *w;
    int cl, ls, sv;
    uint64_t total, sent, recvd;
    struct sha256 tx, rx;
    uint64_t gen;                 /* xorshift state of the data generator */
    uint8_t pend[16384];
    size_t pend_len, pend_off;
    int connected, client_closed, server_closed, failed;
    uint8_t rbuf[65536];
};

static uint8_t gen_byte(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint8_t)(*s >> 24);
}

static void fail(struct xfer *x, const char *what, long err)
{
    fprintf(stderr, "demo: %s: %s\n", what, synack_strerror((int)err));
    x->failed = 1;
}

static void client_step(struct xfer *x)
{
    struct synack_stack *st = x->w->st[0];
    if (!x->connected) {
        int ev = synack_socket_events(st, x->cl);
        if (ev & SYNACK_EV_ERR) {
            int e = 0;
            size_t len = sizeof(e);
            synack_getsockopt(st, x->cl, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &e, &len);
            fail(x, "connect", -e);
            return;
        }
        if (!(ev & SYNACK_EV_OUT))
            return;
        x->connected = 1;
        if (x->w->ladder)
            ladder_note(x->w->ladder, 0, world_now(x->w), "connect() = 0");
    }
    while (x->sent < x->total) {
        if (x->pend_off == x->pend_len) {
            uint64_t left = x->total - x->sent;
            x->pend_len = left < sizeof(x->pend) ? (size_t)left : sizeof(x->pend);
            for (size_t i = 0; i < x->pend_len; i++)
                x->pend[i] = gen_byte(&x->gen);
            x->pend_off = 0;
        }
        ssize_t n = synack_send(st, x->cl, x->pend + x->pend_off, x->pend_len - x->pend_off, 0);
        if (n == -EAGAIN)
            return;
        if (n < 0) {
            fail(x, "send", n);
            return;
        }
        sha256_update(&x->tx, x->pend + x->pend_off, (size_t)n);
        x->pend_off += (size_t)n;
        x->sent += (uint64_t)n;
    }
    if (!x->client_closed) {
        x->client_closed = 1;
        synack_close(st, x->cl);
        if (x->w->ladder)
            ladder_note(x->w->ladder, 0, world_now(x->w), "all %llu bytes queued; close()",
                        (unsigned long long)x->total);
    }
}

static void server_step(struct xfer *x)
{
    struct synack_stack *st = x->w->st[1];
    if (x->sv < 0) {
        x->sv = synack_accept(st, x->ls, NULL);
        if (x->sv == -EAGAIN) {
            x->sv = -1;
            return;
        }
        if (x->sv < 0) {
            fail(x, "accept", x->sv);
            return;
        }
        if (x->w->ladder)
            ladder_note(x->w->ladder, 1, world_now(x->w), "accept() = %d", x->sv);
    }
    for (;;) {
        ssize_t n = synack_recv(st, x->sv, x->rbuf, sizeof(x->rbuf), 0);
        if (n == -EAGAIN)
            return;
        if (n < 0) {
            fail(x, "recv", n);
            return;
        }
        if (n == 0) {
            if (x->w->ladder)
                ladder_note(x->w->ladder, 1, world_now(x->w), "read() = 0 (EOF); close()");
            synack_close(st, x->sv);
            x->server_closed = 1;
            return;
        }
        sha256_update(&x->rx, x->rbuf, (size_t)n);
        x->recvd += (uint64_t)n;
    }
}

static bool xfer_step(void *ctx)
{
    struct xfer *x = ctx;
    if (!x->failed && !x->client_closed)
        client_step(x);
    if (!x->failed && !x->server_closed)
        server_step(x);
    return x->failed || x->server_closed;
}

static int transfer(struct world *w, uint64_t bytes, uint64_t seed)
{
    struct xfer *x = calloc(1, sizeof(*x));
    if (!x)
        return 1;
    x->w = w;
    x->total = bytes;
    x->sv = -1;
    x->gen = seed * 0x9e3779b97f4a7c15ull + 1;
    sha256_init(&x->tx);
    sha256_init(&x->rx);
    struct synack_stack *cst = w->st[0], *sst = w->st[1];
    x->ls = synack_socket(sst, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    struct synack_sockaddr any = world_sockaddr(w, 1, DEMO_PORT);
    int rc = synack_bind(sst, x->ls, &any);
    if (!rc)
        rc = synack_listen(sst, x->ls, 16);
    x->cl = synack_socket(cst, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    if (!rc) {
        rc = synack_connect(cst, x->cl, &any);
        rc = rc == -EINPROGRESS ? 0 : rc;
    }
    if (rc) {
        fprintf(stderr, "demo: setup: %s\n", synack_strerror(rc));
        free(x);
        return 1;
    }
    uint64_t t0 = world_now(w);
    bool done = world_run(w, xfer_step, x, 3600 * S_NS);
    uint64_t t1 = world_now(w);
    synack_close(sst, x->ls);
    /* Let TIME_WAIT (and, under loss, FIN retransmissions) run out: every pool must
     * then be empty. */
    bool clean = world_settle(w, 2 * w->cfg[0].msl_ms * MS_NS + 600 * S_NS);

    uint8_t dt[32], dr[32];
    char ht[65], hr[65];
    sha256_final(&x->tx, dt);
    sha256_final(&x->rx, dr);
    sha256_hex(dt, ht);
    sha256_hex(dr, hr);
    struct synack_counters c0;
    synack_stack_counters(cst, &c0);
    bool intact = done && !x->failed && x->recvd == bytes && !memcmp(dt, dr, 32);
    double secs = (double)(t1 - t0) / 1e9;
    printf("\nclient sent %llu segments, %llu retransmitted (%llu fast recoveries, %llu tail "
           "probes, %llu timeouts); %.3f s of virtual time",
           (unsigned long long)c0.tcp_out_segs, (unsigned long long)c0.tcp_retrans_segs,
           (unsigned long long)c0.fast_recoveries, (unsigned long long)c0.tlp_probes,
           (unsigned long long)c0.timeouts, secs);
    if (secs > 0)
        printf(" (%.1f Mbit/s)", (double)x->recvd * 8 / secs / 1e6);
    printf("\n");
    if (intact)
        printf("delivered %llu bytes intact (sha256 %s)\n", (unsigned long long)bytes, hr);
    else
        printf("FAILED: delivered %llu of %llu bytes (sent sha256 %s, received %s)\n",
               (unsigned long long)x->recvd, (unsigned long long)bytes, ht, hr);
    if (!clean)
        printf("FAILED: pools not empty after close and 2MSL\n");
    free(x);
    return intact && clean ? 0 : 1;
}

static void list(void)
{
    printf("%-20s %s\n", "(default)", "connect, transfer --bytes, close; sha256 checked");
    for (int i = 0; i < scenario_count; i++)
        printf("%-20s %s\n", scenarios[i].name, scenarios[i].summary);
}

int demo_main(int argc, char **argv)
{
    struct world_opts o = {.seed = 1, .loss = 0, .delay_ms = 5, .ladder = true};
    uint64_t bytes = 1 << 20;
    const char *scenario = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--list")) {
            list();
            return 0;
        } else if (!strcmp(a, "--ladder")) {
            o.ladder = true;
        } else if (!strcmp(a, "--no-ladder")) {
            o.ladder = false;
        } else if (!strcmp(a, "--full-ladder")) {
            o.ladder = o.full_ladder = true;
        } else if (v && !strcmp(a, "--scenario")) {
            scenario = v;
            i++;
        } else if (v && !strcmp(a, "--loss")) {
            o.loss = strtod(v, NULL);
            i++;
        } else if (v && !strcmp(a, "--delay")) {
            o.delay_ms = (uint32_t)strtoul(v, NULL, 10);
            i++;
        } else if (v && !strcmp(a, "--bytes")) {
            bytes = strtoull(v, NULL, 10);
            i++;
        } else if (v && !strcmp(a, "--seed")) {
            o.seed = strtoull(v, NULL, 10);
            i++;
        } else if (v && !strcmp(a, "--pcap")) {
            o.pcap = v;
            i++;
        } else {
            fprintf(stderr, "synack demo: bad argument '%s' (see synack help)\n", a);
            return 2;
        }
    }
    if (o.loss < 0 || o.loss >= 1) {
        fprintf(stderr, "synack demo: --loss must be in [0, 1)\n");
        return 2;
    }
    const struct scenario *sc = NULL;
    if (scenario) {
        for (int i = 0; i < scenario_count; i++)
            if (!strcmp(scenarios[i].name, scenario))
                sc = &scenarios[i];
        if (!sc) {
            fprintf(stderr, "synack demo: no scenario '%s' (see --list)\n", scenario);
            return 2;
        }
        printf("scenario %s: %s\n\n", sc->name, sc->summary);
    }
    struct world w;
    int err = world_init(&w, &o, sc ? sc->tune : NULL);
    if (err) {
        fprintf(stderr, "synack demo: %s\n", synack_strerror(err));
        world_free(&w);
        return 1;
    }
    int rc = sc ? sc->play(&w) : transfer(&w, bytes, o.seed);
    if (sc) {
        if (!world_pools_empty(&w))
            rc = 1;
        printf("%s: %s\n", sc->name, rc ? "FAILED" : "ok");
    }
    world_free(&w);
    return rc;
}
