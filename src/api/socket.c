/* socket.c: the socket calls: socket, bind, listen, accept, connect, send, recv,
 * shutdown, close, names, state.  Read RFC 9293 §3.10.1-3.10.6 (user calls) and the
 * Linux behaviours DESIGN.md principle 6 promises before changing. */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "wire/seq.h"

static bool addr_is_any(const struct synack_addr *a)
{
    static const uint8_t zero[16];
    return memcmp(a->bytes, zero, sizeof(zero)) == 0;
}

int synack_socket(struct synack_stack *st, int family, int type)
{
    if (family != SYNACK_AF_INET && family != SYNACK_AF_INET6)
        return -EAFNOSUPPORT;
    if (type != SYNACK_SOCK_STREAM)
        return -EPROTONOSUPPORT;
    struct tcp_sock *s = tcp_sock_alloc(st, (uint8_t)family);
    if (!s)
        return -EMFILE;
    int sd = tcp_sd_alloc(st, s);
    if (sd < 0) {
        tcp_sock_free(st, s);
        return sd;
    }
    events_touch(st, s);
    return sd;
}

/* A free port from the ephemeral range for bind(port 0) or an implicit bind. */
static int autobind(struct synack_stack *st, struct tcp_sock *s)
{
    uint32_t lo = st->cfg.ip_local_port_lo, hi = st->cfg.ip_local_port_hi;
    uint32_t p = st->next_ephemeral;
    for (uint32_t i = 0; i <= hi - lo; i++, p++) {
        if (p < lo || p > hi)
            p = lo;
        if (tcp_port_check(st, (uint16_t)p, false) == 0) {
            st->next_ephemeral = (uint16_t)(p + 1);
            s->node.key.lport = (uint16_t)p;
            tcp_port_hold(st, s);
            return 0;
        }
    }
    return -EADDRINUSE;
}

int synack_bind(struct synack_stack *st, int sd, const struct synack_sockaddr *addr)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    if (addr->addr.family != s->family)
        return -EAFNOSUPPORT;
    if (s->port_held || s->state != SYNACK_TCP_CLOSED || s->connected_once)
        return -EINVAL;
    if (!addr_is_any(&addr->addr) && !stack_owns(st, &addr->addr))
        return -EADDRNOTAVAIL;
    s->node.key.laddr = addr->addr;
    s->bind_locked = true;
    if (!addr->port)
        return autobind(st, s);
    int err = tcp_port_check(st, addr->port, s->reuseaddr);
    if (err)
        return err;
    s->node.key.lport = addr->port;
    tcp_port_hold(st, s);
    return 0;
}

int synack_listen(struct synack_stack *st, int sd, int backlog)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    /* Like Linux: a negative or too large backlog means somaxconn. */
    uint32_t b = backlog < 0 || (uint32_t)backlog > st->cfg.somaxconn ? st->cfg.somaxconn
                                                                        : (uint32_t)backlog;
    if (s->state == SYNACK_TCP_LISTEN) {
        s->backlog = b;
        return 0;
    }
    if (s->state != SYNACK_TCP_CLOSED || s->connected_once)
        return -EINVAL;
    if (!s->port_held) {
        int err = autobind(st, s);
        if (err)
            return err;
    }
    /* A listener shares its port with nobody (see tcp_port_check). */
    tcp_port_release(st, s);
    if (st->ports[s->node.key.lport].socks) {
        tcp_port_hold(st, s);
        return -EADDRINUSE;
    }
    s->backlog = b;
    memset(s->node.key.raddr.bytes, 0, sizeof(s->node.key.raddr.bytes));
    s->node.key.rport = 0;
    tcp_set_state(st, s, SYNACK_TCP_LISTEN, "listen()");
    tcp_port_hold(st, s);
    tcp_sock_hash(st, s);
    return 0;
}

static void fill_sockaddr(struct synack_sockaddr *out, const struct synack_addr *a, uint16_t port)
{
    memset(out, 0, sizeof(*out));
    out->addr = *a;
    out->port = port;
}

int synack_accept(struct synack_stack *st, int sd, struct synack_sockaddr *peer)
{
    struct tcp_sock *l = tcp_sock_by_sd(st, sd);
    if (!l)
        return -EBADF;
    if (l->state != SYNACK_TCP_LISTEN)
        return -EINVAL;
    struct tcp_sock *c = l->acc_head;
    if (!c)
        return -EAGAIN;
    int csd = tcp_sd_alloc(st, c);
    if (csd < 0)
        return csd; /* the connection stays queued */
    l->acc_head = c->acc_next;
    if (!l->acc_head)
        l->acc_tail = NULL;
    l->acc_len--;
    c->acc_next = NULL;
    c->parent = NULL;
    if (peer)
        fill_sockaddr(peer, &c->node.key.raddr, c->node.key.rport);
    events_touch(st, l);
    events_touch(st, c);
    return csd;
}

int synack_connect(struct synack_stack *st, int sd, const struct synack_sockaddr *peer)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    switch (s->state) {
    case SYNACK_TCP_CLOSED:
        break;
    case SYNACK_TCP_SYN_SENT:
    case SYNACK_TCP_SYN_RCVD:
        return -EALREADY;
    default:
        return -EISCONN;
    }
    if (s->connected_once)
        return -EISCONN;
    if (peer->addr.family != s->family)
        return -EAFNOSUPPORT;
    const struct synack_addr *src = stack_source_for(st, &peer->addr);
    if (!src || !peer->port)
        return src ? -EINVAL : -ENETUNREACH;
    struct flow_key k = s->node.key;
    if (!s->port_held || addr_is_any(&k.laddr))
        k.laddr = *src;
    k.raddr = peer->addr;
    k.rport = peer->port;
    if (!s->port_held) {
        if (tcp_pick_ephemeral(st, &k))
            return -EADDRNOTAVAIL;
        s->port_by_connect = true;
    } else if (tcp_lookup(st, &k)) {
        return -EADDRNOTAVAIL; /* the 4-tuple is taken (TIME_WAIT included) */
    }
    s->node.key = k;
    tcp_port_hold(st, s);
    s->active_open = true;
    s->rcv_shut = s->snd_shut = false;
    s->err = s->soft_err = 0;
    s->iss = tcp_isn(st, &k);
    s->snd_una = s->iss;
    s->snd_nxt = s->snd_max = s->iss + 1;
    s->rcv_wscale = st->cfg.tcp_window_scaling ? tcp_our_wscale(st) : 0;
    s->ts_offset = tcp_ts_offset(st, &k);
    s->retransmits = s->backoff = 0;
    s->head_sent_ns = st->now;
    s->rtt_timing = true; /* RFC 6298 §3: the SYN is timed unless retransmitted */
    s->rtt_seq = s->iss;
    s->rtt_start_ns = st->now;
    tcp_sock_hash(st, s);
    tcp_set_state(st, s, SYNACK_TCP_SYN_SENT, "connect()");
    tcp_send_syn(st, s);
    tcp_arm_rtx(st, s);
    return -EINPROGRESS;
}

ssize_t synack_send(struct synack_stack *st, int sd, const void *buf, size_t len, int flags)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    if (s->err) {
        int err = s->err;
        s->err = 0;
        events_touch(st, s);
        return err;
    }
    if (s->snd_shut || s->state == SYNACK_TCP_CLOSED || s->state == SYNACK_TCP_LISTEN)
        return -EPIPE; /* like Linux, also for a socket never connected */
    if (s->state == SYNACK_TCP_SYN_SENT || s->state == SYNACK_TCP_SYN_RCVD)
        return -EAGAIN;
    if (!len)
        return 0;
    size_t room = s->sndq.len < s->sndbuf ? s->sndbuf - s->sndq.len : 0;
    size_t n = bufq_append(&s->sndq, &st->chunks, buf, len < room ? len : room);
    if (!n)
        return -EAGAIN;
    if (flags & SYNACK_MSG_OOB) {
        /* RFC 6093 §3: the urgent pointer just past the last byte queued. */
        s->snd_up = s->snd_una + s->sndq.len;
        s->urg_mode = true;
    }
    tcp_output(st, s);
    events_touch(st, s);
    return (ssize_t)n;
}

/* Like Linux's tcp_cleanup_rbuf: a read that at least doubles a window that had
 * shrunk to half the buffer or less is announced at once. */
static void window_update(struct synack_stack *st, struct tcp_sock *s)
{
    if (s->state != SYNACK_TCP_ESTABLISHED && s->state != SYNACK_TCP_FIN_WAIT_1 &&
        s->state != SYNACK_TCP_FIN_WAIT_2)
        return;
    uint32_t now_wnd = seq_gt(s->rcv_adv, s->rcv_nxt) ? s->rcv_adv - s->rcv_nxt : 0;
    if (2 * now_wnd <= s->rcvbuf && tcp_rcv_space(s) >= 2 * now_wnd + s->rcv_mss)
        tcp_send_ack(st, s);
}

/* recv(MSG_OOB): the urgent byte, as Linux's tcp_recv_urg. */
static ssize_t recv_urgent(struct synack_stack *st, struct tcp_sock *s, void *buf, size_t len,
                           int flags)
{
    if (s->oobinline || s->urg_state == URG_NONE || s->urg_state == URG_READ)
        return -EINVAL;
    if (s->urg_state == URG_NOTYET)
        return s->rcv_shut ? 0 : -EAGAIN;
    if (!len)
        return 0;
    *(uint8_t *)buf = s->urg_byte;
    if (!(flags & SYNACK_MSG_PEEK)) {
        s->urg_state = URG_READ;
        events_touch(st, s);
    }
    return 1;
}

ssize_t synack_recv(struct synack_stack *st, int sd, void *buf, size_t len, int flags)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    if (s->state == SYNACK_TCP_LISTEN)
        return -ENOTCONN;
    if (flags & SYNACK_MSG_OOB)
        return recv_urgent(st, s, buf, len, flags);
    if (s->rcvq.len && len && s->urg_state != URG_NONE && !s->oobinline) {
        /* Without SO_OOBINLINE the urgent byte is not part of the stream: skip it when
         * it is next, and stop short of it otherwise (like Linux's tcp_recvmsg). */
        uint32_t off = s->urg_seq - tcp_read_seq(s);
        if (off == 0) {
            bufq_consume(&s->rcvq, &st->chunks, 1);
            if (s->urg_state == URG_READ)
                s->urg_state = URG_NONE;
            return synack_recv(st, sd, buf, len, flags);
        }
        if (off < len)
            len = off;
    }
    if (s->rcvq.len && len) {
        size_t n = bufq_peek(&s->rcvq, &st->chunks, 0, buf, len);
        if (!(flags & SYNACK_MSG_PEEK)) {
            bufq_consume(&s->rcvq, &st->chunks, n);
            tcp_rcvbuf_adjust(st, s);
            window_update(st, s);
            events_touch(st, s);
        }
        return (ssize_t)n;
    }
    if (s->err) {
        int err = s->err;
        s->err = 0;
        events_touch(st, s);
        return err;
    }
    if (s->rcv_shut)
        return 0;
    if (s->state == SYNACK_TCP_CLOSED)
        return -ENOTCONN;
    return -EAGAIN;
}

/* close() or shutdown(SHUT_WR): queue the FIN (RFC 9293 §3.10.4). */
static void start_close(struct synack_stack *st, struct tcp_sock *s, const char *cause)
{
    if (s->snd_shut)
        return;
    s->snd_shut = true;
    s->fin_queued = true;
    if (s->state == SYNACK_TCP_SYN_RCVD) {
        /* RFC 9293 §3.10.4: CLOSE in SYN-RECEIVED with nothing queued (send() waits for
         * ESTABLISHED): the FIN follows our unacknowledged SYN, FIN-WAIT-1. */
        tcp_set_state(st, s, SYNACK_TCP_FIN_WAIT_1, cause);
        tcp_send_syn_fin(st, s);
        events_touch(st, s);
        return;
    }
    if (s->state == SYNACK_TCP_ESTABLISHED)
        tcp_set_state(st, s, SYNACK_TCP_FIN_WAIT_1, cause);
    else if (s->state == SYNACK_TCP_CLOSE_WAIT)
        tcp_set_state(st, s, SYNACK_TCP_LAST_ACK, cause);
    tcp_output(st, s);
    events_touch(st, s);
}

int synack_shutdown(struct synack_stack *st, int sd, int how)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    if (how < SYNACK_SHUT_RD || how > SYNACK_SHUT_RDWR)
        return -EINVAL;
    switch (s->state) {
    case SYNACK_TCP_CLOSED:
        return -ENOTCONN;
    case SYNACK_TCP_LISTEN:
        /* Like Linux: SHUT_RD stops a listener; SHUT_WR does nothing. */
        if (how != SYNACK_SHUT_WR) {
            tcp_listen_stop(st, s);
            tcp_sock_unhash(s);
            tcp_set_state(st, s, SYNACK_TCP_CLOSED, "shutdown()");
        }
        return 0;
    case SYNACK_TCP_SYN_SENT:
        /* Like Linux: shutting down an attempt abandons it. */
        tcp_done(st, s, 0, "shutdown()");
        return 0;
    default:
        break;
    }
    if (how != SYNACK_SHUT_WR) {
        s->rcv_shut = true;
        events_touch(st, s);
    }
    if (how != SYNACK_SHUT_RD)
        start_close(st, s, "shutdown()");
    return 0;
}

int synack_close(struct synack_stack *st, int sd)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    st->sd_tab[sd] = NULL;
    st->sd_free[st->sd_nfree++] = (uint32_t)sd;
    s->sd = -1;
    s->cb = NULL;
    events_forget(st, s);
    switch (s->state) {
    case SYNACK_TCP_LISTEN:
        tcp_listen_stop(st, s);
        tcp_set_state(st, s, SYNACK_TCP_CLOSED, "close()");
        tcp_sock_free(st, s);
        return 0;
    case SYNACK_TCP_CLOSED:
    case SYNACK_TCP_TIME_WAIT: /* the compact entry lives on without its owner */
        tcp_sock_free(st, s);
        return 0;
    case SYNACK_TCP_SYN_SENT:
        tcp_done(st, s, 0, "close()");
        return 0;
    default:
        break;
    }
    if (s->rcvq.len) {
        /* RFC 9293 §3.10.4 / RFC 2525 §2.17, as Linux: closing with unread data aborts
         * with a RST so the peer knows the data was lost. */
        st->ctr.abort_on_close++;
        tcp_send_rst(st, s);
        tcp_done(st, s, 0, "close() with unread data");
        return 0;
    }
    if (s->linger_on && s->linger_s == 0) {
        /* SO_LINGER {1, 0}: abort with a RST (RFC 9293 §3.10.5 ABORT). */
        st->ctr.abort_on_linger++;
        tcp_send_rst(st, s);
        tcp_done(st, s, 0, "close() with SO_LINGER 0");
        return 0;
    }
    s->rcv_shut = true;
    start_close(st, s, "close()");
    if (s->state == SYNACK_TCP_FIN_WAIT_2)
        timer_arm(&st->wheel, &s->ka_timer,
                  st->now + (uint64_t)st->cfg.tcp_fin_timeout_ms * 1000000u);
    return 0;
}

int synack_getsockname(struct synack_stack *st, int sd, struct synack_sockaddr *out)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    fill_sockaddr(out, &s->node.key.laddr, s->node.key.lport);
    return 0;
}

int synack_getpeername(struct synack_stack *st, int sd, struct synack_sockaddr *out)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    /* Like Linux: no peer while CLOSED, LISTEN or SYN_SENT. */
    if (s->state == SYNACK_TCP_CLOSED || s->state == SYNACK_TCP_LISTEN ||
        s->state == SYNACK_TCP_SYN_SENT)
        return -ENOTCONN;
    fill_sockaddr(out, &s->node.key.raddr, s->node.key.rport);
    return 0;
}

int synack_state(struct synack_stack *st, int sd)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    return s ? s->state : -EBADF;
}

static void sock_info(struct synack_stack *st, struct tcp_sock *s, struct synack_tcp_info *out)
{
    memset(out, 0, sizeof(*out));
    out->state = s->state;
    out->snd_mss = s->snd_mss;
    out->rcv_mss = s->rcv_mss;
    out->rto_ms = tcp_rto_current(st, s);
    out->srtt_us = s->srtt_us;
    out->rttvar_us = s->rttvar_us;
    out->cwnd = s->cc.cwnd;
    out->ssthresh = s->cc.ssthresh;
    out->snd_wnd = s->snd_wnd;
    out->rcv_wnd = seq_gt(s->rcv_adv, s->rcv_nxt) ? s->rcv_adv - s->rcv_nxt : 0;
    out->unacked = s->snd_max - s->snd_una;
    out->retransmits = s->total_retrans;
    out->backoff = s->backoff;
    out->snd_wscale = s->snd_wscale;
    out->rcv_wscale = s->rcv_wscale;
    out->ts_ok = s->ts_ok;
    out->sack_ok = s->sack_ok;
    out->ecn_ok = s->ecn_ok;
    out->recv_q = s->rcvq.len;
    out->send_q = s->sndq.len;
    const struct timer *t = NULL;
    if (timer_armed(&s->rtx_timer)) {
        t = &s->rtx_timer;
        out->timer = s->rtx_kind == RTX_PERSIST ? SYNACK_TIMER_PERSIST : SYNACK_TIMER_RETRANSMIT;
    } else if (s->tw) {
        t = &s->tw->timer;
        out->timer = SYNACK_TIMER_TIME_WAIT;
    } else if (timer_armed(&s->ka_timer)) {
        t = &s->ka_timer;
        out->timer = s->state == SYNACK_TCP_FIN_WAIT_2 ? SYNACK_TIMER_FIN_WAIT_2
                                                       : SYNACK_TIMER_KEEPALIVE;
    } else if (timer_armed(&s->delack_timer)) {
        t = &s->delack_timer;
        out->timer = SYNACK_TIMER_DELACK;
    }
    if (t)
        out->timer_expires_ns = timer_expires_ns(t);
}

int synack_tcp_info(struct synack_stack *st, int sd, struct synack_tcp_info *out)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    sock_info(st, s, out);
    return 0;
}

static int walk(struct synack_stack *st, const struct flowtab *t, synack_conn_cb cb, void *user)
{
    int n = 0;
    for (uint32_t b = 0; b <= t->mask; b++) {
        for (struct flow_node *fn = t->buckets[b]; fn; fn = fn->next, n++) {
            struct synack_conn c;
            memset(&c, 0, sizeof(c));
            c.sd = -1;
            fill_sockaddr(&c.local, &fn->key.laddr, fn->key.lport);
            fill_sockaddr(&c.remote, &fn->key.raddr, fn->key.rport);
            switch (tcp_flow_kind(fn)) {
            case TCP_FLOW_SOCK: {
                struct tcp_sock *s = container_of(fn, struct tcp_sock, node);
                c.sd = s->sd;
                sock_info(st, s, &c.info);
                break;
            }
            case TCP_FLOW_REQ: {
                struct tcp_req *r = container_of(fn, struct tcp_req, node);
                c.info.state = SYNACK_TCP_SYN_RCVD;
                c.info.timer = SYNACK_TIMER_RETRANSMIT;
                c.info.timer_expires_ns = timer_expires_ns(&r->timer);
                c.info.retransmits = r->retries;
                break;
            }
            case TCP_FLOW_TW: {
                struct tcp_tw *tw = container_of(fn, struct tcp_tw, node);
                c.sd = tw->owner ? tw->owner->sd : -1;
                c.info.state = SYNACK_TCP_TIME_WAIT;
                c.info.timer = SYNACK_TIMER_TIME_WAIT;
                c.info.timer_expires_ns = timer_expires_ns(&tw->timer);
                break;
            }
            }
            cb(user, &c);
        }
    }
    return n;
}

int synack_stack_connections(struct synack_stack *st, synack_conn_cb cb, void *user)
{
    return walk(st, &st->listeners, cb, user) + walk(st, &st->flows, cb, user);
}
