/* fuzz_ip.c: libFuzzer target for the IPv4 and IPv6 header parsers and builder.
 * Read src/wire/ip.h, RFC 791 §3.1 and RFC 8200 §3-4 before changing. */
#include <stdlib.h>
#include <string.h>

#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/ip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The invariants of a parse result; abort() shows the fuzzer a finding. */
static void check(const uint8_t *p, size_t len, int rc, const struct wire_ip *ip)
{
    if (rc < 0 || rc >= SYNACK_DROP__COUNT)
        abort();
    if (rc != 0)
        return;
    if (ip->version != p[0] >> 4 || ip->src.family != ip->version ||
        ip->dst.family != ip->version || ip->hdr != p || ip->payload != p + ip->hdr_len ||
        ip->hdr_len > len || ip->payload_len > len - ip->hdr_len)
        abort();
    if (ip->version == 4 && (ip->hdr_len < 20 || ip->hdr_len > 60 || ip->hdr_len % 4))
        abort();
    if (ip->version == 6 && (ip->hdr_len < 40 || ip->id != 0 || ip->df))
        abort();
}

/* Builds a header from what was parsed, then parses that again: the fields agree.
 * Not for IPv6 fragments: their protocol may name another extension header. */
static void rebuild(const struct wire_ip *ip)
{
    struct wire_ip_out h = {ip->src, ip->dst, ip->proto, ip->ttl, ip->tos, ip->id, ip->df};
    size_t cap = 40 + ip->payload_len, hl;
    uint8_t *buf;
    struct wire_ip again;

    if (ip->version == 6 && ip->fragment)
        return;
    buf = malloc(cap);
    if (!buf)
        abort();
    hl = wire_ip_build(buf, cap, &h, ip->payload_len);
    if (hl == 0)
        abort();
    memcpy(buf + hl, ip->payload, ip->payload_len);
    if (wire_ip_parse(buf, hl + ip->payload_len, &again) != 0)
        abort();
    check(buf, hl + ip->payload_len, 0, &again);
    if (memcmp(&again.src, &ip->src, sizeof ip->src) ||
        memcmp(&again.dst, &ip->dst, sizeof ip->dst) || again.ttl != ip->ttl ||
        again.tos != ip->tos || again.id != ip->id || again.df != ip->df ||
        again.proto != ip->proto || again.fragment || again.payload_len != ip->payload_len ||
        memcmp(again.payload, ip->payload, ip->payload_len))
        abort();
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wire_ip ip;
    int rc;

    rc = wire_ip_parse(data, size, &ip);
    check(data, size, rc, &ip);
    if (rc == 0)
        rebuild(&ip);
    check(data, size, wire_ipv4_parse(data, size, &ip), &ip);
    check(data, size, wire_ipv6_parse(data, size, &ip), &ip);

    /* Random IPv4 headers rarely carry a good checksum: fix it in a copy to go deeper. */
    if (size >= 20 && data[0] >> 4 == 4 && (size_t)(data[0] & 0x0f) * 4 <= size) {
        size_t ihl = (size_t)(data[0] & 0x0f) * 4;
        uint8_t *copy = malloc(size);

        if (!copy)
            abort();
        memcpy(copy, data, size);
        wr16(copy + 10, 0);
        wr16(copy + 10, csum(copy, ihl));
        rc = wire_ipv4_parse(copy, size, &ip);
        if (rc == SYNACK_DROP_BAD_CSUM)
            abort();
        check(copy, size, rc, &ip);
        if (rc == 0)
            rebuild(&ip);
        free(copy);
    }
    return 0;
}
