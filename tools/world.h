/* world.h: two synack hosts over a memlink in virtual time, with a ladder diagram and
 * an optional pcap: the stage the demo and its scenarios play on. */
#ifndef SYNACK_TOOLS_WORLD_H
#define SYNACK_TOOLS_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "ladder.h"
#include "synack.h"
#include "synack_memlink.h"
#include "synack_pcap.h"

#define MS_NS 1000000ull
#define S_NS 1000000000ull

struct world_opts {
    uint64_t seed;
    double loss;
    uint32_t delay_ms;   /* one-way */
    const char *pcap;
    bool ladder, full_ladder;
};

struct world {
    struct synack_memlink *net;
    struct synack_stack *st[2];       /* 0: the client (left), 1: the server (right) */
    int host[2];
    struct synack_addr addr[2];
    struct synack_settings cfg[2];
    struct ladder *ladder;
    struct synack_pcap *pcap;
    struct synack_memlink_impair imp;
    struct world_side {
        struct world *w;
        int side;
    } sides[2];
    uint32_t seen[2];                 /* bit per state any connection of a side entered */
    uint8_t last_tx[2][1600];         /* the last packet each side sent (for ICMP quotes) */
    size_t last_tx_len[2];
};

/* Builds the world: hosts 198.18.0.1 (client) and 198.18.0.2 (server), Linux-default
 * settings adjusted by tune (may be NULL).  Returns 0 or a negative errno. */
int world_init(struct world *w, const struct world_opts *o,
               void (*tune)(struct synack_settings *s, int side));
void world_free(struct world *w);
uint64_t world_now(const struct world *w);
/* Runs until done(ctx) returns true (checked after every event) or limit_ns of virtual
 * time pass.  done may make socket calls.  Returns true if done. */
bool world_run(struct world *w, bool (*done)(void *ctx), void *ctx, uint64_t limit_ns);
/* Runs the clock forward by ns, whatever happens. */
void world_advance(struct world *w, uint64_t ns);
/* Flushes what socket calls queued (call after making calls outside world_run). */
void world_kick(struct world *w);
/* Crashes a host (its stack is gone: silence) or reboots it (crash, then a new stack
 * with no connections on the same address). */
void world_crash(struct world *w, int side);
int world_reboot(struct world *w, int side);
/* The server's address and a port as a sockaddr. */
struct synack_sockaddr world_sockaddr(const struct world *w, int side, uint16_t port);
/* Objects in use in every pool of both stacks. */
uint32_t world_pools_in_use(const struct world *w);
/* True if every pool of both stacks is back to empty (no leak); says what is not. */
bool world_pools_empty(const struct world *w);
/* Runs the clock until every pool is empty or limit_ns pass (a lossy close may restart
 * TIME_WAIT or retransmit FINs); returns world_pools_empty(). */
bool world_settle(struct world *w, uint64_t limit_ns);

#endif
