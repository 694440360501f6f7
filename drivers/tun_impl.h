/* tun_impl.h: what the TUN driver's files share: the device, its impairment queue and
 * its event loop state.  Read include/synack_tun.h, tun(4) and epoll(7) before changing. */
#ifndef SYNACK_DRIVERS_TUN_IMPL_H
#define SYNACK_DRIVERS_TUN_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "synack_tun.h"

#define TUN_TX_RING 256        /* packets queued for write before a flush */
#define TUN_HELD_MAX 8192      /* packets held back by delay or reordering */
#define TUN_MAX_WATCH 16

/* A packet held back by an impairment. */
struct tun_held {
    uint64_t due_ns, seq;
    uint8_t dir;
    uint32_t len;
    uint8_t *data;             /* a slot of slot_size bytes */
};

struct tun_watch {
    int fd;
    synack_tun_fd_cb cb;
    void *user;
};

struct synack_tun {
    int fd;
    char name[16];
    uint32_t mtu, slot_size;
    struct synack_stack *st;
    struct synack_pcap *pcap;
    int64_t wall_offset_ns;    /* CLOCK_REALTIME - CLOCK_MONOTONIC, for pcap stamps */
    struct synack_tun_impair imp[2];
    uint64_t rng;
    struct synack_tun_stats stats;

    /* Impairment queue: a binary min-heap on (due_ns, seq) over a slab of slots. */
    struct tun_held *heap;
    uint32_t nheld;
    uint8_t *held_slab;
    uint8_t **held_free;
    uint32_t nfree;
    uint64_t held_seq;

    /* Packets the stack sent, written at the end of the iteration. */
    uint8_t *tx_slab;
    uint32_t tx_len[TUN_TX_RING];
    uint32_t ntx;

    /* Packets read in one wakeup (slots of slot_size bytes), and the batch handed to
     * the stack at its end: pointers into the read slots or into held slots, which go
     * back to the free list once the batch is in. */
    uint8_t *rx_slab;
    struct synack_packet rx_pend[SYNACK_TUN_BATCH];
    uint32_t nrx_pend;
    uint8_t *rx_held[SYNACK_TUN_BATCH];
    uint32_t nrx_held;

    /* Event loop. */
    int epfd, timerfd;
    uint64_t timer_armed_ns;   /* 0: not armed */
    struct tun_watch watch[TUN_MAX_WATCH];
    bool stopping, wake;
    uint64_t last_now;
};

/* tun.c */
/* Reads up to SYNACK_TUN_BATCH packets; returns how many, or a negative errno. */
int tun_rx_batch(struct synack_tun *t, uint64_t now_ns);
/* Writes every queued outbound packet. */
void tun_tx_flush(struct synack_tun *t);

/* tun_impair.c */
/* Applies dir's impairments to a packet crossing now: delivers, holds or drops it. */
void tun_impair(struct synack_tun *t, int dir, uint64_t now_ns, const uint8_t *pkt, size_t len);
/* Releases every held packet due by now. */
void tun_release_due(struct synack_tun *t, uint64_t now_ns);
/* The earliest held packet's due time, or UINT64_MAX. */
uint64_t tun_next_due(const struct synack_tun *t);
int tun_impair_init(struct synack_tun *t);
void tun_impair_free(struct synack_tun *t);

/* Hands a packet over without impairment: to the stack's receive batch (IN; pkt must
 * stay valid until tun_rx_flush) or to the tx queue (OUT, copied). */
void tun_deliver(struct synack_tun *t, int dir, uint64_t now_ns, const uint8_t *pkt, size_t len);
/* Hands the pending receive batch, if any, to the stack (synack_stack_input_batch), then
 * returns the held slots it used.  Nothing is pending before a stack is attached. */
void tun_rx_flush(struct synack_tun *t, uint64_t now_ns);

/* tun_loop.c */
int tun_loop_init(struct synack_tun *t);
void tun_loop_free(struct synack_tun *t);

#endif
