/* reass.c: the receiver's out-of-order queue and the SACK blocks it reports.
 * Read RFC 9293 §3.10.7.4 (seventh: segments beyond RCV.NXT may be kept), RFC 2018 §3-4
 * (SACK block order) and RFC 2883 §4 (D-SACK) before changing. */
#include "tcp/tcp.h"
#include "wire/seq.h"

void tcp_reass_clear(struct tcp_sock *s)
{
    s->ooo_n = 0;
    s->ooo_fin = false;
    s->dsack_pending = false;
}

/* The most recently changed block, which the next ACK reports first (RFC 2018 §4). */
static const struct seq_range *latest_block(const struct tcp_sock *s)
{
    const struct seq_range *b = NULL;
    for (unsigned i = 0; i < s->ooo_n; i++)
        if (!b || s->ooo[i].stamp > b->stamp)
            b = &s->ooo[i];
    return b;
}

/* Inside a receive batch (batch.c) the ACK owed for out-of-order data (ack_now) waits
 * for the batch's end, but one ACK holds only 3 or 4 blocks (RFC 2018 §3) and one
 * D-SACK (RFC 2883 §4).  ACKs sent per segment, as RFC 5681 §4.2 asks, would have
 * reported each change first; a batch that opens several new blocks would otherwise
 * report only the last few, and the sender would take the others for lost (RFC 8985
 * §6.2 marks a segment lost once a later one is SACKed).  So the owed ACK goes out
 * before a second duplicate replaces a pending one (tcp_reass_dup) and before data
 * starts or grows a block other than the most recent one (tcp_reass_insert).  A burst
 * that keeps extending one block still costs one ACK. */

void tcp_reass_dup(struct synack_stack *st, struct tcp_sock *s, uint32_t start, uint32_t end)
{
    if (!s->sack_ok)
        return;
    if (s->dsack_pending && s->ack_now)
        tcp_send_ack(st, s); /* the pending one first (above) */
    s->dsack_pending = true;
    s->dsack_start = start;
    s->dsack_end = end;
}

uint32_t tcp_reass_insert(struct synack_stack *st, struct tcp_sock *s, uint32_t seq,
                          const uint8_t *data, uint32_t len)
{
    uint32_t end = seq + len;
    /* A segment wholly inside a block is a duplicate (RFC 2883 §4.1.2). */
    for (unsigned i = 0; i < s->ooo_n; i++) {
        if (seq_ge(seq, s->ooo[i].start) && seq_le(end, s->ooo[i].end)) {
            tcp_reass_dup(st, s, seq, end);
            s->ooo[i].stamp = ++s->ooo_stamp;
            return 0;
        }
    }
    const struct seq_range *latest = latest_block(s);
    if (s->sack_ok && s->ack_now && latest && latest->end != seq)
        tcp_send_ack(st, s); /* what the owed ACK reports first is not this block (above) */
    /* Data lives in rcvq at offset len + (seq - rcv_nxt). */
    size_t off = s->rcvq.len + (seq - s->rcv_nxt);
    uint32_t n = (uint32_t)bufq_write_at(&s->rcvq, &st->chunks, off, data, len);
    if (n < len) {
        stack_drop(st, SYNACK_DROP_NO_MEMORY);
        return 0; /* keep the block list consistent: all or nothing */
    }
    if (ranges_insert(s->ooo, &s->ooo_n, TCP_MAX_OOO, seq, end, ++s->ooo_stamp) < 0) {
        stack_drop(st, SYNACK_DROP_OUT_OF_ORDER);
        return 0;
    }
    return len;
}

uint32_t tcp_reass_advance(struct tcp_sock *s)
{
    uint32_t gained = 0;
    while (s->ooo_n && seq_le(s->ooo[0].start, s->rcv_nxt)) {
        if (seq_gt(s->ooo[0].end, s->rcv_nxt)) {
            uint32_t n = s->ooo[0].end - s->rcv_nxt;
            bufq_extend(&s->rcvq, n);
            s->rcv_nxt += n;
            gained += n;
        }
        ranges_remove(s->ooo, &s->ooo_n, 0);
    }
    return gained;
}

void tcp_sack_blocks(struct tcp_sock *s, struct wire_tcp_opts *o)
{
    if (!s->sack_ok)
        return;
    unsigned max = (o->has & OPT_TS) ? 3 : 4; /* what fits beside the options (RFC 2018 §3) */
    unsigned n = 0;
    if (s->dsack_pending) {
        /* RFC 2883 §4: the duplicate first. */
        o->sack[n].start = s->dsack_start;
        o->sack[n].end = s->dsack_end;
        n++;
        s->dsack_pending = false;
    }
    /* RFC 2018 §4: the block with the most recent segment first, then the others by
     * recency (selection sort over at most TCP_MAX_OOO blocks). */
    uint32_t taken = 0;
    while (n < max) {
        int best = -1;
        for (unsigned i = 0; i < s->ooo_n; i++)
            if (!(taken & (1u << i)) && (best < 0 || s->ooo[i].stamp > s->ooo[best].stamp))
                best = (int)i;
        if (best < 0)
            break;
        taken |= 1u << best;
        o->sack[n].start = s->ooo[best].start;
        o->sack[n].end = s->ooo[best].end;
        n++;
    }
    if (n) {
        o->has |= OPT_SACK;
        o->sack_n = (uint8_t)n;
    }
}
