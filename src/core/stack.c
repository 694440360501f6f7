/* stack.c: stack creation, settings, addresses, the poll loop and counters.
 * Read DESIGN.md principles 1-4 before changing: no clock, no globals, pools fixed here. */
#include "core/stack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/events.h"
#include "core/bufq.h"
#include "ip/ip.h"
#include "tcp/tcp.h"

void synack_settings_default(struct synack_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->seed = 1;
    s->max_sockets = 1024;
    s->max_half_open = 4096;
    s->max_tw_buckets = 4096;
    s->buf_chunks = 2048; /* 32 MiB of 16 KiB chunks */
    s->ip_default_ttl = 64;
    s->icmp_echo_enable = 1;
    s->ip_local_port_lo = 32768;
    s->ip_local_port_hi = 60999;
    s->tcp_max_syn_backlog = 1024;
    s->somaxconn = 4096;
    s->tcp_syncookies = 1;
    s->tcp_abort_on_overflow = 0;
    s->tcp_syn_retries = 6;
    s->tcp_synack_retries = 5;
    s->tcp_retries1 = 3;
    s->tcp_retries2 = 15;
    s->tcp_orphan_retries = 0;
    s->tcp_rfc1337 = 0; /* Linux's default: RST in TIME_WAIT kills it */
    s->tcp_fin_timeout_ms = 60000;
    s->msl_ms = 30000;
    s->tcp_keepalive_time_ms = 7200000;
    s->tcp_keepalive_intvl_ms = 75000;
    s->tcp_keepalive_probes = 9;
    s->tcp_challenge_ack_limit = 1000;
    s->tcp_timestamps = 1;
    s->tcp_sack = 1;
    s->tcp_window_scaling = 1;
    s->tcp_ecn = 2; /* like Linux: accept ECN when asked, do not ask */
    strcpy(s->tcp_congestion_control, "cubic");
    s->tcp_rmem_default = 131072;
    s->tcp_wmem_default = 16384;
    s->tcp_rmem_max = 6291456;
    s->tcp_wmem_max = 4194304;
    s->tcp_early_retrans = 3;
    s->tcp_recovery = SYNACK_RECOVERY_RACK;
    s->rto_min_ms = 200;
    s->rto_max_ms = 120000;
    s->rto_initial_ms = 1000;
    s->delack_min_ms = 40;
    s->delack_max_ms = 200;
}

static int settings_valid(const struct synack_settings *s)
{
    if (s->max_sockets == 0 || s->max_sockets > (1u << 20) || s->buf_chunks > BUFQ_MAX_POOL)
        return 0;
    if (s->ip_local_port_lo == 0 || s->ip_local_port_lo > s->ip_local_port_hi)
        return 0;
    if (s->rto_min_ms == 0 || s->rto_min_ms > s->rto_max_ms || s->msl_ms == 0)
        return 0;
    if (s->tcp_syncookies > 2 || s->tcp_ecn > 2 || s->ip_default_ttl == 0)
        return 0;
    if (!memchr(s->tcp_congestion_control, 0, sizeof(s->tcp_congestion_control)) ||
        tcp_cc_by_name(s->tcp_congestion_control) < 0)
        return 0;
    if (s->tcp_rmem_max / BUFQ_CHUNK_BYTES >= BUFQ_MAX_CHUNKS ||
        s->tcp_wmem_max / BUFQ_CHUNK_BYTES >= BUFQ_MAX_CHUNKS)
        return 0;
    return 1;
}

int synack_stack_create(const struct synack_settings *s, struct synack_stack **out)
{
    *out = NULL;
    if (!settings_valid(s))
        return -EINVAL;
    struct synack_stack *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    st->cfg = *s;
    rng_seed(&st->rng, s->seed);
    rng_bytes(&st->rng, st->flow_secret, sizeof(st->flow_secret));
    rng_bytes(&st->rng, st->isn_secret, sizeof(st->isn_secret));
    rng_bytes(&st->rng, st->cookie_secret, sizeof(st->cookie_secret));
    rng_bytes(&st->rng, st->ts_secret, sizeof(st->ts_secret));
    st->ip_id = (uint16_t)rng_next(&st->rng);
    timer_wheel_init(&st->wheel, 0);

    int err = 0;
    err |= pool_init(&st->socks, "sockets", sizeof(struct tcp_sock), s->max_sockets);
    err |= pool_init(&st->reqs, "syn_queue", sizeof(struct tcp_req), s->max_half_open);
    err |= pool_init(&st->tws, "time_wait", sizeof(struct tcp_tw), s->max_tw_buckets);
    err |= pool_init(&st->chunks, "buf_chunks", BUFQ_CHUNK_BYTES, s->buf_chunks);
    err |= flowtab_init(&st->flows, s->max_sockets + s->max_half_open + s->max_tw_buckets,
                        st->flow_secret);
    err |= flowtab_init(&st->listeners, 64, st->flow_secret);
    st->ports = calloc(65536, sizeof(*st->ports));
    st->sd_tab = calloc(s->max_sockets, sizeof(*st->sd_tab));
    st->sd_free = calloc(s->max_sockets, sizeof(*st->sd_free));
    if (err || !st->ports || !st->sd_tab || !st->sd_free) {
        synack_stack_destroy(st);
        return -ENOMEM;
    }
    /* Lowest id on top of the stack: ids are handed out 0, 1, 2 ... like fds. */
    for (uint32_t i = 0; i < s->max_sockets; i++)
        st->sd_free[i] = s->max_sockets - 1 - i;
    st->sd_nfree = s->max_sockets;
    uint32_t span = (uint32_t)s->ip_local_port_hi - s->ip_local_port_lo + 1;
    st->next_ephemeral = (uint16_t)(s->ip_local_port_lo + rng_below(&st->rng, span));
    *out = st;
    return 0;
}

void synack_stack_destroy(struct synack_stack *st)
{
    if (!st)
        return;
    /* Every socket, entry, timer and buffer lives in the pools: freeing them is enough. */
    pool_free(&st->socks);
    pool_free(&st->reqs);
    pool_free(&st->tws);
    pool_free(&st->chunks);
    flowtab_free(&st->flows);
    flowtab_free(&st->listeners);
    free(st->ports);
    free(st->sd_tab);
    free(st->sd_free);
    free(st);
}

const struct synack_settings *synack_stack_settings(const struct synack_stack *st)
{
    return &st->cfg;
}

int synack_stack_configure(struct synack_stack *st, const struct synack_settings *s)
{
    if (s->seed != st->cfg.seed || s->max_sockets != st->cfg.max_sockets ||
        s->max_half_open != st->cfg.max_half_open ||
        s->max_tw_buckets != st->cfg.max_tw_buckets || s->buf_chunks != st->cfg.buf_chunks)
        return -EINVAL;
    if (!settings_valid(s))
        return -EINVAL;
    st->cfg = *s;
    return 0;
}

int synack_stack_attach_link(struct synack_stack *st, const struct synack_link *link)
{
    if (!link || !link->tx || link->mtu < 576 || link->mtu > 65535)
        return -EINVAL;
    st->link = *link;
    st->has_link = true;
    return 0;
}

static int addr_valid(const struct synack_addr *a)
{
    return a->family == SYNACK_AF_INET || a->family == SYNACK_AF_INET6;
}

int synack_stack_add_addr(struct synack_stack *st, const struct synack_addr *addr,
                          unsigned prefix_len)
{
    if (!addr_valid(addr) || prefix_len > (addr->family == SYNACK_AF_INET ? 32u : 128u))
        return -EINVAL;
    if (stack_owns(st, addr))
        return -EEXIST;
    if (st->naddrs == STACK_MAX_ADDRS)
        return -ENOSPC;
    st->addrs[st->naddrs].addr = *addr;
    st->addrs[st->naddrs].prefix_len = prefix_len;
    st->naddrs++;
    return 0;
}

int synack_stack_owns_addr(const struct synack_stack *st, const struct synack_addr *addr)
{
    return stack_owns(st, addr);
}

int stack_owns(const struct synack_stack *st, const struct synack_addr *addr)
{
    for (int i = 0; i < st->naddrs; i++)
        if (synack_addr_equal(&st->addrs[i].addr, addr))
            return 1;
    return 0;
}

const struct synack_addr *stack_source_for(const struct synack_stack *st,
                                           const struct synack_addr *dst)
{
    for (int i = 0; i < st->naddrs; i++)
        if (st->addrs[i].addr.family == dst->family)
            return &st->addrs[i].addr;
    return NULL;
}

static void advance(struct synack_stack *st, uint64_t now_ns)
{
    if (now_ns > st->now)
        st->now = now_ns;
}

void synack_stack_input_batch(struct synack_stack *st, uint64_t now_ns,
                              const struct synack_packet *pkts, size_t n)
{
    advance(st, now_ns);
    timer_wheel_advance(&st->wheel, st->now, st);
    tcp_batch_begin(st);
    for (size_t i = 0; i < n; i++)
        ip_input(st, pkts[i].data, pkts[i].len);
    tcp_batch_end(st);
    events_flush(st);
}

void synack_stack_input(struct synack_stack *st, uint64_t now_ns, const uint8_t *pkt, size_t len)
{
    struct synack_packet p = {pkt, len};
    synack_stack_input_batch(st, now_ns, &p, 1);
}

uint64_t synack_stack_poll(struct synack_stack *st, uint64_t now_ns)
{
    advance(st, now_ns);
    timer_wheel_advance(&st->wheel, st->now, st);
    events_flush(st);
    return timer_wheel_next_ns(&st->wheel);
}

uint64_t synack_stack_now(const struct synack_stack *st) { return st->now; }

void synack_stack_counters(const struct synack_stack *st, struct synack_counters *out)
{
    *out = st->ctr;
}

int synack_stack_pools(const struct synack_stack *st, struct synack_pool_stats *out, int max)
{
    const struct pool *pools[] = {&st->socks, &st->reqs, &st->tws, &st->chunks};
    int n = (int)(sizeof(pools) / sizeof(pools[0]));
    for (int i = 0; i < n && i < max; i++) {
        out[i].name = pools[i]->name;
        out[i].capacity = pools[i]->capacity;
        out[i].in_use = pools[i]->in_use;
        out[i].peak = pools[i]->peak;
        out[i].refused = pools[i]->refused;
    }
    return n;
}

void synack_set_trace(struct synack_stack *st, synack_trace_cb cb, void *user)
{
    st->trace = cb;
    st->trace_user = user;
}
