/* sock.c: socket lifetime: allocation from the pool, socket ids, flow-table membership.
 * Read DESIGN.md principle 4 (bounded pools) before changing. */
#include <errno.h>

#include "tcp/tcp.h"

struct tcp_sock *tcp_sock_alloc(struct synack_stack *st, uint8_t family)
{
    struct tcp_sock *s = pool_get(&st->socks);
    if (!s)
        return NULL;
    const struct synack_settings *c = &st->cfg;
    s->kind = TCP_FLOW_SOCK;
    s->state = SYNACK_TCP_CLOSED;
    s->family = family;
    s->sd = -1;
    s->node.key.laddr.family = family;
    s->node.key.raddr.family = family;
    s->sndbuf = c->tcp_wmem_default;
    s->rcvbuf = c->tcp_rmem_default;
    s->keepidle_ms = c->tcp_keepalive_time_ms;
    s->keepintvl_ms = c->tcp_keepalive_intvl_ms;
    s->keepcnt = c->tcp_keepalive_probes;
    s->cc.algo = (uint8_t)tcp_cc_by_name(c->tcp_congestion_control);
    s->interest = SYNACK_EV_IN | SYNACK_EV_OUT | SYNACK_EV_ERR | SYNACK_EV_HUP | SYNACK_EV_RDHUP;
    bufq_init(&s->sndq);
    bufq_init(&s->rcvq);
    tcp_timers_init(s);
    tcp_rtt_init(st, s);
    return s;
}

void tcp_sock_free(struct synack_stack *st, struct tcp_sock *s)
{
    tcp_timers_stop(st, s);
    tcp_sock_unhash(s);
    tcp_port_release(st, s);
    bufq_clear(&s->sndq, &st->chunks);
    bufq_clear(&s->rcvq, &st->chunks);
    events_forget(st, s);
    tcp_batch_forget(st, s);
    if (s->tw)
        s->tw->owner = NULL;
    if (s->sd >= 0) {
        st->sd_tab[s->sd] = NULL;
        st->sd_free[st->sd_nfree++] = (uint32_t)s->sd;
    }
    pool_put(&st->socks, s);
}

int tcp_sd_alloc(struct synack_stack *st, struct tcp_sock *s)
{
    if (st->sd_nfree == 0)
        return -EMFILE;
    uint32_t sd = st->sd_free[--st->sd_nfree];
    st->sd_tab[sd] = s;
    s->sd = (int)sd;
    return (int)sd;
}

struct tcp_sock *tcp_sock_by_sd(struct synack_stack *st, int sd)
{
    if (sd < 0 || (uint32_t)sd >= st->cfg.max_sockets)
        return NULL;
    return st->sd_tab[sd];
}

void tcp_sock_hash(struct synack_stack *st, struct tcp_sock *s)
{
    if (s->hashed_in)
        return;
    s->hashed_in = s->state == SYNACK_TCP_LISTEN ? &st->listeners : &st->flows;
    flowtab_insert(s->hashed_in, &s->node);
}

void tcp_sock_unhash(struct tcp_sock *s)
{
    if (!s->hashed_in)
        return;
    flowtab_remove(s->hashed_in, &s->node);
    s->hashed_in = NULL;
}
