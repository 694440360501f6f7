/* synack_memlink.h: a simulated network joining any number of stacks in one process,
 * driven in virtual time by a discrete-event loop.  Per direction it can lose, duplicate,
 * reorder, corrupt (bit flips), delay (with jitter), rate-limit (with a bounded queue and
 * tail drop) and enforce an MTU.  All randomness comes from one seed: the same seed and
 * the same stacks give byte-identical runs.  Not part of the sans-I/O core. */
#ifndef SYNACK_MEMLINK_H
#define SYNACK_MEMLINK_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"
#include "synack_pcap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Only the public API is exported from the shared library (built -fvisibility=hidden). */
#pragma GCC visibility push(default)

struct synack_memlink;

/* Impairments of one direction (from one host to another). */
struct synack_memlink_impair {
    double loss;          /* probability a packet is dropped */
    double dup;           /* probability a packet is delivered twice */
    double reorder;       /* probability a packet is held back by reorder_delay_us */
    double corrupt;       /* probability one random bit of the packet is flipped */
    uint32_t delay_us;    /* one-way propagation delay */
    uint32_t jitter_us;   /* plus uniform [0, jitter_us) (may reorder) */
    uint32_t reorder_delay_us; /* extra delay of a reordered packet (default 1000) */
    uint64_t rate_bps;    /* 0: unlimited; else serialisation at this rate */
    uint32_t queue_pkts;  /* rate-limit queue bound (tail drop); 0 means 100; the packet
                             being serialised counts */
    uint32_t mtu;         /* larger packets are dropped; 0 means the sender's MTU */
};

/* Per-direction counts.  Packets beyond the 65536 in flight count as queue_drops. */
struct synack_memlink_stats {
    uint64_t sent, delivered, lost, duplicated, reordered, corrupted, queue_drops,
        mtu_drops, no_route;
};

/* What a tap sees. */
enum synack_memlink_event {
    SYNACK_MEMLINK_TX = 0,    /* a host sent it (before impairments) */
    SYNACK_MEMLINK_DELIVER,   /* handed to the receiving stack (after impairments) */
    SYNACK_MEMLINK_DROP,      /* lost, tail-dropped, too big, or no host owns the dst */
};
/* to_host is -1 when no host owns the destination (or it cannot be parsed). */
typedef void (*synack_memlink_tap)(void *user, int event, int from_host, int to_host,
                                   uint64_t now_ns, const uint8_t *pkt, size_t len);

/* Creates an empty network at virtual time 0.  Returns 0 or -ENOMEM. */
int synack_memlink_create(uint64_t seed, struct synack_memlink **out);
/* Frees the network and packets in flight; the stacks stay the caller's. */
void synack_memlink_destroy(struct synack_memlink *m);

/* Joins st to the network: attaches a link (mtu) to it; packets to any address st owns
 * (synack_stack_add_addr, before or after) are delivered to it.  The stack must outlive
 * the network or be removed first.  Returns the host id (>= 0) or -ENOSPC (64 hosts). */
int synack_memlink_add_host(struct synack_memlink *m, struct synack_stack *st, uint32_t mtu);
/* Detaches a host: packets to it are dropped as no_route from now on (a crashed host).
 * Packets it has in flight still arrive. */
void synack_memlink_remove_host(struct synack_memlink *m, int host);
/* Replaces host's stack (a rebooted host), attaching the link to the new stack. */
void synack_memlink_replace_host(struct synack_memlink *m, int host, struct synack_stack *st);

/* Sets the impairments from one host to another; -1 for "every host". */
void synack_memlink_set_impair(struct synack_memlink *m, int from, int to,
                               const struct synack_memlink_impair *imp);
/* Sums the counts of the directions from -> to; -1 for "every host".  With to = -1 it
 * also counts the packets no host owned (sent, no_route). */
void synack_memlink_stats(const struct synack_memlink *m, int from, int to,
                          struct synack_memlink_stats *out);

/* Captures every packet as it is sent (TX), at its virtual time; NULL stops. */
void synack_memlink_set_pcap(struct synack_memlink *m, struct synack_pcap *p);
void synack_memlink_set_tap(struct synack_memlink *m, synack_memlink_tap tap, void *user);

/* The virtual clock (ns). */
uint64_t synack_memlink_now(const struct synack_memlink *m);

/* Runs the event loop: repeatedly take the earliest of (next packet delivery, every
 * stack's poll deadline), advance the clock to it and act, until the clock would pass
 * until_ns (the clock then stands at until_ns, every stack polled there) or stop returns
 * non-zero (checked after every event; NULL for never).  Returns 1 if stopped by stop,
 * 0 if until_ns was reached.  Packets due at the same time for the same host, in a row,
 * are one event: up to 64 handed over by one synack_stack_input_batch. */
int synack_memlink_run(struct synack_memlink *m, uint64_t until_ns,
                       int (*stop)(void *user), void *user);
/* Puts pkt on the wire as if host `from` had sent it now (a raw sender: pings in the demo,
 * crafted packets in tests).  The packet is copied. */
void synack_memlink_inject(struct synack_memlink *m, int from, const uint8_t *pkt, size_t len);
/* Polls every stack at the current time (to flush what socket calls queued). */
void synack_memlink_kick(struct synack_memlink *m);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
