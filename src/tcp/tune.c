/* tune.c: buffer auto-tuning: the send buffer grows with the congestion window, the
 * receive buffer with what the application drains per round trip ("dynamic right-sizing",
 * as Linux does), both within tcp_wmem_max / tcp_rmem_max and never once SO_SNDBUF /
 * SO_RCVBUF fixed them.  Read RFC 7323 §3.2 (receiver RTT from timestamps) and RFC 9293
 * §3.8.6 (windows never shrink) before changing. */
#include "tcp/tcp.h"
#include "wire/seq.h"

void tcp_sndbuf_expand(struct synack_stack *st, struct tcp_sock *s)
{
    /* Room for a window in flight and one queued behind it. */
    if (s->sndbuf_locked)
        return;
    uint64_t want = 2ull * s->cc.cwnd;
    if (want > st->cfg.tcp_wmem_max)
        want = st->cfg.tcp_wmem_max;
    if (want > s->sndbuf) {
        s->sndbuf = (uint32_t)want;
        events_touch(st, s);
    }
}

void tcp_rcv_rtt_sample(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th)
{
    /* The sender echoes our latest TSval: now minus it is a round trip seen from the
     * receiving side (RFC 7323 §3.2). */
    if (!s->ts_ok || !(th->opts.has & OPT_TS) || !th->opts.ts_ecr || !th->payload_len)
        return;
    uint32_t rtt_ms = (uint32_t)stack_now_ms(st) - (th->opts.ts_ecr - s->ts_offset);
    if (rtt_ms > 60000)
        return;
    uint32_t us = rtt_ms * 1000u + 1000u; /* the 1 ms clock: round up */
    s->rcv_rtt_us = s->rcv_rtt_us ? (7 * s->rcv_rtt_us + us) / 8 : us;
}

void tcp_rcvbuf_adjust(struct synack_stack *st, struct tcp_sock *s)
{
    uint32_t rtt = s->rcv_rtt_us ? s->rcv_rtt_us : (s->rtt_valid ? s->srtt_us : 0);
    if (s->rcvbuf_locked || !rtt)
        return;
    uint32_t read = tcp_read_seq(s);
    if (!s->drs_start_ns) {
        s->drs_start_ns = st->now;
        s->drs_seq = read;
        return;
    }
    if (st->now - s->drs_start_ns < (uint64_t)rtt * 1000u)
        return;
    uint32_t copied = read - s->drs_seq;
    s->drs_start_ns = st->now;
    s->drs_seq = read;
    if (copied <= s->drs_copied)
        return;
    s->drs_copied = copied;
    /* Twice what one round trip drained, and twice again so the sender can grow into
     * it (Linux sizes it alike); the window follows the buffer, never shrinking. */
    uint64_t want = 4ull * copied;
    if (want > st->cfg.tcp_rmem_max)
        want = st->cfg.tcp_rmem_max;
    if (want > s->rcvbuf)
        s->rcvbuf = (uint32_t)want;
}
