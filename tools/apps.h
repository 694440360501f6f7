/* apps.h: what `synack serve` runs on each connection: echo (RFC 862), discard
 * (RFC 863), chargen (RFC 864) and a static-file HTTP/1.1 server (RFC 9112 subset).
 * Read tools/serve.c (who drives them) before changing. */
#ifndef SYNACK_TOOLS_APPS_H
#define SYNACK_TOOLS_APPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack.h"

#define APP_BUF 65536

enum app_kind { APP_ECHO, APP_DISCARD, APP_CHARGEN, APP_HTTP };

struct http_conn;

struct app_conn {
    struct synack_stack *st;
    int sd;
    int kind;              /* enum app_kind */
    int rootfd;            /* http: the --root directory */
    int verbose;
    uint8_t *out;          /* APP_BUF bytes waiting to be sent: [out_off, out_len) */
    size_t out_len, out_off;
    bool peer_eof;         /* recv returned 0 */
    bool finished;         /* nothing more to send: close once out has gone */
    int err;               /* the error that ended the connection (negative errno) */
    uint64_t pos;          /* chargen: position in the pattern */
    uint64_t bytes_in, bytes_out;
    char peer[64];         /* for log lines */
    struct http_conn *http;
};

/* "echo" ... -> APP_*, or -1. */
int app_parse(const char *name);
/* 0 or -ENOMEM. */
int app_conn_init(struct app_conn *c, struct synack_stack *st, int sd, int kind, int rootfd,
                  int verbose);
void app_conn_free(struct app_conn *c);
/* Moves what it can for one readiness report (SYNACK_EV_*); sets finished or err.
 * Returns the interest to wait for next. */
uint32_t app_run(struct app_conn *c, uint32_t events);
/* Sends what is in out; true when it is all gone.  Sets err on failure. */
bool app_flush(struct app_conn *c);
/* Reads and drops input; true at EOF.  Sets err on failure. */
bool app_drain_input(struct app_conn *c);
/* recv into buf with the connection's bookkeeping: > 0 bytes (counted), 0 at the peer's
 * FIN (peer_eof set), -EAGAIN, or another negative errno (also kept in err). */
ssize_t app_recv(struct app_conn *c, void *buf, size_t len);

/* http.c */
int http_conn_init(struct app_conn *c);
void http_conn_free(struct app_conn *c);
void http_run(struct app_conn *c);
/* True while the HTTP app wants to read (no response in progress). */
bool http_wants_input(const struct app_conn *c);

#endif
