/* input.c: segment arrival, RFC 9293 §3.10.7 in its own order, hardened by RFC 5961 and
 * RFC 7323 §5 (PAWS).  Read those sections before changing; each step is headed below. */
#include <errno.h>
#include <string.h>

#include "ip/ip.h"
#include "tcp/tcp.h"
#include "wire/seq.h"

static void syn_sent_input(struct synack_stack *st, struct tcp_sock *s, struct tcp_seg *seg);

void tcp_input(struct synack_stack *st, const struct wire_ip *ip)
{
    struct tcp_seg seg;
    seg.ip = ip;
    bool verify = !(st->has_link && (st->link.caps & SYNACK_LINK_CAP_CSUM));
    int reason = wire_tcp_parse(ip->payload, ip->payload_len, &ip->src, &ip->dst, verify, &seg.th);
    if (reason) {
        st->ctr.tcp_in_errs++;
        stack_drop(st, reason);
        return;
    }
    st->ctr.tcp_in_segs++;
    const struct wire_tcp *th = &seg.th;
    if (!th->sport || !th->dport) {
        stack_drop(st, SYNACK_DROP_BAD_PORT);
        return;
    }
    seg.len = (uint32_t)th->payload_len + ((th->flags & TCP_SYN) ? 1 : 0) +
              ((th->flags & TCP_FIN) ? 1 : 0);

    struct flow_key k;
    tcp_key_from_seg(&k, &seg);
    struct flow_node *n = tcp_lookup(st, &k);
    if (n) {
        switch (tcp_flow_kind(n)) {
        case TCP_FLOW_SOCK: {
            struct tcp_sock *s = container_of(n, struct tcp_sock, node);
            if (s->state == SYNACK_TCP_SYN_SENT)
                syn_sent_input(st, s, &seg);
            else
                tcp_rcv_synchronized(st, s, &seg);
            return;
        }
        case TCP_FLOW_REQ:
            tcp_req_input(st, container_of(n, struct tcp_req, node), &seg);
            return;
        case TCP_FLOW_TW:
            tcp_tw_input(st, container_of(n, struct tcp_tw, node), &seg);
            return;
        }
    }
    struct tcp_sock *l = tcp_lookup_listener(st, &ip->dst, th->dport);
    if (l) {
        tcp_listen_input(st, l, &seg, NULL);
        return;
    }
    /* RFC 9293 §3.10.7.1: CLOSED: anything but a RST is answered with a RST. */
    stack_drop(st, SYNACK_DROP_NO_LISTENER);
    tcp_reply_rst(st, &seg);
}

/* Takes the options of the peer's SYN into the TCB. */
static void take_syn_options(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th)
{
    tcp_parse_syn_options(st, th, s->family, &s->ws_ok, &s->snd_wscale, &s->ts_ok, &s->sack_ok,
                          &s->peer_mss);
    if (!s->ws_ok)
        s->rcv_wscale = 0; /* RFC 7323 §2.2: scaling needs both SYNs to offer it */
    if (s->ts_ok) {
        s->ts_recent = th->opts.ts_val;
        s->ts_recent_ms = stack_now_ms(st);
    }
}

/* RFC 6928 initial window, the stack's or the socket's algorithm (RFC 9438 default). */
void tcp_init_cwnd(struct tcp_sock *s)
{
    tcp_cc_init(&s->cc, s->cc.algo, s->snd_mss);
    s->recover = s->ecn_recover = s->iss;
}

/* RFC 9293 §3.10.7.3: SYN-SENT. */
static void syn_sent_input(struct synack_stack *st, struct tcp_sock *s, struct tcp_seg *seg)
{
    const struct wire_tcp *th = &seg->th;
    bool ack_ok = false;
    /* First, check the ACK bit. */
    if (th->flags & TCP_ACK) {
        if (seq_le(th->ack, s->iss) || seq_gt(th->ack, s->snd_max)) {
            tcp_reply_rst(st, seg); /* <SEQ=SEG.ACK><CTL=RST>, never to a RST */
            stack_drop(st, SYNACK_DROP_BAD_ACK);
            return;
        }
        ack_ok = seq_lt(s->snd_una, th->ack) && seq_le(th->ack, s->snd_max);
    }
    /* Second, check the RST bit: with an acceptable ACK the connection was refused. */
    if (th->flags & TCP_RST) {
        if (ack_ok)
            tcp_done(st, s, -ECONNREFUSED, "rcv RST (refused)");
        else
            stack_drop(st, SYNACK_DROP_RST_IGNORED);
        return;
    }
    /* Third, security: no compartments here.  Fourth, check the SYN bit. */
    if (!(th->flags & TCP_SYN)) {
        stack_drop(st, SYNACK_DROP_BAD_FLAGS);
        return;
    }
    s->irs = th->seq;
    s->rcv_nxt = th->seq + 1;
    /* The window our SYN offered (unscaled, RFC 7323 §2.2) is the right edge so far. */
    s->rcv_adv = s->rcv_nxt + tcp_window_field(s, true);
    take_syn_options(st, s, th);
    s->ecn_ok = ack_ok && tcp_ecn_negotiated(st, th, true);
    /* RFC 7323 §2.2: the window of a SYN is not scaled. */
    s->snd_wnd = s->max_snd_wnd = th->win;
    s->snd_wl1 = th->seq;
    s->snd_wl2 = th->ack;
    if (ack_ok) {
        s->snd_una = th->ack;
        s->syn_acked = true;
        tcp_rtt_from_handshake(st, s, th, s->retransmits ? s->rtx_stamp_ns : 0);
        s->retransmits = 0;
        s->backoff = 0;
        timer_cancel(&st->wheel, &s->rtx_timer);
        s->rtx_kind = RTX_NONE;
        tcp_established(st, s, "rcv SYN-ACK");
        tcp_init_cwnd(s);
        st->ctr.tcp_active_opens++;
        /* Send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; any text is processed from the
         * sixth step on, which the synchronized path does. */
        s->ack_now = true;
        if (th->payload_len || (th->flags & TCP_FIN)) {
            seg->th.flags &= (uint8_t)~TCP_SYN;
            seg->th.seq += 1;
            seg->len -= 1;
            tcp_rcv_synchronized(st, s, seg);
            return;
        }
        tcp_input_finish(st, s);
        return;
    }
    /* Simultaneous open: SYN_RCVD, send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.  Text is
     * left for the peer to retransmit once ESTABLISHED. */
    tcp_set_state(st, s, SYNACK_TCP_SYN_RCVD, "rcv SYN (simultaneous open)");
    tcp_send_syn(st, s);
}

/* RFC 9293 §3.10.7.4 first: the four cases of segment acceptability. */
bool tcp_seq_acceptable(uint32_t seq, uint32_t len, uint32_t rcv_nxt, uint32_t wnd)
{
    if (len == 0)
        return wnd == 0 ? seq == rcv_nxt : seq_in(seq, rcv_nxt, rcv_nxt + wnd);
    if (wnd == 0)
        return false;
    return seq_in(seq, rcv_nxt, rcv_nxt + wnd) || seq_in(seq + len - 1, rcv_nxt, rcv_nxt + wnd);
}

static void rst_received(struct synack_stack *st, struct tcp_sock *s)
{
    /* RFC 9293 §3.10.7.4: an active open in SYN-RECEIVED was refused; in the other
     * synchronized states the connection was reset.  Unlike Linux, which reports EPIPE
     * for a RST in CLOSE_WAIT, the RFC's (and BSD's) "connection reset" is kept: the
     * seeds' server-process-dies story reads ECONNRESET, then EPIPE. */
    int err = -ECONNRESET;
    if (s->state == SYNACK_TCP_SYN_RCVD && s->active_open)
        err = -ECONNREFUSED;
    tcp_done(st, s, err, "rcv RST");
}

/* Fifth step for an acceptable ACK in the synchronized states. Returns false when the
 * socket is gone or the segment must be dropped. */
static bool ack_input(struct synack_stack *st, struct tcp_sock *s, struct tcp_seg *seg)
{
    const struct wire_tcp *th = &seg->th;
    uint32_t ack = th->ack;
    if (!s->syn_acked) {
        if (!(seq_lt(s->snd_una, ack) && seq_le(ack, s->snd_max))) {
            tcp_reply_rst(st, seg); /* <SEQ=SEG.ACK><CTL=RST> */
            stack_drop(st, SYNACK_DROP_BAD_ACK);
            return false;
        }
        s->snd_una = s->iss + 1;
        s->syn_acked = true;
        tcp_rtt_from_handshake(st, s, th, s->retransmits ? s->rtx_stamp_ns : 0);
        s->retransmits = 0;
        s->backoff = 0;
        timer_cancel(&st->wheel, &s->rtx_timer);
        s->snd_wnd = (uint32_t)th->win << s->snd_wscale;
        s->max_snd_wnd = s->snd_wnd;
        s->snd_wl1 = th->seq;
        s->snd_wl2 = ack;
        if (s->state == SYNACK_TCP_SYN_RCVD) {
            tcp_established(st, s, "rcv ACK of SYN");
        } else { /* closed in SYN_RCVD: the connection opened, already closing */
            s->connected_once = true;
            tcp_set_snd_mss(st, s);
        }
        tcp_init_cwnd(s);
        st->ctr.tcp_active_opens++;
    }
    /* RFC 9293: an ACK for something not yet sent draws an ACK and is dropped. */
    if (seq_gt(ack, s->snd_max)) {
        tcp_send_ack(st, s);
        stack_drop(st, SYNACK_DROP_BAD_ACK);
        return false;
    }
    /* RFC 5961 §5.2: acceptable only from SND.UNA - MAX.SND.WND on. */
    if (seq_lt(ack, s->snd_una - s->max_snd_wnd)) {
        if (tcp_challenge_ack_allowed(st))
            tcp_send_ack(st, s);
        stack_drop(st, SYNACK_DROP_BAD_ACK);
        return false;
    }
    uint32_t prior_una = s->snd_una, acked = 0, sacked = 0, sacked_acked = 0;
    bool dsack = false;
    if (s->sack_ok) {
        uint32_t new_low = s->snd_max, new_top = s->snd_una;
        sacked = tcp_sack_update(s, &th->opts, &dsack, &new_low, &new_top);
        /* RACK (RFC 8985 §6.2) learns from what this ACK delivered: the bytes newly
         * SACKed or newly acknowledged (not SACKed before). */
        if (seq_gt(ack, s->snd_una)) {
            new_low = s->snd_una;
            new_top = seq_max(new_top, tcp_sack_uncovered_top(s, s->snd_una, ack));
        }
        tcp_rack_on_ack(st, s, th, seq_max(ack, s->snd_una), new_low, new_top, dsack);
    }
    if (seq_gt(ack, s->snd_una)) {
        uint32_t data_end = s->snd_una + s->sndq.len;
        acked = ack - s->snd_una;
        uint32_t bytes = acked;
        if (s->fin_queued && ack == data_end + 1) {
            s->fin_acked = true;
            bytes--;
        }
        bufq_consume(&s->sndq, &st->chunks, bytes);
        s->snd_una = ack;
        if (seq_lt(s->snd_nxt, s->snd_una))
            s->snd_nxt = s->snd_una;
        sacked_acked = tcp_sack_trim(s);
        /* RFC 6298 §5.7 and Karn: the backed-off RTO is kept until a valid sample. */
        if (tcp_rtt_from_ack(st, s, th))
            s->backoff = 0;
        if (s->rtx_stamp_ns && seq_ge(s->snd_una, s->rtx_high))
            s->rtx_stamp_ns = 0; /* every retransmission is acknowledged */
        if (s->tlp_out && seq_ge(s->snd_una, s->tlp_end)) {
            /* RFC 8985 §7.4: a probe that resent data and was not reported as a
             * duplicate repaired a loss: that calls for a congestion response. */
            s->tlp_out = false;
            if (s->tlp_retrans && !dsack && !s->in_recovery) {
                st->ctr.tlp_recoveries++;
                tcp_cc_on_loss(&s->cc, s->snd_max - prior_una, st->now / 1000u);
            }
        }
        s->retransmits = 0;
        s->head_sent_ns = st->now;
        /* RFC 6298 §5.2-5.3: stop the timer when all is acknowledged, else restart it. */
        if (s->snd_una == s->snd_max) {
            if (s->rtx_kind == RTX_RETRANSMIT || s->rtx_kind == RTX_TLP) {
                timer_cancel(&st->wheel, &s->rtx_timer);
                s->rtx_kind = RTX_NONE;
            }
        } else {
            tcp_arm_rtx(st, s);
        }
        events_touch(st, s);
    }
    /* RFC 5681 §2: a duplicate ACK acknowledges nothing new, carries no data, SYN or
     * FIN, leaves the window alone, while data is outstanding; with SACK, any ACK that
     * SACKs something new counts (RFC 6675 §2). */
    bool dupack = !acked && s->snd_max != s->snd_una &&
                  ((s->sack_ok && sacked) ||
                   (!th->payload_len && !(th->flags & (TCP_SYN | TCP_FIN)) &&
                    ((uint32_t)th->win << s->snd_wscale) == s->snd_wnd));
    /* RFC 6937 §3 DeliveredData: the change in SND.UNA plus the change in SACKed bytes
     * (less where the ACK covers bytes SACKed before: they were delivered then). */
    uint32_t delivered = acked + sacked - sacked_acked;
    tcp_recovery_on_ack(st, s, acked, delivered, dupack);
    tcp_undo_on_ack(st, s, th, dsack);
    tcp_ecn_ack(st, s, th);
    /* RFC 9293 §3.10.7.4: update the send window from the newest segment. */
    if (seq_lt(s->snd_wl1, th->seq) || (s->snd_wl1 == th->seq && seq_le(s->snd_wl2, ack))) {
        uint32_t wnd = (uint32_t)th->win << s->snd_wscale;
        if (wnd > s->snd_wnd)
            events_touch(st, s);
        s->snd_wnd = wnd;
        if (wnd > s->max_snd_wnd)
            s->max_snd_wnd = wnd;
        s->snd_wl1 = th->seq;
        s->snd_wl2 = ack;
        if (wnd && s->rtx_kind == RTX_PERSIST) {
            timer_cancel(&st->wheel, &s->rtx_timer);
            s->rtx_kind = RTX_NONE;
            s->backoff = 0;
        }
    }
    switch (s->state) {
    case SYNACK_TCP_FIN_WAIT_1:
        /* A FIN arriving in order with this ACK takes FIN_WAIT_1 straight to TIME_WAIT
         * in the eighth step. */
        if (s->fin_acked && !((th->flags & TCP_FIN) && th->seq == s->rcv_nxt)) {
            tcp_set_state(st, s, SYNACK_TCP_FIN_WAIT_2, "rcv ACK of FIN");
            if (s->sd < 0)
                timer_arm(&st->wheel, &s->ka_timer,
                          st->now + (uint64_t)st->cfg.tcp_fin_timeout_ms * 1000000u);
        }
        break;
    case SYNACK_TCP_CLOSING:
        if (s->fin_acked) {
            tcp_enter_time_wait(st, s, "rcv ACK of FIN");
            return false;
        }
        break;
    case SYNACK_TCP_LAST_ACK:
        if (s->fin_acked) {
            tcp_done(st, s, 0, "rcv ACK of FIN");
            return false;
        }
        break;
    default:
        break;
    }
    return true;
}

/* Seventh step: in-order text goes to the receive buffer.  Returns false when the
 * socket is gone. */
static bool text_input(struct synack_stack *st, struct tcp_sock *s, struct tcp_seg *seg,
                       bool *fin_cut)
{
    const struct wire_tcp *th = &seg->th;
    uint32_t seq = th->seq;
    const uint8_t *data = th->payload;
    uint32_t plen = (uint32_t)th->payload_len;
    *fin_cut = false; /* set when the FIN's place is not reached in order */
    if (!plen) {
        /* A bare FIN beyond a hole: keep it for later and ACK at once (RFC 5681 §4.2). */
        if ((th->flags & TCP_FIN) && seq_gt(seq, s->rcv_nxt) &&
            (s->state == SYNACK_TCP_ESTABLISHED || s->state == SYNACK_TCP_FIN_WAIT_1 ||
             s->state == SYNACK_TCP_FIN_WAIT_2)) {
            s->ooo_fin = true;
            s->ooo_fin_seq = seq;
            s->ack_now = true;
        }
        return true;
    }
    if (s->state != SYNACK_TCP_ESTABLISHED && s->state != SYNACK_TCP_FIN_WAIT_1 &&
        s->state != SYNACK_TCP_FIN_WAIT_2)
        return true; /* RFC 9293: after the peer's FIN, text is ignored */
    /* Trim what was already received (RFC 9293 §3.10.7.4, "trimmed"); a segment with
     * nothing new is a duplicate, reported by D-SACK (RFC 2883). */
    if (seq_lt(seq, s->rcv_nxt)) {
        uint32_t dup = s->rcv_nxt - seq;
        if (dup >= plen) {
            tcp_reass_dup(st, s, seq, seq + plen);
            s->ack_now = true;
            return true;
        }
        seq += dup;
        data += dup;
        plen -= dup;
    }
    if (s->sd < 0 && !s->parent) {
        /* RFC 1122 §4.2.2.13 / like Linux: new data for a socket the application closed
         * gets a RST, and the connection is aborted (a resent duplicate does not). */
        tcp_reply_rst(st, seg);
        tcp_done(st, s, -ECONNRESET, "data after close");
        return false;
    }
    /* Keep what fits the window the peer may have seen: a promise (RFC 9293 §3.8.6),
     * kept even where rounding put it a little past the buffer. */
    uint32_t room = tcp_rcv_wnd(s);
    uint32_t off = seq - s->rcv_nxt;
    uint32_t take = off >= room ? 0 : (plen < room - off ? plen : room - off);
    if (take < plen) {
        stack_drop(st, SYNACK_DROP_RCV_BUF_FULL);
        *fin_cut = true; /* the FIN, if any, was cut off with the data */
    }
    if (seq != s->rcv_nxt) {
        /* Out of order: kept for later (RFC 9293 §3.10.7.4) and acknowledged at once so
         * the sender sees the hole (RFC 5681 §4.2), with SACK blocks. */
        if (take && tcp_reass_insert(st, s, seq, data, take) && (th->flags & TCP_FIN) &&
            take == plen) {
            s->ooo_fin = true;
            s->ooo_fin_seq = seq + plen;
        }
        s->ack_now = true;
        *fin_cut = true;
        return true;
    }
    size_t n = take ? bufq_append(&s->rcvq, &st->chunks, data, take) : 0;
    if (n < take) {
        stack_drop(st, SYNACK_DROP_NO_MEMORY);
        *fin_cut = true;
        s->ack_now = true;
    }
    if (!n)
        return true;
    s->rcv_nxt += (uint32_t)n;
    s->rcv_unacked += (uint32_t)n;
    s->last_data_rcv_ns = st->now;
    tcp_rcv_rtt_sample(st, s, th);
    if (s->ooo_n) {
        /* RFC 5681 §4.2: a segment that fills (part of) a hole is ACKed at once. */
        s->rcv_unacked += tcp_reass_advance(s);
        s->ack_now = true;
    }
    tcp_urg_arrived(st, s);
    if (n > s->rcv_mss) {
        uint16_t cap = tcp_adv_mss(st, s->family, 0);
        s->rcv_mss = (uint16_t)(n < cap ? n : cap);
    }
    if (!s->ato_started) {
        /* Like Linux: the first data grants quick ACKs, about one per two segments
         * of the window, at most TCP_MAX_QUICKACKS. */
        uint32_t q = s->rcvbuf / (2u * s->rcv_mss);
        s->quickacks = (uint8_t)(q > TCP_MAX_QUICKACKS ? TCP_MAX_QUICKACKS : q ? q : 2);
        s->ato_started = true;
    }
    tcp_schedule_ack(st, s);
    events_touch(st, s);
    return true;
}

/* Eighth step: the FIN.  Returns false when the socket is gone. */
static bool fin_input(struct synack_stack *st, struct tcp_sock *s)
{
    /* RFC 9293: advance RCV.NXT over the FIN and acknowledge it at once. */
    s->rcv_nxt += 1;
    s->rcv_fin = true;
    s->rcv_shut = true;
    s->ack_now = true;
    events_touch(st, s);
    switch (s->state) {
    case SYNACK_TCP_SYN_RCVD:
    case SYNACK_TCP_ESTABLISHED:
        tcp_set_state(st, s, SYNACK_TCP_CLOSE_WAIT, "rcv FIN");
        break;
    case SYNACK_TCP_FIN_WAIT_1:
        if (!s->fin_acked) {
            tcp_set_state(st, s, SYNACK_TCP_CLOSING, "rcv FIN (simultaneous close)");
            break;
        }
        /* Our FIN was acknowledged by this very segment: straight to TIME_WAIT (which
         * sends the ACK owed for the FIN). */
        tcp_enter_time_wait(st, s, "rcv FIN+ACK of FIN");
        return false;
    case SYNACK_TCP_FIN_WAIT_2:
        tcp_enter_time_wait(st, s, "rcv FIN");
        return false;
    default:
        break;
    }
    return true;
}

/* RFC 9293 §3.10.7.4: the synchronized states. */
void tcp_rcv_synchronized(struct synack_stack *st, struct tcp_sock *s, struct tcp_seg *seg)
{
    const struct wire_tcp *th = &seg->th;
    bool rst = th->flags & TCP_RST;

    /* RFC 9293 §3.5 figure 8: in a simultaneous open the peer's SYN-ACK (SEG.SEQ =
     * RCV.NXT-1) acknowledges our SYN: take it as the ACK it carries, and answer it, as
     * Linux does, rather than as an old duplicate. */
    if (s->state == SYNACK_TCP_SYN_RCVD &&
        (th->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) && th->seq == s->irs) {
        seg->th.flags &= (uint8_t)~TCP_SYN;
        seg->th.seq += 1;
        seg->len -= 1;
        s->ack_now = true;
    }

    /* RFC 7323 §5.3 R1 (PAWS): an older timestamp marks an old duplicate, unless
     * TS.Recent is more than 24 days old (§5.5). */
    if (s->ts_ok && (th->opts.has & OPT_TS) && !rst && seq_lt(th->opts.ts_val, s->ts_recent) &&
        stack_now_ms(st) - s->ts_recent_ms < TCP_PAWS_IDLE_MS) {
        st->ctr.paws_rejected++;
        stack_drop(st, SYNACK_DROP_PAWS);
        tcp_send_ack(st, s);
        return;
    }

    /* First, check the sequence number. */
    uint32_t wnd = tcp_rcv_wnd(s);
    bool ok = tcp_seq_acceptable(th->seq, seg->len, s->rcv_nxt, wnd);
    /* RFC 9293: with a zero window, ACKs, URGs and RSTs are still processed; the text
     * is dropped (and answered with our window).  An ACK-only segment from a little
     * beyond RCV.NXT (the peer's data we could not keep) still carries a valid ACK. */
    bool ack_only_ahead = !rst && seg->len == 0 && seq_gt(th->seq, s->rcv_nxt) &&
                          seq_le(th->seq, s->rcv_adv + (1u << s->rcv_wscale));
    if (!ok && wnd == 0 && (th->seq == s->rcv_nxt || ack_only_ahead)) {
        ok = true;
        seg->th.payload_len = 0;
        seg->th.flags &= (uint8_t)~TCP_FIN;
        seg->len = (th->flags & TCP_SYN) ? 1 : 0;
        s->ack_now = !ack_only_ahead;
    }
    if (!ok) {
        /* An old duplicate is reported by D-SACK in that ACK (RFC 2883 §4.1.1). */
        if (!rst && th->payload_len && seq_lt(th->seq, s->rcv_nxt))
            tcp_reass_dup(st, s, th->seq, th->seq + (uint32_t)th->payload_len);
        if (!rst)
            tcp_send_ack(st, s);
        stack_drop(st, SYNACK_DROP_OUT_OF_WINDOW);
        return;
    }
    /* RFC 7323 §4.3 / Appendix D: TS.Recent from a segment covering Last.ACK.sent. */
    if (s->ts_ok && (th->opts.has & OPT_TS) && seq_le(th->seq, s->last_ack_sent) &&
        seq_ge(th->opts.ts_val, s->ts_recent)) {
        s->ts_recent = th->opts.ts_val;
        s->ts_recent_ms = stack_now_ms(st);
    }

    /* Second, check the RST bit (RFC 5961 §3.2): only exactly at RCV.NXT; elsewhere in
     * the window it draws a challenge ACK. */
    if (rst) {
        if (th->seq == s->rcv_nxt) {
            rst_received(st, s);
        } else {
            if (tcp_challenge_ack_allowed(st))
                tcp_send_ack(st, s);
            stack_drop(st, SYNACK_DROP_RST_IGNORED);
        }
        return;
    }

    /* Third, check security: no compartments here. */

    /* Fourth, check the SYN bit (RFC 5961 §4.2): a challenge ACK, whatever the seq. */
    if (th->flags & TCP_SYN) {
        if (tcp_challenge_ack_allowed(st))
            tcp_send_ack(st, s);
        stack_drop(st, SYNACK_DROP_BAD_FLAGS);
        return;
    }

    /* Fifth, check the ACK field. */
    if (!(th->flags & TCP_ACK)) {
        stack_drop(st, SYNACK_DROP_BAD_ACK);
        return;
    }
    if (!ack_input(st, s, seg))
        return;

    tcp_ecn_input(s, seg);

    /* Sixth, check the URG bit. */
    tcp_urg_input(st, s, th);

    /* Seventh, process the segment text. */
    bool fin_cut;
    if (!text_input(st, s, seg, &fin_cut))
        return;

    s->last_rcv_ns = st->now;
    if (s->keepalive)
        tcp_arm_keepalive(st, s);

    /* Eighth, check the FIN bit: it counts only once everything before it is in (it
     * may have come earlier, beyond a hole now filled). */
    bool fin_now =
        ((th->flags & TCP_FIN) && !fin_cut && th->seq + th->payload_len == s->rcv_nxt) ||
        (s->ooo_fin && s->ooo_fin_seq == s->rcv_nxt);
    if (fin_now && !s->rcv_fin) {
        if (!fin_input(st, s))
            return;
    }

    tcp_input_finish(st, s);
}

void tcp_icmp_error(struct synack_stack *st, const struct wire_icmp *m)
{
    struct flow_key k;
    memset(&k, 0, sizeof(k));
    k.laddr = m->quote.src;
    k.raddr = m->quote.dst;
    k.lport = m->quote.sport;
    k.rport = m->quote.dport;
    struct flow_node *n = tcp_lookup(st, &k);
    int err = icmp_errno(m);
    if (!n || !err) {
        stack_drop(st, SYNACK_DROP_ICMP_BAD);
        return;
    }
    uint8_t kind = tcp_flow_kind(n);
    if (kind == TCP_FLOW_REQ) {
        /* Like Linux: a hard error about our SYN-ACK ends the half-open connection; a
         * soft one (RFC 1122 §4.2.3.9) leaves it to its retries. */
        struct tcp_req *r = container_of(n, struct tcp_req, node);
        if (m->quote.seq == r->iss && icmp_is_hard(m))
            tcp_req_free(st, r);
        return;
    }
    if (kind != TCP_FLOW_SOCK)
        return;
    struct tcp_sock *s = container_of(n, struct tcp_sock, node);
    /* RFC 5927 §4.1: believe only errors quoting a sequence number in flight. */
    if (!seq_in(m->quote.seq, s->snd_una, s->snd_max + 1)) {
        stack_drop(st, SYNACK_DROP_ICMP_BAD);
        return;
    }
    if (err == -EMSGSIZE) {
        /* RFC 1191 §6.2 / RFC 8201 §5.2: shrink the MSS to the reported path MTU. */
        uint32_t hdr = s->family == SYNACK_AF_INET ? 40 : 60;
        uint32_t floor = s->family == SYNACK_AF_INET ? 576 : 1280;
        uint32_t mtu = m->mtu < floor ? floor : m->mtu;
        uint32_t mss = mtu - hdr - (s->ts_ok ? 12 : 0);
        if (mss < s->snd_mss) {
            s->snd_mss = (uint16_t)mss;
            s->snd_nxt = s->snd_una; /* resend what was too big */
            tcp_output(st, s);
        }
        return;
    }
    if (s->state == SYNACK_TCP_SYN_SENT || s->state == SYNACK_TCP_SYN_RCVD) {
        /* Like Linux: an error while opening ends the attempt with its errno. */
        tcp_done(st, s, err, "ICMP error");
        return;
    }
    /* RFC 1122 §4.2.3.9: otherwise a soft error, reported if the connection times out. */
    s->soft_err = err;
}
