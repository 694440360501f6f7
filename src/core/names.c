/* names.c: the one table of names for errors, drop reasons and TCP states.
 * Read DESIGN.md "Errors" before changing: one table maps codes to names. */
#include <errno.h>

#include "synack.h"

const char *synack_strerror(int err)
{
    if (err < 0)
        err = -err;
    switch (err) {
    case 0: return "success";
    case ECONNREFUSED: return "ECONNREFUSED: connection refused";
    case ECONNRESET: return "ECONNRESET: connection reset by peer";
    case ETIMEDOUT: return "ETIMEDOUT: connection timed out";
    case EPIPE: return "EPIPE: broken pipe";
    case EHOSTUNREACH: return "EHOSTUNREACH: no route to host";
    case ENETUNREACH: return "ENETUNREACH: network is unreachable";
    case EADDRINUSE: return "EADDRINUSE: address already in use";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL: cannot assign requested address";
    case EAGAIN: return "EAGAIN: resource temporarily unavailable";
    case ENOTCONN: return "ENOTCONN: transport endpoint is not connected";
    case EISCONN: return "EISCONN: transport endpoint is already connected";
    case EINPROGRESS: return "EINPROGRESS: operation now in progress";
    case EALREADY: return "EALREADY: operation already in progress";
    case EINVAL: return "EINVAL: invalid argument";
    case EBADF: return "EBADF: bad socket";
    case EMFILE: return "EMFILE: too many open sockets";
    case ENOMEM: return "ENOMEM: out of memory";
    case ENOBUFS: return "ENOBUFS: no buffer space available";
    case ENOPROTOOPT: return "ENOPROTOOPT: protocol not available";
    case EAFNOSUPPORT: return "EAFNOSUPPORT: address family not supported";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT: protocol not supported";
    case EOPNOTSUPP: return "EOPNOTSUPP: operation not supported";
    case ECONNABORTED: return "ECONNABORTED: software caused connection abort";
    case EPROTO: return "EPROTO: protocol error";
    case EMSGSIZE: return "EMSGSIZE: message too long";
    case EEXIST: return "EEXIST: already exists";
    case ENOSPC: return "ENOSPC: no space left";
    default: return "unknown error";
    }
}

static const char *const drop_names[SYNACK_DROP__COUNT] = {
    [SYNACK_DROP_NONE] = "none",
    [SYNACK_DROP_TRUNCATED] = "truncated",
    [SYNACK_DROP_BAD_VERSION] = "bad_version",
    [SYNACK_DROP_BAD_HDR_LEN] = "bad_hdr_len",
    [SYNACK_DROP_BAD_TOTAL_LEN] = "bad_total_len",
    [SYNACK_DROP_BAD_CSUM] = "bad_csum",
    [SYNACK_DROP_FRAGMENT] = "fragment",
    [SYNACK_DROP_NOT_FOR_US] = "not_for_us",
    [SYNACK_DROP_BAD_SRC] = "bad_src",
    [SYNACK_DROP_UNKNOWN_PROTO] = "unknown_proto",
    [SYNACK_DROP_BAD_DATA_OFF] = "bad_data_off",
    [SYNACK_DROP_BAD_OPTION] = "bad_option",
    [SYNACK_DROP_BAD_FLAGS] = "bad_flags",
    [SYNACK_DROP_BAD_PORT] = "bad_port",
    [SYNACK_DROP_NO_LISTENER] = "no_listener",
    [SYNACK_DROP_OUT_OF_WINDOW] = "out_of_window",
    [SYNACK_DROP_OUT_OF_ORDER] = "out_of_order",
    [SYNACK_DROP_BAD_ACK] = "bad_ack",
    [SYNACK_DROP_PAWS] = "paws",
    [SYNACK_DROP_RST_IGNORED] = "rst_ignored",
    [SYNACK_DROP_SYN_QUEUE_FULL] = "syn_queue_full",
    [SYNACK_DROP_ACCEPT_QUEUE_FULL] = "accept_queue_full",
    [SYNACK_DROP_BAD_COOKIE] = "bad_cookie",
    [SYNACK_DROP_NO_MEMORY] = "no_memory",
    [SYNACK_DROP_RCV_BUF_FULL] = "rcv_buf_full",
    [SYNACK_DROP_ICMP_BAD] = "icmp_bad",
    [SYNACK_DROP_TW_FULL] = "tw_full",
};

const char *synack_drop_name(int reason)
{
    if (reason < 0 || reason >= SYNACK_DROP__COUNT || !drop_names[reason])
        return "?";
    return drop_names[reason];
}

static const char *const state_names[SYNACK_TCP__STATE_COUNT] = {
    "CLOSED",     "LISTEN",    "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

const char *synack_tcp_state_name(int state)
{
    if (state < 0 || state >= SYNACK_TCP__STATE_COUNT)
        return "?";
    return state_names[state];
}
