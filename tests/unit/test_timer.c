/* test_timer.c: the timing wheel against a naive reference (an array scanned each step).
 * Read src/core/timer.h (the contract) and Varghese & Lauck 1987 before changing it. */
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "core/timer.h"

#define NT 48
#define MS TIMER_TICK_NS
#define HOUR (3600000ull * MS)
#define DAY (24 * HOUR)

/* Test-local generator (splitmix64), so this test needs only timer.c. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static uint64_t below(uint64_t *s, uint64_t n) { return next_rand(s) % n; }

struct ref {
    int armed;
    uint64_t tick; /* effective expiry tick: max(ceil(ns / tick), now at arming) */
    uint64_t seq;  /* arming order: FIFO within a tick */
};

struct sim {
    struct timer_wheel w;
    struct timer t[NT];
    struct ref r[NT];
    uint64_t seq, rng, target, fired;
    int past_budget; /* bounds callbacks re-arming in the past */
    int actions;     /* 1: callbacks arm and cancel timers */
};

static uint64_t ceil_tick(uint64_t ns) { return ns / MS + (ns % MS != 0); }

static void sim_arm(struct sim *s, int i, uint64_t ns)
{
    uint64_t e = ceil_tick(ns);
    timer_arm(&s->w, &s->t[i], ns);
    s->r[i].armed = 1;
    s->r[i].tick = e > s->w.now_tick ? e : s->w.now_tick;
    s->r[i].seq = ++s->seq;
}

static void sim_cancel(struct sim *s, int i)
{
    timer_cancel(&s->w, &s->t[i]);
    s->r[i].armed = 0;
}

/* The reference's next timer to fire: least (tick, seq) among the armed. */
static int ref_first(const struct sim *s)
{
    int best = -1;
    for (int i = 0; i < NT; i++) {
        const struct ref *r = &s->r[i];
        if (r->armed && (best < 0 || r->tick < s->r[best].tick ||
                         (r->tick == s->r[best].tick && r->seq < s->r[best].seq)))
            best = i;
    }
    return best;
}

/* An expiry relative to the wheel's now: past, near, hours, beyond 49 days, or extreme. */
static uint64_t rand_expiry(struct sim *s)
{
    uint64_t now = s->w.now_tick * MS, sub = below(&s->rng, MS);
    switch (below(&s->rng, 10)) {
    case 0: return now > 2000 * MS ? now - below(&s->rng, 2000 * MS) : 0;
    case 1: return now + sub;
    case 2: case 3: case 4: return now + below(&s->rng, 300) * MS + sub;
    case 5: case 6: return now + below(&s->rng, 6 * HOUR);
    case 7: return now + 49 * DAY + below(&s->rng, 200 * DAY);
    case 8: return now + below(&s->rng, 1ull << 52);
    default: return UINT64_MAX - below(&s->rng, 1ull << 40);
    }
}

static void fire(struct timer *t, void *ctx)
{
    struct sim *s = ctx;
    int i = (int)(t - s->t);
    CHECK(i >= 0 && i < NT);
    CHECK(!timer_armed(t));
    /* It must be the reference's first, due by the target, firing at its own tick. */
    CHECK_EQ(ref_first(s), i);
    CHECK(s->r[i].armed);
    CHECK(s->r[i].tick <= s->target);
    CHECK_EQ(s->w.now_tick, s->r[i].tick);
    s->r[i].armed = 0;
    s->fired++;
    if (!s->actions)
        return;
    switch (below(&s->rng, 8)) {
    case 0: /* re-arm itself for the same tick: fires later in this advance */
        if (s->past_budget-- > 0)
            sim_arm(s, i, s->w.now_tick * MS);
        break;
    case 1: /* re-arm itself in the past */
        if (s->past_budget-- > 0)
            sim_arm(s, i, s->w.now_tick * MS - below(&s->rng, s->w.now_tick ? MS : 1));
        break;
    case 2: /* re-arm itself a little later */
        sim_arm(s, i, s->w.now_tick * MS + below(&s->rng, 700 * MS));
        break;
    case 3: /* cancel another */
        sim_cancel(s, (int)below(&s->rng, NT));
        break;
    case 4: /* arm another */
        if (s->past_budget-- > 0) {
            int j = (int)below(&s->rng, NT);
            sim_arm(s, j, rand_expiry(s));
        }
        break;
    default:
        break;
    }
}

/* Invariants that hold between operations. */
static void check_state(struct sim *s, uint64_t now_ns)
{
    uint32_t armed = 0;
    uint64_t min_tick = UINT64_MAX, next = timer_wheel_next_ns(&s->w);
    for (int i = 0; i < NT; i++) {
        CHECK_EQ(timer_armed(&s->t[i]), s->r[i].armed);
        if (!s->r[i].armed)
            continue;
        armed++;
        CHECK(s->t[i].expires_tick == s->r[i].tick);
        if (s->r[i].tick < min_tick)
            min_tick = s->r[i].tick;
    }
    CHECK_EQ(s->w.count, armed);
    if (!armed) {
        CHECK(next == UINT64_MAX);
        return;
    }
    /* Never in the past; a lower bound (overdue timers count as due next tick); exact
     * when the first expiry lies in level 0 (the current 256-tick block). */
    uint64_t due = min_tick > s->w.now_tick ? min_tick : s->w.now_tick + 1;
    uint64_t due_ns = due > UINT64_MAX / MS ? UINT64_MAX : due * MS;
    CHECK(next > now_ns);
    CHECK(next <= due_ns);
    if (min_tick > s->w.now_tick && (min_tick >> 8) == (s->w.now_tick >> 8))
        CHECK(next == due_ns);
}

static void sim_advance(struct sim *s, uint64_t now_ns)
{
    s->target = now_ns / MS;
    s->past_budget = 20;
    timer_wheel_advance(&s->w, now_ns, s);
    CHECK_EQ(s->w.now_tick, s->target);
    /* Nothing due may be left. */
    int first = ref_first(s);
    CHECK(first < 0 || s->r[first].tick > s->target);
}

static void random_run(uint64_t seed, int ops, int actions)
{
    static struct sim s; /* the wheel is large: keep it off the stack */
    static const uint64_t starts[] = {0, 1234567, (0x100000000ull - 3000) * MS,
                                      (0xffffff00ull) * MS, (1ull << 40) * MS - 7};
    uint64_t now_ns;
    s.rng = seed * 0x2545f4914f6cdd1dull + 1;
    s.seq = s.fired = 0;
    s.actions = actions;
    now_ns = starts[seed % 5] + below(&s.rng, 1000 * MS);
    timer_wheel_init(&s.w, now_ns);
    for (int i = 0; i < NT; i++) {
        timer_init(&s.t[i], fire);
        s.r[i].armed = 0;
    }
    check_state(&s, now_ns);
    for (int op = 0; op < ops; op++) {
        uint64_t k = below(&s.rng, 100), d;
        if (k < 45) {
            int i = (int)below(&s.rng, NT);
            sim_arm(&s, i, rand_expiry(&s));
        } else if (k < 60) {
            sim_cancel(&s, (int)below(&s.rng, NT));
        } else {
            if (k < 80)
                d = below(&s.rng, 3 * MS);
            else if (k < 95)
                d = below(&s.rng, 400 * MS);
            else if (k < 99)
                d = below(&s.rng, 5 * HOUR);
            else
                d = below(&s.rng, 60 * DAY);
            if (below(&s.rng, 50) == 0) /* sometimes backwards: must do nothing */
                d = 0, now_ns -= now_ns > MS ? MS : 0;
            now_ns += d;
            if (now_ns / MS < s.w.now_tick) {
                uint64_t before = s.fired, tick = s.w.now_tick;
                timer_wheel_advance(&s.w, now_ns, &s);
                CHECK_EQ(s.fired, before);
                CHECK_EQ(s.w.now_tick, tick);
                now_ns = tick * MS;
            } else {
                sim_advance(&s, now_ns);
            }
        }
        check_state(&s, now_ns);
    }
    /* Run everything out: every timer below the 64-bit horizon fires exactly once. */
    s.actions = 0;
    sim_advance(&s, UINT64_MAX);
    for (int i = 0; i < NT; i++)
        CHECK(!s.r[i].armed || s.r[i].tick > UINT64_MAX / MS);
}

struct order {
    struct timer t[6];
    struct timer_wheel *w;
    int log[32], n;
};

static void order_fire(struct timer *t, void *ctx)
{
    struct order *o = ctx;
    int i = (int)(t - o->t);
    o->log[o->n++] = i;
    if (i == 0 && o->n < 5) /* re-arm itself for its own tick: after 1 and 2 */
        timer_arm(o->w, t, o->w->now_tick * MS);
    if (i == 1) /* cancel 3, due in the same tick */
        timer_cancel(o->w, &o->t[3]);
    if (i == 2) /* arm 4 in the past: still in this advance */
        timer_arm(o->w, &o->t[4], 0);
}

static void log_fire(struct timer *t, void *ctx)
{
    struct order *o = ctx;
    o->log[o->n++] = (int)(t - o->t);
}

static void directed(void)
{
    static struct timer_wheel w;
    static struct order o;
    struct timer a;

    /* Rounding: 5.5 ms fires at 6 ms, not before; advancing backwards does nothing. */
    timer_wheel_init(&w, 0);
    CHECK(timer_wheel_next_ns(&w) == UINT64_MAX);
    timer_init(&a, order_fire);
    o.w = &w;
    o.n = 0;
    timer_arm(&w, &a, 5500000);
    CHECK(timer_expires_ns(&a) == 6 * MS);
    CHECK(timer_wheel_next_ns(&w) == 6 * MS);
    timer_wheel_advance(&w, 6 * MS - 1, &o);
    CHECK(timer_armed(&a));
    timer_wheel_advance(&w, 3 * MS, &o);
    CHECK_EQ(w.now_tick, 5);
    timer_cancel(&w, &a);
    timer_cancel(&w, &a);
    CHECK_EQ(w.count, 0);

    /* Callbacks: 0 re-arms itself twice for the same tick, 1 cancels 3, 2 arms 4 in
     * the past; expected order 0 1 2 0 4 0 (5 is due a tick later and is not reached). */
    for (int i = 0; i < 6; i++)
        timer_init(&o.t[i], order_fire);
    for (int i = 0; i < 4; i++)
        timer_arm(&w, &o.t[i], 100 * MS);
    timer_arm(&w, &o.t[5], 101 * MS);
    timer_wheel_advance(&w, 100 * MS + 999999, &o);
    static const int want[] = {0, 1, 2, 0, 4, 0};
    CHECK_EQ(o.n, 6);
    CHECK_MEM(o.log, want, sizeof want);
    CHECK(!timer_armed(&o.t[3]));
    CHECK(timer_armed(&o.t[5]));
    CHECK(timer_wheel_next_ns(&w) == 101 * MS);

    /* A timer armed in the past outside advance: due now, reported for the next tick,
     * fired by an advance to the same time. */
    timer_arm(&w, &o.t[1], 0);
    CHECK(timer_wheel_next_ns(&w) == 101 * MS);
    o.n = 0;
    timer_wheel_advance(&w, 100 * MS, &o);
    CHECK_EQ(o.n, 1);
    CHECK_EQ(o.log[0], 1);
    timer_cancel(&w, &o.t[5]);

    /* Jumps of an hour cost slots, not ticks: 20 years in 1-hour steps with a few
     * timers spread from minutes to years. */
    o.n = 0;
    for (int i = 0; i < 6; i++)
        timer_init(&o.t[i], log_fire);
    timer_arm(&w, &o.t[1], 7 * 60000 * MS);
    timer_arm(&w, &o.t[2], 3 * DAY + 1);
    timer_arm(&w, &o.t[3], 400 * DAY);
    timer_arm(&w, &o.t[4], 7000 * DAY);
    for (uint64_t h = 1; h <= 20 * 365 * 24; h++)
        timer_wheel_advance(&w, h * HOUR, &o);
    static const int want2[] = {1, 2, 3, 4};
    CHECK_EQ(o.n, 4);
    CHECK_MEM(o.log, want2, sizeof want2);
    CHECK_EQ(w.count, 0);
}

int main(void)
{
    directed();
    for (uint64_t seed = 1; seed <= 200; seed++)
        random_run(seed, 2000, (int)(seed & 1));
    return check_done();
}
