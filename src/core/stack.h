/* stack.h: the stack instance (struct synack_stack) and what its modules share.
 * Read DESIGN.md "Principles" before changing: all state hangs off this struct. */
#ifndef SYNACK_CORE_STACK_H
#define SYNACK_CORE_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/flowtab.h"
#include "core/pool.h"
#include "core/rng.h"
#include "core/timer.h"
#include "synack.h"

#define STACK_MAX_ADDRS 8
/* Largest packet the stack builds: 64 KiB IP plus room for a link header in front. */
#define STACK_TXBUF 65600

struct tcp_sock;

struct stack_addr {
    struct synack_addr addr;
    unsigned prefix_len;
};

/* Per local port: who holds it (bind conflicts, RFC 9293 §3.4.1 / Linux's bhash). */
struct port_use {
    uint32_t socks;      /* sockets bound to the port (listeners and connections) */
    uint32_t no_reuse;   /* of those, how many lack SO_REUSEADDR or listen */
    uint32_t by_connect; /* of those, how many got it from connect()'s ephemeral pick */
    uint32_t tw;         /* TIME_WAIT entries on the port */
};

struct synack_stack {
    struct synack_settings cfg;
    struct synack_link link;
    bool has_link;
    uint64_t now;               /* ns: the latest time given to input/poll */
    struct rng rng;
    uint8_t flow_secret[16];    /* flow table hash (DESIGN.md principle 5) */
    uint8_t isn_secret[16];     /* RFC 6528 F() key */
    uint8_t cookie_secret[16];  /* RFC 4987 SYN cookies */
    uint8_t ts_secret[16];      /* per-connection timestamp offsets */

    struct stack_addr addrs[STACK_MAX_ADDRS];
    int naddrs;
    uint16_t ip_id;

    struct synack_counters ctr;
    struct timer_wheel wheel;

    /* Pools (DESIGN.md principle 4). */
    struct pool socks;          /* struct tcp_sock */
    struct pool reqs;           /* struct tcp_req: SYN_RCVD entries */
    struct pool tws;            /* struct tcp_tw: TIME_WAIT entries */
    struct pool chunks;         /* BUFQ_CHUNK_BYTES buffer chunks */

    struct flowtab flows;       /* connections, SYN_RCVD and TIME_WAIT by 4-tuple */
    struct flowtab listeners;   /* listeners by (laddr or wildcard, lport) */
    struct port_use *ports;     /* 65536 entries */
    uint16_t next_ephemeral;

    /* Socket ids. */
    struct tcp_sock **sd_tab;   /* max_sockets entries */
    uint32_t *sd_free;          /* stack of free ids */
    uint32_t sd_nfree;

    /* Readiness (src/api/events.c). */
    struct tcp_sock *dirty;     /* sockets whose readiness may have changed */
    struct tcp_sock *ready;     /* sockets last seen ready (level-triggered) */
    bool in_flush;

    /* Receive batches (src/tcp/batch.c). */
    struct tcp_sock *batch;     /* connections whose end-of-input work is deferred */
    unsigned batch_depth;

    /* RFC 5961 §7 challenge ACK limit. */
    uint64_t challenge_window_start;
    uint32_t challenge_count;

    synack_trace_cb trace;
    void *trace_user;

    uint8_t txbuf[STACK_TXBUF]; /* where packets are built */
};

/* Counts a drop and returns 0 (for `return stack_drop(st, reason);`). */
static inline int stack_drop(struct synack_stack *st, int reason)
{
    st->ctr.drops[reason]++;
    return 0;
}

/* Milliseconds of the stack clock (TCP timestamps and timers use it). */
static inline uint64_t stack_now_ms(const struct synack_stack *st) { return st->now / 1000000u; }

/* The address of ours to send from toward dst (same family), or NULL. */
const struct synack_addr *stack_source_for(const struct synack_stack *st,
                                           const struct synack_addr *dst);
/* 1 if addr is one of ours. */
int stack_owns(const struct synack_stack *st, const struct synack_addr *addr);

#endif
