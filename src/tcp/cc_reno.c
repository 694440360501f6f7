/* cc_reno.c: NewReno congestion avoidance and window reductions (slow start is in cc.c).
 * Read RFC 5681 §3.1-§3.2, RFC 6582 §3.2 and RFC 3465 §2 before changing. */
#include "tcp/cc.h"
#include "tcp/cc_impl.h"

/* RFC 5681 §3.1 eqn. 4: max(FlightSize/2, 2*SMSS), with FlightSize at most cwnd.  The
 * RFC takes FlightSize rather than cwnd so that a sender that did not use its window
 * does not keep it; the other way round, with SACK the data sent but not cumulatively
 * acknowledged can exceed cwnd (RFC 6675 §5 sends by pipe, which leaves SACKed data
 * out): a loss right after a recovery, with much SACKed data still above SND.UNA,
 * would then hardly reduce the window at all (Linux takes cwnd/2). */
static uint32_t half_flight(const struct tcp_cc *cc, uint32_t flight)
{
    uint32_t half = (flight < cc->cwnd ? flight : cc->cwnd) / 2;
    return half > 2 * cc->mss ? half : 2 * cc->mss;
}

void tcp_cc_reno_avoid(struct tcp_cc *cc, uint32_t acked)
{
    /* RFC 5681 §3.1 (the byte-counting variant of eqn. 3, RFC 3465 §2.1): once a full
     * cwnd of bytes has been acknowledged, cwnd grows by one SMSS. */
    uint64_t acc = (uint64_t)cc->ca_acc + acked;
    while (acc >= cc->cwnd && cc->cwnd < TCP_CC_WND_MAX) {
        acc -= cc->cwnd;
        cc->cwnd += cc->mss;
    }
    if (acc >= cc->cwnd)
        acc = cc->cwnd - 1; /* at the cap: nothing more to count toward */
    cc->ca_acc = (uint32_t)acc;
}

void tcp_cc_reno_on_loss(struct tcp_cc *cc, uint32_t flight)
{
    /* RFC 5681 §3.2 step 2: ssthresh = max(FlightSize/2, 2*SMSS) (eqn. 4); recovery
     * starts from cwnd = ssthresh (the caller adds the inflation or runs PRR, RFC 6937). */
    cc->ssthresh = half_flight(cc, flight);
    cc->cwnd = cc->ssthresh;
}

void tcp_cc_reno_on_rto(struct tcp_cc *cc, uint32_t flight)
{
    /* RFC 5681 §3.1: on a timeout ssthresh follows eqn. 4 and cwnd is the loss window,
     * LW = 1 SMSS. */
    cc->ssthresh = half_flight(cc, flight);
    cc->cwnd = cc->mss;
}
