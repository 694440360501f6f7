/* ladder.h: draws two hosts' segments and state changes as a ladder diagram, the way the
 * seeds' figures show a handshake: two columns of states, arrows between them. */
#ifndef SYNACK_TOOLS_LADDER_H
#define SYNACK_TOOLS_LADDER_H

#include <stdint.h>
#include <stdio.h>

#include "synack.h"

struct ladder;

/* left_host/right_host are memlink host ids; names head the columns.  With full = 0,
 * long runs of plain data/ACK segments are shortened to their first and last lines. */
struct ladder *ladder_new(FILE *out, int left_host, const char *left_name, int right_host,
                          const char *right_name, int full);
/* A memlink tap (SYNACK_MEMLINK_TX and DROP are drawn). */
void ladder_tap(void *user, int event, int from_host, int to_host, uint64_t now_ns,
                const uint8_t *pkt, size_t len);
/* A state change of the side whose stack reported it (0 left, 1 right). */
void ladder_state(struct ladder *l, int side, const struct synack_trace *ev);
/* An application event worth a line ("connect() = 0", "read() = 0 (EOF)"). */
void ladder_note(struct ladder *l, int side, uint64_t now_ns, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prints what is still held back, then frees. */
void ladder_free(struct ladder *l);

#endif
