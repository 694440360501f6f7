/* tun_loop.c: the TUN driver's event loop: epoll over the device, a timerfd armed at
 * the stack's next deadline (absolute CLOCK_MONOTONIC) and the application's fds; it
 * sleeps until one of them is ready, never busy-polls.  Read epoll(7) and
 * timerfd_create(2) before changing. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "tun_impl.h"

#define TAG_TUN 0u
#define TAG_TIMER 1u
#define TAG_WATCH 2u

int tun_loop_init(struct synack_tun *t)
{
    for (int i = 0; i < TUN_MAX_WATCH; i++)
        t->watch[i].fd = -1;
    t->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (t->epfd < 0)
        return -errno;
    t->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (t->timerfd < 0)
        return -errno;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TAG_TUN};
    if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->fd, &ev) < 0)
        return -errno;
    ev.data.u32 = TAG_TIMER;
    if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->timerfd, &ev) < 0)
        return -errno;
    return 0;
}

void tun_loop_free(struct synack_tun *t)
{
    if (t->epfd >= 0)
        close(t->epfd);
    if (t->timerfd >= 0)
        close(t->timerfd);
    t->epfd = t->timerfd = -1;
}

static int find_watch(const struct synack_tun *t, int fd)
{
    for (int i = 0; i < TUN_MAX_WATCH; i++)
        if (t->watch[i].fd == fd)
            return i;
    return -1;
}

int synack_tun_watch(struct synack_tun *t, int fd, uint32_t events, synack_tun_fd_cb cb,
                     void *user)
{
    int i = find_watch(t, fd);
    int op = EPOLL_CTL_MOD;
    if (i < 0) {
        i = find_watch(t, -1);
        if (i < 0)
            return -ENOSPC;
        op = EPOLL_CTL_ADD;
    }
    struct epoll_event ev = {.events = events, .data.u32 = TAG_WATCH + (uint32_t)i};
    if (epoll_ctl(t->epfd, op, fd, &ev) < 0)
        return -errno;
    t->watch[i].fd = fd;
    t->watch[i].cb = cb;
    t->watch[i].user = user;
    return 0;
}

int synack_tun_unwatch(struct synack_tun *t, int fd)
{
    int i = find_watch(t, fd);
    if (i < 0)
        return -ENOENT;
    epoll_ctl(t->epfd, EPOLL_CTL_DEL, fd, NULL);
    t->watch[i].fd = -1;
    return 0;
}

void synack_tun_stop(struct synack_tun *t) { t->stopping = true; }
void synack_tun_wake(struct synack_tun *t) { t->wake = true; }

/* Arms the timerfd at deadline (UINT64_MAX disarms); a syscall only when it changes. */
static int arm_timer(struct synack_tun *t, uint64_t deadline)
{
    uint64_t want = deadline == UINT64_MAX ? 0 : deadline;
    if (want == t->timer_armed_ns)
        return 0;
    struct itimerspec its;
    memset(&its, 0, sizeof(its));
    its.it_value.tv_sec = (time_t)(want / 1000000000ull);
    its.it_value.tv_nsec = (long)(want % 1000000000ull);
    if (timerfd_settime(t->timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
        return -errno;
    t->timer_armed_ns = want;
    return 0;
}

static uint64_t loop_now(struct synack_tun *t)
{
    uint64_t now = synack_tun_clock();
    if (now < t->last_now)
        now = t->last_now; /* the stack's clock must not go backwards */
    t->last_now = now;
    return now;
}

static void dispatch(struct synack_tun *t, const struct epoll_event *ev, int n)
{
    for (int i = 0; i < n; i++) {
        uint32_t tag = ev[i].data.u32;
        if (tag == TAG_TIMER) {
            uint64_t expirations;
            if (read(t->timerfd, &expirations, sizeof(expirations)) > 0)
                t->timer_armed_ns = 0; /* fired: a new arm is needed even for the same time */
        } else if (tag >= TAG_WATCH) {
            struct tun_watch *w = &t->watch[tag - TAG_WATCH];
            if (w->fd >= 0 && w->cb)
                w->cb(w->user, w->fd, ev[i].events);
        }
        /* TAG_TUN: read at the top of the next iteration. */
    }
}

int synack_tun_run(struct synack_tun *t, int (*step)(void *user), void *user)
{
    if (!t->st)
        return -EINVAL;
    t->stopping = false;
    for (;;) {
        uint64_t now = loop_now(t);
        t->stats.wakeups++;
        int n = tun_rx_batch(t, now);
        if (n < 0)
            return n;
        tun_release_due(t, now);
        synack_stack_poll(t->st, now);
        int stop = step ? step(user) : 0;
        uint64_t deadline = synack_stack_poll(t->st, now);
        tun_tx_flush(t);
        if (stop || t->stopping)
            return 0;
        uint64_t due = tun_next_due(t);
        if (due < deadline)
            deadline = due;
        /* A full batch means more is waiting: go round without sleeping. */
        bool busy = n == SYNACK_TUN_BATCH || t->wake || deadline <= synack_tun_clock();
        t->wake = false;
        if (!busy) {
            int err = arm_timer(t, deadline);
            if (err)
                return err;
        }
        struct epoll_event ev[32];
        int nev = epoll_wait(t->epfd, ev, 32, busy ? 0 : -1);
        if (nev < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        dispatch(t, ev, nev);
    }
}
