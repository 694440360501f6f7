/* world.c: two hosts over a memlink, the trace hooks feeding the ladder, the clock. */
#include "world.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void on_trace(void *user, const struct synack_trace *ev)
{
    struct world_side *ws = user;
    ws->w->seen[ws->side] |= 1u << ev->new_state;
    if (ws->w->ladder)
        ladder_state(ws->w->ladder, ws->side, ev);
}

static void on_tap(void *user, int event, int from, int to, uint64_t now, const uint8_t *pkt,
                   size_t len)
{
    struct world *w = user;
    for (int side = 0; side < 2; side++) {
        if (event == SYNACK_MEMLINK_TX && from == w->host[side] && len <= sizeof(w->last_tx[0])) {
            memcpy(w->last_tx[side], pkt, len);
            w->last_tx_len[side] = len;
        }
    }
    if (w->ladder)
        ladder_tap(w->ladder, event, from, to, now, pkt, len);
}

static int make_stack(struct world *w, int side)
{
    int err = synack_stack_create(&w->cfg[side], &w->st[side]);
    if (err)
        return err;
    synack_set_trace(w->st[side], on_trace, &w->sides[side]);
    return synack_stack_add_addr(w->st[side], &w->addr[side], 24);
}

int world_init(struct world *w, const struct world_opts *o,
               void (*tune)(struct synack_settings *s, int side))
{
    memset(w, 0, sizeof(*w));
    int err = synack_memlink_create(o->seed, &w->net);
    if (err)
        return err;
    synack_addr_parse("198.18.0.1", &w->addr[0]);
    synack_addr_parse("198.18.0.2", &w->addr[1]);
    for (int side = 0; side < 2; side++) {
        w->sides[side].w = w;
        w->sides[side].side = side;
        synack_settings_default(&w->cfg[side]);
        w->cfg[side].seed = o->seed * 2 + (uint64_t)side + 1;
        if (tune)
            tune(&w->cfg[side], side);
        err = make_stack(w, side);
        if (err)
            return err;
        w->host[side] = synack_memlink_add_host(w->net, w->st[side], 1500);
    }
    w->imp.loss = o->loss;
    w->imp.delay_us = o->delay_ms * 1000u;
    synack_memlink_set_impair(w->net, -1, -1, &w->imp);
    if (o->pcap) {
        err = synack_pcap_open(o->pcap, &w->pcap);
        if (err)
            return err;
        synack_memlink_set_pcap(w->net, w->pcap);
    }
    if (o->ladder) {
        char l[64], r[64];
        synack_addr_format(&w->addr[0], l, sizeof(l));
        synack_addr_format(&w->addr[1], r, sizeof(r));
        w->ladder = ladder_new(stdout, w->host[0], l, w->host[1], r, o->full_ladder);
    }
    synack_memlink_set_tap(w->net, on_tap, w);
    return 0;
}

void world_free(struct world *w)
{
    ladder_free(w->ladder);
    synack_memlink_destroy(w->net);
    if (w->pcap)
        synack_pcap_close(w->pcap);
    for (int side = 0; side < 2; side++)
        synack_stack_destroy(w->st[side]);
    memset(w, 0, sizeof(*w));
}

uint64_t world_now(const struct world *w) { return synack_memlink_now(w->net); }

struct run_ctx {
    struct world *w;
    bool (*done)(void *ctx);
    void *ctx;
};

static int run_stop(void *user)
{
    struct run_ctx *r = user;
    /* Bring every stack to the current time before the application acts on it. */
    world_kick(r->w);
    return r->done(r->ctx) ? 1 : 0;
}

bool world_run(struct world *w, bool (*done)(void *ctx), void *ctx, uint64_t limit_ns)
{
    struct run_ctx r = {w, done, ctx};
    if (done(ctx))
        return true;
    world_kick(w);
    return synack_memlink_run(w->net, world_now(w) + limit_ns, run_stop, &r) == 1;
}

void world_advance(struct world *w, uint64_t ns)
{
    world_kick(w);
    synack_memlink_run(w->net, world_now(w) + ns, NULL, NULL);
}

void world_kick(struct world *w) { synack_memlink_kick(w->net); }

void world_crash(struct world *w, int side)
{
    /* The host stops at once: no more input, timers or output; its state is lost. */
    synack_memlink_remove_host(w->net, w->host[side]);
    synack_stack_destroy(w->st[side]);
    w->st[side] = NULL;
}

int world_reboot(struct world *w, int side)
{
    if (w->st[side])
        world_crash(w, side);
    w->cfg[side].seed += 1000; /* a new boot: new secrets */
    int err = make_stack(w, side);
    if (err)
        return err;
    synack_memlink_replace_host(w->net, w->host[side], w->st[side]);
    return 0;
}

struct synack_sockaddr world_sockaddr(const struct world *w, int side, uint16_t port)
{
    struct synack_sockaddr sa;
    memset(&sa, 0, sizeof(sa));
    sa.addr = w->addr[side];
    sa.port = port;
    return sa;
}

uint32_t world_pools_in_use(const struct world *w)
{
    uint32_t n = 0;
    for (int side = 0; side < 2; side++) {
        if (!w->st[side])
            continue;
        struct synack_pool_stats p[8];
        int np = synack_stack_pools(w->st[side], p, 8);
        for (int i = 0; i < np && i < 8; i++)
            n += p[i].in_use;
    }
    return n;
}

bool world_settle(struct world *w, uint64_t limit_ns)
{
    for (uint64_t waited = 0; waited < limit_ns && world_pools_in_use(w); waited += S_NS)
        world_advance(w, S_NS);
    return world_pools_empty(w);
}

bool world_pools_empty(const struct world *w)
{
    bool ok = true;
    for (int side = 0; side < 2; side++) {
        if (!w->st[side])
            continue;
        struct synack_pool_stats p[8];
        int n = synack_stack_pools(w->st[side], p, 8);
        for (int i = 0; i < n && i < 8; i++) {
            if (p[i].in_use) {
                fprintf(stderr, "leak: host %d pool %s has %u in use\n", side, p[i].name,
                        p[i].in_use);
                ok = false;
            }
        }
    }
    return ok;
}
