/* pkt.h: `synack pkt`, an interpreter of packetdrill-syntax scripts that drives one synack
 * stack per script in virtual time.  Read issue 3 and packetdrill's published grammar
 * (Syntax.md) before changing it; the model of a run is described at struct pkt_run.
 *
 * Files: util.c (arena, text), lex.c (tokens), parse.c (script -> events), symbols.c
 * (names of constants, errnos, ICMP codes), conn.c (script <-> live mapping of ports,
 * ISNs and timestamps), packet.c (building inbound and matching outbound segments,
 * printing them in script notation), syscall.c (calls through the socket API, blocking
 * emulation), sysctl.c (backtick commands), run.c (virtual clock and event loop),
 * cli.c (pkt_main). */
#ifndef SYNACK_TOOLS_PKT_H
#define SYNACK_TOOLS_PKT_H

#include <stdint.h>
#include <stddef.h>

#include "synack.h"

/* The `synack pkt` command: argv[0] is "pkt", then options and files. */
int pkt_main(int argc, char **argv);

/* ------------------------------------------------------------------ limits */

#define PKT_MAX_OPTS 16                 /* TCP options on one script line */
#define PKT_MAX_FDS 1024                /* script file descriptors */
#define PKT_FIRST_FD 3                  /* after stdin, stdout, stderr */
#define PKT_MAX_CONNS 256               /* connections under test in one script */
#define PKT_TS_MAP 64                   /* remembered outbound TS val pairs per connection */
#define PKT_MAX_QUEUE 4096              /* outbound packets waiting to be matched */
#define PKT_MAX_IO (16u << 20)          /* bytes in one read/write call */
#define PKT_MAX_POLLFDS 64              /* entries in one poll() call */
#define PKT_MSG 1536                    /* one message line */
#define PKT_TIME_LIMIT_US (86400LL * 1000000) /* a script's virtual time limit: one day */
#define PKT_LATE_HORIZON_US (120LL * 1000000) /* how long to look for a late segment */
#define PKT_MAX_STEPS 5000000ULL        /* stack polls in one script */

/* ------------------------------------------------------------------ util.c */

/* A bump allocator for everything a parsed script holds; freed at once. */
struct pkt_chunk;
struct pkt_arena {
    struct pkt_chunk *head;
};
void *pkt_alloc(struct pkt_arena *a, size_t n); /* zeroed; exits on out-of-memory */
char *pkt_strndup(struct pkt_arena *a, const char *s, size_t n);
void pkt_arena_free(struct pkt_arena *a);

/* A bounded text buffer (messages, formatted packets); silently truncates. */
struct pkt_str {
    char s[PKT_MSG];
    size_t n;
};
void pkt_str_init(struct pkt_str *b);
void pkt_str_add(struct pkt_str *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Seconds with millisecond precision, as scripts write them ("0.200"). */
void pkt_str_time(struct pkt_str *b, int64_t us);

/* Reads a whole file; returns a NUL-terminated malloc'd buffer or NULL (errno set). */
char *pkt_read_file(const char *path);

/* ------------------------------------------------------------------ lex.c */

enum pkt_tok_kind {
    PKT_TK_EOF = 0,
    PKT_TK_NUM,      /* 12, -1, 0x2, 0.100, .1 (is_float for a fraction) */
    PKT_TK_WORD,     /* identifiers: S, ack, SO_ERROR, htons */
    PKT_TK_STRING,   /* "text" (without the quotes) */
    PKT_TK_BACKTICK, /* `command` (without the backticks) */
    PKT_TK_CODE,     /* %{ ... }% */
    PKT_TK_OPTION,   /* --name (value in text after '=' when given) */
    PKT_TK_ELLIPSIS, /* ... */
    PKT_TK_CHAR,     /* any other single character: < > [ ] ( ) { } , : = | + * ~ . - */
};

struct pkt_tok {
    enum pkt_tok_kind kind;
    int line;
    char ch;           /* PKT_TK_CHAR */
    int is_float;      /* PKT_TK_NUM with a fraction */
    int64_t num;       /* PKT_TK_NUM: integer value (integer part for a fraction) */
    int64_t usec;      /* PKT_TK_NUM: the value as a time in microseconds */
    const char *text;  /* spelling (WORD, STRING, BACKTICK, CODE, NUM), option name */
    const char *value; /* PKT_TK_OPTION: text after '=', or NULL */
};

struct pkt_toks {
    struct pkt_tok *v;
    size_t n, cap;
};

/* Splits src into tokens (strings in the arena, the array malloc'd: free(out->v)).
 * Returns 0, or -1 with a message and *line. */
int pkt_lex(struct pkt_arena *a, const char *src, struct pkt_toks *out, struct pkt_str *err,
            int *line);

/* ------------------------------------------------------------------ parse.c (the script) */

enum pkt_time_kind { PKT_T_ABS = 0, PKT_T_REL, PKT_T_ANY };

/* When an event happens: "0.1", "+.1", "*", "0.1~0.2", "+.1~+.2"; for a blocking call
 * also "...0.3" (the latest return), which shares the start's offset when relative. */
struct pkt_time {
    enum pkt_time_kind kind;
    int64_t start_us, end_us; /* end == start unless a range */
    int has_block_end;
    int64_t block_end_us;
};

enum pkt_opt_kind {
    PKT_OPT_EOL = 0,
    PKT_OPT_NOP,
    PKT_OPT_MSS,
    PKT_OPT_WSCALE,
    PKT_OPT_SACKOK,
    PKT_OPT_SACK,
    PKT_OPT_TS,
    PKT_OPT_OTHER, /* only in live packets: v1 = kind, v2 = length */
};

/* One TCP option as a script writes it. */
struct pkt_opt {
    enum pkt_opt_kind kind;
    uint32_t v1, v2;     /* MSS or WS value; TS val and ecr */
    int nsack;
    uint32_t sack[4][2]; /* SACK blocks, left:right */
};

enum pkt_optmode { PKT_OPTS_NONE = 0, PKT_OPTS_LIST, PKT_OPTS_ANY };

/* IP ECN marks as scripts write them ("[ect0]"); -1 when not given. */
#define PKT_ECN_UNSPEC (-1)
#define PKT_ECN_ECT01 4 /* outbound only: ECT(0) or ECT(1) */

/* A packet line.  Sequence numbers are script values (relative to each side's ISN). */
struct pkt_packet {
    char dir;   /* '<' inbound, '>' outbound */
    int ecn;    /* PKT_ECN_UNSPEC or an IP_ECN_* value or PKT_ECN_ECT01 */
    int icmp;   /* 1: an ICMP line */
    uint8_t flags;
    uint32_t seq, len;
    int has_ack, has_win, has_urg;
    uint32_t ack, win, urg;
    enum pkt_optmode optmode;
    int nopts;
    struct pkt_opt opts[PKT_MAX_OPTS];
    /* ICMP: names as written ("unreachable", "frag_needed"), looked up at run time */
    const char *icmp_type, *icmp_code;
    int has_mtu, has_echo;
    uint32_t mtu, echo_seq, echo_len;
};

enum pkt_expr_kind {
    PKT_E_INT = 0,
    PKT_E_ELLIPSIS, /* ... */
    PKT_E_WORD,     /* a name not yet resolved (text) */
    PKT_E_STRING,   /* "text" */
    PKT_E_LIST,     /* [a, b] */
    PKT_E_STRUCT,   /* {a, b} or {name=value, ...} */
    PKT_E_ASSIGN,   /* name=value inside a struct: text and kid[0] */
    PKT_E_CALL,     /* htons(8080), inet_addr("..."): text and kids */
    PKT_E_OR,       /* a | b: kid[0], kid[1] */
};

struct pkt_expr {
    enum pkt_expr_kind kind;
    int line;
    int64_t num;
    const char *text;
    struct pkt_expr **kid;
    int nkid;
};

struct pkt_syscall {
    const char *name;
    struct pkt_expr **arg;
    int narg;
    struct pkt_expr *ret;  /* expected return value (PKT_E_INT or PKT_E_ELLIPSIS) */
    const char *err_name;  /* "ECONNREFUSED" after "= -1", or NULL */
};

enum pkt_ev_kind { PKT_EV_PACKET = 0, PKT_EV_SYSCALL, PKT_EV_COMMAND, PKT_EV_CODE };

struct pkt_event {
    enum pkt_ev_kind kind;
    int line;
    struct pkt_time time;
    struct pkt_packet pkt;   /* PKT_EV_PACKET */
    struct pkt_syscall call; /* PKT_EV_SYSCALL */
    const char *text;        /* PKT_EV_COMMAND (the command) or PKT_EV_CODE */
    struct pkt_event *next;
};

/* "--name=value" lines before the first event. */
struct pkt_option {
    const char *name, *value;
    int line;
    struct pkt_option *next;
};

struct pkt_script {
    struct pkt_arena arena;
    struct pkt_option *options;
    struct pkt_event *events;
};

/* Parses a whole script.  Returns 0, or -1 with a message and *line.  Free the script
 * with pkt_script_free() either way. */
int pkt_parse(const char *src, struct pkt_script *out, struct pkt_str *err, int *line);
void pkt_script_free(struct pkt_script *s);


/* ------------------------------------------------------------------ symbols.c */

/* Linux's values for the constants scripts name (SOCK_STREAM, SO_LINGER, POLLIN, errno
 * names, ...).  Returns 0 and *out, or -1 when unknown. */
int pkt_symbol(const char *name, int64_t *out);
/* "ECONNREFUSED" for ECONNREFUSED (positive), or NULL. */
const char *pkt_errno_name(int err);
/* ICMP type and code from packetdrill's names ("unreachable", "port_unreachable", also
 * "type_N"/"code_N") for family SYNACK_AF_INET or _INET6.  Returns 0 or -1. */
int pkt_icmp_lookup(int family, const char *type, const char *code, uint8_t *t, uint8_t *c);

/* ------------------------------------------------------------------ run-time state */

struct pkt_config {
    int64_t tolerance_us;  /* --tolerance-usecs: default 4000 */
    int ip_version;        /* 4 or 6 */
    int loose_options;     /* options compared as a set, NOP/EOL ignored */
    int strict_segments;   /* never merge consecutive outbound segments */
    int verbose;
    uint32_t mtu;          /* the link's MTU: 1500 */
    uint16_t bind_port;    /* 8080 */
    uint16_t connect_port; /* 8080 */
};

/* An outbound packet the stack sent, waiting to be matched. */
struct pkt_qpkt {
    struct pkt_qpkt *next;
    uint64_t t_ns;
    size_t len;
    uint8_t data[];
};

/* What the script knows as a socket or a connection (packetdrill's "socket under test"):
 * its live ports and the offsets between script and live sequence numbers. */
enum pkt_conn_state {
    PKT_CONN_INIT = 0,   /* socket() done */
    PKT_CONN_LISTENING,  /* listen() done: the next inbound SYN makes a child */
    PKT_CONN_CONNECTING, /* connect() done */
    PKT_CONN_PASSIVE,    /* a child made by an inbound SYN */
};

struct pkt_ts_pair {
    uint32_t script, live;
};

struct pkt_conn {
    enum pkt_conn_state state;
    uint16_t lport, rport;  /* live ports (0: not known yet) */
    int have_local_isn;
    uint32_t local_off;     /* live local seq - script local seq */
    uint32_t remote_off;    /* live remote seq - script remote seq (0: as packetdrill) */
    struct pkt_ts_pair ts[PKT_TS_MAP]; /* outbound TS val: script value -> live value */
    int nts, ts_next;
    int ts_first;           /* ts_first_*: the first pair, to interpolate others */
    uint32_t ts_first_script, ts_first_live;
};

struct pkt_fd {
    int used;
    int sd;       /* synack socket id */
    int nonblock; /* O_NONBLOCK */
    int conn;     /* index in run->conns, or -1 */
};

/* When a line may happen: its script times (absolute, microseconds) and the acceptable
 * window of virtual times (the times widened by the tolerance). */
struct pkt_window {
    int any;              /* '*' */
    int64_t start_us, end_us;
    uint64_t lo_ns, hi_ns;
};
/* "0.200", "0.100~0.200", "*" */
void pkt_str_window(struct pkt_str *b, const struct pkt_window *w);

/* A system call that blocked and completes later (packetdrill's syscall thread). */
struct pkt_call {
    int active;
    const struct pkt_event *ev;
    int attempts;
    uint64_t start_ns;    /* when it was issued */
    struct pkt_window win; /* when it may return (its line's time, to its "...end") */
    uint64_t wake_ns;     /* a time it must be retried at (poll timeout), or UINT64_MAX */
    size_t done_bytes;    /* bytes a blocking write has queued so far */
};

/* One script's run: a fresh stack, its clock, the queue of packets it sent, the fd
 * table, the connections, and the first failure. */
struct pkt_run {
    const char *path;
    struct pkt_config cfg;
    struct pkt_script *script;
    struct synack_stack *st;
    uint64_t now_ns;      /* the virtual clock; the stack was last polled at it */
    uint64_t deadline_ns; /* when the stack wants the next poll */
    uint64_t steps;

    struct pkt_qpkt *qhead, **qtail;
    size_t qlen;

    int family; /* SYNACK_AF_INET or SYNACK_AF_INET6 */
    struct synack_addr local, remote;
    unsigned prefix_len;
    uint16_t next_port; /* the next remote ephemeral port */

    struct pkt_fd fds[PKT_MAX_FDS];
    struct pkt_conn conns[PKT_MAX_CONNS];
    int nconns;
    int sut; /* the connection inbound lines go to, or -1 */

    struct pkt_call call;

    int line;            /* the line being run */
    int after_last_line; /* what the stack sends now is not checked (nor queued) */
    int failed, fail_line;
    struct pkt_str fail;
};

/* cli.c */
/* Sets one option (name without "--"; '-' and '_' alike) from the command line or a
 * script's header.  0, or -1 with a message ("unsupported: option --mss"). */
int pkt_config_option(struct pkt_config *cfg, const char *name, const char *value,
                      struct pkt_str *err);

/* run.c */
/* Records the first failure of the run ("expected ... got ..."); later ones are ignored. */
void pkt_fail(struct pkt_run *r, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Polls the stack at the current time (flushes what a call or packet queued). */
void pkt_flush(struct pkt_run *r);
/* Moves the clock to target_ns, polling at every deadline on the way; stops early as soon
 * as more than stop_qlen packets are queued (SIZE_MAX: never), or on failure. */
void pkt_advance(struct pkt_run *r, uint64_t target_ns, size_t stop_qlen);
/* Fails the run unless t_ns lies in w: "expected E at T got G at t (late by N ms)".
 * Returns 0 when in time. */
int pkt_check_time(struct pkt_run *r, int line, const struct pkt_window *w, uint64_t t_ns,
                   const char *expected, const char *got);
/* Drops the first queued packet. */
void pkt_queue_pop(struct pkt_run *r);
/* Prints a verbose trace line ("   0.100 ...") when --verbose. */
void pkt_trace(struct pkt_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs one file; prints PASS or FAIL; returns 0 when it passed. */
int pkt_run_file(const char *path, const struct pkt_config *cfg);

/* conn.c */
/* A new connection record (fails the run and returns -1 past PKT_MAX_CONNS). */
int pkt_conn_new(struct pkt_run *r, enum pkt_conn_state state);
/* The connection an inbound line is for (packetdrill: the socket under test; a SYN to a
 * listener, or with none, makes a child with a fresh remote port). */
int pkt_conn_for_inbound(struct pkt_run *r, const struct pkt_packet *p);
/* The connection a live outbound segment belongs to, by its ports; else the one under
 * test.  -1 when there is none. */
int pkt_conn_for_outbound(struct pkt_run *r, uint16_t sport, uint16_t dport);
/* Outbound TS val mapping: remember script -> live; map an inbound script TS ecr to a
 * live value (exact pair, else interpolated from the first pair).  0 or -1. */
void pkt_conn_ts_remember(struct pkt_conn *c, uint32_t script, uint32_t live);
int pkt_conn_ts_to_live(const struct pkt_conn *c, uint32_t script, uint32_t *live);
/* A live outbound TS val in script space (for messages). */
uint32_t pkt_conn_ts_to_script(const struct pkt_conn *c, uint32_t live);
/* Refreshes a connection's live ports from the socket (getsockname/getpeername). */
void pkt_conn_learn_ports(struct pkt_run *r, int conn, int sd);

/* packet.c */
/* Builds the live packet for an inbound line and hands it to the stack. */
void pkt_inject(struct pkt_run *r, const struct pkt_event *ev);
/* Waits for and matches the outbound packet(s) for a '>' line within its window.  Fails
 * the run on a mismatch, a missing segment, or bad timing. */
void pkt_expect(struct pkt_run *r, const struct pkt_event *ev, const struct pkt_window *w);
/* Formats a packet line in script notation ("S. 0:0(0) ack 1 <mss 1460>").  Fields the
 * line does not state (win, urg, ecn) are printed only when shape states them; shape may
 * be the packet itself. */
void pkt_format_packet(struct pkt_str *b, const struct pkt_packet *p,
                       const struct pkt_packet *shape);
/* Describes a queued live packet in script notation ("F. 1:1(0) ack 1 win 65535"). */
void pkt_describe_live(struct pkt_run *r, const struct pkt_qpkt *q, struct pkt_str *b);

/* syscall.c */
/* Makes a call line issued at issued_ns (now, or earlier when it waited for a blocked
 * call), which may return within w.  Returns 1 when it completed at once (checked against
 * issued_ns), 0 when it blocks (r->call is then active and pkt_call_retry() completes it,
 * checked against the time it returns). */
int pkt_call_start(struct pkt_run *r, const struct pkt_event *ev, const struct pkt_window *w,
                   uint64_t issued_ns);
/* Retries the blocked call; returns 1 when it completed (and was checked). */
int pkt_call_retry(struct pkt_run *r);
/* Checks that a line's calls and arguments are ones the interpreter knows (at load). */
int pkt_call_check(const struct pkt_syscall *c, struct pkt_str *err);
/* "connect() = -1 ECONNREFUSED" as the script expects it. */
void pkt_format_expected_call(struct pkt_str *b, const struct pkt_syscall *c);

/* sysctl.c */
/* Checks a backtick command: 0 when every part is a sysctl this stack has. */
int pkt_command_check(const char *cmd, struct pkt_str *err);
/* Applies a checked command to the live stack.  0 or -1 with a message. */
int pkt_command_run(struct pkt_run *r, const char *cmd, struct pkt_str *err);

#endif
