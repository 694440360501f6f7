/* fuzz_icmp.c: libFuzzer target for the ICMPv4 and ICMPv6 parsers and builder.
 * Read src/wire/icmp.h, RFC 792, RFC 1191 §4 and RFC 4443 §2-4 before changing. */
#include <stdlib.h>
#include <string.h>

#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/icmp.h"
#include "wire/ip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct synack_addr S6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
static const struct synack_addr D6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};

static void check(const uint8_t *msg, size_t len, uint8_t family, int rc,
                  const struct wire_icmp *m)
{
    if (rc < 0 || rc >= SYNACK_DROP__COUNT)
        abort();
    if (rc != 0)
        return;
    if (m->family != family || m->type != msg[0] || m->code != msg[1] ||
        m->data != msg + 8 || m->data_len != len - 8)
        abort();
    if (m->is_error && (m->quote.src.family != family || m->quote.dst.family != family ||
                        m->data_len < (family == SYNACK_AF_INET ? 28u : 48u)))
        abort();
    if (!m->is_error && (m->mtu != 0 || m->quote.proto != 0))
        abort();
}

/* Parses a copy whose checksum was made right, and checks that building the same
 * message again gives the same bytes. */
static void fixed(const uint8_t *data, size_t size, uint8_t family)
{
    const struct synack_addr *src = family == SYNACK_AF_INET6 ? &S6 : NULL;
    const struct synack_addr *dst = family == SYNACK_AF_INET6 ? &D6 : NULL;
    uint8_t *copy = malloc(size), *again = malloc(size);
    struct wire_icmp m;
    int rc;

    if (!copy || !again)
        abort();
    memcpy(copy, data, size);
    wr16(copy + 2, 0);
    wr16(copy + 2, csum_fold(csum_add(src ? csum_pseudo(src, dst, IPPROTO_ICMPV6_,
                                                         (uint32_t)size)
                                          : 0,
                                      copy, size)));
    rc = family == SYNACK_AF_INET6 ? wire_icmp6_parse(copy, size, src, dst, &m)
                                   : wire_icmp4_parse(copy, size, &m);
    if (rc == SYNACK_DROP_BAD_CSUM)
        abort();
    check(copy, size, family, rc, &m);
    if (wire_icmp_build(again, size, family, copy[0], copy[1], rd32(copy + 4), copy + 8,
                        size - 8, src, dst) != size ||
        memcmp(again, copy, size) != 0)
        abort();
    free(again);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wire_icmp m;

    check(data, size, SYNACK_AF_INET, wire_icmp4_parse(data, size, &m), &m);
    check(data, size, SYNACK_AF_INET6, wire_icmp6_parse(data, size, &S6, &D6, &m), &m);
    if (size >= 8 && size <= 0xffff) {
        fixed(data, size, SYNACK_AF_INET);
        fixed(data, size, SYNACK_AF_INET6);
    }
    return 0;
}
