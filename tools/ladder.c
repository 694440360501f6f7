/* ladder.c: the ladder diagram: one line per segment, with the TCP fields in packetdrill
 * notation (relative sequence numbers), and one per state change, in time order. */
#include "ladder.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "synack_memlink.h"
#include "wire/icmp.h"
#include "wire/ip.h"
#include "wire/tcp.h"

#define HEAD_SEGMENTS 14 /* plain segments drawn before shortening starts */
#define TAIL_SEGMENTS 6  /* plain segments kept to show before the next event */
#define LINE 200

struct ladder {
    FILE *out;
    int host[2];
    int full;
    uint32_t isn[2];
    bool isn_known[2];
    const char *state[2];
    unsigned plain_seen;           /* plain segments since the last notable line */
    unsigned elided;
    char tail[TAIL_SEGMENTS][LINE];
    unsigned tail_n, tail_pos;
};

struct ladder *ladder_new(FILE *out, int left_host, const char *left_name, int right_host,
                          const char *right_name, int full)
{
    struct ladder *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->out = out;
    l->host[0] = left_host;
    l->host[1] = right_host;
    l->full = full;
    l->state[0] = l->state[1] = "CLOSED";
    fprintf(out, "%10s  %-13s %-52s %13s\n", "time (s)", left_name, "", right_name);
    return l;
}

static void flush_tail(struct ladder *l)
{
    if (l->elided)
        fprintf(l->out, "%10s  %-13s %-52s\n", "", "", "   ... (segments not shown) ...");
    unsigned start = l->tail_n < TAIL_SEGMENTS ? 0 : l->tail_pos;
    for (unsigned i = 0; i < l->tail_n && i < TAIL_SEGMENTS; i++)
        fputs(l->tail[(start + i) % TAIL_SEGMENTS], l->out);
    l->elided = 0;
    l->tail_n = 0;
    l->tail_pos = 0;
    l->plain_seen = 0;
}

static void emit(struct ladder *l, const char *line, bool notable)
{
    if (notable || l->full) {
        flush_tail(l);
        fputs(line, l->out);
        return;
    }
    if (l->plain_seen++ < HEAD_SEGMENTS) {
        fputs(line, l->out);
        return;
    }
    if (l->tail_n == TAIL_SEGMENTS)
        l->elided++;
    else
        l->tail_n++;
    snprintf(l->tail[l->tail_pos], LINE, "%s", line);
    l->tail_pos = (l->tail_pos + 1) % TAIL_SEGMENTS;
}

static int side_of(const struct ladder *l, int host)
{
    return host == l->host[0] ? 0 : host == l->host[1] ? 1 : -1;
}

static void flags_text(uint8_t f, char *out)
{
    static const char sym[] = "FSRP.UEW"; /* FIN SYN RST PSH ACK URG ECE CWR */
    size_t n = 0;
    static const uint8_t order[] = {TCP_SYN, TCP_FIN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG,
                                    TCP_ECE, TCP_CWR};
    static const int idx[] = {1, 0, 2, 3, 4, 5, 6, 7};
    for (int i = 0; i < 8; i++)
        if (f & order[i])
            out[n++] = sym[idx[i]];
    out[n] = '\0';
}

static void tcp_text(struct ladder *l, int from, const struct wire_tcp *th, char *out, size_t cap)
{
    int to = 1 - from;
    if (th->flags & TCP_SYN) {
        l->isn[from] = th->seq;
        l->isn_known[from] = true;
    }
    uint32_t seq = th->seq - (l->isn_known[from] ? l->isn[from] : 0);
    char fl[10];
    flags_text(th->flags, fl);
    int n = snprintf(out, cap, "%s %u:%u(%zu)", fl, seq, seq + (uint32_t)th->payload_len,
                     th->payload_len);
    if (th->flags & TCP_ACK)
        n += snprintf(out + n, cap - (size_t)n, " ack %u",
                      th->ack - (l->isn_known[to] ? l->isn[to] : 0));
    n += snprintf(out + n, cap - (size_t)n, " win %u", th->win);
    const struct wire_tcp_opts *o = &th->opts;
    if (o->has & (OPT_MSS | OPT_WSCALE | OPT_SACK_PERM | OPT_SACK)) {
        n += snprintf(out + n, cap - (size_t)n, " <");
        const char *sep = "";
        if (o->has & OPT_MSS) {
            n += snprintf(out + n, cap - (size_t)n, "mss %u", o->mss);
            sep = ",";
        }
        if (o->has & OPT_SACK_PERM) {
            n += snprintf(out + n, cap - (size_t)n, "%ssackOK", sep);
            sep = ",";
        }
        if (o->has & OPT_TS) {
            n += snprintf(out + n, cap - (size_t)n, "%sTS", sep);
            sep = ",";
        }
        if (o->has & OPT_WSCALE)
            n += snprintf(out + n, cap - (size_t)n, "%swscale %u", sep, o->wscale);
        if (o->has & OPT_SACK)
            n += snprintf(out + n, cap - (size_t)n, "%ssack %u", sep, o->sack_n);
        snprintf(out + n, cap - (size_t)n, ">");
    }
}

void ladder_tap(void *user, int event, int from_host, int to_host, uint64_t now_ns,
                const uint8_t *pkt, size_t len)
{
    struct ladder *l = user;
    (void)to_host;
    int from = side_of(l, from_host);
    if (from < 0 || (event != SYNACK_MEMLINK_TX && event != SYNACK_MEMLINK_DROP))
        return;
    char what[120] = "?";
    bool notable = false;
    struct wire_ip ip;
    if (wire_ip_parse(pkt, len, &ip) == 0) {
        struct wire_tcp th;
        struct wire_icmp m;
        if (ip.proto == IPPROTO_TCP_ &&
            wire_tcp_parse(ip.payload, ip.payload_len, &ip.src, &ip.dst, false, &th) == 0) {
            if (event == SYNACK_MEMLINK_DROP) {
                snprintf(what, sizeof(what), "  x lost");
            } else {
                tcp_text(l, from, &th, what, sizeof(what));
            }
            notable = (th.flags & (TCP_SYN | TCP_FIN | TCP_RST)) || event == SYNACK_MEMLINK_DROP;
        } else if ((ip.proto == IPPROTO_ICMP_ &&
                    wire_icmp4_parse(ip.payload, ip.payload_len, &m) == 0) ||
                   (ip.proto == IPPROTO_ICMPV6_ &&
                    wire_icmp6_parse(ip.payload, ip.payload_len, &ip.src, &ip.dst, &m) == 0)) {
            snprintf(what, sizeof(what), "ICMP type %u code %u%s", m.type, m.code,
                     event == SYNACK_MEMLINK_DROP ? " x lost" : "");
            notable = true;
        }
    }
    char arrow[LINE];
    if (from == 0)
        snprintf(arrow, sizeof(arrow), "-- %s -->", what);
    else
        snprintf(arrow, sizeof(arrow), "<-- %s --", what);
    char line[LINE * 2];
    snprintf(line, sizeof(line), "%10.6f  %-13s %-52s %13s\n", (double)now_ns / 1e9, l->state[0],
             arrow, l->state[1]);
    emit(l, line, notable);
}

void ladder_state(struct ladder *l, int side, const struct synack_trace *ev)
{
    /* The columns follow connections; a listener's own changes are only listed. */
    if (ev->old_state != SYNACK_TCP_LISTEN && ev->new_state != SYNACK_TCP_LISTEN)
        l->state[side] = synack_tcp_state_name(ev->new_state);
    char text[LINE];
    snprintf(text, sizeof(text), "[%s -> %s] %s", synack_tcp_state_name(ev->old_state),
             synack_tcp_state_name(ev->new_state), ev->cause);
    char line[LINE * 2];
    if (side == 0)
        snprintf(line, sizeof(line), "%10.6f  %s\n", (double)ev->now_ns / 1e9, text);
    else
        snprintf(line, sizeof(line), "%10.6f  %66s\n", (double)ev->now_ns / 1e9, text);
    emit(l, line, true);
}

void ladder_note(struct ladder *l, int side, uint64_t now_ns, const char *fmt, ...)
{
    char text[LINE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    char paren[LINE + 2];
    snprintf(paren, sizeof(paren), "(%s)", text);
    char line[LINE * 2];
    if (side == 0)
        snprintf(line, sizeof(line), "%10.6f  %s\n", (double)now_ns / 1e9, paren);
    else
        snprintf(line, sizeof(line), "%10.6f  %66s\n", (double)now_ns / 1e9, paren);
    emit(l, line, true);
}

void ladder_free(struct ladder *l)
{
    if (!l)
        return;
    flush_tail(l);
    free(l);
}
