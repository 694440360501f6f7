/* synack_tun.h: a Linux TUN device as a synack link, with the small event loop that
 * feeds a stack real time, and the kernel side's address.  Read tun(4)/netdevice(7),
 * epoll(7), timerfd_create(2) and rtnetlink(7) before changing.  Not part of the
 * sans-I/O core: it does I/O and reads CLOCK_MONOTONIC.
 *
 * Use:  synack_tun_open("synack0", seed, &t); synack_tun_attach(t, st);
 *       synack_tun_watch(t, fd, EPOLLIN, cb, user) for the application's own fds;
 *       synack_tun_run(t, step, user) until step returns non-zero or synack_tun_stop().
 * Each wakeup the loop reads a batch of packets (up to SYNACK_TUN_BATCH), hands them
 * to the stack, runs due impairment releases, polls the stack, calls step (where the
 * application makes its socket calls), polls again to flush, writes what was queued,
 * then sleeps in epoll_wait until a packet, a watched fd or the next deadline. */
#ifndef SYNACK_TUN_H
#define SYNACK_TUN_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"
#include "synack_pcap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Only the public API is exported from the shared library (built -fvisibility=hidden). */
#pragma GCC visibility push(default)

#define SYNACK_TUN_BATCH 64 /* packets read per wakeup before the stack is polled */

struct synack_tun;

/* Impairments of one direction, applied in the driver (this kernel has no netem). */
struct synack_tun_impair {
    double loss;               /* probability a packet is dropped */
    double dup;                /* probability a packet is delivered twice */
    double reorder;            /* probability a packet is held back by reorder_delay_us */
    uint32_t delay_us;         /* added one-way delay */
    uint32_t reorder_delay_us; /* extra delay of a reordered packet (0 means 1000) */
};

enum synack_tun_dir {
    SYNACK_TUN_IN = 0,  /* kernel -> stack (read from the device) */
    SYNACK_TUN_OUT = 1, /* stack -> kernel (written to the device) */
};

struct synack_tun_stats {
    uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes;
    uint64_t rx_errors, tx_errors;  /* failed reads / writes (tx: dropped) */
    uint64_t lost[2], duplicated[2], reordered[2], delayed[2];
    uint64_t queue_drops;           /* impairment queue full */
    uint64_t wakeups, full_batches; /* loop iterations; reads that hit SYNACK_TUN_BATCH */
};

/* Attaches to TUN device ifname, creating it if missing (IFF_TUN | IFF_NO_PI), and
 * makes it non-blocking.  seed drives the impairments.  Returns 0 and *out, or a
 * negative errno (-ENOENT without /dev/net/tun, -EPERM without CAP_NET_ADMIN). */
int synack_tun_open(const char *ifname, uint64_t seed, struct synack_tun **out);
/* Stops the loop's use of the device and closes it (a non-persistent device vanishes
 * with it).  Packets still held for impairment are dropped. */
void synack_tun_close(struct synack_tun *t);
const char *synack_tun_name(const struct synack_tun *t);
/* The device's MTU (SIOCGIFMTU), as given to the stack. */
uint32_t synack_tun_mtu(const struct synack_tun *t);

/* Makes the device st's link (mtu from the device).  Returns 0 or a negative errno. */
int synack_tun_attach(struct synack_tun *t, struct synack_stack *st);
/* Sets the impairments of one direction, or both with dir = -1. */
void synack_tun_set_impair(struct synack_tun *t, int dir, const struct synack_tun_impair *imp);
void synack_tun_get_impair(const struct synack_tun *t, int dir, struct synack_tun_impair *out);
/* Captures every packet as it crosses the device (after impairments), with wall-clock
 * timestamps; NULL stops. */
void synack_tun_set_pcap(struct synack_tun *t, struct synack_pcap *p);
void synack_tun_stats(const struct synack_tun *t, struct synack_tun_stats *out);

/* ---------------------------------------------------------------- the event loop */

/* CLOCK_MONOTONIC in nanoseconds: the time the loop gives the stack. */
uint64_t synack_tun_clock(void);

typedef void (*synack_tun_fd_cb)(void *user, int fd, uint32_t events);
/* Watches fd for EPOLL* events, calling cb from the loop; a second call changes the
 * events (0 pauses it).  Returns 0 or a negative errno (-EPERM: fd cannot be polled,
 * e.g. a regular file). */
int synack_tun_watch(struct synack_tun *t, int fd, uint32_t events, synack_tun_fd_cb cb,
                     void *user);
int synack_tun_unwatch(struct synack_tun *t, int fd);

/* Runs the loop.  step is called once per wakeup after input and may make any socket
 * call; it returns non-zero to stop.  Returns 0 when stopped (by step or
 * synack_tun_stop), or a negative errno if the device or epoll failed. */
int synack_tun_run(struct synack_tun *t, int (*step)(void *user), void *user);
/* Makes synack_tun_run return after the current iteration (callable from callbacks). */
void synack_tun_stop(struct synack_tun *t);
/* Asks for another iteration without sleeping (e.g. a callback queued work). */
void synack_tun_wake(struct synack_tun *t);

/* ---------------------------------------------------------------- the kernel side */

/* Gives the kernel's side of device ifname the address addr/prefix_len (IPv4 or IPv6,
 * IPv6 without duplicate address detection) and brings the link up, over rtnetlink.
 * An address already present is not an error.  Returns 0 or a negative errno. */
int synack_tun_host_addr(const char *ifname, const struct synack_addr *addr,
                         unsigned prefix_len);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
