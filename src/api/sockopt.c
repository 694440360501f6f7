/* sockopt.c: setsockopt/getsockopt for the SOL_SOCKET and IPPROTO_TCP options synack has.
 * Read socket(7) and tcp(7) (Linux's ranges and quirks, e.g. SO_SNDBUF doubling) and
 * RFC 1122 §4.2.3.6 (keepalive) before changing. */
#include <errno.h>
#include <string.h>

#include "tcp/tcp.h"

static int int_arg(const void *val, size_t len, int *out)
{
    if (!val || len < sizeof(int))
        return -EINVAL;
    memcpy(out, val, sizeof(int));
    return 0;
}

static int put_int(void *val, size_t *len, int v)
{
    if (!val || *len < sizeof(int))
        return -EINVAL;
    memcpy(val, &v, sizeof(int));
    *len = sizeof(int);
    return 0;
}

/* Like Linux: the value is doubled (room for bookkeeping) and clamped. */
static uint32_t buf_size(int v, uint32_t floor, uint32_t max)
{
    uint64_t d = v < 0 ? 0 : 2ull * (uint32_t)v;
    if (d > max)
        d = max;
    return d < floor ? floor : (uint32_t)d;
}

static int set_socket_level(struct synack_stack *st, struct tcp_sock *s, int name,
                            const void *val, size_t len)
{
    int v;
    if (name == SYNACK_SO_LINGER) {
        struct synack_linger l;
        if (!val || len < sizeof(l))
            return -EINVAL;
        memcpy(&l, val, sizeof(l));
        s->linger_on = l.l_onoff != 0;
        s->linger_s = l.l_linger < 0 ? 0 : l.l_linger;
        return 0;
    }
    if (int_arg(val, len, &v))
        return -EINVAL;
    switch (name) {
    case SYNACK_SO_REUSEADDR:
        s->reuseaddr = v != 0;
        return 0;
    case SYNACK_SO_OOBINLINE:
        s->oobinline = v != 0;
        return 0;
    case SYNACK_SO_KEEPALIVE:
        s->keepalive = v != 0;
        if (s->state == SYNACK_TCP_ESTABLISHED || s->state == SYNACK_TCP_CLOSE_WAIT) {
            s->last_rcv_ns = st->now;
            tcp_arm_keepalive(st, s);
        }
        return 0;
    case SYNACK_SO_SNDBUF:
        s->sndbuf = buf_size(v, 4608, st->cfg.tcp_wmem_max);
        s->sndbuf_locked = true;
        events_touch(st, s);
        return 0;
    case SYNACK_SO_RCVBUF:
        s->rcvbuf = buf_size(v, 2304, st->cfg.tcp_rmem_max);
        s->rcvbuf_locked = true;
        return 0;
    case SYNACK_SO_ERROR:
        return -ENOPROTOOPT; /* read only */
    }
    return -ENOPROTOOPT;
}

static int set_tcp_level(struct synack_stack *st, struct tcp_sock *s, int name, const void *val,
                         size_t len)
{
    int v;
    if (name == SYNACK_TCP_CONGESTION) {
        /* Like Linux: a name, not necessarily NUL-terminated within len. */
        char cname[16];
        if (!val || !len)
            return -EINVAL;
        size_t n = len < sizeof(cname) - 1 ? len : sizeof(cname) - 1;
        memcpy(cname, val, n);
        cname[n] = '\0';
        int algo = tcp_cc_by_name(cname);
        if (algo < 0)
            return -ENOENT;
        s->cc.algo = (uint8_t)algo;
        return 0;
    }
    if (int_arg(val, len, &v))
        return -EINVAL;
    switch (name) {
    case SYNACK_TCP_NODELAY:
        s->nodelay = v != 0;
        if (s->nodelay)
            tcp_output(st, s); /* like Linux: setting it pushes what Nagle held */
        return 0;
    case SYNACK_TCP_CORK:
        s->cork = v != 0;
        if (!s->cork) {
            /* Like Linux: clearing it pushes what it held. */
            if (s->rtx_kind == RTX_CORK) {
                timer_cancel(&st->wheel, &s->rtx_timer);
                s->rtx_kind = RTX_NONE;
            }
            s->push_once = true;
            tcp_output(st, s);
        }
        return 0;
    case SYNACK_TCP_MAXSEG:
        /* Like Linux: 88 (TCP_MIN_MSS) .. 65535 (MAX_TCP_WINDOW), before connecting. */
        if (v < 88 || v > 65535)
            return -EINVAL;
        s->user_mss = (uint16_t)v;
        return 0;
    case SYNACK_TCP_KEEPIDLE:
    case SYNACK_TCP_KEEPINTVL:
        if (v < 1 || v > 32767)
            return -EINVAL;
        if (name == SYNACK_TCP_KEEPIDLE)
            s->keepidle_ms = (uint32_t)v * 1000u;
        else
            s->keepintvl_ms = (uint32_t)v * 1000u;
        if (s->keepalive && s->state == SYNACK_TCP_ESTABLISHED)
            tcp_arm_keepalive(st, s);
        return 0;
    case SYNACK_TCP_KEEPCNT:
        if (v < 1 || v > 127)
            return -EINVAL;
        s->keepcnt = (uint8_t)v;
        return 0;
    case SYNACK_TCP_QUICKACK:
        /* Like Linux: 1 enters quick-ACK mode (and sends an owed ACK), 0 leaves it. */
        s->quickacks = v ? TCP_MAX_QUICKACKS : 0;
        s->pingpong = !v;
        if (v && timer_armed(&s->delack_timer))
            tcp_send_ack(st, s);
        return 0;
    case SYNACK_TCP_USER_TIMEOUT:
        if (v < 0)
            return -EINVAL;
        s->user_timeout_ms = (uint32_t)v;
        return 0;
    }
    return -ENOPROTOOPT;
}

int synack_setsockopt(struct synack_stack *st, int sd, int level, int name, const void *val,
                      size_t len)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    if (level == SYNACK_SOL_SOCKET)
        return set_socket_level(st, s, name, val, len);
    if (level == SYNACK_IPPROTO_TCP)
        return set_tcp_level(st, s, name, val, len);
    return -ENOPROTOOPT;
}

int synack_getsockopt(struct synack_stack *st, int sd, int level, int name, void *val,
                      size_t *len)
{
    struct tcp_sock *s = tcp_sock_by_sd(st, sd);
    if (!s)
        return -EBADF;
    if (level == SYNACK_SOL_SOCKET) {
        switch (name) {
        case SYNACK_SO_LINGER: {
            struct synack_linger l = {s->linger_on, s->linger_s};
            if (!val || *len < sizeof(l))
                return -EINVAL;
            memcpy(val, &l, sizeof(l));
            *len = sizeof(l);
            return 0;
        }
        case SYNACK_SO_REUSEADDR: return put_int(val, len, s->reuseaddr);
        case SYNACK_SO_OOBINLINE: return put_int(val, len, s->oobinline);
        case SYNACK_SO_KEEPALIVE: return put_int(val, len, s->keepalive);
        case SYNACK_SO_SNDBUF: return put_int(val, len, (int)s->sndbuf);
        case SYNACK_SO_RCVBUF: return put_int(val, len, (int)s->rcvbuf);
        case SYNACK_SO_ERROR: {
            int err = -s->err;
            s->err = 0;
            events_touch(st, s);
            return put_int(val, len, err);
        }
        }
        return -ENOPROTOOPT;
    }
    if (level != SYNACK_IPPROTO_TCP)
        return -ENOPROTOOPT;
    if (name == SYNACK_TCP_CONGESTION) {
        const char *cname = tcp_cc_name(s->cc.algo);
        size_t n = strlen(cname) + 1;
        if (!val || *len < n)
            return -EINVAL;
        memcpy(val, cname, n);
        *len = n;
        return 0;
    }
    switch (name) {
    case SYNACK_TCP_NODELAY: return put_int(val, len, s->nodelay);
    case SYNACK_TCP_CORK: return put_int(val, len, s->cork);
    case SYNACK_TCP_MAXSEG:
        /* Like Linux: the MSS in use once connected, else the user's or 536. */
        if (s->snd_mss && s->state != SYNACK_TCP_CLOSED && s->state != SYNACK_TCP_LISTEN)
            return put_int(val, len, s->snd_mss);
        return put_int(val, len, s->user_mss ? s->user_mss : 536);
    case SYNACK_TCP_KEEPIDLE: return put_int(val, len, (int)(s->keepidle_ms / 1000));
    case SYNACK_TCP_KEEPINTVL: return put_int(val, len, (int)(s->keepintvl_ms / 1000));
    case SYNACK_TCP_KEEPCNT: return put_int(val, len, s->keepcnt);
    case SYNACK_TCP_QUICKACK: return put_int(val, len, s->quickacks > 0);
    case SYNACK_TCP_USER_TIMEOUT: return put_int(val, len, (int)s->user_timeout_ms);
    }
    return -ENOPROTOOPT;
}
