/* timer.c: the hierarchical timing wheel: 4 levels of 256 slots, 1 ms ticks.
 * Read Varghese & Lauck, "Hashed and Hierarchical Timing Wheels" (SOSP 1987), scheme 7,
 * and timer.h before changing it.
 *
 * Placement.  A timer expiring at tick e goes to the level of the highest 8-bit digit in
 * which e differs from now_tick (capped at the top level), in the slot given by e's digit
 * at that level.  So a level-L slot s (L < 3) holds timers of the current level-(L+1)
 * block whose digit L is s > now's digit; it is "processed" (cascaded one or more levels
 * down) when now_tick reaches the first tick of that slot.  Timers beyond the wheel's span
 * (e and now differ above bit 32) are parked in the top level at their own digit: the slot
 * is processed each time now's top digit comes round to it, re-placing them, so by the
 * start of their own slot in their own 2^32-tick epoch they are in the right place.
 * Between processings a timer's place is a function of (e, now_tick) alone, which is
 * what lets cancel find its list without storing it.  A timer armed for a tick already
 * past is due at the current tick: it waits in the current level-0 slot, which advance
 * drains before moving on. */
#include "core/timer.h"

#include <assert.h>
#include <stddef.h>

#define SLOT_MASK (TIMER_SLOTS - 1u)
#define WORDS (TIMER_SLOTS / 64u)

void timer_wheel_init(struct timer_wheel *w, uint64_t now_ns)
{
    w->now_tick = now_ns / TIMER_TICK_NS;
    w->count = 0;
    for (unsigned l = 0; l < TIMER_LEVELS; l++) {
        for (unsigned s = 0; s < TIMER_SLOTS; s++) {
            w->slot[l][s] = NULL;
            w->tail[l][s] = &w->slot[l][s];
        }
        for (unsigned i = 0; i < WORDS; i++)
            w->bitmap[l][i] = 0;
    }
}

void timer_init(struct timer *t, timer_fn fn)
{
    t->next = NULL;
    t->pprev = NULL;
    t->expires_tick = 0;
    t->fn = fn;
}

/* Where a timer expiring at tick e (>= now_tick) lives now: see the file comment. */
static void locate(const struct timer_wheel *w, uint64_t e, unsigned *level, unsigned *slot)
{
    uint64_t diff = e ^ w->now_tick;
    unsigned l = 0;
    while (l < TIMER_LEVELS - 1 && (diff >> (TIMER_SLOT_BITS * (l + 1))) != 0)
        l++;
    *level = l;
    *slot = (unsigned)(e >> (TIMER_SLOT_BITS * l)) & SLOT_MASK;
}

/* Appends t to the tail of its list (FIFO within a slot). */
static void place(struct timer_wheel *w, struct timer *t)
{
    unsigned l, s;
    locate(w, t->expires_tick, &l, &s);
    t->next = NULL;
    t->pprev = w->tail[l][s];
    *w->tail[l][s] = t;
    w->tail[l][s] = &t->next;
    w->bitmap[l][s / 64] |= 1ull << (s % 64);
}

static void unlink_timer(struct timer_wheel *w, struct timer *t)
{
    unsigned l, s;
    locate(w, t->expires_tick, &l, &s);
    *t->pprev = t->next;
    if (t->next) {
        t->next->pprev = t->pprev;
    } else {
        assert(w->tail[l][s] == &t->next);
        w->tail[l][s] = t->pprev;
    }
    if (!w->slot[l][s])
        w->bitmap[l][s / 64] &= ~(1ull << (s % 64));
    t->next = NULL;
    t->pprev = NULL;
    w->count--;
}

void timer_arm(struct timer_wheel *w, struct timer *t, uint64_t expires_ns)
{
    /* Round up: a timer never fires before its time. */
    uint64_t e = expires_ns / TIMER_TICK_NS + (expires_ns % TIMER_TICK_NS != 0);
    timer_cancel(w, t);
    t->expires_tick = e > w->now_tick ? e : w->now_tick;
    place(w, t);
    w->count++;
}

void timer_cancel(struct timer_wheel *w, struct timer *t)
{
    if (timer_armed(t))
        unlink_timer(w, t);
}

/* The first non-empty slot at index >= from in one level's bitmap, or TIMER_SLOTS. */
static unsigned first_set(const uint64_t *bm, unsigned from)
{
    for (unsigned i = from / 64; i < WORDS; i++) {
        uint64_t word = bm[i];
        if (i == from / 64)
            word &= ~0ull << (from % 64);
        if (word)
            return i * 64 + (unsigned)__builtin_ctzll(word);
    }
    return TIMER_SLOTS;
}

/* The tick at which the earliest non-empty slot must be processed, and that slot's
 * level.  Lower levels always come first: a level-L slot is processed within the current
 * level-(L+1) block, every higher level's slot after it.  Only the top level wraps (its
 * slots at or before now's digit hold parked timers, processed in the next epoch).
 * The current level-0 slot (overdue timers) gives now_tick itself.  False if empty. */
static bool next_event(const struct timer_wheel *w, uint64_t *tick, unsigned *level)
{
    if (w->count == 0)
        return false;
    for (unsigned l = 0; l < TIMER_LEVELS; l++) {
        unsigned shift = TIMER_SLOT_BITS * l, above = shift + TIMER_SLOT_BITS;
        unsigned cur = (unsigned)(w->now_tick >> shift) & SLOT_MASK;
        uint64_t block = (w->now_tick >> above) << above; /* this level's turn began */
        unsigned s = first_set(w->bitmap[l], l == 0 ? cur : cur + 1);
        if (s == TIMER_SLOTS && l == TIMER_LEVELS - 1) {
            s = first_set(w->bitmap[l], 0);
            block += 1ull << above;
        }
        if (s < TIMER_SLOTS) {
            *tick = block | (uint64_t)s << shift;
            *level = l;
            return true;
        }
    }
    assert(0 && "armed timers but no slot marked");
    return false;
}

/* Fires the current level-0 slot until it is empty: timers armed into it by callbacks
 * (due now or overdue) fire in this same pass, after those already there. */
static void run_current(struct timer_wheel *w, void *ctx)
{
    struct timer **head = &w->slot[0][w->now_tick & SLOT_MASK];
    struct timer *t;
    while ((t = *head) != NULL) {
        unlink_timer(w, t);
        t->fn(t, ctx);
    }
}

/* Re-places every timer of a slot relative to the new now_tick (one or more levels down,
 * or parked again), keeping their order. */
static void cascade(struct timer_wheel *w, unsigned l, unsigned s)
{
    struct timer *t = w->slot[l][s];
    w->slot[l][s] = NULL;
    w->tail[l][s] = &w->slot[l][s];
    w->bitmap[l][s / 64] &= ~(1ull << (s % 64));
    while (t) {
        struct timer *next = t->next;
        place(w, t);
        t = next;
    }
}

void timer_wheel_advance(struct timer_wheel *w, uint64_t now_ns, void *ctx)
{
    uint64_t target = now_ns / TIMER_TICK_NS, tick;
    unsigned l;
    if (target < w->now_tick)
        return;
    for (;;) {
        run_current(w, ctx);
        /* Jump straight to the next slot that needs processing: the bitmaps skip empty
         * stretches, so the cost is per non-empty slot, not per tick. */
        if (!next_event(w, &tick, &l) || tick > target)
            break;
        w->now_tick = tick;
        if (l > 0)
            cascade(w, l, (unsigned)(tick >> (TIMER_SLOT_BITS * l)) & SLOT_MASK);
    }
    w->now_tick = target;
}

uint64_t timer_wheel_next_ns(const struct timer_wheel *w)
{
    uint64_t tick;
    unsigned l;
    if (!next_event(w, &tick, &l))
        return UINT64_MAX;
    /* Overdue timers (the current slot) are reported as due at the next tick, so the
     * deadline is never in the past. */
    if (tick <= w->now_tick)
        tick = w->now_tick + 1;
    /* The last tick of the 64-bit range ends past UINT64_MAX ns: saturate. */
    return tick > UINT64_MAX / TIMER_TICK_NS ? UINT64_MAX : tick * TIMER_TICK_NS;
}
