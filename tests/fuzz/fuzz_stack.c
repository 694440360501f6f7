/* fuzz_stack.c: libFuzzer target for synack_stack_input: arbitrary bytes, split into
 * packets, fed to a stack that listens on port 80 and has a connection opening, at
 * advancing times.  Nothing may crash, leak, or trip a sanitizer. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "synack.h"
#include "wire/bytes.h"
#include "wire/checksum.h"
#include "wire/ip.h"
#include "wire/tcp.h"

static void tx(void *user, const uint8_t *pkt, size_t len)
{
    (void)user;
    (void)pkt;
    (void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Random bytes almost never carry valid checksums, so the harness repairs the IPv4
 * header and TCP checksums of a copy (when the lengths allow) to let mutations reach
 * TCP; the unrepaired packet is fed too, for the drop paths. */
static size_t repair(uint8_t *p, size_t len)
{
    if (len < 20 || (p[0] >> 4) != 4)
        return len;
    size_t ihl = (size_t)(p[0] & 0xf) * 4, total = rd16(p + 2);
    if (ihl < 20 || ihl > len || total < ihl || total > len)
        return len;
    wr16(p + 10, 0);
    wr16(p + 10, csum(p, ihl));
    if (p[9] == IPPROTO_TCP_ && total - ihl >= 20) {
        struct synack_addr s, d;
        memset(&s, 0, sizeof(s));
        memset(&d, 0, sizeof(d));
        s.family = d.family = SYNACK_AF_INET;
        memcpy(s.bytes, p + 12, 4);
        memcpy(d.bytes, p + 16, 4);
        wire_tcp_set_csum(p + ihl, total - ihl, &s, &d);
    }
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct synack_settings s;
    synack_settings_default(&s);
    s.max_sockets = 8;
    s.max_half_open = 8;
    s.max_tw_buckets = 8;
    s.buf_chunks = 8;
    s.tcp_max_syn_backlog = 4;
    struct synack_stack *st;
    if (synack_stack_create(&s, &st))
        return 0;
    struct synack_link link = {.mtu = 1500, .tx = tx};
    synack_stack_attach_link(st, &link);
    struct synack_addr a4, a6, peer;
    synack_addr_parse("198.18.0.2", &a4);
    synack_addr_parse("2001:db8::2", &a6);
    synack_addr_parse("198.18.0.1", &peer);
    synack_stack_add_addr(st, &a4, 24);
    synack_stack_add_addr(st, &a6, 64);
    int l = synack_socket(st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = {.addr = a4, .port = 80};
    synack_bind(st, l, &la);
    synack_listen(st, l, 4);
    int c = synack_socket(st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    struct synack_sockaddr pa = {.addr = peer, .port = 80};
    synack_connect(st, c, &pa);

    /* Each packet: a 2-byte length, then that many bytes. */
    uint64_t now = 0;
    while (size >= 2) {
        size_t len = ((size_t)data[0] << 8 | data[1]) % 1600;
        data += 2;
        size -= 2;
        if (len > size)
            len = size;
        now += 7000000;
        synack_stack_input(st, now, data, len);
        uint8_t fixed[1600];
        memcpy(fixed, data, len);
        synack_stack_input(st, now, fixed, repair(fixed, len));
        synack_stack_poll(st, now);
        int a = synack_accept(st, l, NULL);
        if (a >= 0) {
            uint8_t buf[256];
            synack_recv(st, a, buf, sizeof(buf), 0);
            synack_send(st, a, "x", 1, 0);
            synack_close(st, a);
        }
        data += len;
        size -= len;
    }
    synack_stack_poll(st, now + 3600ull * 1000000000ull);
    synack_stack_destroy(st);
    return 0;
}
