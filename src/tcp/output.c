/* output.c: building and sending segments: data under the windows and Nagle, ACKs, SYNs,
 * RSTs.  Read RFC 9293 §3.8.6 (windows, SWS avoidance), §3.7.4 (Nagle), §3.10.7.1 (RST
 * to a segment for no connection), RFC 7323 §2-3, RFC 5961 §7 before changing. */
#include <string.h>

#include "ip/ip.h"
#include "tcp/tcp.h"
#include "wire/seq.h"

uint32_t tcp_tsval(const struct synack_stack *st, uint32_t offset)
{
    /* RFC 7323 §5.4: a 1 ms clock, offset per connection (as Linux does). */
    return (uint32_t)stack_now_ms(st) + offset;
}

uint8_t tcp_our_wscale(const struct synack_stack *st)
{
    /* Like Linux: the smallest shift that lets the largest buffer be advertised. */
    uint32_t space = st->cfg.tcp_rmem_max;
    uint8_t ws = 0;
    while (space > 65535 && ws < TCP_MAX_WSCALE) {
        space >>= 1;
        ws++;
    }
    return ws;
}

uint16_t tcp_adv_mss(const struct synack_stack *st, uint8_t family, uint16_t user_mss)
{
    /* RFC 9293 §3.7.1: MSS = MTU - fixed IP and TCP headers (40 IPv4, 60 IPv6). */
    uint32_t mtu = st->has_link ? st->link.mtu : 1500;
    uint32_t mss = mtu - (family == SYNACK_AF_INET ? 40 : 60);
    if (user_mss && user_mss < mss)
        mss = user_mss;
    return (uint16_t)mss;
}

void tcp_set_snd_mss(struct synack_stack *st, struct tcp_sock *s)
{
    /* RFC 9293 §3.7.1: no segment larger than the peer's MSS or our own path allows;
     * the MSS counts no options, so the timestamp option's 12 bytes come off it
     * (RFC 6691), as Linux's mss_cache does. */
    uint32_t mss = tcp_adv_mss(st, s->family, s->user_mss);
    if (s->peer_mss < mss)
        mss = s->peer_mss;
    if (s->ts_ok)
        mss -= 12;
    s->snd_mss = (uint16_t)mss;
    if (!s->rcv_mss)
        s->rcv_mss = (uint16_t)(mss < 536 ? mss : 536);
}

uint32_t tcp_rcv_space(const struct tcp_sock *s)
{
    return s->rcvq.len < s->rcvbuf ? s->rcvbuf - s->rcvq.len : 0;
}

uint16_t tcp_window_field(struct tcp_sock *s, bool syn)
{
    uint32_t space = tcp_rcv_space(s);
    if (syn) /* RFC 7323 §2.2: the window in a SYN is never scaled. */
        return (uint16_t)(space > 65535 ? 65535 : space);
    /* RFC 9293 §3.8.6.2.2 (receiver SWS avoidance): move the right edge only by at
     * least min(buffer/2, MSS); never shrink it (§3.8.6). */
    uint32_t edge = s->rcv_nxt + space;
    uint32_t step = s->rcvbuf / 2 < s->rcv_mss ? s->rcvbuf / 2 : s->rcv_mss;
    if (seq_lt(s->rcv_adv, s->rcv_nxt))
        s->rcv_adv = s->rcv_nxt;
    if (seq_gt(edge, s->rcv_adv) && (edge - s->rcv_adv >= step || space == s->rcvbuf))
        s->rcv_adv = edge;
    /* RFC 7323 §2.4: the field counts units of 2^shift.  It is rounded up, so the peer
     * may see an edge up to a unit beyond RCV_ADV, and an earlier view may lie that far
     * beyond a later one: input accepts that slack (tcp_rcv_wnd), never moving the edge
     * left for the peer (RFC 9293 §3.8.6), while RCV_ADV, the commitment, does not creep. */
    uint32_t wnd = s->rcv_adv - s->rcv_nxt;
    uint32_t unit = 1u << s->rcv_wscale;
    uint32_t field = (wnd + unit - 1) >> s->rcv_wscale;
    if (field > 65535) {
        field = 65535; /* a window too large for the field is what the field shows */
        s->rcv_adv = s->rcv_nxt + (65535u << s->rcv_wscale);
    }
    return (uint16_t)field;
}

void tcp_syn_options(struct wire_tcp_opts *o, uint16_t mss, bool ws, uint8_t wscale, bool ts,
                     uint32_t tsval, uint32_t tsecr, bool sack)
{
    memset(o, 0, sizeof(*o));
    o->has = OPT_MSS;
    o->mss = mss;
    if (ws) {
        o->has |= OPT_WSCALE;
        o->wscale = wscale;
    }
    if (ts) {
        o->has |= OPT_TS;
        o->ts_val = tsval;
        o->ts_ecr = tsecr;
    }
    if (sack)
        o->has |= OPT_SACK_PERM;
}

int tcp_emit(struct synack_stack *st, const struct tcp_out *o)
{
    size_t cap;
    uint8_t *buf = ip_payload_buf(st, o->src->family, &cap);
    struct wire_tcp_out t = {
        .sport = o->sport, .dport = o->dport, .seq = o->seq, .ack = o->ack,
        .flags = o->flags, .win = o->win, .urp = o->urp, .opts = o->opts.has ? &o->opts : NULL,
    };
    size_t hl = wire_tcp_build_hdr(buf, cap, &t);
    if (!hl || hl + o->data_len > cap)
        return -1;
    uint32_t data_sum = 0; /* the payload is summed as it is copied (RFC 1071 §2(3)) */
    if (o->data_len)
        bufq_peek_csum(o->data, &st->chunks, o->data_off, buf + hl, o->data_len, &data_sum);
    size_t n = hl + o->data_len;
    wire_tcp_set_csum_hdr(buf, hl, n, data_sum, o->src, o->dst);
    struct wire_ip_out h;
    ip_out_init(st, &h, o->src, o->dst, IPPROTO_TCP_);
    h.tos = o->tos;
    st->ctr.tcp_out_segs++;
    if (o->flags & TCP_RST)
        st->ctr.tcp_out_rsts++;
    return ip_send(st, &h, n);
}

void tcp_out_from_key(struct tcp_out *o, const struct flow_key *k, uint32_t seq, uint32_t ack,
                      uint8_t flags)
{
    memset(o, 0, sizeof(*o));
    o->src = &k->laddr;
    o->dst = &k->raddr;
    o->sport = k->lport;
    o->dport = k->rport;
    o->seq = seq;
    o->ack = ack;
    o->flags = flags;
}

void tcp_out_from_sock(const struct tcp_sock *s, struct tcp_out *o, uint32_t seq, uint8_t flags)
{
    tcp_out_from_key(o, &s->node.key, seq, (flags & TCP_ACK) ? s->rcv_nxt : 0, flags);
}

void tcp_key_from_seg(struct flow_key *k, const struct tcp_seg *seg)
{
    memset(k, 0, sizeof(*k));
    k->laddr = seg->ip->dst;
    k->raddr = seg->ip->src;
    k->lport = seg->th.dport;
    k->rport = seg->th.sport;
}

/* Fills window, timestamps, and the ACK bookkeeping for a segment about to leave. */
static void finish_out(struct synack_stack *st, struct tcp_sock *s, struct tcp_out *o)
{
    o->win = tcp_window_field(s, o->flags & TCP_SYN);
    if (s->ts_ok) {
        o->opts.has |= OPT_TS;
        o->opts.ts_val = tcp_tsval(st, s->ts_offset);
        o->opts.ts_ecr = s->ts_recent;
    }
    if (o->flags & TCP_ACK) {
        if (s->ece_pending)
            o->flags |= TCP_ECE; /* RFC 3168 §6.1.3: echo CE until CWR */
        tcp_sack_blocks(s, &o->opts);
        s->last_ack_sent = s->rcv_nxt; /* RFC 7323 §4.3 */
        s->ack_now = false;
        s->rcv_unacked = 0;
        timer_cancel(&st->wheel, &s->delack_timer);
    }
}

void tcp_send_ack_at(struct synack_stack *st, struct tcp_sock *s, uint32_t seq)
{
    struct tcp_out o;
    tcp_out_from_sock(s, &o, seq, TCP_ACK);
    finish_out(st, s, &o);
    tcp_emit(st, &o);
}

void tcp_send_ack(struct synack_stack *st, struct tcp_sock *s)
{
    /* A segment with no data, SYN or FIN carries SND.MAX (as BSD and, since it never
     * rewinds SND.NXT, Linux do): after a timeout rewound SND.NXT, an ACK from below
     * what the peer has received would be dropped unread (RFC 9293 §3.10.7.4 first
     * step), and two rewound peers would only ever trade such ACKs. */
    tcp_send_ack_at(st, s, s->snd_max);
}

void tcp_send_syn(struct synack_stack *st, struct tcp_sock *s)
{
    bool synack = s->state != SYNACK_TCP_SYN_SENT; /* the peer's SYN is in: SYN-ACK */
    struct tcp_out o;
    tcp_out_from_sock(s, &o, s->iss, synack ? TCP_SYN | TCP_ACK : TCP_SYN | tcp_ecn_syn_flags(st));
    const struct synack_settings *c = &st->cfg;
    /* A SYN offers what the settings allow; a SYN-ACK (simultaneous open) repeats the
     * offer, since the peer's SYN alone does not settle the options (RFC 7323 §1.3). */
    tcp_syn_options(&o.opts, tcp_adv_mss(st, s->family, s->user_mss),
                    c->tcp_window_scaling != 0, s->rcv_wscale, c->tcp_timestamps != 0,
                    tcp_tsval(st, s->ts_offset), synack ? s->ts_recent : 0, c->tcp_sack != 0);
    o.win = tcp_window_field(s, true);
    if (synack)
        s->last_ack_sent = s->rcv_nxt;
    tcp_emit(st, &o);
}

void tcp_send_syn_fin(struct synack_stack *st, struct tcp_sock *s)
{
    struct tcp_out o;
    tcp_out_from_sock(s, &o, s->iss + 1, TCP_FIN | TCP_ACK);
    finish_out(st, s, &o);
    tcp_emit(st, &o);
    s->snd_nxt = s->snd_max = s->iss + 2;
}

void tcp_send_rst(struct synack_stack *st, struct tcp_sock *s)
{
    /* Like Linux's active reset: RST+ACK at the highest sequence sent, acknowledging
     * RCV.NXT. */
    struct tcp_out o;
    tcp_out_from_sock(s, &o, s->snd_max, TCP_RST | TCP_ACK);
    finish_out(st, s, &o);
    tcp_emit(st, &o);
}

void tcp_reply_rst(struct synack_stack *st, const struct tcp_seg *seg)
{
    const struct wire_tcp *th = &seg->th;
    /* RFC 9293 §3.10.7.1: never answer a RST. */
    if (th->flags & TCP_RST)
        return;
    struct flow_key k;
    tcp_key_from_seg(&k, seg);
    struct tcp_out o;
    if (th->flags & TCP_ACK) /* <SEQ=SEG.ACK><CTL=RST> */
        tcp_out_from_key(&o, &k, th->ack, 0, TCP_RST);
    else /* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
        tcp_out_from_key(&o, &k, 0, th->seq + seg->len, TCP_RST | TCP_ACK);
    tcp_emit(st, &o);
}

bool tcp_challenge_ack_allowed(struct synack_stack *st)
{
    /* RFC 5961 §7: at most tcp_challenge_ack_limit challenge ACKs per second. */
    if (st->now - st->challenge_window_start >= 1000000000ull) {
        st->challenge_window_start = st->now;
        st->challenge_count = 0;
    }
    if (st->challenge_count >= st->cfg.tcp_challenge_ack_limit) {
        st->ctr.challenge_acks_suppressed++;
        return false;
    }
    st->challenge_count++;
    st->ctr.challenge_acks++;
    return true;
}

/* Bytes of options an ACK would carry now beyond the timestamps snd_mss already counts:
 * SACK blocks in Linux's layout (NOP NOP kind len, 8 per block; RFC 2018 §3). */
static uint32_t sack_space(const struct tcp_sock *s)
{
    if (!s->sack_ok)
        return 0;
    uint32_t n = s->ooo_n + (s->dsack_pending ? 1u : 0u), max = s->ts_ok ? 3u : 4u;
    if (n > max)
        n = max;
    return n ? 4 + 8 * n : 0;
}

/* One segment from seq: at most len bytes of queued data, stopping short of SACKed
 * data and of the peer's window, with the FIN if it follows them.  Returns the sequence
 * space sent (0: nothing could go). */
uint32_t tcp_xmit(struct synack_stack *st, struct tcp_sock *s, uint32_t seq, uint32_t len)
{
    if (s->fin_acked || seq_lt(seq, s->snd_una))
        return 0;
    uint32_t data_end = s->snd_una + s->sndq.len;
    uint32_t avail = seq_lt(seq, data_end) ? data_end - seq : 0;
    if (len > avail)
        len = avail;
    /* RFC 6691: the MSS counts no options; SACK blocks come out of the payload. */
    uint32_t room = s->snd_mss > sack_space(s) ? s->snd_mss - sack_space(s) : 1;
    if (len > room)
        len = room;
    if (s->sacked_n && seq_lt(seq, s->snd_max)) {
        /* A retransmission stops where SACKed data begins (or at SND.MAX). */
        uint32_t next = tcp_sack_next_start(s, seq);
        if (seq_lt(next, seq + len))
            len = next - seq;
    }
    /* RFC 9293 §3.8.6: nothing beyond SND.UNA + SND.WND. */
    uint32_t wnd_end = s->snd_una + s->snd_wnd;
    if (seq_gt(seq + len, wnd_end))
        len = seq_gt(wnd_end, seq) ? wnd_end - seq : 0;
    /* RFC 9293 §3.8.6.1: into a zero window, the first octet at SND.UNA still goes, as
     * a probe that draws the window (the timer's resends must not fall silent). */
    if (!len && len < avail && seq == s->snd_una && !s->snd_wnd && seq_lt(seq, s->snd_max))
        len = 1;
    bool fin = s->fin_queued && seq + len == data_end;
    if (!len && !fin)
        return 0;
    uint8_t flags = TCP_ACK;
    if (len && seq + len == data_end)
        flags |= TCP_PSH;
    if (fin)
        flags |= TCP_FIN;
    bool resend = seq_lt(seq, s->snd_max);
    /* RFC 3168 §6.1.2 and §6.1.5: new data is ECN-capable (not retransmissions), and
     * the first new data after a reduction carries CWR. */
    if (s->cwr_pending && len && !resend) {
        flags |= TCP_CWR;
        s->cwr_pending = false;
    }
    uint16_t urp = tcp_urg_out(s, seq, &flags);
    struct tcp_out o;
    tcp_out_from_sock(s, &o, seq, flags);
    o.urp = urp;
    o.data = &s->sndq;
    o.data_off = seq - s->snd_una;
    o.data_len = len;
    if (s->ecn_ok && len && !resend)
        o.tos = IP_ECN_ECT0;
    finish_out(st, s, &o);
    /* Like Linux: new data sent within the delayed-ACK time of data received marks the
     * connection interactive (pingpong), which turns quick ACKs off. */
    if (len && !resend && s->ato_started &&
        st->now - s->last_data_rcv_ns < (uint64_t)st->cfg.delack_min_ms * 1000000u)
        s->pingpong = true;
    if (resend) {
        st->ctr.tcp_retrans_segs++;
        tcp_undo_on_retransmit(st, s, len);
        s->rtx_stamp_ns = st->now;
        s->rtx_high = s->rtx_stamp_ns && seq_gt(s->rtx_high, seq + len) ? s->rtx_high : seq + len;
    } else if (!s->rtt_timing) {
        /* RFC 6298 §3 (Karn): time only segments sent once. */
        s->rtt_timing = true;
        s->rtt_seq = seq;
        s->rtt_start_ns = st->now;
    }
    if (s->snd_max == s->snd_una)
        s->head_sent_ns = st->now;
    tcp_emit(st, &o);
    uint32_t end = seq + len + (fin ? 1 : 0);
    tcp_rack_on_send(st, s, seq, end);
    if (seq == s->snd_nxt)
        s->snd_nxt = end;
    if (seq_gt(end, s->snd_max))
        s->snd_max = end;
    if (!timer_armed(&s->rtx_timer) || s->rtx_kind != RTX_RETRANSMIT)
        tcp_arm_rtx(st, s);
    return end - seq;
}

static void arm_persist(struct synack_stack *st, struct tcp_sock *s)
{
    if (timer_armed(&s->rtx_timer))
        return;
    s->rtx_kind = RTX_PERSIST;
    timer_arm(&st->wheel, &s->rtx_timer, st->now + tcp_rto_current(st, s) * 1000000ull);
}

/* Sends what the windows, Nagle and SWS avoidance allow, then the FIN if it is due.
 * During loss recovery the recovery code paces sending instead (RFC 6937). */
void tcp_output(struct synack_stack *st, struct tcp_sock *s)
{
    /* Nothing follows an acknowledged FIN. */
    if (!s->syn_acked || s->fin_acked || s->in_recovery || s->state == SYNACK_TCP_CLOSED ||
        s->state == SYNACK_TCP_TIME_WAIT)
        return;
    for (;;) {
        uint32_t run_end;
        /* What the peer SACKed since the last timeout is not sent again. */
        if (seq_lt(s->snd_nxt, s->snd_max) && tcp_sack_is_sacked(s, s->snd_nxt, &run_end)) {
            s->snd_nxt = run_end;
            continue;
        }
        uint32_t data_end = s->snd_una + s->sndq.len;
        uint32_t avail = seq_lt(s->snd_nxt, data_end) ? data_end - s->snd_nxt : 0;
        bool fin_due = s->fin_queued && s->snd_nxt == data_end;
        if (!avail && !fin_due)
            break;
        uint32_t in_flight = s->snd_nxt - s->snd_una - tcp_sack_bytes_below(s, s->snd_nxt);
        uint32_t wnd = s->snd_wnd < s->cc.cwnd ? s->snd_wnd : s->cc.cwnd;
        uint32_t usable = wnd > in_flight ? wnd - in_flight : 0;
        uint32_t len = avail < s->snd_mss ? avail : s->snd_mss;
        if (len > usable)
            len = usable;
        if (avail && !len) {
            /* RFC 9293 §3.8.6.1: a zero window with nothing in flight is probed. */
            if (!in_flight)
                arm_persist(st, s);
            break;
        }
        bool resend = seq_lt(s->snd_nxt, s->snd_max);
        bool urgent = s->urg_mode && seq_lt(s->snd_nxt, s->snd_up); /* like Linux */
        if (len && len < s->snd_mss && !resend && !urgent) {
            /* RFC 9293 §3.7.4 (Nagle) and §3.8.6.2.1 (sender SWS avoidance): a small
             * segment of new data goes only if it empties the queue and nothing is
             * outstanding (or TCP_NODELAY), or it fills half the largest window the
             * peer offered, or a FIN follows it.  Retransmissions and urgent data are
             * never held. */
            bool push = len == avail && (s->nodelay || in_flight == 0 || s->fin_queued);
            bool half = s->max_snd_wnd && len >= s->max_snd_wnd / 2;
            if (s->cork && !s->fin_queued) {
                /* Like Linux's TCP_CORK: only full segments, for at most 200 ms. */
                push = half = false;
                if (!timer_armed(&s->rtx_timer)) {
                    s->rtx_kind = RTX_CORK;
                    timer_arm(&st->wheel, &s->rtx_timer, st->now + 200 * 1000000ull);
                }
            }
            if (!push && !half && !s->push_once) {
                if (!in_flight)
                    arm_persist(st, s);
                break;
            }
        }
        uint32_t n = tcp_xmit(st, s, s->snd_nxt, len);
        if (!n || s->snd_nxt == data_end + 1)
            break; /* nothing could go, or the FIN went */
    }
    s->push_once = false;
}
