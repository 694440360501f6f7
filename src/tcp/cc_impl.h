/* cc_impl.h: what cc.c, cc_reno.c and cc_cubic.c share and nothing else sees.
 * Read RFC 5681 §3.1, RFC 6582 §3.2 and RFC 9438 §4 before changing. */
#ifndef SYNACK_TCP_CC_IMPL_H
#define SYNACK_TCP_CC_IMPL_H

#include "tcp/cc.h"

/* The largest window kept: 2^30 bytes, the most a peer can offer with window scale 14
 * (RFC 7323 §2.3), so cwnd never needs to exceed it and arithmetic never wraps. */
#define TCP_CC_WND_MAX (UINT32_C(1) << 30)

/* RFC 5681 §3.1 eqn. 2 with RFC 3465 byte counting (L = 1 SMSS): grows cwnd, at most to
 * ssthresh; returns the acknowledged bytes slow start did not use (for congestion
 * avoidance, once cwnd reached ssthresh). */
uint32_t tcp_cc_slow_start(struct tcp_cc *cc, uint32_t acked);

/* NewReno (cc_reno.c). */
void tcp_cc_reno_avoid(struct tcp_cc *cc, uint32_t acked);
void tcp_cc_reno_on_loss(struct tcp_cc *cc, uint32_t flight);
void tcp_cc_reno_on_rto(struct tcp_cc *cc, uint32_t flight);

/* CUBIC (cc_cubic.c). */
void tcp_cc_cubic_reset(struct tcp_cc *cc);
void tcp_cc_cubic_avoid(struct tcp_cc *cc, const struct tcp_cc_ack *a, uint32_t acked);
void tcp_cc_cubic_app_limited(struct tcp_cc *cc);
void tcp_cc_cubic_on_loss(struct tcp_cc *cc);
void tcp_cc_cubic_on_rto(struct tcp_cc *cc);

#endif
