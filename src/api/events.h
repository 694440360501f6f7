/* events.h: readiness: poll masks, the dirty and ready lists, callbacks.
 * Read poll(2) and Linux's tcp_poll() semantics (described in DESIGN.md) before changing. */
#ifndef SYNACK_API_EVENTS_H
#define SYNACK_API_EVENTS_H

#include "core/stack.h"

struct tcp_sock;

/* The socket's readiness may have changed: queue it for the next flush. */
void events_touch(struct synack_stack *st, struct tcp_sock *s);
/* The socket is going away: take it off every list. */
void events_forget(struct synack_stack *st, struct tcp_sock *s);
/* Computes the readiness of every queued socket, calls callbacks, keeps the ready list. */
void events_flush(struct synack_stack *st);
/* The socket's readiness as poll(2) reports it for a Linux TCP socket. */
uint32_t events_mask(const struct tcp_sock *s);

#endif
