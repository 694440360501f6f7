/* sack.c: the sender's SACK scoreboard: SACKed blocks above SND.UNA, and the questions
 * RFC 6675 asks of it (IsLost, SetPipe/pipe, NextSeg); with RACK on, rack.c says what
 * is lost.
 * Read RFC 2018 §3-§5, RFC 2883 §4 (D-SACK) and RFC 6675 §3-§5 before changing. */
#include "tcp/tcp.h"
#include "wire/seq.h"

uint32_t tcp_sack_bytes(const struct tcp_sock *s)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < s->sacked_n; i++)
        n += s->sacked[i].end - s->sacked[i].start;
    return n;
}

uint32_t tcp_sack_bytes_below(const struct tcp_sock *s, uint32_t seq)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < s->sacked_n && seq_lt(s->sacked[i].start, seq); i++)
        n += seq_min(s->sacked[i].end, seq) - s->sacked[i].start;
    return n;
}

uint32_t tcp_sack_highest(const struct tcp_sock *s)
{
    return s->sacked_n ? s->sacked[s->sacked_n - 1].end : s->snd_una;
}

uint32_t tcp_sack_uncovered_top(const struct tcp_sock *s, uint32_t start, uint32_t end)
{
    for (int i = s->sacked_n - 1; i >= 0 && seq_lt(start, end); i--) {
        if (seq_ge(s->sacked[i].start, end))
            continue;
        if (seq_lt(s->sacked[i].end, end))
            return end;
        end = s->sacked[i].start;
    }
    return seq_lt(start, end) ? end : start;
}

uint32_t tcp_sack_update(struct tcp_sock *s, const struct wire_tcp_opts *o, bool *dsack,
                         uint32_t *new_low, uint32_t *new_top)
{
    *dsack = false;
    if (!(o->has & OPT_SACK))
        return 0;
    uint32_t before = tcp_sack_bytes(s);
    for (unsigned i = 0; i < o->sack_n; i++) {
        uint32_t start = o->sack[i].start, end = o->sack[i].end;
        if (!seq_lt(start, end))
            continue;
        /* RFC 2883 §4: a first block below the cumulative ACK, or inside the second
         * block, reports a duplicate. */
        if (i == 0 && (seq_le(end, s->snd_una) ||
                       (o->sack_n > 1 && seq_ge(start, o->sack[1].start) &&
                        seq_le(end, o->sack[1].end)))) {
            *dsack = true;
            continue;
        }
        /* RFC 2018 §5 / RFC 6675 §4: believe only blocks within what we sent. */
        if (seq_gt(end, s->snd_max) || seq_le(end, s->snd_una))
            continue;
        start = seq_max(start, s->snd_una);
        uint32_t top = tcp_sack_uncovered_top(s, start, end), low = start, run_end;
        if (seq_gt(top, start)) {
            *new_top = seq_max(*new_top, top);
            if (tcp_sack_is_sacked(s, low, &run_end))
                low = run_end; /* blocks are merged: the byte after a run is not SACKed */
            *new_low = seq_min(*new_low, low);
        }
        ranges_insert(s->sacked, &s->sacked_n, TCP_MAX_SACKED, start, end, 0);
    }
    uint32_t after = tcp_sack_bytes(s);
    return after > before ? after - before : 0;
}

uint32_t tcp_sack_trim(struct tcp_sock *s)
{
    uint32_t dropped = 0;
    while (s->sacked_n && seq_le(s->sacked[0].end, s->snd_una)) {
        dropped += s->sacked[0].end - s->sacked[0].start;
        ranges_remove(s->sacked, &s->sacked_n, 0);
    }
    if (s->sacked_n && seq_lt(s->sacked[0].start, s->snd_una)) {
        dropped += s->snd_una - s->sacked[0].start;
        s->sacked[0].start = s->snd_una;
    }
    return dropped;
}

bool tcp_sack_is_sacked(const struct tcp_sock *s, uint32_t seq, uint32_t *run_end)
{
    return ranges_find(s->sacked, s->sacked_n, seq, run_end);
}

uint32_t tcp_sack_next_hole(const struct tcp_sock *s, uint32_t at, uint32_t limit)
{
    uint32_t run_end;
    while (seq_lt(at, limit) &&
           (tcp_sack_is_sacked(s, at, &run_end) || tcp_rack_is_rxt(s, at, &run_end)))
        at = run_end;
    return at;
}

uint32_t tcp_sack_next_start(const struct tcp_sock *s, uint32_t seq)
{
    for (unsigned i = 0; i < s->sacked_n; i++)
        if (seq_gt(s->sacked[i].start, seq))
            return s->sacked[i].start;
    return s->snd_max;
}

/* Lost octets lie below a boundary (SND.UNA when none is lost).  With RACK it is
 * rack.c's (RFC 8985 §6.2); else RFC 6675 §4 IsLost(SeqNum): below the start of the
 * DupThresh-th highest SACKed block, or where more than (DupThresh-1)*SMSS bytes are
 * SACKed above. */
static uint32_t lost_boundary(const struct synack_stack *st, const struct tcp_sock *s)
{
    if (tcp_rack_on(st, s))
        return s->rack_valid ? seq_max(s->rack_lost_to, s->snd_una) : s->snd_una;
    uint32_t b1 = s->snd_una, b2 = s->snd_una;
    if (s->sacked_n >= TCP_DUPTHRESH)
        b1 = s->sacked[s->sacked_n - TCP_DUPTHRESH].start;
    uint32_t need = (TCP_DUPTHRESH - 1) * s->snd_mss, above = 0;
    for (int i = s->sacked_n - 1; i >= 0; i--) {
        uint32_t len = s->sacked[i].end - s->sacked[i].start;
        if (above + len > need) {
            /* every hole below this block has more than enough SACKed above it */
            b2 = s->sacked[i].start;
            break;
        }
        above += len;
    }
    return seq_max(b1, b2);
}

bool tcp_sack_is_lost(const struct synack_stack *st, const struct tcp_sock *s, uint32_t seq)
{
    uint32_t run_end;
    return !tcp_sack_is_sacked(s, seq, &run_end) && seq_lt(seq, lost_boundary(st, s));
}

/* Unacknowledged bytes of [start, end) no SACK covers. */
static uint32_t unsacked_in(const struct tcp_sock *s, uint32_t start, uint32_t end)
{
    start = seq_max(start, s->snd_una);
    end = seq_min(end, s->snd_max);
    if (!seq_lt(start, end))
        return 0;
    return end - start - (tcp_sack_bytes_below(s, end) - tcp_sack_bytes_below(s, start));
}

/* RFC 6675 §4 SetPipe(): over the octets from SND.UNA to SND.MAX not SACKed, one for
 * each not lost, one more for each retransmitted (in rack.c's record: a retransmission
 * in flight; RFC 6675 says below HighRxt). */
uint32_t tcp_sack_pipe(const struct synack_stack *st, const struct tcp_sock *s)
{
    uint32_t pipe = unsacked_in(s, lost_boundary(st, s), s->snd_max);
    for (unsigned i = 0; i < s->rxt_n; i++)
        pipe += unsacked_in(s, s->rxt[i].start, s->rxt[i].end);
    return pipe;
}

/* RFC 6675 §4 NextSeg() rules 1 and 3, with "S2 > HighRxt" read as "S2 not in a
 * retransmission still in flight": a lost retransmission (RACK) is due again. */
bool tcp_sack_next_seg(const struct synack_stack *st, const struct tcp_sock *s, bool rule3,
                       uint32_t *seq, uint32_t *len)
{
    uint32_t limit = rule3 ? tcp_sack_highest(s) : lost_boundary(st, s);
    uint32_t at = tcp_sack_next_hole(s, s->snd_una, limit);
    if (!seq_lt(at, limit))
        return false;
    uint32_t end = seq_min(tcp_sack_next_start(s, at), limit);
    for (unsigned i = 0; i < s->rxt_n; i++)
        if (seq_gt(s->rxt[i].start, at))
            end = seq_min(end, s->rxt[i].start);
    *seq = at;
    *len = seq_min(end - at, s->snd_mss);
    return true;
}
