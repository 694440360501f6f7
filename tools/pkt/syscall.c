/* syscall.c: system-call lines, made through synack's socket API: the script's fd table
 * (POSIX lowest-free numbering from 3), argument forms ("...", [1], {...}), blocking
 * emulation on blocking sockets, and the checks of return values, errnos and outputs.
 * Read pkt.h (struct pkt_call) and the POSIX pages of each call before changing it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkt/pkt.h"

/* Linux values used below (scripts use Linux's numbers; see symbols.c). */
#define L_AF_INET 2
#define L_AF_INET6 10
#define L_SOCK_STREAM 1
#define L_SOCK_TYPE_MASK 0xf
#define L_SOCK_NONBLOCK 04000
#define L_O_RDWR 2
#define L_O_NONBLOCK 04000
#define L_F_GETFD 1
#define L_F_SETFD 2
#define L_F_GETFL 3
#define L_F_SETFL 4
#define L_MSG_DONTWAIT 0x40
#define L_MSG_WAITALL 0x100
#define L_MSG_NOSIGNAL 0x4000
#define L_POLLIN 0x1
#define L_POLLOUT 0x4
#define L_POLLERR 0x8
#define L_POLLHUP 0x10
#define L_POLLNVAL 0x20
#define L_POLLRDNORM 0x40
#define L_POLLWRNORM 0x100

/* What a call returned: ret (-1 with err, a positive errno, on failure); bad holds an
 * output that differs from the script's ("[0]" vs "[111]"). */
struct outcome {
    int64_t ret;
    int err;
    struct pkt_str bad;
};

static int set_err(struct outcome *o, int neg)
{
    o->ret = -1;
    o->err = -neg;
    return 1;
}

/* ------------------------------------------------------------------ arguments */

static int eval_int(struct pkt_run *r, const struct pkt_expr *e, int64_t *out)
{
    switch (e->kind) {
    case PKT_E_INT: *out = e->num; return 0;
    case PKT_E_WORD:
        if (pkt_symbol(e->text, out) == 0)
            return 0;
        pkt_fail(r, e->line, "unsupported: symbol %s", e->text);
        return -1;
    case PKT_E_OR: {
        int64_t a, b;
        if (eval_int(r, e->kid[0], &a) || eval_int(r, e->kid[1], &b))
            return -1;
        *out = a | b;
        return 0;
    }
    case PKT_E_CALL:
        /* Byte-order helpers: synack takes host-order values, so they are identities. */
        if ((!strcmp(e->text, "htons") || !strcmp(e->text, "ntohs") || !strcmp(e->text, "htonl") ||
             !strcmp(e->text, "ntohl")) && e->nkid == 1)
            return eval_int(r, e->kid[0], out);
        break;
    case PKT_E_ASSIGN: return eval_int(r, e->kid[0], out);
    case PKT_E_LIST:
        if (e->nkid == 1)
            return eval_int(r, e->kid[0], out);
        break;
    default: break;
    }
    pkt_fail(r, e->line, "expected an integer argument");
    return -1;
}

static const struct pkt_expr *arg(struct pkt_run *r, const struct pkt_syscall *c, int i)
{
    if (i < c->narg)
        return c->arg[i];
    pkt_fail(r, r->line, "%s() needs more arguments", c->name);
    return NULL;
}

static int arg_int(struct pkt_run *r, const struct pkt_syscall *c, int i, int64_t *out)
{
    const struct pkt_expr *e = arg(r, c, i);
    return e ? eval_int(r, e, out) : -1;
}

/* The fd table entry of argument i; NULL (and EBADF in *o) for an fd the script does not
 * hold.  *stop is set when the run failed. */
static struct pkt_fd *fd_arg(struct pkt_run *r, const struct pkt_syscall *c, int i,
                             struct outcome *o, int *stop)
{
    int64_t fd;
    *stop = arg_int(r, c, i, &fd) != 0;
    if (*stop)
        return NULL;
    if (fd < 0 || fd >= PKT_MAX_FDS || !r->fds[fd].used) {
        set_err(o, -EBADF);
        return NULL;
    }
    return &r->fds[fd];
}


static int fd_alloc(struct pkt_run *r, int sd, int conn)
{
    for (int i = PKT_FIRST_FD; i < PKT_MAX_FDS; i++) {
        if (!r->fds[i].used) {
            r->fds[i].used = 1;
            r->fds[i].sd = sd;
            r->fds[i].nonblock = 0;
            r->fds[i].conn = conn;
            return i;
        }
    }
    return -1;
}

/* An address and port: "..." means the defaults; else {sa_family=..., sin_port=htons(N),
 * sin_addr=inet_addr("A")} (or the sin6_ forms). */
static int eval_sockaddr(struct pkt_run *r, const struct pkt_expr *e, const struct synack_addr *def,
                         uint16_t def_port, struct synack_sockaddr *out)
{
    out->addr = *def;
    out->port = def_port;
    if (e->kind == PKT_E_ELLIPSIS)
        return 0;
    if (e->kind != PKT_E_STRUCT) {
        pkt_fail(r, e->line, "unsupported: this address form");
        return -1;
    }
    for (int i = 0; i < e->nkid; i++) {
        const struct pkt_expr *f = e->kid[i];
        if (f->kind != PKT_E_ASSIGN)
            continue;
        const struct pkt_expr *v = f->kid[0];
        int64_t n;
        if (strstr(f->text, "_port")) {
            if (eval_int(r, v, &n))
                return -1;
            out->port = (uint16_t)n;
        } else if (strstr(f->text, "_family")) {
            if (eval_int(r, v, &n))
                return -1;
            out->addr.family = n == L_AF_INET6 ? SYNACK_AF_INET6 : SYNACK_AF_INET;
        } else if (strstr(f->text, "_addr")) {
            const char *text = NULL;
            if (v->kind == PKT_E_STRING)
                text = v->text;
            else if (v->kind == PKT_E_CALL && v->nkid >= 1 && v->kid[v->nkid - 1]->kind == PKT_E_STRING)
                text = v->kid[v->nkid - 1]->text; /* inet_addr("A"), inet_pton(AF_INET6, "A") */
            if (text) {
                if (synack_addr_parse(text, &out->addr)) {
                    pkt_fail(r, v->line, "bad address \"%s\"", text);
                    return -1;
                }
            } else if (v->kind == PKT_E_WORD && strstr(v->text, "any")) { /* in6addr_any */
                memset(out->addr.bytes, 0, sizeof(out->addr.bytes));
            } else {
                if (eval_int(r, v, &n))
                    return -1;
                if (n != 0) {
                    pkt_fail(r, v->line, "unsupported: a numeric address other than 0");
                    return -1;
                }
                memset(out->addr.bytes, 0, sizeof(out->addr.bytes)); /* INADDR_ANY */
            }
        }
    }
    return 0;
}

/* Total length of an iovec list: [{..., 1000}, {iov_base=..., iov_len=500}]. */
static int iov_total(struct pkt_run *r, const struct pkt_expr *e, size_t *total)
{
    *total = 0;
    if (e->kind != PKT_E_LIST) {
        pkt_fail(r, e->line, "expected an iovec list");
        return -1;
    }
    for (int i = 0; i < e->nkid; i++) {
        const struct pkt_expr *s = e->kid[i];
        int64_t n;
        if (s->kind != PKT_E_STRUCT || s->nkid != 2 || eval_int(r, s->kid[1], &n) || n < 0) {
            pkt_fail(r, e->line, "expected {..., len} in an iovec");
            return -1;
        }
        *total += (size_t)n;
    }
    return 0;
}

static void *io_buffer(struct pkt_run *r, size_t n)
{
    if (n > PKT_MAX_IO) {
        pkt_fail(r, r->line, "unsupported: more than %u bytes in one call", PKT_MAX_IO);
        return NULL;
    }
    void *b = calloc(1, n ? n : 1);
    if (!b)
        pkt_fail(r, r->line, "out of memory");
    return b;
}

static int blocking(const struct pkt_fd *f, int64_t flags)
{
    return !f->nonblock && !(flags & L_MSG_DONTWAIT);
}

/* Whether a blocked read or write should be retried: the socket is ready for it, or has
 * an error or hang-up to report. */
static int ready(struct pkt_run *r, const struct pkt_fd *f, int want)
{
    int ev = synack_socket_events(r->st, f->sd);
    return ev < 0 || (ev & (want | SYNACK_EV_ERR | SYNACK_EV_HUP));
}

/* ------------------------------------------------------------------ the calls */

/* Each returns 1 when the call completed (outcome filled), 0 when it would block, and
 * also 1 after failing the run. */

static int do_socket(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    int64_t dom = 0, type, proto = 0;
    const struct pkt_expr *d = arg(r, c, 0), *p = arg(r, c, 2);
    if (!d || !p || arg_int(r, c, 1, &type))
        return 1;
    if (d->kind != PKT_E_ELLIPSIS && eval_int(r, d, &dom))
        return 1;
    if (p->kind != PKT_E_ELLIPSIS && eval_int(r, p, &proto))
        return 1;
    int fam = d->kind == PKT_E_ELLIPSIS ? r->family
              : dom == L_AF_INET        ? SYNACK_AF_INET
              : dom == L_AF_INET6       ? SYNACK_AF_INET6
                                        : -1;
    if (fam < 0)
        return set_err(o, -EAFNOSUPPORT);
    if ((type & L_SOCK_TYPE_MASK) != L_SOCK_STREAM || (proto != 0 && proto != 6))
        return set_err(o, -EPROTONOSUPPORT);
    int sd = synack_socket(r->st, fam, SYNACK_SOCK_STREAM);
    if (sd < 0)
        return set_err(o, sd);
    int conn = pkt_conn_new(r, PKT_CONN_INIT);
    if (conn < 0)
        return 1;
    int fd = fd_alloc(r, sd, conn);
    if (fd < 0) {
        synack_close(r->st, sd);
        return set_err(o, -EMFILE);
    }
    r->fds[fd].nonblock = (type & L_SOCK_NONBLOCK) != 0;
    r->sut = conn; /* packetdrill: the new socket is the one under test */
    o->ret = fd;
    return 1;
}

static int do_bind(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    int stop;
    struct pkt_fd *f = fd_arg(r, c, 0, o, &stop);
    const struct pkt_expr *a = arg(r, c, 1);
    struct synack_sockaddr sa;
    if (stop || !f || !a)
        return 1;
    if (eval_sockaddr(r, a, &r->local, r->cfg.bind_port, &sa))
        return 1;
    int rc = synack_bind(r->st, f->sd, &sa);
    if (rc < 0)
        return set_err(o, rc);
    pkt_conn_learn_ports(r, f->conn, f->sd);
    o->ret = 0;
    return 1;
}

static int do_listen(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    int stop;
    int64_t backlog;
    struct pkt_fd *f = fd_arg(r, c, 0, o, &stop);
    if (stop || !f)
        return 1;
    if (arg_int(r, c, 1, &backlog))
        return 1;
    int rc = synack_listen(r->st, f->sd, (int)backlog);
    if (rc < 0)
        return set_err(o, rc);
    if (f->conn >= 0) {
        r->conns[f->conn].state = PKT_CONN_LISTENING;
        pkt_conn_learn_ports(r, f->conn, f->sd);
        r->sut = f->conn;
    }
    o->ret = 0;
    return 1;
}

static int do_accept(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    int stop;
    struct pkt_fd *f = fd_arg(r, c, 0, o, &stop);
    if (stop || !f)
        return 1;
    struct synack_sockaddr peer;
    int sd = synack_accept(r->st, f->sd, &peer);
    if (sd == -EAGAIN && blocking(f, 0))
        return 0;
    if (sd < 0)
        return set_err(o, sd);
    int conn = -1;
    for (int i = r->nconns - 1; i >= 0 && conn < 0; i--)
        if (r->conns[i].state == PKT_CONN_PASSIVE && r->conns[i].rport == peer.port)
            conn = i;
    int fd = fd_alloc(r, sd, conn);
    if (fd < 0) {
        synack_close(r->st, sd);
        return set_err(o, -EMFILE);
    }
    o->ret = fd;
    return 1;
}

static int do_connect(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    int stop;
    struct pkt_fd *f = fd_arg(r, c, 0, o, &stop);
    if (stop || !f)
        return 1;
    if (r->call.attempts == 0) {
        const struct pkt_expr *a = arg(r, c, 1);
        struct synack_sockaddr sa;
        if (!a || eval_sockaddr(r, a, &r->remote, r->cfg.connect_port, &sa))
            return 1;
        int rc = synack_connect(r->st, f->sd, &sa);
        if (f->conn >= 0 && (rc == 0 || rc == -EINPROGRESS)) {
            struct pkt_conn *cn = &r->conns[f->conn];
            cn->state = PKT_CONN_CONNECTING;
            cn->rport = sa.port;
            pkt_conn_learn_ports(r, f->conn, f->sd);
            r->sut = f->conn;
        }
        if (rc == -EINPROGRESS && blocking(f, 0))
            return 0;
        if (rc < 0)
            return set_err(o, rc);
        o->ret = 0;
        return 1;
    }
    /* A blocking connect returns when the handshake ends one way or the other. */
    int st = synack_state(r->st, f->sd);
    if (st < 0)
        return set_err(o, st);
    if (st == SYNACK_TCP_SYN_SENT)
        return 0;
    int soerr = 0;
    size_t len = sizeof(soerr);
    if (synack_getsockopt(r->st, f->sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &soerr, &len) == 0 &&
        soerr != 0)
        return set_err(o, soerr < 0 ? soerr : -soerr);
    if (st == SYNACK_TCP_CLOSED)
        return set_err(o, -ECONNREFUSED);
    o->ret = 0;
    return 1;
}

/* The descriptor, byte count and flags of read/recv/recvfrom/readv (vec "readv") or
 * write/send/sendto/writev: 0 with them filled, or 1 when the call is already decided. */
static int io_args(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o,
                   const char *vec_name, struct pkt_fd **fp, size_t *total, int64_t *flags)
{
    int stop;
    *fp = fd_arg(r, c, 0, o, &stop);
    if (stop || !*fp)
        return 1;
    int64_t len = 0;
    *flags = 0;
    if (!strcmp(c->name, vec_name)) {
        const struct pkt_expr *v = arg(r, c, 1);
        return !v || iov_total(r, v, total);
    }
    if (arg_int(r, c, 2, &len))
        return 1;
    if (len < 0)
        return set_err(o, -EINVAL);
    *total = (size_t)len;
    return c->narg >= 4 && arg_int(r, c, 3, flags) ? 1 : 0; /* recv, send ... flags */
}

static int do_read(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    struct pkt_fd *f;
    size_t total;
    int64_t flags;
    if (io_args(r, c, o, "readv", &f, &total, &flags))
        return 1;
    if (r->call.attempts > 0 && !ready(r, f, SYNACK_EV_IN | SYNACK_EV_RDHUP))
        return 0; /* still blocked: spare the buffer */
    void *buf = io_buffer(r, total);
    if (!buf)
        return 1;
    int sflags = (int)(flags & ~(L_MSG_DONTWAIT | L_MSG_WAITALL | L_MSG_NOSIGNAL));
    ssize_t n = synack_recv(r->st, f->sd, buf, total, sflags);
    free(buf);
    if (n == -EAGAIN && blocking(f, flags))
        return 0;
    if (n < 0)
        return set_err(o, (int)n);
    o->ret = n;
    return 1;
}

static int do_write(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    struct pkt_fd *f;
    size_t total;
    int64_t flags;
    if (io_args(r, c, o, "writev", &f, &total, &flags))
        return 1;
    if (r->call.attempts > 0 && !ready(r, f, SYNACK_EV_OUT))
        return 0; /* still blocked: spare the buffer */
    size_t left = total - r->call.done_bytes;
    void *buf = io_buffer(r, left);
    if (!buf)
        return 1;
    int sflags = (int)(flags & ~(L_MSG_DONTWAIT | L_MSG_NOSIGNAL));
    ssize_t n = total == 0 ? 0 : synack_send(r->st, f->sd, buf, left, sflags);
    free(buf);
    if (n > 0)
        r->call.done_bytes += (size_t)n;
    /* A blocking write returns once everything is queued (or an error ends it early). */
    if ((n > 0 || n == -EAGAIN) && r->call.done_bytes < total && blocking(f, flags)) {
        pkt_flush(r); /* send what was queued while we wait */
        return 0;
    }
    if (n < 0 && r->call.done_bytes == 0)
        return set_err(o, (int)n);
    o->ret = (int64_t)r->call.done_bytes;
    return 1;
}

static int do_close(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    int stop;
    struct pkt_fd *f = fd_arg(r, c, 0, o, &stop);
    if (stop || !f)
        return 1;
    int rc = synack_close(r->st, f->sd);
    memset(f, 0, sizeof(*f));
    f->conn = -1;
    if (rc < 0)
        return set_err(o, rc);
    o->ret = 0;
    return 1;
}

static int do_shutdown(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    int stop;
    int64_t how;
    struct pkt_fd *f = fd_arg(r, c, 0, o, &stop);
    if (stop || !f || arg_int(r, c, 1, &how))
        return 1;
    int rc = synack_shutdown(r->st, f->sd, (int)how);
    if (rc < 0)
        return set_err(o, rc);
    o->ret = 0;
    return 1;
}

/* An option's value as the script writes it: [N], N, or {onoff/l_onoff=, linger/l_linger=}. */
union optval {
    int i;
    struct synack_linger l;
    unsigned char raw[64];
};

static int struct_field(struct pkt_run *r, const struct pkt_expr *e, int idx, const char *a,
                        const char *b, int64_t *out, int *present)
{
    *present = 0;
    for (int i = 0; i < e->nkid; i++) {
        const struct pkt_expr *f = e->kid[i];
        int named = f->kind == PKT_E_ASSIGN;
        if ((named && (!strcmp(f->text, a) || !strcmp(f->text, b))) || (!named && i == idx)) {
            const struct pkt_expr *v = named ? f->kid[0] : f;
            if (v->kind == PKT_E_ELLIPSIS)
                return 0;
            *present = 1;
            return eval_int(r, v, out);
        }
    }
    return 0;
}

static int do_setsockopt(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    int stop;
    int64_t level, name, len = -1;
    struct pkt_fd *f = fd_arg(r, c, 0, o, &stop);
    const struct pkt_expr *v = arg(r, c, 3), *l = arg(r, c, 4);
    if (stop || !f || !v || !l || arg_int(r, c, 1, &level) || arg_int(r, c, 2, &name))
        return 1;
    union optval val;
    size_t natural = sizeof(int);
    memset(&val, 0, sizeof(val));
    if (v->kind == PKT_E_STRUCT) {
        int64_t onoff = 0, linger = 0;
        int p1, p2;
        if (struct_field(r, v, 0, "onoff", "l_onoff", &onoff, &p1) ||
            struct_field(r, v, 1, "linger", "l_linger", &linger, &p2))
            return 1;
        val.l.l_onoff = (int)onoff;
        val.l.l_linger = (int)linger;
        natural = sizeof(val.l);
    } else if (v->kind == PKT_E_STRING) {
        /* A name, as TCP_CONGESTION takes: the bytes without the terminator. */
        natural = strlen(v->text);
        if (natural > sizeof(val.raw))
            natural = sizeof(val.raw);
        memcpy(val.raw, v->text, natural);
    } else {
        int64_t n;
        if (eval_int(r, v, &n))
            return 1;
        val.i = (int)n;
    }
    if (l->kind != PKT_E_ELLIPSIS && eval_int(r, l, &len))
        return 1;
    size_t vlen = len < 0 ? natural : (size_t)len;
    if (vlen > sizeof(val))
        vlen = sizeof(val);
    int rc = synack_setsockopt(r->st, f->sd, (int)level, (int)name, &val, vlen);
    if (rc < 0)
        return set_err(o, rc);
    o->ret = 0;
    return 1;
}

static int do_getsockopt(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    int stop;
    int64_t level, name;
    struct pkt_fd *f = fd_arg(r, c, 0, o, &stop);
    const struct pkt_expr *v = arg(r, c, 3), *l = arg(r, c, 4);
    if (stop || !f || !v || !l || arg_int(r, c, 1, &level) || arg_int(r, c, 2, &name))
        return 1;
    union optval val;
    memset(&val, 0, sizeof(val));
    int64_t want_len = -1;
    if (l->kind != PKT_E_ELLIPSIS && eval_int(r, l, &want_len))
        return 1;
    size_t len = v->kind == PKT_E_STRUCT ? sizeof(val.l) : sizeof(int);
    int rc = synack_getsockopt(r->st, f->sd, (int)level, (int)name, &val, &len);
    if (rc < 0)
        return set_err(o, rc);
    o->ret = 0;
    /* Compare the value the script wrote with the one returned. */
    if (v->kind == PKT_E_STRUCT) {
        int64_t onoff, linger;
        int p1, p2;
        if (struct_field(r, v, 0, "onoff", "l_onoff", &onoff, &p1) ||
            struct_field(r, v, 1, "linger", "l_linger", &linger, &p2))
            return 1;
        if ((p1 && onoff != val.l.l_onoff) || (p2 && linger != val.l.l_linger))
            pkt_str_add(&o->bad, "{l_onoff=%d, l_linger=%d}", val.l.l_onoff, val.l.l_linger);
    } else if (v->kind != PKT_E_ELLIPSIS &&
               !(v->kind == PKT_E_LIST && v->nkid == 1 && v->kid[0]->kind == PKT_E_ELLIPSIS)) {
        int64_t want;
        if (eval_int(r, v, &want))
            return 1;
        int got = val.i;
        if (level == SYNACK_SOL_SOCKET && name == SYNACK_SO_ERROR && got < 0)
            got = -got; /* synack gives the error negated; scripts write errno values */
        if (want != got) {
            const char *en = name == SYNACK_SO_ERROR ? pkt_errno_name(got) : NULL;
            if (en)
                pkt_str_add(&o->bad, "[%s]", en);
            else
                pkt_str_add(&o->bad, "[%d]", got);
        }
    }
    if (!o->bad.n && want_len >= 0 && (size_t)want_len != len)
        pkt_str_add(&o->bad, "length [%zu]", len);
    return 1;
}

static int do_fcntl(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    int stop;
    int64_t cmd, val = 0;
    struct pkt_fd *f = fd_arg(r, c, 0, o, &stop);
    if (stop || !f || arg_int(r, c, 1, &cmd))
        return 1;
    switch (cmd) {
    case L_F_GETFL: o->ret = L_O_RDWR | (f->nonblock ? L_O_NONBLOCK : 0); return 1;
    case L_F_SETFL:
        if (arg_int(r, c, 2, &val))
            return 1;
        f->nonblock = (val & L_O_NONBLOCK) != 0;
        o->ret = 0;
        return 1;
    case L_F_GETFD: o->ret = 0; return 1;
    case L_F_SETFD: o->ret = 0; return 1;
    default: return set_err(o, -EINVAL);
    }
}

static void poll_names(struct pkt_str *b, int64_t ev)
{
    static const struct {
        int64_t bit;
        const char *name;
    } names[] = {{0x1, "POLLIN"}, {0x2, "POLLPRI"}, {0x4, "POLLOUT"}, {0x8, "POLLERR"},
                 {0x10, "POLLHUP"}, {0x20, "POLLNVAL"}, {0x40, "POLLRDNORM"},
                 {0x100, "POLLWRNORM"}, {0x2000, "POLLRDHUP"}};
    int n = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (ev & names[i].bit)
            pkt_str_add(b, "%s%s", n++ ? "|" : "", names[i].name);
    if (n == 0)
        pkt_str_add(b, "0");
}

/* poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, timeout_ms): waits up to the timeout
 * (virtual) for readiness, as the stack reports it. */
static int do_poll(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o)
{
    const struct pkt_expr *list = arg(r, c, 0);
    int64_t nfds, timeout;
    if (!list || arg_int(r, c, 1, &nfds) || arg_int(r, c, 2, &timeout))
        return 1;
    if (list->kind != PKT_E_LIST || list->nkid > PKT_MAX_POLLFDS || nfds != list->nkid) {
        pkt_fail(r, r->line, "expected poll([{fd=..., events=...}, ...], nfds, timeout)");
        return 1;
    }
    if (r->call.attempts == 0 && timeout > 0)
        r->call.wake_ns = r->now_ns + (uint64_t)timeout * 1000000;
    int64_t revents[PKT_MAX_POLLFDS];
    int ready = 0;
    for (int i = 0; i < list->nkid; i++) {
        const struct pkt_expr *s = list->kid[i];
        int64_t fd, events;
        int p1, p2;
        if (s->kind != PKT_E_STRUCT || struct_field(r, s, 0, "fd", "fd", &fd, &p1) ||
            struct_field(r, s, 1, "events", "events", &events, &p2) || !p1) {
            if (!r->failed)
                pkt_fail(r, s->line, "expected {fd=N, events=E[, revents=R]}");
            return 1;
        }
        revents[i] = 0;
        if (fd < 0 || fd >= PKT_MAX_FDS || !r->fds[fd].used) {
            revents[i] = L_POLLNVAL;
        } else {
            int ev = synack_socket_events(r->st, r->fds[fd].sd);
            if (ev < 0)
                ev = L_POLLNVAL;
            if (ev & L_POLLIN)
                ev |= L_POLLRDNORM;
            if (ev & L_POLLOUT)
                ev |= L_POLLWRNORM;
            revents[i] = ev & (events | L_POLLERR | L_POLLHUP | L_POLLNVAL);
        }
        ready += revents[i] != 0;
    }
    int expired = timeout == 0 || (timeout > 0 && r->now_ns >= r->call.wake_ns);
    if (ready == 0 && !expired)
        return 0;
    o->ret = ready;
    for (int i = 0; i < list->nkid && !o->bad.n; i++) {
        int64_t want;
        int present;
        if (struct_field(r, list->kid[i], 2, "revents", "revents", &want, &present))
            return 1;
        if (present && want != revents[i]) {
            pkt_str_add(&o->bad, "revents=");
            poll_names(&o->bad, revents[i]);
            pkt_str_add(&o->bad, " for entry %d", i);
        }
    }
    return 1;
}

/* ------------------------------------------------------------------ dispatch and checks */

typedef int (*call_fn)(struct pkt_run *r, const struct pkt_syscall *c, struct outcome *o);

static const struct {
    const char *name;
    call_fn fn;
} calls[] = {
    {"socket", do_socket},   {"bind", do_bind},         {"listen", do_listen},
    {"accept", do_accept},   {"connect", do_connect},   {"read", do_read},
    {"recv", do_read},       {"recvfrom", do_read},     {"readv", do_read},
    {"write", do_write},     {"send", do_write},        {"sendto", do_write},
    {"writev", do_write},    {"close", do_close},       {"shutdown", do_shutdown},
    {"setsockopt", do_setsockopt}, {"getsockopt", do_getsockopt}, {"fcntl", do_fcntl},
    {"poll", do_poll},
};

static call_fn find_call(const char *name)
{
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
        if (!strcmp(calls[i].name, name))
            return calls[i].fn;
    return NULL;
}

int pkt_call_check(const struct pkt_syscall *c, struct pkt_str *err)
{
    if (find_call(c->name))
        return 0;
    pkt_str_add(err, "unsupported: system call %s()", c->name);
    return -1;
}

void pkt_format_expected_call(struct pkt_str *b, const struct pkt_syscall *c)
{
    pkt_str_add(b, "%s() = ", c->name);
    if (c->ret->kind == PKT_E_ELLIPSIS)
        pkt_str_add(b, "...");
    else
        pkt_str_add(b, "%lld", (long long)c->ret->num);
    if (c->err_name)
        pkt_str_add(b, " %s", c->err_name);
}

static void format_outcome(struct pkt_str *b, const struct outcome *o)
{
    if (o->ret == -1) {
        const char *n = pkt_errno_name(o->err);
        if (n)
            pkt_str_add(b, "-1 %s", n);
        else
            pkt_str_add(b, "-1 errno %d", o->err);
    } else {
        pkt_str_add(b, "%lld", (long long)o->ret);
    }
}

/* Checks a completed call: return value, errno, outputs, then its time. */
static void check_outcome(struct pkt_run *r, const struct outcome *o)
{
    const struct pkt_event *ev = r->call.ev;
    const struct pkt_syscall *c = &ev->call;
    struct pkt_str es, gs;
    pkt_str_init(&es);
    pkt_str_init(&gs);
    pkt_format_expected_call(&es, c);
    format_outcome(&gs, o);
    int ok = 1;
    if (c->ret->kind == PKT_E_INT) {
        ok = o->ret == c->ret->num;
        if (ok && o->ret == -1 && c->err_name) {
            int64_t want;
            if (pkt_symbol(c->err_name, &want)) {
                pkt_fail(r, ev->line, "unsupported: errno %s", c->err_name);
                return;
            }
            ok = want == o->err;
        }
    }
    if (!ok) {
        pkt_fail(r, ev->line, "expected %s got %s", es.s, gs.s);
        return;
    }
    if (o->bad.n) {
        pkt_fail(r, ev->line, "expected %s got %s with %s", es.s, gs.s, o->bad.s);
        return;
    }
    uint64_t t = r->call.attempts == 1 ? r->call.start_ns : r->now_ns;
    if (pkt_check_time(r, ev->line, &r->call.win, t, es.s, gs.s))
        return;
    pkt_trace(r, "%s() = %s", c->name, gs.s);
}

/* One attempt of the current call. */
static int attempt(struct pkt_run *r)
{
    const struct pkt_syscall *c = &r->call.ev->call;
    call_fn fn = find_call(c->name);
    struct outcome o;
    memset(&o, 0, sizeof(o));
    pkt_str_init(&o.bad);
    int saved_line = r->line;
    r->line = r->call.ev->line;
    int done = fn ? fn(r, c, &o) : (pkt_fail(r, r->line, "unsupported: %s()", c->name), 1);
    r->call.attempts++;
    if (done || r->failed) {
        r->call.active = 0;
        if (!r->failed)
            check_outcome(r, &o);
        pkt_flush(r);
    } else {
        r->call.active = 1;
    }
    r->line = saved_line;
    return done || r->failed;
}

int pkt_call_start(struct pkt_run *r, const struct pkt_event *ev, const struct pkt_window *w,
                   uint64_t issued_ns)
{
    memset(&r->call, 0, sizeof(r->call));
    r->call.ev = ev;
    r->call.start_ns = issued_ns;
    r->call.win = *w;
    r->call.wake_ns = UINT64_MAX;
    int done = attempt(r);
    if (!done)
        pkt_trace(r, "%s() blocks", ev->call.name);
    return done;
}

int pkt_call_retry(struct pkt_run *r)
{
    if (!r->call.active)
        return 1;
    return attempt(r);
}
