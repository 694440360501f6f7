/* rtt.c: the round-trip time estimator and RTO.
 * Read RFC 6298 §2-§5 and RFC 7323 §4 (RTTM with timestamps) before changing. */
#include "tcp/tcp.h"

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
