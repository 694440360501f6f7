/* state.c: the one place a connection changes state, feeding the trace hook; and the
 * transitions every path shares (established, done).  Read RFC 9293 §3.3.2 (figure 5). */
#include <string.h>

#include "tcp/tcp.h"

static void key_to_trace(const struct flow_key *k, struct synack_trace *ev)
{
    ev->local.addr = k->laddr;
    ev->local.port = k->lport;
    ev->remote.addr = k->raddr;
    ev->remote.port = k->rport;
}

void tcp_trace(struct synack_stack *st, int sd, const struct flow_key *k, int old_state,
               int new_state, const char *cause)
{
    if (!st->trace)
        return;
    struct synack_trace ev;
    memset(&ev, 0, sizeof(ev));
    ev.now_ns = st->now;
    ev.sd = sd;
    key_to_trace(k, &ev);
    ev.old_state = old_state;
    ev.new_state = new_state;
    ev.cause = cause;
    st->trace(st->trace_user, &ev);
}

void tcp_set_state(struct synack_stack *st, struct tcp_sock *s, int new_state, const char *cause)
{
    int old = s->state;
    if (old == new_state)
        return;
    if (old == SYNACK_TCP_ESTABLISHED || old == SYNACK_TCP_CLOSE_WAIT)
        st->ctr.tcp_curr_estab--;
    if (new_state == SYNACK_TCP_ESTABLISHED || new_state == SYNACK_TCP_CLOSE_WAIT)
        st->ctr.tcp_curr_estab++;
    s->state = (uint8_t)new_state;
    tcp_trace(st, s->sd, &s->node.key, old, new_state, cause);
    events_touch(st, s);
}

void tcp_established(struct synack_stack *st, struct tcp_sock *s, const char *cause)
{
    s->connected_once = true;
    s->rcv_up = s->rcv_nxt; /* RFC 9293 §3.3.1: nothing urgent yet */
    s->snd_up = s->snd_una;
    tcp_set_snd_mss(st, s);
    tcp_set_state(st, s, SYNACK_TCP_ESTABLISHED, cause);
    s->last_rcv_ns = st->now;
    tcp_arm_keepalive(st, s);
}

/* The connection is over (RFC 9293 "delete the TCB"): CLOSED, timers stopped, the
 * 4-tuple released.  err (negative errno or 0) is what the application will read.
 * An orphan is freed at once; a socket the application holds waits for close(). */
void tcp_done(struct synack_stack *st, struct tcp_sock *s, int err, const char *cause)
{
    if (err) {
        s->err = err;
        if (s->state == SYNACK_TCP_ESTABLISHED || s->state == SYNACK_TCP_CLOSE_WAIT)
            st->ctr.tcp_estab_resets++;
        else if (s->state == SYNACK_TCP_SYN_SENT || s->state == SYNACK_TCP_SYN_RCVD)
            st->ctr.tcp_attempt_fails++;
    }
    s->rcv_shut = s->snd_shut = true;
    tcp_timers_stop(st, s);
    tcp_set_state(st, s, SYNACK_TCP_CLOSED, cause);
    tcp_sock_unhash(s);
    if (!s->bind_locked || s->sd < 0)
        tcp_port_release(st, s);
    bufq_clear(&s->sndq, &st->chunks);
    events_touch(st, s);
    if (s->sd < 0 && !s->parent)
        tcp_sock_free(st, s);
}
