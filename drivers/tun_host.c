/* tun_host.c: the kernel's side of a TUN device: its address and link state, set over
 * rtnetlink (RTM_NEWLINK, RTM_NEWADDR), so one command suffices inside a namespace.
 * Read rtnetlink(7) and netlink(7) before changing. */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "synack_tun.h"

struct nl_req {
    struct nlmsghdr h;
    union {
        struct ifinfomsg link;
        struct ifaddrmsg addr;
    } u;
    uint8_t attrs[128];
};

static void add_attr(struct nl_req *r, uint16_t type, const void *data, uint16_t len)
{
    struct rtattr *a = (struct rtattr *)(void *)((uint8_t *)r + NLMSG_ALIGN(r->h.nlmsg_len));
    a->rta_type = type;
    a->rta_len = (uint16_t)RTA_LENGTH(len);
    memcpy(RTA_DATA(a), data, len);
    r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Sends one request and waits for its acknowledgement: 0 or the negative errno. */
static int nl_talk(struct nl_req *r)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -errno;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    r->h.nlmsg_seq = 1;
    int err = 0;
    if (sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
        err = -errno;
    while (!err) {
        union {
            struct nlmsghdr h;
            uint8_t b[4096];
        } buf;
        ssize_t n = recv(fd, &buf, sizeof(buf), 0);
        if (n < 0) {
            err = errno == EINTR ? 0 : -errno;
            if (err)
                break;
            continue;
        }
        struct nlmsghdr *h = &buf.h;
        size_t left = (size_t)n;
        for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_seq != 1 || h->nlmsg_type != NLMSG_ERROR)
                continue;
            const struct nlmsgerr *e = NLMSG_DATA(h);
            close(fd);
            return e->error; /* 0 is the acknowledgement */
        }
    }
    close(fd);
    return err;
}

static int link_up(int ifindex)
{
    struct nl_req r;
    memset(&r, 0, sizeof(r));
    r.h.nlmsg_len = NLMSG_LENGTH(sizeof(r.u.link));
    r.h.nlmsg_type = RTM_NEWLINK;
    r.u.link.ifi_family = AF_UNSPEC;
    r.u.link.ifi_index = ifindex;
    r.u.link.ifi_flags = IFF_UP;
    r.u.link.ifi_change = IFF_UP;
    return nl_talk(&r);
}

static int add_address(int ifindex, const struct synack_addr *addr, unsigned prefix_len)
{
    struct nl_req r;
    memset(&r, 0, sizeof(r));
    int v6 = addr->family == SYNACK_AF_INET6;
    uint16_t alen = v6 ? 16 : 4;
    r.h.nlmsg_len = NLMSG_LENGTH(sizeof(r.u.addr));
    r.h.nlmsg_type = RTM_NEWADDR;
    r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
    r.u.addr.ifa_family = v6 ? AF_INET6 : AF_INET;
    r.u.addr.ifa_prefixlen = (uint8_t)prefix_len;
    r.u.addr.ifa_index = (uint32_t)ifindex;
    r.u.addr.ifa_scope = RT_SCOPE_UNIVERSE;
    /* The address is usable at once: no duplicate address detection on a TUN link. */
    r.u.addr.ifa_flags = v6 ? IFA_F_NODAD : 0;
    add_attr(&r, IFA_LOCAL, addr->bytes, alen);
    add_attr(&r, IFA_ADDRESS, addr->bytes, alen);
    if (v6) {
        uint32_t flags = IFA_F_NODAD;
        add_attr(&r, IFA_FLAGS, &flags, sizeof(flags));
    }
    return nl_talk(&r);
}

int synack_tun_host_addr(const char *ifname, const struct synack_addr *addr,
                         unsigned prefix_len)
{
    int v6 = addr->family == SYNACK_AF_INET6;
    if (!v6 && addr->family != SYNACK_AF_INET)
        return -EAFNOSUPPORT;
    if (prefix_len > (v6 ? 128u : 32u))
        return -EINVAL;
    int ifindex = (int)if_nametoindex(ifname);
    if (!ifindex)
        return -ENODEV;
    int err = link_up(ifindex);
    if (!err)
        err = add_address(ifindex, addr, prefix_len);
    return err == -EEXIST ? 0 : err;
}
