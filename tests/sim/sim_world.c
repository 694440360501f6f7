/* sim_world.c: one seed's world: impairments and pools drawn from the seed, two stacks over
 * a memlink, the virtual-time loop that feeds readiness and timers to the applications,
 * then close, drain (2MSL and orphans) and the checks.
 * Read include/synack_memlink.h and sim.h before changing. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

uint64_t sim_now(const struct sim *s) { return synack_memlink_now(s->net); }

void sim_log(struct sim *s, const char *fmt, ...)
{
    va_list ap;
    uint64_t t = s->net ? sim_now(s) : 0;
    printf("[%4" PRIu64 ".%06" PRIu64 "] ", t / SIM_S, (t % SIM_S) / 1000);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

void sim_fail(struct sim *s, const char *fmt, ...)
{
    char msg[sizeof(s->fail)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (s->nfail++ == 0)
        memcpy(s->fail, msg, sizeof(msg));
    if (s->verbose)
        sim_log(s, "CHECK FAILED: %s", msg);
}

/* ------------------------------------------------------------------ parameters */

/* Most seeds see little or no loss; some see a lot (up to 30%). */
static double draw_loss(struct sim_rng *r)
{
    double u = sim_rng_unit(r);
    if (u < 0.45)
        return 0;
    if (u < 0.75)
        return 0.02 * sim_rng_unit(r);
    if (u < 0.92)
        return 0.02 + 0.08 * sim_rng_unit(r);
    return 0.10 + 0.20 * sim_rng_unit(r);
}

static void draw_impair(struct sim_rng *r, struct synack_memlink_impair *imp)
{
    memset(imp, 0, sizeof(*imp));
    imp->loss = draw_loss(r);
    if (sim_rng_chance(r, 0.2))
        imp->dup = 0.05 * sim_rng_unit(r);
    if (sim_rng_chance(r, 0.25)) {
        imp->reorder = 0.2 * sim_rng_unit(r);
        imp->reorder_delay_us = sim_rng_log(r, 100, 20000);
    }
    if (sim_rng_chance(r, 0.12))
        imp->corrupt = 0.03 * sim_rng_unit(r);
    if (!sim_rng_chance(r, 0.1))
        imp->delay_us = sim_rng_range(r, 0, 50000);
    if (sim_rng_chance(r, 0.35))
        imp->jitter_us = sim_rng_range(r, 0, 20000);
    if (sim_rng_chance(r, 0.25)) {
        imp->rate_bps = (uint64_t)sim_rng_log(r, 2000, 100000) * 1000u;
        imp->queue_pkts = sim_rng_log(r, 4, 64);
    }
}

void sim_params_draw(struct sim *s)
{
    struct sim_rng *r = &s->rng;
    struct sim_params *p = &s->p;
    memset(p, 0, sizeof(*p));
    p->ipv6 = sim_rng_chance(r, 0.2);
    draw_impair(r, &p->imp[0]);
    if (sim_rng_chance(r, 0.25)) {
        draw_impair(r, &p->imp[1]); /* an asymmetric path */
    } else {
        p->imp[1] = p->imp[0];
    }
    uint32_t floor = p->ipv6 ? 1280 : 576;
    uint32_t mtu = sim_rng_chance(r, 0.65) ? 1500 : sim_rng_range(r, floor, 1500);
    p->mtu[0] = p->mtu[1] = mtu;
    if (sim_rng_chance(r, 0.2))
        p->mtu[1] = sim_rng_range(r, floor, 1500);
    p->nconns = (int)sim_rng_range(r, 1, SIM_MAX_CONNS);
    p->backlog = sim_rng_chance(r, 0.3) ? (int)sim_rng_range(r, 1, 4) : 128;
    if (sim_rng_chance(r, 0.2))
        p->ls_rcvbuf = (int)sim_rng_log(r, 1024, 65536);
    if (sim_rng_chance(r, 0.12))
        p->ls_sndbuf = (int)sim_rng_log(r, 1024, 65536);
    /* Enough chunks that the pools never run dry: 8 connections with buffers up to
     * 128 KiB receive + 128 KiB send each need ~150 chunks of 16 KiB. */
    p->buf_chunks = 256;
    p->rt_ok = (1 - p->imp[0].loss) * (1 - p->imp[0].corrupt) * (1 - p->imp[1].loss) *
               (1 - p->imp[1].corrupt);
    /* A round trip fails more than one time in five: give-ups (ETIMEDOUT, SYN retries,
     * keepalive, orphans' retries) and their consequences are possible. */
    p->harsh = p->rt_ok < 0.8;
    /* Some stacks judge losses by RFC 6675's DupThresh instead of RACK. */
    for (int side = 0; side < 2; side++)
        p->no_rack[side] = sim_rng_chance(r, 0.2);
}

static void describe_params(struct sim *s)
{
    const struct sim_params *p = &s->p;
    sim_log(s, "seed %" PRIu64 ": %s, %d connection(s), backlog %d, mtu %u/%u, listener "
            "rcvbuf %d sndbuf %d, round trip survives %.3f%s%s%s",
            s->seed, p->ipv6 ? "IPv6" : "IPv4", p->nconns, p->backlog, p->mtu[0], p->mtu[1],
            p->ls_rcvbuf, p->ls_sndbuf, p->rt_ok, p->harsh ? " (harsh)" : "",
            p->no_rack[0] ? ", client without RACK" : "", p->no_rack[1] ? ", server without RACK" : "");
    for (int d = 0; d < 2; d++) {
        const struct synack_memlink_impair *i = &p->imp[d];
        sim_log(s, "  %s: loss %.4f dup %.4f reorder %.4f (+%u us) corrupt %.4f delay %u us "
                "jitter %u us rate %" PRIu64 " bps queue %u",
                d == 0 ? "client->server" : "server->client", i->loss, i->dup, i->reorder,
                i->reorder_delay_us, i->corrupt, i->delay_us, i->jitter_us, i->rate_bps,
                i->queue_pkts);
    }
}

/* ------------------------------------------------------------------ setup */

int sim_world_setup(struct sim *s)
{
    int err = synack_memlink_create(sim_mix(s->seed ^ 0x11111111ull), &s->net);
    if (err)
        return err;
    const char *names[2][2] = {{"198.18.0.1", "198.18.0.2"}, {"2001:db8::1", "2001:db8::2"}};
    for (int side = 0; side < 2; side++) {
        synack_addr_parse(names[s->p.ipv6][side], &s->addr[side]);
        struct synack_settings cfg;
        synack_settings_default(&cfg);
        cfg.seed = sim_mix(s->seed) * 2 + (uint64_t)side + 1;
        cfg.max_sockets = SIM_MAX_SOCKS;
        cfg.max_half_open = 64;
        cfg.max_tw_buckets = 64;
        cfg.buf_chunks = s->p.buf_chunks;
        if (s->no_sack)
            cfg.tcp_sack = 0;
        if (s->p.no_rack[side])
            cfg.tcp_recovery = 0;
        err = synack_stack_create(&cfg, &s->st[side]);
        if (err)
            return err;
        err = synack_stack_add_addr(s->st[side], &s->addr[side], s->p.ipv6 ? 64 : 24);
        if (err)
            return err;
        s->tref[side].s = s;
        s->tref[side].side = side;
        synack_set_trace(s->st[side], sim_on_trace, &s->tref[side]);
        s->host[side] = synack_memlink_add_host(s->net, s->st[side], s->p.mtu[side]);
        if (s->host[side] < 0)
            return s->host[side];
    }
    synack_memlink_set_impair(s->net, s->host[0], s->host[1], &s->p.imp[0]);
    synack_memlink_set_impair(s->net, s->host[1], s->host[0], &s->p.imp[1]);
    synack_memlink_set_tap(s->net, sim_on_tap, s);
    if (s->pcap_path) {
        err = synack_pcap_open(s->pcap_path, &s->pcap);
        if (err)
            return err;
        synack_memlink_set_pcap(s->net, s->pcap);
    }
    return 0;
}

void sim_world_free(struct sim *s)
{
    synack_memlink_destroy(s->net);
    s->net = NULL;
    if (s->pcap)
        synack_pcap_close(s->pcap);
    s->pcap = NULL;
    for (int side = 0; side < 2; side++) {
        synack_stack_destroy(s->st[side]);
        s->st[side] = NULL;
    }
}

/* ------------------------------------------------------------------ the loop */

/* Called by the memlink after every event (a delivery or a stack's timers). */
static int on_event(void *user)
{
    struct sim *s = user;
    if (++s->steps > SIM_STEP_LIMIT) {
        s->stop_run = true;
        return 1;
    }
    bool kicked = false;
    for (int side = 0; side < 2; side++) {
        struct synack_event ev[SIM_MAX_SOCKS];
        int n = synack_wait(s->st[side], ev, SIM_MAX_SOCKS);
        if (n <= 0)
            continue;
        if (!kicked) {
            /* Bring both stacks to the current time before the applications act. */
            synack_memlink_kick(s->net);
            kicked = true;
        }
        for (int i = 0; i < n; i++)
            sim_app_on_event(s, side, ev[i].sd, ev[i].events);
    }
    if ((s->steps & 3) == 0)
        sim_check_bounds(s);
    if (!kicked)
        return 0;
    /* Socket calls may have armed timers without sending: refresh the deadlines. */
    synack_memlink_kick(s->net);
    if (sim_app_all_done(s))
        return 1;
    return sim_app_next_wake(s) < s->run_until ? 1 : 0;
}

static int on_drain_event(void *user)
{
    struct sim *s = user;
    if (++s->steps > SIM_STEP_LIMIT) {
        s->stop_run = true;
        return 1;
    }
    return 0;
}

static void app_phase(struct sim *s)
{
    for (;;) {
        sim_app_step_all(s);
        synack_memlink_kick(s->net);
        sim_check_bounds(s);
        if (sim_app_all_done(s))
            return;
        uint64_t now = sim_now(s);
        if (now >= SIM_DEADLINE) {
            sim_app_stall(s);
            return;
        }
        uint64_t until = sim_app_next_wake(s);
        if (until > SIM_DEADLINE)
            until = SIM_DEADLINE;
        s->run_until = until;
        synack_memlink_run(s->net, until, on_event, s);
        if (s->stop_run) {
            char busiest[160];
            sim_busiest_flow(s, busiest, sizeof(busiest));
            sim_fail(s, "step limit (%llu events) reached at %.3f s: livelock? (%s)",
                     (unsigned long long)SIM_STEP_LIMIT, (double)sim_now(s) / 1e9, busiest);
            sim_app_stall(s);
            return;
        }
    }
}

/* Lets the stacks finish: orphans retransmit their FINs, TIME_WAIT runs out. */
static void drain(struct sim *s)
{
    if (s->listener >= 0) {
        synack_close(s->st[SIM_SERVER], s->listener);
        s->listener = -1;
        s->last_close_ns = sim_now(s);
    }
    uint64_t end = s->last_close_ns + SIM_DRAIN;
    while (sim_now(s) < end && !sim_pools_empty(s, false) && !s->stop_run) {
        uint64_t until = sim_now(s) + 10 * SIM_S;
        synack_memlink_run(s->net, until < end ? until : end, on_drain_event, s);
    }
    if (s->stop_run)
        sim_fail(s, "step limit reached while draining at %.3f s", (double)sim_now(s) / 1e9);
}

void sim_run_seed(struct sim *s)
{
    sim_rng_seed(&s->rng, s->seed);
    s->listener = -1;
    sim_params_draw(s);
    sim_app_plan(s);
    int err = sim_world_setup(s);
    if (!err)
        err = sim_app_listen(s);
    if (err) {
        sim_fail(s, "setup: %s", synack_strerror(err));
        sim_world_free(s);
        return;
    }
    if (s->verbose) {
        describe_params(s);
        sim_app_describe(s);
    }
    app_phase(s);
    if (s->verbose)
        sim_log(s, "applications done after %" PRIu64 " events", s->steps);
    drain(s);
    sim_check_final(s);
    sim_judge(s);
    if (!s->stop_run)
        sim_pools_empty(s, true);
    sim_world_free(s);
}
