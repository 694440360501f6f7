/* sim_check.c: the invariants: bounds on cwnd, RTO, MSS and windows while connections
 * run; legal state transitions; no data sent beyond a FIN on the wire; each connection's
 * ending judged against its plan and the path; pools empty and counters at rest at the end.
 * Read sim.h, RFC 9293 §3.3.2 (figure 5), RFC 6298 §2 and RFC 7323 §2 before changing. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

/* ------------------------------------------------------------------ bounds */

static bool synchronized(int state)
{
    switch (state) {
    case SYNACK_TCP_ESTABLISHED:
    case SYNACK_TCP_FIN_WAIT_1:
    case SYNACK_TCP_FIN_WAIT_2:
    case SYNACK_TCP_CLOSE_WAIT:
    case SYNACK_TCP_CLOSING:
    case SYNACK_TCP_LAST_ACK:
        return true;
    default:
        return false;
    }
}

#define BOUND(cond, ...)                                                                          \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            char what_[160];                                                                      \
            snprintf(what_, sizeof(what_), __VA_ARGS__);                                          \
            sim_fail(s, "conn %d %s in %s: %s", e->c->idx, sim_side_name(e->side),                \
                     synack_tcp_state_name(ti.state), what_);                                     \
            return;                                                                               \
        }                                                                                         \
    } while (0)

static int rcvbuf_of(struct sim *s, const struct sim_ep *e)
{
    int v = 0;
    size_t len = sizeof(v);
    if (e->sd < 0 ||
        synack_getsockopt(s->st[e->side], e->sd, SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF, &v, &len))
        return 0;
    return v;
}

static void check_ep(struct sim *s, struct sim_ep *e)
{
    struct synack_stack *st = s->st[e->side];
    const struct synack_settings *cfg = synack_stack_settings(st);
    struct synack_tcp_info ti;
    if (synack_tcp_info(st, e->sd, &ti) != 0) {
        sim_fail(s, "conn %d %s: tcp_info failed on a live socket", e->c->idx,
                 sim_side_name(e->side));
        return;
    }
    if (!synchronized(ti.state))
        return;
    uint32_t hdr = s->p.ipv6 ? 60 : 40;
    uint32_t mtu = s->p.mtu[0] < s->p.mtu[1] ? s->p.mtu[0] : s->p.mtu[1];
    /* RFC 6298 §2.4-2.5 with Linux's floor and cap. */
    BOUND(ti.rto_ms >= cfg->rto_min_ms && ti.rto_ms <= cfg->rto_max_ms,
          "rto %u ms outside [%u, %u]", ti.rto_ms, cfg->rto_min_ms, cfg->rto_max_ms);
    /* RFC 9293 §3.7.1 / RFC 6691: segments fit both links, options included. */
    BOUND(ti.snd_mss >= 64 && ti.snd_mss + hdr + (ti.ts_ok ? 12u : 0u) <= mtu,
          "snd_mss %u does not fit the path MTU %u", ti.snd_mss, mtu);
    /* RFC 5681: cwnd never below one segment (after an RTO it is exactly one). */
    BOUND(ti.cwnd >= ti.snd_mss && ti.cwnd <= (1u << 30), "cwnd %u with mss %u", ti.cwnd,
          ti.snd_mss);
    /* RFC 5681 §3.1 (4): ssthresh = max(FlightSize / 2, 2 * SMSS). */
    BOUND(ti.ssthresh >= 2 * ti.snd_mss, "ssthresh %u below 2 * mss %u", ti.ssthresh,
          ti.snd_mss);
    /* In flight: at most the queued bytes plus a FIN. */
    BOUND(ti.unacked <= ti.send_q + 1, "%u bytes unacknowledged but only %u queued", ti.unacked,
          ti.send_q);
    /* RFC 9293 §3.8.6: we never offer more than the buffer can hold (read each time:
     * the buffer may grow with auto-tuning, it never shrinks under a window), but for
     * rounding up to the window scale unit so the edge never moves left (RFC 7323 §2.4). */
    int rcvbuf = rcvbuf_of(s, e);
    if (rcvbuf > 0)
        BOUND((uint64_t)ti.rcv_wnd + ti.recv_q <= (uint64_t)rcvbuf + (1ull << ti.rcv_wscale) - 1,
              "receive window %u + unread %u exceed SO_RCVBUF %d", ti.rcv_wnd, ti.recv_q,
              rcvbuf);
    /* The peer's view: our send window is what it offered, at most its buffer (rounded
     * up to its window scale unit, RFC 7323 §2.3). */
    struct sim_ep *peer = &e->c->ep[1 - e->side];
    int peer_rcvbuf = peer->phase == EP_OPEN ? rcvbuf_of(s, peer) : 0;
    if (peer_rcvbuf > 0) {
        uint64_t unit = 1ull << ti.snd_wscale;
        BOUND(ti.snd_wnd <= (uint64_t)peer_rcvbuf + unit - 1,
              "send window %u exceeds the peer's SO_RCVBUF %d (wscale %u)", ti.snd_wnd,
              peer_rcvbuf, ti.snd_wscale);
    }
}

/* The stack sizes what it sends to the link it has: the IP layer refuses nothing. */
static void check_discards(struct sim *s)
{
    for (int side = 0; side < 2; side++) {
        if (s->discards_seen[side])
            continue;
        struct synack_counters ctr;
        synack_stack_counters(s->st[side], &ctr);
        if (ctr.ip_out_discards) {
            s->discards_seen[side] = true;
            sim_fail(s, "%s discarded a packet on output at %.3f s (larger than its link MTU "
                     "%u? a full-sized segment plus SACK blocks?)",
                     sim_side_name(side), (double)sim_now(s) / 1e9, s->p.mtu[side]);
        }
    }
}

void sim_check_bounds(struct sim *s)
{
    check_discards(s);
    for (int i = 0; i < s->nconns; i++)
        for (int side = 0; side < 2; side++) {
            struct sim_ep *e = &s->conns[i].ep[side];
            if (e->phase == EP_OPEN && e->sd >= 0)
                check_ep(s, e);
        }
}

/* ------------------------------------------------------------------ transitions */

/* RFC 9293 figure 5, plus "anything -> CLOSED" (RST, timeout, abort). */
static bool legal(int from, int to)
{
    if (to == SYNACK_TCP_CLOSED)
        return from != SYNACK_TCP_CLOSED;
    switch (from) {
    case SYNACK_TCP_CLOSED:
        return to == SYNACK_TCP_LISTEN || to == SYNACK_TCP_SYN_SENT;
    case SYNACK_TCP_LISTEN:
        return to == SYNACK_TCP_SYN_RCVD;
    case SYNACK_TCP_SYN_SENT:
        return to == SYNACK_TCP_SYN_RCVD || to == SYNACK_TCP_ESTABLISHED;
    case SYNACK_TCP_SYN_RCVD:
        return to == SYNACK_TCP_ESTABLISHED || to == SYNACK_TCP_FIN_WAIT_1 ||
               to == SYNACK_TCP_CLOSE_WAIT;
    case SYNACK_TCP_ESTABLISHED:
        return to == SYNACK_TCP_FIN_WAIT_1 || to == SYNACK_TCP_CLOSE_WAIT;
    case SYNACK_TCP_FIN_WAIT_1:
        return to == SYNACK_TCP_FIN_WAIT_2 || to == SYNACK_TCP_CLOSING ||
               to == SYNACK_TCP_TIME_WAIT;
    case SYNACK_TCP_FIN_WAIT_2:
        return to == SYNACK_TCP_TIME_WAIT;
    case SYNACK_TCP_CLOSE_WAIT:
        return to == SYNACK_TCP_LAST_ACK;
    case SYNACK_TCP_CLOSING:
        return to == SYNACK_TCP_TIME_WAIT;
    default:
        return false;
    }
}

void sim_on_trace(void *user, const struct synack_trace *ev)
{
    struct sim_tref *t = user;
    struct sim *s = t->s;
    if (s->verbose)
        sim_log(s, "%s sd %d port %u->%u: %s -> %s (%s)", sim_side_name(t->side), ev->sd,
                ev->local.port, ev->remote.port, synack_tcp_state_name(ev->old_state),
                synack_tcp_state_name(ev->new_state), ev->cause);
    if (!legal(ev->old_state, ev->new_state))
        sim_fail(s, "%s port %u->%u: illegal transition %s -> %s (%s)", sim_side_name(t->side),
                 ev->local.port, ev->remote.port, synack_tcp_state_name(ev->old_state),
                 synack_tcp_state_name(ev->new_state), ev->cause);
}

/* ------------------------------------------------------------------ the wire */

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool seq_after(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

static struct sim_wflow *wflow(struct sim *s, int from, uint16_t sport, uint16_t dport)
{
    for (int i = 0; i < s->nwflows; i++) {
        struct sim_wflow *f = &s->wflows[i];
        if (f->from == from && f->sport == sport && f->dport == dport)
            return f;
    }
    if (s->nwflows == (int)(sizeof(s->wflows) / sizeof(s->wflows[0])))
        return NULL;
    struct sim_wflow *f = &s->wflows[s->nwflows++];
    memset(f, 0, sizeof(*f));
    f->from = from;
    f->sport = sport;
    f->dport = dport;
    return f;
}

/* Every TCP segment a host sends (before impairments): no byte beyond its FIN, and a FIN
 * that never moves (RFC 9293 §3.6: after CLOSE/SHUTDOWN no more data is sent). */
void sim_on_tap(void *user, int event, int from, int to, uint64_t now, const uint8_t *pkt,
                size_t len)
{
    (void)to;
    struct sim *s = user;
    if (event != SYNACK_MEMLINK_TX)
        return;
    size_t ihl;
    if (len >= 20 && pkt[0] >> 4 == 4) {
        ihl = (size_t)(pkt[0] & 15) * 4;
        if (pkt[9] != 6)
            return;
        size_t tot = (size_t)pkt[2] << 8 | pkt[3];
        if (tot < len)
            len = tot;
    } else if (len >= 40 && pkt[0] >> 4 == 6) {
        ihl = 40;
        if (pkt[6] != 6)
            return;
    } else {
        return;
    }
    if (len < ihl + 20)
        return;
    const uint8_t *th = pkt + ihl;
    uint16_t sport = (uint16_t)(th[0] << 8 | th[1]), dport = (uint16_t)(th[2] << 8 | th[3]);
    uint32_t seq = rd32(th + 4), ack = rd32(th + 8);
    size_t doff = (size_t)(th[12] >> 4) * 4;
    uint8_t flags = th[13];
    if (doff < 20 || ihl + doff > len)
        return;
    uint32_t plen = (uint32_t)(len - ihl - doff);
    int side = from == s->host[0] ? 0 : 1;
    struct sim_wflow *f = wflow(s, from, sport, dport);
    if (!f)
        return;
    f->tx++;
    if (flags & 0x10) {
        /* Our ACK acknowledges the reverse flow's data. */
        struct sim_wflow *r = wflow(s, s->host[1 - side], dport, sport);
        if (r && (!r->peer_ack_valid || seq_after(ack, r->peer_ack))) {
            r->peer_ack_valid = true;
            r->peer_ack = ack;
            r->peer_ack_ns = now;
        }
    }
    /* Keepalive and window probes carry SND.NXT-1 on purpose (RFC 1122 §4.2.3.6; like
     * Linux's probe at SND.UNA-1): the peer answers them, they say nothing here. */
    bool probe = f->peer_ack_valid && seq == f->peer_ack - 1;
    if (!plen && flags == 0x10 && !probe) {
        f->bare_acks++;
        /* The peer acknowledged more than a second ago (time enough to arrive), yet our
         * ACKs still carry a sequence number below it: it drops them as out of window. */
        if (f->peer_ack_valid && now > f->peer_ack_ns + SIM_S && seq_after(f->peer_ack, seq)) {
            if (!f->behind_since)
                f->behind_since = now;
            else if (now > f->behind_since + SIM_MIN && !s->p.harsh && !f->behind_reported) {
                f->behind_reported = true;
                sim_fail(s, "%s port %u->%u has sent ACKs with SEQ %u for %.0f s although the "
                         "peer acknowledged up to %u: the peer drops them as out of window "
                         "(an ACK deadlock after go-back-N?)",
                         sim_side_name(side), sport, dport, seq,
                         (double)(now - f->behind_since) / 1e9, f->peer_ack);
            }
        } else {
            f->behind_since = 0;
        }
    }
    if (flags & 0x04) /* RST: carries nothing */
        return;
    if (flags & 0x02) { /* SYN: a new incarnation */
        f->fin_valid = false;
        return;
    }
    if (f->fin_valid && plen && seq_after(seq + plen, f->fin_seq))
        sim_fail(s, "%s port %u->%u sent data (seq %u, %u bytes) beyond its FIN at %u",
                 sim_side_name(side), sport, dport, seq, plen, f->fin_seq);
    if (flags & 0x01) {
        uint32_t fin = seq + plen;
        if (f->fin_valid && fin != f->fin_seq)
            sim_fail(s, "%s port %u->%u sent a FIN at %u after one at %u", sim_side_name(side),
                     sport, dport, fin, f->fin_seq);
        f->fin_valid = true;
        f->fin_seq = fin;
    }
}

void sim_busiest_flow(struct sim *s, char *out, size_t len)
{
    const struct sim_wflow *best = NULL;
    for (int i = 0; i < s->nwflows; i++)
        if (!best || s->wflows[i].tx > best->tx)
            best = &s->wflows[i];
    if (!best) {
        snprintf(out, len, "no TCP segments");
        return;
    }
    snprintf(out, len, "%s port %u->%u sent %" PRIu64 " segments, %" PRIu64 " of them bare ACKs",
             sim_side_name(best->from == s->host[0] ? 0 : 1), best->sport, best->dport, best->tx,
             best->bare_acks);
}

/* ------------------------------------------------------------------ judging */

static uint64_t drops_toward(struct sim *s, int side)
{
    struct synack_memlink_stats st;
    synack_memlink_stats(s->net, s->host[1 - side], s->host[side], &st);
    return st.lost + st.corrupted + st.queue_drops;
}

/* Packets toward side that may have overtaken others: held back by the reordering
 * impairment, or any at all when jitter can swap neighbours. */
static uint64_t reordered_toward(struct sim *s, int side)
{
    struct synack_memlink_stats st;
    synack_memlink_stats(s->net, s->host[1 - side], s->host[side], &st);
    const struct synack_memlink_impair *imp = &s->p.imp[side == SIM_CLIENT ? 1 : 0];
    return imp->jitter_us ? st.delivered : st.reordered;
}

/* An error an endpoint may legitimately see, given its connection and the path. */
static bool error_fits(struct sim *s, const struct sim_conn *c, const struct sim_ep *e)
{
    bool peer_aborted = c->aborted && c->aborter != e->side;
    /* The peer's application closed so long ago that its orphan may be gone (like Linux:
     * an orphaned FIN_WAIT_2 lives tcp_fin_timeout), so what we send now draws a RST. */
    const struct sim_ep *peer = &c->ep[1 - e->side];
    uint64_t fin_timeout = synack_stack_settings(s->st[1 - e->side])->tcp_fin_timeout_ms * SIM_MS;
    bool peer_long_gone = peer->phase == EP_DONE && e->done_ns >= peer->done_ns + fin_timeout;
    bool reset_fits = peer_aborted || s->p.harsh || peer_long_gone;
    switch (-e->err) {
    case ECONNRESET:
    case EPIPE:
        /* A RST from an abort, from a peer whose connection gave up on a bad path, or
         * from a peer whose orphan ran out its time. */
        return reset_fits;
    case ENOTCONN:
        /* The same RST, when the next call is shutdown(): like Linux (inet_shutdown on a
         * closed socket), it reports ENOTCONN, not the pending ECONNRESET. */
        return reset_fits && e->err_where && !strcmp(e->err_where, "shutdown");
    case ETIMEDOUT:
        /* Retries (SYN, data, keepalive) exhausted: only when loss made it likely. */
        return s->p.harsh;
    default:
        return false;
    }
}

static const char *plan_of(const struct sim_conn *c)
{
    if (!c->aborted)
        return "no abort";
    return c->ep[c->aborter].abort_kind == AB_LINGER0
               ? (c->aborter == SIM_CLIENT ? "client aborted (linger 0)" : "server aborted (linger 0)")
               : (c->aborter == SIM_CLIENT ? "client closed early" : "server closed early");
}

void sim_judge(struct sim *s)
{
    for (int i = 0; i < s->nconns; i++) {
        struct sim_conn *c = &s->conns[i];
        for (int side = 0; side < 2; side++) {
            struct sim_ep *e = &c->ep[side];
            bool peer_aborted = c->aborted && c->aborter != side;
            bool ok;
            switch (e->end) {
            case END_OK:
            case END_ABORTED:
                ok = true;
                break;
            case END_ERROR:
                if (!e->err)
                    continue; /* reported where it happened */
                ok = error_fits(s, c, e);
                break;
            case END_EARLY_EOF:
                /* A FIN before all the data: only from a peer that closed in the middle. */
                ok = peer_aborted && c->ep[c->aborter].abort_kind == AB_EARLY_CLOSE;
                break;
            case END_PATIENCE:
                /* The peer is gone and never told us: its RST (or our probes) were lost,
                 * or the RST overtook data and so fell beyond RCV.NXT, where RFC 5961
                 * §3.2 only challenges it, and the RST that answers the challenge fell
                 * behind that data, or the ACK that would have drawn one was lost. */
                ok = s->p.harsh ||
                     (peer_aborted && (drops_toward(s, side) > 0 || drops_toward(s, 1 - side) > 0 ||
                                       reordered_toward(s, side) > 0));
                break;
            case END_NOT_ACCEPTED:
                ok = s->p.harsh || c->aborted;
                break;
            case END_STALLED:
                /* Still open at the deadline: on a harsh path RTO backoff (up to 120 s a
                 * retransmission) can make a transfer that slow; elsewhere it is a hang. */
                ok = s->p.harsh;
                break;
            default:
                ok = false;
                break;
            }
            if (ok)
                continue;
            char why[96] = "";
            if (e->end == END_ERROR)
                snprintf(why, sizeof(why), ": %s %s", e->err_where, synack_strerror(e->err));
            else if (e->end == END_STALLED)
                snprintf(why, sizeof(why), " in %s at the %llu min deadline",
                         e->err >= 0 ? synack_tcp_state_name(e->err) : "(no socket)",
                         (unsigned long long)(SIM_DEADLINE / SIM_MIN));
            sim_fail(s, "conn %d %s ended %s%s (out %" PRIu64 "/%" PRIu64 ", in %" PRIu64
                     "/%" PRIu64 "; %s, %s path, peer %s)",
                     i, sim_side_name(side), sim_end_name(e->end), why, e->out_done,
                     e->out_total, e->in_done, e->in_total, plan_of(c),
                     s->p.harsh ? "harsh" : "mild", sim_end_name(c->ep[1 - side].end));
        }
    }
}

/* ------------------------------------------------------------------ the end */

struct leftovers {
    char text[160];
    size_t len;
    int n;
};

static void note_conn(void *user, const struct synack_conn *c)
{
    struct leftovers *l = user;
    if (l->n++ < 3 && l->len < sizeof(l->text))
        l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len, " %u->%u %s",
                                   c->local.port, c->remote.port,
                                   synack_tcp_state_name(c->info.state));
}

bool sim_pools_empty(struct sim *s, bool report)
{
    bool empty = true;
    for (int side = 0; side < 2; side++) {
        struct synack_pool_stats p[8];
        int n = synack_stack_pools(s->st[side], p, 8);
        for (int i = 0; i < n && i < 8; i++) {
            if (!p[i].in_use)
                continue;
            empty = false;
            if (!report)
                return false;
            struct leftovers l;
            memset(&l, 0, sizeof(l));
            synack_stack_connections(s->st[side], note_conn, &l);
            sim_fail(s, "%s pool %s has %u in use %llu min after the last close (%d entries:%s)",
                     sim_side_name(side), p[i].name, p[i].in_use,
                     (unsigned long long)(SIM_DRAIN / SIM_MIN), l.n, l.text);
        }
    }
    return empty;
}

void sim_check_final(struct sim *s)
{
    check_discards(s);
    for (int side = 0; side < 2; side++) {
        struct synack_counters ctr;
        synack_stack_counters(s->st[side], &ctr);
        if (ctr.tcp_curr_estab != 0)
            sim_fail(s, "%s: tcp_curr_estab is %" PRIu64 " with no connection left",
                     sim_side_name(side), ctr.tcp_curr_estab);
        if (s->verbose)
            sim_log(s, "%s: segs in %" PRIu64 " out %" PRIu64 " retrans %" PRIu64
                    " timeouts %" PRIu64 " resets %" PRIu64 " rsts out %" PRIu64,
                    sim_side_name(side), ctr.tcp_in_segs, ctr.tcp_out_segs,
                    ctr.tcp_retrans_segs, ctr.timeouts, ctr.tcp_estab_resets, ctr.tcp_out_rsts);
    }
    struct synack_memlink_stats ls;
    synack_memlink_stats(s->net, -1, -1, &ls);
    if (ls.mtu_drops)
        sim_fail(s, "%" PRIu64 " packet(s) larger than the link MTU were sent", ls.mtu_drops);
    if (s->verbose)
        sim_log(s, "link: sent %" PRIu64 " delivered %" PRIu64 " lost %" PRIu64 " dup %" PRIu64
                " reordered %" PRIu64 " corrupted %" PRIu64 " queue drops %" PRIu64,
                ls.sent, ls.delivered, ls.lost, ls.duplicated, ls.reordered, ls.corrupted,
                ls.queue_drops);
}
