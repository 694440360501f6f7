/* run.c: runs one script against a fresh stack in virtual time: the clock (polled at every
 * deadline, never skipping one), the queue of sent packets, the event loop, timing checks.
 * Read pkt.h (struct pkt_run) and packetdrill's timing rules (relative times, "...") first. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt/pkt.h"

void pkt_fail(struct pkt_run *r, int line, const char *fmt, ...)
{
    if (r->failed)
        return;
    r->failed = 1;
    r->fail_line = line;
    pkt_str_init(&r->fail);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->fail.s, sizeof(r->fail.s), fmt, ap);
    va_end(ap);
}

void pkt_trace(struct pkt_run *r, const char *fmt, ...)
{
    if (!r->cfg.verbose)
        return;
    char msg[PKT_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct pkt_str t;
    pkt_str_init(&t);
    pkt_str_time(&t, (int64_t)(r->now_ns / 1000));
    printf("%8s %s:%d: %s\n", t.s, r->path, r->line, msg);
    fflush(stdout); /* the trace must survive a crash of the stack */
}

void pkt_str_window(struct pkt_str *b, const struct pkt_window *w)
{
    if (w->any) {
        pkt_str_add(b, "*");
        return;
    }
    pkt_str_time(b, w->start_us);
    if (w->end_us != w->start_us) {
        pkt_str_add(b, "~");
        pkt_str_time(b, w->end_us);
    }
}

static void add_ms(struct pkt_str *b, uint64_t ns)
{
    if (ns >= 1000000)
        pkt_str_add(b, "%llu ms", (unsigned long long)((ns + 500000) / 1000000));
    else
        pkt_str_add(b, "%.3f ms", (double)ns / 1e6);
}

int pkt_check_time(struct pkt_run *r, int line, const struct pkt_window *w, uint64_t t_ns,
                   const char *expected, const char *got)
{
    if (w->any || (t_ns >= w->lo_ns && t_ns <= w->hi_ns))
        return 0;
    struct pkt_str ws, ts, by;
    pkt_str_init(&ws);
    pkt_str_init(&ts);
    pkt_str_init(&by);
    pkt_str_window(&ws, w);
    pkt_str_time(&ts, (int64_t)(t_ns / 1000));
    add_ms(&by, t_ns > w->hi_ns ? t_ns - w->hi_ns : w->lo_ns - t_ns);
    pkt_fail(r, line, "expected %s at %s got %s at %s (%s by %s)", expected, ws.s, got, ts.s,
             t_ns > w->hi_ns ? "late" : "early", by.s);
    return -1;
}

/* ------------------------------------------------------------------ the link and the queue */

/* The link's tx: every packet the stack sends is queued with the time it was sent. */
static void on_tx(void *user, const uint8_t *pkt, size_t len)
{
    struct pkt_run *r = user;
    if (r->after_last_line)
        return; /* not checked */
    if (r->qlen >= PKT_MAX_QUEUE) {
        pkt_fail(r, r->line, "the stack sent more than %d packets the script did not match",
                 PKT_MAX_QUEUE);
        return;
    }
    struct pkt_qpkt *q = malloc(sizeof(*q) + len);
    if (!q) {
        pkt_fail(r, r->line, "out of memory");
        return;
    }
    q->next = NULL;
    q->t_ns = r->now_ns;
    q->len = len;
    memcpy(q->data, pkt, len);
    *r->qtail = q;
    r->qtail = &q->next;
    r->qlen++;
}

void pkt_queue_pop(struct pkt_run *r)
{
    struct pkt_qpkt *q = r->qhead;
    if (!q)
        return;
    r->qhead = q->next;
    if (!r->qhead)
        r->qtail = &r->qhead;
    r->qlen--;
    free(q);
}

/* ------------------------------------------------------------------ the clock */

static void count_step(struct pkt_run *r)
{
    if (++r->steps > PKT_MAX_STEPS)
        pkt_fail(r, r->line, "runaway: more than %llu stack polls",
                 (unsigned long long)PKT_MAX_STEPS);
}

void pkt_flush(struct pkt_run *r)
{
    r->deadline_ns = synack_stack_poll(r->st, r->now_ns);
    count_step(r);
}

/* Retries a blocked call after the stack moved; fails it once past its window. */
static void call_progress(struct pkt_run *r)
{
    if (!r->call.active || r->failed)
        return;
    if (pkt_call_retry(r))
        return;
    if (!r->call.win.any && r->now_ns > r->call.win.hi_ns) {
        struct pkt_str es, ws, by;
        pkt_str_init(&es);
        pkt_str_init(&ws);
        pkt_str_init(&by);
        pkt_format_expected_call(&es, &r->call.ev->call);
        pkt_str_window(&ws, &r->call.win);
        pkt_str_time(&by, (int64_t)(r->call.win.hi_ns / 1000));
        pkt_fail(r, r->call.ev->line, "expected %s at %s got no return by %s (still blocked)",
                 es.s, ws.s, by.s);
    }
}

/* The clock's next stop on the way to target: the stack's deadline, a blocked call's
 * retry time or the end of its window, whichever comes first. */
static uint64_t next_stop(const struct pkt_run *r, uint64_t target)
{
    uint64_t next = r->deadline_ns;
    if (r->call.active) {
        if (r->call.wake_ns < next)
            next = r->call.wake_ns;
        if (!r->call.win.any && r->call.win.hi_ns + 1 < next)
            next = r->call.win.hi_ns + 1;
    }
    if (next > target)
        next = target;
    if (next <= r->now_ns) /* a deadline due now was served by the last poll */
        next = r->now_ns + 1;
    return next;
}

static void advance(struct pkt_run *r, uint64_t target_ns, size_t stop_qlen, int stop_on_return)
{
    while (!r->failed && r->qlen <= stop_qlen && r->now_ns < target_ns) {
        if (stop_on_return && !r->call.active)
            return;
        r->now_ns = next_stop(r, target_ns);
        r->deadline_ns = synack_stack_poll(r->st, r->now_ns);
        count_step(r);
        call_progress(r);
    }
}

void pkt_advance(struct pkt_run *r, uint64_t target_ns, size_t stop_qlen)
{
    advance(r, target_ns, stop_qlen, 0);
}

/* ------------------------------------------------------------------ events */

static void unexpected(struct pkt_run *r, int line, const struct pkt_window *w)
{
    struct pkt_str got, ws, ts;
    pkt_str_init(&got);
    pkt_str_init(&ws);
    pkt_str_init(&ts);
    pkt_describe_live(r, r->qhead, &got);
    pkt_str_window(&ws, w);
    pkt_str_time(&ts, (int64_t)(r->qhead->t_ns / 1000));
    pkt_fail(r, line, "expected no segment before %s got unexpected %s at %s", ws.s, got.s, ts.s);
}

/* Moves the clock to a line that is not an outbound packet: anything sent meanwhile (or
 * sent before and not matched) is unexpected. */
static void quiet_until(struct pkt_run *r, int line, const struct pkt_window *w, uint64_t t_ns)
{
    if (r->qlen == 0)
        pkt_advance(r, t_ns, 0);
    if (!r->failed && r->qlen)
        unexpected(r, line, w);
}

/* Before another call (one at a time, as packetdrill's syscall thread): wait until the
 * blocked one returns or fails. */
static void finish_call(struct pkt_run *r, int line, const struct pkt_window *w, int check_queue)
{
    uint64_t limit = (uint64_t)PKT_TIME_LIMIT_US * 1000;
    while (r->call.active && !r->failed) {
        if (check_queue && r->qlen) {
            unexpected(r, line, w);
            return;
        }
        if (r->now_ns >= limit) {
            pkt_fail(r, r->call.ev->line, "the call never returned (virtual-time limit)");
            return;
        }
        advance(r, limit, check_queue ? 0 : SIZE_MAX, 1);
    }
}

/* The window of an event: relative times count from the previous event (consecutive
 * inbound packets from the previous one's script time, as packetdrill anchors them;
 * otherwise from now), "...end" shares the start's offset. */
static void make_window(const struct pkt_run *r, const struct pkt_event *ev, int64_t prev_us,
                        int prev_inbound, struct pkt_window *w, struct pkt_window *callw)
{
    int64_t now_us = (int64_t)(r->now_ns / 1000), tol = r->cfg.tolerance_us;
    int inbound = ev->kind == PKT_EV_PACKET && ev->pkt.dir == '<';
    int64_t off = 0;
    memset(w, 0, sizeof(*w));
    if (ev->time.kind == PKT_T_ANY) {
        w->any = 1;
        w->start_us = w->end_us = now_us;
        w->lo_ns = 0;
        w->hi_ns = (uint64_t)PKT_TIME_LIMIT_US * 1000;
        *callw = *w;
        return;
    }
    if (ev->time.kind == PKT_T_REL)
        off = prev_inbound && inbound ? prev_us : now_us;
    w->start_us = ev->time.start_us + off;
    w->end_us = ev->time.end_us + off;
    w->lo_ns = (uint64_t)(w->start_us > tol ? w->start_us - tol : 0) * 1000;
    w->hi_ns = (uint64_t)(w->end_us + tol) * 1000;
    *callw = *w;
    if (ev->time.has_block_end) {
        int64_t end = ev->time.block_end_us + (ev->time.kind == PKT_T_REL ? off : 0);
        if (end > callw->end_us)
            callw->end_us = end;
        callw->hi_ns = (uint64_t)(callw->end_us + tol) * 1000;
    }
}

static void run_event(struct pkt_run *r, const struct pkt_event *ev, const struct pkt_window *w,
                      const struct pkt_window *callw)
{
    uint64_t at = (uint64_t)w->start_us * 1000;
    struct pkt_str err;
    pkt_str_init(&err);
    switch (ev->kind) {
    case PKT_EV_PACKET:
        if (ev->pkt.dir == '>') {
            pkt_expect(r, ev, w);
            return;
        }
        quiet_until(r, ev->line, w, at);
        if (!r->failed && !w->any && r->now_ns > w->hi_ns) {
            struct pkt_str es;
            pkt_str_init(&es);
            pkt_format_packet(&es, &ev->pkt, &ev->pkt);
            pkt_check_time(r, ev->line, w, r->now_ns, es.s, "the clock");
        }
        if (!r->failed)
            pkt_inject(r, ev);
        call_progress(r); /* the packet may complete a blocked call, at this very time */
        return;
    case PKT_EV_SYSCALL: {
        /* Issued at its time; made once a blocked call before it returned (packetdrill's
         * syscall thread runs one call at a time). */
        quiet_until(r, ev->line, w, at);
        uint64_t issued = r->now_ns;
        if (!r->failed)
            finish_call(r, ev->line, w, 1);
        if (!r->failed)
            pkt_call_start(r, ev, callw, issued);
        return;
    }
    case PKT_EV_COMMAND:
        quiet_until(r, ev->line, w, at);
        if (!r->failed && pkt_command_run(r, ev->text, &err))
            pkt_fail(r, ev->line, "%s", err.s);
        pkt_trace(r, "`%s`", ev->text);
        call_progress(r);
        return;
    case PKT_EV_CODE:
        pkt_fail(r, ev->line, "unsupported: %%{ }%% code block");
        return;
    }
}

static void run_events(struct pkt_run *r)
{
    int64_t prev_us = 0;
    int prev_inbound = 0;
    for (const struct pkt_event *ev = r->script->events; ev && !r->failed; ev = ev->next) {
        struct pkt_window w, callw;
        r->line = ev->line;
        make_window(r, ev, prev_us, prev_inbound, &w, &callw);
        if (callw.end_us > PKT_TIME_LIMIT_US) {
            pkt_fail(r, ev->line, "beyond the virtual-time limit of %lld s",
                     (long long)(PKT_TIME_LIMIT_US / 1000000));
            return;
        }
        run_event(r, ev, &w, &callw);
        prev_us = w.start_us;
        prev_inbound = ev->kind == PKT_EV_PACKET && ev->pkt.dir == '<';
    }
    /* A call still blocked after the last line must still return in its window; what
     * the stack sends after the last line is not checked. */
    if (!r->failed && r->call.active) {
        struct pkt_window none = {0};
        r->after_last_line = 1;
        finish_call(r, r->call.ev->line, &none, 0);
    }
}

/* ------------------------------------------------------------------ set-up */

/* Applies "--name=value" lines at the top of the script to the run's configuration. */
static int apply_options(struct pkt_run *r)
{
    for (const struct pkt_option *o = r->script->options; o; o = o->next) {
        struct pkt_str err;
        pkt_str_init(&err);
        if (pkt_config_option(&r->cfg, o->name, o->value, &err)) {
            pkt_fail(r, o->line, "%s", err.s);
            return -1;
        }
    }
    return 0;
}

/* Refuses, before anything runs, what the interpreter cannot do. */
static int check_script(struct pkt_run *r)
{
    struct pkt_str err;
    for (const struct pkt_event *ev = r->script->events; ev; ev = ev->next) {
        pkt_str_init(&err);
        if (ev->kind == PKT_EV_CODE) {
            pkt_fail(r, ev->line, "unsupported: %%{ }%% code block");
            return -1;
        }
        if ((ev->kind == PKT_EV_COMMAND && pkt_command_check(ev->text, &err)) ||
            (ev->kind == PKT_EV_SYSCALL && pkt_call_check(&ev->call, &err))) {
            pkt_fail(r, ev->line, "%s", err.s);
            return -1;
        }
    }
    return 0;
}

static int setup(struct pkt_run *r)
{
    struct synack_settings s;
    synack_settings_default(&s);
    int rc = synack_stack_create(&s, &r->st);
    if (rc) {
        pkt_fail(r, 0, "cannot create a stack: %s", synack_strerror(rc));
        return -1;
    }
    struct synack_link link = {r->cfg.mtu, 0, on_tx, r};
    rc = synack_stack_attach_link(r->st, &link);
    if (rc) {
        pkt_fail(r, 0, "cannot attach the link: %s", synack_strerror(rc));
        return -1;
    }
    /* packetdrill's defaults: local 192.168.0.1, remote 192.0.2.1 (TEST-NET-1); for IPv6 a
     * ULA in fd3d:fa7b:d17d::/48 and 2001:db8::1 (documentation prefix). */
    int v6 = r->cfg.ip_version == 6;
    r->family = v6 ? SYNACK_AF_INET6 : SYNACK_AF_INET;
    if (synack_addr_parse(v6 ? "fd3d:fa7b:d17d::1" : "192.168.0.1", &r->local) ||
        synack_addr_parse(v6 ? "2001:db8::1" : "192.0.2.1", &r->remote)) {
        pkt_fail(r, 0, "cannot parse the default addresses");
        return -1;
    }
    r->prefix_len = v6 ? 48 : 24;
    rc = synack_stack_add_addr(r->st, &r->local, r->prefix_len);
    if (rc) {
        pkt_fail(r, 0, "cannot add the local address: %s", synack_strerror(rc));
        return -1;
    }
    r->now_ns = 0;
    pkt_flush(r);
    return 0;
}

/* DESIGN.md "Tests": every run ends with every pool back to empty.  Like a process
 * exiting, close what the script left open, let virtual time run (orphans finish or give
 * up, TIME_WAIT and half-open entries expire; the remote stays silent), then require
 * empty pools. */
static void check_no_leak(struct pkt_run *r)
{
    for (int i = 0; i < PKT_MAX_FDS; i++) {
        if (r->fds[i].used) {
            synack_close(r->st, r->fds[i].sd);
            r->fds[i].used = 0;
        }
    }
    uint64_t t = r->now_ns, end = r->now_ns + 7200ull * 1000000000ull;
    for (int steps = 0; steps < 1000000 && t <= end; steps++) {
        uint64_t next = synack_stack_poll(r->st, t);
        while (r->qhead)
            pkt_queue_pop(r);
        if (next == UINT64_MAX)
            break;
        t = next;
    }
    struct synack_pool_stats p[8];
    int n = synack_stack_pools(r->st, p, 8);
    for (int i = 0; i < n && i < 8; i++) {
        if (p[i].in_use) {
            pkt_fail(r, 0, "leak: pool %s has %u in use after closing everything and 2 h",
                     p[i].name, p[i].in_use);
            return;
        }
    }
}

static void teardown(struct pkt_run *r)
{
    while (r->qhead)
        pkt_queue_pop(r);
    if (r->st)
        synack_stack_destroy(r->st);
    r->st = NULL;
}

int pkt_run_file(const char *path, const struct pkt_config *cfg)
{
    struct pkt_run *r = calloc(1, sizeof(*r));
    struct pkt_script script;
    memset(&script, 0, sizeof(script));
    if (!r) {
        printf("FAIL %s: out of memory\n", path);
        return 1;
    }
    r->path = path;
    r->cfg = *cfg;
    r->script = &script;
    r->qtail = &r->qhead;
    r->sut = -1;
    r->next_port = 49152;
    r->call.wake_ns = UINT64_MAX;
    for (int i = 0; i < PKT_MAX_FDS; i++)
        r->fds[i].conn = -1;

    char *src = pkt_read_file(path);
    if (!src) {
        pkt_fail(r, 0, "cannot read: %s", strerror(errno));
    } else {
        struct pkt_str err;
        int line = 0;
        pkt_str_init(&err);
        if (pkt_parse(src, &script, &err, &line))
            pkt_fail(r, line, "%s", err.s);
        free(src);
    }
    if (!r->failed && apply_options(r) == 0 && check_script(r) == 0 && setup(r) == 0) {
        run_events(r);
        if (!r->failed)
            check_no_leak(r);
    }
    teardown(r);
    pkt_script_free(&script);

    int failed = r->failed;
    if (failed && r->fail_line > 0)
        printf("FAIL %s:%d: %s\n", path, r->fail_line, r->fail.s);
    else if (failed)
        printf("FAIL %s: %s\n", path, r->fail.s);
    else
        printf("PASS %s\n", path);
    fflush(stdout);
    free(r);
    return failed ? 1 : 0;
}
