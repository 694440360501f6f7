/* control.c: the control socket: a non-blocking Unix stream listener served from the
 * TUN event loop (a few clients at once, one command each), and its blocking client.
 * Read unix(7), accept4(2) and epoll(7) before changing. */
#define _GNU_SOURCE /* accept4 */
#include "control.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CONTROL_CLIENTS 4
#define CONTROL_LINE 512

struct control_client {
    struct control *c;
    int fd;
    char in[CONTROL_LINE];
    size_t in_len;
    struct outbuf out;
    size_t out_off;
    bool replying;
};

struct control {
    int lfd;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    struct synack_tun *t;
    control_handler handler;
    void *user;
    struct control_client cl[CONTROL_CLIENTS];
};

void outbuf_printf(struct outbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap - b->len <= (size_t)n)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

void outbuf_free(struct outbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa->sun_path))
        return -ENAMETOOLONG;
    strcpy(sa->sun_path, path);
    return 0;
}

static void client_end(struct control_client *cl)
{
    synack_tun_unwatch(cl->c->t, cl->fd);
    close(cl->fd);
    outbuf_free(&cl->out);
    cl->fd = -1;
}

static void client_io(void *user, int fd, uint32_t events)
{
    struct control_client *cl = user;
    (void)events;
    if (!cl->replying) {
        ssize_t n = read(fd, cl->in + cl->in_len, sizeof(cl->in) - 1 - cl->in_len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0) {
            client_end(cl);
            return;
        }
        cl->in_len += (size_t)n;
        cl->in[cl->in_len] = 0;
        char *nl = strchr(cl->in, '\n');
        if (!nl && n > 0 && cl->in_len < sizeof(cl->in) - 1)
            return; /* the line is not complete yet */
        if (nl)
            *nl = 0;
        cl->c->handler(cl->c->user, cl->in, &cl->out);
        if (cl->out.failed) {
            client_end(cl);
            return;
        }
        cl->replying = true;
        if (synack_tun_watch(cl->c->t, fd, EPOLLOUT, client_io, cl)) {
            client_end(cl);
            return;
        }
    }
    while (cl->out_off < cl->out.len) {
        ssize_t n = write(fd, cl->out.p + cl->out_off, cl->out.len - cl->out_off);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0)
            break;
        cl->out_off += (size_t)n;
    }
    client_end(cl);
}

static void listener_io(void *user, int fd, uint32_t events)
{
    struct control *c = user;
    (void)events;
    for (;;) {
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0)
            return;
        struct control_client *cl = NULL;
        for (int i = 0; i < CONTROL_CLIENTS && !cl; i++)
            if (c->cl[i].fd < 0)
                cl = &c->cl[i];
        if (!cl) {
            close(cfd); /* busy: the client retries */
            continue;
        }
        memset(cl, 0, sizeof(*cl));
        cl->c = c;
        cl->fd = cfd;
        if (synack_tun_watch(c->t, cfd, EPOLLIN, client_io, cl)) {
            close(cfd);
            cl->fd = -1;
        }
    }
}

int control_open(const char *path, struct synack_tun *t, control_handler h, void *user,
                 struct control **out)
{
    struct sockaddr_un sa;
    int err = unix_addr(path, &sa);
    if (err)
        return err;
    struct control *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->t = t;
    c->handler = h;
    c->user = user;
    for (int i = 0; i < CONTROL_CLIENTS; i++)
        c->cl[i].fd = -1;
    c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->lfd < 0) {
        free(c);
        return -errno;
    }
    if (bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        err = -errno;
    if (err == -EADDRINUSE) {
        /* A file is there: replace it unless an instance still answers on it. */
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool live = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        if (probe >= 0)
            close(probe);
        if (!live) {
            unlink(path);
            err = bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
        }
    }
    strcpy(c->path, path);
    if (!err)
        err = listen(c->lfd, 8) < 0 ? -errno : 0;
    if (!err)
        err = synack_tun_watch(t, c->lfd, EPOLLIN, listener_io, c);
    if (err) {
        close(c->lfd);
        free(c);
        return err;
    }
    *out = c;
    return 0;
}

void control_close(struct control *c)
{
    if (!c)
        return;
    for (int i = 0; i < CONTROL_CLIENTS; i++)
        if (c->cl[i].fd >= 0)
            client_end(&c->cl[i]);
    synack_tun_unwatch(c->t, c->lfd);
    close(c->lfd);
    unlink(c->path);
    free(c);
}

int control_query(const char *path, const char *cmd, struct outbuf *reply, int timeout_ms)
{
    struct sockaddr_un sa;
    int err = unix_addr(path, &sa);
    if (err)
        return err;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        err = -errno;
        close(fd);
        return err;
    }
    size_t len = strlen(cmd);
    if (write(fd, cmd, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
        err = -errno;
        close(fd);
        return err ? err : -EIO;
    }
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, timeout_ms);
        if (r == 0) {
            err = -ETIMEDOUT;
            break;
        }
        if (r < 0 && errno == EINTR)
            continue;
        char buf[4096];
        ssize_t n = r < 0 ? -1 : read(fd, buf, sizeof(buf));
        if (n < 0) {
            err = -errno;
            break;
        }
        if (n == 0)
            break;
        outbuf_printf(reply, "%.*s", (int)n, buf);
    }
    close(fd);
    return err ? err : reply->failed ? -ENOMEM : 0;
}
