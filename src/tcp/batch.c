/* batch.c: the work that ends a segment's processing (sending what it released and the
 * ACK it owes), done once per connection per receive batch rather than per packet.
 * Read RFC 9293 §3.8.6.3, RFC 5681 §4.2 and DESIGN.md "Performance shape" first. */
#include "tcp/tcp.h"

/* Like Linux's receive offload (GRO), which hands TCP a burst as one large segment: the
 * delayed-ACK rule (an ACK for every second full-sized segment) is applied to the burst,
 * so its odd last segment is acknowledged with the rest instead of waiting for the next
 * burst, a round trip later.  The sender's answer to a batch of ACKs also goes out once,
 * from the final state. */
static void finish(struct synack_stack *st, struct tcp_sock *s)
{
    tcp_output(st, s);
    if (s->ack_now)
        tcp_send_ack(st, s);
}

void tcp_input_finish(struct synack_stack *st, struct tcp_sock *s)
{
    if (!st->batch_depth) {
        finish(st, s);
        return;
    }
    if (s->on_batch)
        return;
    s->on_batch = true;
    s->batch_next = st->batch;
    st->batch = s;
}

void tcp_batch_begin(struct synack_stack *st) { st->batch_depth++; }

void tcp_batch_end(struct synack_stack *st)
{
    if (--st->batch_depth)
        return;
    while (st->batch) {
        struct tcp_sock *s = st->batch;
        st->batch = s->batch_next;
        s->on_batch = false;
        finish(st, s);
    }
}

void tcp_batch_forget(struct synack_stack *st, struct tcp_sock *s)
{
    if (!s->on_batch)
        return;
    struct tcp_sock **pp = &st->batch;
    while (*pp != s) /* at most one entry per connection the batch touched */
        pp = &(*pp)->batch_next;
    *pp = s->batch_next;
    s->on_batch = false;
}
