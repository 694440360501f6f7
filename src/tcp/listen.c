/* listen.c: passive open: the SYN queue of half-open connections and the accept queue.
 * Read RFC 9293 §3.10.7.2 (LISTEN), §3.10.7.4 (SYN-RECEIVED), RFC 4987 §3.6 (cookies)
 * and the seeds' notes on the two queues before changing. */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "wire/seq.h"

#define COOKIE_FRESH_NS (128ull * 1000000000ull) /* two cookie periods */

/* Like Linux (sk_acceptq_is_full): full once more than min(backlog, somaxconn) wait. */
static bool accept_queue_full(const struct synack_stack *st, const struct tcp_sock *l)
{
    uint32_t limit = l->backlog < st->cfg.somaxconn ? l->backlog : st->cfg.somaxconn;
    return l->acc_len > limit;
}

/* The unscaled window our SYN-ACK offers: the listener's receive buffer (which its
 * children inherit), at most 65535 (RFC 7323 §2.2). */
static uint16_t synack_window(const struct tcp_sock *l)
{
    return (uint16_t)(l->rcvbuf > 65535 ? 65535 : l->rcvbuf);
}

static void send_synack(struct synack_stack *st, struct tcp_req *r)
{
    r->synack_ns = st->now;
    const struct flow_key *k = &r->node.key;
    struct tcp_out o;
    tcp_out_from_key(&o, k, r->iss, r->irs + 1, TCP_SYN | TCP_ACK | (r->ecn_ok ? TCP_ECE : 0));
    o.win = synack_window(r->listener);
    tcp_syn_options(&o.opts, tcp_adv_mss(st, k->laddr.family, r->listener->user_mss),
                    r->ws_ok, r->rcv_wscale, r->ts_ok, tcp_tsval(st, r->ts_offset),
                    r->ts_recent, r->sack_ok);
    tcp_emit(st, &o);
}

/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> from SYN_RCVD (RFC 9293 §3.10.7.4 first step,
 * RFC 5961 challenge ACKs). */
static void req_send_ack(struct synack_stack *st, const struct tcp_req *r)
{
    struct tcp_out o;
    tcp_out_from_key(&o, &r->node.key, r->iss + 1, r->irs + 1, TCP_ACK);
    o.win = (uint16_t)(synack_window(r->listener) >> r->rcv_wscale); /* not a SYN: scaled */
    if (r->ts_ok) {
        o.opts.has = OPT_TS;
        o.opts.ts_val = tcp_tsval(st, r->ts_offset);
        o.opts.ts_ecr = r->ts_recent;
    }
    tcp_emit(st, &o);
}

void tcp_req_free(struct synack_stack *st, struct tcp_req *r)
{
    struct tcp_sock *l = r->listener;
    timer_cancel(&st->wheel, &r->timer);
    flowtab_remove(&st->flows, &r->node);
    if (r->lprev)
        r->lprev->lnext = r->lnext;
    else
        l->reqs = r->lnext;
    if (r->lnext)
        r->lnext->lprev = r->lprev;
    l->syn_len--;
    pool_put(&st->reqs, r);
}

static void req_drop(struct synack_stack *st, struct tcp_req *r, const char *cause)
{
    tcp_trace(st, -1, &r->node.key, SYNACK_TCP_SYN_RCVD, SYNACK_TCP_CLOSED, cause);
    tcp_req_free(st, r);
}

static void req_timer_fire(struct timer *t, void *ctx)
{
    struct synack_stack *st = ctx;
    struct tcp_req *r = container_of(t, struct tcp_req, timer);
    if (r->retries >= st->cfg.tcp_synack_retries) {
        st->ctr.tcp_attempt_fails++;
        req_drop(st, r, "SYN-ACK retries exhausted");
        return;
    }
    /* Exponential backoff from the initial RTO (RFC 6298 §5.5). */
    r->retries++;
    r->synack_once = false;
    st->ctr.synack_retrans++;
    st->ctr.tcp_retrans_segs++;
    send_synack(st, r);
    timer_arm(&st->wheel, &r->timer,
              st->now + ((uint64_t)st->cfg.rto_initial_ms << r->retries) * 1000000ull);
}

/* Builds the established connection a completed handshake (or a valid cookie) yields and
 * puts it on the accept queue. */
static struct tcp_sock *make_child(struct synack_stack *st, struct tcp_sock *l,
                                   const struct tcp_req *r, const struct tcp_seg *seg,
                                   const char *cause)
{
    struct tcp_sock *s = tcp_sock_alloc(st, r->node.key.laddr.family);
    if (!s) {
        stack_drop(st, SYNACK_DROP_NO_MEMORY);
        st->ctr.abort_on_memory++;
        return NULL;
    }
    /* Like Linux: a child inherits the listener's socket options. */
    s->reuseaddr = l->reuseaddr;
    s->keepalive = l->keepalive;
    s->nodelay = l->nodelay;
    s->oobinline = l->oobinline;
    s->linger_on = l->linger_on;
    s->linger_s = l->linger_s;
    s->user_mss = l->user_mss;
    s->keepidle_ms = l->keepidle_ms;
    s->keepintvl_ms = l->keepintvl_ms;
    s->keepcnt = l->keepcnt;
    s->user_timeout_ms = l->user_timeout_ms;
    s->sndbuf = l->sndbuf;
    s->rcvbuf = l->rcvbuf;
    s->sndbuf_locked = l->sndbuf_locked;
    s->rcvbuf_locked = l->rcvbuf_locked;
    s->cc.algo = l->cc.algo;

    s->node.key = r->node.key;
    s->iss = r->iss;
    s->snd_una = s->snd_nxt = s->snd_max = r->iss + 1;
    s->syn_acked = true;
    s->irs = r->irs;
    s->rcv_nxt = r->irs + 1;
    s->rcv_adv = s->rcv_nxt + synack_window(l);
    s->ws_ok = r->ws_ok;
    s->snd_wscale = r->snd_wscale;
    s->rcv_wscale = r->rcv_wscale;
    s->ts_ok = r->ts_ok;
    s->sack_ok = r->sack_ok;
    s->ecn_ok = r->ecn_ok;
    s->peer_mss = r->peer_mss;
    s->ts_recent = r->ts_recent;
    s->ts_recent_ms = stack_now_ms(st);
    s->ts_offset = r->ts_offset;
    s->last_ack_sent = s->rcv_nxt;
    s->snd_wnd = s->max_snd_wnd = (uint32_t)seg->th.win << s->snd_wscale;
    s->snd_wl1 = seg->th.seq;
    s->snd_wl2 = seg->th.ack;
    s->parent = l;
    s->state = SYNACK_TCP_SYN_RCVD;
    tcp_port_hold(st, s);
    tcp_sock_hash(st, s);
    tcp_established(st, s, cause);
    tcp_init_cwnd(s);
    if (r->synack_once) {
        s->rtt_timing = true;
        s->rtt_seq = r->iss;
        s->rtt_start_ns = r->synack_ns;
    }
    tcp_rtt_from_handshake(st, s, &seg->th, r->synack_once ? 0 : r->synack_ns);
    if (l->acc_tail)
        l->acc_tail->acc_next = s;
    else
        l->acc_head = s;
    l->acc_tail = s;
    l->acc_len++;
    events_touch(st, l);
    return s;
}

static bool cookies_active(const struct synack_stack *st, const struct tcp_sock *l)
{
    return st->cfg.tcp_syncookies == 2 ||
           (st->cfg.tcp_syncookies == 1 && l->last_cookie_ns &&
            st->now - l->last_cookie_ns < COOKIE_FRESH_NS);
}

/* An ACK on a listener: the third segment of a cookie handshake, or junk. */
static bool cookie_ack(struct synack_stack *st, struct tcp_sock *l, struct tcp_seg *seg)
{
    const struct wire_tcp *th = &seg->th;
    struct tcp_req r;
    memset(&r, 0, sizeof(r));
    tcp_key_from_seg(&r.node.key, seg);
    if (!tcp_cookie_check(st, &r.node.key, th->seq - 1, th->ack - 1, &r.peer_mss)) {
        st->ctr.syncookies_failed++;
        return false;
    }
    /* RFC 4987 §3.6: options survive only in the timestamp; without it, none. */
    if (st->cfg.tcp_timestamps && (th->opts.has & OPT_TS) &&
        tcp_cookie_ts_decode(th->opts.ts_ecr, &r.ws_ok, &r.snd_wscale, &r.sack_ok, &r.ecn_ok)) {
        r.ts_ok = true;
        r.ts_recent = th->opts.ts_val;
        r.ws_ok = r.ws_ok && st->cfg.tcp_window_scaling;
        r.sack_ok = r.sack_ok && st->cfg.tcp_sack;
        r.rcv_wscale = r.ws_ok ? tcp_our_wscale(st) : 0;
        r.ts_offset = tcp_ts_offset(st, &r.node.key);
    } else {
        r.ws_ok = r.sack_ok = r.ecn_ok = false;
        r.snd_wscale = 0;
    }
    r.iss = th->ack - 1;
    r.irs = th->seq - 1;
    r.listener = l;
    if (accept_queue_full(st, l)) {
        st->ctr.listen_overflows++;
        stack_drop(st, SYNACK_DROP_ACCEPT_QUEUE_FULL);
        return true;
    }
    tcp_trace(st, -1, &r.node.key, SYNACK_TCP_LISTEN, SYNACK_TCP_SYN_RCVD, "rcv ACK (SYN cookie)");
    struct tcp_sock *s = make_child(st, l, &r, seg, "SYN cookie validated");
    if (!s)
        return true;
    st->ctr.syncookies_recv++;
    st->ctr.tcp_passive_opens++;
    tcp_rcv_synchronized(st, s, seg);
    return true;
}

static void send_cookie_synack(struct synack_stack *st, struct tcp_sock *l, struct tcp_seg *seg,
                               const struct tcp_req *r)
{
    const struct wire_tcp *th = &seg->th;
    uint16_t mss;
    uint32_t cookie = tcp_cookie_make(st, &r->node.key, th->seq, r->peer_mss, &mss);
    struct tcp_out o;
    tcp_out_from_key(&o, &r->node.key, cookie, th->seq + 1,
                     TCP_SYN | TCP_ACK | (r->ecn_ok && r->ts_ok ? TCP_ECE : 0));
    o.win = synack_window(l);
    if (r->ts_ok) {
        uint32_t offset = tcp_ts_offset(st, &r->node.key);
        uint32_t tsval = tcp_cookie_tsval(tcp_tsval(st, offset), r->ws_ok, r->snd_wscale,
                                          r->sack_ok, r->ecn_ok);
        tcp_syn_options(&o.opts, tcp_adv_mss(st, r->node.key.laddr.family, l->user_mss),
                        r->ws_ok, r->rcv_wscale, true, tsval, r->ts_recent, r->sack_ok);
    } else {
        /* Like Linux: without timestamps a cookie SYN-ACK offers only the MSS. */
        tcp_syn_options(&o.opts, tcp_adv_mss(st, r->node.key.laddr.family, l->user_mss),
                        false, 0, false, 0, 0, false);
    }
    l->last_cookie_ns = st->now ? st->now : 1;
    st->ctr.syncookies_sent++;
    tcp_emit(st, &o);
}

/* RFC 9293 §3.10.7.2: LISTEN. */
void tcp_listen_input(struct synack_stack *st, struct tcp_sock *l, struct tcp_seg *seg,
                      const uint32_t *isn)
{
    const struct wire_tcp *th = &seg->th;
    /* First, check for a RST: ignore it. */
    if (th->flags & TCP_RST) {
        stack_drop(st, SYNACK_DROP_RST_IGNORED);
        return;
    }
    /* Second, check for an ACK: bad in LISTEN, unless it returns a SYN cookie. */
    if (th->flags & TCP_ACK) {
        if (!(th->flags & TCP_SYN) && cookies_active(st, l) && cookie_ack(st, l, seg))
            return;
        tcp_reply_rst(st, seg); /* <SEQ=SEG.ACK><CTL=RST> */
        stack_drop(st, cookies_active(st, l) ? SYNACK_DROP_BAD_COOKIE : SYNACK_DROP_BAD_ACK);
        return;
    }
    /* Third, check for a SYN.  Like Linux, SYN+FIN is discarded. */
    if (!(th->flags & TCP_SYN) || (th->flags & TCP_FIN)) {
        stack_drop(st, SYNACK_DROP_BAD_FLAGS);
        return;
    }
    /* A full accept queue refuses new SYNs: the client will retry (like Linux). */
    if (accept_queue_full(st, l)) {
        st->ctr.listen_overflows++;
        st->ctr.listen_drops++;
        stack_drop(st, SYNACK_DROP_ACCEPT_QUEUE_FULL);
        return;
    }
    struct tcp_req tmp;
    memset(&tmp, 0, sizeof(tmp));
    tcp_key_from_seg(&tmp.node.key, seg);
    tcp_parse_syn_options(st, th, tmp.node.key.laddr.family, &tmp.ws_ok, &tmp.snd_wscale,
                          &tmp.ts_ok, &tmp.sack_ok, &tmp.peer_mss);
    tmp.rcv_wscale = tmp.ws_ok ? tcp_our_wscale(st) : 0;
    tmp.ecn_ok = tcp_ecn_negotiated(st, th, false);
    tmp.ts_recent = tmp.ts_ok ? th->opts.ts_val : 0;
    tmp.irs = th->seq;
    tmp.listener = l;

    /* The SYN queue (tcp_max_syn_backlog); past it, cookies (RFC 4987) if enabled. */
    bool full = l->syn_len >= st->cfg.tcp_max_syn_backlog ||
                st->reqs.in_use >= st->reqs.capacity;
    if (st->cfg.tcp_syncookies == 2 || (full && st->cfg.tcp_syncookies == 1 && !isn)) {
        send_cookie_synack(st, l, seg, &tmp);
        return;
    }
    if (full) {
        st->ctr.listen_drops++;
        stack_drop(st, SYNACK_DROP_SYN_QUEUE_FULL);
        return;
    }
    struct tcp_req *r = pool_get(&st->reqs);
    *r = tmp;
    r->kind = TCP_FLOW_REQ;
    r->iss = isn ? *isn : tcp_isn(st, &r->node.key);
    r->ts_offset = tcp_ts_offset(st, &r->node.key);
    timer_init(&r->timer, req_timer_fire);
    flowtab_insert(&st->flows, &r->node);
    r->lnext = l->reqs;
    if (l->reqs)
        l->reqs->lprev = r;
    l->reqs = r;
    l->syn_len++;
    st->ctr.tcp_passive_opens++;
    tcp_trace(st, -1, &r->node.key, SYNACK_TCP_LISTEN, SYNACK_TCP_SYN_RCVD, "rcv SYN");
    r->synack_once = true;
    send_synack(st, r);
    timer_arm(&st->wheel, &r->timer, st->now + (uint64_t)st->cfg.rto_initial_ms * 1000000ull);
}

/* RFC 9293 §3.10.7.4 for a half-open connection in SYN_RCVD. */
void tcp_req_input(struct synack_stack *st, struct tcp_req *r, struct tcp_seg *seg)
{
    const struct wire_tcp *th = &seg->th;
    struct tcp_sock *l = r->listener;
    /* The client's SYN again (our SYN-ACK was lost): answer it again. */
    if ((th->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN && th->seq == r->irs) {
        r->synack_once = false;
        send_synack(st, r);
        return;
    }
    /* First, check the sequence number. */
    if (!tcp_seq_acceptable(th->seq, seg->len, r->irs + 1, synack_window(l))) {
        if (!(th->flags & TCP_RST))
            req_send_ack(st, r);
        stack_drop(st, SYNACK_DROP_OUT_OF_WINDOW);
        return;
    }
    /* Second, the RST bit (RFC 5961 §3.2): exactly at RCV.NXT it sends the connection
     * back to LISTEN; elsewhere in the window it draws a challenge ACK. */
    if (th->flags & TCP_RST) {
        if (th->seq == r->irs + 1) {
            st->ctr.tcp_attempt_fails++;
            req_drop(st, r, "rcv RST");
        } else {
            if (tcp_challenge_ack_allowed(st))
                req_send_ack(st, r);
            stack_drop(st, SYNACK_DROP_RST_IGNORED);
        }
        return;
    }
    /* Fourth, a SYN in the window (RFC 5961 §4.2): challenge ACK. */
    if (th->flags & TCP_SYN) {
        if (tcp_challenge_ack_allowed(st))
            req_send_ack(st, r);
        stack_drop(st, SYNACK_DROP_BAD_FLAGS);
        return;
    }
    /* Fifth, the ACK: it must acknowledge our SYN exactly. */
    if (!(th->flags & TCP_ACK)) {
        stack_drop(st, SYNACK_DROP_BAD_ACK);
        return;
    }
    if (th->ack != r->iss + 1) {
        tcp_reply_rst(st, seg); /* <SEQ=SEG.ACK><CTL=RST> */
        stack_drop(st, SYNACK_DROP_BAD_ACK);
        return;
    }
    if (accept_queue_full(st, l)) {
        st->ctr.listen_overflows++;
        stack_drop(st, SYNACK_DROP_ACCEPT_QUEUE_FULL);
        if (st->cfg.tcp_abort_on_overflow) {
            /* Like Linux's tcp_abort_on_overflow: tell the client at once. */
            tcp_reply_rst(st, seg);
            req_drop(st, r, "accept queue full (abort_on_overflow)");
        }
        return; /* else the final ACK is dropped; our SYN-ACK retransmission asks again */
    }
    struct tcp_req copy = *r;
    tcp_req_free(st, r);
    struct tcp_sock *s = make_child(st, l, &copy, seg, "rcv ACK of SYN");
    if (s)
        tcp_rcv_synchronized(st, s, seg);
}

void tcp_listen_stop(struct synack_stack *st, struct tcp_sock *l)
{
    while (l->reqs)
        req_drop(st, l->reqs, "listener closed");
    /* Like Linux: connections never accepted are reset. */
    while (l->acc_head) {
        struct tcp_sock *c = l->acc_head;
        l->acc_head = c->acc_next;
        c->parent = NULL;
        c->acc_next = NULL;
        if (c->state != SYNACK_TCP_CLOSED)
            tcp_send_rst(st, c);
        st->ctr.abort_on_close++;
        tcp_done(st, c, -ECONNABORTED, "listener closed"); /* frees it: no id, no parent */
    }
    l->acc_tail = NULL;
    l->acc_len = 0;
}
