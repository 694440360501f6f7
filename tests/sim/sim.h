/* sim.h: the seeded simulation's shared types: one seed's world (two stacks over a faulty
 * memlink), its connections and their two endpoints, the checks.  Read tests/sim/README.md
 * and issue 5 item 10 (the spec) before changing. */
#ifndef SYNACK_SIM_H
#define SYNACK_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack.h"
#include "synack_memlink.h"
#include "synack_pcap.h"

#define SIM_MS UINT64_C(1000000)
#define SIM_S UINT64_C(1000000000)
#define SIM_MIN (60 * SIM_S)

#define SIM_MAX_CONNS 8
#define SIM_MAX_SOCKS 64             /* max_sockets of both stacks */
#define SIM_PORT 80
#define SIM_DEADLINE (30 * SIM_MIN) /* virtual time the application phase may take */
#define SIM_PATIENCE (10 * SIM_MIN) /* how long an endpoint waits, its peer gone */
#define SIM_DRAIN (15 * SIM_MIN)    /* after the last close: 2MSL, orphans' retries */
#define SIM_STEP_LIMIT UINT64_C(500000)      /* events per seed: a livelock guard */
#define SIM_IOBUF 65536

/* ------------------------------------------------------------------ sim_rng.c */

/* splitmix64: the application's and the parameters' randomness (the stacks and the
 * memlink have their own generators, seeded from the same seed). */
struct sim_rng {
    uint64_t s;
};
uint64_t sim_mix(uint64_t z);
void sim_rng_seed(struct sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(struct sim_rng *r);
uint32_t sim_rng_below(struct sim_rng *r, uint32_t n);  /* [0, n), n > 0 */
uint32_t sim_rng_range(struct sim_rng *r, uint32_t lo, uint32_t hi); /* [lo, hi] */
double sim_rng_unit(struct sim_rng *r);                 /* [0, 1) */
bool sim_rng_chance(struct sim_rng *r, double p);
uint32_t sim_rng_log(struct sim_rng *r, uint32_t lo, uint32_t hi); /* log-uniform [lo, hi] */

/* The byte stream of one direction of one connection: byte k is a function of (key, k),
 * so a receiver checks every byte it reads against its offset (exactly once, in order). */
uint64_t sim_stream_key(uint64_t seed, int conn, int dir);
void sim_stream_fill(uint64_t key, uint64_t off, uint8_t *buf, size_t n);
/* Index of the first byte that differs from the stream, or n. */
size_t sim_stream_check(uint64_t key, uint64_t off, const uint8_t *buf, size_t n);

/* ------------------------------------------------------------------ the world */

enum sim_side { SIM_CLIENT = 0, SIM_SERVER = 1 };

/* How an endpoint ends a connection that is not aborted. */
enum sim_close_mode {
    CM_CLOSE = 0, /* close() once everything is written and read (not waiting for EOF) */
    CM_SHUT,      /* shutdown(WR) once everything is written, read to EOF, close() */
    CM_EOF,       /* write everything, read to EOF, close() */
};

enum sim_abort_kind {
    AB_NONE = 0,
    AB_LINGER0,     /* SO_LINGER {1, 0} then close(): RST */
    AB_EARLY_CLOSE, /* close() in the middle: FIN (or RST if unread data) */
};

enum sim_phase { EP_IDLE = 0, EP_CONNECTING, EP_OPEN, EP_DONE };

/* How an endpoint's story ended. */
enum sim_end {
    END_NONE = 0,
    END_OK,           /* everything written and read, closed as planned */
    END_ABORTED,      /* it aborted, as planned */
    END_ERROR,        /* a call returned an error (err, where) */
    END_EARLY_EOF,    /* EOF before every byte arrived */
    END_PATIENCE,     /* gave up waiting: the peer's application was gone, no progress */
    END_NOT_ACCEPTED, /* server side: the connection never reached accept() */
    END_STALLED,      /* still open at the deadline */
};

struct sim;
struct sim_conn;

struct sim_ep {
    struct sim *sim;
    struct sim_conn *c;
    int side;                 /* enum sim_side */
    int sd;                   /* -1 when none */
    int phase;                /* enum sim_phase */
    int end;                  /* enum sim_end */
    int err;                  /* END_ERROR: the negative errno */
    const char *err_where;

    uint64_t out_total, out_done, in_total, in_done;
    uint64_t out_key, in_key;
    int close_mode;
    bool shut_sent, eof;

    /* Behaviour drawn from the seed. */
    uint32_t wpiece_max;      /* largest write */
    uint32_t wpause_max_ms;   /* 0: write as fast as the buffer allows */
    uint32_t rsize_max;       /* largest read */
    bool slow;                /* slow reader: slow_chunk bytes every slow_ms */
    uint32_t slow_chunk, slow_ms;
    bool nodelay, keepalive;
    int ka_idle_s, ka_intvl_s, ka_cnt;
    int sndbuf, rcvbuf;       /* SO_SNDBUF / SO_RCVBUF to set (0: default) */
    const char *cc;           /* TCP_CONGESTION to set, or NULL */
    double peek_p;            /* probability a read is preceded by a MSG_PEEK */

    int abort_kind;           /* enum sim_abort_kind: this endpoint aborts */
    uint64_t abort_after;     /* ...once in_done + out_done reaches this */
    uint64_t abort_at_ns;     /* ...or at this time (0: no time trigger) */

    uint64_t next_write_ns, next_read_ns;
    uint32_t interest;
    uint64_t last_progress_ns, done_ns;
};

struct sim_conn {
    int idx;
    struct sim_ep ep[2];
    uint64_t start_ns;
    uint16_t cport;           /* the client's local port: how accept() finds it */
    bool accepted;
    bool aborted;             /* an endpoint actually aborted */
    int aborter;              /* its side, or -1 */
};

/* Impairments and pools drawn from the seed. */
struct sim_params {
    struct synack_memlink_impair imp[2]; /* [0]: client -> server, [1]: server -> client */
    uint32_t mtu[2];
    bool ipv6;
    int nconns;
    int backlog;
    int ls_rcvbuf, ls_sndbuf;            /* on the listener (inherited), 0: default */
    bool harsh;                          /* the path is bad enough to kill connections */
    double rt_ok;                        /* probability a round trip survives */
    uint32_t buf_chunks;
    bool no_rack[2];                     /* tcp_recovery = 0 on that side (DupThresh) */
};

/* One TCP flow as seen on the wire (TX), for "no data after FIN". */
struct sim_wflow {
    int from;
    uint16_t sport, dport;
    bool fin_valid;
    uint32_t fin_seq;         /* sequence number of the FIN */
    uint64_t tx, bare_acks;   /* segments sent, of which carrying nothing but an ACK */
    /* ACKs below what the peer acknowledged: the peer finds them out of window and
     * drops them unread (RFC 9293 §3.10.7.4), so a long run of them is a deadlock. */
    bool peer_ack_valid;
    uint32_t peer_ack;        /* the highest ACK the peer sent for this flow's data */
    uint64_t peer_ack_ns;     /* when it first sent it */
    uint64_t behind_since;    /* first bare ACK of the current run below it, or 0 */
    bool behind_reported;
};

struct sim_tref {
    struct sim *s;
    int side;
};

struct sim {
    uint64_t seed;
    bool verbose;
    bool no_sack;             /* --no-sack: both stacks with tcp_sack = 0 (triage) */
    const char *pcap_path;
    struct sim_rng rng;
    struct sim_params p;

    struct synack_memlink *net;
    struct synack_stack *st[2];
    int host[2];
    struct synack_addr addr[2];
    struct synack_pcap *pcap;
    struct sim_tref tref[2];

    int nconns;
    struct sim_conn conns[SIM_MAX_CONNS];
    struct sim_ep *by_sd[2][SIM_MAX_SOCKS];
    int listener;

    uint64_t steps;
    uint64_t run_until;       /* the bound of the current synack_memlink_run */
    bool stop_run;            /* the step limit was hit */
    bool app_done;
    uint64_t last_close_ns;

    bool discards_seen[2];

    struct sim_wflow wflows[2 * SIM_MAX_CONNS + 8];
    int nwflows;

    uint8_t iobuf[SIM_IOBUF];
    uint8_t peekbuf[SIM_IOBUF];

    /* Failures: the first is reported, the rest counted. */
    int nfail;
    char fail[320];

    /* Totals for the summary line. */
    uint64_t bytes_moved;
};

/* sim_world.c */
void sim_params_draw(struct sim *s);
int sim_world_setup(struct sim *s);
void sim_world_free(struct sim *s);
/* Runs one seed end to end: setup, application phase, drain, checks. */
void sim_run_seed(struct sim *s);
uint64_t sim_now(const struct sim *s);
void sim_log(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim_fail(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* sim_app.c */
void sim_app_plan(struct sim *s);
int sim_app_listen(struct sim *s);
void sim_app_step_all(struct sim *s);
void sim_app_on_event(struct sim *s, int side, int sd, uint32_t events);
uint64_t sim_app_next_wake(struct sim *s);
bool sim_app_all_done(struct sim *s);
void sim_app_stall(struct sim *s);
void sim_app_describe(struct sim *s);
const char *sim_end_name(int end);
const char *sim_side_name(int side);

/* sim_check.c */
void sim_check_bounds(struct sim *s);
void sim_on_trace(void *user, const struct synack_trace *ev);
void sim_on_tap(void *user, int event, int from, int to, uint64_t now, const uint8_t *pkt,
                size_t len);
void sim_judge(struct sim *s);
bool sim_pools_empty(struct sim *s, bool report);
/* "client port 40001->80 sent 123456 segments (120000 bare ACKs)": the busiest flow. */
void sim_busiest_flow(struct sim *s, char *out, size_t len);
void sim_check_final(struct sim *s);

#endif
