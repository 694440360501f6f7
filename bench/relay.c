/* relay.c: the Linux side's lossy path.  The kernel here has no netem qdisc, so the path
 * is a userspace link between two TUN devices, one in each network namespace run.sh made:
 * every IPv4 packet read from one device is written to the other BENCH_LOSSY_DELAY_US
 * later, FIFO each way, no rate limit; packets from the client are dropped independently
 * with probability BENCH_LOSSY_LOSS, drawn from the stack's generator (core/rng.h)
 * seeded with p->seed.  The
 * relay measures its own lateness: how long after its due time each packet was written
 * (from when the relay read it; the kernel's queueing before that is not seen).
 * Read bench/README.md first. */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "core/rng.h"

#define SLOTS 4096           /* packets queued each way; more are dropped (qdrops) */
#define SLOT_BYTES 1500      /* the MTU: a TUN device without a vnet header sends no more */
#define READS_PER_WAKE 64    /* packets taken from one device per wake-up */
#define MAX_WAKES 100000000u /* a bound on the loop besides the time limit */

struct slot {
    double due; /* bench_wall() seconds */
    ssize_t len;
    uint8_t data[SLOT_BYTES];
};

/* One direction: a ring of packets waiting for their due time. */
struct way {
    int in, out;
    double loss;
    struct slot *q;
    unsigned head, n;
};

/* Attaches to run.sh's persistent device in namespace netns.  A TUN file belongs to the
 * namespace it was opened in, so enter it first; the descriptor keeps working after. */
static int tun_open(const char *netns)
{
    bench_enter_netns(netns);
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI; /* bare IP packets, no offloads */
    memcpy(ifr.ifr_name, BENCH_LOSSY_TUN, sizeof(BENCH_LOSSY_TUN));
    if (fd >= 0 && ioctl(fd, TUNSETIFF, &ifr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads what w->in holds (a bounded batch), drops or queues each packet. */
static void take(struct way *w, struct rng *rng, struct relay_stats *st)
{
    struct slot spare;
    for (int i = 0; i < READS_PER_WAKE; i++) {
        struct slot *s = w->n < SLOTS ? &w->q[(w->head + w->n) % SLOTS] : &spare;
        s->len = read(w->in, s->data, sizeof(s->data));
        if (s->len <= 0)
            return; /* EAGAIN: nothing more */
        if ((s->data[0] >> 4) != 4)
            continue; /* IPv6 router solicitations and the like: not the workload's */
        if (w->loss > 0) {
            st->read_cs++;
            if (rng_unit(rng) < w->loss) {
                st->lost_cs++;
                continue;
            }
        }
        if (s == &spare) {
            st->qdrops++;
            continue;
        }
        s->due = bench_wall() + BENCH_LOSSY_DELAY_US / 1e6;
        w->n++;
    }
}

/* Writes every packet whose time has come. */
static void give(struct way *w, struct relay_stats *st)
{
    for (double now = bench_wall(); w->n && w->q[w->head].due <= now; now = bench_wall()) {
        struct slot *s = &w->q[w->head];
        double late = (now - s->due) * 1e6;
        st->late_sum_us += late;
        st->late_max_us = late > st->late_max_us ? late : st->late_max_us;
        if (write(w->out, s->data, (size_t)s->len) == s->len)
            st->forwarded++;
        else
            st->qdrops++;
        w->head = (w->head + 1) % SLOTS;
        w->n--;
    }
}

int relay_main(const struct bench_params *p, int ctl, int out)
{
    struct relay_stats st;
    memset(&st, 0, sizeof(st));
    struct way w[2] = {{.in = tun_open(p->netns[0]), .loss = BENCH_LOSSY_LOSS},
                       {.in = tun_open(p->netns[1])}};
    w[0].out = w[1].in;
    w[1].out = w[0].in;
    w[0].q = calloc(SLOTS, sizeof(struct slot));
    w[1].q = calloc(SLOTS, sizeof(struct slot));
    int rc = 1;
    if (w[0].in < 0 || w[1].in < 0 || !w[0].q || !w[1].q || write(out, "r", 1) != 1)
        goto out;
    prctl(PR_SET_TIMERSLACK, 1UL); /* wake when asked, not up to 50 µs later */
    struct rng rng;
    rng_seed(&rng, p->seed);
    double end = bench_wall() + p->limit_s + 10;
    struct pollfd pf[3] = {{.fd = w[0].in, .events = POLLIN},
                           {.fd = w[1].in, .events = POLLIN},
                           {.fd = ctl, .events = POLLIN}};
    for (unsigned wakes = 0; wakes < MAX_WAKES; wakes++) {
        give(&w[0], &st);
        give(&w[1], &st);
        double now = bench_wall(), next = end;
        if (now >= end)
            break;
        for (int i = 0; i < 2; i++)
            if (w[i].n && w[i].q[w[i].head].due < next)
                next = w[i].q[w[i].head].due;
        double wait = next > now ? next - now : 0;
        struct timespec ts = {.tv_sec = (time_t)wait};
        ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
        int n = ppoll(pf, 3, &ts, NULL);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (pf[2].revents || ((pf[0].revents | pf[1].revents) & ~POLLIN)))
            break; /* the parent closed ctl (the run is over), or a device failed */
        for (int i = 0; i < 2 && n > 0; i++)
            if (pf[i].revents & POLLIN)
                take(&w[i], &rng, &st);
    }
    rc = write(out, &st, sizeof(st)) == sizeof(st) ? 0 : 1;
out:
    free(w[0].q);
    free(w[1].q);
    return rc;
}
