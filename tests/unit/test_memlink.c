/* test_memlink.c: the simulated network: routing, every impairment, the event loop, replay.
 * Read include/synack_memlink.h and drivers/memlink.c before changing. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "synack_memlink.h"
#include "wire/bytes.h"
#include "wire/checksum.h"

#define MS 1000000ull
#define MAX_REC 65536

/* What the tap saw. */
struct rec {
    uint64_t t;
    int ev, from, to;
    size_t len;
    uint8_t head[64];
};

struct net {
    struct synack_memlink *m;
    struct synack_stack *st[3];
    int host[3];
    struct synack_addr addr[3]; /* 198.18.0.1 .. .3 */
    struct rec *rec;
    size_t nrec;
};

static void tap(void *user, int ev, int from, int to, uint64_t now, const uint8_t *pkt,
                size_t len)
{
    struct net *n = user;
    if (n->nrec == MAX_REC)
        return;
    struct rec *r = &n->rec[n->nrec++];
    *r = (struct rec){.t = now, .ev = ev, .from = from, .to = to, .len = len};
    memcpy(r->head, pkt, len < sizeof(r->head) ? len : sizeof(r->head));
}

static size_t count(const struct net *n, int ev, int from, int to)
{
    size_t c = 0;
    for (size_t i = 0; i < n->nrec; i++)
        c += n->rec[i].ev == ev && n->rec[i].from == from && n->rec[i].to == to;
    return c;
}

static struct synack_stack *new_stack(uint64_t seed)
{
    struct synack_settings s;
    synack_settings_default(&s);
    s.seed = seed;
    struct synack_stack *st = NULL;
    CHECK_EQ(synack_stack_create(&s, &st), 0);
    return st;
}

/* Three hosts over a network seeded with seed; host 2 gets its address after joining
 * ("before or after"). */
static void net_up(struct net *n, uint64_t seed)
{
    memset(n, 0, sizeof(*n));
    CHECK_EQ(synack_memlink_create(seed, &n->m), 0);
    n->rec = calloc(MAX_REC, sizeof(*n->rec));
    synack_memlink_set_tap(n->m, tap, n);
    for (int i = 0; i < 3; i++) {
        char text[32];
        snprintf(text, sizeof(text), "198.18.0.%d", i + 1);
        CHECK_EQ(synack_addr_parse(text, &n->addr[i]), 0);
        n->st[i] = new_stack((uint64_t)i + 1); /* the same stacks whatever the link seed */
        if (i < 2)
            CHECK_EQ(synack_stack_add_addr(n->st[i], &n->addr[i], 15), 0);
        n->host[i] = synack_memlink_add_host(n->m, n->st[i], 1500);
        CHECK_EQ(n->host[i], i);
        if (i == 2)
            CHECK_EQ(synack_stack_add_addr(n->st[i], &n->addr[i], 15), 0);
    }
}

static void net_down(struct net *n)
{
    synack_memlink_destroy(n->m); /* first: the stacks must outlive the network */
    for (int i = 0; i < 3; i++) {
        struct synack_pool_stats ps[8];
        int np = synack_stack_pools(n->st[i], ps, 8);
        for (int j = 0; j < np && j < 8; j++)
            CHECK_EQ(ps[j].in_use, 0);
        synack_stack_destroy(n->st[i]);
    }
    free(n->rec);
}

/* An IPv4 ICMP echo request of `total` bytes, built by hand. */
static size_t build_ping(uint8_t *buf, const struct synack_addr *src,
                         const struct synack_addr *dst, uint16_t seq, size_t total)
{
    memset(buf, 0, total);
    buf[0] = 0x45;
    wr16(buf + 2, (uint16_t)total);
    wr16(buf + 4, seq);
    buf[8] = 64;
    buf[9] = 1; /* ICMP */
    memcpy(buf + 12, src->bytes, 4);
    memcpy(buf + 16, dst->bytes, 4);
    wr16(buf + 10, csum(buf, 20));
    uint8_t *icmp = buf + 20;
    icmp[0] = 8; /* echo request */
    wr16(icmp + 4, 0x5a17);
    wr16(icmp + 6, seq);
    for (size_t i = 28; i < total; i++)
        buf[i] = (uint8_t)(seq + i);
    wr16(icmp + 2, csum(icmp, total - 20));
    return total;
}

static void ping(struct net *n, int from, int to, uint16_t seq, size_t total)
{
    uint8_t buf[2048];
    synack_memlink_inject(n->m, n->host[from], buf,
                          build_ping(buf, &n->addr[from], &n->addr[to], seq, total));
}

static uint64_t drops_total(struct synack_stack *st)
{
    struct synack_counters c;
    synack_stack_counters(st, &c);
    uint64_t sum = 0;
    for (int i = 0; i < SYNACK_DROP__COUNT; i++)
        sum += c.drops[i];
    return sum;
}

static uint64_t echo_reps(struct synack_stack *st)
{
    struct synack_counters c;
    synack_stack_counters(st, &c);
    return c.icmp_out_echo_reps;
}

/* |x - n p| within 5 sigma of a binomial(n, p). */
static int near(uint64_t x, double n, double p)
{
    return fabs((double)x - n * p) <= 5 * sqrt(n * p * (1 - p));
}

static void test_echo(void)
{
    struct net n;
    net_up(&n, 1);
    ping(&n, 0, 1, 1, 64);
    ping(&n, 0, 2, 2, 64); /* host 2's address was added after it joined */
    CHECK_EQ(synack_memlink_run(n.m, 1 * MS, NULL, NULL), 0);
    CHECK_EQ(synack_memlink_now(n.m), 1 * MS);
    CHECK_EQ(count(&n, SYNACK_MEMLINK_TX, 0, 1), 1);
    CHECK_EQ(count(&n, SYNACK_MEMLINK_DELIVER, 0, 1), 1);
    CHECK_EQ(count(&n, SYNACK_MEMLINK_TX, 1, 0), 1);
    CHECK_EQ(count(&n, SYNACK_MEMLINK_DELIVER, 1, 0), 1);
    CHECK_EQ(count(&n, SYNACK_MEMLINK_DELIVER, 2, 0), 1);
    CHECK_EQ(echo_reps(n.st[1]), 1);
    CHECK_EQ(echo_reps(n.st[2]), 1);
    /* The reply: an echo reply (type 0) from .2 to .1, delivered at time 0. */
    const struct rec *r = n.rec;
    while (r < n.rec + n.nrec - 1 && !(r->ev == SYNACK_MEMLINK_DELIVER && r->from == 1))
        r++;
    CHECK(r->ev == SYNACK_MEMLINK_DELIVER && r->from == 1 && r->to == 0 && r->t == 0);
    CHECK_MEM(r->head + 12, n.addr[1].bytes, 4);
    CHECK_MEM(r->head + 16, n.addr[0].bytes, 4);
    CHECK_EQ(r->head[20], 0);
    struct synack_memlink_stats s;
    synack_memlink_stats(n.m, 0, 1, &s);
    CHECK(s.sent == 1 && s.delivered == 1 && s.lost == 0);
    synack_memlink_stats(n.m, -1, -1, &s);
    CHECK(s.sent == 4 && s.delivered == 4);
    net_down(&n);
}

static void test_loss(void)
{
    struct net n;
    net_up(&n, 2);
    struct synack_memlink_impair imp = {.loss = 0.1};
    synack_memlink_set_impair(n.m, 0, 1, &imp);
    for (int i = 0; i < 5000; i++)
        ping(&n, 0, 1, (uint16_t)i, 48);
    synack_memlink_run(n.m, 1 * MS, NULL, NULL);
    struct synack_memlink_stats s;
    synack_memlink_stats(n.m, 0, 1, &s);
    CHECK_EQ(s.sent, 5000);
    CHECK(near(s.lost, 5000, 0.1));
    CHECK_EQ(s.delivered + s.lost, 5000);
    CHECK_EQ(count(&n, SYNACK_MEMLINK_DROP, 0, 1), s.lost);
    CHECK_EQ(echo_reps(n.st[1]), s.delivered);
    /* All due at time 0: delivered in the order sent (the heap breaks ties by sequence). */
    int order_ok = 1, prev = -1;
    for (size_t i = 0; i < n.nrec; i++) {
        const struct rec *r = &n.rec[i];
        if (r->ev == SYNACK_MEMLINK_DELIVER && r->from == 0) {
            order_ok &= rd16(r->head + 26) > prev;
            prev = rd16(r->head + 26);
        }
    }
    CHECK(order_ok);
    synack_memlink_stats(n.m, 1, 0, &s); /* the way back is clean */
    CHECK(s.lost == 0 && s.delivered == s.sent);
    net_down(&n);
}

static void test_dup(void)
{
    struct net n;
    net_up(&n, 3);
    struct synack_memlink_impair imp = {.dup = 0.2};
    synack_memlink_set_impair(n.m, 0, 1, &imp);
    for (int i = 0; i < 5000; i++)
        ping(&n, 0, 1, (uint16_t)i, 48);
    synack_memlink_run(n.m, 1 * MS, NULL, NULL);
    struct synack_memlink_stats s;
    synack_memlink_stats(n.m, 0, 1, &s);
    CHECK(near(s.duplicated, 5000, 0.2));
    CHECK_EQ(s.delivered, 5000 + s.duplicated);
    CHECK_EQ(count(&n, SYNACK_MEMLINK_DELIVER, 0, 1), s.delivered);
    CHECK_EQ(echo_reps(n.st[1]), s.delivered); /* each copy is answered */
    net_down(&n);
}

/* One packet at a time: a corrupted request is dropped by the receiver, always. */
static void test_corrupt(void)
{
    struct net n;
    net_up(&n, 4);
    struct synack_memlink_impair imp = {.corrupt = 0.3};
    synack_memlink_set_impair(n.m, 0, 1, &imp);
    uint64_t corrupted = 0, agree = 0;
    for (int i = 0; i < 2000; i++) {
        uint8_t orig[64];
        build_ping(orig, &n.addr[0], &n.addr[1], (uint16_t)i, 64);
        struct synack_memlink_stats before, after;
        synack_memlink_stats(n.m, 0, 1, &before);
        uint64_t drops = drops_total(n.st[1]);
        n.nrec = 0;
        synack_memlink_inject(n.m, 0, orig, sizeof(orig));
        synack_memlink_run(n.m, synack_memlink_now(n.m) + MS, NULL, NULL);
        synack_memlink_stats(n.m, 0, 1, &after);
        uint64_t c = after.corrupted - before.corrupted;
        corrupted += c;
        int changed = n.nrec >= 2 && n.rec[1].ev == SYNACK_MEMLINK_DELIVER &&
                      memcmp(n.rec[1].head, orig, sizeof(orig)) != 0;
        size_t replies = count(&n, SYNACK_MEMLINK_DELIVER, 1, 0);
        agree += changed == (int)c && drops_total(n.st[1]) - drops == c && replies == 1 - c;
    }
    CHECK_EQ(agree, 2000);
    CHECK(near(corrupted, 2000, 0.3));
    net_down(&n);
}

static void test_delay_jitter_reorder(void)
{
    struct net n;
    net_up(&n, 5);
    struct synack_memlink_impair imp = {.delay_us = 10000, .jitter_us = 2000};
    synack_memlink_set_impair(n.m, 0, 1, &imp);
    for (int i = 0; i < 1000; i++)
        ping(&n, 0, 1, (uint16_t)i, 48);
    synack_memlink_run(n.m, 100 * MS, NULL, NULL);
    uint64_t lo = UINT64_MAX, hi = 0, sum = 0, k = 0, inversions = 0, prev_seq = 0;
    for (size_t i = 0; i < n.nrec; i++) {
        const struct rec *r = &n.rec[i];
        if (r->ev != SYNACK_MEMLINK_DELIVER || r->from != 0)
            continue;
        lo = r->t < lo ? r->t : lo;
        hi = r->t > hi ? r->t : hi;
        sum += r->t;
        uint16_t seq = rd16(r->head + 26);
        inversions += k && seq < prev_seq;
        prev_seq = seq;
        k++;
    }
    CHECK_EQ(k, 1000);
    CHECK(lo >= 10 * MS && lo < 10 * MS + 50000);
    CHECK(hi < 12 * MS && hi > 12 * MS - 50000);
    CHECK(fabs((double)sum / (double)k - 11e6) < 100e3); /* uniform: mean 11 ms */
    CHECK(inversions > 0); /* jitter reorders */
    CHECK_EQ(count(&n, SYNACK_MEMLINK_DELIVER, 1, 0), 1000);

    /* Reorder: 1 ms, or 1 ms + 5 ms when held back. */
    n.nrec = 0;
    imp = (struct synack_memlink_impair){.delay_us = 1000, .reorder = 0.25,
                                         .reorder_delay_us = 5000};
    synack_memlink_set_impair(n.m, 0, 1, &imp);
    uint64_t t0 = synack_memlink_now(n.m);
    for (int i = 0; i < 2000; i++)
        ping(&n, 0, 1, (uint16_t)i, 48);
    synack_memlink_run(n.m, t0 + 100 * MS, NULL, NULL);
    uint64_t late = 0, odd = 0;
    for (size_t i = 0; i < n.nrec; i++) {
        const struct rec *r = &n.rec[i];
        if (r->ev == SYNACK_MEMLINK_DELIVER && r->from == 0) {
            late += r->t == t0 + 6 * MS;
            odd += r->t != t0 + 6 * MS && r->t != t0 + 1 * MS;
        }
    }
    struct synack_memlink_stats s;
    synack_memlink_stats(n.m, 0, 1, &s);
    CHECK_EQ(odd, 0);
    CHECK_EQ(late, s.reordered);
    CHECK(near(late, 2000, 0.25));
    net_down(&n);
}

static void test_rate(void)
{
    struct net n;
    net_up(&n, 6);
    /* 1 Mbit/s: a 1000-byte packet takes 8 ms; 5 packets of queue. */
    struct synack_memlink_impair imp = {.rate_bps = 1000000, .queue_pkts = 5, .delay_us = 500};
    synack_memlink_set_impair(n.m, 0, 1, &imp);
    for (int i = 0; i < 10; i++)
        ping(&n, 0, 1, (uint16_t)i, 1000);
    struct synack_memlink_stats s;
    synack_memlink_stats(n.m, 0, 1, &s);
    CHECK_EQ(s.queue_drops, 5);
    CHECK_EQ(count(&n, SYNACK_MEMLINK_DROP, 0, 1), 5);
    synack_memlink_run(n.m, 12 * MS, NULL, NULL); /* the first is out at 8 ms */
    ping(&n, 0, 1, 100, 1000); /* fits: 4 queued */
    ping(&n, 0, 1, 101, 1000); /* tail drop */
    synack_memlink_run(n.m, 100 * MS, NULL, NULL);
    synack_memlink_stats(n.m, 0, 1, &s);
    CHECK_EQ(s.queue_drops, 6);
    CHECK_EQ(s.delivered, 6);
    uint64_t want = 8 * MS + 500000;
    int k = 0;
    for (size_t i = 0; i < n.nrec; i++) {
        const struct rec *r = &n.rec[i];
        if (r->ev != SYNACK_MEMLINK_DELIVER || r->from != 0)
            continue;
        CHECK_EQ(r->t, want); /* back to back, 8 ms apart, plus the delay */
        CHECK_EQ(rd16(r->head + 26), k < 5 ? k : 100);
        want += 8 * MS;
        k++;
    }
    CHECK_EQ(k, 6);
    CHECK_EQ(echo_reps(n.st[1]), 6);
    net_down(&n);
}

/* The default queue (100 packets) and the bound on packets in flight (65536). */
static void test_bounds(void)
{
    struct net n;
    net_up(&n, 10);
    struct synack_memlink_impair imp = {.rate_bps = 1000000000};
    synack_memlink_set_impair(n.m, 0, 1, &imp);
    for (int i = 0; i < 150; i++)
        ping(&n, 0, 1, (uint16_t)i, 1000);
    struct synack_memlink_stats s;
    synack_memlink_stats(n.m, 0, 1, &s);
    CHECK_EQ(s.queue_drops, 50);
    synack_memlink_run(n.m, 1000 * MS, NULL, NULL);

    imp = (struct synack_memlink_impair){.delay_us = 1000};
    synack_memlink_set_impair(n.m, 0, 2, &imp);
    for (int i = 0; i < 70000; i++)
        ping(&n, 0, 2, (uint16_t)i, 28);
    synack_memlink_stats(n.m, 0, 2, &s);
    CHECK_EQ(s.queue_drops, 70000 - 65536);
    synack_memlink_run(n.m, 2000 * MS, NULL, NULL);
    synack_memlink_stats(n.m, 0, 2, &s);
    CHECK_EQ(s.delivered, 65536);
    CHECK_EQ(echo_reps(n.st[2]), 65536);
    net_down(&n);
}

/* A SYN sent by a socket call, outside the loop, into the void: the loop must poll the
 * sender afterwards (tx may arm a timer) and so see it retransmit. */
static void test_deadlines(void)
{
    struct net n;
    net_up(&n, 11);
    synack_memlink_run(n.m, 1 * MS, NULL, NULL);
    int sd = synack_socket(n.st[0], SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    CHECK(sd >= 0);
    struct synack_sockaddr peer = {.port = 80};
    synack_addr_parse("198.18.0.99", &peer.addr);
    CHECK_EQ(synack_connect(n.st[0], sd, &peer), -EINPROGRESS);
    synack_memlink_run(n.m, 10000 * MS, NULL, NULL);
    size_t syns = count(&n, SYNACK_MEMLINK_TX, 0, -1);
    CHECK(syns >= 3); /* the SYN and its retransmissions at RTO 1 s, 2 s, ... */
    uint64_t prev = 0;
    for (size_t i = 0; i < n.nrec; i++)
        if (n.rec[i].ev == SYNACK_MEMLINK_TX) {
            CHECK(n.rec[i].t >= prev + (prev ? 500 * MS : 0));
            prev = n.rec[i].t;
        }
    CHECK_EQ(synack_close(n.st[0], sd), 0);
    synack_memlink_kick(n.m);
    net_down(&n);
}

static void test_mtu_and_routes(void)
{
    struct net n;
    net_up(&n, 7);
    ping(&n, 0, 1, 1, 1500);
    ping(&n, 0, 1, 2, 1501); /* over the sender's MTU */
    struct synack_memlink_impair imp = {.mtu = 600};
    synack_memlink_set_impair(n.m, 0, 2, &imp);
    ping(&n, 0, 2, 3, 600);
    ping(&n, 0, 2, 4, 601);
    synack_memlink_run(n.m, 1 * MS, NULL, NULL);
    struct synack_memlink_stats s;
    synack_memlink_stats(n.m, 0, 1, &s);
    CHECK(s.sent == 2 && s.mtu_drops == 1 && s.delivered == 1);
    synack_memlink_stats(n.m, 0, 2, &s);
    CHECK(s.sent == 2 && s.mtu_drops == 1 && s.delivered == 1);
    CHECK_EQ(echo_reps(n.st[1]) + echo_reps(n.st[2]), 2);

    /* No host owns 198.18.0.99; garbage has no destination at all. */
    struct synack_addr nobody;
    synack_addr_parse("198.18.0.99", &nobody);
    uint8_t buf[64];
    synack_memlink_inject(n.m, 0, buf, build_ping(buf, &n.addr[0], &nobody, 5, 64));
    memset(buf, 0xff, 10);
    synack_memlink_inject(n.m, 0, buf, 10);
    synack_memlink_stats(n.m, 0, -1, &s);
    CHECK_EQ(s.no_route, 2);
    CHECK_EQ(count(&n, SYNACK_MEMLINK_DROP, 0, -1), 2);
    CHECK_EQ(count(&n, SYNACK_MEMLINK_TX, 0, -1), 2);
    synack_memlink_stats(n.m, 0, 1, &s);
    CHECK_EQ(s.no_route, 0);
    net_down(&n);
}

/* A crash (remove) and a reboot (replace) of host 1. */
static void test_crash_reboot(void)
{
    struct net n;
    net_up(&n, 8);
    struct synack_memlink_impair imp = {.delay_us = 5000};
    synack_memlink_set_impair(n.m, 0, 1, &imp);
    ping(&n, 0, 1, 1, 64);
    synack_memlink_run(n.m, 1 * MS, NULL, NULL);
    synack_memlink_remove_host(n.m, n.host[1]); /* while the ping is in flight */
    ping(&n, 0, 1, 2, 64);
    synack_memlink_run(n.m, 20 * MS, NULL, NULL);
    struct synack_memlink_stats s;
    synack_memlink_stats(n.m, 0, 1, &s);
    CHECK(s.sent == 1 && s.delivered == 0 && s.no_route == 1);
    synack_memlink_stats(n.m, 0, -1, &s);
    CHECK_EQ(s.no_route, 2);
    CHECK_EQ(echo_reps(n.st[1]), 0);

    struct synack_stack *old = n.st[1];
    n.st[1] = new_stack(99);
    CHECK_EQ(synack_stack_add_addr(n.st[1], &n.addr[1], 15), 0);
    synack_memlink_replace_host(n.m, n.host[1], n.st[1]);
    synack_stack_destroy(old);
    ping(&n, 0, 1, 3, 64);
    synack_memlink_run(n.m, 40 * MS, NULL, NULL);
    CHECK_EQ(echo_reps(n.st[1]), 1);
    CHECK_EQ(count(&n, SYNACK_MEMLINK_DELIVER, 1, 0), 1);
    net_down(&n);
}

static int stop_after_two(void *user)
{
    struct net *n = user;
    return count(n, SYNACK_MEMLINK_DELIVER, 0, 1) >= 2;
}

static void test_stop(void)
{
    struct net n;
    net_up(&n, 9);
    struct synack_memlink_impair imp = {.delay_us = 10000};
    synack_memlink_set_impair(n.m, 0, 1, &imp);
    for (int i = 0; i < 5; i++) {
        ping(&n, 0, 1, (uint16_t)i, 64);
        synack_memlink_run(n.m, synack_memlink_now(n.m) + 300000, NULL, NULL);
    }
    CHECK_EQ(count(&n, SYNACK_MEMLINK_DELIVER, 0, 1), 0);
    CHECK_EQ(synack_memlink_run(n.m, 1000 * MS, stop_after_two, &n), 1);
    CHECK_EQ(synack_memlink_now(n.m), 10300000); /* the second arrival: 0.3 ms + 10 ms */
    CHECK_EQ(synack_memlink_run(n.m, 1000 * MS, NULL, NULL), 0);
    CHECK_EQ(count(&n, SYNACK_MEMLINK_DELIVER, 0, 1), 5);
    CHECK_EQ(synack_memlink_now(n.m), 1000 * MS);
    net_down(&n);
}

/* Every direction impaired, pings between all pairs; the pcap of the run. */
static uint8_t *replay(uint64_t seed, size_t *len)
{
    char path[] = "/tmp/synack_memlink_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    struct net n;
    net_up(&n, seed);
    struct synack_pcap *p = NULL;
    CHECK_EQ(synack_pcap_open(path, &p), 0);
    synack_memlink_set_pcap(n.m, p);
    struct synack_memlink_impair imp = {.loss = 0.05, .dup = 0.05, .reorder = 0.05,
                                        .corrupt = 0.05, .delay_us = 1000, .jitter_us = 500,
                                        .rate_bps = 100000000};
    synack_memlink_set_impair(n.m, -1, -1, &imp);
    for (int i = 0; i < 300; i++) {
        ping(&n, i % 3, (i + 1 + i / 3 % 2) % 3, (uint16_t)i, 100 + (size_t)i);
        synack_memlink_run(n.m, synack_memlink_now(n.m) + 200000, NULL, NULL);
    }
    synack_memlink_run(n.m, synack_memlink_now(n.m) + 100 * MS, NULL, NULL);
    CHECK_EQ(synack_pcap_close(p), 0);
    net_down(&n);

    FILE *fp = fopen(path, "rb");
    uint8_t *buf = malloc(1 << 20);
    *len = fp && buf ? fread(buf, 1, 1 << 20, fp) : 0;
    if (fp)
        fclose(fp);
    unlink(path);
    return buf;
}

static void test_determinism(void)
{
    size_t a_len, b_len, c_len;
    uint8_t *a = replay(42, &a_len), *b = replay(42, &b_len), *c = replay(43, &c_len);
    CHECK(a_len > 24 + 300 * 116);
    CHECK(a_len == b_len && memcmp(a, b, a_len) == 0);
    CHECK(a_len != c_len || memcmp(a, c, a_len) != 0);
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    test_echo();
    test_loss();
    test_dup();
    test_corrupt();
    test_delay_jitter_reorder();
    test_rate();
    test_bounds();
    test_deadlines();
    test_mtu_and_routes();
    test_crash_reboot();
    test_stop();
    test_determinism();
    return check_done();
}
