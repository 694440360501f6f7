/* linux.c: the Linux side: the same workloads over the kernel's TCP, client and server in
 * two processes, over loopback or run.sh's veth namespaces; lossy over run.sh's TUN
 * devices joined by relay.c in a third process.  Read bench/README.md first. */
#define _GNU_SOURCE /* setns */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_data_segs_out; not netinet/tcp.h */
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* What the client process reports to the parent. */
struct report {
    int ok;
    double wall_s, t0; /* t0: the first write of bulk and lossy */
    uint64_t bytes, ops, segs, retrans;
    uint32_t mss;
    char why[120];
};

void bench_enter_netns(const char *name)
{
    if (!name)
        return;
    char path[256];
    snprintf(path, sizeof(path), "/var/run/netns/%s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
        fprintf(stderr, "bench: cannot enter netns %s: %s\n", name, strerror(errno));
        _exit(3);
    }
    close(fd);
}

static void timeouts(int fd, double limit_s)
{
    struct timeval tv = {.tv_sec = (time_t)limit_s + 1};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void set_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* lossy: CUBIC on both ends, named (the machine's default may be another, e.g. bbr). */
static int cubic(int fd, enum bench_kind k)
{
    return k == BENCH_LOSSY ? setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5) : 0;
}

static int read_full(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

static int write_full(int fd, const uint8_t *buf, size_t len)
{
    size_t put = 0;
    while (put < len) {
        ssize_t n = write(fd, buf + put, len - put);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        put += (size_t)n;
    }
    return 0;
}

/* ------------------------------------------------------------------ server process */

/* Sets *t_last when the last byte arrives. */
static int serve_bulk(int c, const struct bench_params *p, double *t_last)
{
    static uint8_t buf[BENCH_IO_CHUNK];
    uint64_t got = 0;
    for (;;) {
        ssize_t n = read(c, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return 1;
        if (n == 0)
            break;
        if (!bench_pattern_check(got, buf, (size_t)n))
            return 2;
        got += (uint64_t)n;
        if (got == p->bytes)
            *t_last = bench_wall();
    }
    return got == p->bytes ? 0 : 1;
}

static int serve_rr(int c)
{
    set_nodelay(c);
    uint8_t b;
    for (;;) {
        ssize_t n = read(c, &b, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return 0;
        if (n != 1 || write_full(c, &b, 1))
            return 1;
    }
}

static int serve_crr_one(int c)
{
    uint8_t buf[BENCH_CRR_BYTES];
    if (read_full(c, buf, sizeof(buf)) || write_full(c, bench_pattern(), BENCH_CRR_BYTES))
        return 1;
    return 0;
}

static void server_main(enum bench_kind k, const struct bench_params *p, int ready_fd)
{
    bench_enter_netns(p->netns[1]);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa = {.sin_family = AF_INET};
    inet_pton(AF_INET, p->addr[1], &sa.sin_addr);
    socklen_t sl = sizeof(sa);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 128) ||
        getsockname(ls, (struct sockaddr *)&sa, &sl))
        _exit(4);
    timeouts(ls, p->limit_s);
    uint16_t port = ntohs(sa.sin_port);
    if (write(ready_fd, &port, sizeof(port)) != sizeof(port))
        _exit(4);
    uint64_t n = k == BENCH_CRR ? p->count : 1;
    int rc = 0;
    double t_last = 0;
    for (uint64_t i = 0; i < n && !rc; i++) {
        int c = accept(ls, NULL, NULL);
        if (c < 0 || cubic(c, k))
            _exit(5);
        timeouts(c, p->limit_s);
        rc = k == BENCH_RR    ? serve_rr(c)
             : k == BENCH_CRR ? serve_crr_one(c)
                              : serve_bulk(c, p, &t_last);
        close(c); /* in crr the server closes first: TIME_WAIT is the server's */
    }
    /* lossy: the goodput ends here, so the parent gets the time */
    if (!rc && k == BENCH_LOSSY && write(ready_fd, &t_last, sizeof(t_last)) != sizeof(t_last))
        rc = 4;
    _exit(rc);
}

/* ------------------------------------------------------------------ client process */

static int dial(enum bench_kind k, const struct bench_params *p, uint16_t port, int *out)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, p->addr[1], &sa.sin_addr);
    timeouts(fd, p->limit_s);
    if (cubic(fd, k) || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    *out = fd;
    return 0;
}

/* The sender's counts, from TCP_INFO (0 if unknown). */
static void sender_info(int fd, struct report *r)
{
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    memset(&ti, 0, sizeof(ti));
    getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
    r->segs = ti.tcpi_data_segs_out;
    r->retrans = ti.tcpi_total_retrans;
    r->mss = ti.tcpi_snd_mss;
}

static void client_bulk(int fd, const struct bench_params *p, struct report *r)
{
    uint64_t sent = 0;
    double t0 = r->t0 = bench_wall();
    while (sent < p->bytes) {
        uint64_t left = p->bytes - sent;
        size_t n = left < BENCH_IO_CHUNK ? (size_t)left : BENCH_IO_CHUNK;
        if (n > BENCH_PAT_PERIOD)
            n = BENCH_PAT_PERIOD;
        ssize_t w = write(fd, bench_pattern() + sent % BENCH_PAT_PERIOD, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(r->why, sizeof(r->why), "write: %s", strerror(errno));
            return;
        }
        sent += (uint64_t)w;
    }
    shutdown(fd, SHUT_WR);
    uint8_t b;
    ssize_t n = read(fd, &b, 1); /* the server closes once it has every byte */
    r->wall_s = bench_wall() - t0;
    sender_info(fd, r);
    if (n != 0) {
        snprintf(r->why, sizeof(r->why), "no EOF from the server");
        return;
    }
    r->bytes = sent;
    r->ok = 1;
}

static void client_rr(int fd, const struct bench_params *p, struct report *r)
{
    set_nodelay(fd);
    double t0 = bench_wall();
    uint8_t b = 'q';
    for (uint64_t i = 0; i < p->count; i++) {
        if (write_full(fd, &b, 1) || read_full(fd, &b, 1)) {
            snprintf(r->why, sizeof(r->why), "round trip %llu: %s", (unsigned long long)i,
                     strerror(errno));
            return;
        }
        r->ops++;
    }
    r->wall_s = bench_wall() - t0;
    r->ok = 1;
}

static void client_crr(const struct bench_params *p, uint16_t port, struct report *r)
{
    double t0 = bench_wall();
    uint8_t buf[BENCH_CRR_BYTES + 1];
    for (uint64_t i = 0; i < p->count; i++) {
        int fd, err = dial(BENCH_CRR, p, port, &fd);
        if (err) {
            snprintf(r->why, sizeof(r->why), "connect %llu: %s", (unsigned long long)i,
                     strerror(-err));
            return;
        }
        int bad = write_full(fd, bench_pattern(), BENCH_CRR_BYTES) ||
                  read_full(fd, buf, BENCH_CRR_BYTES) || read(fd, buf, 1) != 0;
        close(fd);
        if (bad) {
            snprintf(r->why, sizeof(r->why), "connection %llu: bad exchange",
                     (unsigned long long)i);
            return;
        }
        r->ops++;
    }
    r->wall_s = bench_wall() - t0;
    r->ok = 1;
}

static void client_main(enum bench_kind k, const struct bench_params *p, uint16_t port,
                        int result_fd)
{
    bench_enter_netns(p->netns[0]);
    struct report r;
    memset(&r, 0, sizeof(r));
    int fd = -1, err = 0;
    if (k != BENCH_CRR && (err = dial(k, p, port, &fd)) != 0)
        snprintf(r.why, sizeof(r.why), "connect: %s", strerror(-err));
    else if (k == BENCH_BULK || k == BENCH_LOSSY)
        client_bulk(fd, p, &r);
    else if (k == BENCH_RR)
        client_rr(fd, p, &r);
    else
        client_crr(p, port, &r);
    if (fd >= 0)
        close(fd);
    _exit(write(result_fd, &r, sizeof(r)) == sizeof(r) ? 0 : 1);
}

/* ------------------------------------------------------------------ parent */

/* Reads exactly len bytes from fd before the deadline; 0 or -1. */
static int read_by(int fd, void *buf, size_t len, double deadline)
{
    size_t got = 0;
    while (got < len) {
        double left = deadline - bench_wall();
        if (left <= 0)
            return -1;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int rc = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return -1;
        ssize_t n = read(fd, (uint8_t *)buf + got, len - got);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

/* Waits for pid until the deadline, then kills it (only this child, by its id). */
static int reap(pid_t pid, double deadline, struct rusage *ru)
{
    int status = 0;
    for (;;) {
        pid_t w = wait4(pid, &status, WNOHANG, ru);
        if (w == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        if (w < 0)
            return 127;
        if (bench_wall() > deadline) {
            kill(pid, SIGKILL);
            wait4(pid, &status, 0, ru);
            return 126;
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

static double ru_cpu(const struct rusage *ru)
{
    return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
           (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

/* lossy: relay.c's pump in a child process, stopped by closing ctl. */
struct relay {
    pid_t pid;
    int ctl, out;
};

/* 0 once the pump holds both TUN devices. */
static int relay_start(const struct bench_params *p, struct relay *rl)
{
    int ctl[2], out[2];
    if (pipe2(ctl, O_CLOEXEC))
        return -1;
    if (pipe2(out, O_CLOEXEC)) {
        close(ctl[0]);
        close(ctl[1]);
        return -1;
    }
    fflush(NULL);
    rl->pid = fork();
    if (rl->pid == 0) {
        close(ctl[1]);
        close(out[0]);
        _exit(relay_main(p, ctl[0], out[1]));
    }
    close(ctl[0]);
    close(out[1]);
    rl->ctl = ctl[1];
    rl->out = out[0];
    char c;
    return rl->pid > 0 && !read_by(rl->out, &c, 1, bench_wall() + 5) ? 0 : -1;
}

/* Stops the pump and puts what it measured into r. */
static void relay_stop(struct relay *rl, struct bench_result *r)
{
    double deadline = bench_wall() + 5;
    struct relay_stats st;
    close(rl->ctl);
    int got = rl->pid > 0 && !read_by(rl->out, &st, sizeof(st), deadline);
    close(rl->out);
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    int rc = rl->pid > 0 ? reap(rl->pid, deadline, &ru) : -1;
    r->cpu_s += ru_cpu(&ru);
    if ((!got || rc) && !r->why[0])
        snprintf(r->why, sizeof(r->why), "relay: exit status %d (run.sh as root makes its "
                 "TUN devices)", rc);
    if (got && st.qdrops && !r->why[0])
        snprintf(r->why, sizeof(r->why), "relay: %llu packets dropped past the loss",
                 (unsigned long long)st.qdrops);
    if (!got)
        return;
    r->lost = st.read_cs ? (double)st.lost_cs / (double)st.read_cs : 0;
    r->late_mean_us = st.forwarded ? st.late_sum_us / (double)st.forwarded : 0;
    r->late_max_us = st.late_max_us;
}

int linux_run(enum bench_kind k, const struct bench_params *p, struct bench_result *r)
{
    memset(r, 0, sizeof(*r));
    struct relay rl = {.pid = -1, .ctl = -1, .out = -1};
    if (k == BENCH_LOSSY && relay_start(p, &rl)) {
        relay_stop(&rl, r);
        return -1;
    }
    int ready[2], result[2];
    if (pipe(ready) || pipe(result)) {
        snprintf(r->why, sizeof(r->why), "pipe: %s", strerror(errno));
        if (k == BENCH_LOSSY)
            relay_stop(&rl, r);
        return -1;
    }
    fflush(NULL);
    double deadline = bench_wall() + p->limit_s + 5;
    pid_t srv = fork();
    if (srv == 0) {
        close(ready[0]);
        close(result[0]);
        close(result[1]);
        server_main(k, p, ready[1]);
    }
    close(ready[1]);
    uint16_t port = 0;
    pid_t cli = -1;
    struct report rep;
    memset(&rep, 0, sizeof(rep));
    if (srv < 0 || read_by(ready[0], &port, sizeof(port), deadline)) {
        snprintf(r->why, sizeof(r->why), "server did not start");
    } else if ((cli = fork()) == 0) {
        close(ready[0]);
        close(result[0]);
        client_main(k, p, port, result[1]);
    }
    close(result[1]);
    if (cli > 0 && read_by(result[0], &rep, sizeof(rep), deadline))
        snprintf(r->why, sizeof(r->why), "client gave no result in time");
    close(result[0]);
    double t_last = 0; /* lossy: when the server had the last byte */
    if (k == BENCH_LOSSY && rep.ok && read_by(ready[0], &t_last, sizeof(t_last), deadline))
        snprintf(r->why, sizeof(r->why), "server gave no time");
    close(ready[0]);
    struct rusage ru_c, ru_s;
    memset(&ru_c, 0, sizeof(ru_c));
    memset(&ru_s, 0, sizeof(ru_s));
    int rc_c = cli > 0 ? reap(cli, deadline, &ru_c) : -1;
    int rc_s = srv > 0 ? reap(srv, deadline, &ru_s) : -1;
    if (!r->why[0] && !rep.ok)
        snprintf(r->why, sizeof(r->why), "client: %s", rep.why);
    if (!r->why[0] && (rc_c || rc_s))
        snprintf(r->why, sizeof(r->why), "exit status client %d server %d", rc_c, rc_s);
    r->wall_s = k == BENCH_LOSSY ? t_last - rep.t0 : rep.wall_s;
    r->cpu_s = ru_cpu(&ru_c) + ru_cpu(&ru_s);
    if (k == BENCH_LOSSY)
        relay_stop(&rl, r);
    r->ok = !r->why[0];
    r->bytes = rep.bytes;
    r->ops = rep.ops;
    r->segs = rep.segs;
    r->retrans = rep.retrans;
    r->mss = rep.mss;
    return r->ok ? 0 : -1;
}
