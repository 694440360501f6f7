/* timer.h: a hierarchical timing wheel (Varghese & Lauck), O(1) arm and cancel.
 * Ticks are 1 ms; an expiry is rounded up to its tick, so a timer never fires early.
 * Read DESIGN.md principle 5 before changing. */
#ifndef SYNACK_CORE_TIMER_H
#define SYNACK_CORE_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_TICK_NS 1000000ull
#define TIMER_LEVELS 4
#define TIMER_SLOT_BITS 8
#define TIMER_SLOTS (1u << TIMER_SLOT_BITS) /* 4 levels x 256 slots: 2^32 ms = 49 days */

struct timer;
/* Called when the timer expires; ctx is what timer_wheel_advance was given.  The timer
 * is already disarmed; the callback may arm or cancel any timer, itself included. */
typedef void (*timer_fn)(struct timer *t, void *ctx);

/* Embed in the object it times; initialise once with timer_init. */
struct timer {
    struct timer *next, **pprev; /* pprev == NULL: not armed */
    uint64_t expires_tick;
    timer_fn fn;
};

struct timer_wheel {
    uint64_t now_tick;                              /* all ticks <= now_tick processed */
    uint32_t count;                                 /* armed timers */
    struct timer *slot[TIMER_LEVELS][TIMER_SLOTS];  /* FIFO lists (head) */
    struct timer **tail[TIMER_LEVELS][TIMER_SLOTS]; /* O(1) append keeps FIFO order */
    uint64_t bitmap[TIMER_LEVELS][TIMER_SLOTS / 64];/* non-empty slots */
};

void timer_wheel_init(struct timer_wheel *w, uint64_t now_ns);
void timer_init(struct timer *t, timer_fn fn);
/* Arms (or re-arms) t to fire at the first tick >= expires_ns; a time already past fires
 * at the next advance.  Timers farther than the wheel's span are parked in the top level
 * and re-queued as it turns, so any 64-bit time works. */
void timer_arm(struct timer_wheel *w, struct timer *t, uint64_t expires_ns);
/* Disarms t if armed; safe on a disarmed timer. */
void timer_cancel(struct timer_wheel *w, struct timer *t);
static inline bool timer_armed(const struct timer *t) { return t->pprev != 0; }
/* The time t will fire (its tick * TIMER_TICK_NS); meaningful while armed. */
static inline uint64_t timer_expires_ns(const struct timer *t)
{
    return t->expires_tick * TIMER_TICK_NS;
}
/* Fires, in order of expiry tick (FIFO within a tick), every timer whose tick <= now_ns
 * rounded down to a tick, including timers armed by callbacks if already due.
 * Time never goes backwards: an earlier now_ns does nothing.  Skips empty stretches
 * using the bitmaps, so a jump of hours costs O(levels * slots), not O(ticks). */
void timer_wheel_advance(struct timer_wheel *w, uint64_t now_ns, void *ctx);
/* A lower bound of the earliest armed expiry in ns (exact when it lies in level 0),
 * always > the current tick's time; UINT64_MAX when nothing is armed. */
uint64_t timer_wheel_next_ns(const struct timer_wheel *w);

#endif
