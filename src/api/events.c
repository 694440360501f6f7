/* events.c: readiness, as Linux's tcp_poll() reports it, and delivery: the epoll-like
 * synack_wait over a ready list and per-socket callbacks.  O(sockets that changed +
 * sockets still ready) per call (DESIGN.md principle 5).  Read poll(2) before changing. */
#include <errno.h>

#include "api/events.h"
#include "tcp/tcp.h"

uint32_t events_mask(const struct tcp_sock *s)
{
    if (s->state == SYNACK_TCP_LISTEN)
        return s->acc_head ? SYNACK_EV_IN : 0;
    uint32_t m = 0;
    if ((s->rcv_shut && s->snd_shut) || s->state == SYNACK_TCP_CLOSED)
        m |= SYNACK_EV_HUP;
    if (s->rcv_shut)
        m |= SYNACK_EV_IN | SYNACK_EV_RDHUP;
    if (s->state != SYNACK_TCP_SYN_SENT && s->state != SYNACK_TCP_SYN_RCVD) {
        if (s->rcvq.len)
            m |= SYNACK_EV_IN;
        if (s->snd_shut || s->sndq.len < s->sndbuf)
            m |= SYNACK_EV_OUT;
    }
    if (s->err)
        m |= SYNACK_EV_ERR;
    if (s->urg_state == URG_VALID)
        m |= SYNACK_EV_PRI;
    return m;
}

void events_touch(struct synack_stack *st, struct tcp_sock *s)
{
    if (s->on_dirty || s->sd < 0)
        return;
    s->on_dirty = true;
    s->dirty_next = st->dirty;
    st->dirty = s;
}

static void ready_remove(struct synack_stack *st, struct tcp_sock *s)
{
    if (!s->on_ready)
        return;
    if (s->ready_prev)
        s->ready_prev->ready_next = s->ready_next;
    else
        st->ready = s->ready_next;
    if (s->ready_next)
        s->ready_next->ready_prev = s->ready_prev;
    s->ready_next = s->ready_prev = NULL;
    s->on_ready = false;
}

void events_forget(struct synack_stack *st, struct tcp_sock *s)
{
    ready_remove(st, s);
    if (s->on_dirty) {
        struct tcp_sock **pp = &st->dirty;
        while (*pp != s)
            pp = &(*pp)->dirty_next;
        *pp = s->dirty_next;
        s->on_dirty = false;
    }
}

void events_flush(struct synack_stack *st)
{
    if (st->in_flush)
        return; /* a callback's own calls are picked up by the loop below */
    st->in_flush = true;
    while (st->dirty) {
        struct tcp_sock *s = st->dirty;
        st->dirty = s->dirty_next;
        s->on_dirty = false;
        if (s->sd < 0)
            continue;
        uint32_t m = events_mask(s);
        if ((m & s->interest) && !s->on_ready) {
            s->on_ready = true;
            s->ready_prev = NULL;
            s->ready_next = st->ready;
            if (st->ready)
                st->ready->ready_prev = s;
            st->ready = s;
        }
        if (s->cb)
            s->cb(st, s->sd, m, s->cb_user);
    }
    st->in_flush = false;
}

int synack_socket_events(struct synack_stack *st, int sd)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    return s ? (int)events_mask(s) : -EBADF;
}

int synack_wait(struct synack_stack *st, struct synack_event *out, int max)
{
    events_flush(st);
    int n = 0;
    struct tcp_sock *s = st->ready;
    while (s && n < max) {
        struct tcp_sock *next = s->ready_next;
        uint32_t m = events_mask(s) & s->interest;
        if (m) {
            out[n].sd = s->sd;
            out[n].events = m;
            n++;
        } else {
            ready_remove(st, s); /* level-triggered: it returns when it changes again */
        }
        s = next;
    }
    return n;
}

int synack_set_interest(struct synack_stack *st, int sd, uint32_t events)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    s->interest = events;
    events_touch(st, s);
    return 0;
}

int synack_set_callback(struct synack_stack *st, int sd, synack_socket_cb cb, void *user)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    s->cb = cb;
    s->cb_user = user;
    return 0;
}
