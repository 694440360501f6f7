/* tcp.h: the TCP header and its options: view and builder, no state.
 * Read RFC 9293 §3.1-3.2 (header, options), RFC 7323 §2-3 (WS, TS), RFC 2018 (SACK)
 * before changing. */
#ifndef SYNACK_WIRE_TCP_H
#define SYNACK_WIRE_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define TCP_HDR_LEN 20
#define TCP_MAX_OPT_LEN 40
#define TCP_MAX_WSCALE 14 /* RFC 7323 §2.3 */
#define TCP_MAX_SACK_BLOCKS 4

/* Option kinds (RFC 9293 §3.2, RFC 7323, RFC 2018). */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WSCALE 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TS 8

/* Which options are present, bits of wire_tcp_opts.has */
#define OPT_MSS 0x01
#define OPT_WSCALE 0x02
#define OPT_SACK_PERM 0x04
#define OPT_TS 0x08
#define OPT_SACK 0x10

struct wire_sack_block {
    uint32_t start, end;
};

struct wire_tcp_opts {
    uint8_t has;      /* OPT_* */
    uint16_t mss;
    uint8_t wscale;   /* parse caps it at 14 (RFC 7323 §2.3) */
    uint32_t ts_val, ts_ecr;
    uint8_t sack_n;   /* 0..4 */
    struct wire_sack_block sack[TCP_MAX_SACK_BLOCKS];
};

/* A parsed TCP segment.  Pointers point into the caller's buffer. */
struct wire_tcp {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;          /* TCP_* */
    uint16_t win;           /* raw, unscaled */
    uint16_t urp;
    size_t hdr_len;         /* data offset * 4 */
    const uint8_t *payload;
    size_t payload_len;
    struct wire_tcp_opts opts;
};

/* Parses a TCP segment of len bytes (the IP payload).  Returns 0 or an enum synack_drop:
 * TRUNCATED (< 20), BAD_DATA_OFF (offset < 5 or past len), BAD_CSUM (pseudo-header sum
 * over src/dst, checked when verify_csum), BAD_OPTION (an option's length byte < 2 or
 * running past the header, or MSS/WS/SACK-permitted/TS with the wrong length, SACK length
 * not 2+8n).  NOP and EOL handled; unknown kinds skipped by their length. */
int wire_tcp_parse(const uint8_t *seg, size_t len, const struct synack_addr *src,
                   const struct synack_addr *dst, bool verify_csum, struct wire_tcp *out);

/* Writes the options in Linux's layout (tcp_options_write), padded with NOPs as Linux does:
 *   MSS; then TS (preceded by SACK-permitted if both, else by NOP NOP); then NOP NOP
 *   SACK-permitted if SACK-permitted without TS; then NOP WS; then NOP NOP SACK blocks.
 * e.g. SYN with all four: <mss, sackOK, TS, nop, wscale> = 20 bytes.
 * SACK blocks are truncated to what fits in 40 bytes.  Returns the length (multiple of 4). */
size_t wire_tcp_opts_build(uint8_t *buf, const struct wire_tcp_opts *o);

/* What an outgoing segment's header carries. */
struct wire_tcp_out {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t win;
    uint16_t urp;
    const struct wire_tcp_opts *opts; /* NULL: none */
};
/* Writes the header and options with checksum 0.  Returns the header length, 0 if
 * cap is too small. */
size_t wire_tcp_build_hdr(uint8_t *buf, size_t cap, const struct wire_tcp_out *t);
/* Computes and stores the checksum of the segment (header + payload, seg_len bytes)
 * already in place at seg (RFC 9293 §3.1, pseudo-header). */
void wire_tcp_set_csum(uint8_t *seg, size_t seg_len, const struct synack_addr *src,
                       const struct synack_addr *dst);
/* The same, but only the first hdr_len bytes are read: data_sum is the csum_add
 * accumulator of the rest (seg_len - hdr_len bytes of payload), e.g. from bufq_peek_csum. */
void wire_tcp_set_csum_hdr(uint8_t *seg, size_t hdr_len, size_t seg_len, uint32_t data_sum,
                           const struct synack_addr *src, const struct synack_addr *dst);

#endif
