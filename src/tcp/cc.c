/* cc.c: congestion control dispatch: algorithm names, the initial window, the events
 * handed to NewReno or CUBIC, undo and MSS changes.
 * Read RFC 6928 §2, RFC 5681 §3.1, RFC 9438 §4 and RFC 3522 §3 before changing. */
#include <stddef.h>
#include <string.h>

#include "tcp/cc.h"
#include "tcp/cc_impl.h"

static const char *const cc_names[] = {
    [TCP_CC_RENO] = "reno",
    [TCP_CC_CUBIC] = "cubic",
};

#define CC_NALGOS (sizeof cc_names / sizeof cc_names[0])

int tcp_cc_by_name(const char *name)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < CC_NALGOS; i++)
        if (strcmp(name, cc_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *tcp_cc_name(uint8_t algo)
{
    return algo < CC_NALGOS ? cc_names[algo] : "unknown";
}

void tcp_cc_init(struct tcp_cc *cc, uint8_t algo, uint32_t mss)
{
    memset(cc, 0, sizeof *cc);
    /* RFC 9438 is the default; an unknown algorithm gets it too. */
    cc->algo = algo < CC_NALGOS ? algo : TCP_CC_CUBIC;
    /* RFC 9293 §3.7.1: without a better figure the send MSS is 536. */
    cc->mss = mss ? mss : 536;
    /* RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)). */
    uint64_t iw = 2ull * cc->mss > 14600 ? 2ull * cc->mss : 14600;
    if (iw > 10ull * cc->mss)
        iw = 10ull * cc->mss;
    cc->cwnd = iw > TCP_CC_WND_MAX ? TCP_CC_WND_MAX : (uint32_t)iw;
    /* RFC 5681 §3.1: the initial ssthresh SHOULD be set arbitrarily high. */
    cc->ssthresh = UINT32_MAX;
    tcp_cc_cubic_reset(cc);
}

uint32_t tcp_cc_slow_start(struct tcp_cc *cc, uint32_t acked)
{
    /* RFC 3465 §2.2 byte counting: cwnd grows by the bytes the ACK acknowledges.  Like
     * Linux, with no per-ACK limit L (§2.3) except after a timeout, where §2.3 requires
     * L = 1 SMSS (RFC 5681 §3.1 eqn. 2): a receiver that treats a burst as one segment
     * (receive offload, synack_stack_input_batch) ACKs a whole burst at once, and a
     * limit would turn slow start into linear growth.  Slow start stops at ssthresh and
     * the rest of the ACK counts toward congestion avoidance. */
    uint32_t inc = acked < cc->mss || !cc->after_rto ? acked : cc->mss;
    uint32_t room = cc->ssthresh - cc->cwnd; /* cwnd < ssthresh here */
    if (inc < room) {
        cc->cwnd += inc;
        if (cc->cwnd > TCP_CC_WND_MAX)
            cc->cwnd = TCP_CC_WND_MAX;
        return 0;
    }
    cc->cwnd = cc->ssthresh;
    cc->after_rto = false;
    return acked - room;
}

void tcp_cc_on_ack(struct tcp_cc *cc, const struct tcp_cc_ack *a)
{
    if (a->acked == 0)
        return;
    if (a->app_limited) {
        /* RFC 7661 §4.1 / RFC 9438 §5.8: cwnd does not grow while the sender does not
         * use it; CUBIC's time base restarts when the sender is cwnd-limited again. */
        if (cc->algo == TCP_CC_CUBIC)
            tcp_cc_cubic_app_limited(cc);
        return;
    }
    uint32_t acked = a->acked;
    /* RFC 5681 §3.1: slow start while cwnd < ssthresh (RFC 9438 §4.10: CUBIC too). */
    if (cc->cwnd < cc->ssthresh) {
        acked = tcp_cc_slow_start(cc, acked);
        if (acked == 0)
            return;
    }
    if (cc->cwnd >= TCP_CC_WND_MAX)
        return;
    if (cc->algo == TCP_CC_CUBIC)
        tcp_cc_cubic_avoid(cc, a, acked);
    else
        tcp_cc_reno_avoid(cc, acked);
    if (cc->cwnd > TCP_CC_WND_MAX)
        cc->cwnd = TCP_CC_WND_MAX;
}

/* Keeps what tcp_cc_undo needs beyond cwnd and ssthresh (the caller keeps those). */
static void save_for_undo(struct tcp_cc *cc)
{
    cc->undo_w_max = cc->w_max;
    cc->undo_w_last_max = cc->w_last_max;
}

void tcp_cc_on_loss(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
    (void)now_us; /* CUBIC's epoch starts at the first ACK after recovery (§4.2) */
    save_for_undo(cc);
    cc->ca_acc = 0;
    cc->after_rto = false;
    if (cc->algo == TCP_CC_CUBIC)
        tcp_cc_cubic_on_loss(cc);
    else
        tcp_cc_reno_on_loss(cc, flight);
}

void tcp_cc_on_rto(struct tcp_cc *cc, uint32_t flight, uint64_t now_us)
{
    (void)now_us;
    cc->ca_acc = 0;
    cc->after_rto = true;
    /* RFC 5681 §3.1: eqn. 4 applies when the segment "has not yet been resent by way of
     * the retransmission timer".  cwnd is at the loss window (1 SMSS) only after a
     * timeout with no growth since (reductions on loss keep 2 SMSS): a repeated timeout
     * keeps ssthresh, W_max and cwnd_prior from the first one. */
    if (cc->cwnd <= cc->mss && cc->ssthresh != UINT32_MAX) {
        cc->cwnd = cc->mss;
        cc->epoch_start_us = 0;
        return;
    }
    save_for_undo(cc);
    if (cc->algo == TCP_CC_CUBIC)
        tcp_cc_cubic_on_rto(cc);
    else
        tcp_cc_reno_on_rto(cc, flight);
}

void tcp_cc_on_recovery_end(struct tcp_cc *cc)
{
    if (cc->ssthresh == UINT32_MAX)
        return; /* no reduction to finish */
    /* RFC 6937 §3: recovery ends with cwnd = ssthresh, for both algorithms, as Linux
     * does.  For NewReno this is RFC 6582 §3.2 step 3 option 2; option 1 (cwnd =
     * FlightSize + SMSS) is wrong for a receiver that ACKs a whole burst at once
     * (receive offload, synack_stack_input_batch): the ACK that ends recovery then
     * leaves almost nothing in flight, and cwnd would fall to 1-2 segments after every
     * loss.  RFC 9438 §4.2: CUBIC's new epoch starts at the next congestion avoidance
     * ACK. */
    cc->ca_acc = 0;
    cc->cwnd = cc->ssthresh;
    cc->epoch_start_us = 0;
}

void tcp_cc_undo(struct tcp_cc *cc, uint32_t prior_cwnd, uint32_t prior_ssthresh)
{
    /* RFC 3522 §3 / RFC 4015 §3: a spurious reduction is taken back.  Like Linux, undo
     * never lowers a window that grew again meanwhile (e.g. slow start after an RTO). */
    if (prior_cwnd > cc->cwnd)
        cc->cwnd = prior_cwnd > TCP_CC_WND_MAX ? TCP_CC_WND_MAX : prior_cwnd;
    if (prior_ssthresh > cc->ssthresh)
        cc->ssthresh = prior_ssthresh;
    cc->ca_acc = 0;
    /* RFC 9438 §4.9: CUBIC restores W_max and cwnd_prior; the epoch restarts from the
     * restored cwnd at the next ACK. */
    cc->w_max = cc->undo_w_max;
    cc->w_last_max = cc->undo_w_last_max;
    cc->epoch_start_us = 0;
}

/* v * new_mss / old_mss, saturating at the window cap. */
static uint32_t rescale(uint32_t v, uint32_t old_mss, uint32_t new_mss)
{
    uint64_t r = (uint64_t)v * new_mss / old_mss;
    return r > TCP_CC_WND_MAX ? TCP_CC_WND_MAX : (uint32_t)r;
}

void tcp_cc_set_mss(struct tcp_cc *cc, uint32_t mss)
{
    uint32_t old = cc->mss;
    if (mss == 0 || mss == old)
        return;
    /* The windows are counts of segments of SMSS bytes (RFC 5681 §2): keep the counts. */
    cc->cwnd = rescale(cc->cwnd, old, mss);
    if (cc->cwnd < mss)
        cc->cwnd = mss; /* RFC 5681 §3.1: never below the loss window, 1 SMSS */
    if (cc->ssthresh != UINT32_MAX) {
        cc->ssthresh = rescale(cc->ssthresh, old, mss);
        if (cc->ssthresh < 2 * mss)
            cc->ssthresh = 2 * mss; /* RFC 5681 §3.1 eqn. 4: at least 2 SMSS */
    }
    cc->ca_acc = rescale(cc->ca_acc, old, mss);
    cc->w_max = rescale(cc->w_max, old, mss);
    cc->w_last_max = rescale(cc->w_last_max, old, mss);
    cc->cwnd_epoch = rescale(cc->cwnd_epoch, old, mss);
    cc->undo_w_max = rescale(cc->undo_w_max, old, mss);
    cc->undo_w_last_max = rescale(cc->undo_w_last_max, old, mss);
    cc->w_est = cc->w_est * mss / old;
    /* K (seconds) depends on segment counts only and stays. */
    cc->mss = mss;
}
