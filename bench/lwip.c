/* lwip.c: the lwIP side of the benchmark (Debian's liblwip-dev, when CMake finds it).
 * Read bench/README.md first; lwIP's own documentation for the raw API it uses. */
#include <stdio.h>
#include <string.h>

#include "bench.h"

#ifndef SYNACK_BENCH_LWIP

bool lwip_available(void) { return false; }

const char *lwip_describe(void)
{
    return "not built: liblwip-dev was not installed when CMake configured the bench "
           "(apt-get install liblwip-dev, then make bench)";
}

int lwip_run(enum bench_kind k, const struct bench_params *p, struct bench_result *r)
{
    (void)k, (void)p;
    memset(r, 0, sizeof(*r));
    snprintf(r->why, sizeof(r->why), "%s", lwip_describe());
    return -1;
}

#else /* SYNACK_BENCH_LWIP */

/* lwIP keeps its state in globals: one stack per process.  Both ends of each connection
 * live in it and talk to its own address through its loopback path (netif_loop_output:
 * each packet copied into a new pbuf and queued, then fed to ip_input), the nearest it
 * has to two stacks over a memlink.  Debian builds it NO_SYS=0, so everything runs as
 * raw-API callbacks in its tcpip thread; the main thread only starts a run and waits. */
#include <dlfcn.h>
#include <errno.h>
#include <semaphore.h>
#include <time.h>

#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h" /* tcp_tw_pcbs, tcp_active_pcbs: cleared between runs */
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#define LW_PORT 5001

/* libsynack defines tcp_output (and ip_input, tcp_input, icmp_input) too, and a name in
 * the executable wins over the library's: lwIP's own is fetched by dlsym.  The link
 * option --exclude-libs keeps ours from preempting lwIP's calls to itself. */
static err_t (*lw_tcp_output)(struct tcp_pcb *pcb);

struct lw {
    enum bench_kind kind;
    const struct bench_params *p;
    struct tcp_pcb *ls, *cl, *sv;
    uint64_t sent, recvd, ops, sv_recvd;
    bool active, done, failed;
    double w0, c0, w1, c1;
    char why[160];
    sem_t fin;
    uint8_t buf[BENCH_IO_CHUNK];
};

static struct lw L;
static struct netif nif;
static ip_addr_t lw_addr;
static sem_t ready;
static int state; /* 0: not started, 1: running, -1: broken */

static void finish(struct lw *l, bool ok, const char *why)
{
    if (!l->active)
        return;
    l->active = false;
    l->w1 = bench_wall();
    l->c1 = bench_cpu();
    l->done = ok;
    l->failed = !ok;
    if (why)
        snprintf(l->why, sizeof(l->why), "%s", why);
    sem_post(&l->fin);
}

static void on_err(void *arg, err_t err)
{
    struct lw *l = arg;
    char why[64];
    snprintf(why, sizeof(why), "lwIP error %d", (int)err);
    if (l == &L)
        finish(l, false, why);
}

static void forget(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
}

/* ------------------------------------------------------------------ bulk */

static void bulk_fill(struct lw *l)
{
    while (l->cl && l->sent < l->p->bytes) {
        uint64_t left = l->p->bytes - l->sent;
        size_t n = tcp_sndbuf(l->cl);
        if (n > left)
            n = (size_t)left;
        if (n > BENCH_PAT_PERIOD)
            n = BENCH_PAT_PERIOD;
        if (n > 0xffff)
            n = 0xffff;
        if (n == 0 || tcp_sndqueuelen(l->cl) >= TCP_SND_QUEUELEN)
            break;
        err_t e = tcp_write(l->cl, bench_pattern() + l->sent % BENCH_PAT_PERIOD, (u16_t)n,
                            TCP_WRITE_FLAG_COPY);
        if (e == ERR_MEM)
            break;
        if (e != ERR_OK) {
            finish(l, false, "tcp_write failed");
            return;
        }
        l->sent += n;
    }
    if (l->cl)
        lw_tcp_output(l->cl);
    if (l->cl && l->sent == l->p->bytes) { /* everything queued: FIN after it */
        forget(l->cl);
        tcp_close(l->cl);
        l->cl = NULL;
    }
}

static err_t bulk_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)pcb, (void)len;
    bulk_fill(arg);
    return ERR_OK;
}

static err_t bulk_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct lw *l = arg;
    if (!p || err != ERR_OK) {
        if (p)
            pbuf_free(p);
        forget(pcb);
        tcp_close(pcb);
        l->sv = NULL;
        finish(l, l->recvd == l->p->bytes, l->recvd == l->p->bytes ? NULL : "early EOF");
        return ERR_OK;
    }
    /* Copied out as a recv() would, then checked. */
    for (u16_t off = 0; off < p->tot_len;) {
        u16_t n = pbuf_copy_partial(p, l->buf, (u16_t)(p->tot_len - off), off);
        if (!bench_pattern_check(l->recvd, l->buf, n)) {
            finish(l, false, "data corrupted");
            break;
        }
        l->recvd += n;
        off = (u16_t)(off + n);
    }
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

/* ------------------------------------------------------------------ rr */

static void rr_ask(struct lw *l)
{
    if (tcp_write(l->cl, "q", 1, TCP_WRITE_FLAG_COPY) != ERR_OK) {
        finish(l, false, "tcp_write failed");
        return;
    }
    l->sent++;
    lw_tcp_output(l->cl);
}

static err_t rr_client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct lw *l = arg;
    if (!p || err != ERR_OK) {
        if (p)
            pbuf_free(p);
        finish(l, false, "early EOF");
        return ERR_OK;
    }
    u16_t n = p->tot_len;
    tcp_recved(pcb, n);
    pbuf_free(p);
    l->recvd += n;
    if (l->recvd == l->p->count) {
        finish(l, true, NULL);
        forget(pcb);
        tcp_close(pcb);
        l->cl = NULL;
    } else if (l->recvd == l->sent) {
        rr_ask(l);
    }
    return ERR_OK;
}

static err_t rr_server_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct lw *l = arg;
    if (!p || err != ERR_OK) {
        if (p)
            pbuf_free(p);
        forget(pcb);
        tcp_close(pcb);
        l->sv = NULL;
        return ERR_OK;
    }
    u16_t n = p->tot_len;
    tcp_recved(pcb, n);
    pbuf_free(p);
    for (u16_t i = 0; i < n; i++)
        if (tcp_write(pcb, "r", 1, TCP_WRITE_FLAG_COPY) != ERR_OK)
            finish(l, false, "tcp_write failed");
    lw_tcp_output(pcb);
    return ERR_OK;
}

/* ------------------------------------------------------------------ crr */

static void crr_next(struct lw *l);

static err_t crr_client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct lw *l = arg;
    if (p && err == ERR_OK) {
        l->recvd += p->tot_len;
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    }
    if (p)
        pbuf_free(p);
    forget(pcb);
    tcp_close(pcb); /* CLOSE_WAIT -> LAST_ACK: the server closed first */
    l->cl = NULL;
    if (l->recvd != BENCH_CRR_BYTES) {
        finish(l, false, "short reply");
        return ERR_OK;
    }
    l->ops++;
    crr_next(l);
    return ERR_OK;
}

static err_t crr_server_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct lw *l = arg;
    if (!p || err != ERR_OK) {
        if (p)
            pbuf_free(p);
        finish(l, false, "client closed first");
        return ERR_OK;
    }
    l->sv_recvd += p->tot_len;
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    if (l->sv_recvd == BENCH_CRR_BYTES) {
        if (tcp_write(pcb, bench_pattern(), BENCH_CRR_BYTES, TCP_WRITE_FLAG_COPY) != ERR_OK) {
            finish(l, false, "tcp_write failed");
            return ERR_OK;
        }
        forget(pcb);
        tcp_close(pcb); /* FIN after the reply; TIME_WAIT is the server's */
        l->sv = NULL;
    }
    return ERR_OK;
}

static err_t crr_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct lw *l = arg;
    if (err != ERR_OK ||
        tcp_write(pcb, bench_pattern(), BENCH_CRR_BYTES, TCP_WRITE_FLAG_COPY) != ERR_OK) {
        finish(l, false, "connect or tcp_write failed");
        return ERR_OK;
    }
    lw_tcp_output(pcb);
    return ERR_OK;
}

/* ------------------------------------------------------------------ connections */

static err_t rr_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct lw *l = arg;
    (void)pcb;
    if (err != ERR_OK) {
        finish(l, false, "connect failed");
        return ERR_OK;
    }
    if (l->kind == BENCH_RR) { /* the round trips are timed, not the handshake */
        l->w0 = bench_wall();
        l->c0 = bench_cpu();
        rr_ask(l);
    } else {
        bulk_fill(l);
    }
    return ERR_OK;
}

static bool dial(struct lw *l, tcp_connected_fn cb)
{
    l->cl = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (!l->cl) {
        finish(l, false, "tcp_new failed");
        return false;
    }
    tcp_arg(l->cl, l);
    tcp_err(l->cl, on_err);
    if (l->kind == BENCH_RR)
        tcp_nagle_disable(l->cl);
    tcp_recv(l->cl, l->kind == BENCH_RR ? rr_client_recv : l->kind == BENCH_CRR ? crr_client_recv
                                                                                 : NULL);
    if (l->kind == BENCH_BULK)
        tcp_sent(l->cl, bulk_sent);
    if (tcp_connect(l->cl, &lw_addr, LW_PORT, cb) != ERR_OK) {
        finish(l, false, "tcp_connect failed");
        return false;
    }
    return true;
}

static void crr_next(struct lw *l)
{
    if (l->ops == l->p->count) {
        finish(l, true, NULL);
        return;
    }
    l->recvd = l->sv_recvd = 0;
    dial(l, crr_connected);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct lw *l = arg;
    if (err != ERR_OK || !pcb || !l || !l->active)
        return ERR_VAL;
    l->sv = pcb;
    tcp_arg(pcb, l);
    tcp_err(pcb, on_err);
    if (l->kind == BENCH_RR)
        tcp_nagle_disable(pcb);
    tcp_recv(pcb, l->kind == BENCH_BULK ? bulk_recv : l->kind == BENCH_RR ? rr_server_recv
                                                                          : crr_server_recv);
    return ERR_OK;
}

/* In the tcpip thread: listen, then open the first connection. */
static void start(void *arg)
{
    struct lw *l = arg;
    l->active = true;
    l->w0 = bench_wall();
    l->c0 = bench_cpu();
    struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (!pcb || tcp_bind(pcb, &lw_addr, LW_PORT) != ERR_OK) {
        finish(l, false, "listen failed");
        return;
    }
    l->ls = tcp_listen_with_backlog(pcb, 128);
    if (!l->ls) {
        finish(l, false, "listen failed");
        return;
    }
    tcp_arg(l->ls, l);
    tcp_accept(l->ls, on_accept);
    if (l->kind == BENCH_CRR)
        crr_next(l);
    else
        dial(l, rr_connected);
}

/* In the tcpip thread, after a run: every pcb goes (TIME_WAIT included), so each run
 * starts from an empty stack as synack's do. */
static void cleanup(void *arg)
{
    struct lw *l = arg;
    l->active = false;
    if (l->ls) {
        tcp_arg(l->ls, NULL);
        tcp_close(l->ls);
        l->ls = NULL;
    }
    for (int i = 0; i < 1000000 && tcp_active_pcbs; i++) {
        forget(tcp_active_pcbs);
        tcp_abort(tcp_active_pcbs);
    }
    for (int i = 0; i < 1000000 && tcp_tw_pcbs; i++)
        tcp_abort(tcp_tw_pcbs);
    l->cl = l->sv = NULL;
    sem_post(&ready);
}

static void noop(void *arg)
{
    (void)arg;
    sem_post(&ready);
}

static err_t nif_output(struct netif *n, struct pbuf *p, const ip4_addr_t *a)
{
    (void)n, (void)p, (void)a; /* only our own address is used: never called */
    return ERR_OK;
}

static err_t nif_output6(struct netif *n, struct pbuf *p, const ip6_addr_t *a)
{
    (void)n, (void)p, (void)a;
    return ERR_OK;
}

static err_t nif_init(struct netif *n)
{
    n->name[0] = 'b';
    n->name[1] = 'n';
    n->mtu = 1500;
    n->output = nif_output;
    n->output_ip6 = nif_output6;
    return ERR_OK;
}

static void init_done(void *arg)
{
    (void)arg;
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, 198, 18, 0, 1);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 0, 0, 0, 0);
    ip_addr_copy_from_ip4(lw_addr, ip);
    netif_add(&nif, &ip, &mask, &gw, NULL, nif_init, tcpip_input);
    netif_set_default(&nif);
    netif_set_up(&nif);
    netif_set_link_up(&nif);
    sem_post(&ready);
}

static int wait_sem(sem_t *s, double seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + seconds;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    while (sem_timedwait(s, &ts) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

bool lwip_available(void)
{
    if (state == 0) {
        void *lib = dlopen("liblwip.so.0", RTLD_LAZY | RTLD_NOLOAD);
        void *fn = lib ? dlsym(lib, "tcp_output") : NULL;
        if (!fn) {
            state = -1;
            return false;
        }
        memcpy(&lw_tcp_output, &fn, sizeof(fn));
        sem_init(&ready, 0, 0);
        sem_init(&L.fin, 0, 0);
        tcpip_init(init_done, NULL);
        state = wait_sem(&ready, 10) == 0 ? 1 : -1;
    }
    return state == 1;
}

const char *lwip_describe(void)
{
    static char d[320];
    snprintf(d, sizeof(d),
             "Debian's liblwip %s (NO_SYS=0, TCP_MSS %d, TCP_WND %d, TCP_SND_BUF %d): one "
             "instance, both ends over its own loopback path (each packet copied into a new "
             "pbuf, checksums computed and checked), raw API in its tcpip thread",
             LWIP_VERSION_STRING, TCP_MSS, TCP_WND, TCP_SND_BUF);
    return d;
}

int lwip_run(enum bench_kind k, const struct bench_params *p, struct bench_result *r)
{
    memset(r, 0, sizeof(*r));
    if (!lwip_available()) {
        snprintf(r->why, sizeof(r->why), "lwIP did not start");
        return -1;
    }
    L.kind = k;
    L.p = p;
    L.sent = L.recvd = L.ops = L.sv_recvd = 0;
    L.done = L.failed = false;
    L.why[0] = 0;
    while (sem_trywait(&L.fin) == 0)
        ;
    if (tcpip_callback(start, &L) != ERR_OK) {
        snprintf(r->why, sizeof(r->why), "tcpip_callback failed");
        return -1;
    }
    bool timed_out = wait_sem(&L.fin, p->limit_s) < 0;
    /* Clean up in the tcpip thread, then let the RSTs that sends drain. */
    if (tcpip_callback(cleanup, &L) != ERR_OK || wait_sem(&ready, 10) < 0 ||
        tcpip_callback(noop, NULL) != ERR_OK || wait_sem(&ready, 10) < 0) {
        state = -1;
        snprintf(r->why, sizeof(r->why), "lwIP is stuck");
        return -1;
    }
    if (timed_out) {
        snprintf(r->why, sizeof(r->why), "wall-clock limit reached");
        return -1;
    }
    r->ok = L.done && !L.failed;
    r->wall_s = L.w1 - L.w0;
    r->cpu_s = L.c1 - L.c0;
    r->bytes = k == BENCH_BULK ? L.recvd : 0;
    r->ops = k == BENCH_RR ? L.recvd : L.ops;
    snprintf(r->why, sizeof(r->why), "%s", L.why);
    return r->ok ? 0 : -1;
}

#endif /* SYNACK_BENCH_LWIP */
