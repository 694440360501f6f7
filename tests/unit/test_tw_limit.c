/* test_tw_limit.c: TIME_WAIT entries are compact, bounded by max_tw_buckets, and a
 * connection that finds the table full is closed at once and counted (issue 4 item 9,
 * Linux's "time wait bucket table overflow").  Two stacks over a memlink. */
#include <errno.h>
#include <string.h>

#include "two_hosts.h"

int main(void)
{
    struct synack_settings cs, ss;
    two_hosts_settings(&cs, &ss);
    cs.max_tw_buckets = 2; /* the client closes first: TIME_WAIT lands there */
    struct two_hosts h2;
    two_hosts_init(&h2, &cs, &ss, 7);
    struct synack_stack *c = h2.c, *s = h2.s;
    struct synack_memlink *m = h2.m;
    struct synack_sockaddr sv = h2.sv;

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
    two_hosts_free(&h2);
    return check_done();
}
