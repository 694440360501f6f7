/* tun_impair.c: loss, duplication, reordering and delay applied at the TUN driver in
 * both directions (the kernel here has no netem), from one seeded generator; held
 * packets wait in a bounded min-heap.  Read include/synack_tun.h and
 * synack_memlink.h (the same impairments, in virtual time) before changing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tun_impl.h"

static uint64_t next_rand(struct synack_tun *t)
{
    /* xorshift64* (Vigna): enough for coin flips, seeded, no libc state. */
    t->rng ^= t->rng >> 12;
    t->rng ^= t->rng << 25;
    t->rng ^= t->rng >> 27;
    return t->rng * 0x2545f4914f6cdd1dull;
}

static int chance(struct synack_tun *t, double p)
{
    if (p <= 0)
        return 0;
    if (p >= 1)
        return 1;
    return (double)(next_rand(t) >> 11) / 9007199254740992.0 < p;
}

int tun_impair_init(struct synack_tun *t)
{
    if (!t->rng)
        t->rng = 1;
    /* The slab is allocated on first use: a run without delay never needs it. */
    return 0;
}

static int slab_alloc(struct synack_tun *t)
{
    t->heap = calloc(TUN_HELD_MAX, sizeof(*t->heap));
    t->held_free = calloc(TUN_HELD_MAX, sizeof(*t->held_free));
    t->held_slab = malloc((size_t)TUN_HELD_MAX * t->slot_size);
    if (!t->heap || !t->held_free || !t->held_slab)
        return -ENOMEM;
    for (uint32_t i = 0; i < TUN_HELD_MAX; i++)
        t->held_free[i] = t->held_slab + (size_t)i * t->slot_size;
    t->nfree = TUN_HELD_MAX;
    return 0;
}

void tun_impair_free(struct synack_tun *t)
{
    free(t->heap);
    free(t->held_free);
    free(t->held_slab);
    t->heap = NULL;
    t->held_free = NULL;
    t->held_slab = NULL;
    t->nheld = t->nfree = 0;
}

static int earlier(const struct tun_held *a, const struct tun_held *b)
{
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

static void heap_push(struct synack_tun *t, struct tun_held h)
{
    uint32_t i = t->nheld++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!earlier(&h, &t->heap[parent]))
            break;
        t->heap[i] = t->heap[parent];
        i = parent;
    }
    t->heap[i] = h;
}

static struct tun_held heap_pop(struct synack_tun *t)
{
    struct tun_held top = t->heap[0];
    struct tun_held last = t->heap[--t->nheld];
    uint32_t i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= t->nheld)
            break;
        if (c + 1 < t->nheld && earlier(&t->heap[c + 1], &t->heap[c]))
            c++;
        if (!earlier(&t->heap[c], &last))
            break;
        t->heap[i] = t->heap[c];
        i = c;
    }
    if (t->nheld)
        t->heap[i] = last;
    return top;
}

static void hold(struct synack_tun *t, int dir, uint64_t due, const uint8_t *pkt, size_t len)
{
    if (!t->held_slab && slab_alloc(t)) {
        tun_impair_free(t);
        t->stats.queue_drops++;
        return;
    }
    if (!t->nfree || len > t->slot_size) {
        t->stats.queue_drops++;
        return;
    }
    struct tun_held h = {.due_ns = due, .seq = t->held_seq++, .dir = (uint8_t)dir,
                         .len = (uint32_t)len, .data = t->held_free[--t->nfree]};
    memcpy(h.data, pkt, len);
    heap_push(t, h);
}

void tun_impair(struct synack_tun *t, int dir, uint64_t now_ns, const uint8_t *pkt, size_t len)
{
    const struct synack_tun_impair *imp = &t->imp[dir];
    if (chance(t, imp->loss)) {
        t->stats.lost[dir]++;
        return;
    }
    int copies = 1;
    if (chance(t, imp->dup)) {
        t->stats.duplicated[dir]++;
        copies = 2;
    }
    for (int c = 0; c < copies; c++) {
        uint64_t delay = (uint64_t)imp->delay_us * 1000u;
        if (chance(t, imp->reorder)) {
            t->stats.reordered[dir]++;
            delay += (uint64_t)(imp->reorder_delay_us ? imp->reorder_delay_us : 1000u) * 1000u;
        }
        if (!delay) {
            tun_deliver(t, dir, now_ns, pkt, len);
        } else {
            t->stats.delayed[dir]++;
            hold(t, dir, now_ns + delay, pkt, len);
        }
    }
}

void tun_release_due(struct synack_tun *t, uint64_t now_ns)
{
    while (t->nheld && t->heap[0].due_ns <= now_ns) {
        struct tun_held h = heap_pop(t);
        /* The slot is returned once the packet is out of it: at once for a written
         * packet (copied), after the receive batch for one to the stack. */
        tun_deliver(t, h.dir, now_ns, h.data, h.len);
        if (h.dir == SYNACK_TUN_IN)
            t->rx_held[t->nrx_held++] = h.data;
        else
            t->held_free[t->nfree++] = h.data;
    }
    tun_rx_flush(t, now_ns);
}

uint64_t tun_next_due(const struct synack_tun *t)
{
    return t->nheld ? t->heap[0].due_ns : UINT64_MAX;
}

void synack_tun_set_impair(struct synack_tun *t, int dir, const struct synack_tun_impair *imp)
{
    for (int d = 0; d < 2; d++)
        if (dir < 0 || dir == d)
            t->imp[d] = *imp;
}

void synack_tun_get_impair(const struct synack_tun *t, int dir, struct synack_tun_impair *out)
{
    *out = t->imp[dir == SYNACK_TUN_OUT ? 1 : 0];
}
