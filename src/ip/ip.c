/* ip.c: IP input (validation, delivery to TCP and ICMP) and output.
 * Read RFC 791 §3.2, RFC 8200 §4 and RFC 1122 §3.2.1 before changing. */
#include "ip/ip.h"

#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"
#include "wire/tcp.h"

/* RFC 1122 §3.2.1.3: a source that is not a unicast host address is discarded. */
static int source_bad(const struct synack_stack *st, const struct synack_addr *src)
{
    const uint8_t *b = src->bytes;
    if (stack_owns(st, src))
        return 1; /* our own address from outside: spoofed (land attack) */
    if (src->family == SYNACK_AF_INET)
        return b[0] == 0 || b[0] >= 224 || b[0] == 127; /* this-net, class D/E, loopback */
    static const uint8_t zero[16];
    return b[0] == 0xff || memcmp(b, zero, 16) == 0; /* multicast, unspecified */
}

void ip_input(struct synack_stack *st, const uint8_t *pkt, size_t len)
{
    struct wire_ip ip;
    st->ctr.ip_in_receives++;
    int reason = wire_ip_parse(pkt, len, &ip);
    if (reason) {
        stack_drop(st, reason);
        return;
    }
    /* No reassembly yet: fragments are counted and dropped. */
    if (ip.fragment) {
        stack_drop(st, SYNACK_DROP_FRAGMENT);
        return;
    }
    if (!stack_owns(st, &ip.dst)) {
        stack_drop(st, SYNACK_DROP_NOT_FOR_US);
        return;
    }
    if (source_bad(st, &ip.src)) {
        stack_drop(st, SYNACK_DROP_BAD_SRC);
        return;
    }
    /* RFC 1122 §3.2.1.7: a host must not discard a datagram for a low TTL. */
    st->ctr.ip_in_delivers++;
    if (ip.proto == IPPROTO_TCP_) {
        tcp_input(st, &ip);
    } else if ((ip.version == 4 && ip.proto == IPPROTO_ICMP_) ||
               (ip.version == 6 && ip.proto == IPPROTO_ICMPV6_)) {
        icmp_input(st, &ip);
    } else {
        stack_drop(st, SYNACK_DROP_UNKNOWN_PROTO);
        /* RFC 1122 §3.2.2.1: protocol unreachable for an unknown transport. */
        if (ip.version == 4)
            icmp_send_error(st, &ip, ICMP4_DEST_UNREACH, ICMP4_PROTO_UNREACH);
        else
            icmp_send_error(st, &ip, ICMP6_PARAM_PROBLEM, 1 /* unrecognised next header */);
    }
}

uint8_t *ip_payload_buf(struct synack_stack *st, uint8_t family, size_t *cap)
{
    size_t hl = wire_ip_hdr_len(family);
    *cap = sizeof(st->txbuf) - hl;
    return st->txbuf + hl;
}

void ip_out_init(struct synack_stack *st, struct wire_ip_out *h, const struct synack_addr *src,
                 const struct synack_addr *dst, uint8_t proto)
{
    memset(h, 0, sizeof(*h));
    h->src = *src;
    h->dst = *dst;
    h->proto = proto;
    h->ttl = st->cfg.ip_default_ttl;
    h->df = true; /* RFC 1191: path MTU discovery, as Linux does for TCP */
}

int ip_send(struct synack_stack *st, const struct wire_ip_out *h, size_t payload_len)
{
    if (!st->has_link) {
        st->ctr.ip_out_discards++;
        return -ENETUNREACH;
    }
    size_t hl = wire_ip_hdr_len(h->src.family);
    if (hl + payload_len > st->link.mtu && !(st->link.caps & SYNACK_LINK_CAP_TSO)) {
        st->ctr.ip_out_discards++;
        return -EMSGSIZE;
    }
    struct wire_ip_out hdr = *h;
    if (hdr.src.family == SYNACK_AF_INET)
        hdr.id = st->ip_id++;
    if (!wire_ip_build(st->txbuf, sizeof(st->txbuf), &hdr, payload_len)) {
        st->ctr.ip_out_discards++;
        return -EMSGSIZE;
    }
    st->ctr.ip_out_requests++;
    st->link.tx(st->link.user, st->txbuf, hl + payload_len);
    return 0;
}
