/* test_tw_limit.c: TIME_WAIT entries are compact, bounded by max_tw_buckets, and a
 * connection that finds the table full is closed at once and counted (issue 4 item 9,
 * Linux's "time wait bucket table overflow").  Two stacks over a memlink. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "synack.h"
#include "synack_memlink.h"

static struct synack_sockaddr sa(const char *ip, uint16_t port)
{
    struct synack_sockaddr a;
    memset(&a, 0, sizeof(a));
    synack_addr_parse(ip, &a.addr);
    a.port = port;
    return a;
}

int main(void)
{
    struct synack_settings cs, ss;
    synack_settings_default(&cs);
    synack_settings_default(&ss);
    cs.seed = 1;
    ss.seed = 2;
    cs.max_tw_buckets = 2; /* the client closes first: TIME_WAIT lands there */
    struct synack_stack *c, *s;
    CHECK_EQ(synack_stack_create(&cs, &c), 0);
    CHECK_EQ(synack_stack_create(&ss, &s), 0);
    struct synack_memlink *m;
    CHECK_EQ(synack_memlink_create(7, &m), 0);
    struct synack_sockaddr ca = sa("198.18.0.1", 0), sv = sa("198.18.0.2", 80);
    synack_stack_add_addr(c, &ca.addr, 24);
    synack_stack_add_addr(s, &sv.addr, 24);
    synack_memlink_add_host(m, c, 1500);
    synack_memlink_add_host(m, s, 1500);

    int l = synack_socket(s, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
    CHECK_EQ(synack_bind(s, l, &sv), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    for (int i = 0; i < 3; i++) {
        int cl = synack_socket(c, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
        CHECK_EQ(synack_connect(c, cl, &sv), -EINPROGRESS);
        synack_memlink_run(m, synack_memlink_now(m) + 100000000ull, NULL, NULL);
        int a = synack_accept(s, l, NULL);
        CHECK(a >= 0);
        CHECK_EQ(synack_close(c, cl), 0); /* active close: FIN_WAIT_1 ... TIME_WAIT */
        synack_memlink_run(m, synack_memlink_now(m) + 100000000ull, NULL, NULL);
        CHECK_EQ(synack_close(s, a), 0);
        synack_memlink_run(m, synack_memlink_now(m) + 100000000ull, NULL, NULL);
    }
    struct synack_pool_stats p[8];
    int n = synack_stack_pools(c, p, 8);
    int tw = -1;
    for (int i = 0; i < n; i++)
        if (!strcmp(p[i].name, "time_wait"))
            tw = i;
    CHECK(tw >= 0);
    CHECK_EQ(p[tw].capacity, 2);
    CHECK_EQ(p[tw].in_use, 2);  /* two in TIME_WAIT ... */
    CHECK_EQ(p[tw].refused, 1); /* ... the third found the table full */
    struct synack_counters k;
    synack_stack_counters(c, &k);
    CHECK_EQ(k.drops[SYNACK_DROP_TW_FULL], 1);
    /* 2MSL later every pool of both stacks is empty. */
    synack_memlink_run(m, synack_memlink_now(m) + 61000000000ull, NULL, NULL);
    for (int h = 0; h < 2; h++) {
        n = synack_stack_pools(h ? s : c, p, 8);
        for (int i = 0; i < n; i++)
            if (strcmp(p[i].name, "sockets") || h == 0)
                CHECK_EQ(p[i].in_use, 0);
    }
    CHECK_EQ(synack_close(s, l), 0);
    n = synack_stack_pools(s, p, 8);
    for (int i = 0; i < n; i++)
        CHECK_EQ(p[i].in_use, 0);
    synack_memlink_destroy(m);
    synack_stack_destroy(c);
    synack_stack_destroy(s);
    return check_done();
}
