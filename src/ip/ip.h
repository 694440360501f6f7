/* ip.h: the IP layer: input validation and delivery, output, ICMP.
 * Read RFC 1122 §3.2 (host IP and ICMP rules) before changing. */
#ifndef SYNACK_IP_IP_H
#define SYNACK_IP_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stack.h"
#include "wire/icmp.h"
#include "wire/ip.h"

/* Validates one received packet and delivers it to TCP or ICMP; drops are counted. */
void ip_input(struct synack_stack *st, const uint8_t *pkt, size_t len);

/* Where an upper layer builds its payload for a packet of this family (just after the
 * room for the IP header in st->txbuf); *cap is the room left. */
uint8_t *ip_payload_buf(struct synack_stack *st, uint8_t family, size_t *cap);
/* Writes the IP header in front of the payload_len bytes built at ip_payload_buf and
 * hands the packet to the link.  Returns 0, or -ENETUNREACH (no link), -EMSGSIZE (larger
 * than the MTU and the link cannot segment). */
int ip_send(struct synack_stack *st, const struct wire_ip_out *h, size_t payload_len);
/* Fills the defaults of an outgoing header (TTL, id, DF) for src -> dst, proto. */
void ip_out_init(struct synack_stack *st, struct wire_ip_out *h, const struct synack_addr *src,
                 const struct synack_addr *dst, uint8_t proto);

/* ICMP (src/ip/icmp.c). */
void icmp_input(struct synack_stack *st, const struct wire_ip *ip);
/* Sends an ICMP error about the received packet ip (RFC 1122 §3.2.2: never about an ICMP
 * error, a fragment, or a non-unicast source). */
void icmp_send_error(struct synack_stack *st, const struct wire_ip *ip, uint8_t type,
                     uint8_t code);
/* The errno an ICMP error means for a connection (RFC 1122 §4.2.3.9, mapped as Linux's
 * icmp_err_convert does), or 0 for a message that means nothing to a connection. */
int icmp_errno(const struct wire_icmp *m);
/* Whether the error is hard (RFC 1122 §4.2.3.9: protocol and port unreachable, and
 * administratively prohibited, as Linux's icmp_err_convert marks them fatal). */
bool icmp_is_hard(const struct wire_icmp *m);

#endif
