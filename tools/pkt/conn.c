/* conn.c: the connections a script talks about (packetdrill's "socket under test") and the
 * mapping between script and live values: ports, sequence-number offsets, TS val pairs.
 * Read pkt.h (struct pkt_conn) and RFC 7323 §3 (TS val / TS ecr) before changing it. */
#include <string.h>

#include "pkt/pkt.h"
#include "wire/tcp.h"

int pkt_conn_new(struct pkt_run *r, enum pkt_conn_state state)
{
    if (r->nconns == PKT_MAX_CONNS) {
        pkt_fail(r, 0, "more than %d connections in one script", PKT_MAX_CONNS);
        return -1;
    }
    struct pkt_conn *c = &r->conns[r->nconns];
    memset(c, 0, sizeof(*c));
    c->state = state;
    return r->nconns++;
}

/* A remote ephemeral port for a connection the script opens from the remote side. */
static uint16_t remote_port(struct pkt_run *r)
{
    uint16_t p = r->next_port++;
    if (r->next_port == 0)
        r->next_port = 49152;
    return p;
}

int pkt_conn_for_inbound(struct pkt_run *r, const struct pkt_packet *p)
{
    int syn = !p->icmp && (p->flags & TCP_SYN) && !(p->flags & TCP_ACK);
    struct pkt_conn *sut = r->sut >= 0 ? &r->conns[r->sut] : NULL;
    if (sut && sut->state != PKT_CONN_LISTENING) {
        if (sut->lport == 0)
            sut->lport = r->cfg.bind_port;
        if (sut->rport == 0)
            sut->rport = remote_port(r);
        return r->sut;
    }
    if (sut && !syn)
        return r->sut; /* a non-SYN to a listener: its ports, no child */
    /* A SYN to a listener, or any packet with no socket: a new connection from a fresh
     * remote port, to the listener's port (or the default bind port). */
    uint16_t lport = sut && sut->lport ? sut->lport : r->cfg.bind_port;
    int id = pkt_conn_new(r, PKT_CONN_PASSIVE);
    if (id < 0)
        return -1;
    r->conns[id].lport = lport;
    r->conns[id].rport = remote_port(r);
    r->sut = id;
    return id;
}

int pkt_conn_for_outbound(struct pkt_run *r, uint16_t sport, uint16_t dport)
{
    for (int i = r->nconns - 1; i >= 0; i--) {
        const struct pkt_conn *c = &r->conns[i];
        if (c->state != PKT_CONN_LISTENING && c->lport == sport && c->rport == dport)
            return i;
    }
    return r->sut;
}

void pkt_conn_ts_remember(struct pkt_conn *c, uint32_t script, uint32_t live)
{
    if (!c->ts_first) {
        c->ts_first = 1;
        c->ts_first_script = script;
        c->ts_first_live = live;
    }
    for (int i = 0; i < c->nts; i++) {
        if (c->ts[i].script == script) {
            c->ts[i].live = live;
            return;
        }
    }
    c->ts[c->ts_next].script = script;
    c->ts[c->ts_next].live = live;
    c->ts_next = (c->ts_next + 1) % PKT_TS_MAP;
    if (c->nts < PKT_TS_MAP)
        c->nts++;
}

int pkt_conn_ts_to_live(const struct pkt_conn *c, uint32_t script, uint32_t *live)
{
    for (int i = 0; i < c->nts; i++) {
        if (c->ts[i].script == script) {
            *live = c->ts[i].live;
            return 0;
        }
    }
    if (!c->ts_first)
        return -1;
    *live = script - c->ts_first_script + c->ts_first_live;
    return 0;
}

uint32_t pkt_conn_ts_to_script(const struct pkt_conn *c, uint32_t live)
{
    if (!c->ts_first)
        return live;
    return live - c->ts_first_live + c->ts_first_script;
}

void pkt_conn_learn_ports(struct pkt_run *r, int conn, int sd)
{
    if (conn < 0)
        return;
    struct synack_sockaddr sa;
    if (synack_getsockname(r->st, sd, &sa) == 0 && sa.port)
        r->conns[conn].lport = sa.port;
    if (synack_getpeername(r->st, sd, &sa) == 0 && sa.port)
        r->conns[conn].rport = sa.port;
}
