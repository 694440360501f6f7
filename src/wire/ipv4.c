/* ipv4.c: the IPv4 header view.
 * Read RFC 791 §3.1 (header format), RFC 1122 §3.2.1 and RFC 1071 before changing. */
#include <string.h>

#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/ip.h"

#define IPV4_MIN_HDR_LEN 20
#define IPV4_DF 0x4000     /* RFC 791 §3.1 flags: don't fragment */
#define IPV4_MF 0x2000     /*                     more fragments */
#define IPV4_OFFSET 0x1fff /* fragment offset, in 8-byte units */

int wire_ipv4_parse(const uint8_t *pkt, size_t len, struct wire_ip *out)
{
    size_t ihl, total;
    uint16_t frag;

    memset(out, 0, sizeof *out);
    if (len < IPV4_MIN_HDR_LEN)
        return SYNACK_DROP_TRUNCATED;
    if (pkt[0] >> 4 != 4)
        return SYNACK_DROP_BAD_VERSION;
    /* RFC 791 §3.1: IHL counts 32-bit words, minimum 5. */
    ihl = (size_t)(pkt[0] & 0x0f) * 4;
    if (ihl < IPV4_MIN_HDR_LEN || ihl > len)
        return SYNACK_DROP_BAD_HDR_LEN;
    /* RFC 1122 §3.2.1.1: the total length must cover the header and fit the buffer;
     * bytes past it are link padding. */
    total = rd16(pkt + 2);
    if (total < ihl || total > len)
        return SYNACK_DROP_BAD_TOTAL_LEN;
    /* RFC 791 §3.1 and RFC 1122 §3.2.1.2: the header checksum covers the options. */
    if (csum(pkt, ihl) != 0)
        return SYNACK_DROP_BAD_CSUM;

    frag = rd16(pkt + 6);
    out->version = 4;
    out->tos = pkt[1];
    out->id = rd16(pkt + 4);
    out->df = (frag & IPV4_DF) != 0;
    out->fragment = (frag & (IPV4_MF | IPV4_OFFSET)) != 0;
    out->ttl = pkt[8];
    out->proto = pkt[9];
    out->src.family = SYNACK_AF_INET;
    memcpy(out->src.bytes, pkt + 12, 4);
    out->dst.family = SYNACK_AF_INET;
    memcpy(out->dst.bytes, pkt + 16, 4);
    out->hdr = pkt;
    out->hdr_len = ihl; /* options are skipped (RFC 1122 §3.2.1.8: ignore unknown ones) */
    out->payload = pkt + ihl;
    out->payload_len = total - ihl;
    return 0;
}
