/* recovery.c: loss recovery: duplicate ACKs, limited transmit, fast retransmit, NewReno
 * partial ACKs without SACK, conservative SACK-based recovery with it, and the sending
 * budget during recovery from proportional rate reduction.
 * Read RFC 5681 §3.2, RFC 3042 §2, RFC 6582 §3, RFC 6675 §5 and RFC 6937 §3 first. */
#include "tcp/tcp.h"
#include "wire/seq.h"

static uint64_t now_us(const struct synack_stack *st) { return st->now / 1000u; }

/* Bytes in the network: RFC 6675's pipe with SACK; without it FlightSize less one MSS per
 * duplicate ACK (each one says a segment has left the network, RFC 5681 §3.2). */
static uint32_t pipe_estimate(const struct synack_stack *st, const struct tcp_sock *s)
{
    if (s->sack_ok)
        return tcp_sack_pipe(st, s);
    uint32_t flight = s->snd_max - s->snd_una, left = (uint32_t)s->dupacks * s->snd_mss;
    return flight > left ? flight - left : 0;
}

/* RFC 6937 §3 (PRR with slow-start reduction bound): how much may be sent now. */
static uint32_t prr_sndcnt(const struct synack_stack *st, const struct tcp_sock *s,
                           uint32_t delivered)
{
    uint32_t pipe = pipe_estimate(st, s), ssthresh = s->cc.ssthresh;
    int64_t cnt;
    if (pipe > ssthresh) {
        uint64_t fs = s->recover_fs ? s->recover_fs : 1;
        cnt = (int64_t)(((uint64_t)s->prr_delivered * ssthresh + fs - 1) / fs) - s->prr_out;
    } else {
        int64_t lim = (int64_t)s->prr_delivered - s->prr_out;
        if (lim < (int64_t)delivered)
            lim = delivered;
        lim += s->snd_mss;
        cnt = (int64_t)ssthresh - pipe;
        if (cnt > lim)
            cnt = lim;
    }
    return cnt > 0 ? (uint32_t)cnt : 0;
}

/* Sends up to budget bytes of recovery traffic: lost holes first (NextSeg rule 1), then
 * new data (rule 2), then other holes below the highest SACK (rule 3).  Only whole
 * segments go (a hole or the queue's tail may be shorter): what is left of the budget
 * stays owed through prr_out, where cutting a segment to fit would send a runt (RFC 9293
 * §3.8.6.2.1 sender SWS avoidance; Linux counts PRR in whole packets). */
static void recovery_send(struct synack_stack *st, struct tcp_sock *s, uint32_t budget)
{
    while (budget) {
        uint32_t seq, len, n = 0, data_end = s->snd_una + s->sndq.len;
        bool hole = s->sack_ok && tcp_sack_next_seg(st, s, false, &seq, &len);
        if (!hole && (seq_lt(s->snd_max, data_end) ||
                      (s->fin_queued && !s->fin_acked && s->snd_max == data_end))) {
            seq = s->snd_max;
            len = data_end - seq;
            len = len < s->snd_mss ? len : s->snd_mss;
        } else if (!hole && !(s->sack_ok && tcp_sack_next_seg(st, s, true, &seq, &len))) {
            break;
        }
        if (len > budget)
            break;
        bool fresh = seq == s->snd_max;
        if (fresh)
            s->snd_nxt = s->snd_max;
        n = tcp_xmit(st, s, seq, len);
        if (!n)
            break;
        s->prr_out += n;
        budget = n >= budget ? 0 : budget - n;
    }
}

/* RFC 5827 §3 (early retransmit): with fewer than four segments outstanding and no new
 * data to send, three duplicate ACKs can never come: the threshold drops to the number
 * of outstanding segments less one (with SACK: SACKed segments counted as such). */
static unsigned dupthresh(const struct synack_stack *st, const struct tcp_sock *s)
{
    uint32_t oseg = (s->snd_max - s->snd_una + s->snd_mss - 1) / s->snd_mss;
    bool unsent = seq_lt(s->snd_max, s->snd_una + s->sndq.len);
    if (!st->cfg.tcp_early_retrans || !s->sack_ok || unsent || oseg >= 4 || oseg < 2)
        return TCP_DUPTHRESH;
    return oseg - 1;
}

/* acked: what the ACK that detected the loss acknowledged cumulatively.  FlightSize is
 * taken from before it (RFC 5681 §3.2 step 2), matching prr_delivered, which counts
 * that ACK's delivery (RFC 6937 §3). */
static void enter_recovery(struct synack_stack *st, struct tcp_sock *s, uint32_t acked)
{
    uint32_t flight = s->snd_max - s->snd_una + acked;
    tcp_undo_begin(s, false);
    s->in_recovery = true;
    st->ctr.fast_recoveries++;
    s->recover = s->snd_max;       /* RFC 6582 §3.2 step 2 / RFC 6675 RecoveryPoint */
    tcp_cc_on_loss(&s->cc, flight, now_us(st));
    s->prr_delivered = s->prr_out = 0;
    s->recover_fs = flight;        /* RFC 6937: RecoverFS = FlightSize at the start */
    s->rtt_timing = false;         /* RFC 6298 §3: Karn */
    /* RFC 5681 §3.2 step 2 / RFC 6675 §5 (4.2): retransmit the first unacknowledged
     * segment at once, unless it is a retransmission still in flight (a loss found
     * above the last recovery point and repaired during it, which now draws its own
     * reduction): this ACK's PRR budget then goes to the first lost hole (NextSeg()
     * rule 1). */
    uint32_t run_end;
    if (!tcp_rack_is_rxt(s, s->snd_una, &run_end))
        s->prr_out += tcp_xmit(st, s, s->snd_una, s->snd_mss);
    tcp_arm_rtx(st, s);
}

/* Enters recovery if the first hole is lost (by DupThresh, early retransmit, RFC 6675
 * IsLost or RACK) and the last recovery is over.  Without SACK the ACK must cover more
 * than "recover" (RFC 6582 §3.2 step 1: no false fast retransmit from duplicates of
 * retransmitted data); with SACK recovery is over once SND.UNA reaches RecoveryPoint
 * (RFC 6675 §5), so a hole at RecoveryPoint itself starts the next one.  delivered is
 * what the ACK that starts recovery delivered: RFC 6937 §3 counts it in prr_delivered
 * ("on every ACK starting or during fast recovery").  When one ACK reports a whole
 * window (a receive batch), leaving it out would hold the window to one segment for
 * the round trip. */
static bool maybe_enter_recovery(struct synack_stack *st, struct tcp_sock *s, uint32_t acked,
                                 uint32_t delivered)
{
    bool lost = s->dupacks >= dupthresh(st, s) || (s->sack_ok && tcp_sack_is_lost(st, s, s->snd_una));
    bool over = seq_gt(s->snd_una, s->recover) || s->recover == s->iss ||
                (s->sack_ok && s->snd_una == s->recover);
    if (!lost || !over || s->snd_max == s->snd_una)
        return false;
    enter_recovery(st, s, acked);
    s->prr_delivered += delivered;
    recovery_send(st, s, prr_sndcnt(st, s, delivered));
    return true;
}

void tcp_rack_timer_fire(struct timer *t, void *ctx)
{
    struct synack_stack *st = ctx;
    struct tcp_sock *s = container_of(t, struct tcp_sock, rack_timer);
    if (!s->syn_acked || s->state == SYNACK_TCP_CLOSED)
        return;
    tcp_rack_detect(st, s);
    if (s->in_recovery)
        recovery_send(st, s, prr_sndcnt(st, s, 0));
    else
        maybe_enter_recovery(st, s, 0, 0);
    events_touch(st, s);
}

static void exit_recovery(struct tcp_sock *s)
{
    s->in_recovery = false;
    tcp_rack_recovery_end(s);
    s->dupacks = 0;
    tcp_cc_on_recovery_end(&s->cc);
}

void tcp_recovery_on_ack(struct synack_stack *st, struct tcp_sock *s, uint32_t acked,
                         uint32_t delivered, bool dupack)
{
    /* RFC 6937 §3 DeliveredData: without SACK a duplicate ACK stands for one segment
     * that left the network. */
    if (!s->sack_ok && dupack)
        delivered += s->snd_mss;
    tcp_rack_detect(st, s);
    if (s->in_recovery && seq_ge(s->snd_una, s->recover)) {
        /* RFC 6582 §3.2 step 3: a full acknowledgment.  The ACK is then taken as any
         * other (like Linux): it may show a loss above the recovery point, which
         * starts the next recovery now (no later ACK or timer may come to do it). */
        exit_recovery(s);
    }
    if (s->in_recovery) {
        if (dupack)
            s->dupacks++;
        s->prr_delivered += delivered;
        if (!s->sack_ok && acked) {
            /* RFC 6582 §3.2 step 4: a partial ACK: the next hole is lost too. */
            s->dupacks = 0;
            uint32_t n = tcp_xmit(st, s, s->snd_una, s->snd_mss);
            s->prr_out += n;
            tcp_arm_rtx(st, s);
        }
        recovery_send(st, s, prr_sndcnt(st, s, delivered));
        return;
    }
    if (acked) {
        s->dupacks = 0;
        /* RACK may see the next hole lost.  An ACK that starts recovery does not grow
         * cwnd first (like Linux): the reduction applies to the window that lost. */
        if (maybe_enter_recovery(st, s, acked, delivered))
            return;
        struct tcp_cc_ack a = {
            .acked = delivered, /* bytes SACKed before counted then (like Linux) */
            .flight = s->snd_max - s->snd_una + acked,
            .now_us = now_us(st),
            .srtt_us = s->srtt_us,
            .app_limited = false,
        };
        tcp_cc_on_ack(&s->cc, &a);
        tcp_sndbuf_expand(st, s);
        return;
    }
    if (!dupack)
        return;
    s->dupacks++;
    if (maybe_enter_recovery(st, s, 0, delivered))
        return;
    /* RFC 3042 §2 (limited transmit): on the first two duplicate ACKs, one new segment
     * each, beyond cwnd by at most two segments. */
    if (s->dupacks < TCP_DUPTHRESH && seq_lt(s->snd_max, s->snd_una + s->sndq.len)) {
        uint32_t flight = s->snd_max - s->snd_una - (s->sack_ok ? tcp_sack_bytes(s) : 0);
        if (flight <= s->cc.cwnd + 2u * s->snd_mss - s->snd_mss &&
            seq_le(s->snd_max + s->snd_mss, s->snd_una + s->snd_wnd)) {
            s->snd_nxt = s->snd_max;
            tcp_xmit(st, s, s->snd_max, s->snd_mss);
        }
    }
}

void tcp_recovery_on_rto(struct synack_stack *st, struct tcp_sock *s)
{
    /* RFC 5681 §3.1: a timeout ends any recovery and the window collapses to one
     * segment.  RFC 2018 §5.1 / RFC 6675 §5.1: the receiver may have reneged (ours does
     * when its out-of-order list is full), so prior SACK information is ignored and
     * everything is resent from SND.UNA. */
    tcp_undo_begin(s, true);
    s->sacked_n = 0;
    s->in_recovery = false;
    s->tlp_out = false;
    s->recover = s->snd_max;
    s->dupacks = 0;
    tcp_rack_on_rto(s);
    tcp_cc_on_rto(&s->cc, s->snd_max - s->snd_una, now_us(st));
}
