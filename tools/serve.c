/* serve.c: `synack serve`: a listener on a TUN device and an app on every connection
 * it accepts; SIGINT/SIGTERM stop accepting, let each connection finish its FIN
 * exchange (a bounded while) and exit.  Read DESIGN.md ("The synack command") and
 * tools/apps.h before changing. */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apps.h"
#include "node.h"

#define DRAIN_NS (5 * 1000000000ull) /* how long a graceful stop may take */

struct serve {
    struct node n;
    int ls, app, rootfd, backlog;
    uint16_t port;
    struct app_conn **conns; /* by socket id */
    uint32_t nconns, max;
    bool draining;
    uint64_t drain_deadline;
    uint64_t served;
};

static void conn_end(struct serve *s, struct app_conn *c, const char *why)
{
    if (s->n.o.verbose)
        fprintf(stderr, "serve: %s: %s (in %llu, out %llu bytes)\n", c->peer, why,
                (unsigned long long)c->bytes_in, (unsigned long long)c->bytes_out);
    synack_close(s->n.st, c->sd);
    s->conns[c->sd] = NULL;
    s->nconns--;
    app_conn_free(c);
    free(c);
}

/* While stopping: no new output; what is queued goes, then FIN, then wait for the
 * peer's FIN (reading and dropping) before closing. */
static void drain(struct serve *s, struct app_conn *c)
{
    if (!c->err && app_flush(c)) {
        if (!c->finished) {
            synack_shutdown(s->n.st, c->sd, SYNACK_SHUT_WR);
            c->finished = true;
        }
        app_drain_input(c);
    }
    if (c->err)
        conn_end(s, c, synack_strerror(c->err));
    else if (c->peer_eof)
        conn_end(s, c, "closed (stopping)");
    else
        synack_set_interest(s->n.st, c->sd, SYNACK_EV_IN | SYNACK_EV_ERR | SYNACK_EV_HUP);
}

static void conn_event(struct serve *s, struct app_conn *c, uint32_t ev)
{
    if (s->draining) {
        drain(s, c);
        return;
    }
    uint32_t interest = app_run(c, ev);
    if (c->err) {
        conn_end(s, c, synack_strerror(c->err));
        return;
    }
    if (c->finished && app_flush(c)) {
        conn_end(s, c, c->peer_eof ? "EOF" : "done");
        return;
    }
    if (c->err) {
        conn_end(s, c, synack_strerror(c->err));
        return;
    }
    synack_set_interest(s->n.st, c->sd, interest);
}

static void accept_all(struct serve *s)
{
    for (;;) {
        struct synack_sockaddr peer;
        int sd = synack_accept(s->n.st, s->ls, &peer);
        if (sd < 0)
            return;
        struct app_conn *c = calloc(1, sizeof(*c));
        if ((uint32_t)sd >= s->max || !c ||
            app_conn_init(c, s->n.st, sd, s->app, s->rootfd, s->n.o.verbose)) {
            free(c);
            synack_close(s->n.st, sd);
            continue;
        }
        s->conns[sd] = c;
        s->nconns++;
        s->served++;
        node_fmt_sockaddr(&peer, c->peer, sizeof(c->peer));
        if (s->n.o.verbose)
            fprintf(stderr, "serve: accepted %s\n", c->peer);
        /* Data may have come with the handshake: act on what is there now. */
        conn_event(s, c, (uint32_t)synack_socket_events(s->n.st, sd));
    }
}

static void start_drain(struct serve *s)
{
    s->draining = true;
    s->drain_deadline = synack_tun_clock() + DRAIN_NS;
    node_alarm(&s->n, s->drain_deadline);
    if (s->ls >= 0)
        synack_close(s->n.st, s->ls);
    s->ls = -1;
    fprintf(stderr, "serve: stopping (%u connections)\n", s->nconns);
    for (uint32_t sd = 0; sd < s->max; sd++)
        if (s->conns[sd])
            drain(s, s->conns[sd]);
}

static int step(void *user)
{
    struct serve *s = user;
    if (s->n.signalled && !s->draining)
        start_drain(s);
    struct synack_event ev[256];
    int n = synack_wait(s->n.st, ev, 256);
    if (n == 256)
        synack_tun_wake(s->n.tun); /* more may be ready: go round again without sleeping */
    for (int i = 0; i < n; i++) {
        if (ev[i].sd == s->ls)
            accept_all(s);
        else if (ev[i].sd >= 0 && (uint32_t)ev[i].sd < s->max && s->conns[ev[i].sd])
            conn_event(s, s->conns[ev[i].sd], ev[i].events);
    }
    if (!s->draining)
        return 0;
    bool late = synack_tun_clock() >= s->drain_deadline || s->n.signals > 1;
    if (late) {
        /* Out of patience: close what is left (FIN, or RST with unread data); the loop
         * sends it before returning. */
        for (uint32_t sd = 0; sd < s->max; sd++)
            if (s->conns[sd])
                conn_end(s, s->conns[sd], "closed (stop timeout)");
        return 1;
    }
    return !s->nconns && !node_closing(&s->n);
}

static int usage_to(FILE *f, int rc)
{
    fprintf(f, "usage: synack serve --tun IF --addr A/LEN [--host-addr A/LEN] --port P\n"
                    "         --app echo|discard|chargen|http [--root DIR] [--backlog N]\n%s",
            node_usage);
    return rc;
}

static int usage(void) { return usage_to(stderr, 2); }

static int parse(struct serve *s, struct node_opts *o, int argc, char **argv, const char **root)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return usage_to(stdout, -1); /* not an error: serve_main exits 0 */
        int r = node_opt(o, argc, argv, &i, "synack serve");
        if (r < 0)
            return usage();
        if (r > 0)
            continue;
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (v && !strcmp(a, "--port")) {
            unsigned long p = strtoul(v, &end, 10);
            if (*end || !p || p > 65535)
                return usage();
            s->port = (uint16_t)p;
        } else if (v && !strcmp(a, "--app")) {
            if ((s->app = app_parse(v)) < 0)
                return usage();
        } else if (v && !strcmp(a, "--root")) {
            *root = v;
        } else if (v && !strcmp(a, "--backlog")) {
            s->backlog = (int)strtol(v, &end, 10);
            if (*end)
                return usage();
        } else {
            fprintf(stderr, "synack serve: bad argument '%s'\n", a);
            return usage();
        }
        i++;
    }
    if (!s->port || !o->tun || !o->has_addr) {
        fprintf(stderr, "synack serve: --tun, --addr and --port are required\n");
        return usage();
    }
    if (s->app == APP_HTTP) {
        s->rootfd = open(*root ? *root : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->rootfd < 0) {
            fprintf(stderr, "synack serve: --root %s: %s\n", *root ? *root : ".", strerror(errno));
            return 1;
        }
    }
    return 0;
}

static int listen_on(struct serve *s)
{
    struct synack_stack *st = s->n.st;
    s->ls = synack_socket(st, s->n.o.addr.family, SYNACK_SOCK_STREAM);
    struct synack_sockaddr sa = {.addr = s->n.o.addr, .port = s->port};
    int one = 1;
    int err = s->ls < 0 ? s->ls : 0;
    if (!err)
        err = synack_setsockopt(st, s->ls, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, &one, sizeof(one));
    if (!err)
        err = node_sockopts(&s->n, s->ls);
    if (!err)
        err = synack_bind(st, s->ls, &sa);
    if (!err)
        err = synack_listen(st, s->ls, s->backlog);
    if (err) {
        fprintf(stderr, "synack serve: listen: %s\n", synack_strerror(err));
        return 1;
    }
    char a[80];
    printf("listening on %s\n", node_fmt_sockaddr(&sa, a, sizeof(a)));
    fflush(stdout);
    return 0;
}

int serve_main(int argc, char **argv)
{
    struct serve *s = calloc(1, sizeof(*s));
    if (!s)
        return 1;
    struct node_opts o;
    node_opts_init(&o);
    s->app = APP_ECHO;
    s->backlog = 128;
    s->rootfd = -1;
    s->ls = -1;
    const char *root = NULL;
    int rc = parse(s, &o, argc, argv, &root);
    bool help = rc == -1;
    if (!rc)
        rc = node_start(&s->n, &o, "synack serve");
    if (!rc) {
        s->max = o.cfg.max_sockets;
        s->conns = calloc(s->max, sizeof(*s->conns));
        rc = s->conns ? listen_on(s) : 1;
    }
    if (!rc) {
        int err = synack_tun_run(s->n.tun, step, s);
        if (err) {
            fprintf(stderr, "synack serve: %s: %s\n", o.tun, synack_strerror(err));
            rc = 1;
        } else {
            fprintf(stderr, "serve: stopped after %llu connections\n",
                    (unsigned long long)s->served);
        }
    }
    for (uint32_t sd = 0; s->conns && sd < s->max; sd++) {
        if (s->conns[sd]) {
            app_conn_free(s->conns[sd]);
            free(s->conns[sd]);
        }
    }
    free(s->conns);
    node_finish(&s->n);
    if (s->rootfd >= 0)
        close(s->rootfd);
    free(s);
    return help ? 0 : rc;
}
