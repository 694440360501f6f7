/* cc.h: the congestion-control interface (on_ack, on_loss, on_rto, cwnd) and the
 * algorithms behind it: NewReno (RFC 5681, RFC 6582) and CUBIC (RFC 9438, the default).
 * Read RFC 5681 §3, RFC 9438 §4 and RFC 6928 (initial window) before changing. */
#ifndef SYNACK_TCP_CC_H
#define SYNACK_TCP_CC_H

#include <stdbool.h>
#include <stdint.h>

enum tcp_cc_algo { TCP_CC_RENO = 0, TCP_CC_CUBIC = 1 };

/* What the algorithms keep; embedded in the TCB.  Windows are in bytes. */
struct tcp_cc {
    uint8_t algo;           /* enum tcp_cc_algo */
    uint32_t mss;           /* SMSS the windows are counted in */
    uint32_t cwnd, ssthresh;
    uint32_t ca_acc;        /* bytes acknowledged toward the next +1 MSS (RFC 5681 §3.1) */
    bool after_rto;         /* in the slow start that follows a timeout (RFC 3465 §2.3) */
    /* CUBIC (RFC 9438 §4): times in microseconds, windows in bytes. */
    uint64_t epoch_start_us;/* 0: no epoch yet */
    uint32_t w_max;         /* W_max: the plateau, cwnd before the last reduction (§4.7) */
    uint32_t w_last_max;    /* cwnd_prior: cwnd before the last reduction (§4.3, §4.6) */
    uint32_t cwnd_epoch;    /* cwnd at the start of the epoch */
    double k_s;             /* K in seconds (§4.2) */
    double w_est;           /* Reno-friendly estimate, bytes (§4.3) */
    uint32_t undo_w_max, undo_w_last_max; /* before the last reduction, for tcp_cc_undo */
};

/* Context an ACK gives the algorithm. */
struct tcp_cc_ack {
    uint32_t acked;         /* bytes newly acknowledged (cumulatively or by SACK) */
    uint32_t flight;        /* bytes in flight before this ACK */
    uint64_t now_us;
    uint32_t srtt_us;       /* smoothed RTT, 0 if none yet */
    bool app_limited;       /* the sender had nothing more to send (no growth, RFC 7661) */
};

/* Names for TCP_CONGESTION: "reno", "cubic".  Returns the algo or -1. */
int tcp_cc_by_name(const char *name);
const char *tcp_cc_name(uint8_t algo);

/* RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)); ssthresh starts "arbitrarily high". */
void tcp_cc_init(struct tcp_cc *cc, uint8_t algo, uint32_t mss);
/* New data acknowledged outside loss recovery: grow (slow start below ssthresh, else
 * congestion avoidance of the algorithm). */
void tcp_cc_on_ack(struct tcp_cc *cc, const struct tcp_cc_ack *a);
/* Loss detected by fast retransmit / SACK / RACK, or ECN-CE: a multiplicative decrease
 * (Reno 1/2, CUBIC beta 0.7), once per window; sets ssthresh and the cwnd that
 * recovery starts from (before PRR).  flight is FlightSize (RFC 5681 eqn. 4). */
void tcp_cc_on_loss(struct tcp_cc *cc, uint32_t flight, uint64_t now_us);
/* Retransmission timeout (RFC 5681 §3.1 eqn. 4 and "loss window" of 1 MSS). */
void tcp_cc_on_rto(struct tcp_cc *cc, uint32_t flight, uint64_t now_us);
/* Recovery ended: cwnd = ssthresh (RFC 6937 §3); CUBIC starts a new epoch. */
void tcp_cc_on_recovery_end(struct tcp_cc *cc);
/* A spurious reduction was detected (RFC 3522 / Eifel, D-SACK): restore what was before. */
void tcp_cc_undo(struct tcp_cc *cc, uint32_t prior_cwnd, uint32_t prior_ssthresh);
/* The MSS changed (PMTU): keep windows in whole segments. */
void tcp_cc_set_mss(struct tcp_cc *cc, uint32_t mss);

#endif
