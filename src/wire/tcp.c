/* tcp.c: the TCP header and options: parser and builder.
 * Read RFC 9293 §3.1-3.2, RFC 7323 §2-3, RFC 2018 §2-3, and Linux's tcp_options_write
 * (for the byte layout) before changing. */
#include <string.h>

#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/ip.h"
#include "wire/tcp.h"

/* Option lengths (RFC 9293 §3.2, RFC 7323 §2.2 and §3.2, RFC 2018 §2-3). */
#define TCPOLEN_MSS 4
#define TCPOLEN_WSCALE 3
#define TCPOLEN_SACK_PERM 2
#define TCPOLEN_TS 10
#define TCPOLEN_SACK_BASE 2
#define TCPOLEN_SACK_BLOCK 8

/* Parses the options in opt[0..len); 0 or SYNACK_DROP_BAD_OPTION. */
static int parse_opts(const uint8_t *opt, size_t len, struct wire_tcp_opts *o)
{
    size_t i = 0;

    while (i < len) {
        uint8_t kind = opt[i], olen;
        const uint8_t *v;

        if (kind == TCPOPT_EOL) /* RFC 9293 §3.2: end of the option list */
            break;
        if (kind == TCPOPT_NOP) {
            i++;
            continue;
        }
        /* RFC 9293 §3.1 (MUST-7): every other kind has a length octet counting kind and
         * length; one that is too small or runs past the header is malformed. */
        if (len - i < 2)
            return SYNACK_DROP_BAD_OPTION;
        olen = opt[i + 1];
        if (olen < 2 || olen > len - i)
            return SYNACK_DROP_BAD_OPTION;
        v = opt + i + 2;
        switch (kind) {
        case TCPOPT_MSS:
            if (olen != TCPOLEN_MSS)
                return SYNACK_DROP_BAD_OPTION;
            o->has |= OPT_MSS;
            o->mss = rd16(v);
            break;
        case TCPOPT_WSCALE:
            if (olen != TCPOLEN_WSCALE)
                return SYNACK_DROP_BAD_OPTION;
            o->has |= OPT_WSCALE;
            /* RFC 7323 §2.3: a shift above 14 is used as 14. */
            o->wscale = v[0] > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : v[0];
            break;
        case TCPOPT_SACK_PERM:
            if (olen != TCPOLEN_SACK_PERM)
                return SYNACK_DROP_BAD_OPTION;
            o->has |= OPT_SACK_PERM;
            break;
        case TCPOPT_TS:
            if (olen != TCPOLEN_TS)
                return SYNACK_DROP_BAD_OPTION;
            o->has |= OPT_TS;
            o->ts_val = rd32(v);
            o->ts_ecr = rd32(v + 4);
            break;
        case TCPOPT_SACK: {
            /* RFC 2018 §3: length 2 + 8n, n blocks of left and right edge. */
            size_t n = (size_t)(olen - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_BLOCK;

            if ((olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_BLOCK != 0 || n < 1 ||
                n > TCP_MAX_SACK_BLOCKS)
                return SYNACK_DROP_BAD_OPTION;
            o->has |= OPT_SACK;
            o->sack_n = (uint8_t)n;
            for (size_t b = 0; b < n; b++) {
                o->sack[b].start = rd32(v + b * TCPOLEN_SACK_BLOCK);
                o->sack[b].end = rd32(v + b * TCPOLEN_SACK_BLOCK + 4);
            }
            break;
        }
        default: /* RFC 9293 §3.1 (MUST-6): skip kinds we do not know by their length */
            break;
        }
        i += olen;
    }
    return 0;
}

int wire_tcp_parse(const uint8_t *seg, size_t len, const struct synack_addr *src,
                   const struct synack_addr *dst, bool verify_csum, struct wire_tcp *out)
{
    size_t off;

    memset(out, 0, sizeof *out);
    if (len < TCP_HDR_LEN)
        return SYNACK_DROP_TRUNCATED;
    /* RFC 9293 §3.1: data offset in 32-bit words, at least 5. */
    off = (size_t)(seg[12] >> 4) * 4;
    if (off < TCP_HDR_LEN || off > len)
        return SYNACK_DROP_BAD_DATA_OFF;
    /* RFC 9293 §3.1 (MUST-2, MUST-3): the checksum covers the pseudo-header. */
    if (verify_csum && csum_fold(csum_add(csum_pseudo(src, dst, IPPROTO_TCP_, (uint32_t)len),
                                          seg, len)) != 0)
        return SYNACK_DROP_BAD_CSUM;

    out->sport = rd16(seg);
    out->dport = rd16(seg + 2);
    out->seq = rd32(seg + 4);
    out->ack = rd32(seg + 8);
    out->flags = seg[13];
    out->win = rd16(seg + 14);
    out->urp = rd16(seg + 18);
    out->hdr_len = off;
    out->payload = seg + off;
    out->payload_len = len - off;
    return parse_opts(seg + TCP_HDR_LEN, off - TCP_HDR_LEN, &out->opts);
}

/* Writes one 32-bit word of four option bytes. */
static uint8_t *put4(uint8_t *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    p[0] = a;
    p[1] = b;
    p[2] = c;
    p[3] = d;
    return p + 4;
}

size_t wire_tcp_opts_build(uint8_t *buf, const struct wire_tcp_opts *o)
{
    /* Linux's tcp_options_write order; every option is padded to a 32-bit word. */
    uint8_t *p = buf;

    if (o->has & OPT_MSS) {
        p = put4(p, TCPOPT_MSS, TCPOLEN_MSS, 0, 0);
        wr16(p - 2, o->mss); /* the value is the word's low half */
    }
    if (o->has & OPT_TS) {
        if (o->has & OPT_SACK_PERM)
            p = put4(p, TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM, TCPOPT_TS, TCPOLEN_TS);
        else
            p = put4(p, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TS, TCPOLEN_TS);
        wr32(p, o->ts_val);
        wr32(p + 4, o->ts_ecr);
        p += 8;
    } else if (o->has & OPT_SACK_PERM) {
        p = put4(p, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM);
    }
    if (o->has & OPT_WSCALE)
        p = put4(p, TCPOPT_NOP, TCPOPT_WSCALE, TCPOLEN_WSCALE, o->wscale);
    if (o->has & OPT_SACK) {
        /* Like Linux: send only the blocks that fit in the 40 option bytes. */
        size_t room = TCP_MAX_OPT_LEN - (size_t)(p - buf), n = o->sack_n;

        if (n > TCP_MAX_SACK_BLOCKS)
            n = TCP_MAX_SACK_BLOCKS;
        if (room < 4 + n * TCPOLEN_SACK_BLOCK)
            n = room < 4 ? 0 : (room - 4) / TCPOLEN_SACK_BLOCK;
        if (n > 0) {
            p = put4(p, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK,
                     (uint8_t)(TCPOLEN_SACK_BASE + n * TCPOLEN_SACK_BLOCK));
            for (size_t b = 0; b < n; b++) {
                wr32(p, o->sack[b].start);
                wr32(p + 4, o->sack[b].end);
                p += TCPOLEN_SACK_BLOCK;
            }
        }
    }
    return (size_t)(p - buf);
}

size_t wire_tcp_build_hdr(uint8_t *buf, size_t cap, const struct wire_tcp_out *t)
{
    uint8_t opt[TCP_MAX_OPT_LEN];
    size_t olen = t->opts ? wire_tcp_opts_build(opt, t->opts) : 0, hl = TCP_HDR_LEN + olen;

    if (cap < hl)
        return 0;
    wr16(buf, t->sport);
    wr16(buf + 2, t->dport);
    wr32(buf + 4, t->seq);
    wr32(buf + 8, t->ack);
    buf[12] = (uint8_t)((hl / 4) << 4); /* RFC 9293 §3.1: data offset, reserved 0 */
    buf[13] = t->flags;
    wr16(buf + 14, t->win);
    wr16(buf + 16, 0);
    wr16(buf + 18, t->urp);
    memcpy(buf + TCP_HDR_LEN, opt, olen);
    return hl;
}

void wire_tcp_set_csum(uint8_t *seg, size_t seg_len, const struct synack_addr *src,
                       const struct synack_addr *dst)
{
    wire_tcp_set_csum_hdr(seg, seg_len, seg_len, 0, src, dst);
}

void wire_tcp_set_csum_hdr(uint8_t *seg, size_t hdr_len, size_t seg_len, uint32_t data_sum,
                           const struct synack_addr *src, const struct synack_addr *dst)
{
    /* RFC 9293 §3.1: computed with the checksum field zero, over pseudo-header + segment;
     * the payload's part was summed already (RFC 1071 §2(3)), so only the header is read. */
    wr16(seg + 16, 0);
    uint32_t sum = csum_add(csum_pseudo(src, dst, IPPROTO_TCP_, (uint32_t)seg_len), seg, hdr_len);
    wr16(seg + 16, csum_fold(csum_combine(sum, data_sum, hdr_len)));
}
