/* icmp.c: ICMP and ICMPv6 for a host: echo replies, errors handed to TCP, errors sent.
 * Read RFC 792, RFC 4443 §2.4 and §3, RFC 1122 §3.2.2 and §4.2.3.9 before changing. */
#include <errno.h>
#include <string.h>

#include "ip/ip.h"
#include "tcp/tcp.h"

static void echo_reply(struct synack_stack *st, const struct wire_ip *ip, const struct wire_icmp *m)
{
    uint8_t fam = ip->src.family;
    size_t cap;
    uint8_t *buf = ip_payload_buf(st, fam, &cap);
    uint8_t type = fam == SYNACK_AF_INET ? ICMP4_ECHO_REPLY : ICMP6_ECHO_REPLY;
    /* RFC 792: the reply carries the request's identifier, sequence number and data. */
    size_t n = wire_icmp_build(buf, cap, fam, type, 0, ((uint32_t)m->id << 16) | m->seq,
                               m->data, m->data_len, &ip->dst, &ip->src);
    if (!n)
        return;
    struct wire_ip_out h;
    ip_out_init(st, &h, &ip->dst, &ip->src, fam == SYNACK_AF_INET ? IPPROTO_ICMP_ : IPPROTO_ICMPV6_);
    h.tos = ip->tos & 0xfc;
    if (ip_send(st, &h, n) == 0) {
        st->ctr.icmp_out_msgs++;
        st->ctr.icmp_out_echo_reps++;
    }
}

void icmp_input(struct synack_stack *st, const struct wire_ip *ip)
{
    struct wire_icmp m;
    st->ctr.icmp_in_msgs++;
    int reason = ip->version == 4
                     ? wire_icmp4_parse(ip->payload, ip->payload_len, &m)
                     : wire_icmp6_parse(ip->payload, ip->payload_len, &ip->src, &ip->dst, &m);
    if (reason) {
        st->ctr.icmp_in_errors++;
        stack_drop(st, reason);
        return;
    }
    if ((m.type == ICMP4_ECHO_REQUEST && ip->version == 4) ||
        (m.type == ICMP6_ECHO_REQUEST && ip->version == 6)) {
        st->ctr.icmp_in_echos++;
        if (st->cfg.icmp_echo_enable)
            echo_reply(st, ip, &m);
        return;
    }
    if (m.is_error) {
        /* RFC 1122 §3.2.2: an error is passed to the transport it quotes. */
        if (m.quote.proto == IPPROTO_TCP_ && stack_owns(st, &m.quote.src)) {
            tcp_icmp_error(st, &m);
            return;
        }
    } else if (m.type == ICMP4_ECHO_REPLY || m.type == ICMP6_ECHO_REPLY) {
        return; /* nobody here sends echo requests through the stack */
    }
    stack_drop(st, SYNACK_DROP_ICMP_BAD);
}

static int is_unicast(const struct synack_addr *a)
{
    if (a->family == SYNACK_AF_INET)
        return a->bytes[0] != 0 && a->bytes[0] < 224 &&
               !(a->bytes[0] == 255 && a->bytes[3] == 255);
    return a->bytes[0] != 0xff;
}

void icmp_send_error(struct synack_stack *st, const struct wire_ip *ip, uint8_t type, uint8_t code)
{
    /* RFC 1122 §3.2.2 / RFC 4443 §2.4(e): never about an ICMP error, a non-initial
     * fragment, or a packet from a non-unicast source. */
    if (ip->fragment || !is_unicast(&ip->src))
        return;
    uint8_t fam = ip->src.family;
    if ((fam == SYNACK_AF_INET && ip->proto == IPPROTO_ICMP_) ||
        (fam == SYNACK_AF_INET6 && ip->proto == IPPROTO_ICMPV6_)) {
        const uint8_t t = ip->payload_len ? ip->payload[0] : 0;
        int is_err = fam == SYNACK_AF_INET ? (t == 3 || t == 11 || t == 12 || t == 4 || t == 5)
                                           : (t < 128);
        if (is_err)
            return;
    }
    /* Quote: IPv4 header + 8 bytes (RFC 792); IPv6: as much as fits in 1280 (RFC 4443). */
    size_t quote = ip->hdr_len + ip->payload_len;
    size_t limit = fam == SYNACK_AF_INET ? ip->hdr_len + 8 : 1280 - 40 - 8;
    if (quote > limit)
        quote = limit;
    size_t cap;
    uint8_t *buf = ip_payload_buf(st, fam, &cap);
    uint32_t rest = 0;
    if (fam == SYNACK_AF_INET6 && type == ICMP6_PARAM_PROBLEM)
        rest = 6; /* pointer to the next-header field */
    uint8_t copy[1280];
    memcpy(copy, ip->hdr, quote); /* the payload buffer overlaps nothing, but be safe */
    const struct synack_addr *src = &ip->dst;
    size_t n = wire_icmp_build(buf, cap, fam, type, code, rest, copy, quote, src, &ip->src);
    if (!n)
        return;
    struct wire_ip_out h;
    ip_out_init(st, &h, src, &ip->src, fam == SYNACK_AF_INET ? IPPROTO_ICMP_ : IPPROTO_ICMPV6_);
    h.df = false;
    if (ip_send(st, &h, n) == 0)
        st->ctr.icmp_out_msgs++;
}

bool icmp_is_hard(const struct wire_icmp *m)
{
    if (m->family == SYNACK_AF_INET)
        return (m->type == ICMP4_DEST_UNREACH &&
                (m->code == ICMP4_PROTO_UNREACH || m->code == ICMP4_PORT_UNREACH ||
                 m->code == ICMP4_NET_UNKNOWN || m->code == ICMP4_HOST_UNKNOWN ||
                 m->code == ICMP4_NET_PROHIB || m->code == ICMP4_HOST_PROHIB ||
                 m->code == ICMP4_ADMIN_PROHIB)) ||
               m->type == ICMP4_PARAM_PROBLEM;
    return (m->type == ICMP6_DEST_UNREACH &&
            (m->code == ICMP6_PORT_UNREACH || m->code == ICMP6_ADMIN_PROHIB)) ||
           m->type == ICMP6_PARAM_PROBLEM;
}

int icmp_errno(const struct wire_icmp *m)
{
    if (m->family == SYNACK_AF_INET) {
        switch (m->type) {
        case ICMP4_DEST_UNREACH:
            switch (m->code) {
            case ICMP4_NET_UNREACH:
            case ICMP4_NET_UNKNOWN:
                return -ENETUNREACH;
            case ICMP4_PROTO_UNREACH:
            case ICMP4_PORT_UNREACH:
                return -ECONNREFUSED;
            case ICMP4_FRAG_NEEDED:
                return -EMSGSIZE;
            case ICMP4_SRC_ROUTE_FAILED:
                return -EOPNOTSUPP;
            case ICMP4_NET_PROHIB:
            case ICMP4_HOST_PROHIB:
            case ICMP4_ADMIN_PROHIB:
                return -EHOSTUNREACH;
            default:
                return -EHOSTUNREACH;
            }
        case ICMP4_TIME_EXCEEDED:
            return -EHOSTUNREACH;
        case ICMP4_PARAM_PROBLEM:
            return -EPROTO;
        }
        return 0;
    }
    switch (m->type) {
    case ICMP6_DEST_UNREACH:
        switch (m->code) {
        case ICMP6_NO_ROUTE: return -ENETUNREACH;
        case ICMP6_ADMIN_PROHIB: return -EACCES;
        case ICMP6_PORT_UNREACH: return -ECONNREFUSED;
        default: return -EHOSTUNREACH;
        }
    case ICMP6_PACKET_TOO_BIG: return -EMSGSIZE;
    case ICMP6_TIME_EXCEEDED: return -EHOSTUNREACH;
    case ICMP6_PARAM_PROBLEM: return -EPROTO;
    }
    return 0;
}
