/* timer.c: the connection timers: retransmission (RFC 6298 §5), SYN retries, persist
 * (RFC 9293 §3.8.6.1), delayed ACK (RFC 9293 §3.8.6.3, Linux's 40 ms), keepalive
 * (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6) and the orphaned FIN_WAIT_2 lifetime. */
#include <errno.h>

#include "tcp/tcp.h"
#include "wire/seq.h"

#define MS 1000000ull

uint32_t tcp_rto_current(const struct synack_stack *st, const struct tcp_sock *s)
{
    /* RFC 6298 §5.5: back off by doubling; §2.5: a maximum (Linux: 120 s) caps it. */
    uint64_t rto = (uint64_t)s->rto_ms << (s->backoff > 20 ? 20 : s->backoff);
    return rto > st->cfg.rto_max_ms ? st->cfg.rto_max_ms : (uint32_t)rto;
}

/* RFC 8985 §7.2: the probe timeout: 2*SRTT, plus the worst-case delayed-ACK time when
 * a single segment is in flight. */
static uint64_t pto_ns(const struct synack_stack *st, const struct tcp_sock *s)
{
    uint64_t pto = 2ull * s->srtt_us * 1000u;
    if (s->snd_max - s->snd_una <= s->snd_mss)
        pto += (uint64_t)st->cfg.delack_max_ms * MS;
    return pto;
}

static bool tlp_allowed(const struct synack_stack *st, const struct tcp_sock *s)
{
    return st->cfg.tcp_early_retrans && s->sack_ok && s->syn_acked && s->rtt_valid &&
           !s->in_recovery && !s->tlp_out && !s->retransmits && s->snd_max != s->snd_una &&
           (s->state == SYNACK_TCP_ESTABLISHED || s->state == SYNACK_TCP_CLOSE_WAIT);
}

void tcp_arm_rtx(struct synack_stack *st, struct tcp_sock *s)
{
    uint64_t rto = (uint64_t)tcp_rto_current(st, s) * MS;
    if (s->user_timeout_ms && s->snd_max != s->snd_una) {
        /* Like Linux (tcp_clamp_rto_to_user_timeout): never wait past the user timeout. */
        uint64_t end = s->head_sent_ns + (uint64_t)s->user_timeout_ms * MS;
        uint64_t left = end > st->now ? end - st->now : MS;
        if (left < rto)
            rto = left;
    }
    if (tlp_allowed(st, s)) {
        /* RFC 8985 §7.2: an RTO due sooner than the PTO brings the probe forward. */
        uint64_t pto = pto_ns(st, s);
        s->rtx_kind = RTX_TLP;
        timer_arm(&st->wheel, &s->rtx_timer, st->now + (pto < rto ? pto : rto));
        return;
    }
    s->rtx_kind = RTX_RETRANSMIT;
    timer_arm(&st->wheel, &s->rtx_timer, st->now + rto);
}

/* RFC 8985 §7.3: send one new segment if the windows allow, else resend the last one,
 * so that whatever the tail lost is reported by SACK and recovered without a timeout. */
static void tlp_fire(struct synack_stack *st, struct tcp_sock *s)
{
    s->tlp_out = true;
    st->ctr.tlp_probes++;
    uint32_t n = 0, data_end = s->snd_una + s->sndq.len;
    uint32_t wnd = s->snd_wnd < s->cc.cwnd ? s->snd_wnd : s->cc.cwnd;
    if (seq_lt(s->snd_max, data_end) && s->snd_max - s->snd_una + s->snd_mss <= wnd) {
        s->snd_nxt = s->snd_max;
        n = tcp_xmit(st, s, s->snd_max, s->snd_mss);
    }
    s->tlp_retrans = !n;
    if (!n) {
        uint32_t last = seq_lt(s->snd_max, data_end) ? s->snd_max : data_end;
        uint32_t len = last - s->snd_una < s->snd_mss ? last - s->snd_una : s->snd_mss;
        tcp_xmit(st, s, last - len, len);
    }
    s->tlp_end = s->snd_max;
    tcp_arm_rtx(st, s);
}

/* The error a connection that gave up reports: the soft ICMP error seen meanwhile, or
 * ETIMEDOUT (RFC 1122 §4.2.3.9, as Linux's tcp_write_err). */
static void give_up(struct synack_stack *st, struct tcp_sock *s, const char *cause)
{
    st->ctr.abort_on_timeout++;
    tcp_done(st, s, s->soft_err ? s->soft_err : -ETIMEDOUT, cause);
}

static bool user_timeout_passed(const struct synack_stack *st, const struct tcp_sock *s)
{
    return s->user_timeout_ms && st->now - s->head_sent_ns >= s->user_timeout_ms * MS;
}

/* Go back to the first unacknowledged byte and resend from there (RFC 6298 §5.4); a
 * closed window still gets its one-octet probe (RFC 9293 §3.8.6.1). */
static void resend_from_una(struct synack_stack *st, struct tcp_sock *s)
{
    s->snd_nxt = s->snd_una;
    tcp_output(st, s);
    if (s->snd_nxt == s->snd_una)
        tcp_xmit(st, s, s->snd_una, 1);
    tcp_arm_rtx(st, s);
}

static void retransmit_fire(struct synack_stack *st, struct tcp_sock *s)
{
    if (!s->syn_acked) {
        uint8_t limit = s->state == SYNACK_TCP_SYN_SENT ? st->cfg.tcp_syn_retries
                                                        : st->cfg.tcp_synack_retries;
        if (s->retransmits >= limit || user_timeout_passed(st, s)) {
            give_up(st, s, "SYN retries exhausted");
            return;
        }
        s->retransmits++;
        s->backoff++;
        s->rtx_stamp_ns = st->now; /* for tcp_rtt_from_handshake */
        st->ctr.syn_retrans++;
        st->ctr.tcp_retrans_segs++;
        tcp_send_syn(st, s);
        if (s->fin_queued)
            tcp_send_syn_fin(st, s);
        tcp_arm_rtx(st, s);
        return;
    }
    if (s->snd_una == s->snd_max)
        return; /* everything was acknowledged meanwhile */
    if (!s->snd_wnd && s->sd >= 0 && st->now - s->last_rcv_ns <= (uint64_t)st->cfg.rto_max_ms * MS) {
        /* Like Linux: the receiver closed its window with data outstanding: the resends
         * are zero-window probes and do not use up tcp_retries2 while the peer answers
         * (RFC 9293 §3.8.6.1: probing must go on as long as it is acknowledged). */
        if (s->backoff < 20)
            s->backoff++;
        resend_from_una(st, s);
        return;
    }
    uint8_t limit = st->cfg.tcp_retries2;
    if (s->sd < 0) { /* Like Linux: tcp_orphan_retries, where 0 means 8. */
        uint8_t orphan = st->cfg.tcp_orphan_retries ? st->cfg.tcp_orphan_retries : 8;
        if (orphan < limit)
            limit = orphan;
    }
    /* Like Linux: TCP_USER_TIMEOUT, when set, replaces the tcp_retries2 count. */
    if (s->user_timeout_ms ? user_timeout_passed(st, s) : s->retransmits >= limit) {
        give_up(st, s, "retransmissions exhausted");
        return;
    }
    tcp_recovery_on_rto(st, s);
    st->ctr.timeouts++;
    s->retransmits++;
    s->total_retrans++;
    s->backoff++;
    s->rtt_timing = false; /* RFC 6298 §3: Karn, no samples from retransmissions */
    resend_from_una(st, s);
}

static void persist_fire(struct synack_stack *st, struct tcp_sock *s)
{
    if (user_timeout_passed(st, s)) {
        give_up(st, s, "zero window probes unanswered");
        return;
    }
    /* Like Linux: the probe is an ACK below SND.UNA, which the peer answers with its
     * window (RFC 9293 §3.8.6.1 allows any probe that draws an ACK). */
    tcp_send_ack_at(st, s, s->snd_una - 1);
    if (s->backoff < 20)
        s->backoff++;
    s->rtx_kind = RTX_PERSIST;
    timer_arm(&st->wheel, &s->rtx_timer, st->now + (uint64_t)tcp_rto_current(st, s) * MS);
}

static void rtx_timer_fire(struct timer *t, void *ctx)
{
    struct synack_stack *st = ctx;
    struct tcp_sock *s = container_of(t, struct tcp_sock, rtx_timer);
    if (s->rtx_kind == RTX_TLP) {
        s->rtx_kind = RTX_NONE;
        tlp_fire(st, s);
    } else if (s->rtx_kind == RTX_CORK) {
        /* The 200 ms ceiling of TCP_CORK: send what is held. */
        s->rtx_kind = RTX_NONE;
        s->push_once = true;
        tcp_output(st, s);
    } else if (s->rtx_kind == RTX_PERSIST) {
        s->rtx_kind = RTX_NONE;
        if (s->snd_nxt == s->snd_una && s->sndq.len)
            persist_fire(st, s);
        else
            tcp_output(st, s);
    } else {
        s->rtx_kind = RTX_NONE;
        retransmit_fire(st, s);
    }
    events_touch(st, s);
}

static void delack_fire(struct timer *t, void *ctx)
{
    struct synack_stack *st = ctx;
    struct tcp_sock *s = container_of(t, struct tcp_sock, delack_timer);
    st->ctr.delayed_acks++;
    /* Like Linux: a delayed ACK that had to fire means the peer is not waiting on our
     * answer: leave interactive (pingpong) mode. */
    s->pingpong = false;
    tcp_send_ack(st, s);
}

static void ka_fire(struct timer *t, void *ctx)
{
    struct synack_stack *st = ctx;
    struct tcp_sock *s = container_of(t, struct tcp_sock, ka_timer);
    if (s->state == SYNACK_TCP_FIN_WAIT_2 && s->sd < 0) {
        /* Like Linux: an orphaned FIN_WAIT_2 lives tcp_fin_timeout, then goes. */
        tcp_done(st, s, 0, "FIN_WAIT_2 timeout");
        return;
    }
    if (!s->keepalive || s->state == SYNACK_TCP_CLOSED || s->state == SYNACK_TCP_SYN_SENT)
        return;
    uint64_t idle = st->now - s->last_rcv_ns;
    if (s->snd_max != s->snd_una || s->sndq.len) {
        /* Data is outstanding: the retransmission timer watches the peer instead. */
        timer_arm(&st->wheel, &s->ka_timer, st->now + s->keepidle_ms * MS);
        return;
    }
    if (idle < s->keepidle_ms * MS) {
        timer_arm(&st->wheel, &s->ka_timer, s->last_rcv_ns + s->keepidle_ms * MS);
        return;
    }
    if (s->probes_out >= s->keepcnt ||
        (s->user_timeout_ms && s->probes_out && idle >= s->user_timeout_ms * MS)) {
        st->ctr.keepalive_timeouts++;
        tcp_send_rst(st, s); /* like Linux: tell a peer that may come back */
        give_up(st, s, "keepalive probes unanswered");
        return;
    }
    /* RFC 1122 §4.2.3.6: a probe with SEG.SEQ = SND.NXT-1 and no data draws an ACK. */
    tcp_send_ack_at(st, s, s->snd_nxt - 1);
    s->probes_out++;
    st->ctr.keepalive_probes++;
    timer_arm(&st->wheel, &s->ka_timer, st->now + s->keepintvl_ms * MS);
}

void tcp_timers_init(struct tcp_sock *s)
{
    timer_init(&s->rtx_timer, rtx_timer_fire);
    timer_init(&s->delack_timer, delack_fire);
    timer_init(&s->ka_timer, ka_fire);
    timer_init(&s->rack_timer, tcp_rack_timer_fire);
}

void tcp_timers_stop(struct synack_stack *st, struct tcp_sock *s)
{
    timer_cancel(&st->wheel, &s->rtx_timer);
    timer_cancel(&st->wheel, &s->delack_timer);
    timer_cancel(&st->wheel, &s->ka_timer);
    timer_cancel(&st->wheel, &s->rack_timer);
    s->rtx_kind = RTX_NONE;
}

void tcp_arm_keepalive(struct synack_stack *st, struct tcp_sock *s)
{
    if (s->state == SYNACK_TCP_FIN_WAIT_2 && s->sd < 0)
        return; /* the timer counts the orphan's tcp_fin_timeout, not keepalive */
    if (!s->keepalive) {
        if (!(s->state == SYNACK_TCP_FIN_WAIT_2 && s->sd < 0))
            timer_cancel(&st->wheel, &s->ka_timer);
        return;
    }
    s->probes_out = 0;
    timer_arm(&st->wheel, &s->ka_timer, s->last_rcv_ns + s->keepidle_ms * MS);
}

void tcp_schedule_ack(struct synack_stack *st, struct tcp_sock *s)
{
    /* Like Linux: quick ACKs while the connection starts (TCP_MAX_QUICKACKS, bounded by
     * the window) unless it is interactive, then an ACK for every second full-sized
     * segment (RFC 9293 §3.8.6.3 / RFC 1122 §4.2.3.2) or after the delayed-ACK timeout
     * (40 ms). */
    if (s->quickacks && !s->pingpong) {
        s->quickacks--;
        s->ack_now = true;
    } else if (s->rcv_unacked >= 2u * s->rcv_mss) {
        s->ack_now = true;
    } else if (!timer_armed(&s->delack_timer)) {
        timer_arm(&st->wheel, &s->delack_timer, st->now + st->cfg.delack_min_ms * MS);
    }
}
