/* icmp.h: ICMPv4 and ICMPv6 messages: view and builder, no state.
 * Read RFC 792, RFC 1191 (frag needed MTU), RFC 4443 (ICMPv6), RFC 1122 §3.2.2 before
 * changing. */
#ifndef SYNACK_WIRE_ICMP_H
#define SYNACK_WIRE_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack.h"

/* ICMPv4 types and codes (RFC 792) */
#define ICMP4_ECHO_REPLY 0
#define ICMP4_DEST_UNREACH 3
#define ICMP4_ECHO_REQUEST 8
#define ICMP4_TIME_EXCEEDED 11
#define ICMP4_PARAM_PROBLEM 12
#define ICMP4_NET_UNREACH 0
#define ICMP4_HOST_UNREACH 1
#define ICMP4_PROTO_UNREACH 2
#define ICMP4_PORT_UNREACH 3
#define ICMP4_FRAG_NEEDED 4
#define ICMP4_SRC_ROUTE_FAILED 5
#define ICMP4_NET_UNKNOWN 6
#define ICMP4_HOST_UNKNOWN 7
#define ICMP4_NET_PROHIB 9
#define ICMP4_HOST_PROHIB 10
#define ICMP4_ADMIN_PROHIB 13
/* ICMPv6 types and codes (RFC 4443) */
#define ICMP6_DEST_UNREACH 1
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_PARAM_PROBLEM 4
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ICMP6_NO_ROUTE 0
#define ICMP6_ADMIN_PROHIB 1
#define ICMP6_ADDR_UNREACH 3
#define ICMP6_PORT_UNREACH 4

/* The offending packet an error message quotes (RFC 792: IP header + 8 bytes). */
struct wire_icmp_quote {
    struct synack_addr src, dst; /* of the quoted (our outgoing) packet */
    uint8_t proto;
    uint16_t sport, dport;       /* first 4 bytes of the quoted transport header */
    uint32_t seq;                /* bytes 4..7: TCP sequence number */
};

struct wire_icmp {
    uint8_t family;              /* SYNACK_AF_INET or SYNACK_AF_INET6 */
    uint8_t type, code;
    bool is_error;               /* dest unreachable, time exceeded, param problem, too big */
    uint16_t id, seq;            /* echo request/reply */
    const uint8_t *data;         /* echo: data after the 8-byte header */
    size_t data_len;
    uint32_t mtu;                /* frag needed next-hop MTU (RFC 1191) / packet too big */
    struct wire_icmp_quote quote;/* valid when is_error */
};

/* Parses an ICMPv4 message (the IP payload).  Returns 0 or an enum synack_drop:
 * TRUNCATED (< 8), BAD_CSUM, ICMP_BAD (an error whose quoted header is shorter than an
 * IP header plus 8 bytes, or not the right IP version). */
int wire_icmp4_parse(const uint8_t *msg, size_t len, struct wire_icmp *out);
/* The same for ICMPv6; src/dst are the outer IPv6 addresses (pseudo-header checksum). */
int wire_icmp6_parse(const uint8_t *msg, size_t len, const struct synack_addr *src,
                     const struct synack_addr *dst, struct wire_icmp *out);

/* Writes an ICMP message: type, code, the 4 bytes after the checksum (echo id/seq,
 * frag-needed MTU, or 0), then body (the echo data or the quoted packet).  The checksum
 * covers the IPv6 pseudo-header when family is SYNACK_AF_INET6.  Returns the length, or
 * 0 if cap is too small. */
size_t wire_icmp_build(uint8_t *buf, size_t cap, uint8_t family, uint8_t type, uint8_t code,
                       uint32_t rest, const uint8_t *body, size_t body_len,
                       const struct synack_addr *src, const struct synack_addr *dst);

#endif
