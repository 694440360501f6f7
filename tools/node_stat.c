/* node_stat.c: what a running instance answers on its control socket: `stat` (its
 * connections, counters, drops, pools, link and memory as key=value records that
 * `synack stat` lays out), `impair` (change the driver's impairments live) and
 * `settings`.  Read tools/stat.c (the reader of these records) before changing. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node.h"
#include "settings.h"

void node_control(void *user, const char *cmd, struct outbuf *reply);

static const char *const timer_names[] = {"", "on", "persist", "keepalive", "timewait",
                                          "finwait2", "delack"};

struct conn_ctx {
    struct outbuf *out;
    uint64_t now;
};

static void conn_line(void *user, const struct synack_conn *c)
{
    struct conn_ctx *x = user;
    const struct synack_tcp_info *i = &c->info;
    char l[80], r[80];
    node_fmt_sockaddr(&c->local, l, sizeof(l));
    node_fmt_sockaddr(&c->remote, r, sizeof(r));
    outbuf_printf(x->out, "conn state=%s sd=%d local=%s peer=%s recvq=%u sendq=%u",
                  synack_tcp_state_name(i->state), c->sd, l, r, i->recv_q, i->send_q);
    if (i->timer > 0 && i->timer < (int)(sizeof(timer_names) / sizeof(timer_names[0]))) {
        uint64_t left = i->timer_expires_ns > x->now ? i->timer_expires_ns - x->now : 0;
        outbuf_printf(x->out, " timer=%s timer_ms=%llu", timer_names[i->timer],
                      (unsigned long long)(left / 1000000u));
    }
    if (c->sd >= 0 || (i->state != SYNACK_TCP_SYN_RCVD && i->state != SYNACK_TCP_TIME_WAIT &&
                       i->state != SYNACK_TCP_LISTEN))
        outbuf_printf(x->out,
                      " rtt_us=%u rttvar_us=%u rto_ms=%u cwnd=%u ssthresh=%u mss=%u"
                      " snd_wnd=%u rcv_wnd=%u unacked=%u retrans=%u backoff=%u"
                      " wscale=%u,%u ts=%u sack=%u",
                      i->srtt_us, i->rttvar_us, i->rto_ms, i->cwnd, i->ssthresh, i->snd_mss,
                      i->snd_wnd, i->rcv_wnd, i->unacked, i->retransmits, i->backoff,
                      i->snd_wscale, i->rcv_wscale, i->ts_ok, i->sack_ok);
    else if (i->retransmits)
        outbuf_printf(x->out, " retrans=%u", i->retransmits);
    outbuf_printf(x->out, "\n");
}

#define C(f) {#f, offsetof(struct synack_counters, f)}
static const struct {
    const char *name;
    size_t off;
} counter_fields[] = {
    C(ip_in_receives), C(ip_in_delivers), C(ip_out_requests), C(ip_out_discards),
    C(icmp_in_msgs), C(icmp_in_echos), C(icmp_in_errors), C(icmp_out_msgs),
    C(icmp_out_echo_reps), C(tcp_active_opens), C(tcp_passive_opens), C(tcp_attempt_fails),
    C(tcp_estab_resets), C(tcp_curr_estab), C(tcp_in_segs), C(tcp_out_segs),
    C(tcp_retrans_segs), C(tcp_in_errs), C(tcp_out_rsts), C(syncookies_sent),
    C(syncookies_recv), C(syncookies_failed), C(listen_overflows), C(listen_drops),
    C(tw_recycled), C(tw_killed), C(challenge_acks), C(challenge_acks_suppressed),
    C(timeouts), C(keepalive_probes), C(keepalive_timeouts), C(syn_retrans),
    C(synack_retrans), C(abort_on_close), C(abort_on_linger), C(abort_on_timeout),
    C(abort_on_memory), C(delayed_acks), C(paws_rejected),
};

/* VmRSS and VmHWM of this process, in KiB. */
static void mem_line(struct outbuf *out)
{
    FILE *f = fopen("/proc/self/status", "r");
    unsigned long rss = 0, hwm = 0;
    char line[256];
    while (f && fgets(line, sizeof(line), f)) {
        sscanf(line, "VmRSS: %lu", &rss);
        sscanf(line, "VmHWM: %lu", &hwm);
    }
    if (f)
        fclose(f);
    outbuf_printf(out, "mem rss_kb=%lu hwm_kb=%lu\n", rss, hwm);
}

static void stat_reply(struct node *n, struct outbuf *out)
{
    char a[64];
    uint64_t now = synack_stack_now(n->st);
    synack_addr_format(&n->o.addr, a, sizeof(a));
    outbuf_printf(out, "instance pid=%d prog=%s tun=%s addr=%s uptime_ms=%llu\n", (int)getpid(),
                  n->prog, synack_tun_name(n->tun), a,
                  (unsigned long long)((synack_tun_clock() - n->started_ns) / 1000000u));
    struct conn_ctx x = {out, now};
    synack_stack_connections(n->st, conn_line, &x);
    struct synack_counters c;
    synack_stack_counters(n->st, &c);
    for (size_t i = 0; i < sizeof(counter_fields) / sizeof(counter_fields[0]); i++) {
        uint64_t v;
        memcpy(&v, (const char *)&c + counter_fields[i].off, sizeof(v));
        outbuf_printf(out, "counter %s=%llu\n", counter_fields[i].name, (unsigned long long)v);
    }
    for (int r = 1; r < SYNACK_DROP__COUNT; r++)
        outbuf_printf(out, "drop %s=%llu\n", synack_drop_name(r),
                      (unsigned long long)c.drops[r]);
    struct synack_pool_stats p[8];
    int np = synack_stack_pools(n->st, p, 8);
    for (int i = 0; i < np && i < 8; i++)
        outbuf_printf(out, "pool name=%s capacity=%u in_use=%u peak=%u refused=%llu\n", p[i].name,
                      p[i].capacity, p[i].in_use, p[i].peak, (unsigned long long)p[i].refused);
    struct synack_tun_stats t;
    synack_tun_stats(n->tun, &t);
    outbuf_printf(out,
                  "link rx_pkts=%llu rx_bytes=%llu tx_pkts=%llu tx_bytes=%llu rx_errors=%llu"
                  " tx_errors=%llu lost_in=%llu lost_out=%llu dup_in=%llu dup_out=%llu"
                  " reordered_in=%llu reordered_out=%llu queue_drops=%llu wakeups=%llu"
                  " full_batches=%llu\n",
                  (unsigned long long)t.rx_pkts, (unsigned long long)t.rx_bytes,
                  (unsigned long long)t.tx_pkts, (unsigned long long)t.tx_bytes,
                  (unsigned long long)t.rx_errors, (unsigned long long)t.tx_errors,
                  (unsigned long long)t.lost[0], (unsigned long long)t.lost[1],
                  (unsigned long long)t.duplicated[0], (unsigned long long)t.duplicated[1],
                  (unsigned long long)t.reordered[0], (unsigned long long)t.reordered[1],
                  (unsigned long long)t.queue_drops, (unsigned long long)t.wakeups,
                  (unsigned long long)t.full_batches);
    mem_line(out);
}

/* "impair [in|out|both] loss=P delay=MS reorder=P dup=P": fields not named keep their
 * value in each direction changed. */
static void impair_reply(struct node *n, const char *args, struct outbuf *out)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", args);
    int dir = -1;
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        if (!strcmp(tok, "in") || !strcmp(tok, "out") || !strcmp(tok, "both")) {
            dir = tok[0] == 'i' ? SYNACK_TUN_IN : tok[0] == 'o' ? SYNACK_TUN_OUT : -1;
            continue;
        }
        char *eq = strchr(tok, '=');
        char *end = NULL;
        double v = eq ? strtod(eq + 1, &end) : -1;
        if (!eq || !eq[1] || *end || v < 0) {
            outbuf_printf(out, "error bad impairment '%s'\n", tok);
            return;
        }
        *eq = 0;
        for (int d = 0; d < 2; d++) {
            if (dir >= 0 && dir != d)
                continue;
            struct synack_tun_impair imp;
            synack_tun_get_impair(n->tun, d, &imp);
            if (!strcmp(tok, "loss"))
                imp.loss = v;
            else if (!strcmp(tok, "reorder"))
                imp.reorder = v;
            else if (!strcmp(tok, "dup"))
                imp.dup = v;
            else if (!strcmp(tok, "delay"))
                imp.delay_us = (uint32_t)(v * 1000);
            else {
                outbuf_printf(out, "error unknown impairment '%s'\n", tok);
                return;
            }
            synack_tun_set_impair(n->tun, d, &imp);
        }
    }
    outbuf_printf(out, "ok\n");
}

static void settings_reply(struct node *n, struct outbuf *out)
{
    const char *name;
    unsigned long long v;
    for (int i = 0; !settings_get(synack_stack_settings(n->st), i, &name, &v); i++)
        outbuf_printf(out, "setting %s=%llu\n", name, v);
}

void node_control(void *user, const char *cmd, struct outbuf *reply)
{
    struct node *n = user;
    while (*cmd == ' ')
        cmd++;
    if (!*cmd || !strcmp(cmd, "stat"))
        stat_reply(n, reply);
    else if (!strncmp(cmd, "impair", 6) && (cmd[6] == ' ' || !cmd[6]))
        impair_reply(n, cmd + 6, reply);
    else if (!strcmp(cmd, "settings"))
        settings_reply(n, reply);
    else
        outbuf_printf(reply, "error unknown command '%s' (stat, impair, settings)\n", cmd);
}
