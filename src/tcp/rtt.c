/* rtt.c: the round-trip time estimator and RTO.
 * Read RFC 6298 §2-§5 and RFC 7323 §4 (RTTM with timestamps) before changing. */
#include "tcp/tcp.h"
#include "wire/seq.h"

void tcp_rtt_init(struct synack_stack *st, struct tcp_sock *s)
{
    s->srtt_us = s->rttvar_us = 0;
    s->rtt_valid = false;
    /* RFC 6298 §2.1: RTO starts at 1 second. */
    s->rto_ms = st->cfg.rto_initial_ms;
}

void tcp_rtt_sample(struct synack_stack *st, struct tcp_sock *s, uint32_t rtt_us)
{
    if (rtt_us == 0)
        rtt_us = 1;
    if (!s->min_rtt_us || rtt_us < s->min_rtt_us)
        s->min_rtt_us = rtt_us; /* RFC 8985 §6.2: RACK.min_RTT */
    if (!s->rtt_valid) {
        /* RFC 6298 §2.2: the first measurement R: SRTT = R, RTTVAR = R/2. */
        s->srtt_us = rtt_us;
        s->rttvar_us = rtt_us / 2;
        s->rtt_valid = true;
    } else {
        /* RFC 6298 §2.3: beta = 1/4, alpha = 1/8, RTTVAR updated first. */
        uint32_t delta = s->srtt_us > rtt_us ? s->srtt_us - rtt_us : rtt_us - s->srtt_us;
        s->rttvar_us = (3 * s->rttvar_us + delta) / 4;
        s->srtt_us = (7 * s->srtt_us + rtt_us) / 8;
    }
    /* RFC 6298 §2.3: RTO = SRTT + max(G, K*RTTVAR).  Like Linux: the variance term is
     * floored at rto_min (200 ms), so a LAN RTO is SRTT + 200 ms (§2.4 allows it). */
    uint64_t var_ms = (4ull * s->rttvar_us + 999) / 1000;
    if (var_ms < st->cfg.rto_min_ms)
        var_ms = st->cfg.rto_min_ms;
    uint64_t rto = s->srtt_us / 1000 + var_ms;
    /* RFC 6298 §2.5: a maximum may be placed on RTO (Linux: 120 s). */
    if (rto > st->cfg.rto_max_ms)
        rto = st->cfg.rto_max_ms;
    s->rto_ms = (uint32_t)rto;
}

/* RFC 6298 §2 samples: from the echoed timestamp (RFC 7323 §4.1) when there is one,
 * else from the Karn-filtered timing of one segment. */
bool tcp_rtt_from_ack(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th)
{
    if (s->ts_ok && (th->opts.has & OPT_TS) && th->opts.ts_ecr) {
        uint32_t sent_ms = th->opts.ts_ecr - s->ts_offset;
        uint32_t rtt_ms = (uint32_t)stack_now_ms(st) - sent_ms;
        /* An echo older than our last retransmission comes from a receiver that saw
         * the retransmission as a duplicate (RFC 7323 §4.3 keeps TS.Recent) and would
         * count the whole timeout as RTT (§4.1 case 3): ambiguous, so, in Karn's
         * spirit (RFC 6298 §3), no sample. */
        bool stale = s->rtx_stamp_ns && (uint64_t)rtt_ms * 1000000u > st->now - s->rtx_stamp_ns;
        s->rtt_timing = false;
        if (rtt_ms < 3600u * 1000 && !stale) {
            tcp_rtt_sample(st, s, rtt_ms * 1000 + 1);
            return true;
        }
        return false;
    } else if (s->rtt_timing && seq_gt(th->ack, s->rtt_seq)) {
        tcp_rtt_sample(st, s, (uint32_t)((st->now - s->rtt_start_ns) / 1000));
        s->rtt_timing = false;
        return true;
    }
    return false;
}

/* The sample a completed handshake gives (RFC 6298 §2.2): the echo of our SYN's (or
 * SYN-ACK's) timestamp, else its timing if it went only once (Karn, §3).  After a
 * resend, an echo older than the last one is no sample: the peer may echo the first
 * SYN's timestamp in answer to the second (RFC 7323 §4.3 keeps TS.Recent; Linux's
 * half-open connections do), which would count the timeout as RTT.  No sample after a
 * resend: data starts with RTO = 3 s (RFC 6298 §5.7). */
void tcp_rtt_from_handshake(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th,
                            uint64_t last_resend_ns)
{
    if (last_resend_ns) {
        s->rtt_timing = false;
        s->rtx_stamp_ns = last_resend_ns;
    }
    tcp_rtt_from_ack(st, s, th);
    s->rtt_timing = false;
    s->rtx_stamp_ns = 0;
    if (last_resend_ns && !s->rtt_valid && s->rto_ms < 3000)
        s->rto_ms = 3000;
}
