/* urgent.c: urgent data: the URG flag and urgent pointer, sent for MSG_OOB and taken out
 * of band on arrival (one byte, as BSD and Linux do) unless SO_OOBINLINE.
 * Read RFC 9293 §3.8.5 and §3.10.7.4 (sixth), and RFC 6093 §3-§5 before changing. */
#include "tcp/tcp.h"
#include "wire/seq.h"

uint32_t tcp_read_seq(const struct tcp_sock *s)
{
    return s->rcv_nxt - (s->rcv_fin ? 1u : 0u) - s->rcvq.len;
}

void tcp_urg_input(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th)
{
    if (!(th->flags & TCP_URG) || !th->urp)
        return;
    if (s->state != SYNACK_TCP_ESTABLISHED && s->state != SYNACK_TCP_FIN_WAIT_1 &&
        s->state != SYNACK_TCP_FIN_WAIT_2)
        return;
    /* RFC 6093 §3: the pointer points just past the last urgent byte.  RFC 9293 §3.10.7.4
     * (sixth): RCV.UP = max(RCV.UP, SEG.UP) and tell the user. */
    uint32_t up = th->seq + th->urp;
    if (!seq_gt(up, s->rcv_up))
        return;
    s->rcv_up = up;
    s->urg_seq = up - 1;
    s->urg_state = URG_NOTYET;
    if (seq_lt(s->urg_seq, tcp_read_seq(s)))
        s->urg_state = URG_NONE; /* points into what was already read */
    else
        tcp_urg_arrived(st, s);
    events_touch(st, s);
}

void tcp_urg_arrived(struct synack_stack *st, struct tcp_sock *s)
{
    if (s->urg_state != URG_NOTYET)
        return;
    uint32_t from = tcp_read_seq(s);
    uint32_t end = from + s->rcvq.len;
    if (!seq_in(s->urg_seq, from, end))
        return;
    bufq_peek(&s->rcvq, &st->chunks, s->urg_seq - from, &s->urg_byte, 1);
    s->urg_state = URG_VALID;
    events_touch(st, s);
}

uint16_t tcp_urg_out(struct tcp_sock *s, uint32_t seq, uint8_t *flags)
{
    if (s->urg_mode && seq_ge(s->snd_una, s->snd_up))
        s->urg_mode = false;
    if (!s->urg_mode || !seq_lt(seq, s->snd_up))
        return 0;
    /* RFC 6093 §4: a pointer beyond 65535 bytes is sent as 65535, and URG stays on. */
    *flags |= TCP_URG;
    uint32_t up = s->snd_up - seq;
    return (uint16_t)(up > 65535 ? 65535 : up);
}
