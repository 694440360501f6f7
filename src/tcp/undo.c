/* undo.c: spurious retransmissions and taking back the window reduction they caused.
 * Detection by timestamps (Eifel, RFC 3522 §3): the first ACK for retransmitted data
 * echoes a TSval older than every retransmission still unacknowledged, so the original
 * arrived; or by D-SACK (RFC 3708 §3, RFC 2883 §4): every retransmitted byte was
 * reported a duplicate.
 * The response (RFC 4015 §2, as Linux does it): cwnd and ssthresh return to their values
 * before the reduction, and after a timeout sending goes on with new data instead of
 * resending what arrived.  An undo waits for the end of fast recovery (holes may still
 * be lost) and is possible until data sent after the last retransmission is
 * acknowledged.  Read RFC 3522, RFC 3708 and RFC 4015 before changing. */
#include "tcp/tcp.h"
#include "wire/seq.h"

void tcp_undo_begin(struct tcp_sock *s, bool rto)
{
    if (rto && s->retransmits) {
        /* A repeated timeout: the first retransmission was not answered either. */
        s->undo_armed = false;
        return;
    }
    if (s->undo_armed && s->in_recovery)
        return; /* a timeout during recovery: one episode, the first reduction's values */
    s->undo_armed = true;
    s->undo_cwnd = s->cc.cwnd;
    s->undo_ssthresh = s->cc.ssthresh;
    s->undo_marker = s->snd_una;
    s->undo_horizon = s->snd_max;
    s->undo_retrans = 0;
    /* RFC 3522 §3's RetransmitTS is the TSval of the first retransmission; when one from
     * an earlier episode is still unacknowledged, it is that one's.  The receiver echoes
     * the TSval of the segment that filled the left edge (RFC 7323 §4.3): that
     * retransmission, and with the episode's own first retransmission as reference
     * its older TSval would look like the original's (Linux keeps retrans_stamp until
     * every retransmission is acknowledged, for the same reason). */
    s->undo_ts_set = s->rtx_stamp_ns != 0;
    s->undo_tsval = s->rtx_first_tsval;
    s->undo_verdict = TCP_UNDO_PENDING;
}

void tcp_undo_on_retransmit(struct synack_stack *st, struct tcp_sock *s, uint32_t len)
{
    if (!s->rtx_stamp_ns) /* none unacknowledged: this is the oldest */
        s->rtx_first_tsval = tcp_tsval(st, s->ts_offset); /* the TSval it carries */
    if (!s->undo_armed)
        return;
    if (!s->undo_ts_set) {
        s->undo_tsval = s->rtx_first_tsval;
        s->undo_ts_set = true;
    }
    s->undo_retrans += len;
    s->undo_horizon = seq_max(s->undo_horizon, s->snd_max);
}

static void undo(struct synack_stack *st, struct tcp_sock *s)
{
    tcp_cc_undo(&s->cc, s->undo_cwnd, s->undo_ssthresh);
    /* RFC 4015 §2 step (3): after a spurious timeout, new data goes next. */
    if (seq_lt(s->snd_nxt, s->snd_max))
        s->snd_nxt = s->snd_max;
    s->undo_armed = false;
    st->ctr.spurious_undos++;
}

void tcp_undo_on_ack(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th,
                     bool dsack)
{
    if (!s->undo_armed)
        return;
    /* RFC 3708 §3: a D-SACK for retransmitted data says that retransmission was not
     * needed.  Without per-segment records any duplicate in the retransmitted range
     * counts (a network duplicate of an original may be taken for one). */
    if (dsack && s->undo_retrans) {
        uint32_t start = th->opts.sack[0].start, end = th->opts.sack[0].end;
        start = seq_max(start, s->undo_marker);
        end = seq_min(end, s->undo_horizon);
        if (seq_lt(start, end)) {
            uint32_t n = end - start;
            s->undo_retrans = n < s->undo_retrans ? s->undo_retrans - n : 0;
            if (!s->undo_retrans)
                s->undo_verdict = TCP_UNDO_SPURIOUS;
        }
    }
    /* RFC 3522 §3: the first ACK for the first retransmitted byte decides by its echo. */
    if (s->undo_verdict == TCP_UNDO_PENDING && s->undo_ts_set && seq_gt(s->snd_una, s->undo_marker) &&
        s->ts_ok && (th->opts.has & OPT_TS) && th->opts.ts_ecr)
        s->undo_verdict = (int32_t)(th->opts.ts_ecr - s->undo_tsval) < 0 ? TCP_UNDO_SPURIOUS
                                                                        : TCP_UNDO_NEEDED;
    if (s->in_recovery)
        return;
    if (s->undo_verdict == TCP_UNDO_SPURIOUS) /* only ever after a retransmission */
        undo(st, s);
    else if (seq_gt(s->snd_una, s->undo_horizon))
        s->undo_armed = false; /* data sent after the last retransmission is acknowledged:
                                  on a path that keeps order its D-SACK came first */
}
