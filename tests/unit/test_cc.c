/* test_cc.c: congestion control: initial window, slow start, NewReno avoidance and
 * reductions, CUBIC against RFC 9438's closed form, undo, MSS changes, names.
 * Read src/tcp/cc.h, RFC 5681 §3, RFC 6582 §3.2 and RFC 9438 §4 before changing it. */
#include <math.h>
#include <stdint.h>

#include "check.h"
#include "tcp/cc.h"

#define MSS 1000u

/* One ACK of acked bytes at now_us. */
static void ack(struct tcp_cc *cc, uint32_t acked, uint64_t now_us, uint32_t srtt_us, bool app_limited)
{
    struct tcp_cc_ack a = {
        .acked = acked,
        .flight = cc->cwnd,
        .now_us = now_us,
        .srtt_us = srtt_us,
        .app_limited = app_limited,
    };
    tcp_cc_on_ack(cc, &a);
}

/* One round trip, ACK per segment: the cwnd's worth of segments sent at *now is
 * acknowledged one segment at a time, evenly over the next rtt_us. */
static void round_trip(struct tcp_cc *cc, uint64_t *now, uint32_t rtt_us)
{
    uint32_t n = cc->cwnd / cc->mss;
    if (n == 0)
        n = 1;
    uint64_t start = *now;
    for (uint32_t i = 1; i <= n; i++)
        ack(cc, cc->mss, start + (uint64_t)rtt_us * i / n, rtt_us, false);
    *now = start + rtt_us;
}

/* RFC 9438 §4.2 eqn. 1, segments. */
static double w_cubic_seg(double t, double k, double w_max_seg)
{
    return 0.4 * (t - k) * (t - k) * (t - k) + w_max_seg;
}

static bool near(double got, double want, double rel)
{
    return fabs(got - want) <= rel * fabs(want);
}

static void test_names(void)
{
    CHECK_EQ(tcp_cc_by_name("reno"), TCP_CC_RENO);
    CHECK_EQ(tcp_cc_by_name("cubic"), TCP_CC_CUBIC);
    CHECK_EQ(tcp_cc_by_name("bbr"), -1);
    CHECK_EQ(tcp_cc_by_name("Reno"), -1);
    CHECK_EQ(tcp_cc_by_name(""), -1);
    CHECK_EQ(tcp_cc_by_name(NULL), -1);
    CHECK(strcmp(tcp_cc_name(TCP_CC_RENO), "reno") == 0);
    CHECK(strcmp(tcp_cc_name(TCP_CC_CUBIC), "cubic") == 0);
    CHECK(tcp_cc_name(7) != NULL && tcp_cc_by_name(tcp_cc_name(7)) == -1);
}

static void test_init(void)
{
    struct tcp_cc cc;
    /* RFC 6928: min(10*MSS, max(2*MSS, 14600)). */
    tcp_cc_init(&cc, TCP_CC_RENO, 1460);
    CHECK_EQ(cc.cwnd, 14600);
    CHECK_EQ(cc.ssthresh, UINT32_MAX);
    CHECK_EQ(cc.algo, TCP_CC_RENO);
    CHECK_EQ(cc.mss, 1460);
    tcp_cc_init(&cc, TCP_CC_CUBIC, 536);
    CHECK_EQ(cc.cwnd, 5360);
    CHECK_EQ(cc.algo, TCP_CC_CUBIC);
    CHECK_EQ(cc.epoch_start_us, 0);
    CHECK_EQ(cc.w_max, 0);
    CHECK_EQ(cc.w_last_max, 0);
    tcp_cc_init(&cc, TCP_CC_CUBIC, 4000);
    CHECK_EQ(cc.cwnd, 14600);
    tcp_cc_init(&cc, TCP_CC_RENO, 9000);
    CHECK_EQ(cc.cwnd, 18000);
    tcp_cc_init(&cc, 9, 1460); /* unknown: the default */
    CHECK_EQ(cc.algo, TCP_CC_CUBIC);
}

static void test_slow_start(uint8_t algo)
{
    struct tcp_cc cc;
    uint64_t now = 1000000;
    tcp_cc_init(&cc, algo, MSS);
    CHECK_EQ(cc.cwnd, 10 * MSS);
    /* RFC 5681 §3.1: one segment per ACK doubles cwnd every round trip. */
    for (uint32_t r = 1; r <= 4; r++) {
        round_trip(&cc, &now, 50000);
        CHECK_EQ(cc.cwnd, (10u << r) * MSS);
    }
    /* A stretch ACK (a burst ACKed at once) counts in full, like Linux... */
    uint32_t w = cc.cwnd;
    ack(&cc, 5 * MSS, now, 50000, false);
    CHECK_EQ(cc.cwnd, w + 5 * MSS);
    /* ...except in the slow start after a timeout (RFC 3465 §2.3: L = 1 SMSS), which
     * ends at ssthresh. */
    tcp_cc_on_rto(&cc, cc.cwnd, now);
    CHECK_EQ(cc.cwnd, MSS);
    ack(&cc, 5 * MSS, now, 50000, false);
    CHECK_EQ(cc.cwnd, 2 * MSS);
    cc.cwnd = cc.ssthresh - MSS;
    ack(&cc, MSS, now, 50000, false);
    CHECK_EQ(cc.cwnd, cc.ssthresh);
    CHECK(!cc.after_rto);
    /* Slow start stops at ssthresh. */
    tcp_cc_init(&cc, algo, MSS);
    cc.ssthresh = 15 * MSS;
    round_trip(&cc, &now, 50000);
    if (algo == TCP_CC_RENO) {
        CHECK_EQ(cc.cwnd, 15 * MSS); /* 5 of 15 segments toward the next +1 */
        CHECK_EQ(cc.ca_acc, 5 * MSS);
    } else {
        /* RFC 9438 §4.3: the Reno-friendly estimate grows by a third of a segment. */
        CHECK(cc.cwnd >= 15 * MSS + MSS / 3 - 10 && cc.cwnd <= 15 * MSS + MSS / 3 + 10);
    }
}

static void test_reno_avoidance(void)
{
    struct tcp_cc cc;
    uint64_t now = 0;
    tcp_cc_init(&cc, TCP_CC_RENO, MSS);
    cc.cwnd = cc.ssthresh = 20 * MSS;
    /* RFC 5681 §3.1: +1 SMSS per round trip. */
    for (uint32_t r = 1; r <= 10; r++) {
        round_trip(&cc, &now, 10000);
        CHECK_EQ(cc.cwnd, (20 + r) * MSS);
    }
    /* Byte counting: less than a cwnd of bytes gives nothing yet. */
    uint32_t w = cc.cwnd;
    for (uint32_t i = 0; i + 1 < w / MSS; i++)
        ack(&cc, MSS, now, 10000, false);
    CHECK_EQ(cc.cwnd, w);
    ack(&cc, MSS, now, 10000, false);
    CHECK_EQ(cc.cwnd, w + MSS);
}

static void test_app_limited(uint8_t algo)
{
    struct tcp_cc cc;
    tcp_cc_init(&cc, algo, MSS);
    /* Slow start: no growth. */
    for (int i = 0; i < 20; i++)
        ack(&cc, MSS, 1000u * i, 10000, true);
    CHECK_EQ(cc.cwnd, 10 * MSS);
    /* Congestion avoidance: no growth either. */
    cc.cwnd = 20 * MSS;
    cc.ssthresh = 10 * MSS;
    for (int i = 0; i < 200; i++)
        ack(&cc, MSS, 1000000u + 1000u * i, 10000, true);
    CHECK_EQ(cc.cwnd, 20 * MSS);
    if (algo == TCP_CC_CUBIC)
        CHECK_EQ(cc.epoch_start_us, 0); /* RFC 9438 §5.8: no epoch runs meanwhile */
    /* And growth resumes when cwnd-limited. */
    uint64_t now = 2000000;
    for (int r = 0; r < 5; r++)
        round_trip(&cc, &now, 10000);
    CHECK(cc.cwnd > 20 * MSS);
}

static void test_reno_reductions(void)
{
    struct tcp_cc cc;
    tcp_cc_init(&cc, TCP_CC_RENO, MSS);
    cc.cwnd = 40 * MSS;
    /* RFC 5681 §3.2 step 2: ssthresh = max(FlightSize/2, 2*SMSS), from FlightSize. */
    tcp_cc_on_loss(&cc, 30 * MSS, 0);
    CHECK_EQ(cc.ssthresh, 15 * MSS);
    CHECK_EQ(cc.cwnd, 15 * MSS);
    tcp_cc_on_loss(&cc, 3 * MSS, 0);
    CHECK_EQ(cc.ssthresh, 2 * MSS);
    CHECK_EQ(cc.cwnd, 2 * MSS);

    /* RFC 5681 §3.1: on a timeout, eqn. 4 and cwnd = 1 SMSS. */
    tcp_cc_init(&cc, TCP_CC_RENO, MSS);
    cc.cwnd = 40 * MSS;
    tcp_cc_on_rto(&cc, 40 * MSS, 0);
    CHECK_EQ(cc.ssthresh, 20 * MSS);
    CHECK_EQ(cc.cwnd, MSS);
    /* A repeated timeout of the same segment holds ssthresh. */
    tcp_cc_on_rto(&cc, 10 * MSS, 0);
    CHECK_EQ(cc.ssthresh, 20 * MSS);
    CHECK_EQ(cc.cwnd, MSS);
    /* Slow start back to ssthresh, then avoidance. */
    uint64_t now = 0;
    for (int r = 0; r < 5; r++)
        round_trip(&cc, &now, 10000);
    CHECK_EQ(cc.cwnd, 20 * MSS);
    round_trip(&cc, &now, 10000);
    CHECK_EQ(cc.cwnd, 21 * MSS);

    /* RFC 6937 §3 (RFC 6582 §3.2 step 3 option 2): recovery ends with cwnd = ssthresh,
     * however little is in flight (a batch ACK can acknowledge all of it). */
    tcp_cc_init(&cc, TCP_CC_RENO, MSS);
    cc.cwnd = 20 * MSS;
    tcp_cc_on_loss(&cc, 20 * MSS, 0);
    CHECK_EQ(cc.ssthresh, 10 * MSS);
    cc.cwnd = 3 * MSS; /* PRR brought it down */
    tcp_cc_on_recovery_end(&cc);
    CHECK_EQ(cc.cwnd, 10 * MSS);
}

static void test_cubic_reductions(void)
{
    struct tcp_cc cc;
    tcp_cc_init(&cc, TCP_CC_CUBIC, MSS);
    cc.cwnd = 100 * MSS;
    /* RFC 9438 §4.6: ssthresh = cwnd * 0.7 (from cwnd, not FlightSize), cwnd = ssthresh,
     * W_max = cwnd before the reduction. */
    tcp_cc_on_loss(&cc, 50 * MSS, 1000);
    CHECK_EQ(cc.ssthresh, 70 * MSS);
    CHECK_EQ(cc.cwnd, 70 * MSS);
    CHECK_EQ(cc.w_max, 100 * MSS);
    CHECK_EQ(cc.w_last_max, 100 * MSS);
    CHECK_EQ(cc.epoch_start_us, 0);
    /* §4.7 fast convergence: a loss below W_max lowers W_max to cwnd*(1+beta)/2. */
    tcp_cc_on_loss(&cc, 70 * MSS, 2000);
    CHECK_EQ(cc.w_max, 59500);
    CHECK_EQ(cc.w_last_max, 70 * MSS);
    CHECK_EQ(cc.ssthresh, 49 * MSS);
    CHECK_EQ(cc.cwnd, 49 * MSS);
    /* ... and a loss at or above it does not. */
    cc.cwnd = 80 * MSS;
    tcp_cc_on_loss(&cc, 80 * MSS, 3000);
    CHECK_EQ(cc.w_max, 80 * MSS);
    /* ssthresh at least 2 SMSS. */
    cc.cwnd = 2 * MSS;
    tcp_cc_on_loss(&cc, 2 * MSS, 4000);
    CHECK_EQ(cc.ssthresh, 2 * MSS);
    CHECK_EQ(cc.cwnd, 2 * MSS);

    /* Recovery ends at ssthresh and the epoch starts at the next ACK. */
    tcp_cc_init(&cc, TCP_CC_CUBIC, MSS);
    cc.cwnd = 100 * MSS;
    tcp_cc_on_loss(&cc, 100 * MSS, 1000);
    tcp_cc_on_recovery_end(&cc);
    CHECK_EQ(cc.cwnd, 70 * MSS);
    CHECK_EQ(cc.epoch_start_us, 0);
    ack(&cc, MSS, 600000, 100000, false);
    CHECK_EQ(cc.epoch_start_us, 600000);
    CHECK_EQ(cc.cwnd_epoch, 70 * MSS);

    /* §4.8: a timeout: ssthresh as on loss, cwnd = 1 SMSS; the first avoidance stage after
     * it has K = 0 and W_max = cwnd_epoch. */
    tcp_cc_init(&cc, TCP_CC_CUBIC, MSS);
    cc.cwnd = 100 * MSS;
    tcp_cc_on_rto(&cc, 100 * MSS, 1000);
    CHECK_EQ(cc.ssthresh, 70 * MSS);
    CHECK_EQ(cc.cwnd, MSS);
    CHECK_EQ(cc.epoch_start_us, 0);
    tcp_cc_on_rto(&cc, 100 * MSS, 2000); /* repeated: held */
    CHECK_EQ(cc.ssthresh, 70 * MSS);
    CHECK_EQ(cc.cwnd, MSS);
    uint64_t now = 10000;
    for (int r = 0; r < 6; r++)
        round_trip(&cc, &now, 10000);
    CHECK_EQ(cc.cwnd, 64 * MSS);
    for (int i = 0; i < 6; i++)
        ack(&cc, MSS, now + i, 10000, false);
    CHECK_EQ(cc.cwnd, 70 * MSS);
    CHECK_EQ(cc.epoch_start_us, 0);
    ack(&cc, MSS, now + 1, 10000, false);
    CHECK(cc.epoch_start_us == now + 1);
    CHECK_EQ(cc.cwnd_epoch, 70 * MSS);
    CHECK_EQ(cc.w_max, 70 * MSS);
    CHECK(cc.k_s == 0.0);

    /* §4.10: slow start left without a loss: K = 0, W_max = cwnd_prior = cwnd. */
    tcp_cc_init(&cc, TCP_CC_CUBIC, MSS);
    cc.ssthresh = 20 * MSS;
    now = 0;
    round_trip(&cc, &now, 10000);
    CHECK_EQ(cc.cwnd, 20 * MSS);
    ack(&cc, MSS, now + 1, 10000, false);
    CHECK(cc.k_s == 0.0);
    CHECK_EQ(cc.w_max, 20 * MSS);
    CHECK_EQ(cc.w_last_max, 20 * MSS);
}

/* After a loss at W_max segments, a 10 s epoch at a fixed RTT, ACK per segment; the
 * window at the end of each round trip is kept in w[] (segments). */
static void cubic_epoch(struct tcp_cc *cc, uint32_t w_max_seg, uint32_t rtt_us, int rounds, double *w)
{
    tcp_cc_init(cc, TCP_CC_CUBIC, MSS);
    cc->cwnd = w_max_seg * MSS;
    tcp_cc_on_loss(cc, cc->cwnd, 500000);
    tcp_cc_on_recovery_end(cc);
    uint64_t now = 1000000;
    for (int r = 0; r < rounds; r++) {
        round_trip(cc, &now, rtt_us);
        w[r] = (double)cc->cwnd / MSS;
    }
}

static void test_cubic_closed_form(void)
{
    struct tcp_cc cc;
    enum { ROUNDS = 100 }; /* 10 s at 100 ms */
    double w[ROUNDS];
    cubic_epoch(&cc, 250, 100000, ROUNDS, w);
    /* §4.2 eqn. 2: K = cbrt(W_max*(1-beta)/C) = cbrt(250*0.3/0.4) = cbrt(187.5). */
    double k = cbrt(187.5);
    CHECK(fabs(cc.k_s - k) < 1e-9);
    CHECK(fabs(k - 5.7236) < 1e-3);
    CHECK_EQ(cc.w_max, 250 * MSS);
    CHECK_EQ(cc.epoch_start_us, 1000000 + 100000 / 175);
    /* The window tracks W_cubic(t) (the epoch starts at the first ACK, ~t = 0). */
    int bad = 0;
    for (int r = 0; r < ROUNDS; r++) {
        double t = (r + 1) * 0.1;
        double want = w_cubic_seg(t, k, 250);
        if (!near(w[r], want, 0.015)) {
            bad++;
            fprintf(stderr, "t=%.1f cwnd=%.1f W_cubic=%.1f\n", t, w[r], want);
        }
    }
    CHECK_EQ(bad, 0);
    /* Near the plateau at t = K, and past it in the convex region at 10 s. */
    CHECK(near(w[56], 250, 0.02));
    CHECK(near(w[ROUNDS - 1], w_cubic_seg(10.0, k, 250), 0.03));
    CHECK(w[ROUNDS - 1] > 275);

    /* §4.4/§4.5: concave (growth slows toward W_max) then convex (it speeds up). */
    double g_early = w[9] - w[0];     /* t 0.1 .. 1.0 s */
    double g_mid = w[29] - w[20];     /* t 2.1 .. 3.0 s */
    double g_plateau = w[56] - w[47]; /* t 4.8 .. 5.7 s, just before K */
    double g_after = w[75] - w[66];   /* t 6.7 .. 7.6 s */
    double g_late = w[99] - w[90];    /* t 9.1 .. 10 s */
    CHECK(g_early > g_mid);
    CHECK(g_mid > g_plateau);
    CHECK(g_plateau < 3);
    CHECK(g_after > g_plateau);
    CHECK(g_late > g_after);
    /* The window never shrinks in avoidance. */
    for (int r = 1; r < ROUNDS; r++)
        CHECK(w[r] >= w[r - 1]);
}

static void test_cubic_reno_friendly(void)
{
    struct tcp_cc cc;
    enum { ROUNDS = 200 }; /* 0.2 s at 1 ms, W_max = 20 segments */
    double w[ROUNDS];
    cubic_epoch(&cc, 20, 1000, ROUNDS, w);
    double k = cbrt(20 * 0.3 / 0.4);
    CHECK(fabs(cc.k_s - k) < 1e-9);
    /* §4.3: W_est grows alpha = 3*0.3/1.7 segments a round trip from 14 until it reaches
     * cwnd_prior = 20 (~11.3 rounds), then 1 a round trip, like Reno; W_cubic hardly
     * moves at such a small RTT*W. */
    double alpha = 3 * 0.3 / 1.7;
    double reno = 20 + (ROUNDS - 6 / alpha);
    CHECK(near(w[ROUNDS - 1], reno, 0.05));
    CHECK(w[ROUNDS - 1] > 5 * w_cubic_seg(0.2, k, 20));
    CHECK(near(w[5], 14 + 6 * alpha, 0.05));
    /* 1 segment a round trip at the end. */
    CHECK(near(w[ROUNDS - 1] - w[ROUNDS - 51], 50, 0.05));
}

static void test_cubic_target_clamp(void)
{
    /* §4.2: target is at most 1.5*cwnd: far below W_max with a 1 s RTT, W_cubic(t+RTT)
     * is ~219 segments, yet a round trip of 10 segments grows cwnd by about half. */
    struct tcp_cc cc;
    tcp_cc_init(&cc, TCP_CC_CUBIC, MSS);
    cc.cwnd = cc.ssthresh = 10 * MSS;
    cc.w_max = cc.w_last_max = 1000 * MSS;
    uint64_t now = 1000000;
    round_trip(&cc, &now, 1000000);
    CHECK(cc.cwnd >= 14 * MSS && cc.cwnd <= 16 * MSS);
}

static void test_undo(void)
{
    struct tcp_cc cc;
    tcp_cc_init(&cc, TCP_CC_RENO, MSS);
    cc.cwnd = 40 * MSS;
    cc.ssthresh = 30 * MSS;
    uint32_t pc = cc.cwnd, ps = cc.ssthresh;
    tcp_cc_on_loss(&cc, 40 * MSS, 0);
    CHECK_EQ(cc.cwnd, 20 * MSS);
    tcp_cc_undo(&cc, pc, ps);
    CHECK_EQ(cc.cwnd, 40 * MSS);
    CHECK_EQ(cc.ssthresh, 30 * MSS);
    /* After a timeout too, and ssthresh "arbitrarily high" comes back. */
    tcp_cc_init(&cc, TCP_CC_RENO, MSS);
    pc = cc.cwnd, ps = cc.ssthresh;
    tcp_cc_on_rto(&cc, pc, 0);
    CHECK_EQ(cc.cwnd, MSS);
    tcp_cc_undo(&cc, pc, ps);
    CHECK_EQ(cc.cwnd, 10 * MSS);
    CHECK_EQ(cc.ssthresh, UINT32_MAX);
    /* Undo never lowers a window that grew again. */
    tcp_cc_init(&cc, TCP_CC_RENO, MSS);
    tcp_cc_undo(&cc, 5 * MSS, 4 * MSS);
    CHECK_EQ(cc.cwnd, 10 * MSS);
    CHECK_EQ(cc.ssthresh, UINT32_MAX);

    /* CUBIC: W_max and cwnd_prior come back (RFC 9438 §4.9). */
    tcp_cc_init(&cc, TCP_CC_CUBIC, MSS);
    cc.cwnd = 100 * MSS;
    tcp_cc_on_loss(&cc, 100 * MSS, 1000);
    uint64_t now = 2000;
    for (int r = 0; r < 3; r++)
        round_trip(&cc, &now, 100000);
    CHECK(cc.epoch_start_us != 0);
    pc = cc.cwnd, ps = cc.ssthresh;
    tcp_cc_on_loss(&cc, cc.cwnd, now);
    CHECK(cc.w_max < 100 * MSS); /* fast convergence lowered it */
    tcp_cc_undo(&cc, pc, ps);
    CHECK_EQ(cc.cwnd, pc);
    CHECK_EQ(cc.ssthresh, 70 * MSS);
    CHECK_EQ(cc.w_max, 100 * MSS);
    CHECK_EQ(cc.w_last_max, 100 * MSS);
    CHECK_EQ(cc.epoch_start_us, 0);
    /* The next epoch aims at the restored W_max. */
    ack(&cc, MSS, now + 1000, 100000, false);
    CHECK(fabs(cc.k_s - cbrt((100.0 * MSS - pc) / MSS / 0.4)) < 1e-9);
    /* And after a timeout, the W_max the timeout cleared. */
    tcp_cc_init(&cc, TCP_CC_CUBIC, MSS);
    cc.cwnd = 100 * MSS;
    tcp_cc_on_loss(&cc, 100 * MSS, 1000);
    pc = cc.cwnd, ps = cc.ssthresh;
    tcp_cc_on_rto(&cc, 70 * MSS, 2000);
    CHECK_EQ(cc.w_max, 0);
    tcp_cc_undo(&cc, pc, ps);
    CHECK_EQ(cc.cwnd, 70 * MSS);
    CHECK_EQ(cc.ssthresh, 70 * MSS);
    CHECK_EQ(cc.w_max, 100 * MSS);
}

static void test_set_mss(void)
{
    struct tcp_cc cc;
    tcp_cc_init(&cc, TCP_CC_RENO, 1460);
    cc.cwnd = 20 * 1460;
    tcp_cc_set_mss(&cc, 1000);
    CHECK_EQ(cc.mss, 1000);
    CHECK_EQ(cc.cwnd, 20000);
    CHECK_EQ(cc.ssthresh, UINT32_MAX);
    cc.ssthresh = 8000;
    tcp_cc_set_mss(&cc, 1500);
    CHECK_EQ(cc.cwnd, 30000);
    CHECK_EQ(cc.ssthresh, 12000);
    tcp_cc_set_mss(&cc, 0); /* ignored */
    CHECK_EQ(cc.mss, 1500);
    CHECK_EQ(cc.cwnd, 30000);
    /* Avoidance still +1 segment a round trip at the new size. */
    uint64_t now = 0;
    round_trip(&cc, &now, 10000);
    CHECK_EQ(cc.cwnd, 31500);

    /* CUBIC's windows in segments stay; K stays. */
    tcp_cc_init(&cc, TCP_CC_CUBIC, 1000);
    cc.cwnd = 100000;
    tcp_cc_on_loss(&cc, 100000, 1000);
    ack(&cc, 1000, 2000, 100000, false);
    double k = cc.k_s;
    tcp_cc_set_mss(&cc, 500);
    CHECK_EQ(cc.w_max, 50000);
    CHECK_EQ(cc.w_last_max, 50000);
    CHECK_EQ(cc.ssthresh, 35000);
    CHECK_EQ(cc.cwnd_epoch, 35000);
    CHECK(cc.k_s == k);
}

static void test_determinism(void)
{
    struct tcp_cc a, b;
    double wa[30], wb[30];
    cubic_epoch(&a, 120, 20000, 30, wa);
    cubic_epoch(&b, 120, 20000, 30, wb);
    CHECK(memcmp(wa, wb, sizeof wa) == 0);
    CHECK(a.cwnd == b.cwnd && a.ca_acc == b.ca_acc && a.w_est == b.w_est);
}

int main(void)
{
    test_names();
    test_init();
    test_slow_start(TCP_CC_RENO);
    test_slow_start(TCP_CC_CUBIC);
    test_reno_avoidance();
    test_app_limited(TCP_CC_RENO);
    test_app_limited(TCP_CC_CUBIC);
    test_reno_reductions();
    test_cubic_reductions();
    test_cubic_closed_form();
    test_cubic_reno_friendly();
    test_cubic_target_clamp();
    test_undo();
    test_set_mss();
    test_determinism();
    return check_done();
}
