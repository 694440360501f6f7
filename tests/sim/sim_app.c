/* sim_app.c: the applications on both hosts: a plan per connection drawn from the seed
 * (sizes, write pieces and pauses, partial and slow reads, close mode, abort, options),
 * then each endpoint driven by readiness (synack_wait) and its own timers.
 * Read sim.h and include/synack.h ("sockets", "readiness") before changing. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

static const char *const mode_names[] = {"close", "shutdown+eof", "eof"};
static const char *const abort_names[] = {"none", "linger0", "early-close"};

const char *sim_side_name(int side) { return side == SIM_CLIENT ? "client" : "server"; }

const char *sim_end_name(int end)
{
    static const char *const names[] = {"open",      "ok",       "aborted",      "error",
                                        "early-eof", "patience", "not-accepted", "stalled"};
    return end >= 0 && end <= END_STALLED ? names[end] : "?";
}

/* ------------------------------------------------------------------ the plan */

/* Most transfers are small or medium; some reach ~200 KB; a few are empty. */
static uint64_t draw_size(struct sim_rng *r)
{
    double u = sim_rng_unit(r);
    if (u < 0.06)
        return 0;
    if (u < 0.24)
        return sim_rng_range(r, 1, 1000);
    if (u < 0.50)
        return sim_rng_log(r, 1000, 20000);
    if (u < 0.80)
        return sim_rng_log(r, 20000, 100000);
    return sim_rng_log(r, 100000, 200000);
}

static void plan_ep(struct sim *s, struct sim_conn *c, int side)
{
    struct sim_rng *r = &s->rng;
    struct sim_ep *e = &c->ep[side];
    memset(e, 0, sizeof(*e));
    e->sim = s;
    e->c = c;
    e->side = side;
    e->sd = -1;
    e->out_key = sim_stream_key(s->seed, c->idx, side);
    e->in_key = sim_stream_key(s->seed, c->idx, 1 - side);
    e->wpiece_max = sim_rng_chance(r, 0.3) ? sim_rng_log(r, 1, 2048) : sim_rng_log(r, 2048, 65536);
    if (sim_rng_chance(r, 0.2))
        e->wpause_max_ms = sim_rng_range(r, 1, 100);
    e->rsize_max = sim_rng_chance(r, 0.3) ? sim_rng_log(r, 1, 2048) : sim_rng_log(r, 2048, 65536);
    if (sim_rng_chance(r, 0.2)) {
        e->slow = true;
        e->slow_chunk = sim_rng_log(r, 256, 16384);
        e->slow_ms = sim_rng_range(r, 5, 200);
    }
    e->nodelay = sim_rng_chance(r, 0.5);
    if (sim_rng_chance(r, 0.3)) {
        /* Short timers, or (0) Linux's defaults: 2 hours idle, 75 s apart, 9 probes. */
        e->keepalive = true;
        if (sim_rng_chance(r, 0.7)) {
            e->ka_idle_s = (int)sim_rng_range(r, 5, 60);
            e->ka_intvl_s = (int)sim_rng_range(r, 1, 10);
            e->ka_cnt = (int)sim_rng_range(r, 5, 9);
        }
    }
    if (sim_rng_chance(r, 0.12))
        e->sndbuf = (int)sim_rng_log(r, 1024, 65536);
    /* The server's receive buffer comes from the listener (set before the handshake). */
    if (side == SIM_CLIENT && sim_rng_chance(r, 0.2))
        e->rcvbuf = (int)sim_rng_log(r, 1024, 65536);
    if (sim_rng_chance(r, 0.3))
        e->cc = sim_rng_chance(r, 0.5) ? "reno" : "cubic";
    e->peek_p = sim_rng_chance(r, 0.2) ? 0.1 : 0.0;
    e->close_mode = (int)sim_rng_below(r, 3);
}

/* Tiny pieces are for small transfers: an application writing 3 bytes per 50 ms pause
 * (or reading 1 byte per call) of 200 KB would take longer than the deadline (or the
 * CPU budget).  Bounds the number of calls and pauses per transfer. */
static void bound_effort(struct sim_ep *e)
{
    uint32_t wmin = (uint32_t)(e->out_total / (e->wpause_max_ms ? 100 : 2000));
    uint32_t rmin = (uint32_t)(e->in_total / 2000);
    if (e->wpiece_max < wmin)
        e->wpiece_max = wmin < 65536 ? wmin : 65536;
    if (e->rsize_max < rmin)
        e->rsize_max = rmin < 65536 ? rmin : 65536;
    if (e->slow && e->slow_chunk < e->in_total / 400)
        e->slow_chunk = (uint32_t)(e->in_total / 400);
}

void sim_app_plan(struct sim *s)
{
    struct sim_rng *r = &s->rng;
    s->nconns = s->p.nconns;
    for (int i = 0; i < s->nconns; i++) {
        struct sim_conn *c = &s->conns[i];
        memset(c, 0, sizeof(*c));
        c->idx = i;
        c->aborter = -1;
        c->start_ns = i == 0 ? 0 : sim_rng_below(r, 3000) * SIM_MS;
        if (i && sim_rng_chance(r, 0.1))
            c->start_ns = sim_rng_range(r, 3000, 30000) * SIM_MS;
        uint64_t c2s = draw_size(r), s2c = draw_size(r);
        for (int side = 0; side < 2; side++)
            plan_ep(s, c, side);
        c->ep[SIM_CLIENT].out_total = c->ep[SIM_SERVER].in_total = c2s;
        c->ep[SIM_SERVER].out_total = c->ep[SIM_CLIENT].in_total = s2c;
        for (int side = 0; side < 2; side++)
            bound_effort(&c->ep[side]);
        /* Someone must close without waiting for the other's EOF. */
        if (c->ep[0].close_mode == CM_EOF && c->ep[1].close_mode == CM_EOF) {
            int side = (int)sim_rng_below(r, 2);
            c->ep[side].close_mode = sim_rng_chance(r, 0.5) ? CM_CLOSE : CM_SHUT;
        }
        if (sim_rng_chance(r, 0.12)) {
            struct sim_ep *a = &c->ep[sim_rng_below(r, 2)];
            a->abort_kind = sim_rng_chance(r, 0.65) ? AB_LINGER0 : AB_EARLY_CLOSE;
            uint64_t total = a->out_total + a->in_total;
            if (sim_rng_chance(r, 0.3)) {
                a->abort_after = UINT64_MAX;
                a->abort_at_ns = c->start_ns + sim_rng_range(r, 1, 5000) * SIM_MS;
            } else {
                a->abort_after = total ? sim_rng_below(r, (uint32_t)total + 1) : 0;
            }
        }
    }
}

/* ------------------------------------------------------------------ helpers */

static struct synack_stack *ep_st(const struct sim_ep *e) { return e->sim->st[e->side]; }

static void elog(struct sim_ep *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void elog(struct sim_ep *e, const char *fmt, ...)
{
    if (!e->sim->verbose)
        return;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sim_log(e->sim, "c%d %s sd %d: %s", e->c->idx, sim_side_name(e->side), e->sd, msg);
}

static void ep_close(struct sim_ep *e, int end)
{
    struct sim *s = e->sim;
    if (e->sd >= 0) {
        int rc = synack_close(ep_st(e), e->sd);
        if (rc)
            sim_fail(s, "conn %d %s: close() = %s", e->c->idx, sim_side_name(e->side),
                     synack_strerror(rc));
        s->by_sd[e->side][e->sd] = NULL;
        s->last_close_ns = sim_now(s);
    }
    e->sd = -1;
    e->phase = EP_DONE;
    e->end = end;
    e->done_ns = sim_now(s);
    if (s->verbose)
        sim_log(s, "c%d %s: done (%s%s%s) out %" PRIu64 "/%" PRIu64 " in %" PRIu64 "/%" PRIu64,
                e->c->idx, sim_side_name(e->side), sim_end_name(end), e->err ? " " : "",
                e->err ? synack_strerror(e->err) : "", e->out_done, e->out_total, e->in_done,
                e->in_total);
}

static void ep_error(struct sim_ep *e, int err, const char *where)
{
    e->err = err;
    e->err_where = where;
    elog(e, "%s: %s", where, synack_strerror(err));
    ep_close(e, END_ERROR);
}

/* The failure already reported: close quietly so nothing cascades. */
static void ep_broken(struct sim_ep *e)
{
    e->err = 0;
    e->err_where = "already reported";
    ep_close(e, END_ERROR);
}

static int setopt_int(struct sim_ep *e, int level, int name, int v)
{
    return synack_setsockopt(ep_st(e), e->sd, level, name, &v, sizeof(v));
}

/* The options both endpoints may set once they hold a socket. */
static void apply_options(struct sim_ep *e, bool before_connect)
{
    int rc = 0;
    if (e->nodelay)
        rc |= setopt_int(e, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, 1);
    if (e->keepalive) {
        if (e->ka_idle_s) {
            rc |= setopt_int(e, SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPIDLE, e->ka_idle_s);
            rc |= setopt_int(e, SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPINTVL, e->ka_intvl_s);
            rc |= setopt_int(e, SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPCNT, e->ka_cnt);
        }
        rc |= setopt_int(e, SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, 1);
    }
    if (e->sndbuf)
        rc |= setopt_int(e, SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF, e->sndbuf);
    if (before_connect && e->rcvbuf)
        rc |= setopt_int(e, SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF, e->rcvbuf);
#ifdef SYNACK_TCP_CONGESTION
    if (e->cc)
        rc |= synack_setsockopt(ep_st(e), e->sd, SYNACK_IPPROTO_TCP, SYNACK_TCP_CONGESTION, e->cc,
                                strlen(e->cc));
#endif
    if (rc)
        sim_fail(e->sim, "conn %d %s: setsockopt failed", e->c->idx, sim_side_name(e->side));
}

static void ep_opened(struct sim_ep *e)
{
    e->phase = EP_OPEN;
    e->last_progress_ns = sim_now(e->sim);
    elog(e, "open (%s)", synack_tcp_state_name(synack_state(ep_st(e), e->sd)));
}

static bool abort_due(const struct sim_ep *e)
{
    if (!e->abort_kind)
        return false;
    if (e->abort_at_ns && sim_now(e->sim) >= e->abort_at_ns)
        return true;
    return e->in_done + e->out_done >= e->abort_after;
}

static void do_abort(struct sim_ep *e)
{
    struct sim_conn *c = e->c;
    if (e->abort_kind == AB_LINGER0) {
        struct synack_linger l = {1, 0};
        int rc = synack_setsockopt(ep_st(e), e->sd, SYNACK_SOL_SOCKET, SYNACK_SO_LINGER, &l,
                                   sizeof(l));
        if (rc)
            sim_fail(e->sim, "conn %d %s: SO_LINGER = %s", c->idx, sim_side_name(e->side),
                     synack_strerror(rc));
    }
    c->aborted = true;
    c->aborter = e->side;
    elog(e, "abort (%s) after %" PRIu64 " bytes", abort_names[e->abort_kind],
         e->in_done + e->out_done);
    ep_close(e, END_ABORTED);
}

static bool wants_read(const struct sim_ep *e)
{
    if (e->eof)
        return false;
    return e->close_mode != CM_CLOSE || e->in_done < e->in_total;
}

static void progress(struct sim_ep *e) { e->last_progress_ns = sim_now(e->sim); }

/* ------------------------------------------------------------------ reading */

/* Checks n bytes read at stream offset off; false (reported) if any is wrong. */
static bool verify(struct sim_ep *e, const uint8_t *buf, size_t n, const char *how)
{
    struct sim *s = e->sim;
    if (e->in_done + n > e->in_total) {
        sim_fail(s, "conn %d %s: %s returned %zu bytes at offset %" PRIu64
                 " but the peer sends only %" PRIu64,
                 e->c->idx, sim_side_name(e->side), how, n, e->in_done, e->in_total);
        return false;
    }
    size_t bad = sim_stream_check(e->in_key, e->in_done, buf, n);
    if (bad != n) {
        sim_fail(s, "conn %d %s: %s: byte at stream offset %" PRIu64
                 " is wrong (data lost, duplicated, reordered or corrupted)",
                 e->c->idx, sim_side_name(e->side), how, e->in_done + bad);
        return false;
    }
    return true;
}

/* Reads what the plan allows now.  Returns false when the endpoint is finished. */
static bool do_read(struct sim_ep *e, bool force)
{
    struct sim *s = e->sim;
    struct synack_stack *st = ep_st(e);
    uint64_t now = sim_now(s);
    if (e->eof) {
        /* No data after FIN: once EOF was read, recv keeps saying EOF (or an error). */
        ssize_t n = synack_recv(st, e->sd, s->iobuf, 1, 0);
        if (n > 0) {
            sim_fail(s, "conn %d %s: recv returned data after EOF", e->c->idx,
                     sim_side_name(e->side));
            ep_broken(e);
            return false;
        }
        if (n < 0 && n != -EAGAIN) {
            ep_error(e, (int)n, "recv after EOF");
            return false;
        }
        if (n == -EAGAIN) {
            sim_fail(s, "conn %d %s: recv returned EAGAIN after EOF", e->c->idx,
                     sim_side_name(e->side));
            ep_broken(e);
            return false;
        }
        return true;
    }
    if (!wants_read(e) || (!force && now < e->next_read_ns))
        return true;
    uint64_t budget = e->slow && !force ? e->slow_chunk : UINT64_MAX;
    while (budget && wants_read(e)) {
        size_t want = sim_rng_log(&s->rng, 1, e->rsize_max);
        if (want > budget)
            want = (size_t)budget;
        ssize_t n = -EAGAIN;
        bool peeked_end = false;
        if (e->peek_p > 0 && sim_rng_chance(&s->rng, e->peek_p)) {
            ssize_t pn = synack_recv(st, e->sd, s->peekbuf, want, SYNACK_MSG_PEEK);
            if (pn > 0 && !verify(e, s->peekbuf, (size_t)pn, "recv(MSG_PEEK)")) {
                ep_broken(e);
                return false;
            }
            /* Like Linux, a peek reports (and clears) a pending error, or EOF. */
            if (pn <= 0) {
                n = pn;
                peeked_end = true;
            }
        }
        if (!peeked_end)
            n = synack_recv(st, e->sd, s->iobuf, want, 0);
        if (n > 0) {
            if (!verify(e, s->iobuf, (size_t)n, "recv")) {
                ep_broken(e);
                return false;
            }
            e->in_done += (uint64_t)n;
            s->bytes_moved += (uint64_t)n;
            progress(e);
            if (budget != UINT64_MAX) {
                budget -= (uint64_t)n;
                if (!budget)
                    e->next_read_ns = now + e->slow_ms * SIM_MS;
            }
            if (abort_due(e))
                return true;
            continue;
        }
        if (n == 0) {
            e->eof = true;
            progress(e);
            elog(e, "EOF after %" PRIu64 " bytes", e->in_done);
            if (e->in_done < e->in_total) {
                ep_close(e, END_EARLY_EOF);
                return false;
            }
            return true;
        }
        if (n == -EAGAIN)
            return true;
        ep_error(e, (int)n, "recv");
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ writing */

static bool do_write(struct sim_ep *e, bool force)
{
    struct sim *s = e->sim;
    struct synack_stack *st = ep_st(e);
    uint64_t now = sim_now(s);
    while (e->out_done < e->out_total && (force || now >= e->next_write_ns)) {
        uint64_t left = e->out_total - e->out_done;
        size_t piece = sim_rng_log(&s->rng, 1, e->wpiece_max);
        if (piece > left)
            piece = (size_t)left;
        sim_stream_fill(e->out_key, e->out_done, s->iobuf, piece);
        ssize_t n = synack_send(st, e->sd, s->iobuf, piece, 0);
        if (n > 0) {
            if ((size_t)n > piece) {
                sim_fail(s, "conn %d %s: send(%zu) returned %zd", e->c->idx,
                         sim_side_name(e->side), piece, n);
                ep_broken(e);
                return false;
            }
            e->out_done += (uint64_t)n;
            progress(e);
            if (abort_due(e))
                return true;
            if (e->wpause_max_ms) {
                e->next_write_ns = now + sim_rng_below(&s->rng, e->wpause_max_ms + 1) * SIM_MS;
                if (e->next_write_ns > now)
                    break;
            }
            continue;
        }
        if (n == -EAGAIN)
            break;
        ep_error(e, (int)n, "send");
        return false;
    }
    if (e->out_done == e->out_total && e->close_mode == CM_SHUT && !e->shut_sent) {
        int rc = synack_shutdown(st, e->sd, SYNACK_SHUT_WR);
        if (rc) {
            ep_error(e, rc, "shutdown");
            return false;
        }
        e->shut_sent = true;
        elog(e, "shutdown(WR) after %" PRIu64 " bytes", e->out_done);
    }
    return true;
}

/* ------------------------------------------------------------------ the endpoint */

static void set_interest(struct sim_ep *e)
{
    if (e->sd < 0)
        return;
    uint64_t now = sim_now(e->sim);
    uint32_t m = SYNACK_EV_ERR | SYNACK_EV_HUP;
    if (e->phase == EP_CONNECTING) {
        m |= SYNACK_EV_OUT;
    } else if (e->phase == EP_OPEN) {
        if (wants_read(e) && now >= e->next_read_ns)
            m |= SYNACK_EV_IN;
        if (e->out_done < e->out_total && now >= e->next_write_ns)
            m |= SYNACK_EV_OUT;
    }
    if (m != e->interest) {
        e->interest = m;
        synack_set_interest(ep_st(e), e->sd, m);
    }
}

static void start_client(struct sim_ep *e)
{
    struct sim *s = e->sim;
    struct synack_stack *st = ep_st(e);
    int fam = s->p.ipv6 ? SYNACK_AF_INET6 : SYNACK_AF_INET;
    int sd = synack_socket(st, fam, SYNACK_SOCK_STREAM);
    if (sd < 0 || sd >= SIM_MAX_SOCKS) {
        sim_fail(s, "conn %d client: socket() = %d", e->c->idx, sd);
        e->phase = EP_DONE;
        e->end = END_ERROR;
        return;
    }
    e->sd = sd;
    s->by_sd[SIM_CLIENT][sd] = e;
    apply_options(e, true);
    struct synack_sockaddr peer;
    memset(&peer, 0, sizeof(peer));
    peer.addr = s->addr[SIM_SERVER];
    peer.port = SIM_PORT;
    int rc = synack_connect(st, sd, &peer);
    if (rc != -EINPROGRESS) {
        ep_error(e, rc, "connect");
        return;
    }
    struct synack_sockaddr me;
    if (synack_getsockname(st, sd, &me) == 0)
        e->c->cport = me.port;
    e->phase = EP_CONNECTING;
    elog(e, "connect() from port %u", e->c->cport);
}

static void ep_step(struct sim_ep *e, bool force)
{
    struct sim *s = e->sim;
    struct sim_conn *c = e->c;
    struct sim_ep *peer = &c->ep[1 - e->side];
    uint64_t now = sim_now(s);
    if (e->phase == EP_DONE)
        return;
    if (e->phase == EP_IDLE) {
        if (e->side == SIM_CLIENT) {
            if (now < c->start_ns)
                return;
            if (e->abort_kind && e->abort_at_ns && now >= e->abort_at_ns) {
                /* Aborted before it even started: nothing to see. */
                c->aborted = true;
                c->aborter = e->side;
                e->phase = EP_DONE;
                e->end = END_ABORTED;
                e->done_ns = now;
                return;
            }
            start_client(e);
            set_interest(e);
        } else if (peer->phase == EP_DONE && now >= peer->done_ns + SIM_PATIENCE) {
            e->phase = EP_DONE;
            e->end = END_NOT_ACCEPTED;
            e->done_ns = now;
            if (s->verbose)
                sim_log(s, "c%d server: never accepted", c->idx);
        }
        return;
    }
    if (abort_due(e)) {
        do_abort(e);
        return;
    }
    if (e->phase == EP_CONNECTING) {
        struct synack_stack *st = ep_st(e);
        int ev = synack_socket_events(st, e->sd);
        if (ev & SYNACK_EV_ERR) {
            int err = 0;
            size_t len = sizeof(err);
            synack_getsockopt(st, e->sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &err, &len);
            ep_error(e, -err, "connect");
            return;
        }
        int state = synack_state(st, e->sd);
        if (state == SYNACK_TCP_SYN_SENT || state == SYNACK_TCP_SYN_RCVD) {
            set_interest(e);
            return;
        }
        if (state == SYNACK_TCP_CLOSED) {
            sim_fail(s, "conn %d client: connect attempt ended without an error", c->idx);
            ep_broken(e);
            return;
        }
        ep_opened(e);
    }
    if (!do_read(e, force))
        return;
    if (abort_due(e)) {
        do_abort(e);
        return;
    }
    if (!do_write(e, force))
        return;
    if (abort_due(e)) {
        do_abort(e);
        return;
    }
    if (e->out_done == e->out_total) {
        bool finished = e->close_mode == CM_CLOSE ? e->in_done == e->in_total : e->eof;
        if (finished) {
            ep_close(e, END_OK);
            return;
        }
    }
    /* The peer's application is gone and nothing moves: give up (judged later). */
    if (peer->phase == EP_DONE) {
        uint64_t since = e->last_progress_ns > peer->done_ns ? e->last_progress_ns : peer->done_ns;
        if (now >= since + SIM_PATIENCE) {
            ep_close(e, END_PATIENCE);
            return;
        }
    }
    set_interest(e);
}

/* ------------------------------------------------------------------ the server */

int sim_app_listen(struct sim *s)
{
    struct synack_stack *st = s->st[SIM_SERVER];
    int fam = s->p.ipv6 ? SYNACK_AF_INET6 : SYNACK_AF_INET;
    int ls = synack_socket(st, fam, SYNACK_SOCK_STREAM);
    if (ls < 0)
        return ls;
    int rc = 0;
    if (s->p.ls_rcvbuf)
        rc = synack_setsockopt(st, ls, SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF, &s->p.ls_rcvbuf,
                               sizeof(int));
    if (!rc && s->p.ls_sndbuf)
        rc = synack_setsockopt(st, ls, SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF, &s->p.ls_sndbuf,
                               sizeof(int));
    struct synack_sockaddr a;
    memset(&a, 0, sizeof(a));
    a.addr = s->addr[SIM_SERVER];
    a.port = SIM_PORT;
    if (!rc)
        rc = synack_bind(st, ls, &a);
    if (!rc)
        rc = synack_listen(st, ls, s->p.backlog);
    if (!rc)
        rc = synack_set_interest(st, ls, SYNACK_EV_IN);
    if (rc) {
        synack_close(st, ls);
        return rc;
    }
    s->listener = ls;
    return 0;
}

static void accept_all(struct sim *s)
{
    struct synack_stack *st = s->st[SIM_SERVER];
    for (;;) {
        struct synack_sockaddr peer;
        int sd = synack_accept(st, s->listener, &peer);
        if (sd == -EAGAIN)
            return;
        if (sd < 0) {
            sim_fail(s, "accept() = %s", synack_strerror(sd));
            return;
        }
        struct sim_conn *c = NULL;
        for (int i = 0; i < s->nconns; i++)
            if (s->conns[i].cport == peer.port && s->conns[i].ep[SIM_CLIENT].phase != EP_IDLE &&
                !s->conns[i].accepted)
                c = &s->conns[i];
        if (!c || sd >= SIM_MAX_SOCKS) {
            sim_fail(s, "accept() returned a connection from port %u that no client %s",
                     peer.port, c ? "fits (sd too large)" : "opened (or a second time)");
            synack_close(st, sd);
            continue;
        }
        struct sim_ep *e = &c->ep[SIM_SERVER];
        c->accepted = true;
        e->sd = sd;
        s->by_sd[SIM_SERVER][sd] = e;
        if (e->phase == EP_DONE) {
            /* Given up as never accepted, yet here it is: close it. */
            synack_close(st, sd);
            s->by_sd[SIM_SERVER][sd] = NULL;
            e->sd = -1;
            continue;
        }
        apply_options(e, false);
        ep_opened(e);
        elog(e, "accepted from port %u", peer.port);
        ep_step(e, false);
    }
}

/* ------------------------------------------------------------------ driving */

void sim_app_on_event(struct sim *s, int side, int sd, uint32_t events)
{
    if (side == SIM_SERVER && sd == s->listener) {
        accept_all(s);
        return;
    }
    if (sd < 0 || sd >= SIM_MAX_SOCKS)
        return;
    struct sim_ep *e = s->by_sd[side][sd];
    if (e)
        ep_step(e, (events & (SYNACK_EV_ERR | SYNACK_EV_HUP)) != 0);
}

void sim_app_step_all(struct sim *s)
{
    for (int i = 0; i < s->nconns; i++)
        for (int side = 0; side < 2; side++)
            ep_step(&s->conns[i].ep[side], false);
}

/* Wakes already due were acted on by sim_app_step_all: only future ones count. */
static void earliest(uint64_t *t, uint64_t now, uint64_t v)
{
    if (v > now && v < *t)
        *t = v;
}

uint64_t sim_app_next_wake(struct sim *s)
{
    uint64_t now = sim_now(s), t = UINT64_MAX;
    for (int i = 0; i < s->nconns; i++) {
        struct sim_conn *c = &s->conns[i];
        for (int side = 0; side < 2; side++) {
            struct sim_ep *e = &c->ep[side], *peer = &c->ep[1 - side];
            if (e->phase == EP_DONE)
                continue;
            if (e->abort_kind && e->abort_at_ns)
                earliest(&t, now, e->abort_at_ns);
            if (e->phase == EP_IDLE) {
                if (side == SIM_CLIENT)
                    earliest(&t, now, c->start_ns);
                else if (peer->phase == EP_DONE)
                    earliest(&t, now, peer->done_ns + SIM_PATIENCE);
                continue;
            }
            if (e->phase != EP_OPEN)
                continue;
            if (wants_read(e) && e->next_read_ns > now)
                earliest(&t, now, e->next_read_ns);
            if (e->out_done < e->out_total && e->next_write_ns > now)
                earliest(&t, now, e->next_write_ns);
            if (peer->phase == EP_DONE) {
                uint64_t since =
                    e->last_progress_ns > peer->done_ns ? e->last_progress_ns : peer->done_ns;
                earliest(&t, now, since + SIM_PATIENCE);
            }
        }
    }
    return t;
}

bool sim_app_all_done(struct sim *s)
{
    for (int i = 0; i < s->nconns; i++)
        for (int side = 0; side < 2; side++)
            if (s->conns[i].ep[side].phase != EP_DONE)
                return false;
    return true;
}

void sim_app_stall(struct sim *s)
{
    for (int i = 0; i < s->nconns; i++) {
        for (int side = 0; side < 2; side++) {
            struct sim_ep *e = &s->conns[i].ep[side];
            if (e->phase == EP_DONE)
                continue;
            e->err = e->sd >= 0 ? synack_state(s->st[side], e->sd) : -1; /* the state */
            ep_close(e, END_STALLED);
        }
    }
}

void sim_app_describe(struct sim *s)
{
    for (int i = 0; i < s->nconns; i++) {
        struct sim_conn *c = &s->conns[i];
        sim_log(s, "plan c%d: start %.3f s, c->s %" PRIu64 " B, s->c %" PRIu64 " B", i,
                (double)c->start_ns / 1e9, c->ep[0].out_total, c->ep[1].out_total);
        for (int side = 0; side < 2; side++) {
            struct sim_ep *e = &c->ep[side];
            sim_log(s,
                    "  %s: close %s, writes <= %u B pause <= %u ms, reads <= %u B%s, nodelay %d, "
                    "keepalive %d, sndbuf %d, rcvbuf %d, cc %s, abort %s",
                    sim_side_name(side), mode_names[e->close_mode], e->wpiece_max,
                    e->wpause_max_ms, e->rsize_max, e->slow ? " (slow reader)" : "", e->nodelay,
                    e->keepalive, e->sndbuf, e->rcvbuf, e->cc ? e->cc : "default",
                    abort_names[e->abort_kind]);
        }
    }
}
