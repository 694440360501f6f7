/* demux.c: finding the connection or listener a segment belongs to, and local ports.
 * Read RFC 9293 §3.4.1 (port reuse) and DESIGN.md principle 5 before changing. */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"

struct flow_node *tcp_lookup(struct synack_stack *st, const struct flow_key *k)
{
    return flowtab_lookup(&st->flows, k);
}

struct tcp_sock *tcp_lookup_listener(struct synack_stack *st, const struct synack_addr *laddr,
                                     uint16_t lport)
{
    struct flow_key k;
    memset(&k, 0, sizeof(k));
    k.laddr = *laddr;
    k.raddr.family = laddr->family;
    k.lport = lport;
    struct flow_node *n = flowtab_lookup(&st->listeners, &k);
    if (!n) {
        memset(k.laddr.bytes, 0, sizeof(k.laddr.bytes)); /* the wildcard listener */
        n = flowtab_lookup(&st->listeners, &k);
    }
    return n ? container_of(n, struct tcp_sock, node) : NULL;
}

/* Like Linux's bind rules: a port is shared only when every holder and the newcomer have
 * SO_REUSEADDR and none listens; TIME_WAIT holds it against binders without
 * SO_REUSEADDR.  Addresses are not told apart (a host here has one address per family). */
int tcp_port_check(struct synack_stack *st, uint16_t port, bool reuseaddr)
{
    const struct port_use *u = &st->ports[port];
    if (u->no_reuse || (u->socks && !reuseaddr) || (u->tw && !reuseaddr))
        return -EADDRINUSE;
    return 0;
}

void tcp_port_hold(struct synack_stack *st, struct tcp_sock *s)
{
    if (s->port_held)
        return;
    struct port_use *u = &st->ports[s->node.key.lport];
    u->socks++;
    s->port_noreuse = !s->reuseaddr || s->state == SYNACK_TCP_LISTEN;
    if (s->port_noreuse)
        u->no_reuse++;
    if (s->port_by_connect)
        u->by_connect++;
    s->port_held = true;
}

void tcp_port_release(struct synack_stack *st, struct tcp_sock *s)
{
    if (!s->port_held)
        return;
    struct port_use *u = &st->ports[s->node.key.lport];
    u->socks--;
    if (s->port_noreuse)
        u->no_reuse--;
    if (s->port_by_connect)
        u->by_connect--;
    s->port_held = false;
    s->port_by_connect = false;
}

/* An ephemeral port for connect: held by nobody but other connect()s (like Linux, one
 * port serves connections to different peers), with the 4-tuple not in use (TIME_WAIT
 * entries included).  Tries the whole range once. */
int tcp_pick_ephemeral(struct synack_stack *st, struct flow_key *k)
{
    uint32_t lo = st->cfg.ip_local_port_lo, hi = st->cfg.ip_local_port_hi;
    uint32_t span = hi - lo + 1;
    uint32_t p = st->next_ephemeral;
    for (uint32_t i = 0; i < span; i++, p++) {
        if (p < lo || p > hi)
            p = lo;
        if (st->ports[p].socks != st->ports[p].by_connect)
            continue;
        k->lport = (uint16_t)p;
        if (tcp_lookup(st, k))
            continue;
        st->next_ephemeral = (uint16_t)(p + 1);
        return 0;
    }
    return -EADDRNOTAVAIL;
}
