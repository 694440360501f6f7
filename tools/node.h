/* node.h: one synack host on a TUN device as `serve` and `connect` run it: the options
 * they share, the stack, the device, the pcap, signals, and the control socket that
 * `synack stat` reads.  Read DESIGN.md ("The synack command") before changing. */
#ifndef SYNACK_TOOLS_NODE_H
#define SYNACK_TOOLS_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "control.h"
#include "synack.h"
#include "synack_pcap.h"
#include "synack_tun.h"

struct node_opts {
    const char *tun, *pcap, *control;
    struct synack_addr addr, host_addr;
    unsigned prefix, host_prefix;
    bool has_addr, has_host;
    struct synack_tun_impair imp;
    uint64_t seed;
    struct synack_settings cfg;
    /* Socket options for the listener or the connecting socket; -1: leave as is. */
    int sndbuf, rcvbuf, nodelay, keepalive, keepidle, keepintvl, keepcnt, user_timeout, mss;
    int verbose;
};

void node_opts_init(struct node_opts *o);
/* Takes the shared option at argv[*i] (advancing *i past its value).  Returns 1 if
 * taken, 0 if it is not a shared option, -1 on a bad value (after printing why). */
int node_opt(struct node_opts *o, int argc, char **argv, int *i, const char *prog);
/* The usage lines of the shared options. */
extern const char node_usage[];
/* Parses "A/LEN" (LEN defaults to 24 for IPv4, 64 for IPv6).  0 or -EINVAL. */
int node_parse_prefix(const char *text, struct synack_addr *a, unsigned *len);

struct node {
    struct node_opts o;
    const char *prog;
    struct synack_stack *st;
    struct synack_tun *tun;
    struct synack_pcap *pcap;
    struct control *ctl;
    int sigfd, alarmfd;
    int signalled;      /* the last SIGINT/SIGTERM received, 0 if none */
    int signals;        /* how many */
    uint64_t started_ns;
    char ctl_path[108];
};

/* Builds the host from o (which must have tun and addr); prints what failed.
 * Returns 0, or 1 (the tool's exit status for a setup failure). */
int node_start(struct node *n, const struct node_opts *o, const char *prog);
void node_finish(struct node *n);
/* Applies o's socket options to sd. */
int node_sockopts(struct node *n, int sd);
/* Wakes the loop at at_ns (CLOCK_MONOTONIC) even if nothing else happens. */
void node_alarm(struct node *n, uint64_t at_ns);
/* Counts connections still closing (everything but LISTEN, TIME_WAIT and sockets the
 * application holds). */
int node_closing(struct node *n);
/* "198.18.0.1:80" or "[2001:db8::1]:80" into buf (at least 64 bytes). */
char *node_fmt_sockaddr(const struct synack_sockaddr *sa, char *buf, size_t len);

#endif
