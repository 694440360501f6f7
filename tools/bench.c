/* bench.c: `synack bench`: one process, two stacks over a memlink (MTU 1500, no loss):
 * bulk throughput and CPU per byte, short connections per second, and memory per idle
 * established connection (wall-clock figures; bench/ has the side-by-side with Linux);
 * and goodput on a lossy path against the Mathis et al. bound (virtual time). */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rng.h"
#include "world.h"

#define PORT 80

static double now_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * 4;
}

static int listener(struct world *w, uint16_t port, int backlog)
{
    int sd = synack_socket(w->st[1], SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    struct synack_sockaddr a = world_sockaddr(w, 1, port);
    if (sd < 0 || synack_bind(w->st[1], sd, &a) || synack_listen(w->st[1], sd, backlog))
        return -1;
    return sd;
}

struct bulk {
    struct world *w;
    int cl, ls, sv;
    uint64_t total, sent, got;
    uint8_t buf[65536];
};

static bool bulk_step(void *ctx)
{
    struct bulk *b = ctx;
    ssize_t n;
    while (b->sent < b->total &&
           (n = synack_send(b->w->st[0], b->cl, b->buf,
                            b->total - b->sent < sizeof(b->buf) ? b->total - b->sent : sizeof(b->buf), 0)) > 0)
        b->sent += (uint64_t)n;
    if (b->sv < 0) {
        int a = synack_accept(b->w->st[1], b->ls, NULL);
        b->sv = a >= 0 ? a : -1;
    }
    while (b->sv >= 0 && (n = synack_recv(b->w->st[1], b->sv, b->buf, sizeof(b->buf), 0)) > 0)
        b->got += (uint64_t)n;
    return b->got >= b->total;
}

/* A listener on the server and a connection to it under way, with congestion control
 * cc (NULL: the default); NULL if any step failed. */
static struct bulk *bulk_open(struct world *w, uint64_t bytes, const char *cc)
{
    struct bulk *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->w = w;
    b->total = bytes;
    b->sv = -1;
    b->ls = listener(w, PORT, 8);
    b->cl = synack_socket(w->st[0], SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    struct synack_sockaddr a = world_sockaddr(w, 1, PORT);
    if (b->ls < 0 || b->cl < 0 ||
        (cc && synack_setsockopt(w->st[0], b->cl, SYNACK_IPPROTO_TCP, SYNACK_TCP_CONGESTION, cc,
                                 strlen(cc) + 1)) ||
        synack_connect(w->st[0], b->cl, &a) != -EINPROGRESS) {
        free(b);
        return NULL;
    }
    return b;
}

static bool connected(void *ctx)
{
    struct bulk *b = ctx;
    return (synack_socket_events(b->w->st[0], b->cl) & SYNACK_EV_OUT) != 0;
}

static int bench_bulk(uint64_t bytes)
{
    struct world w;
    struct world_opts o = {.seed = 1};
    if (world_init(&w, &o, NULL))
        return 1;
    struct bulk *b = bulk_open(&w, bytes, NULL);
    if (!b) {
        world_free(&w);
        return 1;
    }
    double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    bool done = world_run(&w, bulk_step, b, 24 * 3600 * S_NS);
    double wall = now_s(CLOCK_MONOTONIC) - t0, cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    struct synack_counters c;
    synack_stack_counters(w.st[0], &c);
    printf("bulk: %llu MiB in %.3f s: %.2f Gbit/s; CPU %.3f ns per byte, %.0f ns per segment "
           "(%llu segments), both ends in one thread\n",
           (unsigned long long)(bytes >> 20), wall, (double)b->got * 8 / wall / 1e9,
           cpu * 1e9 / (double)b->got, cpu * 1e9 / (double)c.tcp_out_segs,
           (unsigned long long)c.tcp_out_segs);
    free(b);
    world_free(&w);
    return done ? 0 : 1;
}

/* A lossy path: bulk data one way over a memlink with delay_ms each way and random loss
 * on the data direction only (ACKs arrive), goodput in virtual time from the first
 * byte sent to the last received.  The yardstick is the Mathis et al. bound for Reno,
 * MSS/RTT * 1.22/sqrt(p) (CCR 27(3), 1997), with MSS the segment payload the sender
 * used (timestamps on: 1448 bytes). */
struct lossy_run {
    double mbps, ratio, lost;
    uint64_t recoveries, timeouts, retrans;
};

static int lossy_once(const char *cc, uint64_t seed, double loss, uint32_t delay_ms,
                      uint64_t bytes, struct lossy_run *out)
{
    struct world w;
    struct world_opts o = {.seed = seed, .delay_ms = delay_ms};
    if (world_init(&w, &o, NULL))
        return 1;
    struct synack_memlink_impair imp = w.imp;
    imp.loss = loss;
    synack_memlink_set_impair(w.net, w.host[0], w.host[1], &imp);
    struct bulk *b = bulk_open(&w, bytes, cc);
    if (!b) {
        world_free(&w);
        return 1;
    }
    bool done = world_run(&w, connected, b, 60 * S_NS);
    uint64_t t0 = world_now(&w);
    done = done && world_run(&w, bulk_step, b, 3600 * S_NS);
    double secs = (double)(world_now(&w) - t0) / 1e9;
    struct synack_tcp_info ti;
    struct synack_counters c;
    struct synack_memlink_stats ms;
    synack_tcp_info(w.st[0], b->cl, &ti);
    synack_stack_counters(w.st[0], &c);
    synack_memlink_stats(w.net, w.host[0], w.host[1], &ms);
    double rtt = 2.0 * delay_ms / 1000;
    out->mbps = (double)b->got * 8 / secs / 1e6;
    out->ratio = out->mbps / (ti.snd_mss * 8 / rtt * 1.22 / sqrt(loss) / 1e6);
    out->lost = ms.sent ? (double)ms.lost / (double)ms.sent : 0;
    out->recoveries = c.fast_recoveries;
    out->timeouts = c.timeouts;
    out->retrans = c.tcp_retrans_segs;
    free(b);
    world_free(&w);
    return done ? 0 : 1;
}

/* Short connections: connect, a 64-byte request, a 64-byte reply, close. */
static int bench_crr(int count)
{
    struct world w;
    struct world_opts o = {.seed = 2};
    if (world_init(&w, &o, NULL))
        return 1;
    int ls = listener(&w, PORT, 128), ok = 0;
    struct synack_sockaddr a = world_sockaddr(&w, 1, PORT);
    uint8_t msg[64] = {0}, in[64];
    double t0 = now_s(CLOCK_MONOTONIC);
    for (int i = 0; i < count; i++) {
        int cl = synack_socket(w.st[0], SYNACK_AF_INET, SYNACK_SOCK_STREAM);
        synack_connect(w.st[0], cl, &a);
        world_kick(&w);
        int sv = -1;
        for (int spin = 0; spin < 100 && sv < 0; spin++) {
            world_advance(&w, 10000);
            sv = synack_accept(w.st[1], ls, NULL);
        }
        if (sv < 0 || synack_send(w.st[0], cl, msg, sizeof(msg), 0) != (ssize_t)sizeof(msg))
            break;
        world_advance(&w, 10000);
        if (synack_recv(w.st[1], sv, in, sizeof(in), 0) != (ssize_t)sizeof(in) ||
            synack_send(w.st[1], sv, msg, sizeof(msg), 0) != (ssize_t)sizeof(msg))
            break;
        world_advance(&w, 10000);
        if (synack_recv(w.st[0], cl, in, sizeof(in), 0) != (ssize_t)sizeof(in))
            break;
        synack_close(w.st[1], sv);
        synack_close(w.st[0], cl);
        world_advance(&w, 10000);
        ok++;
    }
    double wall = now_s(CLOCK_MONOTONIC) - t0;
    printf("short connections: %d of %d (connect, 64 B request, 64 B reply, close): %.0f per "
           "second\n", ok, count, ok / wall);
    world_free(&w);
    return ok == count ? 0 : 1;
}

static void tune_idle(struct synack_settings *s, int side)
{
    (void)side;
    s->max_sockets = 110000;
    s->max_tw_buckets = 16;
    s->ip_local_port_lo = 1024;
    s->ip_local_port_hi = 65535;
}

/* Memory per idle established connection: RSS grown by n connections (both ends live
 * in this process, so each connection counts twice: a client and a server socket). */
static int bench_idle(int n)
{
    struct world w;
    struct world_opts o = {.seed = 3};
    long before = rss_kib();
    if (world_init(&w, &o, tune_idle))
        return 1;
    long created = rss_kib();
    int ls[2] = {listener(&w, PORT, 4096), listener(&w, PORT + 1, 4096)}, made = 0;
    for (int i = 0; i < n; i++) {
        int cl = synack_socket(w.st[0], SYNACK_AF_INET, SYNACK_SOCK_STREAM);
        struct synack_sockaddr a = world_sockaddr(&w, 1, (uint16_t)(PORT + i % 2));
        if (cl < 0 || synack_connect(w.st[0], cl, &a) != -EINPROGRESS)
            break;
        if (i % 1000 == 999 || i == n - 1) {
            world_advance(&w, 1000000);
            for (int k = 0; k < 2; k++)
                while (synack_accept(w.st[1], ls[k], NULL) >= 0)
                    made++;
        }
    }
    long after = rss_kib();
    double per = made ? (double)(after - created) * 1024 / made : 0;
    printf("idle connections: %d established; memory %.0f bytes each (both endpoints: "
           "%.0f per socket); pools allocated up front: %ld KiB for 110,000 sockets a side\n",
           made, per, per / 2, created - before);
    world_free(&w);
    return made == n ? 0 : 1;
}

/* What the rules allow: an idealised AIMD in rounds of one RTT, sending whole segments
 * (floor(W)), each lost independently with probability p.  A round with a loss is
 * detected at its end: W becomes beta*W and the next round is recovery (no growth; a
 * loss in it is a new reduction, as above the recovery point in RFC 6582/6675).
 * Otherwise W grows by alpha times the segments acknowledged over W (RFC 9438 §4.3,
 * RFC 3465 §2.1), alpha becoming 1 once W is back at the window before the last
 * reduction (RFC 9438 §4.3: past cwnd_prior; Reno: alpha is 1 anyway).  No timeouts,
 * no detection delay beyond the round.  Returns the mean segments per round over the
 * Mathis bound 1.22/sqrt(p). */
static double aimd_ceiling(double alpha, double beta, double p)
{
    struct rng r;
    rng_seed(&r, 1);
    double w = 10, prior = w, sent = 0;
    bool recovering = false;
    const int rounds = 400000;
    for (int i = 0; i < rounds; i++) {
        double n = floor(w);
        sent += n;
        if (rng_unit(&r) < 1 - pow(1 - p, n)) {
            prior = w;
            w = w * beta > 2 ? w * beta : 2;
            recovering = true;
        } else if (recovering) {
            recovering = false;
        } else {
            w += (w >= prior ? 1 : alpha) * n / w;
        }
    }
    return sent / rounds / (1.22 / sqrt(p));
}

static int bench_lossy(double loss, uint32_t delay_ms, uint64_t bytes, int seeds)
{
    static const char *const algos[] = {"cubic", "reno"};
    /* RFC 9438 §4.3 and §4.6: beta 0.7, alpha 3(1-beta)/(1+beta); RFC 5681: 0.5, 1. */
    static const double beta[] = {0.7, 0.5};
    int rc = 0;
    printf("lossy path: %.1f%% random loss on the data direction, RTT %u ms, %llu bytes per "
           "run (virtual time); goodput / Mathis bound MSS/RTT*1.22/sqrt(p):\n",
           loss * 100, 2 * delay_ms, (unsigned long long)bytes);
    for (size_t k = 0; k < sizeof(algos) / sizeof(algos[0]); k++) {
        double sum = 0, lo = 1e9, hi = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            struct lossy_run r;
            if (lossy_once(algos[k], (uint64_t)seed, loss, delay_ms, bytes, &r)) {
                printf("  %s seed %d: did not finish\n", algos[k], seed);
                rc = 1;
                continue;
            }
            printf("  %s seed %d: %.2f Mbit/s, ratio %.3f (loss %.2f%%, %llu recoveries, "
                   "%llu timeouts, %llu segments resent)\n",
                   algos[k], seed, r.mbps, r.ratio, r.lost * 100,
                   (unsigned long long)r.recoveries, (unsigned long long)r.timeouts,
                   (unsigned long long)r.retrans);
            sum += r.ratio;
            lo = r.ratio < lo ? r.ratio : lo;
            hi = r.ratio > hi ? r.ratio : hi;
        }
        double ceiling = aimd_ceiling(3 * (1 - beta[k]) / (1 + beta[k]), beta[k], loss);
        printf("lossy %s: ratio to the bound over %d seeds: mean %.3f, min %.3f, max %.3f; "
               "an idealised AIMD of the same rules: %.3f\n",
               algos[k], seeds, sum / seeds, lo, hi, ceiling);
    }
    return rc;
}

int bench_main(int argc, char **argv)
{
    uint64_t bytes = 1ull << 30, lossy_bytes = 20000000;
    int conns = 20000, idle = 100000, seeds = 5;
    double loss = 0.02;
    bool lossy_only = false;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v && !strcmp(argv[i], "--bytes"))
            bytes = strtoull(argv[++i], NULL, 10);
        else if (v && !strcmp(argv[i], "--connections"))
            conns = atoi(argv[++i]);
        else if (v && !strcmp(argv[i], "--idle"))
            idle = atoi(argv[++i]);
        else if (v && !strcmp(argv[i], "--lossy-bytes"))
            lossy_bytes = strtoull(argv[++i], NULL, 10);
        else if (v && !strcmp(argv[i], "--seeds"))
            seeds = atoi(argv[++i]);
        else if (v && !strcmp(argv[i], "--loss"))
            loss = atof(argv[++i]);
        else if (!strcmp(argv[i], "--lossy-only"))
            lossy_only = true;
        else {
            fprintf(stderr, "usage: synack bench [--bytes N] [--connections N] [--idle N]\n"
                            "                    [--lossy-only] [--lossy-bytes N] [--seeds N]"
                            " [--loss P]\n");
            return 2;
        }
    }
    if (seeds < 1 || !(loss > 0 && loss < 1)) {
        fprintf(stderr, "synack bench: --seeds must be at least 1 and --loss in (0, 1)\n");
        return 2;
    }
    int rc = 0;
    if (!lossy_only) {
        printf("synack bench: two stacks, one thread, a memlink (MTU 1500, no loss, no delay)\n");
        rc |= bench_bulk(bytes);
        rc |= bench_crr(conns);
        rc |= bench_idle(idle);
    }
    rc |= bench_lossy(loss, 5, lossy_bytes, seeds);
    return rc;
}
