/* rack.c: RACK loss detection (RFC 8985 §6) from per-segment send times.
 *
 * The send times live in two bounded records instead of one per segment:
 *  - new data is sent in sequence order, so its send time grows with the sequence
 *    number: s->sent[] keeps (end, time) steps, oldest first, from SND.UNA.  When the
 *    record is full, the two neighbours closest in time merge into the later one: a
 *    byte may then look sent later than it was, which only makes RACK wait longer;
 *  - retransmissions break that order: s->rxt[] keeps each retransmitted range that is
 *    neither delivered nor deemed lost, with the time of its latest transmission.
 *    These ranges are also RFC 6675's "retransmitted" octets (HighRxt, generalised to
 *    ranges: see sack.c).
 * So "was this segment sent before that one" and "how long ago was it sent" have
 * answers for every unacknowledged byte, and RACK's rule (§6.2 step 5) marks lost every
 * byte sent before the most recently sent delivered segment, by more than its RTT and
 * the reordering window.  Lost original data lies below one sequence boundary
 * (s->rack_lost_to, which never moves back until a timeout); a lost retransmission
 * leaves s->rxt[] and so becomes due again.
 * Read RFC 8985 §6 (and §3.3 for the ideas) before changing. */
#include <string.h>

#include "tcp/tcp.h"
#include "wire/seq.h"

/* Times are microseconds of the stack clock, modulo 2^32: differences stay far below
 * the 71 minutes the width allows (RTO is at most 120 s). */
static uint32_t now_us32(const struct synack_stack *st) { return (uint32_t)(st->now / 1000u); }
static bool us_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

bool tcp_rack_on(const struct synack_stack *st, const struct tcp_sock *s)
{
    return s->sack_ok && (st->cfg.tcp_recovery & SYNACK_RECOVERY_RACK);
}

/* RFC 8985 §6.2 RACK_sent_after(t1, seq1, t2, seq2). */
static bool sent_after(uint32_t t1, uint32_t end1, uint32_t t2, uint32_t end2)
{
    return !us_le(t1, t2) || (t1 == t2 && seq_gt(end1, end2));
}

/* When the original transmission of the byte at seq was sent (an upper bound). */
static uint32_t sent_time(const struct tcp_sock *s, uint32_t seq, uint32_t fallback)
{
    for (unsigned i = 0; i < s->sent_n; i++)
        if (seq_lt(seq, s->sent[i].end))
            return s->sent[i].us;
    return fallback;
}

/* The end of the new data sent at or before t (SND.UNA when none). */
static uint32_t sent_by(const struct tcp_sock *s, uint32_t t)
{
    uint32_t end = s->snd_una;
    for (unsigned i = 0; i < s->sent_n && us_le(s->sent[i].us, t); i++)
        end = s->sent[i].end;
    return seq_max(end, s->snd_una);
}

static void record_new(struct tcp_sock *s, uint32_t end, uint32_t t)
{
    if (s->sent_n && s->sent[s->sent_n - 1].us == t) {
        s->sent[s->sent_n - 1].end = end;
        return;
    }
    if (s->sent_n == TCP_MAX_SENT) {
        unsigned best = 0;
        for (unsigned i = 1; i + 1 < s->sent_n; i++)
            if (s->sent[i + 1].us - s->sent[i].us < s->sent[best + 1].us - s->sent[best].us)
                best = i;
        memmove(&s->sent[best], &s->sent[best + 1], (s->sent_n - best - 1) * sizeof(s->sent[0]));
        s->sent_n--;
    }
    s->sent[s->sent_n].end = end;
    s->sent[s->sent_n].us = t;
    s->sent_n++;
}

void tcp_rack_on_send(struct synack_stack *st, struct tcp_sock *s, uint32_t seq, uint32_t end)
{
    if (!s->sack_ok || !seq_lt(seq, end))
        return;
    uint32_t t = now_us32(st);
    if (seq_lt(seq, s->snd_max))
        ranges_insert(s->rxt, &s->rxt_n, TCP_MAX_RXT, seq, seq_min(end, s->snd_max), t);
    if (seq_gt(end, s->snd_max))
        record_new(s, end, t);
}

bool tcp_rack_is_rxt(const struct tcp_sock *s, uint32_t seq, uint32_t *run_end)
{
    return ranges_find(s->rxt, s->rxt_n, seq, run_end);
}

/* Whether every byte of [start, end) is below ack or SACKed. */
static bool delivered(const struct tcp_sock *s, uint32_t start, uint32_t end, uint32_t ack)
{
    uint32_t run_end;
    start = seq_max(start, ack);
    while (seq_lt(start, end)) {
        if (!tcp_sack_is_sacked(s, start, &run_end))
            return false;
        start = run_end;
    }
    return true;
}

/* RFC 8985 §6.2 step 2: of the segments one ACK delivered, the one sent last. */
struct rack_pick {
    bool any, rxt;
    uint32_t t, end;
};

static void pick(struct rack_pick *p, uint32_t t, uint32_t end, bool rxt)
{
    if (p->any && !sent_after(t, end, p->t, p->end))
        return;
    *p = (struct rack_pick){.any = true, .rxt = rxt, .t = t, .end = end};
}

/* RFC 8985 §6.2 steps 2-4 with what one ACK delivered: RACK.fack, RACK.rtt,
 * RACK.segment and the D-SACK rounds. */
static void update(struct tcp_sock *s, const struct rack_pick *p, uint32_t now,
                   uint32_t new_top, bool dsack)
{
    if (!s->rack_valid || seq_gt(new_top, s->rack_fack))
        s->rack_fack = new_top;
    if (p->any) {
        s->rack_rtt_us = now - p->t; /* RACK.rtt: the latest delivery's, even if older */
        if (!s->rack_valid || !sent_after(s->rack_us, s->rack_end, p->t, p->end)) {
            if (!s->rack_valid)
                s->rack_lost_to = s->snd_una;
            s->rack_valid = true;
            s->rack_rxt = p->rxt;
            s->rack_us = p->t;
            s->rack_end = p->end;
        }
    }
    /* §6.2 step 4: a D-SACK widens the reordering window, once per round trip, for
     * the next 16 recoveries.  It also says an original we took for lost arrived after
     * all, which we count as reordering seen (else three SACKed segments would keep
     * the window at zero and the widening would never apply). */
    if (s->dsack_round_set && seq_ge(s->snd_una, s->dsack_round))
        s->dsack_round_set = false;
    if (dsack && !s->dsack_round_set) {
        s->dsack_round_set = true;
        s->dsack_round = s->snd_nxt;
        if (s->reo_wnd_extra < UINT8_MAX)
            s->reo_wnd_extra++;
        s->reo_wnd_persist = 16;
        s->rack_reord = true;
    }
}

void tcp_rack_on_ack(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th,
                     uint32_t ack, uint32_t new_low, uint32_t new_top, bool dsack)
{
    /* The records serve RFC 6675's pipe and NextSeg too: they are kept up to date
     * with RACK off; only RACK's own state waits for it. */
    bool on = tcp_rack_on(st, s);
    uint32_t now = now_us32(st), run_end;
    struct rack_pick p = {0};
    /* §6.2 step 3: original data delivered below data delivered before (RACK.fack)
     * means the network reordered.  Segments are delivered whole, so a new byte below
     * RACK.fack belongs to a segment that ends below it. */
    if (on && s->rack_valid && seq_lt(new_low, new_top) && seq_lt(new_low, s->rack_fack) &&
        !tcp_rack_is_rxt(s, new_low, &run_end))
        s->rack_reord = true;
    /* The newly delivered original data: its highest byte was sent last.  Its RTT,
     * timed in microseconds from the record, also feeds RACK.min_RTT: timestamp
     * samples have 1 ms granularity, too coarse to judge the retransmissions below. */
    if (on && seq_gt(new_top, s->snd_una) && !tcp_rack_is_rxt(s, new_top - 1, &run_end)) {
        uint32_t t = sent_time(s, new_top - 1, now), rtt = now - t;
        pick(&p, t, new_top, false);
        if (!s->min_rtt_us || rtt < s->min_rtt_us)
            s->min_rtt_us = rtt ? rtt : 1;
    }
    /* Retransmissions now delivered whole: §6.2 step 2 skips those that may have been
     * answered by the original (the echo predates the retransmission, or the "RTT" is
     * below the minimum). */
    for (unsigned i = 0; i < s->rxt_n;) {
        struct seq_range *r = &s->rxt[i];
        if (!delivered(s, r->start, r->end, ack)) {
            if (seq_lt(r->start, ack))
                r->start = ack;
            i++;
            continue;
        }
        uint32_t age = now - r->stamp;
        bool valid = on && (!s->min_rtt_us || age >= s->min_rtt_us);
        if (valid && s->ts_ok && (th->opts.has & OPT_TS) && th->opts.ts_ecr) {
            /* the TSval the retransmission carried, at most */
            uint32_t ts_sent = tcp_tsval(st, s->ts_offset) - age / 1000u;
            valid = (int32_t)(th->opts.ts_ecr - ts_sent) >= 0;
        }
        if (valid)
            pick(&p, r->stamp, r->end, true);
        ranges_remove(s->rxt, &s->rxt_n, i);
    }
    if (on)
        update(s, &p, now, new_top, dsack);
    /* With everything acknowledged nothing can be lost: the next delivery starts
     * RACK afresh (and no stale time is compared across a long idle period). */
    if (ack == s->snd_max)
        s->rack_valid = false;
    /* What SND.UNA passed needs no send time. */
    unsigned gone = 0;
    while (gone < s->sent_n && seq_le(s->sent[gone].end, ack))
        gone++;
    memmove(&s->sent[0], &s->sent[gone], (s->sent_n - gone) * sizeof(s->sent[0]));
    s->sent_n = (uint8_t)(s->sent_n - gone);
}

void tcp_rack_recovery_end(struct tcp_sock *s)
{
    /* RFC 8985 §6.2 step 4: the widened window lasts 16 recoveries. */
    if (s->reo_wnd_persist && !--s->reo_wnd_persist)
        s->reo_wnd_extra = 0;
}

/* RFC 8985 §6.2 step 4 RACK_reo_wnd(), in microseconds. */
static uint32_t reo_wnd_us(const struct tcp_sock *s)
{
    if (!s->rack_reord) {
        /* Until the path has shown reordering, a loss is a loss: DupThresh SACKed
         * segments, or recovery already under way, leave no window. */
        uint32_t sacked = tcp_sack_bytes(s);
        if (seq_lt(s->snd_una, s->recover) || sacked >= TCP_DUPTHRESH * (uint32_t)s->snd_mss)
            return 0;
    }
    /* min_RTT/4 (1 ms before any sample), widened by D-SACKs, at most SRTT. */
    uint32_t w = (s->min_rtt_us ? s->min_rtt_us / 4 : 1000u) * (1u + s->reo_wnd_extra);
    return s->rtt_valid && s->srtt_us < w ? s->srtt_us : w;
}

void tcp_rack_detect(struct synack_stack *st, struct tcp_sock *s)
{
    if (!tcp_rack_on(st, s) || !s->rack_valid) {
        timer_cancel(&st->wheel, &s->rack_timer);
        return;
    }
    uint32_t now = now_us32(st), wait = s->rack_rtt_us + reo_wnd_us(s);
    uint32_t dead = now - wait; /* sent at or before this: due */
    bool timer = false;
    uint32_t due = 0;
    /* Retransmissions sent before RACK.segment and due are lost: they leave the
     * record, to be sent again, and what lies below them is lost too. */
    for (unsigned i = 0; i < s->rxt_n;) {
        struct seq_range *r = &s->rxt[i];
        if (!sent_after(r->stamp, r->end, s->rack_us, s->rack_end)) {
            if (us_le(r->stamp, dead)) {
                s->rack_lost_to = seq_max(s->rack_lost_to, r->end);
                st->ctr.lost_retransmits++;
                ranges_remove(s->rxt, &s->rxt_n, i);
                continue;
            }
            if (!timer || us_le(r->stamp + wait, due))
                due = r->stamp + wait;
            timer = true;
        }
        i++;
    }
    /* Original data sent before RACK.segment: up to its end if it is new data itself,
     * else up to what was sent by its (re)transmission time. */
    uint32_t before = s->rack_rxt ? sent_by(s, s->rack_us) : seq_max(s->rack_end, s->snd_una);
    s->rack_lost_to = seq_max(s->rack_lost_to, seq_min(before, sent_by(s, dead)));
    s->rack_lost_to = seq_max(s->rack_lost_to, s->snd_una);
    /* The first byte not yet due, if any: the reordering timer (§6.3) waits for it. */
    uint32_t at = tcp_sack_next_hole(s, s->rack_lost_to, before);
    if (seq_lt(at, before)) {
        uint32_t d = sent_time(s, at, now) + wait;
        if (!timer || us_le(d, due))
            due = d;
        timer = true;
    }
    if (timer)
        timer_arm(&st->wheel, &s->rack_timer,
                  st->now + (us_le(due, now) ? 0 : (uint64_t)(due - now) * 1000u));
    else
        timer_cancel(&st->wheel, &s->rack_timer);
}

void tcp_rack_on_rto(struct tcp_sock *s)
{
    /* RFC 8985 §6.3 / RFC 6675 §5.1: after a timeout everything unacknowledged is
     * resent in order; nothing is retransmitted-and-in-flight any more. */
    s->rxt_n = 0;
    s->rack_lost_to = s->snd_una;
}
