/* icmp.c: ICMPv4 and ICMPv6 messages: parser and builder.
 * Read RFC 792, RFC 1191 §4, RFC 1122 §3.2.2, RFC 1812 §4.3.2.3 and RFC 4443 §2-4
 * before changing. */
#include <string.h>

#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/icmp.h"
#include "wire/ip.h"

#define ICMP_HDR_LEN 8 /* type, code, checksum, 4 bytes that depend on the type */
#define QUOTE_L4_LEN 8 /* RFC 792: the quote holds at least 64 bits of the datagram's data */
#define IPV4_MIN_HDR_LEN 20
#define IPV6_HDR_LEN 40

/* What the checksum covers before the message: nothing for ICMPv4 (RFC 792), the
 * pseudo-header for ICMPv6 (RFC 4443 §2.3). */
static uint32_t pre_sum(uint8_t family, const struct synack_addr *src,
                        const struct synack_addr *dst, size_t len)
{
    return family == SYNACK_AF_INET6 ? csum_pseudo(src, dst, IPPROTO_ICMPV6_, (uint32_t)len)
                                     : 0;
}

/* Reads the packet an error quotes (RFC 792; RFC 4443 §3), leniently: the quote is cut
 * short (RFC 792 asks for 64 bits of data, RFC 1812 §4.3.2.3 for what fits), and may be
 * of the header as a router rewrote it, so its length fields and checksum are not
 * checked.  We need its addresses and the first 8 bytes of its transport header. */
static int parse_quote(uint8_t family, const uint8_t *q, size_t len,
                       struct wire_icmp_quote *out)
{
    size_t hl, addr_off, alen;

    /* The version nibble equals the family's value (SYNACK_AF_INET 4, INET6 6). */
    if (len < 1 || q[0] >> 4 != family)
        return SYNACK_DROP_ICMP_BAD;
    if (family == SYNACK_AF_INET) {
        hl = (size_t)(q[0] & 0x0f) * 4; /* RFC 791 §3.1: IHL, options included */
        addr_off = 12;
        alen = 4;
    } else {
        hl = IPV6_HDR_LEN; /* we send no extension headers, so ours quote none */
        addr_off = 8;
        alen = 16;
    }
    if (hl < IPV4_MIN_HDR_LEN || len < hl + QUOTE_L4_LEN)
        return SYNACK_DROP_ICMP_BAD;
    out->proto = family == SYNACK_AF_INET ? q[9] : q[6];
    out->src.family = family;
    memcpy(out->src.bytes, q + addr_off, alen);
    out->dst.family = family;
    memcpy(out->dst.bytes, q + addr_off + alen, alen);
    out->sport = rd16(q + hl);
    out->dport = rd16(q + hl + 2);
    out->seq = rd32(q + hl + 4);
    return 0;
}

/* RFC 792 "Echo or Echo Reply Message"; RFC 4443 §4.1-4.2. */
static bool is_echo(uint8_t family, uint8_t type)
{
    if (family == SYNACK_AF_INET6)
        return type == ICMP6_ECHO_REQUEST || type == ICMP6_ECHO_REPLY;
    return type == ICMP4_ECHO_REQUEST || type == ICMP4_ECHO_REPLY;
}

/* The errors that quote a packet of ours (RFC 1122 §3.2.2; RFC 4443 §3).  Source
 * quench is deprecated (RFC 6633) and redirects concern routing, not transport. */
static bool is_error(uint8_t family, uint8_t type)
{
    if (family == SYNACK_AF_INET6)
        return type >= ICMP6_DEST_UNREACH && type <= ICMP6_PARAM_PROBLEM;
    return type == ICMP4_DEST_UNREACH || type == ICMP4_TIME_EXCEEDED ||
           type == ICMP4_PARAM_PROBLEM;
}

/* Both families: checksum (sum holds what precedes the message), then the type's fields. */
static int parse(uint8_t family, const uint8_t *msg, size_t len, uint32_t sum,
                 struct wire_icmp *out)
{
    memset(out, 0, sizeof *out);
    if (len < ICMP_HDR_LEN)
        return SYNACK_DROP_TRUNCATED;
    /* RFC 792 "Checksum"; RFC 4443 §2.3. */
    if (csum_fold(csum_add(sum, msg, len)) != 0)
        return SYNACK_DROP_BAD_CSUM;
    out->family = family;
    out->type = msg[0];
    out->code = msg[1];
    out->data = msg + ICMP_HDR_LEN;
    out->data_len = len - ICMP_HDR_LEN;
    if (is_echo(family, out->type)) {
        out->id = rd16(msg + 4);
        out->seq = rd16(msg + 6);
        return 0;
    }
    if (!is_error(family, out->type))
        return 0; /* informational or unknown: the IP layer decides */
    out->is_error = true;
    if (family == SYNACK_AF_INET && out->type == ICMP4_DEST_UNREACH &&
        out->code == ICMP4_FRAG_NEEDED)
        out->mtu = rd16(msg + 6); /* RFC 1191 §4: next-hop MTU in the low 16 bits */
    else if (family == SYNACK_AF_INET6 && out->type == ICMP6_PACKET_TOO_BIG)
        out->mtu = rd32(msg + 4); /* RFC 4443 §3.2 */
    return parse_quote(family, out->data, out->data_len, &out->quote);
}

int wire_icmp4_parse(const uint8_t *msg, size_t len, struct wire_icmp *out)
{
    return parse(SYNACK_AF_INET, msg, len, 0, out);
}

int wire_icmp6_parse(const uint8_t *msg, size_t len, const struct synack_addr *src,
                     const struct synack_addr *dst, struct wire_icmp *out)
{
    return parse(SYNACK_AF_INET6, msg, len, pre_sum(SYNACK_AF_INET6, src, dst, len), out);
}

size_t wire_icmp_build(uint8_t *buf, size_t cap, uint8_t family, uint8_t type, uint8_t code,
                       uint32_t rest, const uint8_t *body, size_t body_len,
                       const struct synack_addr *src, const struct synack_addr *dst)
{
    size_t len = ICMP_HDR_LEN + body_len;

    if ((family != SYNACK_AF_INET && family != SYNACK_AF_INET6) ||
        body_len > 0xffff - ICMP_HDR_LEN || cap < len)
        return 0;
    if (body_len)
        memmove(buf + ICMP_HDR_LEN, body, body_len); /* body may be in buf already */
    buf[0] = type;
    buf[1] = code;
    wr16(buf + 2, 0);
    wr32(buf + 4, rest);
    wr16(buf + 2, csum_fold(csum_add(pre_sum(family, src, dst, len), buf, len)));
    return len;
}
