/* connect.c: `synack connect HOST PORT`: netcat over synack: stdin to the connection,
 * the connection to stdout, EOF on stdin half-closes (FIN), and the exit status says
 * how it ended: 0 clean, 3 refused, 4 reset (or EPIPE after one), 5 timed out,
 * 6 unreachable, 1 anything else, 2 usage.  Read DESIGN.md ("The synack command"). */
#include "connect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "node.h"

#define CLOSE_WAIT_NS (3 * 1000000000ull) /* how long our FIN may take after we are done */
#define IO_BUF 65536

struct nc {
    struct node n;
    int sd;
    struct synack_sockaddr peer;
    uint16_t local_port;
    char peer_text[80];
    bool connected, stdin_eof, wr_shut, peer_eof, done, closed;
    int err;             /* the connection's error (negative errno), 0 if none */
    bool local_fail;     /* stdout or stdin failed */
    struct fdio {
        int fd;
        bool pollable, ready;
        int saved_flags;
        uint8_t buf[IO_BUF];
        size_t len, off;
    } in, out;           /* in: stdin -> connection; out: connection -> stdout */
    uint64_t close_deadline;
    uint64_t sent, received;
};

static void on_fd(void *user, int fd, uint32_t events)
{
    struct nc *c = user;
    (void)events;
    (fd == c->in.fd ? &c->in : &c->out)->ready = true;
}

static void setup_fd(struct nc *c, struct fdio *f, int fd)
{
    f->fd = fd;
    f->saved_flags = -1;
    /* Regular files and /dev/null cannot be polled: they are always ready. */
    f->pollable = synack_tun_watch(c->n.tun, fd, 0, on_fd, c) == 0;
    f->ready = true;
    if (f->pollable) {
        f->saved_flags = fcntl(fd, F_GETFL);
        if (f->saved_flags >= 0)
            fcntl(fd, F_SETFL, f->saved_flags | O_NONBLOCK);
    }
}

static void restore_fd(struct fdio *f)
{
    if (f->saved_flags >= 0)
        fcntl(f->fd, F_SETFL, f->saved_flags);
}

static void fail(struct nc *c, int err)
{
    if (!c->err)
        c->err = err;
    c->done = true;
}

/* stdin -> connection. */
static void pump_in(struct nc *c)
{
    struct fdio *f = &c->in;
    while (!c->done) {
        if (f->off < f->len) {
            ssize_t n = synack_send(c->n.st, c->sd, f->buf + f->off, f->len - f->off, 0);
            if (n == -EAGAIN)
                break;
            if (n < 0) {
                fail(c, (int)n);
                return;
            }
            f->off += (size_t)n;
            c->sent += (uint64_t)n;
            continue;
        }
        if (c->stdin_eof || !f->ready)
            break;
        ssize_t r = read(f->fd, f->buf, sizeof(f->buf));
        if (r < 0 && errno == EAGAIN) {
            f->ready = false;
            break;
        }
        if (r < 0 && errno == EINTR)
            continue;
        f->off = 0;
        f->len = r > 0 ? (size_t)r : 0;
        if (r <= 0)
            c->stdin_eof = true; /* a read error ends input like EOF */
    }
    if (c->stdin_eof && f->off == f->len && !c->wr_shut && !c->done) {
        c->wr_shut = true;
        synack_shutdown(c->n.st, c->sd, SYNACK_SHUT_WR); /* half-close: our FIN */
        if (c->n.o.verbose)
            fprintf(stderr, "connect: stdin closed: sent FIN after %llu bytes\n",
                    (unsigned long long)c->sent);
    }
    if (f->pollable)
        synack_tun_watch(c->n.tun, f->fd, !c->stdin_eof && f->off == f->len ? EPOLLIN : 0,
                         on_fd, c);
}

/* connection -> stdout. */
static void pump_out(struct nc *c)
{
    struct fdio *f = &c->out;
    while (!c->done) {
        if (f->off < f->len) {
            ssize_t w = write(f->fd, f->buf + f->off, f->len - f->off);
            if (w < 0 && errno == EAGAIN) {
                f->ready = false;
                break;
            }
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                fprintf(stderr, "synack connect: stdout: %s\n", strerror(errno));
                c->local_fail = c->done = true;
                return;
            }
            f->off += (size_t)w;
            continue;
        }
        if (c->peer_eof)
            break;
        ssize_t n = synack_recv(c->n.st, c->sd, f->buf, sizeof(f->buf), 0);
        if (n == -EAGAIN)
            break;
        if (n < 0) {
            fail(c, (int)n);
            return;
        }
        if (n == 0) {
            c->peer_eof = true;
            if (c->n.o.verbose)
                fprintf(stderr, "connect: peer closed its side (EOF) after %llu bytes\n",
                        (unsigned long long)c->received);
        }
        f->off = 0;
        f->len = (size_t)n;
        c->received += (uint64_t)n;
    }
    if (f->pollable)
        synack_tun_watch(c->n.tun, f->fd, f->off < f->len ? EPOLLOUT : 0, on_fd, c);
}

static bool connecting(struct nc *c)
{
    int ev = synack_socket_events(c->n.st, c->sd);
    if (ev & SYNACK_EV_ERR) {
        int e = 0;
        size_t len = sizeof(e);
        synack_getsockopt(c->n.st, c->sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &e, &len);
        fail(c, e ? -e : -ECONNABORTED);
        return true;
    }
    if (!(ev & SYNACK_EV_OUT))
        return true;
    c->connected = true;
    if (c->n.o.verbose) {
        struct synack_sockaddr me;
        char l[80] = "?";
        if (!synack_getsockname(c->n.st, c->sd, &me))
            node_fmt_sockaddr(&me, l, sizeof(l));
        fprintf(stderr, "connect: connected to %s from %s\n", c->peer_text, l);
    }
    return false;
}

static int step(void *user)
{
    struct nc *c = user;
    if (c->n.signalled && !c->done) {
        fprintf(stderr, "synack connect: interrupted\n");
        c->local_fail = c->done = true;
    }
    if (!c->done && !(!c->connected && connecting(c))) {
        pump_in(c);
        pump_out(c);
        pump_in(c); /* what pump_out's reads freed up (window updates) */
        /* After EOF nothing reads the socket: an error (a RST answering what we sent
         * since) must be picked up here. */
        if (!c->done && (synack_socket_events(c->n.st, c->sd) & SYNACK_EV_ERR)) {
            int e = 0;
            size_t len = sizeof(e);
            synack_getsockopt(c->n.st, c->sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &e, &len);
            if (e)
                fail(c, -e);
        }
        if (c->peer_eof && c->wr_shut && c->out.off == c->out.len)
            c->done = true;
    }
    if (!c->done)
        return 0;
    if (!c->closed) {
        c->closed = true;
        synack_close(c->n.st, c->sd);
        c->close_deadline = synack_tun_clock() + CLOSE_WAIT_NS;
        node_alarm(&c->n, c->close_deadline);
    }
    /* Let our FIN (or the peer's last ACK) finish before the stack goes away. */
    return !node_closing(&c->n) || synack_tun_clock() >= c->close_deadline ||
           c->n.signals > 1;
}

static int exit_status(const struct nc *c)
{
    if (c->local_fail && !c->err)
        return 1;
    switch (-c->err) {
    case 0: return 0;
    case ECONNREFUSED: return 3;
    case ECONNRESET:
    case EPIPE: return 4;
    case ETIMEDOUT: return 5;
    case EHOSTUNREACH:
    case ENETUNREACH: return 6;
    default: return 1;
    }
}

static int usage_to(FILE *f, int rc)
{
    fprintf(f, "usage: synack connect --tun IF --addr A/LEN [--host-addr A/LEN] [--local-port P]\n"
                    "         HOST PORT\n%s"
                    "  exit: 0 ok, 3 refused, 4 reset, 5 timed out, 6 unreachable, 1 other\n",
            node_usage);
    return rc;
}

static int usage(void) { return usage_to(stderr, 2); }

static int start(struct nc *c, const struct node_opts *o)
{
    int rc = node_start(&c->n, o, "synack connect");
    if (rc)
        return rc;
    struct synack_stack *st = c->n.st;
    c->sd = synack_socket(st, c->peer.addr.family, SYNACK_SOCK_STREAM);
    int err = c->sd < 0 ? c->sd : node_sockopts(&c->n, c->sd);
    if (!err && c->local_port) {
        struct synack_sockaddr me = {.addr = o->addr, .port = c->local_port};
        err = synack_bind(st, c->sd, &me);
    }
    if (!err) {
        err = synack_connect(st, c->sd, &c->peer);
        err = err == -EINPROGRESS ? 0 : err;
    }
    if (err) {
        fprintf(stderr, "synack connect: %s: %s\n", c->peer_text, synack_strerror(err));
        c->err = err;
        return exit_status(c) ? exit_status(c) : 1;
    }
    setup_fd(c, &c->in, 0);
    setup_fd(c, &c->out, 1);
    return 0;
}

int connect_main(int argc, char **argv)
{
    struct nc *c = calloc(1, sizeof(*c));
    if (!c)
        return 1;
    struct node_opts o;
    node_opts_init(&o);
    const char *pos[2] = {NULL, NULL};
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            free(c);
            return usage_to(stdout, 0);
        }
        int r = node_opt(&o, argc, argv, &i, "synack connect");
        if (r == 0 && !strcmp(argv[i], "--local-port") && i + 1 < argc) {
            c->local_port = (uint16_t)strtoul(argv[++i], NULL, 10);
            continue;
        }
        if (r < 0 || (r == 0 && (argv[i][0] == '-' || npos == 2))) {
            if (r == 0)
                fprintf(stderr, "synack connect: bad argument '%s'\n", argv[i]);
            free(c);
            return usage();
        }
        if (r == 0)
            pos[npos++] = argv[i];
    }
    char *end = NULL;
    unsigned long port = npos == 2 ? strtoul(pos[1], &end, 10) : 0;
    if (npos != 2 || *end || !port || port > 65535 || synack_addr_parse(pos[0], &c->peer.addr)) {
        fprintf(stderr, "synack connect: need HOST (an address) and PORT\n");
        free(c);
        return usage();
    }
    c->peer.port = (uint16_t)port;
    node_fmt_sockaddr(&c->peer, c->peer_text, sizeof(c->peer_text));
    c->in.saved_flags = c->out.saved_flags = -1;
    int rc = start(c, &o);
    if (!rc) {
        int err = synack_tun_run(c->n.tun, step, c);
        if (err) {
            fprintf(stderr, "synack connect: %s: %s\n", o.tun, synack_strerror(err));
            rc = 1;
        } else {
            rc = exit_status(c);
            if (c->err)
                fprintf(stderr, "synack connect: %s: %s\n", c->peer_text, synack_strerror(c->err));
            if (c->n.signalled)
                rc = 128 + c->n.signalled;
        }
    }
    restore_fd(&c->in);
    restore_fd(&c->out);
    node_finish(&c->n);
    free(c);
    return rc;
}
