/* memlink.c: a simulated network of stacks, driven in virtual time by a discrete-event loop.
 * Read include/synack_memlink.h and DESIGN.md principle 1 (replayable runs) before changing. */
#include "synack_memlink.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

#define ML_MAX_HOSTS 64
#define ML_MAX_INFLIGHT (1u << 16) /* packets in the event heap; more are queue drops */
#define ML_DEFAULT_QUEUE 100
#define ML_BATCH 64 /* packets handed to a host in one receive batch */
#define ML_DEFAULT_REORDER_US 1000

/* A packet on its way: delivered to `to` at time t; seq breaks ties in send order. */
struct ml_pkt {
    uint64_t t, seq;
    int from, to;
    size_t len;
    uint8_t data[];
};

/* One direction (from -> to): its impairments, counts and rate-limit queue. */
struct ml_dir {
    struct synack_memlink_impair imp;
    struct synack_memlink_stats stats;
    uint64_t busy_until; /* when the last queued packet finishes serialising */
    uint64_t *fin;       /* ring of the finish times of packets still queued */
    uint32_t fin_cap, fin_head, fin_count;
};

struct ml_host {
    struct synack_memlink *m;
    struct synack_stack *st; /* NULL once removed */
    int id;
    uint32_t mtu;
    bool dirty;              /* input or tx since its last poll: deadline unknown */
    uint64_t deadline;       /* what its last poll returned */
};

struct synack_memlink {
    uint64_t now, seq;
    struct rng rng;
    int nhosts;
    struct ml_host hosts[ML_MAX_HOSTS];
    struct ml_dir dir[ML_MAX_HOSTS][ML_MAX_HOSTS];
    struct synack_memlink_stats unrouted[ML_MAX_HOSTS]; /* by sender: no host owns dst */
    struct ml_pkt **heap; /* binary min-heap on (t, seq) */
    size_t nheap, capheap;
    struct synack_pcap *pcap;
    synack_memlink_tap tap;
    void *tap_user;
};

/* ------------------------------------------------------------------ event heap */

static bool before(const struct ml_pkt *a, const struct ml_pkt *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void swap(struct ml_pkt **h, size_t i, size_t j)
{
    struct ml_pkt *x = h[i];
    h[i] = h[j];
    h[j] = x;
}

static int heap_push(struct synack_memlink *m, struct ml_pkt *p)
{
    if (m->nheap == m->capheap) {
        size_t cap = m->capheap ? m->capheap * 2 : 256;
        struct ml_pkt **h = realloc(m->heap, cap * sizeof(*h));
        if (!h)
            return -ENOMEM;
        m->heap = h;
        m->capheap = cap;
    }
    p->seq = m->seq++;
    size_t i = m->nheap++;
    m->heap[i] = p;
    while (i > 0 && before(m->heap[i], m->heap[(i - 1) / 2])) {
        swap(m->heap, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    return 0;
}

static struct ml_pkt *heap_pop(struct synack_memlink *m)
{
    struct ml_pkt *top = m->heap[0];
    m->heap[0] = m->heap[--m->nheap];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, min = i;
        if (l < m->nheap && before(m->heap[l], m->heap[min]))
            min = l;
        if (r < m->nheap && before(m->heap[r], m->heap[min]))
            min = r;
        if (min == i)
            break;
        swap(m->heap, i, min);
        i = min;
    }
    return top;
}

/* ------------------------------------------------------------------ hosts */

static void drop_tx(void *user, const uint8_t *pkt, size_t len)
{
    (void)user, (void)pkt, (void)len;
}

/* A removed host keeps a link that goes nowhere, so it never reaches back into m. */
static void detach(struct ml_host *h)
{
    struct synack_link dead = {.mtu = h->mtu, .tx = drop_tx};
    if (h->st)
        synack_stack_attach_link(h->st, &dead);
    h->st = NULL;
}

static void poll_host(struct synack_memlink *m, struct ml_host *h)
{
    uint64_t d = synack_stack_poll(h->st, m->now);
    h->dirty = false; /* cleared after: what it sent while polled is in d already */
    /* A deadline not in the future is taken as the next nanosecond: no livelock. */
    h->deadline = d > m->now ? d : m->now + 1;
}

static void poll_all(struct synack_memlink *m)
{
    for (int i = 0; i < m->nhosts; i++)
        if (m->hosts[i].st)
            poll_host(m, &m->hosts[i]);
}

/* The host owning the packet's destination address, or -1. */
static int route(const struct synack_memlink *m, const uint8_t *pkt, size_t len)
{
    struct synack_addr dst = {0};
    if (len >= 20 && pkt[0] >> 4 == 4) {
        dst.family = SYNACK_AF_INET;
        memcpy(dst.bytes, pkt + 16, 4);
    } else if (len >= 40 && pkt[0] >> 4 == 6) {
        dst.family = SYNACK_AF_INET6;
        memcpy(dst.bytes, pkt + 24, 16);
    } else {
        return -1;
    }
    for (int i = 0; i < m->nhosts; i++)
        if (m->hosts[i].st && synack_stack_owns_addr(m->hosts[i].st, &dst))
            return i;
    return -1;
}

/* ------------------------------------------------------------------ impairments */

static void emit(struct synack_memlink *m, int ev, int from, int to, const uint8_t *pkt,
                 size_t len)
{
    if (m->tap)
        m->tap(m->tap_user, ev, from, to, m->now, pkt, len);
}

static bool chance(struct synack_memlink *m, double p)
{
    return p > 0 && rng_unit(&m->rng) < p;
}

/* Rate limit: FIFO serialisation at imp.rate_bps behind a queue of queue_pkts packets
 * (counting the one being serialised).  Sets *t to when the packet leaves the queue;
 * false is a tail drop. */
static bool queue_admit(struct ml_dir *d, uint64_t now, size_t len, uint64_t *t)
{
    uint32_t bound = d->imp.queue_pkts ? d->imp.queue_pkts : ML_DEFAULT_QUEUE;
    if (d->fin_cap != bound) { /* new bound: keep the newest entries that fit */
        uint64_t *fin = malloc((size_t)bound * sizeof(*fin));
        if (!fin)
            return false;
        uint32_t keep = d->fin_count < bound ? d->fin_count : bound;
        for (uint32_t i = 0; i < keep; i++)
            fin[i] = d->fin[(d->fin_head + d->fin_count - keep + i) % d->fin_cap];
        free(d->fin);
        d->fin = fin;
        d->fin_cap = bound;
        d->fin_head = 0;
        d->fin_count = keep;
    }
    while (d->fin_count && d->fin[d->fin_head] <= now) {
        d->fin_head = (d->fin_head + 1) % d->fin_cap;
        d->fin_count--;
    }
    if (d->fin_count >= bound)
        return false;
    uint64_t start = d->busy_until > now ? d->busy_until : now;
    d->busy_until = start + (uint64_t)len * 8000000000u / d->imp.rate_bps;
    d->fin[(d->fin_head + d->fin_count++) % d->fin_cap] = d->busy_until;
    *t = d->busy_until;
    return true;
}

/* Rate limit, delay + jitter, reorder; then into the event heap.  Takes p. */
static void schedule(struct synack_memlink *m, struct ml_dir *d, struct ml_pkt *p)
{
    const struct synack_memlink_impair *imp = &d->imp;
    uint64_t t = m->now;
    if (m->nheap >= ML_MAX_INFLIGHT || (imp->rate_bps && !queue_admit(d, m->now, p->len, &t)))
        goto queue_drop;
    t += (uint64_t)imp->delay_us * 1000u;
    if (imp->jitter_us)
        t += (uint64_t)(rng_unit(&m->rng) * ((double)imp->jitter_us * 1000.0));
    if (chance(m, imp->reorder)) {
        d->stats.reordered++;
        t += (uint64_t)(imp->reorder_delay_us ? imp->reorder_delay_us : ML_DEFAULT_REORDER_US) *
             1000u;
    }
    p->t = t;
    if (heap_push(m, p) == 0)
        return;
queue_drop:
    d->stats.queue_drops++;
    emit(m, SYNACK_MEMLINK_DROP, p->from, p->to, p->data, p->len);
    free(p);
}

static struct ml_pkt *pkt_new(int from, int to, const uint8_t *data, size_t len)
{
    struct ml_pkt *p = malloc(sizeof(*p) + len);
    if (p) {
        p->from = from;
        p->to = to;
        p->len = len;
        memcpy(p->data, data, len);
    }
    return p;
}

/* A packet leaves host `from`: route it, capture it, impair it in this order: MTU, loss,
 * corruption, duplication, then for each copy rate limit, delay + jitter, reorder. */
static void send_pkt(struct synack_memlink *m, int from, const uint8_t *pkt, size_t len)
{
    int to = route(m, pkt, len);
    emit(m, SYNACK_MEMLINK_TX, from, to, pkt, len);
    if (m->pcap)
        synack_pcap_write(m->pcap, m->now, pkt, len);
    if (to < 0) {
        m->unrouted[from].sent++;
        m->unrouted[from].no_route++;
        emit(m, SYNACK_MEMLINK_DROP, from, to, pkt, len);
        return;
    }
    struct ml_dir *d = &m->dir[from][to];
    const struct synack_memlink_impair *imp = &d->imp;
    d->stats.sent++;
    uint64_t *drop = NULL;
    struct ml_pkt *p = NULL;
    if (len > (imp->mtu ? imp->mtu : m->hosts[from].mtu))
        drop = &d->stats.mtu_drops;
    else if (chance(m, imp->loss))
        drop = &d->stats.lost;
    else if (!(p = pkt_new(from, to, pkt, len)))
        drop = &d->stats.queue_drops;
    if (drop) {
        (*drop)++;
        emit(m, SYNACK_MEMLINK_DROP, from, to, pkt, len);
        return;
    }
    if (chance(m, imp->corrupt)) { /* on our copy, never the sender's buffer */
        uint32_t bit = rng_below(&m->rng, (uint32_t)(len * 8));
        p->data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        d->stats.corrupted++;
    }
    struct ml_pkt *dup = NULL;
    if (chance(m, imp->dup)) {
        d->stats.duplicated++;
        dup = pkt_new(from, to, p->data, len);
        if (!dup) {
            d->stats.queue_drops++;
            emit(m, SYNACK_MEMLINK_DROP, from, to, p->data, len);
        }
    }
    schedule(m, d, p);
    if (dup)
        schedule(m, d, dup);
}

static void link_tx(void *user, const uint8_t *pkt, size_t len)
{
    struct ml_host *h = user;
    h->dirty = true; /* it may have armed a timer: poll it again before trusting deadline */
    send_pkt(h->m, h->id, pkt, len);
}

/* Hands the host the packets due now for it, up to ML_BATCH of them in a row, as one
 * receive batch (what arrives together is processed together, as a driver's read
 * batch would be). */
static void deliver(struct synack_memlink *m)
{
    struct ml_pkt *batch[ML_BATCH];
    struct synack_packet pkts[ML_BATCH];
    size_t n = 0, npkts = 0;
    int to = m->heap[0]->to;
    while (n < ML_BATCH && m->nheap && m->heap[0]->t <= m->now && m->heap[0]->to == to)
        batch[n++] = heap_pop(m);
    struct ml_host *h = &m->hosts[to];
    for (size_t i = 0; i < n; i++) {
        struct ml_pkt *p = batch[i];
        struct ml_dir *d = &m->dir[p->from][p->to];
        if (!h->st) { /* removed while the packet was in flight */
            d->stats.no_route++;
            emit(m, SYNACK_MEMLINK_DROP, p->from, p->to, p->data, p->len);
            continue;
        }
        d->stats.delivered++;
        emit(m, SYNACK_MEMLINK_DELIVER, p->from, p->to, p->data, p->len);
        pkts[npkts++] = (struct synack_packet){p->data, p->len};
    }
    if (npkts) {
        h->dirty = true;
        synack_stack_input_batch(h->st, m->now, pkts, npkts); /* its tx only enqueues */
    }
    for (size_t i = 0; i < n; i++)
        free(batch[i]);
}

/* ------------------------------------------------------------------ API */

int synack_memlink_create(uint64_t seed, struct synack_memlink **out)
{
    struct synack_memlink *m = calloc(1, sizeof(*m));
    *out = m;
    if (!m)
        return -ENOMEM;
    rng_seed(&m->rng, seed);
    return 0;
}

void synack_memlink_destroy(struct synack_memlink *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->nhosts; i++)
        detach(&m->hosts[i]);
    while (m->nheap)
        free(m->heap[--m->nheap]);
    free(m->heap);
    for (int i = 0; i < ML_MAX_HOSTS; i++)
        for (int j = 0; j < ML_MAX_HOSTS; j++)
            free(m->dir[i][j].fin);
    free(m);
}

static int attach(struct ml_host *h, struct synack_stack *st)
{
    struct synack_link l = {.mtu = h->mtu, .tx = link_tx, .user = h};
    int err = synack_stack_attach_link(st, &l);
    if (err)
        return err;
    h->st = st;
    h->dirty = true;
    return 0;
}

int synack_memlink_add_host(struct synack_memlink *m, struct synack_stack *st, uint32_t mtu)
{
    if (m->nhosts == ML_MAX_HOSTS)
        return -ENOSPC;
    struct ml_host *h = &m->hosts[m->nhosts];
    *h = (struct ml_host){.m = m, .id = m->nhosts, .mtu = mtu};
    int err = attach(h, st);
    return err ? err : m->nhosts++;
}

void synack_memlink_remove_host(struct synack_memlink *m, int host)
{
    if (host >= 0 && host < m->nhosts)
        detach(&m->hosts[host]);
}

void synack_memlink_replace_host(struct synack_memlink *m, int host, struct synack_stack *st)
{
    /* The old stack may already be destroyed (a crash): it is not touched. */
    if (host >= 0 && host < m->nhosts && st)
        attach(&m->hosts[host], st);
}

void synack_memlink_set_impair(struct synack_memlink *m, int from, int to,
                               const struct synack_memlink_impair *imp)
{
    const struct synack_memlink_impair none = {0};
    for (int i = 0; i < ML_MAX_HOSTS; i++)
        for (int j = 0; j < ML_MAX_HOSTS; j++)
            if ((from < 0 || from == i) && (to < 0 || to == j))
                m->dir[i][j].imp = imp ? *imp : none;
}

static void stats_add(struct synack_memlink_stats *a, const struct synack_memlink_stats *b)
{
    a->sent += b->sent;
    a->delivered += b->delivered;
    a->lost += b->lost;
    a->duplicated += b->duplicated;
    a->reordered += b->reordered;
    a->corrupted += b->corrupted;
    a->queue_drops += b->queue_drops;
    a->mtu_drops += b->mtu_drops;
    a->no_route += b->no_route;
}

void synack_memlink_stats(const struct synack_memlink *m, int from, int to,
                          struct synack_memlink_stats *out)
{
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < ML_MAX_HOSTS; i++) {
        if (from >= 0 && from != i)
            continue;
        for (int j = 0; j < ML_MAX_HOSTS; j++)
            if (to < 0 || to == j)
                stats_add(out, &m->dir[i][j].stats);
        if (to < 0)
            stats_add(out, &m->unrouted[i]);
    }
}

void synack_memlink_set_pcap(struct synack_memlink *m, struct synack_pcap *p) { m->pcap = p; }

void synack_memlink_set_tap(struct synack_memlink *m, synack_memlink_tap tap, void *user)
{
    m->tap = tap;
    m->tap_user = user;
}

uint64_t synack_memlink_now(const struct synack_memlink *m) { return m->now; }

/* The earliest of the next delivery and every host's deadline (now if it is dirty). */
static uint64_t next_time(const struct synack_memlink *m)
{
    uint64_t t = m->nheap ? m->heap[0]->t : UINT64_MAX;
    for (int i = 0; i < m->nhosts; i++) {
        const struct ml_host *h = &m->hosts[i];
        uint64_t d = h->dirty ? m->now : h->deadline;
        if (h->st && d < t)
            t = d;
    }
    return t;
}

int synack_memlink_run(struct synack_memlink *m, uint64_t until_ns, int (*stop)(void *user),
                       void *user)
{
    for (;;) {
        uint64_t t = next_time(m);
        if (t > until_ns || t == UINT64_MAX) {
            /* Nothing due by until_ns (or, for until_ns = UINT64_MAX, nothing at all). */
            if (until_ns != UINT64_MAX && until_ns > m->now)
                m->now = until_ns;
            poll_all(m);
            return 0;
        }
        if (t > m->now)
            m->now = t;
        if (m->nheap && m->heap[0]->t <= m->now) {
            deliver(m);
        } else {
            for (int i = 0; i < m->nhosts; i++) {
                struct ml_host *h = &m->hosts[i];
                if (h->st && (h->dirty || h->deadline <= m->now))
                    poll_host(m, h);
            }
        }
        if (stop && stop(user))
            return 1;
    }
}

void synack_memlink_inject(struct synack_memlink *m, int from, const uint8_t *pkt, size_t len)
{
    if (from >= 0 && from < m->nhosts && (pkt || !len))
        send_pkt(m, from, pkt, len);
}

void synack_memlink_kick(struct synack_memlink *m) { poll_all(m); }
