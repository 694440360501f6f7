/* ip.c: IP version dispatch and the IPv4/IPv6 header builders.
 * Read RFC 791 §3.1, RFC 8200 §3 and RFC 1122 §3.2.1 before changing. */
#include <string.h>

#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/ip.h"

#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define IPV4_DF 0x4000 /* RFC 791 §3.1: flags bit 1, don't fragment */

int wire_ip_parse(const uint8_t *pkt, size_t len, struct wire_ip *out)
{
    if (len == 0)
        return SYNACK_DROP_TRUNCATED;
    switch (pkt[0] >> 4) {
    case 4:
        return wire_ipv4_parse(pkt, len, out);
    case 6:
        return wire_ipv6_parse(pkt, len, out);
    default:
        return SYNACK_DROP_BAD_VERSION;
    }
}

size_t wire_ip_hdr_len(uint8_t family)
{
    switch (family) {
    case SYNACK_AF_INET:
        return IPV4_HDR_LEN;
    case SYNACK_AF_INET6:
        return IPV6_HDR_LEN;
    default:
        return 0;
    }
}

size_t wire_ip_build(uint8_t *buf, size_t cap, const struct wire_ip_out *h, size_t payload_len)
{
    size_t hl = wire_ip_hdr_len(h->src.family);

    if (hl == 0 || h->dst.family != h->src.family || cap < hl || payload_len > 0xffff)
        return 0;
    if (h->src.family == SYNACK_AF_INET) {
        /* RFC 791 §3.1: the total length counts the header too. */
        if (payload_len > 0xffff - hl)
            return 0;
        buf[0] = 0x45; /* version 4, IHL 5: we send no options */
        buf[1] = h->tos;
        wr16(buf + 2, (uint16_t)(hl + payload_len));
        wr16(buf + 4, h->id);
        wr16(buf + 6, h->df ? IPV4_DF : 0); /* never a fragment: offset 0, MF clear */
        buf[8] = h->ttl;
        buf[9] = h->proto;
        wr16(buf + 10, 0);
        memcpy(buf + 12, h->src.bytes, 4);
        memcpy(buf + 16, h->dst.bytes, 4);
        wr16(buf + 10, csum(buf, hl));
    } else {
        /* RFC 8200 §3: version 6, traffic class, flow label 0 (RFC 6437 allows it). */
        wr32(buf, (6u << 28) | ((uint32_t)h->tos << 20));
        wr16(buf + 4, (uint16_t)payload_len);
        buf[6] = h->proto;
        buf[7] = h->ttl;
        memcpy(buf + 8, h->src.bytes, 16);
        memcpy(buf + 24, h->dst.bytes, 16);
    }
    return hl;
}
