/* two_hosts.h: the set-up unit tests over a memlink share: a client stack 198.18.0.1
 * and a server stack 198.18.0.2 on one memlink, Linux-default settings unless adjusted. */
#ifndef SYNACK_TEST_TWO_HOSTS_H
#define SYNACK_TEST_TWO_HOSTS_H

#include <string.h>

#include "check.h"
#include "synack.h"
#include "synack_memlink.h"

struct two_hosts {
    struct synack_stack *c, *s;
    struct synack_memlink *m;
    struct synack_sockaddr ca, sv; /* the client's address (port 0), the server's :80 */
    int host_c, host_s;
};

static inline struct synack_sockaddr two_hosts_sockaddr(const char *ip, uint16_t port)
{
    struct synack_sockaddr a;
    memset(&a, 0, sizeof(a));
    synack_addr_parse(ip, &a.addr);
    a.port = port;
    return a;
}

/* Linux-default settings for both, seeded 1 (client) and 2 (server). */
static inline void two_hosts_settings(struct synack_settings *cs, struct synack_settings *ss)
{
    synack_settings_default(cs);
    synack_settings_default(ss);
    cs->seed = 1;
    ss->seed = 2;
}

/* cs and ss: the client's and the server's settings (seeds included). */
static inline void two_hosts_init(struct two_hosts *h, const struct synack_settings *cs,
                                  const struct synack_settings *ss, uint64_t link_seed)
{
    CHECK_EQ(synack_stack_create(cs, &h->c), 0);
    CHECK_EQ(synack_stack_create(ss, &h->s), 0);
    CHECK_EQ(synack_memlink_create(link_seed, &h->m), 0);
    h->ca = two_hosts_sockaddr("198.18.0.1", 0);
    h->sv = two_hosts_sockaddr("198.18.0.2", 80);
    synack_stack_add_addr(h->c, &h->ca.addr, 24);
    synack_stack_add_addr(h->s, &h->sv.addr, 24);
    h->host_c = synack_memlink_add_host(h->m, h->c, 1500);
    h->host_s = synack_memlink_add_host(h->m, h->s, 1500);
}

static inline void two_hosts_free(struct two_hosts *h)
{
    synack_memlink_destroy(h->m);
    synack_stack_destroy(h->c);
    synack_stack_destroy(h->s);
}

#endif
