/* fuzz_tcp.c: libFuzzer target for the TCP parser and builder: parse, rebuild, reparse.
 * Read src/wire/tcp.h, RFC 9293 §3.1-3.2, RFC 7323 §2-3 and RFC 2018 §3 before changing. */
#include <stdlib.h>
#include <string.h>

#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/ip.h"
#include "wire/tcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct synack_addr S4 = {SYNACK_AF_INET, {198, 18, 0, 1}};
static const struct synack_addr D4 = {SYNACK_AF_INET, {198, 18, 0, 2}};
static const struct synack_addr S6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
static const struct synack_addr D6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};

static void check(const uint8_t *seg, size_t len, int rc, const struct wire_tcp *t)
{
    const struct wire_tcp_opts *o = &t->opts;

    if (rc < 0 || rc >= SYNACK_DROP__COUNT)
        abort();
    if (rc != 0)
        return;
    if (t->hdr_len < TCP_HDR_LEN || t->hdr_len > TCP_HDR_LEN + TCP_MAX_OPT_LEN ||
        t->hdr_len % 4 || t->hdr_len > len || t->payload != seg + t->hdr_len ||
        t->payload_len != len - t->hdr_len)
        abort();
    if (o->wscale > TCP_MAX_WSCALE || o->sack_n > TCP_MAX_SACK_BLOCKS ||
        ((o->has & OPT_SACK) != 0) != (o->sack_n > 0))
        abort();
}

/* Rebuilds the segment from the parsed fields (over IPv6 this time) and parses it
 * again: everything agrees, except SACK blocks the builder had no room for. */
static void rebuild(const struct wire_tcp *t)
{
    struct wire_tcp_out out = {t->sport, t->dport, t->seq, t->ack, t->flags, t->win, t->urp,
                               &t->opts};
    size_t cap = TCP_HDR_LEN + TCP_MAX_OPT_LEN + t->payload_len, hl;
    uint8_t *seg = malloc(cap);
    const struct wire_tcp_opts *a = &t->opts, *b;
    struct wire_tcp again;

    if (!seg)
        abort();
    hl = wire_tcp_build_hdr(seg, cap, &out);
    if (hl < TCP_HDR_LEN || hl % 4)
        abort();
    memcpy(seg + hl, t->payload, t->payload_len);
    wire_tcp_set_csum(seg, hl + t->payload_len, &S6, &D6);
    if (wire_tcp_parse(seg, hl + t->payload_len, &S6, &D6, true, &again) != 0)
        abort();
    check(seg, hl + t->payload_len, 0, &again);
    b = &again.opts;
    if (again.sport != t->sport || again.dport != t->dport || again.seq != t->seq ||
        again.ack != t->ack || again.flags != t->flags || again.win != t->win ||
        again.urp != t->urp || again.payload_len != t->payload_len ||
        memcmp(again.payload, t->payload, t->payload_len))
        abort();
    if ((a->has & ~OPT_SACK) != (b->has & ~OPT_SACK) ||
        ((a->has & OPT_MSS) && a->mss != b->mss) ||
        ((a->has & OPT_WSCALE) && a->wscale != b->wscale) ||
        ((a->has & OPT_TS) && (a->ts_val != b->ts_val || a->ts_ecr != b->ts_ecr)))
        abort();
    /* Blocks are dropped from the end, and only when one more would not fit. */
    if (b->sack_n > a->sack_n ||
        (b->sack_n < a->sack_n && hl - TCP_HDR_LEN + 8 <= TCP_MAX_OPT_LEN))
        abort();
    for (int i = 0; i < b->sack_n; i++)
        if (a->sack[i].start != b->sack[i].start || a->sack[i].end != b->sack[i].end)
            abort();
    free(seg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wire_tcp t, tv;
    int rc = wire_tcp_parse(data, size, &S4, &D4, false, &t);
    int rcv = wire_tcp_parse(data, size, &S4, &D4, true, &tv);

    check(data, size, rc, &t);
    check(data, size, rcv, &tv);
    /* Verifying can only add BAD_CSUM; the other reasons are found either way. */
    if (rcv != rc && rcv != SYNACK_DROP_BAD_CSUM)
        abort();
    if (rc == 0)
        rebuild(&t);

    /* Random input rarely has a good checksum: fix it in a copy to verify further. */
    if (size >= TCP_HDR_LEN) {
        uint8_t *copy = malloc(size);

        if (!copy)
            abort();
        memcpy(copy, data, size);
        wire_tcp_set_csum(copy, size, &S4, &D4);
        if (wire_tcp_parse(copy, size, &S4, &D4, true, &tv) != rc)
            abort();
        free(copy);
    }
    return 0;
}
