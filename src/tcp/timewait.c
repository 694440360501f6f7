/* timewait.c: compact TIME_WAIT entries: 2MSL, re-ACKing a retransmitted FIN, RST
 * handling (RFC 1337) and reopening by a newer SYN (RFC 6191).
 * Read RFC 9293 §3.6.1 and §3.10.7.4 (TIME-WAIT), RFC 1337 §3, RFC 6191 §2. */
#include <string.h>

#include "tcp/tcp.h"
#include "wire/seq.h"

static uint64_t two_msl_ns(const struct synack_stack *st)
{
    return 2ull * st->cfg.msl_ms * 1000000ull;
}

static void tw_timer_fire(struct timer *t, void *ctx)
{
    tcp_tw_free(ctx, container_of(t, struct tcp_tw, timer), "2MSL expired");
}

void tcp_tw_free(struct synack_stack *st, struct tcp_tw *tw, const char *cause)
{
    if (tw->owner) {
        tw->owner->tw = NULL;
        tcp_set_state(st, tw->owner, SYNACK_TCP_CLOSED, cause);
    } else {
        tcp_trace(st, -1, &tw->node.key, SYNACK_TCP_TIME_WAIT, SYNACK_TCP_CLOSED, cause);
    }
    timer_cancel(&st->wheel, &tw->timer);
    flowtab_remove(&st->flows, &tw->node);
    st->ports[tw->node.key.lport].tw--;
    pool_put(&st->tws, tw);
}

void tcp_enter_time_wait(struct synack_stack *st, struct tcp_sock *s, const char *cause)
{
    /* An ACK still owed goes now, before the connection shrinks to an entry that keeps
     * none: in a receive batch, CLOSING's ACK of the peer's FIN (RFC 9293 §3.10.7.4,
     * eighth step) would otherwise wait for the batch's end, by which the ACK of our
     * FIN in the same batch has freed the socket, and the peer would sit in CLOSING
     * until it resent its FIN. */
    if (s->ack_now)
        tcp_send_ack(st, s);
    struct tcp_tw *tw = pool_get(&st->tws);
    if (!tw) {
        /* Like Linux ("time wait bucket table overflow"): the connection just ends. */
        stack_drop(st, SYNACK_DROP_TW_FULL);
        tcp_done(st, s, 0, "TIME_WAIT table full");
        return;
    }
    tcp_set_state(st, s, SYNACK_TCP_TIME_WAIT, cause);
    tw->kind = TCP_FLOW_TW;
    tw->node.key = s->node.key;
    tw->family = s->family;
    tw->ts_ok = s->ts_ok;
    tw->rcv_wscale = s->rcv_wscale;
    tw->snd_nxt = s->snd_nxt;
    tw->rcv_nxt = s->rcv_nxt;
    tw->rcv_wnd = seq_gt(s->rcv_adv, s->rcv_nxt) ? s->rcv_adv - s->rcv_nxt : 0;
    tw->ts_recent = s->ts_recent;
    tw->ts_recent_ms = s->ts_recent_ms;
    tw->ts_offset = s->ts_offset;
    timer_init(&tw->timer, tw_timer_fire);

    tcp_timers_stop(st, s);
    tcp_sock_unhash(s);
    tcp_port_release(st, s);
    bufq_clear(&s->sndq, &st->chunks);
    flowtab_insert(&st->flows, &tw->node);
    st->ports[tw->node.key.lport].tw++;
    /* RFC 9293 §3.6.1: the active closer waits 2 MSL. */
    timer_arm(&st->wheel, &tw->timer, st->now + two_msl_ns(st));
    s->snd_shut = s->rcv_shut = true;
    s->connected_once = true;
    events_touch(st, s);
    if (s->sd >= 0) {
        tw->owner = s;
        s->tw = tw;
    } else {
        tcp_sock_free(st, s);
    }
}

static void tw_send_ack(struct synack_stack *st, struct tcp_tw *tw)
{
    struct tcp_out o;
    tcp_out_from_key(&o, &tw->node.key, tw->snd_nxt, tw->rcv_nxt, TCP_ACK);
    uint32_t w = tw->rcv_wnd >> tw->rcv_wscale;
    o.win = (uint16_t)(w > 65535 ? 65535 : w);
    if (tw->ts_ok) {
        o.opts.has = OPT_TS;
        o.opts.ts_val = tcp_tsval(st, tw->ts_offset);
        o.opts.ts_ecr = tw->ts_recent;
    }
    tcp_emit(st, &o);
}

void tcp_tw_input(struct synack_stack *st, struct tcp_tw *tw, struct tcp_seg *seg)
{
    const struct wire_tcp *th = &seg->th;
    bool has_ts = tw->ts_ok && (th->opts.has & OPT_TS);
    if (th->flags & TCP_RST) {
        /* RFC 5961 §3.2: only a RST exactly at RCV.NXT counts.  RFC 1337 §3 (TIME-WAIT
         * assassination): with tcp_rfc1337 it is ignored; like Linux's default, it
         * otherwise ends TIME_WAIT. */
        if (th->seq == tw->rcv_nxt && !st->cfg.tcp_rfc1337) {
            st->ctr.tw_killed++;
            tcp_tw_free(st, tw, "rcv RST");
            return;
        }
        stack_drop(st, SYNACK_DROP_RST_IGNORED);
        return;
    }
    bool paws_reject = has_ts && seq_lt(th->opts.ts_val, tw->ts_recent);
    if ((th->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && !paws_reject) {
        /* RFC 6191 §2: a new SYN may reopen the 4-tuple if it is provably newer: a
         * larger timestamp, or without timestamps a larger sequence number. */
        bool newer = has_ts ? seq_gt(th->opts.ts_val, tw->ts_recent) : seq_gt(th->seq, tw->rcv_nxt);
        struct tcp_sock *l = newer ? tcp_lookup_listener(st, &seg->ip->dst, th->dport) : NULL;
        if (l) {
            /* Like Linux: the new ISN starts well above the old connection's. */
            uint32_t isn = tw->snd_nxt + 65535 + 2;
            st->ctr.tw_recycled++;
            tcp_tw_free(st, tw, "rcv SYN (reopen, RFC 6191)");
            tcp_listen_input(st, l, seg, &isn);
            return;
        }
    }
    if (paws_reject) {
        st->ctr.paws_rejected++;
        stack_drop(st, SYNACK_DROP_PAWS);
        tw_send_ack(st, tw);
        return;
    }
    /* RFC 9293 TIME-WAIT: the only thing that can arrive is a retransmission of the
     * peer's FIN: acknowledge it and restart the 2 MSL timeout. */
    if ((th->flags & TCP_FIN) && th->seq + th->payload_len + 1 == tw->rcv_nxt) {
        tw_send_ack(st, tw);
        timer_arm(&st->wheel, &tw->timer, st->now + two_msl_ns(st));
        return;
    }
    /* A bare ACK at RCV.NXT needs nothing; anything else is answered with an ACK
     * (§3.10.7.4 first step, §4.2 of RFC 5961 for a SYN). */
    if (th->seq == tw->rcv_nxt && !seg->len && (th->flags & TCP_ACK))
        return;
    stack_drop(st, SYNACK_DROP_OUT_OF_WINDOW);
    tw_send_ack(st, tw);
}
