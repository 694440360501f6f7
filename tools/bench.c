/* bench.c: `synack bench`: one process, two stacks over a memlink (MTU 1500, no loss):
 * bulk throughput and CPU per byte, short connections per second, and memory per idle
 * established connection.  Wall-clock figures; bench/ has the side-by-side with Linux. */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static int bench_bulk(uint64_t bytes)
{
    struct world w;
    struct world_opts o = {.seed = 1};
    if (world_init(&w, &o, NULL))
        return 1;
    struct bulk *b = calloc(1, sizeof(*b));
    b->w = &w;
    b->total = bytes;
    b->sv = -1;
    b->ls = listener(&w, PORT, 8);
    b->cl = synack_socket(w.st[0], SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    struct synack_sockaddr a = world_sockaddr(&w, 1, PORT);
    synack_connect(w.st[0], b->cl, &a);
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

int bench_main(int argc, char **argv)
{
    uint64_t bytes = 1ull << 30;
    int conns = 20000, idle = 100000;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v && !strcmp(argv[i], "--bytes"))
            bytes = strtoull(argv[++i], NULL, 10);
        else if (v && !strcmp(argv[i], "--connections"))
            conns = atoi(argv[++i]);
        else if (v && !strcmp(argv[i], "--idle"))
            idle = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: synack bench [--bytes N] [--connections N] [--idle N]\n");
            return 2;
        }
    }
    printf("synack bench: two stacks, one thread, a memlink (MTU 1500, no loss, no delay)\n");
    int rc = bench_bulk(bytes);
    rc |= bench_crr(conns);
    rc |= bench_idle(idle);
    return rc;
}
