/* synack.h: the public API of libsynack, a sans-I/O userspace TCP/IP stack.
 * Read DESIGN.md ("Principles") before changing it; socket semantics follow POSIX/Linux.
 *
 * Model.  A `struct synack_stack` is one host: its addresses, its sockets, its timers.
 * It never reads a clock, sleeps or does I/O.  The caller:
 *   - hands it every received IP packet with synack_stack_input(st, now_ns, pkt, len);
 *   - calls synack_stack_poll(st, now_ns) when the deadline it last returned is reached
 *     (and after socket calls, to flush what they queued); poll returns the next deadline;
 *   - receives every packet the stack sends through the link's tx callback.
 * Socket calls act at the time given to the latest synack_stack_input/poll call, so
 * call synack_stack_poll(st, now_ns) once before the first socket call (a stack starts
 * at time 0, and timers armed then would all be due at the first real poll).
 *
 * Threads.  One stack is used by one thread at a time; no call takes a lock.
 * Errors.   Calls return 0 (or a count) on success and a negative errno on failure
 *           (-ECONNRESET ...), never set errno, never raise a signal (-EPIPE instead
 *           of SIGPIPE).  synack_strerror() names them.
 * Memory.   Everything a stack uses is allocated by synack_stack_create() and freed by
 *           synack_stack_destroy(); nothing is allocated per packet.
 */
#ifndef SYNACK_H
#define SYNACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h> /* ssize_t */

#ifdef __cplusplus
extern "C" {
#endif

/* Only the public API is exported from the shared library (built -fvisibility=hidden). */
#pragma GCC visibility push(default)

#define SYNACK_VERSION "0.1.0"

struct synack_stack;

/* ------------------------------------------------------------------ addresses */

enum synack_family { SYNACK_AF_UNSPEC = 0, SYNACK_AF_INET = 4, SYNACK_AF_INET6 = 6 };

/* An IPv4 or IPv6 address.  IPv4 uses bytes[0..3] in network order, the rest zero. */
struct synack_addr {
    uint8_t family; /* enum synack_family */
    uint8_t bytes[16];
};

/* An address and a port (host byte order), as struct sockaddr_in/in6 would carry. */
struct synack_sockaddr {
    struct synack_addr addr;
    uint16_t port;
};

/* Parses "198.18.0.1" or "2001:db8::1" into *out.  Returns 0 or -EINVAL. */
int synack_addr_parse(const char *text, struct synack_addr *out);
/* Formats an address ("198.18.0.1", "2001:db8::1") into buf (at least 46 bytes).
 * Returns buf. */
char *synack_addr_format(const struct synack_addr *addr, char *buf, size_t len);
/* 1 if equal (family and bytes), else 0. */
int synack_addr_equal(const struct synack_addr *a, const struct synack_addr *b);

/* ------------------------------------------------------------------ settings */

/* Per-stack settings.  synack_settings_default() fills Linux's defaults; the names in
 * the comments are the Linux sysctls they mirror.  Times are in milliseconds. */
/* synack_settings.tcp_recovery bits (Linux's net.ipv4.tcp_recovery). */
#define SYNACK_RECOVERY_RACK 0x1u

struct synack_settings {
    uint64_t seed;                  /* seeds the stack's random generator and secrets */

    /* Bounds (DESIGN.md principle 4): every pool is sized here, once. */
    uint32_t max_sockets;           /* sockets and full TCBs (listeners included) */
    uint32_t max_half_open;         /* compact SYN_RCVD entries across all listeners */
    uint32_t max_tw_buckets;        /* net.ipv4.tcp_max_tw_buckets (compact TIME_WAIT) */
    uint32_t buf_chunks;            /* 16 KiB chunks for all buffers (at most 65535) */

    /* IP */
    uint8_t ip_default_ttl;         /* net.ipv4.ip_default_ttl: 64 */
    uint8_t icmp_echo_enable;       /* 1: answer echo requests (!icmp_echo_ignore_all) */
    uint16_t ip_local_port_lo;      /* net.ipv4.ip_local_port_range: 32768 */
    uint16_t ip_local_port_hi;      /*                               60999 */

    /* TCP connection management */
    uint32_t tcp_max_syn_backlog;   /* 1024: SYN queue limit per listener */
    uint32_t somaxconn;             /* 4096: accept queue limit is min(backlog, this) */
    uint8_t tcp_syncookies;         /* 0 off, 1 when the SYN queue overflows, 2 always */
    uint8_t tcp_abort_on_overflow;  /* 1: RST when the accept queue is full */
    uint8_t tcp_syn_retries;        /* 6 */
    uint8_t tcp_synack_retries;     /* 5 */
    uint8_t tcp_retries1;           /* 3: after this many, hint routing (counted) */
    uint8_t tcp_retries2;           /* 15 */
    uint8_t tcp_orphan_retries;     /* 0 means 8, as on Linux */
    uint8_t tcp_rfc1337;            /* 1: ignore RST in TIME_WAIT (RFC 1337) */
    uint32_t tcp_fin_timeout_ms;    /* 60000: orphaned FIN_WAIT_2 lifetime */
    uint32_t msl_ms;                /* 30000: TIME_WAIT lasts 2 * MSL */
    uint32_t tcp_keepalive_time_ms; /* 7200000 */
    uint32_t tcp_keepalive_intvl_ms;/* 75000 */
    uint8_t tcp_keepalive_probes;   /* 9 */
    uint32_t tcp_challenge_ack_limit; /* 1000 per second (RFC 5961 §7) */

    /* TCP options and data */
    uint8_t tcp_timestamps;         /* 1 */
    uint8_t tcp_sack;               /* 1 */
    uint8_t tcp_window_scaling;     /* 1 */
    uint8_t tcp_ecn;                /* 0 off, 1 request and accept, 2 accept only (default) */
    char tcp_congestion_control[16];/* "cubic" (RFC 9438, the default) or "reno" */
    uint32_t tcp_rmem_default;      /* 131072: SO_RCVBUF default */
    uint32_t tcp_wmem_default;      /* 16384:  SO_SNDBUF default */
    uint32_t tcp_rmem_max;          /* 6291456 */
    uint32_t tcp_wmem_max;          /* 4194304 */
    uint8_t tcp_early_retrans;      /* 3: tail loss probes (RFC 8985 §7) and early
                                       retransmit (RFC 5827); 0 off */
    uint8_t tcp_recovery;           /* 1 (SYNACK_RECOVERY_RACK): with SACK, RACK (RFC
                                       8985 §6) decides losses; 0: RFC 6675 DupThresh */
    uint32_t rto_min_ms;            /* 200 (Linux's TCP_RTO_MIN) */
    uint32_t rto_max_ms;            /* 120000 (TCP_RTO_MAX) */
    uint32_t rto_initial_ms;        /* 1000 (RFC 6298 §2.1) */
    uint32_t delack_min_ms;         /* 40 (TCP_DELACK_MIN) */
    uint32_t delack_max_ms;         /* 200 (TCP_DELACK_MAX) */
};

/* Fills *s with Linux's defaults and modest pool sizes (1024 sockets). */
void synack_settings_default(struct synack_settings *s);

/* ------------------------------------------------------------------ stack */

/* Creates a stack.  *s is copied.  Allocates every pool now.
 * Returns 0 and *out, or -EINVAL (a setting out of range), -ENOMEM. */
int synack_stack_create(const struct synack_settings *s, struct synack_stack **out);
/* Frees the stack and everything it owns.  Sends nothing.  Socket ids die with it. */
void synack_stack_destroy(struct synack_stack *st);
/* The settings in force (read-only view, valid until destroy). */
const struct synack_settings *synack_stack_settings(const struct synack_stack *st);
/* Changes settings on a live stack (the equivalent of writing sysctls).  Pool sizes
 * and the seed cannot change: -EINVAL if they differ. */
int synack_stack_configure(struct synack_stack *st, const struct synack_settings *s);

/* Link capabilities (DESIGN.md "Performance shape"). */
#define SYNACK_LINK_CAP_TSO  0x1u /* accepts TCP segments larger than the MTU, cuts them */
#define SYNACK_LINK_CAP_CSUM 0x2u /* checksums are computed/validated by the link */

/* The link a stack sends on.  tx is called synchronously from input/poll/socket calls
 * with one IP packet; the packet is only valid during the call (copy it to keep it). */
struct synack_link {
    uint32_t mtu;  /* e.g. 1500 */
    uint32_t caps; /* SYNACK_LINK_CAP_* */
    void (*tx)(void *user, const uint8_t *pkt, size_t len);
    void *user;
};

/* Attaches the link the stack sends every packet on (one link per stack; a second call
 * replaces it).  *link is copied.  Returns 0 or -EINVAL (NULL tx, mtu < 576 or > 65535). */
int synack_stack_attach_link(struct synack_stack *st, const struct synack_link *link);

/* Adds an address the stack owns, with its prefix (on-link peers).  Up to 8 addresses.
 * Returns 0, -EEXIST, -ENOSPC, -EINVAL. */
int synack_stack_add_addr(struct synack_stack *st, const struct synack_addr *addr,
                          unsigned prefix_len);

/* 1 if addr is one of the stack's addresses, else 0. */
int synack_stack_owns_addr(const struct synack_stack *st, const struct synack_addr *addr);

/* Hands the stack one received IP packet (IPv4 or IPv6, no link header) at time now_ns.
 * The stack reads pkt only during the call.  A bad packet is counted and dropped, never
 * reported here.  now_ns must not go backwards. */
void synack_stack_input(struct synack_stack *st, uint64_t now_ns, const uint8_t *pkt,
                        size_t len);

/* Hands the stack packets that arrived together (one read batch of a driver, one
 * receive ring sweep), in order, at time now_ns.  Each is checked and processed as by
 * synack_stack_input, but what ends a segment's processing (sending the data its ACK
 * released, and the ACK it owes) is done once per connection when the batch is over,
 * as Linux does with a burst that receive offload (GRO) merged: a burst of three
 * full-sized segments draws one ACK for all three, not one for two and a delayed one
 * for the third.  The stack reads the packets only during the call. */
struct synack_packet {
    const uint8_t *data;
    size_t len;
};
void synack_stack_input_batch(struct synack_stack *st, uint64_t now_ns,
                              const struct synack_packet *pkts, size_t n);

/* Advances the stack to now_ns: runs expired timers and sends what is due.  Returns the
 * next time (ns) it wants to be polled, or UINT64_MAX when no timer is pending.  The
 * deadline may be early, never late.  now_ns must not go backwards. */
uint64_t synack_stack_poll(struct synack_stack *st, uint64_t now_ns);

/* The stack's current time: the latest now_ns it was given. */
uint64_t synack_stack_now(const struct synack_stack *st);

/* ------------------------------------------------------------------ counters */

/* Reason-coded drops (DESIGN.md principle 7).  Each increments counters.drops[reason]. */
enum synack_drop {
    SYNACK_DROP_NONE = 0,
    SYNACK_DROP_TRUNCATED,       /* shorter than its fixed header */
    SYNACK_DROP_BAD_VERSION,     /* IP version neither 4 nor 6 */
    SYNACK_DROP_BAD_HDR_LEN,     /* IHL < 5, or header longer than the packet */
    SYNACK_DROP_BAD_TOTAL_LEN,   /* IP total/payload length disagrees with the buffer */
    SYNACK_DROP_BAD_CSUM,        /* IP, TCP or ICMP checksum wrong */
    SYNACK_DROP_FRAGMENT,        /* IP fragment: no reassembly yet */
    SYNACK_DROP_NOT_FOR_US,      /* destination is not one of our addresses */
    SYNACK_DROP_BAD_SRC,         /* source is multicast/broadcast/unspecified/ours */
    SYNACK_DROP_UNKNOWN_PROTO,   /* no handler for the protocol */
    SYNACK_DROP_BAD_DATA_OFF,    /* TCP data offset < 5 or beyond the segment */
    SYNACK_DROP_BAD_OPTION,      /* TCP option with a malformed length */
    SYNACK_DROP_BAD_FLAGS,       /* impossible flag combination (SYN+RST, none, ...) */
    SYNACK_DROP_BAD_PORT,        /* port 0 */
    SYNACK_DROP_NO_LISTENER,     /* no socket; answered with RST unless it was a RST */
    SYNACK_DROP_OUT_OF_WINDOW,   /* sequence number unacceptable (RFC 9293 §3.10.7.4) */
    SYNACK_DROP_OUT_OF_ORDER,    /* data beyond RCV.NXT that could not be queued */
    SYNACK_DROP_BAD_ACK,         /* unacceptable ACK (RFC 5961 §5, SYN_RCVD, ...) */
    SYNACK_DROP_PAWS,            /* timestamp older than TS.Recent (RFC 7323 §5) */
    SYNACK_DROP_RST_IGNORED,     /* RST not exactly at RCV.NXT, or in TIME_WAIT (RFC 1337) */
    SYNACK_DROP_SYN_QUEUE_FULL,  /* SYN refused: SYN queue full and no cookies */
    SYNACK_DROP_ACCEPT_QUEUE_FULL, /* SYN or final ACK refused: accept queue full */
    SYNACK_DROP_BAD_COOKIE,      /* ACK for a SYN cookie that does not validate */
    SYNACK_DROP_NO_MEMORY,       /* a pool was exhausted */
    SYNACK_DROP_RCV_BUF_FULL,    /* data beyond the receive buffer */
    SYNACK_DROP_ICMP_BAD,        /* ICMP malformed, unknown type, or quoting nothing of ours */
    SYNACK_DROP_TW_FULL,         /* TIME_WAIT table full: connection closed at once */
    SYNACK_DROP__COUNT
};
/* Name of a drop reason ("bad_csum", ...), or "?" */
const char *synack_drop_name(int reason);

/* Counters in the spirit of Linux's IP, ICMP and TCP MIBs (RFC 4022 names). */
struct synack_counters {
    uint64_t ip_in_receives, ip_in_delivers, ip_out_requests, ip_out_discards;
    uint64_t icmp_in_msgs, icmp_in_echos, icmp_in_errors, icmp_out_msgs, icmp_out_echo_reps;
    uint64_t tcp_active_opens, tcp_passive_opens, tcp_attempt_fails, tcp_estab_resets;
    uint64_t tcp_curr_estab, tcp_in_segs, tcp_out_segs, tcp_retrans_segs, tcp_in_errs,
        tcp_out_rsts;
    /* Linux's TcpExt equivalents */
    uint64_t syncookies_sent, syncookies_recv, syncookies_failed;
    uint64_t listen_overflows, listen_drops, tw_recycled, tw_killed, challenge_acks,
        challenge_acks_suppressed, timeouts, keepalive_probes, keepalive_timeouts,
        syn_retrans, synack_retrans, abort_on_close, abort_on_linger, abort_on_timeout,
        abort_on_memory, delayed_acks, paws_rejected, tlp_probes, tlp_recoveries, fast_recoveries,
        lost_retransmits, spurious_undos;
    uint64_t drops[SYNACK_DROP__COUNT];
};
/* Copies the counters into *out. */
void synack_stack_counters(const struct synack_stack *st, struct synack_counters *out);

/* A pool's use: the bound it was given, in use now, peak, and refused requests. */
struct synack_pool_stats {
    const char *name; /* "sockets", "time_wait", "buf_chunks", "timers" */
    uint32_t capacity, in_use, peak;
    uint64_t refused;
};
/* Fills up to max entries; returns how many pools the stack has. */
int synack_stack_pools(const struct synack_stack *st, struct synack_pool_stats *out, int max);

/* ------------------------------------------------------------------ errors */

/* "ECONNRESET: connection reset by peer" for -ECONNRESET (either sign accepted). */
const char *synack_strerror(int err);

/* ------------------------------------------------------------------ TCP states */

/* RFC 9293 §3.3.2 (figure 5), in Linux's order of names. */
enum synack_tcp_state {
    SYNACK_TCP_CLOSED = 0,
    SYNACK_TCP_LISTEN,
    SYNACK_TCP_SYN_SENT,
    SYNACK_TCP_SYN_RCVD,
    SYNACK_TCP_ESTABLISHED,
    SYNACK_TCP_FIN_WAIT_1,
    SYNACK_TCP_FIN_WAIT_2,
    SYNACK_TCP_CLOSE_WAIT,
    SYNACK_TCP_CLOSING,
    SYNACK_TCP_LAST_ACK,
    SYNACK_TCP_TIME_WAIT,
    SYNACK_TCP__STATE_COUNT
};
/* "ESTABLISHED", "SYN_SENT", ... */
const char *synack_tcp_state_name(int state);

/* ------------------------------------------------------------------ sockets */

/* Sockets are small integers (>= 0), valid until synack_close().  All sockets are
 * non-blocking: calls that would block return -EAGAIN (connect: -EINPROGRESS); the
 * readiness API says when to retry.  Only SOCK_STREAM (TCP) exists today. */
#define SYNACK_SOCK_STREAM 1

/* Creates a TCP socket of a family (SYNACK_AF_INET / SYNACK_AF_INET6).
 * Returns the socket id, -EAFNOSUPPORT, -EPROTONOSUPPORT, -EMFILE (pool full). */
int synack_socket(struct synack_stack *st, int family, int type);

/* Valid in CLOSED before listen/connect.  addr->addr all-zero (family set) is the
 * wildcard; port 0 picks an ephemeral port.  -EADDRINUSE (port in use or in TIME_WAIT
 * without SO_REUSEADDR), -EADDRNOTAVAIL (not our address), -EINVAL (already bound). */
int synack_bind(struct synack_stack *st, int sd, const struct synack_sockaddr *addr);

/* CLOSED (bound or not) -> LISTEN.  The accept queue holds min(backlog, somaxconn)
 * established connections (backlog <= 0 means 1 ... as Linux: 0 allows one).  Calling it
 * again on a listener only changes the backlog.  -EINVAL in any other state. */
int synack_listen(struct synack_stack *st, int sd, int backlog);

/* Takes one established connection off the accept queue.  Returns its new socket id and
 * fills *peer if non-NULL; -EAGAIN when the queue is empty; -EINVAL if not listening. */
int synack_accept(struct synack_stack *st, int sd, struct synack_sockaddr *peer);

/* Starts an active open (CLOSED -> SYN_SENT, sending the SYN).  Returns -EINPROGRESS;
 * the outcome comes through writability (success) or SO_ERROR / an error event.
 * -EISCONN when connected or listening (as Linux), -EALREADY while connecting,
 * -EADDRNOTAVAIL when no ephemeral port (or 4-tuple) is free, -ENETUNREACH with no
 * address of that family, -EAFNOSUPPORT for a peer of the other family.  A socket whose
 * attempt failed may connect again. */
int synack_connect(struct synack_stack *st, int sd, const struct synack_sockaddr *peer);

/* Flags for send/recv. */
#define SYNACK_MSG_PEEK     0x02
#define SYNACK_MSG_OOB      0x01
#define SYNACK_MSG_DONTWAIT 0x40 /* accepted, no effect: every call is non-blocking */
#define SYNACK_MSG_MORE     0x8000

/* Queues up to len bytes for sending; returns how many were queued (> 0), or -EAGAIN
 * (buffer full, or still connecting), -EPIPE (after shutdown(WR), after the connection
 * died with no error left to report, or never connected: as Linux),
 * or the connection's pending error (-ECONNRESET, -ETIMEDOUT, ...) once.
 * Data is copied; buf is not kept. */
ssize_t synack_send(struct synack_stack *st, int sd, const void *buf, size_t len, int flags);
/* With SYNACK_MSG_OOB the last byte sent is urgent (RFC 9293 §3.8.5, the urgent pointer
 * after it as RFC 6093 §3 and Linux have it); segments carrying urgent data bypass
 * Nagle.  The receiver reads that byte with recv(MSG_OOB) unless SO_OOBINLINE. */

/* Copies up to len received bytes into buf; returns the count, 0 at end of stream (the
 * peer's FIN after all data), -EAGAIN (nothing yet), -ENOTCONN, or the pending error
 * (-ECONNRESET after a RST, -ETIMEDOUT, -EHOSTUNREACH, ...). */
ssize_t synack_recv(struct synack_stack *st, int sd, void *buf, size_t len, int flags);
/* recv(MSG_OOB), as Linux: the urgent byte (1), -EAGAIN while it has not arrived,
 * -EINVAL with SO_OOBINLINE, when none was announced, or once it was read.  Without
 * SO_OOBINLINE an ordinary recv stops at the urgent byte and never returns it. */

#define SYNACK_SHUT_RD   0
#define SYNACK_SHUT_WR   1
#define SYNACK_SHUT_RDWR 2
/* SHUT_WR sends FIN after queued data (half-close); SHUT_RD discards further input.
 * -ENOTCONN when not connected, -EINVAL for a bad how. */
int synack_shutdown(struct synack_stack *st, int sd, int how);

/* Releases the socket id at once.  The connection goes on closing in the stack
 * (orphaned): queued data then FIN, or RST if unread data was pending (RFC 9293
 * §3.10.4, like Linux) or SO_LINGER {1, 0} is set.  Returns 0 or -EBADF. */
int synack_close(struct synack_stack *st, int sd);

/* Local and peer addresses.  -ENOTCONN (peer of an unconnected socket), -EBADF. */
int synack_getsockname(struct synack_stack *st, int sd, struct synack_sockaddr *out);
int synack_getpeername(struct synack_stack *st, int sd, struct synack_sockaddr *out);

/* The socket's TCP state (enum synack_tcp_state), or -EBADF. */
int synack_state(struct synack_stack *st, int sd);

/* Socket options: level and name constants below, values as int unless noted.
 * -ENOPROTOOPT for an unknown name, -EINVAL for a bad length or value. */
#define SYNACK_SOL_SOCKET   1
#define SYNACK_IPPROTO_TCP  6
#define SYNACK_SO_REUSEADDR 2
#define SYNACK_SO_ERROR     4   /* get only: the pending error as a positive errno, cleared */
#define SYNACK_SO_KEEPALIVE 9
#define SYNACK_SO_LINGER    13  /* struct synack_linger */
#define SYNACK_SO_OOBINLINE 10  /* urgent data stays in the stream */
#define SYNACK_SO_SNDBUF    7   /* as Linux: set doubles the value, get returns it */
#define SYNACK_SO_RCVBUF    8
#define SYNACK_TCP_NODELAY      1
#define SYNACK_TCP_MAXSEG       2
#define SYNACK_TCP_CORK         3   /* only full segments until cleared (200 ms ceiling) */
#define SYNACK_TCP_KEEPIDLE     4   /* seconds */
#define SYNACK_TCP_KEEPINTVL    5   /* seconds */
#define SYNACK_TCP_KEEPCNT      6
#define SYNACK_TCP_QUICKACK     12
#define SYNACK_TCP_CONGESTION   13  /* a name: "cubic" or "reno" (char[], not int) */
#define SYNACK_TCP_USER_TIMEOUT 18  /* milliseconds, 0 = off */

struct synack_linger {
    int l_onoff;
    int l_linger; /* seconds */
};

int synack_setsockopt(struct synack_stack *st, int sd, int level, int name, const void *val,
                      size_t len);
/* *len is in/out: the buffer size on entry, the value's size on return. */
int synack_getsockopt(struct synack_stack *st, int sd, int level, int name, void *val,
                      size_t *len);

/* What `ss -ti` shows of a connection. */
struct synack_tcp_info {
    int state;
    uint32_t snd_mss, rcv_mss, rto_ms, srtt_us, rttvar_us, cwnd, ssthresh;
    uint32_t snd_wnd, rcv_wnd, unacked, retransmits, backoff;
    uint8_t snd_wscale, rcv_wscale, ts_ok, sack_ok, ecn_ok;
    uint32_t recv_q, send_q; /* bytes unread / bytes not yet acknowledged */
    int timer;               /* enum synack_timer_kind pending soonest, or 0 */
    uint64_t timer_expires_ns;
};
enum synack_timer_kind {
    SYNACK_TIMER_NONE = 0, SYNACK_TIMER_RETRANSMIT, SYNACK_TIMER_PERSIST,
    SYNACK_TIMER_KEEPALIVE, SYNACK_TIMER_TIME_WAIT, SYNACK_TIMER_FIN_WAIT_2,
    SYNACK_TIMER_DELACK
};
int synack_tcp_info(struct synack_stack *st, int sd, struct synack_tcp_info *out);

/* One entry of the stack's connection table, as `ss -tan` lists it. */
struct synack_conn {
    int sd; /* socket id, or -1: orphaned, half-open (SYN_RCVD), TIME_WAIT, not accepted */
    struct synack_sockaddr local, remote;
    struct synack_tcp_info info; /* state and timer always; the rest for full sockets */
};
typedef void (*synack_conn_cb)(void *user, const struct synack_conn *c);
/* Calls cb for every listener, connection (orphans included), half-open entry and
 * TIME_WAIT entry, in no particular order.  cb must not call into the stack.  O(table
 * size): for inspection, not the packet path.  Returns the number of entries. */
int synack_stack_connections(struct synack_stack *st, synack_conn_cb cb, void *user);

/* ------------------------------------------------------------------ readiness */

#define SYNACK_EV_IN    0x001 /* data, EOF, or a connection to accept */
#define SYNACK_EV_PRI   0x002 /* urgent data (MSG_OOB) is waiting */
#define SYNACK_EV_OUT   0x004 /* send would queue at least one byte; connect finished */
#define SYNACK_EV_ERR   0x008 /* an error is pending (read it with SO_ERROR) */
#define SYNACK_EV_HUP   0x010 /* both directions are closed */
#define SYNACK_EV_RDHUP 0x2000 /* the peer sent FIN */

/* The socket's readiness now (SYNACK_EV_* bits, as poll(2) would report), or -EBADF. */
int synack_socket_events(struct synack_stack *st, int sd);

struct synack_event {
    int sd;
    uint32_t events;
};
/* An epoll-like, level-triggered wait over the whole stack without blocking: fills up
 * to max events for sockets whose readiness intersects their interest mask (default
 * IN|OUT|ERR|HUP|RDHUP; set with synack_set_interest).  Cost is O(sockets whose state
 * changed + sockets still ready), not O(sockets).  Returns the number filled. */
int synack_wait(struct synack_stack *st, struct synack_event *out, int max);
int synack_set_interest(struct synack_stack *st, int sd, uint32_t events);

/* A per-socket callback, called from inside input/poll/socket calls whenever the
 * socket's readiness may have changed.  It may not call synack_close on another socket
 * nor destroy the stack; reading and writing this socket is allowed. */
typedef void (*synack_socket_cb)(struct synack_stack *st, int sd, uint32_t events, void *user);
int synack_set_callback(struct synack_stack *st, int sd, synack_socket_cb cb, void *user);

/* ------------------------------------------------------------------ tracing */

/* One state change of one connection: every transition goes through one function in
 * the stack, which calls the trace hook (DESIGN.md "State machine"). */
struct synack_trace {
    uint64_t now_ns;
    int sd;        /* socket id, or -1 for an orphan, half-open or TIME_WAIT entry */
    struct synack_sockaddr local, remote;
    int old_state, new_state;
    const char *cause; /* static string: "rcv SYN-ACK", "close()", "2MSL expired", ... */
};
typedef void (*synack_trace_cb)(void *user, const struct synack_trace *ev);
/* Sets (or clears, with NULL) the trace hook. */
void synack_set_trace(struct synack_stack *st, synack_trace_cb cb, void *user);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
