/* tcp.h: the TCP control block (RFC 9293 §3.3.1 names), the compact SYN_RCVD and
 * TIME_WAIT entries, and the functions the TCP files share.
 * Read RFC 9293 §3.3 and §3.10 before changing. */
#ifndef SYNACK_TCP_TCP_H
#define SYNACK_TCP_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/events.h"
#include "core/bufq.h"
#include "core/flowtab.h"
#include "core/stack.h"
#include "core/timer.h"
#include "tcp/cc.h"
#include "tcp/ranges.h"
#include "wire/icmp.h"
#include "wire/ip.h"
#include "wire/tcp.h"

#define container_of(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

/* What a flow-table node belongs to. */
enum tcp_flow_kind { TCP_FLOW_SOCK = 1, TCP_FLOW_REQ, TCP_FLOW_TW };

/* All three flow-table entry types begin with their node and kind. */
struct tcp_flow_head {
    struct flow_node node;
    uint8_t kind;
};
static inline uint8_t tcp_flow_kind(const struct flow_node *n)
{
    return ((const struct tcp_flow_head *)(const void *)n)->kind;
}

/* The peer's urgent byte: none, announced but not arrived, arrived, read. */
enum tcp_urg_state { URG_NONE = 0, URG_NOTYET, URG_VALID, URG_READ };

/* What the retransmission timer is doing. */
enum tcp_rtx_kind { RTX_NONE = 0, RTX_RETRANSMIT, RTX_PERSIST, RTX_CORK, RTX_TLP };

/* Linux's TCP_MAX_QUICKACKS: quick ACKs granted when data first arrives. */
#define TCP_MAX_QUICKACKS 16
/* RFC 7323 §5.5: TS.Recent is invalid after 24 days idle. */
#define TCP_PAWS_IDLE_MS (24ull * 24 * 3600 * 1000)
/* Bounds of the out-of-order blocks kept and of the SACK scoreboard. */
#define TCP_MAX_OOO 16
#define TCP_MAX_SACKED 16
/* Bounds of RACK's send-time records (src/tcp/rack.c). */
#define TCP_MAX_SENT 16
#define TCP_MAX_RXT 16
/* RFC 5681 §3.2 / RFC 6675 DupThresh. */
#define TCP_DUPTHRESH 3

struct tcp_tw;

/* A socket: listener, connection, or a connection the application has closed (orphan). */
struct tcp_sock {
    struct flow_node node;       /* in st->flows (connections) or st->listeners */
    uint8_t kind;                /* TCP_FLOW_SOCK */
    uint8_t state;               /* enum synack_tcp_state */
    uint8_t family;
    struct flowtab *hashed_in;   /* the flow table holding node, or NULL */
    bool port_held;              /* counted in st->ports[lport] */
    bool port_noreuse;           /* ...as a holder others may not share */
    bool bind_locked;            /* bind() chose the port: it outlives a failed connect */
    bool port_by_connect;        /* connect() picked the port (shareable by 4-tuple) */
    int sd;                      /* socket id; -1 once closed or before accept */

    /* Listener. */
    struct tcp_sock *parent;     /* the listener of a child not yet accepted */
    struct tcp_sock *acc_next;   /* accept queue (FIFO) link */
    struct tcp_sock *acc_head, *acc_tail;
    uint32_t acc_len, backlog, syn_len;
    struct tcp_req *reqs;        /* half-open connections (doubly linked) */
    uint64_t last_cookie_ns;     /* when this listener last sent a SYN cookie */

    /* Send sequence space (RFC 9293 §3.3.1). */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2, max_snd_wnd;
    /* Receive sequence space. */
    uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge advertised, never shrinks */
    uint8_t snd_wscale, rcv_wscale;  /* peer's shift (applied to its windows), ours */
    bool syn_acked;              /* our SYN has been acknowledged */
    bool fin_queued;             /* a FIN follows the queued data (close/shutdown) */
    bool rcv_fin;                /* the peer's FIN was received (in order) */
    bool fin_acked;              /* our FIN was acknowledged */

    /* Options negotiated. */
    bool ws_ok, ts_ok, sack_ok, ecn_ok;
    uint16_t peer_mss;           /* from the peer's SYN (536/1220 without the option) */
    uint16_t snd_mss;            /* largest payload we send (options accounted) */
    uint16_t rcv_mss;            /* estimate of the peer's segment size */
    uint32_t ts_recent;          /* RFC 7323 §4.3 TS.Recent */
    uint64_t ts_recent_ms;       /* when TS.Recent was set (24-day rule) */
    uint32_t ts_offset;          /* added to our clock in TSval */
    uint32_t last_ack_sent;      /* RFC 7323 §4.3 Last.ACK.sent */

    /* RTT and retransmission (RFC 6298). */
    uint32_t srtt_us, rttvar_us, rto_ms;
    bool rtt_valid;              /* srtt holds a sample */
    bool rtt_timing;             /* a Karn sample is running */
    uint32_t rtt_seq;            /* ...ended by an ACK beyond this */
    uint64_t rtt_start_ns;
    uint8_t backoff;             /* RTO doublings in force */
    uint8_t retransmits;         /* consecutive timeouts of the current head */
    uint32_t total_retrans;
    uint64_t head_sent_ns;       /* when the oldest unacknowledged data was sent */
    uint64_t rtx_stamp_ns;       /* last retransmission, while it is unacknowledged */
    uint32_t rtx_high;           /* end of the highest retransmitted range */
    uint32_t rtx_first_tsval;    /* TSval of the oldest, while rtx_stamp_ns is set */
    uint8_t rtx_kind;            /* enum tcp_rtx_kind */
    uint8_t dupacks;

    /* Receive side ACK policy (Linux-like delayed ACK). */
    uint8_t quickacks;
    bool ack_now;                /* an ACK is owed at the end of input */
    bool ato_started;            /* data has arrived before (quick-ACK granted once) */
    bool pingpong;               /* interactive: we answer data with data (no quick ACK) */
    uint64_t last_data_rcv_ns;   /* when data last arrived (pingpong detection) */
    uint32_t rcv_unacked;        /* bytes received since our last ACK */

    /* Out-of-order data (src/tcp/reass.c): written into rcvq past its end, tracked as
     * sorted blocks; stamp orders them by arrival for SACK (RFC 2018 §4). */
    struct seq_range ooo[TCP_MAX_OOO];
    uint8_t ooo_n;
    uint32_t ooo_stamp;
    bool ooo_fin;                /* a FIN arrived beyond a hole */
    uint32_t ooo_fin_seq;
    bool dsack_pending;          /* RFC 2883: report this duplicate in the next ACK */
    uint32_t dsack_start, dsack_end;

    /* Send side SACK scoreboard (src/tcp/sack.c) and loss recovery (recovery.c). */
    struct seq_range sacked[TCP_MAX_SACKED]; /* sorted, disjoint, above snd_una */
    uint8_t sacked_n;
    bool in_recovery;
    uint32_t recover;            /* RFC 6582 / RFC 6675 RecoveryPoint */
    uint32_t prr_delivered, prr_out, recover_fs; /* RFC 6937 */
    /* Undo of a spurious reduction (src/tcp/undo.c). */
    bool undo_armed;             /* a loss episode's reduction may still be taken back */
    bool undo_ts_set;            /* undo_tsval holds the Eifel reference */
    uint8_t undo_verdict;        /* enum tcp_undo_verdict */
    uint32_t undo_cwnd, undo_ssthresh; /* before the reduction */
    uint32_t undo_marker;        /* SND.UNA when the episode began */
    uint32_t undo_horizon;       /* SND.MAX at the latest retransmission */
    uint32_t undo_retrans;       /* bytes retransmitted and not yet reported duplicate */
    uint32_t undo_tsval;         /* oldest retransmission unacknowledged in the episode */
    /* Urgent data (RFC 9293 §3.8.5, RFC 6093; src/tcp/urgent.c). */
    bool urg_mode;               /* SND.UP is ahead of SND.UNA */
    uint32_t snd_up;             /* the byte after the last urgent byte sent */
    uint32_t rcv_up;             /* RCV.UP */
    uint32_t urg_seq;            /* the urgent byte announced by the peer */
    uint8_t urg_state;           /* enum tcp_urg_state */
    uint8_t urg_byte;
    bool oobinline;              /* SO_OOBINLINE */
    /* RACK (RFC 8985 §6; src/tcp/rack.c): send times of what is unacknowledged. */
    struct tcp_sent_step {
        uint32_t end;            /* new data up to here (from the step before)... */
        uint32_t us;             /* ...was first sent at this time (or a little before) */
    } sent[TCP_MAX_SENT];
    uint8_t sent_n;
    uint8_t rxt_n;
    struct seq_range rxt[TCP_MAX_RXT]; /* retransmitted, in flight; stamp: when (us) */
    bool rack_valid;             /* a delivery has set RACK.segment */
    bool rack_rxt;               /* ...which was a retransmission */
    bool rack_reord;             /* RACK.reordering_seen */
    bool dsack_round_set;
    uint8_t reo_wnd_extra;       /* RACK.reo_wnd_mult - 1 */
    uint8_t reo_wnd_persist;     /* RACK.reo_wnd_persist */
    uint32_t rack_us, rack_end;  /* RACK.xmit_ts, RACK.end_seq */
    uint32_t rack_rtt_us;        /* RACK.rtt */
    uint32_t rack_fack;          /* RACK.fack */
    uint32_t dsack_round;        /* RACK.dsack_round */
    uint32_t rack_lost_to;       /* original data below, not SACKed, is lost */
    uint32_t min_rtt_us;         /* RACK.min_RTT */
    struct timer rack_timer;     /* RFC 8985 §6.3 reordering timer */
    /* Tail loss probe (RFC 8985 §7). */
    bool tlp_out;                /* a probe is unacknowledged */
    bool tlp_retrans;            /* ...and it was a retransmission */
    uint32_t tlp_end;            /* SND.NXT when it was sent */
    /* ECN (RFC 3168 §6.1). */
    bool ece_pending;            /* CE seen: set ECE on ACKs until the peer's CWR */
    bool cwr_pending;            /* we reduced for an ECE: set CWR on the next new data */
    uint32_t ecn_recover;        /* no second ECE reduction before this is acknowledged */
    struct tcp_cc cc;

    /* Buffers (bytes only; SYN and FIN take sequence space, not buffer). */
    struct bufq sndq;            /* from snd_una: unacknowledged, then unsent */
    struct bufq rcvq;            /* received in order, not yet read */
    uint32_t sndbuf, rcvbuf;
    bool sndbuf_locked, rcvbuf_locked; /* set by SO_SNDBUF / SO_RCVBUF: no auto-tuning */
    uint32_t rcv_rtt_us;         /* the receiver's RTT estimate (src/tcp/tune.c) */
    uint32_t drs_copied;         /* most bytes the application read in one RTT */
    uint32_t drs_seq;            /* read position when the measurement began */
    uint64_t drs_start_ns;

    /* Application side. */
    bool rcv_shut, snd_shut;     /* Linux's RCV_SHUTDOWN / SEND_SHUTDOWN */
    bool connected_once;         /* reached ESTABLISHED at some time */
    bool active_open;            /* connect() made it */
    int err;                     /* pending error (negative errno), reported once */
    int soft_err;                /* last ICMP soft error, reported on timeout */
    bool reuseaddr, keepalive, nodelay, cork, linger_on;
    bool push_once;              /* send held small data now (uncork, cork ceiling) */
    int linger_s;
    uint16_t user_mss;           /* TCP_MAXSEG */
    uint32_t keepidle_ms, keepintvl_ms;
    uint8_t keepcnt, probes_out;
    uint32_t user_timeout_ms;
    uint64_t last_rcv_ns;        /* keepalive idle reference */

    /* Timers. */
    struct timer rtx_timer;      /* retransmission, SYN retransmission, persist */
    struct timer delack_timer;
    struct timer ka_timer;       /* keepalive, or orphaned FIN_WAIT_2 lifetime */

    struct tcp_tw *tw;           /* the TIME_WAIT entry that took over this connection */

    /* Readiness (src/api/events.c). */
    uint32_t interest;
    synack_socket_cb cb;
    void *cb_user;
    struct tcp_sock *dirty_next, *ready_next, *ready_prev;
    bool on_dirty, on_ready;
    struct tcp_sock *batch_next; /* on the stack's list of connections a receive batch touched */
    bool on_batch;
};

/* A half-open connection in a listener's SYN queue (Linux's request sock). */
struct tcp_req {
    struct flow_node node;       /* in st->flows */
    uint8_t kind;                /* TCP_FLOW_REQ */
    struct tcp_sock *listener;
    struct tcp_req *lnext, *lprev;
    uint32_t iss, irs;
    uint16_t peer_mss;
    uint8_t snd_wscale, rcv_wscale;
    bool ws_ok, ts_ok, sack_ok, ecn_ok;
    uint32_t ts_recent, ts_offset;
    uint8_t retries;
    bool synack_once;            /* the SYN-ACK went only once (Karn) */
    uint64_t synack_ns;          /* when the SYN-ACK was last sent */
    struct timer timer;
};

/* A compact TIME_WAIT entry (RFC 9293 §3.6.1; Linux's timewait sock). */
struct tcp_tw {
    struct flow_node node;       /* in st->flows */
    uint8_t kind;                /* TCP_FLOW_TW */
    uint8_t family;
    bool ts_ok;
    uint8_t rcv_wscale;
    uint32_t snd_nxt, rcv_nxt;
    uint32_t rcv_wnd;            /* bytes */
    uint32_t ts_recent, ts_offset;
    uint64_t ts_recent_ms;
    struct tcp_sock *owner;      /* the application's socket, if still open */
    struct timer timer;
};

/* A segment as parsed for TCP input, with its sequence length (RFC 9293 §3.4). */
struct tcp_seg {
    const struct wire_ip *ip;
    struct wire_tcp th;
    uint32_t len;                /* SEG.LEN: payload + SYN + FIN */
};

/* An outgoing segment. */
struct tcp_out {
    const struct synack_addr *src, *dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t win;
    uint16_t urp;
    uint8_t tos;
    struct wire_tcp_opts opts;
    const struct bufq *data;     /* payload source, or NULL */
    uint32_t data_off, data_len;
};

/* input.c */
void tcp_input(struct synack_stack *st, const struct wire_ip *ip);
void tcp_icmp_error(struct synack_stack *st, const struct wire_icmp *m);
void tcp_rcv_synchronized(struct synack_stack *st, struct tcp_sock *s, struct tcp_seg *seg);
void tcp_init_cwnd(struct tcp_sock *s);
bool tcp_seq_acceptable(uint32_t seq, uint32_t len, uint32_t rcv_nxt, uint32_t wnd);

/* output.c */
int tcp_emit(struct synack_stack *st, const struct tcp_out *o);
void tcp_out_from_key(struct tcp_out *o, const struct flow_key *k, uint32_t seq, uint32_t ack,
                      uint8_t flags);
void tcp_out_from_sock(const struct tcp_sock *s, struct tcp_out *o, uint32_t seq, uint8_t flags);
/* The 4-tuple a received segment belongs to, from our side. */
void tcp_key_from_seg(struct flow_key *k, const struct tcp_seg *seg);
void tcp_send_ack(struct synack_stack *st, struct tcp_sock *s);
/* An ACK at seq (keepalive and zero-window probes: one below what the peer expects). */
void tcp_send_ack_at(struct synack_stack *st, struct tcp_sock *s, uint32_t seq);
void tcp_send_syn(struct synack_stack *st, struct tcp_sock *s);
/* The FIN of a connection closed before our SYN was acknowledged (at ISS+1). */
void tcp_send_syn_fin(struct synack_stack *st, struct tcp_sock *s);
void tcp_send_rst(struct synack_stack *st, struct tcp_sock *s);
void tcp_reply_rst(struct synack_stack *st, const struct tcp_seg *seg);
bool tcp_challenge_ack_allowed(struct synack_stack *st);
void tcp_output(struct synack_stack *st, struct tcp_sock *s);
uint16_t tcp_window_field(struct tcp_sock *s, bool syn);
uint32_t tcp_rcv_space(const struct tcp_sock *s);
/* RCV.WND as the peer may have seen it: up to RCV_ADV plus the rounding of the scaled
 * field (less than one 2^shift unit, RFC 7323 §2.4); 0 when nothing was offered. */
static inline uint32_t tcp_rcv_wnd(const struct tcp_sock *s)
{
    int32_t w = (int32_t)(s->rcv_adv - s->rcv_nxt);
    return w > 0 ? (uint32_t)w + (1u << s->rcv_wscale) - 1 : 0;
}
void tcp_syn_options(struct wire_tcp_opts *o, uint16_t mss, bool ws, uint8_t wscale, bool ts,
                     uint32_t tsval, uint32_t tsecr, bool sack);
uint32_t tcp_tsval(const struct synack_stack *st, uint32_t offset);
uint8_t tcp_our_wscale(const struct synack_stack *st);
uint16_t tcp_adv_mss(const struct synack_stack *st, uint8_t family, uint16_t user_mss);
void tcp_set_snd_mss(struct synack_stack *st, struct tcp_sock *s);

/* timer.c */
void tcp_timers_init(struct tcp_sock *s);
void tcp_timers_stop(struct synack_stack *st, struct tcp_sock *s);
void tcp_arm_rtx(struct synack_stack *st, struct tcp_sock *s);
void tcp_arm_keepalive(struct synack_stack *st, struct tcp_sock *s);
void tcp_schedule_ack(struct synack_stack *st, struct tcp_sock *s);
uint32_t tcp_rto_current(const struct synack_stack *st, const struct tcp_sock *s);

/* rtt.c */
void tcp_rtt_sample(struct synack_stack *st, struct tcp_sock *s, uint32_t rtt_us);
/* Takes the sample an acceptable ACK gives, if any; true when it did. */
bool tcp_rtt_from_ack(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th);
/* last_resend_ns: when the SYN (SYN-ACK) was last resent, 0 if it went once. */
void tcp_rtt_from_handshake(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th,
                            uint64_t last_resend_ns);
void tcp_rtt_init(struct synack_stack *st, struct tcp_sock *s);

/* state.c */
void tcp_set_state(struct synack_stack *st, struct tcp_sock *s, int new_state, const char *cause);
void tcp_trace(struct synack_stack *st, int sd, const struct flow_key *k, int old_state,
               int new_state, const char *cause);
void tcp_done(struct synack_stack *st, struct tcp_sock *s, int err, const char *cause);
void tcp_established(struct synack_stack *st, struct tcp_sock *s, const char *cause);

/* sock.c: socket lifetime */
struct tcp_sock *tcp_sock_alloc(struct synack_stack *st, uint8_t family);
void tcp_sock_free(struct synack_stack *st, struct tcp_sock *s);
void tcp_sock_hash(struct synack_stack *st, struct tcp_sock *s);
void tcp_sock_unhash(struct tcp_sock *s);
struct tcp_sock *tcp_sock_by_sd(struct synack_stack *st, int sd);
int tcp_sd_alloc(struct synack_stack *st, struct tcp_sock *s);

/* demux.c: lookups and ports */
struct flow_node *tcp_lookup(struct synack_stack *st, const struct flow_key *k);
struct tcp_sock *tcp_lookup_listener(struct synack_stack *st, const struct synack_addr *laddr,
                                     uint16_t lport);
int tcp_port_check(struct synack_stack *st, uint16_t port, bool reuseaddr);
void tcp_port_hold(struct synack_stack *st, struct tcp_sock *s);
void tcp_port_release(struct synack_stack *st, struct tcp_sock *s);
int tcp_pick_ephemeral(struct synack_stack *st, struct flow_key *k);

/* listen.c */
/* isn: the ISN to use (a SYN that reopens a TIME_WAIT 4-tuple), or NULL to choose. */
void tcp_listen_input(struct synack_stack *st, struct tcp_sock *l, struct tcp_seg *seg,
                      const uint32_t *isn);
void tcp_req_input(struct synack_stack *st, struct tcp_req *r, struct tcp_seg *seg);
void tcp_listen_stop(struct synack_stack *st, struct tcp_sock *l);
void tcp_req_free(struct synack_stack *st, struct tcp_req *r);

/* syncookie.c (RFC 4987) */
uint32_t tcp_cookie_make(struct synack_stack *st, const struct flow_key *k, uint32_t client_isn,
                         uint16_t peer_mss, uint16_t *mss_out);
int tcp_cookie_check(struct synack_stack *st, const struct flow_key *k, uint32_t client_isn,
                     uint32_t cookie, uint16_t *mss_out);
uint32_t tcp_cookie_tsval(uint32_t tsval, bool ws, uint8_t wscale, bool sack, bool ecn);
int tcp_cookie_ts_decode(uint32_t tsecr, bool *ws, uint8_t *wscale, bool *sack, bool *ecn);

/* isn.c (RFC 6528) */
uint32_t tcp_isn(struct synack_stack *st, const struct flow_key *k);
uint32_t tcp_ts_offset(struct synack_stack *st, const struct flow_key *k);

/* timewait.c */
void tcp_enter_time_wait(struct synack_stack *st, struct tcp_sock *s, const char *cause);
void tcp_tw_input(struct synack_stack *st, struct tcp_tw *tw, struct tcp_seg *seg);
void tcp_tw_free(struct synack_stack *st, struct tcp_tw *tw, const char *cause);

/* reass.c (RFC 2018, RFC 2883) */
/* Queues out-of-order data at seq (> rcv_nxt, within the window).  Returns bytes kept. */
uint32_t tcp_reass_insert(struct synack_stack *st, struct tcp_sock *s, uint32_t seq,
                          const uint8_t *data, uint32_t len);
/* After in-order data: joins the blocks that now touch RCV.NXT.  Returns bytes gained. */
uint32_t tcp_reass_advance(struct tcp_sock *s);
/* Records a duplicate for D-SACK (sending first an ACK still owed for an earlier one). */
void tcp_reass_dup(struct synack_stack *st, struct tcp_sock *s, uint32_t start, uint32_t end);
/* Fills the SACK blocks of an outgoing ACK (D-SACK first, then most recent first). */
void tcp_sack_blocks(struct tcp_sock *s, struct wire_tcp_opts *o);
void tcp_reass_clear(struct tcp_sock *s);

/* sack.c: the sender's scoreboard (RFC 6675 §4-5) */
/* Takes the SACK blocks of an ACK.  Returns bytes newly SACKed; *dsack set when the
 * first block reports a duplicate (RFC 2883 §4); *new_low lowered to the lowest byte
 * newly SACKed, *new_top raised to the end of the highest. */
uint32_t tcp_sack_update(struct tcp_sock *s, const struct wire_tcp_opts *o, bool *dsack,
                         uint32_t *new_low, uint32_t *new_top);
/* Drops what SND.UNA passed.  Returns the SACKed bytes it dropped. */
uint32_t tcp_sack_trim(struct tcp_sock *s);
uint32_t tcp_sack_bytes(const struct tcp_sock *s);
uint32_t tcp_sack_highest(const struct tcp_sock *s);
bool tcp_sack_is_sacked(const struct tcp_sock *s, uint32_t seq, uint32_t *run_end);
/* The first byte from at on, below limit, neither SACKed nor in a retransmission still
 * in flight (rack.c's record); limit when there is none. */
uint32_t tcp_sack_next_hole(const struct tcp_sock *s, uint32_t at, uint32_t limit);
/* The end of the highest part of [start, end) no SACKed block covers (start if none). */
uint32_t tcp_sack_uncovered_top(const struct tcp_sock *s, uint32_t start, uint32_t end);
/* Whether seq is lost: RACK's verdict (rack.c) when RACK is on, else RFC 6675 IsLost. */
bool tcp_sack_is_lost(const struct synack_stack *st, const struct tcp_sock *s, uint32_t seq);
/* SACKed bytes below seq. */
uint32_t tcp_sack_bytes_below(const struct tcp_sock *s, uint32_t seq);
/* The start of the first SACKed block above seq, or SND.MAX. */
uint32_t tcp_sack_next_start(const struct tcp_sock *s, uint32_t seq);
uint32_t tcp_sack_pipe(const struct synack_stack *st, const struct tcp_sock *s);
/* RFC 6675 NextSeg(): the next hole to retransmit in recovery: rule 1 (lost, not
 * retransmitted), or with rule3 the first unSACKed, unretransmitted hole below the
 * highest SACK. */
bool tcp_sack_next_seg(const struct synack_stack *st, const struct tcp_sock *s, bool rule3,
                       uint32_t *seq, uint32_t *len);

/* rack.c: RACK loss detection (RFC 8985 §6) */
/* Whether RACK decides losses (SACK on and tcp_recovery's RACK bit set). */
bool tcp_rack_on(const struct synack_stack *st, const struct tcp_sock *s);
/* From tcp_xmit, before SND.MAX moves: [seq, end) was sent now. */
void tcp_rack_on_send(struct synack_stack *st, struct tcp_sock *s, uint32_t seq, uint32_t end);
/* Whether seq was retransmitted and that retransmission is still in flight. */
bool tcp_rack_is_rxt(const struct tcp_sock *s, uint32_t seq, uint32_t *run_end);
/* For an acceptable ACK, after its SACK blocks are taken and before SND.UNA moves to
 * ack: it newly delivered bytes from new_low to new_top (exclusive), not all between. */
void tcp_rack_on_ack(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th,
                     uint32_t ack, uint32_t new_low, uint32_t new_top, bool dsack);
/* RFC 8985 §6.2 step 5 / §6.3: marks losses, arms the reordering timer. */
void tcp_rack_detect(struct synack_stack *st, struct tcp_sock *s);
void tcp_rack_recovery_end(struct tcp_sock *s);
void tcp_rack_on_rto(struct tcp_sock *s);

/* recovery.c: duplicate ACKs, fast retransmit, NewReno / SACK recovery, PRR */
/* Called for every acceptable ACK with the bytes it acknowledged cumulatively and the
 * bytes it delivered (RFC 6937 §3 DeliveredData). */
void tcp_recovery_on_ack(struct synack_stack *st, struct tcp_sock *s, uint32_t acked,
                         uint32_t delivered, bool dupack);
void tcp_recovery_on_rto(struct synack_stack *st, struct tcp_sock *s);
/* RFC 8985 §6.3: the reordering window ran out: look for losses again. */
void tcp_rack_timer_fire(struct timer *t, void *ctx);

/* undo.c: spurious retransmission detection (RFC 3522 Eifel, RFC 3708 D-SACK) and
 * undo (RFC 4015).  begin: before a reduction (fast recovery or a timeout);
 * on_retransmit: from tcp_xmit for every resent range; on_ack: after recovery's ACK
 * processing, with whether the ACK carried a D-SACK (its first block). */
enum tcp_undo_verdict { TCP_UNDO_PENDING, TCP_UNDO_SPURIOUS, TCP_UNDO_NEEDED };
void tcp_undo_begin(struct tcp_sock *s, bool rto);
/* Before a retransmission of len bytes goes out (and before rtx_stamp_ns is set). */
void tcp_undo_on_retransmit(struct synack_stack *st, struct tcp_sock *s, uint32_t len);
void tcp_undo_on_ack(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th,
                     bool dsack);

/* batch.c: end-of-input work (output, the ACK owed), deferred to the end of a receive
 * batch: tcp_batch_begin/end bracket one (they nest); a socket being freed is forgotten. */
void tcp_input_finish(struct synack_stack *st, struct tcp_sock *s);
void tcp_batch_begin(struct synack_stack *st);
void tcp_batch_end(struct synack_stack *st);
void tcp_batch_forget(struct synack_stack *st, struct tcp_sock *s);

/* output.c: one segment at seq (a retransmission or new data), at most len bytes. */
uint32_t tcp_xmit(struct synack_stack *st, struct tcp_sock *s, uint32_t seq, uint32_t len);

/* urgent.c (RFC 9293 §3.8.5, RFC 6093) */
/* Sixth step: the URG bit of an arriving segment. */
void tcp_urg_input(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th);
/* After in-order data: catch the urgent byte if it has just arrived. */
void tcp_urg_arrived(struct synack_stack *st, struct tcp_sock *s);
/* Sender: the URG flag and pointer for a segment at seq; clears urgent mode once acked. */
uint16_t tcp_urg_out(struct tcp_sock *s, uint32_t seq, uint8_t *flags);
/* The sequence number of the first byte not yet read. */
uint32_t tcp_read_seq(const struct tcp_sock *s);

/* tune.c: buffer auto-tuning (Linux's tcp_sndbuf_expand and dynamic right-sizing) */
void tcp_sndbuf_expand(struct synack_stack *st, struct tcp_sock *s);
/* Data arrived: take a receiver RTT sample from its timestamp echo. */
void tcp_rcv_rtt_sample(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th);
/* The application read: once per RTT, grow the receive buffer to what it drains. */
void tcp_rcvbuf_adjust(struct synack_stack *st, struct tcp_sock *s);

/* ecn.c (RFC 3168 §6.1) */
/* The flags our SYN carries for ECN (ECE|CWR when tcp_ecn is 1). */
uint8_t tcp_ecn_syn_flags(const struct synack_stack *st);
/* Whether the peer's SYN (is_synack false) or SYN-ACK settles ECN on. */
bool tcp_ecn_negotiated(const struct synack_stack *st, const struct wire_tcp *th, bool is_synack);
/* Receiver: a CE mark or CWR in an arriving segment. */
void tcp_ecn_input(struct tcp_sock *s, const struct tcp_seg *seg);
/* Sender: an ECE on an ACK; reduces cwnd once per window. */
void tcp_ecn_ack(struct synack_stack *st, struct tcp_sock *s, const struct wire_tcp *th);

/* options.c */
void tcp_parse_syn_options(struct synack_stack *st, const struct wire_tcp *th, uint8_t family,
                           bool *ws_ok, uint8_t *snd_wscale, bool *ts_ok, bool *sack_ok,
                           uint16_t *peer_mss);


#endif
