/* symbols.c: the names scripts use for constants (Linux's values: socket, option, poll and
 * fcntl constants), for errno values (the host's, which synack returns), and for ICMP types
 * and codes (packetdrill's names).  Read pkt.h and RFC 792 / RFC 4443 before changing it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pkt/pkt.h"
#include "wire/icmp.h"

struct sym {
    const char *name;
    int64_t value;
};

/* Linux's values, as packetdrill scripts written on Linux mean them.  Socket-option values
 * equal synack's SYNACK_* constants (synack.h chose Linux's numbers). */
static const struct sym consts[] = {
    {"AF_UNSPEC", 0}, {"AF_INET", 2}, {"AF_INET6", 10}, {"PF_INET", 2}, {"PF_INET6", 10},
    {"SOCK_STREAM", 1}, {"SOCK_DGRAM", 2}, {"SOCK_NONBLOCK", 04000},
    {"SOCK_CLOEXEC", 02000000},
    {"IPPROTO_IP", 0}, {"IPPROTO_TCP", 6}, {"IPPROTO_UDP", 17}, {"IPPROTO_IPV6", 41},
    {"SOL_SOCKET", 1}, {"SOL_TCP", 6}, {"SOL_IP", 0}, {"SOL_IPV6", 41},
    {"SO_DEBUG", 1}, {"SO_REUSEADDR", 2}, {"SO_TYPE", 3}, {"SO_ERROR", 4},
    {"SO_DONTROUTE", 5}, {"SO_BROADCAST", 6}, {"SO_SNDBUF", 7}, {"SO_RCVBUF", 8},
    {"SO_KEEPALIVE", 9}, {"SO_OOBINLINE", 10}, {"SO_LINGER", 13}, {"SO_REUSEPORT", 15},
    {"SO_RCVLOWAT", 18}, {"SO_SNDLOWAT", 19},
    {"TCP_NODELAY", 1}, {"TCP_MAXSEG", 2}, {"TCP_CORK", 3}, {"TCP_KEEPIDLE", 4},
    {"TCP_KEEPINTVL", 5}, {"TCP_KEEPCNT", 6}, {"TCP_SYNCNT", 7}, {"TCP_LINGER2", 8},
    {"TCP_DEFER_ACCEPT", 9}, {"TCP_WINDOW_CLAMP", 10}, {"TCP_INFO", 11},
    {"TCP_QUICKACK", 12}, {"TCP_CONGESTION", 13}, {"TCP_USER_TIMEOUT", 18},
    {"SHUT_RD", 0}, {"SHUT_WR", 1}, {"SHUT_RDWR", 2},
    {"MSG_OOB", 0x1}, {"MSG_PEEK", 0x2}, {"MSG_DONTROUTE", 0x4}, {"MSG_DONTWAIT", 0x40},
    {"MSG_WAITALL", 0x100}, {"MSG_NOSIGNAL", 0x4000}, {"MSG_MORE", 0x8000},
    {"F_GETFD", 1}, {"F_SETFD", 2}, {"F_GETFL", 3}, {"F_SETFL", 4}, {"FD_CLOEXEC", 1},
    {"O_RDONLY", 0}, {"O_WRONLY", 1}, {"O_RDWR", 2}, {"O_NONBLOCK", 04000},
    {"POLLIN", 0x1}, {"POLLPRI", 0x2}, {"POLLOUT", 0x4}, {"POLLERR", 0x8},
    {"POLLHUP", 0x10}, {"POLLNVAL", 0x20}, {"POLLRDNORM", 0x40}, {"POLLRDBAND", 0x80},
    {"POLLWRNORM", 0x100}, {"POLLWRBAND", 0x200}, {"POLLRDHUP", 0x2000},
    {"INADDR_ANY", 0}, {"NULL", 0},
    /* TCP states, for getsockopt(TCP_INFO)-style comparisons */
    {"TCP_ESTABLISHED", 1}, {"TCP_SYN_SENT", 2}, {"TCP_SYN_RECV", 3}, {"TCP_FIN_WAIT1", 4},
    {"TCP_FIN_WAIT2", 5}, {"TCP_TIME_WAIT", 6}, {"TCP_CLOSE", 7}, {"TCP_CLOSE_WAIT", 8},
    {"TCP_LAST_ACK", 9}, {"TCP_LISTEN", 10}, {"TCP_CLOSING", 11},
};

#define E(x) {#x, x}
static const struct sym errnos[] = {
    E(EPERM), E(ENOENT), E(EINTR), E(EIO), E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES),
    E(EFAULT), E(EBUSY), E(EEXIST), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOSPC), E(EPIPE),
    E(ERANGE), E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT),
    E(EPROTONOSUPPORT), E(EOPNOTSUPP), E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL),
    E(ENETDOWN), E(ENETUNREACH), E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS),
    E(EISCONN), E(ENOTCONN), E(ESHUTDOWN), E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN),
    E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS), E(EPROTO), E(ENOSYS),
    {"EWOULDBLOCK", EWOULDBLOCK},
};
#undef E

int pkt_symbol(const char *name, int64_t *out)
{
    for (size_t i = 0; i < sizeof(consts) / sizeof(consts[0]); i++) {
        if (strcmp(consts[i].name, name) == 0) {
            *out = consts[i].value;
            return 0;
        }
    }
    for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
        if (strcmp(errnos[i].name, name) == 0) {
            *out = errnos[i].value;
            return 0;
        }
    }
    return -1;
}

const char *pkt_errno_name(int err)
{
    for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
        if (errnos[i].value == err)
            return errnos[i].name;
    return NULL;
}

struct code_name {
    uint8_t code;
    const char *name;
};
struct type_name {
    uint8_t type;
    const char *name;
    const struct code_name *codes;
};

static const struct code_name unreach4[] = {
    {ICMP4_NET_UNREACH, "net_unreachable"}, {ICMP4_HOST_UNREACH, "host_unreachable"},
    {ICMP4_PROTO_UNREACH, "protocol_unreachable"}, {ICMP4_PORT_UNREACH, "port_unreachable"},
    {ICMP4_FRAG_NEEDED, "frag_needed"}, {ICMP4_SRC_ROUTE_FAILED, "source_route_failed"},
    {ICMP4_NET_UNKNOWN, "net_unknown"}, {ICMP4_HOST_UNKNOWN, "host_unknown"},
    {8, "source_host_isolated"}, {ICMP4_NET_PROHIB, "net_prohibited"},
    {ICMP4_HOST_PROHIB, "host_prohibited"}, {11, "net_unreachable_for_tos"},
    {12, "host_unreachable_for_tos"}, {ICMP4_ADMIN_PROHIB, "packet_filtered"},
    {14, "precedence_violation"}, {15, "precedence_cutoff"}, {0, NULL},
};
static const struct type_name types4[] = {
    {ICMP4_ECHO_REPLY, "echo_reply", NULL}, {ICMP4_DEST_UNREACH, "unreachable", unreach4},
    {4, "source_quench", NULL}, {5, "redirect", NULL}, {ICMP4_ECHO_REQUEST, "echo_request", NULL},
    {ICMP4_TIME_EXCEEDED, "time_exceeded", NULL}, {ICMP4_PARAM_PROBLEM, "parameter_problem", NULL},
    {0, NULL, NULL},
};
static const struct code_name unreach6[] = {
    {ICMP6_NO_ROUTE, "no_route"}, {ICMP6_NO_ROUTE, "net_unreachable"},
    {ICMP6_ADMIN_PROHIB, "admin_prohibited"}, {2, "not_neighbour"},
    {ICMP6_ADDR_UNREACH, "address_unreachable"}, {ICMP6_ADDR_UNREACH, "host_unreachable"},
    {ICMP6_PORT_UNREACH, "port_unreachable"}, {0, NULL},
};
static const struct code_name exceeded6[] = {
    {0, "exceeded_hop_limit"}, {1, "exceeded_frag_time"}, {0, NULL},
};
static const struct code_name param6[] = {
    {0, "header_field"}, {1, "unknown_next_header"}, {2, "unknown_option"}, {0, NULL},
};
static const struct type_name types6[] = {
    {ICMP6_DEST_UNREACH, "unreachable", unreach6}, {ICMP6_PACKET_TOO_BIG, "packet_too_big", NULL},
    {ICMP6_TIME_EXCEEDED, "time_exceeded", exceeded6},
    {ICMP6_PARAM_PROBLEM, "parameter_problem", param6},
    {ICMP6_ECHO_REQUEST, "echo_request", NULL}, {ICMP6_ECHO_REPLY, "echo_reply", NULL},
    {0, NULL, NULL},
};

int pkt_icmp_lookup(int family, const char *type, const char *code, uint8_t *t, uint8_t *c)
{
    const struct type_name *types = family == SYNACK_AF_INET6 ? types6 : types4;
    const struct code_name *codes = NULL;
    unsigned v;
    char tail;
    int found = 0;
    if (sscanf(type, "type_%u%c", &v, &tail) == 1 && v < 256) {
        *t = (uint8_t)v;
        found = 1;
    }
    for (int i = 0; !found && types[i].name; i++) {
        if (strcmp(types[i].name, type) == 0) {
            *t = types[i].type;
            codes = types[i].codes;
            found = 1;
        }
    }
    if (!found)
        return -1;
    *c = 0;
    if (!code)
        return 0;
    if (sscanf(code, "code_%u%c", &v, &tail) == 1 && v < 256) {
        *c = (uint8_t)v;
        return 0;
    }
    for (int i = 0; codes && codes[i].name; i++) {
        if (strcmp(codes[i].name, code) == 0) {
            *c = codes[i].code;
            return 0;
        }
    }
    return -1;
}
