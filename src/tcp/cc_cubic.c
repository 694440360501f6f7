/* cc_cubic.c: CUBIC congestion avoidance and window reductions (slow start is in cc.c).
 * Read RFC 9438 §4.1-§4.10 and §5.8 before changing; windows are bytes, the RFC's
 * formulas count segments, so W_cubic is scaled by SMSS. */
#include <math.h>

#include "tcp/cc.h"
#include "tcp/cc_impl.h"

/* RFC 9438 §4.1: C = 0.4, beta_cubic = 0.7; §4.3: alpha_cubic = 3(1-beta)/(1+beta). */
#define CUBIC_C 0.4
#define CUBIC_BETA 0.7
#define CUBIC_ALPHA (3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA))

void tcp_cc_cubic_reset(struct tcp_cc *cc)
{
    cc->epoch_start_us = 0;
    cc->w_max = cc->w_last_max = cc->cwnd_epoch = 0;
    cc->undo_w_max = cc->undo_w_last_max = 0;
    cc->k_s = 0;
    cc->w_est = 0;
}

/* RFC 9438 §4.2 eqn. 1: W_cubic(t) = C*(t-K)^3 + W_max, here in bytes. */
static double w_cubic(const struct tcp_cc *cc, double t_s)
{
    double d = t_s - cc->k_s;
    return CUBIC_C * d * d * d * cc->mss + cc->w_max;
}

static void start_epoch(struct tcp_cc *cc, uint64_t now_us)
{
    /* RFC 9438 §4.2: t counts from the start of this congestion avoidance stage. */
    cc->epoch_start_us = now_us ? now_us : 1; /* 0 means "no epoch" */
    cc->cwnd_epoch = cc->cwnd;
    cc->ca_acc = 0;
    /* §4.3: W_est starts at cwnd_epoch. */
    cc->w_est = cc->cwnd;
    if (cc->w_max <= cc->cwnd) {
        /* §4.8 (after a timeout) and §4.10 (slow start left without a loss): K = 0 and
         * W_max = cwnd_epoch.  Also when cwnd is already above the plateau. */
        cc->w_max = cc->cwnd;
        cc->k_s = 0;
    } else {
        /* §4.2 eqn. 2: K = cubic_root((W_max - cwnd_epoch)/C), in segments. */
        cc->k_s = cbrt((double)(cc->w_max - cc->cwnd_epoch) / cc->mss / CUBIC_C);
    }
    /* §4.10: without a congestion event so far, cwnd_prior = cwnd. */
    if (cc->w_last_max == 0)
        cc->w_last_max = cc->cwnd;
}

void tcp_cc_cubic_app_limited(struct tcp_cc *cc)
{
    /* RFC 9438 §5.8: the time an application-limited sender spends not using cwnd must
     * not count in t, or W_cubic(t) would jump when it is cwnd-limited again: the epoch
     * restarts at the next cwnd-limited ACK. */
    cc->epoch_start_us = 0;
}

void tcp_cc_cubic_avoid(struct tcp_cc *cc, const struct tcp_cc_ack *a, uint32_t acked)
{
    if (cc->epoch_start_us == 0)
        start_epoch(cc, a->now_us);
    double mss = cc->mss, cwnd = cc->cwnd;
    double t = a->now_us > cc->epoch_start_us ? (double)(a->now_us - cc->epoch_start_us) / 1e6 : 0;

    /* §4.3: W_est += alpha_cubic * segments_acked / cwnd (segments); in bytes that is
     * alpha * acked * SMSS / cwnd.  alpha_cubic becomes 1 once W_est reaches cwnd_prior. */
    double alpha = cc->w_est >= cc->w_last_max ? 1.0 : CUBIC_ALPHA;
    cc->w_est += alpha * acked * mss / cwnd;
    if (w_cubic(cc, t) < cc->w_est) {
        /* §4.3: the Reno-friendly region: cwnd = W_est. */
        if (cc->w_est > cwnd)
            cc->cwnd = cc->w_est >= TCP_CC_WND_MAX ? TCP_CC_WND_MAX : (uint32_t)cc->w_est;
        return;
    }

    /* §4.4 (concave), §4.5 (convex): target = W_cubic(t + RTT), bounded to
     * [cwnd, 1.5*cwnd] (§4.2); RTT is the smoothed RTT. */
    double target = w_cubic(cc, t + a->srtt_us / 1e6);
    if (target > 1.5 * cwnd)
        target = 1.5 * cwnd;
    if (target <= cwnd) {
        /* No growth; keep nothing owed to a later, higher target. */
        cc->ca_acc = 0;
        return;
    }
    /* cwnd += (target - cwnd)/cwnd segments per segment acknowledged, applied in whole
     * segments: one SMSS per mss*cwnd/(target-cwnd) bytes acknowledged. */
    double per_mss = mss * cwnd / (target - cwnd);
    double acc = (double)cc->ca_acc + acked;
    if (acc >= per_mss) {
        double n = floor(acc / per_mss);
        acc -= n * per_mss;
        double w = cwnd + n * mss;
        cc->cwnd = w >= TCP_CC_WND_MAX ? TCP_CC_WND_MAX : (uint32_t)w;
    }
    cc->ca_acc = acc >= cwnd ? cc->cwnd : (uint32_t)acc;
}

/* §4.6 and §4.7, shared by a loss and a timeout: cwnd_prior, W_max and ssthresh. */
static void reduce(struct tcp_cc *cc)
{
    uint32_t cwnd = cc->cwnd;
    /* §4.7 fast convergence: a loss below the last plateau means the flow's share
     * shrank; release more by lowering W_max to cwnd*(1+beta)/2. */
    if (cwnd < cc->w_max)
        cc->w_max = (uint32_t)(cwnd * (1.0 + CUBIC_BETA) / 2.0);
    else
        cc->w_max = cwnd;
    cc->w_last_max = cwnd; /* §4.6: cwnd_prior = cwnd */
    /* §4.6: ssthresh = cwnd * beta_cubic, at least 2 SMSS.  Like Linux (and as §4.6
     * allows), from cwnd rather than FlightSize; app-limited ACKs do not grow cwnd. */
    uint32_t ss = (uint32_t)(cwnd * CUBIC_BETA);
    cc->ssthresh = ss > 2 * cc->mss ? ss : 2 * cc->mss;
    cc->epoch_start_us = 0;
}

void tcp_cc_cubic_on_loss(struct tcp_cc *cc)
{
    reduce(cc);
    cc->cwnd = cc->ssthresh; /* §4.6: cwnd = ssthresh (before PRR, RFC 6937) */
}

void tcp_cc_cubic_on_rto(struct tcp_cc *cc)
{
    reduce(cc);
    /* §4.8: cwnd is Reno's loss window, 1 SMSS (RFC 5681 §3.1); the first congestion
     * avoidance stage afterwards uses K = 0 and W_max = cwnd_epoch. */
    cc->cwnd = cc->mss;
    cc->w_max = 0;
}
