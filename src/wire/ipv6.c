/* ipv6.c: the IPv6 header view and its extension-header walk.
 * Read RFC 8200 §3 (header), §4-4.5 (extension headers, fragment header) before changing. */
#include <string.h>

#include "wire/bytes.h"
#include "wire/ip.h"

#define IPV6_HDR_LEN 40
#define NH_HOP_BY_HOP 0  /* RFC 8200 §4.3 */
#define NH_ROUTING 43    /* RFC 8200 §4.4 */
#define NH_FRAGMENT 44   /* RFC 8200 §4.5 */
#define NH_DEST_OPTS 60  /* RFC 8200 §4.6 */
#define FRAG_HDR_LEN 8

int wire_ipv6_parse(const uint8_t *pkt, size_t len, struct wire_ip *out)
{
    size_t off = IPV6_HDR_LEN, end;
    uint8_t nh;
    bool fragment = false;

    memset(out, 0, sizeof *out);
    if (len < IPV6_HDR_LEN)
        return SYNACK_DROP_TRUNCATED;
    if (pkt[0] >> 4 != 6)
        return SYNACK_DROP_BAD_VERSION;
    /* RFC 8200 §3: the payload length counts extension headers; past it is padding. */
    end = IPV6_HDR_LEN + (size_t)rd16(pkt + 4);
    if (end > len)
        return SYNACK_DROP_BAD_TOTAL_LEN;

    /* RFC 8200 §4: walk the chain; each header names the next.  Every header we skip
     * starts with next header and hdr ext len, and is (hdr ext len + 1) * 8 bytes. */
    nh = pkt[6];
    while (nh == NH_HOP_BY_HOP || nh == NH_ROUTING || nh == NH_DEST_OPTS ||
           nh == NH_FRAGMENT) {
        size_t elen;

        if (end - off < 2)
            return SYNACK_DROP_BAD_HDR_LEN;
        /* RFC 8200 §4.5: the fragment header has a fixed 8-byte size; what follows it
         * is part of a fragment, so the walk stops there. */
        elen = nh == NH_FRAGMENT ? FRAG_HDR_LEN : ((size_t)pkt[off + 1] + 1) * 8;
        if (end - off < elen)
            return SYNACK_DROP_BAD_HDR_LEN;
        fragment = nh == NH_FRAGMENT;
        nh = pkt[off];
        off += elen;
        if (fragment)
            break;
    }

    out->version = 6;
    out->tos = (uint8_t)(rd32(pkt) >> 20); /* RFC 8200 §7: traffic class */
    out->fragment = fragment;
    out->ttl = pkt[7];
    out->proto = nh;
    out->src.family = SYNACK_AF_INET6;
    memcpy(out->src.bytes, pkt + 8, 16);
    out->dst.family = SYNACK_AF_INET6;
    memcpy(out->dst.bytes, pkt + 24, 16);
    out->hdr = pkt;
    out->hdr_len = off;
    out->payload = pkt + off;
    out->payload_len = end - off;
    return 0;
}
