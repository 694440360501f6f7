/* addr.c: text forms of IPv4/IPv6 addresses and address comparison.
 * Read RFC 5952 (IPv6 text form) before changing. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "synack.h"

int synack_addr_parse(const char *text, struct synack_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, text, out->bytes) == 1) {
        out->family = SYNACK_AF_INET;
        return 0;
    }
    if (inet_pton(AF_INET6, text, out->bytes) == 1) {
        out->family = SYNACK_AF_INET6;
        return 0;
    }
    memset(out, 0, sizeof(*out));
    return -EINVAL;
}

char *synack_addr_format(const struct synack_addr *addr, char *buf, size_t len)
{
    int af = addr->family == SYNACK_AF_INET6 ? AF_INET6 : AF_INET;
    if (addr->family == SYNACK_AF_UNSPEC || !inet_ntop(af, addr->bytes, buf, (socklen_t)len)) {
        if (len)
            buf[0] = '\0';
        if (len > 1 && addr->family == SYNACK_AF_UNSPEC)
            strncpy(buf, "*", len);
    }
    return buf;
}

int synack_addr_equal(const struct synack_addr *a, const struct synack_addr *b)
{
    size_t n = a->family == SYNACK_AF_INET ? 4 : 16;
    return a->family == b->family && memcmp(a->bytes, b->bytes, n) == 0;
}
