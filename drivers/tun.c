/* tun.c: a Linux TUN device (IFF_TUN | IFF_NO_PI, non-blocking) as a synack link:
 * batched reads into the stack, queued writes flushed once per loop iteration.
 * Read tun(4) (Documentation/networking/tuntap.rst) and netdevice(7) before changing. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tun_impl.h"

uint64_t synack_tun_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int64_t wall_offset(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t wall = (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
    return wall - (int64_t)synack_tun_clock();
}

static int device_mtu(const char *name, uint32_t *mtu)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
    int rc = ioctl(s, SIOCGIFMTU, &ifr) < 0 ? -errno : 0;
    close(s);
    if (!rc)
        *mtu = (uint32_t)ifr.ifr_mtu;
    return rc;
}

int synack_tun_open(const char *ifname, uint64_t seed, struct synack_tun **out)
{
    *out = NULL;
    if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ)
        return -EINVAL;
    struct synack_tun *t = calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->epfd = t->timerfd = -1;
    t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    int err = t->fd < 0 ? -errno : 0;
    if (!err) {
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
        memcpy(ifr.ifr_name, ifname, strlen(ifname)); /* shorter than IFNAMSIZ: checked */
        /* tun(4): TUNSETIFF attaches to the device, creating it if it does not exist. */
        if (ioctl(t->fd, TUNSETIFF, &ifr) < 0)
            err = -errno;
        else
            memcpy(t->name, ifr.ifr_name, sizeof(t->name) - 1);
    }
    if (!err)
        err = device_mtu(t->name, &t->mtu);
    if (!err) {
        t->slot_size = t->mtu < 1500 ? 1500 : t->mtu;
        t->rng = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
        t->wall_offset_ns = wall_offset();
        t->tx_slab = malloc((size_t)TUN_TX_RING * t->slot_size);
        t->rx_slab = malloc((size_t)SYNACK_TUN_BATCH * t->slot_size);
        err = t->tx_slab && t->rx_slab ? tun_impair_init(t) : -ENOMEM;
    }
    if (!err)
        err = tun_loop_init(t);
    if (err) {
        synack_tun_close(t);
        return err;
    }
    *out = t;
    return 0;
}

void synack_tun_close(struct synack_tun *t)
{
    if (!t)
        return;
    tun_loop_free(t);
    tun_impair_free(t);
    if (t->fd >= 0)
        close(t->fd);
    free(t->tx_slab);
    free(t->rx_slab);
    free(t);
}

const char *synack_tun_name(const struct synack_tun *t) { return t->name; }
uint32_t synack_tun_mtu(const struct synack_tun *t) { return t->mtu; }

static void capture(struct synack_tun *t, uint64_t now_ns, const uint8_t *pkt, size_t len)
{
    if (t->pcap)
        synack_pcap_write(t->pcap, (uint64_t)((int64_t)now_ns + t->wall_offset_ns), pkt, len);
}

void tun_tx_flush(struct synack_tun *t)
{
    for (uint32_t i = 0; i < t->ntx; i++) {
        const uint8_t *p = t->tx_slab + (size_t)i * t->slot_size;
        ssize_t n = write(t->fd, p, t->tx_len[i]);
        if (n == (ssize_t)t->tx_len[i]) {
            t->stats.tx_pkts++;
            t->stats.tx_bytes += (uint64_t)n;
        } else {
            t->stats.tx_errors++; /* dropped: TCP recovers it like any loss */
        }
    }
    t->ntx = 0;
}

void tun_deliver(struct synack_tun *t, int dir, uint64_t now_ns, const uint8_t *pkt, size_t len)
{
    capture(t, now_ns, pkt, len);
    if (dir == SYNACK_TUN_IN) {
        if (t->nrx_pend == SYNACK_TUN_BATCH)
            tun_rx_flush(t, now_ns);
        t->rx_pend[t->nrx_pend++] = (struct synack_packet){pkt, len};
        return;
    }
    if (len > t->slot_size) {
        t->stats.tx_errors++;
        return;
    }
    if (t->ntx == TUN_TX_RING)
        tun_tx_flush(t);
    memcpy(t->tx_slab + (size_t)t->ntx * t->slot_size, pkt, len);
    t->tx_len[t->ntx++] = (uint32_t)len;
}

void tun_rx_flush(struct synack_tun *t, uint64_t now_ns)
{
    if (t->nrx_pend)
        synack_stack_input_batch(t->st, now_ns, t->rx_pend, t->nrx_pend);
    t->nrx_pend = 0;
    while (t->nrx_held)
        t->held_free[t->nfree++] = t->rx_held[--t->nrx_held];
}

static void link_tx(void *user, const uint8_t *pkt, size_t len)
{
    struct synack_tun *t = user;
    tun_impair(t, SYNACK_TUN_OUT, synack_stack_now(t->st), pkt, len);
}

int synack_tun_attach(struct synack_tun *t, struct synack_stack *st)
{
    struct synack_link link = {.mtu = t->mtu, .caps = 0, .tx = link_tx, .user = t};
    int err = synack_stack_attach_link(st, &link);
    if (!err)
        t->st = st;
    return err;
}

int tun_rx_batch(struct synack_tun *t, uint64_t now_ns)
{
    int n = 0, err = 0;
    while (n < SYNACK_TUN_BATCH) {
        uint8_t *slot = t->rx_slab + (size_t)n * t->slot_size;
        ssize_t len = read(t->fd, slot, t->slot_size);
        if (len < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                t->stats.rx_errors++;
                err = -errno;
            }
            break;
        }
        n++;
        t->stats.rx_pkts++;
        t->stats.rx_bytes += (uint64_t)len;
        if (t->st)
            tun_impair(t, SYNACK_TUN_IN, now_ns, slot, (size_t)len);
    }
    tun_rx_flush(t, now_ns); /* the read slots are reused by the next wakeup */
    if (err)
        return err;
    if (n == SYNACK_TUN_BATCH)
        t->stats.full_batches++;
    return n;
}

void synack_tun_set_pcap(struct synack_tun *t, struct synack_pcap *p) { t->pcap = p; }

void synack_tun_stats(const struct synack_tun *t, struct synack_tun_stats *out)
{
    *out = t->stats;
}
