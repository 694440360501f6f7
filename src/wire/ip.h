/* ip.h: IPv4 and IPv6 header views and builders, no state.
 * Read RFC 791 §3.1 (IPv4 header), RFC 8200 §3-4 (IPv6 header, extension headers),
 * RFC 1122 §3.2.1 before changing. */
#ifndef SYNACK_WIRE_IP_H
#define SYNACK_WIRE_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack.h"

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ICMPV6_ 58

/* The ECN field (RFC 3168 §5) in the low two bits of TOS / traffic class. */
#define IP_ECN_NOT_ECT 0
#define IP_ECN_ECT1 1
#define IP_ECN_ECT0 2
#define IP_ECN_CE 3

/* A parsed IP header (either version).  Pointers point into the caller's buffer. */
struct wire_ip {
    uint8_t version;            /* 4 or 6 */
    struct synack_addr src, dst;
    uint8_t proto;              /* upper protocol (after IPv6 extension headers) */
    uint8_t ttl;                /* TTL or hop limit */
    uint8_t tos;                /* TOS / traffic class (ECN in the low 2 bits) */
    uint16_t id;                /* IPv4 identification (0 for IPv6) */
    bool df;                    /* IPv4 don't-fragment */
    bool fragment;              /* MF set or offset != 0, or an IPv6 fragment header */
    const uint8_t *hdr;         /* start of the header */
    size_t hdr_len;             /* IPv4 IHL*4; IPv6 40 + extension headers skipped */
    const uint8_t *payload;     /* upper-layer data */
    size_t payload_len;         /* from the header's length field, not the buffer */
};

/* Parses an IPv4 or IPv6 packet, chosen by the version nibble.  Returns 0 or an
 * enum synack_drop reason.  IPv4: version, IHL >= 5, IHL*4 <= total length <= len,
 * header checksum (RFC 1071), options skipped.  IPv6: 40 bytes, payload length within
 * len, hop-by-hop / routing / destination-options headers skipped by their length,
 * a fragment header marks a fragment.  Bytes past the IP length are ignored (link
 * padding).  TTL 0 is not rejected here (the IP layer decides). */
int wire_ip_parse(const uint8_t *pkt, size_t len, struct wire_ip *out);
int wire_ipv4_parse(const uint8_t *pkt, size_t len, struct wire_ip *out);
int wire_ipv6_parse(const uint8_t *pkt, size_t len, struct wire_ip *out);

/* What an outgoing header carries. */
struct wire_ip_out {
    struct synack_addr src, dst; /* same family; it picks IPv4 or IPv6 */
    uint8_t proto;
    uint8_t ttl;
    uint8_t tos;
    uint16_t id;                 /* IPv4 only */
    bool df;                     /* IPv4 only */
};
/* Header length for a family: 20 (IPv4, no options) or 40 (IPv6). */
size_t wire_ip_hdr_len(uint8_t family);
/* Writes the header for payload_len bytes that follow it, with the IPv4 header
 * checksum.  Returns the header length, or 0 if cap is too small or the total would
 * exceed 65535 (IPv4) / the payload 65535 (IPv6). */
size_t wire_ip_build(uint8_t *buf, size_t cap, const struct wire_ip_out *h, size_t payload_len);

#endif
