/* bench.h: what the benchmark's three sides (synack, Linux, lwIP) share: the workloads,
 * one run's result, the clocks, the data pattern and the Linux side's lossy relay.
 * Read bench/README.md first. */
#ifndef SYNACK_BENCH_H
#define SYNACK_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The four workloads, each bounded in count (its parameter) and in wall time. */
enum bench_kind {
    BENCH_BULK = 0, /* one connection moves `bytes` one way, then closes */
    BENCH_RR,       /* one connection, `count` 1-byte request / 1-byte reply round trips */
    BENCH_CRR,      /* `count` connections one after another: connect, REQ_BYTES each way,
                       the server closes first, then the client */
    BENCH_LOSSY,    /* bulk over the lossy path below, CUBIC on both ends; timed from the
                       first byte sent to the last byte received */
    BENCH__KINDS
};

/* The lossy path: this one-way delay each way, this random loss on the data direction
 * (client to server) only, no rate limit, MTU 1500.  The yardstick is the Mathis et al.
 * bound for Reno, MSS/RTT * 1.22/sqrt(p) (CCR 27(3), 1997). */
#define BENCH_LOSSY_DELAY_US 5000
#define BENCH_LOSSY_LOSS 0.02

#define BENCH_CRR_BYTES 100
#define BENCH_IO_CHUNK 65536 /* bytes per send()/recv() call in bulk, on every side */

struct bench_params {
    uint64_t bytes;       /* BENCH_BULK, BENCH_LOSSY */
    uint64_t count;       /* BENCH_RR, BENCH_CRR */
    uint64_t seed;        /* BENCH_LOSSY: the path's loss pattern */
    double limit_s;       /* wall-clock bound of one run */
    const char *netns[2]; /* Linux: client and server namespaces (NULL: loopback) */
    const char *addr[2];  /* Linux: client and server addresses */
};

/* One run of one workload on one side. */
struct bench_result {
    bool ok;
    double wall_s;        /* from the first call of the workload to the last byte */
    double cpu_s;         /* user + system CPU of every thread/process taking part */
    uint64_t bytes;       /* payload bytes delivered (bulk) */
    uint64_t ops;         /* round trips or connections completed */
    uint64_t segs;        /* TCP segments the bulk sender sent (0: unknown) */
    /* BENCH_LOSSY (wall_s is then first byte sent to last byte received; virtual time on
       the synack side) */
    uint32_t mss;         /* the sender's segment payload */
    double lost;          /* fraction of client-to-server packets the path dropped */
    uint64_t retrans;     /* segments the sender sent again */
    uint64_t recoveries, timeouts;   /* fast recoveries, RTOs (synack only) */
    double late_mean_us, late_max_us; /* Linux: the relay's lateness past the delay */
    char why[160];        /* on failure: what went wrong; else a short note */
};

/* Each side runs one workload once; 0 and *r filled, or -1 with r->why set.  A side
 * that is not built (lwIP) returns -1 with r->why saying why. */
int sk_run(enum bench_kind k, const struct bench_params *p, struct bench_result *r);
int linux_run(enum bench_kind k, const struct bench_params *p, struct bench_result *r);
int lwip_run(enum bench_kind k, const struct bench_params *p, struct bench_result *r);
/* True if the lwIP side was built and can run. */
bool lwip_available(void);
/* A one-line description of the lwIP build in use, or why there is none. */
const char *lwip_describe(void);

/* Linux lossy path (relay.c): a packet pump between the TUN device BENCH_LOSSY_TUN in
 * network namespace p->netns[0] (the client's) and the one in p->netns[1], which run.sh
 * made.  Run in a child process: it writes one byte on out once both devices are open,
 * pumps until ctl is closed or readable (or for p->limit_s + 10 s), then writes a struct
 * relay_stats on out.  Returns the child's exit status. */
#define BENCH_LOSSY_TUN "sylossy"
struct relay_stats {
    uint64_t read_cs, lost_cs, qdrops, forwarded; /* client-to-server read and lost */
    double late_sum_us, late_max_us;              /* over the forwarded packets */
};
int relay_main(const struct bench_params *p, int ctl, int out);
/* Enters network namespace `name` (NULL: stay); exits the process on failure. */
void bench_enter_netns(const char *name);

/* Clocks (CLOCK_MONOTONIC and this process's CPU time), in seconds. */
double bench_wall(void);
double bench_cpu(void);

/* The byte stream every bulk run sends: byte i is bench_pattern()[i % BENCH_PAT_PERIOD].
 * The buffer holds two periods, so any run of up to BENCH_PAT_PERIOD bytes starting at
 * i % BENCH_PAT_PERIOD is contiguous.  The period is prime, so it never lines up with
 * segment or chunk boundaries. */
#define BENCH_PAT_PERIOD 65521u
const uint8_t *bench_pattern(void);
/* True if buf[0..len) is the stream's bytes at offset off. */
bool bench_pattern_check(uint64_t off, const uint8_t *buf, size_t len);

#endif
