/* packet.c: packet lines: building the live packet for an inbound line, reading what the
 * stack sent, matching it against an outbound line (merging consecutive segments as
 * packetdrill does), and printing both in script notation.  Read pkt.h, RFC 9293 §3.1,
 * RFC 7323 §3 and RFC 792 (the quoted header of an ICMP error) before changing it. */
#include <stdlib.h>
#include <string.h>

#include "pkt/pkt.h"
#include "wire/bytes.h"
#include "wire/icmp.h"
#include "wire/ip.h"
#include "wire/tcp.h"

#define MAX_IP_PACKET 65535

/* ------------------------------------------------------------------ printing */

static void format_flags(struct pkt_str *b, uint8_t f)
{
    static const struct {
        uint8_t bit;
        char c;
    } order[] = {{TCP_SYN, 'S'}, {TCP_FIN, 'F'}, {TCP_RST, 'R'}, {TCP_PSH, 'P'},
                 {TCP_URG, 'U'}, {TCP_ECE, 'E'}, {TCP_CWR, 'W'}, {TCP_ACK, '.'}};
    if (f == 0) {
        pkt_str_add(b, "-");
        return;
    }
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (f & order[i].bit)
            pkt_str_add(b, "%c", order[i].c);
}

static void format_opt(struct pkt_str *b, const struct pkt_opt *o)
{
    switch (o->kind) {
    case PKT_OPT_EOL: pkt_str_add(b, "eol"); break;
    case PKT_OPT_NOP: pkt_str_add(b, "nop"); break;
    case PKT_OPT_MSS: pkt_str_add(b, "mss %u", o->v1); break;
    case PKT_OPT_WSCALE: pkt_str_add(b, "wscale %u", o->v1); break;
    case PKT_OPT_SACKOK: pkt_str_add(b, "sackOK"); break;
    case PKT_OPT_SACK:
        pkt_str_add(b, "sack");
        for (int i = 0; i < o->nsack; i++)
            pkt_str_add(b, " %u:%u", o->sack[i][0], o->sack[i][1]);
        break;
    case PKT_OPT_TS: pkt_str_add(b, "TS val %u ecr %u", o->v1, o->v2); break;
    case PKT_OPT_OTHER: pkt_str_add(b, "option-%u(len %u)", o->v1, o->v2); break;
    }
}

static void format_ecn(struct pkt_str *b, int ecn)
{
    static const char *names[] = {"noecn", "ect1", "ect0", "ce", "ect01"};
    if (ecn >= 0 && ecn <= PKT_ECN_ECT01)
        pkt_str_add(b, "[%s] ", names[ecn]);
}

void pkt_format_packet(struct pkt_str *b, const struct pkt_packet *p,
                       const struct pkt_packet *shape)
{
    if (shape->ecn != PKT_ECN_UNSPEC)
        format_ecn(b, p->ecn);
    if (p->icmp) {
        if (p->has_echo)
            pkt_str_add(b, "[%u:%u(%u)] ", p->echo_seq, p->echo_seq + p->echo_len, p->echo_len);
        pkt_str_add(b, "icmp %s", p->icmp_type ? p->icmp_type : "?");
        if (p->icmp_code)
            pkt_str_add(b, " %s", p->icmp_code);
        if (p->has_mtu)
            pkt_str_add(b, " mtu %u", p->mtu);
        return;
    }
    format_flags(b, p->flags);
    pkt_str_add(b, " %u:%u(%u)", p->seq, p->seq + p->len, p->len);
    if (p->has_ack)
        pkt_str_add(b, " ack %u", p->ack);
    if (p->has_win && shape->has_win)
        pkt_str_add(b, " win %u", p->win);
    if (p->has_urg && shape->has_urg)
        pkt_str_add(b, " urg %u", p->urg);
    if (p->optmode == PKT_OPTS_ANY) {
        pkt_str_add(b, " <...>");
    } else if (p->optmode == PKT_OPTS_LIST) {
        pkt_str_add(b, " <");
        for (int i = 0; i < p->nopts; i++) {
            if (i)
                pkt_str_add(b, ",");
            format_opt(b, &p->opts[i]);
        }
        pkt_str_add(b, ">");
    }
}

/* ------------------------------------------------------------------ inbound */

/* The options of an inbound line, in the order written, with SACK blocks and TS ecr
 * mapped to live values; padded with EOL to a multiple of 4. */
static int build_opts(const struct pkt_packet *p, const struct pkt_conn *c, uint8_t *out,
                      size_t *len, struct pkt_str *err)
{
    size_t n = 0;
    for (int i = 0; i < p->nopts; i++) {
        const struct pkt_opt *o = &p->opts[i];
        size_t need = o->kind == PKT_OPT_EOL || o->kind == PKT_OPT_NOP ? 1
                      : o->kind == PKT_OPT_MSS                         ? 4
                      : o->kind == PKT_OPT_WSCALE                      ? 3
                      : o->kind == PKT_OPT_SACKOK                      ? 2
                      : o->kind == PKT_OPT_SACK                        ? 2 + 8 * (size_t)o->nsack
                                                                       : 10;
        if (n + need > TCP_MAX_OPT_LEN) {
            pkt_str_add(err, "TCP options longer than %d bytes", TCP_MAX_OPT_LEN);
            return -1;
        }
        uint8_t *q = out + n;
        switch (o->kind) {
        case PKT_OPT_EOL: q[0] = TCPOPT_EOL; break;
        case PKT_OPT_NOP: q[0] = TCPOPT_NOP; break;
        case PKT_OPT_MSS:
            q[0] = TCPOPT_MSS;
            q[1] = 4;
            wr16(q + 2, (uint16_t)o->v1);
            break;
        case PKT_OPT_WSCALE:
            q[0] = TCPOPT_WSCALE;
            q[1] = 3;
            q[2] = (uint8_t)o->v1;
            break;
        case PKT_OPT_SACKOK:
            q[0] = TCPOPT_SACK_PERM;
            q[1] = 2;
            break;
        case PKT_OPT_SACK:
            q[0] = TCPOPT_SACK;
            q[1] = (uint8_t)need;
            for (int k = 0; k < o->nsack; k++) {
                wr32(q + 2 + 8 * k, o->sack[k][0] + c->local_off);
                wr32(q + 6 + 8 * k, o->sack[k][1] + c->local_off);
            }
            break;
        case PKT_OPT_TS: {
            uint32_t ecr = o->v2;
            /* The ecr echoes one of the stack's TS val: map the script's to the live one. */
            if ((p->flags & TCP_ACK) && ecr != 0 && pkt_conn_ts_to_live(c, o->v2, &ecr)) {
                pkt_str_add(err, "cannot map TS ecr %u: no outbound TS val seen yet", o->v2);
                return -1;
            }
            q[0] = TCPOPT_TS;
            q[1] = 10;
            wr32(q + 2, o->v1);
            wr32(q + 6, ecr);
            break;
        }
        case PKT_OPT_OTHER: break;
        }
        n += need;
    }
    while (n % 4)
        out[n++] = TCPOPT_EOL;
    *len = n;
    return 0;
}

static size_t build_tcp(struct pkt_run *r, const struct pkt_packet *p, const struct pkt_conn *c,
                        uint8_t *buf, struct pkt_str *err)
{
    size_t iph = wire_ip_hdr_len((uint8_t)r->family);
    uint8_t opts[TCP_MAX_OPT_LEN];
    size_t olen;
    if (build_opts(p, c, opts, &olen, err))
        return 0;
    size_t tcplen = TCP_HDR_LEN + olen + p->len;
    if (iph + tcplen > MAX_IP_PACKET) {
        pkt_str_add(err, "segment too large for one IP packet");
        return 0;
    }
    uint8_t *t = buf + iph;
    memset(t, 0, tcplen);
    wr16(t, c->rport);
    wr16(t + 2, c->lport);
    wr32(t + 4, p->seq + c->remote_off);
    wr32(t + 8, p->has_ack ? p->ack + ((p->flags & TCP_ACK) ? c->local_off : 0) : 0);
    t[12] = (uint8_t)(((TCP_HDR_LEN + olen) / 4) << 4);
    t[13] = p->flags;
    wr16(t + 14, (uint16_t)(p->has_win ? p->win : 65535));
    wr16(t + 18, (uint16_t)(p->has_urg ? p->urg : 0));
    memcpy(t + TCP_HDR_LEN, opts, olen);
    wire_tcp_set_csum(t, tcplen, &r->remote, &r->local);
    struct wire_ip_out h = {r->remote, r->local, IPPROTO_TCP_, 64,
                            (uint8_t)(p->ecn == PKT_ECN_UNSPEC ? 0 : p->ecn), 0, false};
    if (wire_ip_build(buf, iph, &h, tcplen) != iph) {
        pkt_str_add(err, "cannot build the IP header");
        return 0;
    }
    return iph + tcplen;
}

/* An ICMP error quoting the IP header and first 8 bytes of one of our segments (RFC 792). */
static size_t build_icmp(struct pkt_run *r, const struct pkt_packet *p, const struct pkt_conn *c,
                         uint8_t *buf, struct pkt_str *err)
{
    uint8_t type, code;
    if (pkt_icmp_lookup(r->family, p->icmp_type, p->icmp_code, &type, &code)) {
        pkt_str_add(err, "unknown ICMP type/code '%s%s%s'", p->icmp_type,
                     p->icmp_code ? " " : "", p->icmp_code ? p->icmp_code : "");
        return 0;
    }
    size_t iph = wire_ip_hdr_len((uint8_t)r->family);
    uint8_t quote[40 + 8];
    struct wire_ip_out qh = {r->local, r->remote, IPPROTO_TCP_, 64, 0, 0, false};
    uint32_t qlen = TCP_HDR_LEN + (p->has_echo ? p->echo_len : 0);
    if (wire_ip_build(quote, sizeof(quote), &qh, qlen) != iph) {
        pkt_str_add(err, "cannot build the quoted header");
        return 0;
    }
    wr16(quote + iph, c->lport);
    wr16(quote + iph + 2, c->rport);
    wr32(quote + iph + 4, (p->has_echo ? p->echo_seq : 0) + c->local_off);
    uint32_t rest = 0;
    if (p->has_mtu)
        rest = r->family == SYNACK_AF_INET6 ? p->mtu : (p->mtu & 0xffff); /* RFC 1191 §4 */
    size_t n = wire_icmp_build(buf + iph, MAX_IP_PACKET - iph, (uint8_t)r->family, type, code,
                               rest, quote, iph + 8, &r->remote, &r->local);
    struct wire_ip_out h = {r->remote, r->local,
                            r->family == SYNACK_AF_INET6 ? IPPROTO_ICMPV6_ : IPPROTO_ICMP_, 64,
                            0, 0, false};
    if (n == 0 || wire_ip_build(buf, iph, &h, n) != iph) {
        pkt_str_add(err, "cannot build the ICMP message");
        return 0;
    }
    return iph + n;
}

void pkt_inject(struct pkt_run *r, const struct pkt_event *ev)
{
    const struct pkt_packet *p = &ev->pkt;
    int ci = pkt_conn_for_inbound(r, p);
    if (ci < 0)
        return;
    uint8_t *buf = malloc(MAX_IP_PACKET);
    if (!buf) {
        pkt_fail(r, ev->line, "out of memory");
        return;
    }
    struct pkt_str err;
    pkt_str_init(&err);
    size_t n = p->icmp ? build_icmp(r, p, &r->conns[ci], buf, &err)
                       : build_tcp(r, p, &r->conns[ci], buf, &err);
    if (n == 0) {
        pkt_fail(r, ev->line, "cannot build the inbound packet: %s", err.s);
    } else {
        if (r->cfg.verbose) {
            struct pkt_str s;
            pkt_str_init(&s);
            pkt_format_packet(&s, p, p);
            pkt_trace(r, "< %s", s.s);
        }
        synack_stack_input(r->st, r->now_ns, buf, n);
        pkt_flush(r);
    }
    free(buf);
}

/* ------------------------------------------------------------------ outbound */

/* A live packet the stack sent, parsed (pointers into the queued copy). */
struct live {
    struct wire_ip ip;
    int is_tcp, is_icmp;
    struct wire_tcp tcp;
    struct wire_icmp icmp;
};

static int parse_live(const struct pkt_run *r, const struct pkt_qpkt *q, struct live *lv,
                      struct pkt_str *why)
{
    memset(lv, 0, sizeof(*lv));
    int rc = wire_ip_parse(q->data, q->len, &lv->ip);
    if (rc) {
        pkt_str_add(why, "IP: %s", synack_drop_name(rc));
        return -1;
    }
    if (!synack_addr_equal(&lv->ip.src, &r->local) || !synack_addr_equal(&lv->ip.dst, &r->remote)) {
        char a[64], b[64];
        pkt_str_add(why, "from %s to %s", synack_addr_format(&lv->ip.src, a, sizeof(a)),
                    synack_addr_format(&lv->ip.dst, b, sizeof(b)));
        return -1;
    }
    if (lv->ip.proto == IPPROTO_TCP_) {
        rc = wire_tcp_parse(lv->ip.payload, lv->ip.payload_len, &lv->ip.src, &lv->ip.dst, true,
                            &lv->tcp);
        if (rc) {
            pkt_str_add(why, "TCP: %s", synack_drop_name(rc));
            return -1;
        }
        lv->is_tcp = 1;
        return 0;
    }
    if (lv->ip.proto == IPPROTO_ICMP_ || lv->ip.proto == IPPROTO_ICMPV6_) {
        rc = lv->ip.proto == IPPROTO_ICMP_
                 ? wire_icmp4_parse(lv->ip.payload, lv->ip.payload_len, &lv->icmp)
                 : wire_icmp6_parse(lv->ip.payload, lv->ip.payload_len, &lv->ip.src,
                                    &lv->ip.dst, &lv->icmp);
        if (rc) {
            pkt_str_add(why, "ICMP: %s", synack_drop_name(rc));
            return -1;
        }
        lv->is_icmp = 1;
        return 0;
    }
    pkt_str_add(why, "IP protocol %u", lv->ip.proto);
    return -1;
}

/* The options of a live segment, in order, in script space. */
static void live_opts(const struct live *lv, const struct pkt_conn *c, struct pkt_packet *out)
{
    const uint8_t *o = lv->ip.payload + TCP_HDR_LEN;
    size_t len = lv->tcp.hdr_len - TCP_HDR_LEN, i = 0;
    out->optmode = len ? PKT_OPTS_LIST : PKT_OPTS_NONE;
    while (i < len && out->nopts < PKT_MAX_OPTS) {
        struct pkt_opt *x = &out->opts[out->nopts++];
        memset(x, 0, sizeof(*x));
        if (o[i] == TCPOPT_EOL) {
            x->kind = PKT_OPT_EOL;
            return; /* the rest is padding */
        }
        if (o[i] == TCPOPT_NOP) {
            x->kind = PKT_OPT_NOP;
            i++;
            continue;
        }
        if (i + 1 >= len || o[i + 1] < 2 || i + o[i + 1] > len) {
            x->kind = PKT_OPT_OTHER;
            x->v1 = o[i];
            x->v2 = (uint32_t)(len - i);
            return;
        }
        uint8_t kind = o[i], l = o[i + 1];
        const uint8_t *d = o + i + 2;
        if (kind == TCPOPT_MSS && l == 4) {
            x->kind = PKT_OPT_MSS;
            x->v1 = rd16(d);
        } else if (kind == TCPOPT_WSCALE && l == 3) {
            x->kind = PKT_OPT_WSCALE;
            x->v1 = d[0];
        } else if (kind == TCPOPT_SACK_PERM && l == 2) {
            x->kind = PKT_OPT_SACKOK;
        } else if (kind == TCPOPT_SACK && (l - 2) % 8 == 0 && (l - 2) / 8 <= 4) {
            x->kind = PKT_OPT_SACK;
            x->nsack = (l - 2) / 8;
            for (int k = 0; k < x->nsack; k++) {
                x->sack[k][0] = rd32(d + 8 * k) - c->remote_off;
                x->sack[k][1] = rd32(d + 8 * k + 4) - c->remote_off;
            }
        } else if (kind == TCPOPT_TS && l == 10) {
            x->kind = PKT_OPT_TS;
            x->v1 = pkt_conn_ts_to_script(c, rd32(d));
            x->v2 = rd32(d + 4);
        } else {
            x->kind = PKT_OPT_OTHER;
            x->v1 = kind;
            x->v2 = l;
        }
        i += l;
    }
}

/* A live TCP segment in script space. */
static void live_to_script(const struct live *lv, const struct pkt_conn *c, struct pkt_packet *out)
{
    memset(out, 0, sizeof(*out));
    out->dir = '>';
    out->ecn = lv->ip.tos & 3;
    out->flags = lv->tcp.flags;
    out->seq = lv->tcp.seq - c->local_off;
    out->len = (uint32_t)lv->tcp.payload_len;
    out->has_ack = (lv->tcp.flags & TCP_ACK) != 0;
    out->ack = lv->tcp.ack - c->remote_off;
    out->has_win = 1;
    out->win = lv->tcp.win;
    out->has_urg = (lv->tcp.flags & TCP_URG) || lv->tcp.urp;
    out->urg = lv->tcp.urp;
    live_opts(lv, c, out);
}

static const struct pkt_conn no_conn; /* offsets 0: nothing learned */

static const struct pkt_conn *conn_of(struct pkt_run *r, const struct live *lv)
{
    int ci = pkt_conn_for_outbound(r, lv->tcp.sport, lv->tcp.dport);
    return ci >= 0 ? &r->conns[ci] : &no_conn;
}

static void describe(struct pkt_run *r, const struct live *lv, const struct pkt_packet *shape,
                     struct pkt_str *b)
{
    if (lv->is_icmp) {
        pkt_str_add(b, "icmp type_%u code_%u", lv->icmp.type, lv->icmp.code);
        if (lv->icmp.mtu)
            pkt_str_add(b, " mtu %u", lv->icmp.mtu);
        return;
    }
    struct pkt_packet a;
    live_to_script(lv, conn_of(r, lv), &a);
    if (!shape && a.ecn == IP_ECN_NOT_ECT)
        a.ecn = PKT_ECN_UNSPEC; /* an unmarked packet is described without "[noecn]" */
    pkt_format_packet(b, &a, shape ? shape : &a);
}

void pkt_describe_live(struct pkt_run *r, const struct pkt_qpkt *q, struct pkt_str *b)
{
    struct live lv;
    struct pkt_str why;
    pkt_str_init(&why);
    if (parse_live(r, q, &lv, &why)) {
        pkt_str_add(b, "a malformed packet (%s)", why.s);
        return;
    }
    describe(r, &lv, NULL, b);
}

static int opt_equal(const struct pkt_opt *e, const struct pkt_opt *a)
{
    if (e->kind != a->kind)
        return 0;
    switch (e->kind) {
    case PKT_OPT_MSS:
    case PKT_OPT_WSCALE: return e->v1 == a->v1;
    case PKT_OPT_SACK:
        if (e->nsack != a->nsack)
            return 0;
        for (int i = 0; i < e->nsack; i++)
            if (e->sack[i][0] != a->sack[i][0] || e->sack[i][1] != a->sack[i][1])
                return 0;
        return 1;
    case PKT_OPT_TS: return e->v2 == a->v2; /* TS val is recorded, not checked */
    case PKT_OPT_OTHER: return e->v1 == a->v1 && e->v2 == a->v2;
    default: return 1;
    }
}

/* --loose-options: the same options with the same values, in any order, padding ignored. */
static int opts_equal_loose(const struct pkt_packet *e, const struct pkt_packet *a)
{
    int used[PKT_MAX_OPTS] = {0}, ne = 0, na = 0;
    for (int i = 0; i < a->nopts; i++)
        na += a->opts[i].kind != PKT_OPT_NOP && a->opts[i].kind != PKT_OPT_EOL;
    for (int i = 0; i < e->nopts; i++) {
        const struct pkt_opt *x = &e->opts[i];
        if (x->kind == PKT_OPT_NOP || x->kind == PKT_OPT_EOL)
            continue;
        ne++;
        int found = 0;
        for (int k = 0; k < a->nopts && !found; k++) {
            if (!used[k] && opt_equal(x, &a->opts[k])) {
                used[k] = 1;
                found = 1;
            }
        }
        if (!found)
            return 0;
    }
    return ne == na;
}

static int opts_equal(const struct pkt_config *cfg, const struct pkt_packet *e,
                      const struct pkt_packet *a)
{
    if (e->optmode == PKT_OPTS_ANY)
        return 1;
    if (cfg->loose_options)
        return opts_equal_loose(e, a);
    if (e->nopts != a->nopts)
        return 0;
    for (int i = 0; i < e->nopts; i++)
        if (!opt_equal(&e->opts[i], &a->opts[i]))
            return 0;
    return 1;
}

static int same_packet(const struct pkt_config *cfg, const struct pkt_packet *e,
                       const struct pkt_packet *a)
{
    if (e->flags != a->flags || e->seq != a->seq || e->len != a->len)
        return 0;
    if (e->has_ack && (!a->has_ack || e->ack != a->ack))
        return 0;
    if (e->has_win && e->win != a->win)
        return 0;
    if (e->has_urg && e->urg != a->urg)
        return 0;
    if (e->ecn == PKT_ECN_ECT01 ? (a->ecn != IP_ECN_ECT0 && a->ecn != IP_ECN_ECT1)
                                : (e->ecn != PKT_ECN_UNSPEC && e->ecn != a->ecn))
        return 0;
    return opts_equal(cfg, e, a);
}

static const struct pkt_qpkt *queued(const struct pkt_run *r, size_t n)
{
    const struct pkt_qpkt *q = r->qhead;
    while (q && n--)
        q = q->next;
    return q;
}

/* packetdrill's aggregation: when the first segment carries less data than the line,
 * the following contiguous segments of the same connection (same ACK, same flags but
 * PSH/FIN, sent within the line's window) are added to it until the line's length is
 * reached.  Returns how many segments *a now stands for (1 when none were merged); when
 * the length is not reached exactly, *a is what was gathered (for the message). */
static size_t merge(struct pkt_run *r, const struct pkt_packet *e, const struct pkt_window *w,
                    const struct pkt_conn *c, const struct live *first, struct pkt_packet *a)
{
    const uint8_t keep = (uint8_t)~(TCP_PSH | TCP_FIN);
    if (r->cfg.strict_segments || a->len >= e->len || (a->flags & keep) != (e->flags & keep) ||
        (a->flags & (TCP_SYN | TCP_RST | TCP_FIN)))
        return 1;
    size_t n = 1;
    while (a->len < e->len) {
        if (r->qlen <= n)
            pkt_advance(r, w->hi_ns, n);
        if (r->failed || r->qlen <= n)
            break;
        struct live lv;
        struct pkt_str why;
        pkt_str_init(&why);
        if (parse_live(r, queued(r, n), &lv, &why) || !lv.is_tcp ||
            lv.tcp.sport != first->tcp.sport || lv.tcp.dport != first->tcp.dport)
            break;
        struct pkt_packet b;
        live_to_script(&lv, c, &b);
        if (b.seq != a->seq + a->len || b.ack != a->ack || (b.flags & keep) != (a->flags & keep) ||
            (b.flags & (TCP_SYN | TCP_RST)) || ((a->flags & TCP_FIN) && b.len))
            break;
        a->len += b.len;
        a->flags |= b.flags;
        a->win = b.win;
        n++;
    }
    return n;
}

static void expect_icmp(struct pkt_run *r, const struct pkt_event *ev, const struct pkt_window *w,
                        const struct live *lv, const char *es)
{
    const struct pkt_packet *e = &ev->pkt;
    struct pkt_str as;
    pkt_str_init(&as);
    describe(r, lv, e, &as);
    uint8_t type, code;
    if (!e->icmp || !lv->is_icmp) {
        pkt_fail(r, ev->line, "expected %s got %s", es, as.s);
        return;
    }
    if (pkt_icmp_lookup(r->family, e->icmp_type, e->icmp_code, &type, &code)) {
        pkt_fail(r, ev->line, "unknown ICMP type/code in %s", es);
        return;
    }
    if (type != lv->icmp.type || code != lv->icmp.code || (e->has_mtu && e->mtu != lv->icmp.mtu)) {
        pkt_fail(r, ev->line, "expected %s got %s", es, as.s);
        return;
    }
    if (pkt_check_time(r, ev->line, w, r->qhead->t_ns, es, as.s))
        return;
    pkt_trace(r, "> %s", as.s);
    pkt_queue_pop(r);
}

void pkt_expect(struct pkt_run *r, const struct pkt_event *ev, const struct pkt_window *w)
{
    const struct pkt_packet *e = &ev->pkt;
    struct pkt_str es, ws;
    pkt_str_init(&es);
    pkt_str_init(&ws);
    pkt_format_packet(&es, e, e);
    pkt_str_window(&ws, w);
    if (r->qlen == 0)
        pkt_advance(r, w->hi_ns, 0);
    if (r->qlen == 0 && !r->failed) /* none in time: look for a late one, to say so */
        pkt_advance(r, w->hi_ns + (uint64_t)PKT_LATE_HORIZON_US * 1000, 0);
    if (r->failed)
        return;
    if (r->qlen == 0) {
        struct pkt_str by;
        pkt_str_init(&by);
        pkt_str_time(&by, (int64_t)(w->hi_ns / 1000));
        pkt_fail(r, ev->line, "expected %s at %s got none by %s", es.s, ws.s, by.s);
        return;
    }
    const struct pkt_qpkt *q = r->qhead;
    struct live lv;
    struct pkt_str why;
    pkt_str_init(&why);
    if (parse_live(r, q, &lv, &why)) {
        pkt_fail(r, ev->line, "expected %s got a malformed packet (%s)", es.s, why.s);
        return;
    }
    if (e->icmp || lv.is_icmp) {
        expect_icmp(r, ev, w, &lv, es.s);
        return;
    }
    int ci = pkt_conn_for_outbound(r, lv.tcp.sport, lv.tcp.dport);
    struct pkt_conn *c = ci >= 0 ? &r->conns[ci] : NULL;
    /* The stack's ISN, learned from its SYN or SYN-ACK. */
    if (c && (e->flags & TCP_SYN) && (lv.tcp.flags & TCP_SYN) && !c->have_local_isn) {
        c->local_off = lv.tcp.seq - e->seq;
        c->have_local_isn = 1;
    }
    /* The script's TS val stands for the live one from now on. */
    if (c && (lv.tcp.opts.has & OPT_TS) && e->optmode == PKT_OPTS_LIST) {
        for (int i = 0; i < e->nopts; i++)
            if (e->opts[i].kind == PKT_OPT_TS)
                pkt_conn_ts_remember(c, e->opts[i].v1, lv.tcp.opts.ts_val);
    }
    const struct pkt_conn *cm = c ? c : &no_conn;
    struct pkt_packet a;
    live_to_script(&lv, cm, &a);
    size_t used = merge(r, e, w, cm, &lv, &a);
    if (r->failed)
        return;
    struct pkt_str as;
    pkt_str_init(&as);
    pkt_format_packet(&as, &a, e);
    if (!same_packet(&r->cfg, e, &a)) {
        pkt_fail(r, ev->line, "expected %s got %s", es.s, as.s);
        return;
    }
    if (pkt_check_time(r, ev->line, w, r->qhead->t_ns, es.s, as.s))
        return;
    pkt_trace(r, "> %s%s", as.s, used > 1 ? " (merged)" : "");
    while (used--)
        pkt_queue_pop(r);
}
