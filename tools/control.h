/* control.h: the control socket of a running `synack serve`/`connect` (a Unix stream
 * socket): the client sends one command line, the instance writes a text reply and
 * closes.  `synack stat` is the client.  Read unix(7) before changing. */
#ifndef SYNACK_TOOLS_CONTROL_H
#define SYNACK_TOOLS_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "synack_tun.h"

/* A growing text buffer (the control plane may allocate; the packet path does not). */
struct outbuf {
    char *p;
    size_t len, cap;
    bool failed;
};
void outbuf_printf(struct outbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void outbuf_free(struct outbuf *b);

/* Answers one command (without its newline) by appending the reply to *reply. */
typedef void (*control_handler)(void *user, const char *cmd, struct outbuf *reply);

struct control;
/* Listens on path (replacing a stale socket file) and serves it from t's loop.
 * Returns 0 or a negative errno (-EADDRINUSE when a live instance answers there). */
int control_open(const char *path, struct synack_tun *t, control_handler h, void *user,
                 struct control **out);
/* Closes every client and the socket, and removes the file. */
void control_close(struct control *c);

/* The client side: sends cmd to the instance at path and collects its whole reply.
 * Returns 0 or a negative errno (-ECONNREFUSED/-ENOENT: no instance, -ETIMEDOUT). */
int control_query(const char *path, const char *cmd, struct outbuf *reply, int timeout_ms);

#endif
