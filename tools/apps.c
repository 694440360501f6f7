/* apps.c: the byte-moving apps of `synack serve` (echo RFC 862, discard RFC 863,
 * chargen RFC 864) and what every app shares: the output buffer and its flush.
 * Read RFC 864 (the chargen pattern) before changing. */
#include "apps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int app_parse(const char *name)
{
    static const char *const names[] = {"echo", "discard", "chargen", "http"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

int app_conn_init(struct app_conn *c, struct synack_stack *st, int sd, int kind, int rootfd,
                  int verbose)
{
    memset(c, 0, sizeof(*c));
    c->st = st;
    c->sd = sd;
    c->kind = kind;
    c->rootfd = rootfd;
    c->verbose = verbose;
    c->out = malloc(APP_BUF);
    if (!c->out)
        return -ENOMEM;
    if (kind == APP_HTTP && http_conn_init(c)) {
        free(c->out);
        c->out = NULL;
        return -ENOMEM;
    }
    return 0;
}

void app_conn_free(struct app_conn *c)
{
    if (c->kind == APP_HTTP)
        http_conn_free(c);
    free(c->out);
    c->out = NULL;
}

bool app_flush(struct app_conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = synack_send(c->st, c->sd, c->out + c->out_off, c->out_len - c->out_off, 0);
        if (n == -EAGAIN)
            return false;
        if (n < 0) {
            c->err = (int)n;
            return false;
        }
        c->out_off += (size_t)n;
        c->bytes_out += (uint64_t)n;
    }
    c->out_off = c->out_len = 0;
    return true;
}

ssize_t app_recv(struct app_conn *c, void *buf, size_t len)
{
    ssize_t n = synack_recv(c->st, c->sd, buf, len, 0);
    if (n > 0)
        c->bytes_in += (uint64_t)n;
    else if (n == 0)
        c->peer_eof = true;
    else if (n != -EAGAIN)
        c->err = (int)n;
    return n;
}

bool app_drain_input(struct app_conn *c)
{
    uint8_t scratch[16384];
    ssize_t n;
    while ((n = app_recv(c, scratch, sizeof(scratch))) > 0)
        ;
    return n == 0; /* the peer's FIN; else -EAGAIN or an error */
}

static void echo_run(struct app_conn *c)
{
    while (app_flush(c)) {
        if (c->peer_eof) {
            c->finished = true;
            return;
        }
        ssize_t n = app_recv(c, c->out, APP_BUF);
        if (n < 0)
            return;
        c->out_len = (size_t)n;
    }
}

/* RFC 864: lines of 72 characters from the 95 printable ASCII characters, each line
 * starting one character further on, ended by CR LF. */
static void chargen_fill(struct app_conn *c)
{
    for (size_t i = 0; i < APP_BUF; i++, c->pos++) {
        uint64_t line = c->pos / 74, col = c->pos % 74;
        c->out[i] = col == 72 ? '\r' : col == 73 ? '\n' : (uint8_t)(' ' + (line + col) % 95);
    }
    c->out_off = 0;
    c->out_len = APP_BUF;
}

static void chargen_run(struct app_conn *c)
{
    if (app_drain_input(c) || c->err) {
        c->finished = true;
        return;
    }
    for (int i = 0; i < 64 && app_flush(c); i++)
        chargen_fill(c);
}

uint32_t app_run(struct app_conn *c, uint32_t events)
{
    (void)events;
    uint32_t in = SYNACK_EV_IN | SYNACK_EV_ERR | SYNACK_EV_HUP | SYNACK_EV_RDHUP;
    switch (c->kind) {
    case APP_ECHO:
        echo_run(c);
        return c->out_off < c->out_len ? SYNACK_EV_OUT | SYNACK_EV_ERR | SYNACK_EV_HUP : in;
    case APP_DISCARD:
        if (app_drain_input(c))
            c->finished = true;
        return in;
    case APP_CHARGEN:
        chargen_run(c);
        return in | SYNACK_EV_OUT;
    default:
        http_run(c);
        return (http_wants_input(c) ? in : SYNACK_EV_ERR | SYNACK_EV_HUP) |
               (c->out_off < c->out_len || !http_wants_input(c) ? SYNACK_EV_OUT : 0);
    }
}
