/* ecn.c: Explicit Congestion Notification for TCP: negotiation on the SYN and SYN-ACK,
 * CE echoed with ECE until CWR, one window reduction per round trip for ECE.
 * Read RFC 3168 §6.1.1-§6.1.5 before changing. */
#include "tcp/tcp.h"
#include "wire/seq.h"

uint8_t tcp_ecn_syn_flags(const struct synack_stack *st)
{
    /* §6.1.1: an ECN-setup SYN has ECE and CWR set (only when tcp_ecn asks for it). */
    return st->cfg.tcp_ecn == 1 ? TCP_ECE | TCP_CWR : 0;
}

bool tcp_ecn_negotiated(const struct synack_stack *st, const struct wire_tcp *th, bool is_synack)
{
    /* §6.1.1: a SYN-ACK with ECE and not CWR answers our ECN-setup SYN; an ECN-setup SYN
     * is accepted unless tcp_ecn is 0 (the SYN-ACK then carries ECE). */
    uint8_t f = th->flags & (TCP_ECE | TCP_CWR);
    if (is_synack)
        return st->cfg.tcp_ecn == 1 && f == TCP_ECE;
    return st->cfg.tcp_ecn != 0 && f == (TCP_ECE | TCP_CWR);
}

void tcp_ecn_input(struct tcp_sock *s, const struct tcp_seg *seg)
{
    if (!s->ecn_ok)
        return;
    /* §6.1.3: CWR means the sender reduced: stop echoing (before looking at CE, so a
     * CE on this very segment is echoed anew). */
    if (seg->th.flags & TCP_CWR)
        s->ece_pending = false;
    if ((seg->ip->tos & 3) == IP_ECN_CE) {
        s->ece_pending = true;
        s->ack_now = true; /* tell the sender promptly */
    }
}

void tcp_ecn_ack(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th)
{
    if (!s->ecn_ok || !(th->flags & TCP_ECE) || (th->flags & TCP_SYN))
        return;
    /* §6.1.2: react at most once per window of data, like a loss, but retransmit
     * nothing; the next new data segment carries CWR. */
    if (s->in_recovery || seq_lt(s->snd_una, s->ecn_recover))
        return;
    s->ecn_recover = s->snd_max;
    tcp_cc_on_loss(&s->cc, s->snd_max - s->snd_una, st->now / 1000u);
    s->cwr_pending = true;
}
