/* node.c: options serve and connect share, and the host they build from them: stack,
 * TUN device (kernel side configured), impairments, pcap, signals, control socket.
 * Read include/synack_tun.h and signalfd(2) before changing. */
#include "node.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "settings.h"

/* node_stat.c */
void node_control(void *user, const char *cmd, struct outbuf *reply);

const char node_usage[] =
    "  shared: --tun IF --addr A/LEN [--host-addr A/LEN] [--pcap FILE] [--control PATH]\n"
    "          [--loss P] [--delay MS] [--reorder P] [--dup P] [--seed N] [-v|-vv]\n"
    "          [--sysctl NAME=VALUE]... (--sysctl list names them)\n"
    "          [--sndbuf N] [--rcvbuf N] [--nodelay] [--mss N] [--user-timeout MS]\n"
    "          [--keepalive] [--keepidle S] [--keepintvl S] [--keepcnt N]\n";

void node_opts_init(struct node_opts *o)
{
    memset(o, 0, sizeof(*o));
    synack_settings_default(&o->cfg);
    o->seed = 1;
    o->sndbuf = o->rcvbuf = o->nodelay = o->keepalive = -1;
    o->keepidle = o->keepintvl = o->keepcnt = o->user_timeout = o->mss = -1;
}

int node_parse_prefix(const char *text, struct synack_addr *a, unsigned *len)
{
    char buf[64];
    if (strlen(text) >= sizeof(buf))
        return -EINVAL;
    strcpy(buf, text);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = 0;
    if (synack_addr_parse(buf, a))
        return -EINVAL;
    unsigned max = a->family == SYNACK_AF_INET6 ? 128 : 32;
    *len = a->family == SYNACK_AF_INET6 ? 64 : 24;
    if (slash) {
        char *end;
        unsigned long v = strtoul(slash + 1, &end, 10);
        if (!slash[1] || *end || v > max)
            return -EINVAL;
        *len = (unsigned)v;
    }
    return 0;
}

static int number(const char *v, double lo, double hi, double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (!*v || *end || d < lo || d > hi)
        return -1;
    *out = d;
    return 0;
}

int node_opt(struct node_opts *o, int argc, char **argv, int *i, const char *prog)
{
    const char *a = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    double d = 0;
    if (!strcmp(a, "-v") || !strcmp(a, "--verbose") || !strcmp(a, "-vv")) {
        o->verbose += a[2] == 'v' ? 2 : 1;
        return 1;
    }
    if (!strcmp(a, "--nodelay") || !strcmp(a, "--keepalive")) {
        *(a[2] == 'n' ? &o->nodelay : &o->keepalive) = 1;
        return 1;
    }
    static const char *const valued[] = {
        "--tun", "--addr", "--host-addr", "--pcap", "--control", "--loss", "--delay",
        "--reorder", "--dup", "--seed", "--sysctl", "--sndbuf", "--rcvbuf", "--mss",
        "--user-timeout", "--keepidle", "--keepintvl", "--keepcnt", NULL};
    int k = 0;
    while (valued[k] && strcmp(valued[k], a))
        k++;
    if (!valued[k])
        return 0;
    if (!v) {
        fprintf(stderr, "%s: %s needs a value\n", prog, a);
        return -1;
    }
    (*i)++;
    int bad = 0;
    if (!strcmp(a, "--tun")) {
        o->tun = v;
    } else if (!strcmp(a, "--addr")) {
        bad = node_parse_prefix(v, &o->addr, &o->prefix);
        o->has_addr = !bad;
    } else if (!strcmp(a, "--host-addr")) {
        bad = node_parse_prefix(v, &o->host_addr, &o->host_prefix);
        o->has_host = !bad;
    } else if (!strcmp(a, "--pcap")) {
        o->pcap = v;
    } else if (!strcmp(a, "--control")) {
        o->control = v;
    } else if (!strcmp(a, "--loss") || !strcmp(a, "--reorder") || !strcmp(a, "--dup")) {
        bad = number(v, 0, 1, &d);
        *(a[2] == 'l' ? &o->imp.loss : a[2] == 'r' ? &o->imp.reorder : &o->imp.dup) = d;
    } else if (!strcmp(a, "--delay")) {
        bad = number(v, 0, 10000, &d);
        o->imp.delay_us = (uint32_t)(d * 1000);
    } else if (!strcmp(a, "--seed")) {
        bad = number(v, 0, 1e18, &d);
        o->seed = strtoull(v, NULL, 10);
    } else if (!strcmp(a, "--sysctl")) {
        if (!strcmp(v, "list")) {
            settings_list(stdout, &o->cfg);
            exit(0);
        }
        int err = settings_set(&o->cfg, v);
        if (err) {
            fprintf(stderr, "%s: --sysctl %s: %s\n", prog, v,
                    err == -ENOENT ? "no such setting (--sysctl list)" : "bad value");
            return -1;
        }
    } else {
        bad = number(v, 0, 1e9, &d);
        int *dst = !strcmp(a, "--sndbuf")         ? &o->sndbuf
                   : !strcmp(a, "--rcvbuf")       ? &o->rcvbuf
                   : !strcmp(a, "--mss")          ? &o->mss
                   : !strcmp(a, "--user-timeout") ? &o->user_timeout
                   : !strcmp(a, "--keepidle")     ? &o->keepidle
                   : !strcmp(a, "--keepintvl")    ? &o->keepintvl
                                                  : &o->keepcnt;
        *dst = (int)d;
    }
    if (bad) {
        fprintf(stderr, "%s: bad value for %s: '%s'\n", prog, a, v);
        return -1;
    }
    return 1;
}

static int setopt(struct node *n, int sd, int level, int name, int v)
{
    if (v < 0)
        return 0;
    int err = synack_setsockopt(n->st, sd, level, name, &v, sizeof(v));
    if (err)
        fprintf(stderr, "%s: setsockopt(%d, %d): %s\n", n->prog, level, name,
                synack_strerror(err));
    return err;
}

int node_sockopts(struct node *n, int sd)
{
    const struct node_opts *o = &n->o;
    int err = setopt(n, sd, SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF, o->sndbuf);
    err |= setopt(n, sd, SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF, o->rcvbuf);
    err |= setopt(n, sd, SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, o->keepalive);
    err |= setopt(n, sd, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, o->nodelay);
    err |= setopt(n, sd, SYNACK_IPPROTO_TCP, SYNACK_TCP_MAXSEG, o->mss);
    err |= setopt(n, sd, SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPIDLE, o->keepidle);
    err |= setopt(n, sd, SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPINTVL, o->keepintvl);
    err |= setopt(n, sd, SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPCNT, o->keepcnt);
    err |= setopt(n, sd, SYNACK_IPPROTO_TCP, SYNACK_TCP_USER_TIMEOUT, o->user_timeout);
    return err ? -EINVAL : 0;
}

static void on_signal(void *user, int fd, uint32_t events)
{
    struct node *n = user;
    struct signalfd_siginfo si;
    (void)events;
    while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        n->signalled = (int)si.ssi_signo;
        n->signals++;
    }
}

static void on_alarm(void *user, int fd, uint32_t events)
{
    uint64_t x;
    (void)user;
    (void)events;
    while (read(fd, &x, sizeof(x)) > 0) {
    }
}

void node_alarm(struct node *n, uint64_t at_ns)
{
    struct itimerspec its;
    memset(&its, 0, sizeof(its));
    its.it_value.tv_sec = (time_t)(at_ns / 1000000000ull);
    its.it_value.tv_nsec = (long)(at_ns % 1000000000ull);
    if (!at_ns)
        its.it_value.tv_nsec = 1;
    timerfd_settime(n->alarmfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static int fail(struct node *n, const char *what, int err)
{
    fprintf(stderr, "%s: %s: %s\n", n->prog, what, strerror(-err));
    if (err == -EPERM || err == -EACCES)
        fprintf(stderr, "%s: (a TUN device needs root or CAP_NET_ADMIN)\n", n->prog);
    node_finish(n);
    return 1;
}

/* -vv: every state change of every connection on stderr. */
static void on_trace(void *user, const struct synack_trace *ev)
{
    struct node *n = user;
    char l[80], r[80];
    fprintf(stderr, "%s: %.3f %s %s %s -> %s (%s)\n", n->prog,
            (double)(ev->now_ns - n->started_ns) / 1e9, node_fmt_sockaddr(&ev->local, l, sizeof(l)),
            node_fmt_sockaddr(&ev->remote, r, sizeof(r)), synack_tcp_state_name(ev->old_state),
            synack_tcp_state_name(ev->new_state), ev->cause);
}

static int signals_open(struct node *n)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return -errno;
    signal(SIGPIPE, SIG_IGN); /* a closed stdout is an EPIPE to handle, not a death */
    n->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (n->sigfd < 0)
        return -errno;
    n->alarmfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (n->alarmfd < 0)
        return -errno;
    int err = synack_tun_watch(n->tun, n->sigfd, EPOLLIN, on_signal, n);
    return err ? err : synack_tun_watch(n->tun, n->alarmfd, EPOLLIN, on_alarm, n);
}

int node_start(struct node *n, const struct node_opts *o, const char *prog)
{
    memset(n, 0, sizeof(*n));
    n->o = *o;
    n->prog = prog;
    n->sigfd = n->alarmfd = -1;
    n->o.cfg.seed = o->seed;
    if (!o->tun || !o->has_addr) {
        fprintf(stderr, "%s: --tun IF and --addr A/LEN are required\n", prog);
        return 1;
    }
    int err = synack_stack_create(&n->o.cfg, &n->st);
    if (err)
        return fail(n, "stack settings", err);
    n->started_ns = synack_tun_clock();
    if (o->verbose >= 2)
        synack_set_trace(n->st, on_trace, n);
    err = synack_tun_open(o->tun, o->seed, &n->tun);
    if (err)
        return fail(n, o->tun, err);
    /* The stack's clock starts now: socket calls made before the first packet act at
     * this time, not at 0. */
    synack_stack_poll(n->st, synack_tun_clock());
    err = synack_tun_attach(n->tun, n->st);
    if (!err)
        err = synack_stack_add_addr(n->st, &o->addr, o->prefix);
    if (err)
        return fail(n, "--addr", err);
    if (o->has_host && (err = synack_tun_host_addr(o->tun, &o->host_addr, o->host_prefix)))
        return fail(n, "--host-addr", err);
    synack_tun_set_impair(n->tun, -1, &o->imp);
    if (o->pcap) {
        err = synack_pcap_open(o->pcap, &n->pcap);
        if (err)
            return fail(n, o->pcap, err);
        synack_tun_set_pcap(n->tun, n->pcap);
    }
    if ((err = signals_open(n)))
        return fail(n, "signals", err);
    if (o->control)
        snprintf(n->ctl_path, sizeof(n->ctl_path), "%s", o->control);
    else
        snprintf(n->ctl_path, sizeof(n->ctl_path), "/tmp/synack-%d.ctl", (int)getpid());
    if ((err = control_open(n->ctl_path, n->tun, node_control, n, &n->ctl)))
        return fail(n, n->ctl_path, err);
    return 0;
}

void node_finish(struct node *n)
{
    control_close(n->ctl);
    n->ctl = NULL;
    if (n->tun)
        synack_tun_close(n->tun);
    n->tun = NULL;
    if (n->pcap)
        synack_pcap_close(n->pcap);
    n->pcap = NULL;
    if (n->st)
        synack_stack_destroy(n->st);
    n->st = NULL;
    if (n->sigfd >= 0)
        close(n->sigfd);
    if (n->alarmfd >= 0)
        close(n->alarmfd);
    n->sigfd = n->alarmfd = -1;
}

char *node_fmt_sockaddr(const struct synack_sockaddr *sa, char *buf, size_t len)
{
    char a[64];
    synack_addr_format(&sa->addr, a, sizeof(a));
    if (sa->addr.family == SYNACK_AF_INET6)
        snprintf(buf, len, "[%s]:%u", a, sa->port);
    else
        snprintf(buf, len, "%s:%u", a, sa->port);
    return buf;
}

static void count_closing(void *user, const struct synack_conn *c)
{
    int *count = user;
    int s = c->info.state;
    if (c->sd < 0 && s != SYNACK_TCP_LISTEN && s != SYNACK_TCP_TIME_WAIT && s != SYNACK_TCP_CLOSED)
        (*count)++;
}

int node_closing(struct node *n)
{
    int count = 0;
    synack_stack_connections(n->st, count_closing, &count);
    return count;
}
