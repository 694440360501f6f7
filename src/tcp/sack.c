/* sack.c: the sender's SACK scoreboard: SACKed blocks above SND.UNA, and the questions
 * RFC 6675 asks of it (IsLost, SetPipe/pipe, NextSeg).
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

uint32_t tcp_sack_update(struct tcp_sock *s, const struct wire_tcp_opts *o, bool *dsack)
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
        ranges_insert(s->sacked, &s->sacked_n, TCP_MAX_SACKED, seq_max(start, s->snd_una), end, 0);
    }
    uint32_t after = tcp_sack_bytes(s);
    return after > before ? after - before : 0;
}

void tcp_sack_trim(struct tcp_sock *s)
{
    while (s->sacked_n && seq_le(s->sacked[0].end, s->snd_una))
        ranges_remove(s->sacked, &s->sacked_n, 0);
    if (s->sacked_n && seq_lt(s->sacked[0].start, s->snd_una))
        s->sacked[0].start = s->snd_una;
}

bool tcp_sack_is_sacked(const struct tcp_sock *s, uint32_t seq, uint32_t *run_end)
{
    for (unsigned i = 0; i < s->sacked_n; i++) {
        if (seq_in(seq, s->sacked[i].start, s->sacked[i].end)) {
            *run_end = s->sacked[i].end;
            return true;
        }
    }
    return false;
}

uint32_t tcp_sack_next_start(const struct tcp_sock *s, uint32_t seq)
{
    for (unsigned i = 0; i < s->sacked_n; i++)
        if (seq_gt(s->sacked[i].start, seq))
            return s->sacked[i].start;
    return s->snd_max;
}

/* RFC 6675 §4 IsLost(SeqNum) is true below a boundary: below the start of the
 * DupThresh-th highest SACKed block, or where more than (DupThresh-1)*SMSS bytes are
 * SACKed above.  Returns that boundary (SND.UNA when nothing is lost). */
static uint32_t lost_boundary(const struct tcp_sock *s)
{
    uint32_t b1 = s->snd_una, b2 = s->snd_una;
    /* RFC 8985 §6.2: with RACK, every hole below SACKed data is lost once the
     * reordering window has passed since the SACKs showed it (see recovery.c). */
    if (s->sacked_n && s->rack_hole_ns == UINT64_MAX)
        return s->sacked[s->sacked_n - 1].start;
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

bool tcp_sack_is_lost(const struct tcp_sock *s, uint32_t seq)
{
    uint32_t run_end;
    return !tcp_sack_is_sacked(s, seq, &run_end) && seq_lt(seq, lost_boundary(s));
}

/* RFC 6675 §4 SetPipe(): over the octets from SND.UNA to SND.MAX not SACKed, one for
 * each not lost, one more for each retransmitted (below HighRxt). */
uint32_t tcp_sack_pipe(const struct tcp_sock *s)
{
    uint32_t lost_to = lost_boundary(s), pipe = 0, at = s->snd_una;
    for (unsigned i = 0; i <= s->sacked_n; i++) {
        uint32_t hole_end = i < s->sacked_n ? s->sacked[i].start : s->snd_max;
        if (seq_lt(at, hole_end)) {
            uint32_t nl_from = seq_max(at, lost_to);
            if (seq_lt(nl_from, hole_end))
                pipe += hole_end - nl_from;
            uint32_t rx_to = seq_min(hole_end, s->high_rxt);
            if (s->in_recovery && seq_lt(at, rx_to))
                pipe += rx_to - at;
        }
        if (i < s->sacked_n)
            at = s->sacked[i].end;
    }
    return pipe;
}

bool tcp_sack_next_seg(const struct tcp_sock *s, bool rule3, uint32_t *seq, uint32_t *len)
{
    uint32_t lost_to = lost_boundary(s), high = tcp_sack_highest(s);
    uint32_t at = seq_max(s->snd_una, s->high_rxt);
    for (unsigned i = 0; i <= s->sacked_n && seq_lt(at, high); i++) {
        uint32_t hole_end = i < s->sacked_n ? s->sacked[i].start : high;
        if (seq_lt(at, hole_end) && (rule3 || seq_lt(at, lost_to))) {
            uint32_t end = rule3 ? hole_end : seq_min(hole_end, lost_to);
            *seq = at;
            *len = seq_min(end - at, s->snd_mss);
            return true;
        }
        if (i < s->sacked_n)
            at = seq_max(at, s->sacked[i].end);
    }
    return false;
}
