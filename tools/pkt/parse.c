/* parse.c: the parser of packetdrill scripts: options, then events (a time and a packet,
 * a system call, a `command` or a %{ code }% block).  Read packetdrill's grammar
 * (Syntax.md) and pkt.h before changing it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt/pkt.h"
#include "wire/ip.h"
#include "wire/tcp.h"

struct parser {
    const struct pkt_toks *t;
    size_t i;
    struct pkt_arena *a;
    struct pkt_str *err;
    int *line;
};

static const struct pkt_tok *peek(const struct parser *p) { return &p->t->v[p->i]; }
static const struct pkt_tok *peek2(const struct parser *p)
{
    return p->t->v[p->i].kind == PKT_TK_EOF ? &p->t->v[p->i] : &p->t->v[p->i + 1];
}
static const struct pkt_tok *next(struct parser *p)
{
    const struct pkt_tok *t = &p->t->v[p->i];
    if (t->kind != PKT_TK_EOF)
        p->i++;
    return t;
}
static int is_char(const struct pkt_tok *t, char c) { return t->kind == PKT_TK_CHAR && t->ch == c; }
static int is_word(const struct pkt_tok *t, const char *w)
{
    return t->kind == PKT_TK_WORD && strcmp(t->text, w) == 0;
}

static int fail(struct parser *p, const struct pkt_tok *at, const char *what)
{
    if (p->err->n == 0) {
        const char *near = at->kind == PKT_TK_EOF ? "end of file" : at->text;
        pkt_str_add(p->err, "parse error: %s near '%.40s'", what, near ? near : "?");
        *p->line = at->line;
    }
    return -1;
}

static int expect_char(struct parser *p, char c)
{
    if (!is_char(peek(p), c)) {
        char what[32];
        snprintf(what, sizeof(what), "expected '%c'", c);
        return fail(p, peek(p), what);
    }
    next(p);
    return 0;
}

/* An integer token (no fraction) within [lo, hi]. */
static int expect_int(struct parser *p, int64_t lo, int64_t hi, uint32_t *out, const char *what)
{
    const struct pkt_tok *t = peek(p);
    if (t->kind != PKT_TK_NUM || t->is_float || t->num < lo || t->num > hi)
        return fail(p, t, what);
    next(p);
    *out = (uint32_t)t->num;
    return 0;
}

/* ------------------------------------------------------------------ times */

static int parse_time_value(struct parser *p, int64_t *us)
{
    const struct pkt_tok *t = peek(p);
    if (t->kind != PKT_TK_NUM || t->usec < 0)
        return fail(p, t, "expected a time");
    if (t->usec > PKT_TIME_LIMIT_US)
        return fail(p, t, "a time beyond the virtual-time limit (one day)");
    next(p);
    *us = t->usec;
    return 0;
}

static int parse_time(struct parser *p, struct pkt_time *tm)
{
    if (is_char(peek(p), '*')) {
        next(p);
        tm->kind = PKT_T_ANY;
        return 0;
    }
    int rel = 0;
    if (is_char(peek(p), '+')) {
        next(p);
        rel = 1;
    }
    tm->kind = rel ? PKT_T_REL : PKT_T_ABS;
    if (parse_time_value(p, &tm->start_us))
        return -1;
    tm->end_us = tm->start_us;
    if (is_char(peek(p), '~')) {
        next(p);
        int rel2 = 0;
        if (is_char(peek(p), '+')) {
            next(p);
            rel2 = 1;
        }
        if (rel2 != rel)
            return fail(p, peek(p), "a range mixes absolute and relative times");
        if (parse_time_value(p, &tm->end_us))
            return -1;
        if (tm->end_us < tm->start_us)
            return fail(p, peek(p), "a range ends before it starts");
    }
    return 0;
}

/* ------------------------------------------------------------------ packets */

static int parse_seq(struct parser *p, uint32_t *seq, uint32_t *len)
{
    uint32_t start, end;
    const struct pkt_tok *at = peek(p);
    if (expect_int(p, 0, 0xffffffffLL, &start, "expected start:end(len)") ||
        expect_char(p, ':') ||
        expect_int(p, 0, 0xffffffffLL, &end, "expected start:end(len)") ||
        expect_char(p, '(') || expect_int(p, 0, 0xffffffffLL, len, "expected (len)") ||
        expect_char(p, ')'))
        return -1;
    if ((uint32_t)(end - start) != *len)
        return fail(p, at, "start:end(len) disagree");
    *seq = start;
    return 0;
}

static int parse_flags(struct parser *p, uint8_t *flags)
{
    const struct pkt_tok *t = peek(p);
    *flags = 0;
    if (is_char(t, '-')) {
        next(p);
        return 0;
    }
    if (t->kind == PKT_TK_WORD) {
        for (const char *c = t->text; *c; c++) {
            switch (*c) {
            case 'F': *flags |= TCP_FIN; break;
            case 'S': *flags |= TCP_SYN; break;
            case 'R': *flags |= TCP_RST; break;
            case 'P': *flags |= TCP_PSH; break;
            case 'U': *flags |= TCP_URG; break;
            case 'E': *flags |= TCP_ECE; break;
            case 'W': *flags |= TCP_CWR; break;
            default: return fail(p, t, "bad TCP flags");
            }
        }
        next(p);
        t = peek(p);
    }
    if (is_char(t, '.')) {
        *flags |= TCP_ACK;
        next(p);
    } else if (*flags == 0) {
        return fail(p, t, "expected TCP flags");
    }
    return 0;
}

static int parse_option(struct parser *p, struct pkt_opt *o)
{
    const struct pkt_tok *t = peek(p);
    if (t->kind != PKT_TK_WORD)
        return fail(p, t, "expected a TCP option");
    next(p);
    if (strcmp(t->text, "nop") == 0) {
        o->kind = PKT_OPT_NOP;
    } else if (strcmp(t->text, "eol") == 0) {
        o->kind = PKT_OPT_EOL;
    } else if (strcmp(t->text, "mss") == 0) {
        o->kind = PKT_OPT_MSS;
        return expect_int(p, 0, 65535, &o->v1, "expected an MSS value");
    } else if (strcmp(t->text, "wscale") == 0) {
        o->kind = PKT_OPT_WSCALE;
        return expect_int(p, 0, 255, &o->v1, "expected a window scale");
    } else if (strcmp(t->text, "sackOK") == 0) {
        o->kind = PKT_OPT_SACKOK;
    } else if (strcmp(t->text, "sack") == 0) {
        o->kind = PKT_OPT_SACK;
        while (peek(p)->kind == PKT_TK_NUM) {
            if (o->nsack == 4)
                return fail(p, peek(p), "more than 4 SACK blocks");
            if (expect_int(p, 0, 0xffffffffLL, &o->sack[o->nsack][0], "expected a SACK block") ||
                expect_char(p, ':') ||
                expect_int(p, 0, 0xffffffffLL, &o->sack[o->nsack][1], "expected a SACK block"))
                return -1;
            o->nsack++;
        }
        if (o->nsack == 0)
            return fail(p, peek(p), "expected SACK blocks");
    } else if (strcmp(t->text, "TS") == 0) {
        o->kind = PKT_OPT_TS;
        if (!is_word(peek(p), "val"))
            return fail(p, peek(p), "expected 'val'");
        next(p);
        if (expect_int(p, 0, 0xffffffffLL, &o->v1, "expected a TS val"))
            return -1;
        if (!is_word(peek(p), "ecr"))
            return fail(p, peek(p), "expected 'ecr'");
        next(p);
        return expect_int(p, 0, 0xffffffffLL, &o->v2, "expected a TS ecr");
    } else {
        return fail(p, t, "unsupported TCP option");
    }
    return 0;
}

static int parse_options(struct parser *p, struct pkt_packet *pk)
{
    next(p); /* '<' */
    if (peek(p)->kind == PKT_TK_ELLIPSIS) {
        next(p);
        pk->optmode = PKT_OPTS_ANY;
        return expect_char(p, '>');
    }
    pk->optmode = PKT_OPTS_LIST;
    for (;;) {
        if (pk->nopts == PKT_MAX_OPTS)
            return fail(p, peek(p), "too many TCP options");
        if (parse_option(p, &pk->opts[pk->nopts++]))
            return -1;
        if (is_char(peek(p), ',')) {
            next(p);
            continue;
        }
        return expect_char(p, '>');
    }
}

static int parse_echoed(struct parser *p, struct pkt_packet *pk)
{
    next(p); /* '[' */
    if (is_word(peek(p), "udp"))
        return fail(p, peek(p), "unsupported: UDP");
    uint32_t seq, len;
    if (parse_seq(p, &seq, &len) || expect_char(p, ']'))
        return -1;
    pk->has_echo = 1;
    pk->echo_seq = seq;
    pk->echo_len = len;
    return 0;
}

static int parse_icmp(struct parser *p, struct pkt_packet *pk)
{
    next(p); /* "icmp" */
    pk->icmp = 1;
    const struct pkt_tok *t = peek(p);
    if (t->kind != PKT_TK_WORD)
        return fail(p, t, "expected an ICMP type");
    pk->icmp_type = t->text;
    next(p);
    t = peek(p);
    if (t->kind == PKT_TK_WORD && strcmp(t->text, "mtu") != 0) {
        pk->icmp_code = t->text;
        next(p);
    }
    if (is_word(peek(p), "mtu")) {
        next(p);
        pk->has_mtu = 1;
        if (expect_int(p, 0, 0xffffffffLL, &pk->mtu, "expected an MTU"))
            return -1;
    }
    if (is_char(peek(p), '[')) {
        if (pk->has_echo)
            return fail(p, peek(p), "two echoed segments");
        return parse_echoed(p, pk);
    }
    return 0;
}

static int parse_packet(struct parser *p, struct pkt_packet *pk)
{
    pk->dir = next(p)->ch;
    pk->ecn = PKT_ECN_UNSPEC;
    if (is_char(peek(p), '[')) {
        const struct pkt_tok *w = peek2(p);
        static const struct {
            const char *name;
            int ecn;
        } ecns[] = {{"noecn", IP_ECN_NOT_ECT}, {"ect0", IP_ECN_ECT0}, {"ect1", IP_ECN_ECT1},
                    {"ect01", PKT_ECN_ECT01}, {"ce", IP_ECN_CE}};
        int found = 0;
        for (size_t i = 0; w->kind == PKT_TK_WORD && i < sizeof(ecns) / sizeof(ecns[0]); i++) {
            if (strcmp(w->text, ecns[i].name) == 0) {
                pk->ecn = ecns[i].ecn;
                found = 1;
            }
        }
        if (found) {
            next(p);
            next(p);
            if (expect_char(p, ']'))
                return -1;
        } else if (parse_echoed(p, pk)) {
            return -1;
        }
    }
    if (pk->ecn == PKT_ECN_ECT01 && pk->dir == '<')
        return fail(p, peek(p), "[ect01] is for outbound packets");
    if (is_word(peek(p), "icmp"))
        return parse_icmp(p, pk);
    if (pk->has_echo)
        return fail(p, peek(p), "expected 'icmp' after an echoed segment");
    if (is_word(peek(p), "udp"))
        return fail(p, peek(p), "unsupported: UDP");
    if (parse_flags(p, &pk->flags) || parse_seq(p, &pk->seq, &pk->len))
        return -1;
    for (;;) {
        const struct pkt_tok *t = peek(p);
        if (is_word(t, "ack")) {
            next(p);
            pk->has_ack = 1;
            if (expect_int(p, 0, 0xffffffffLL, &pk->ack, "expected an ack number"))
                return -1;
        } else if (is_word(t, "win")) {
            next(p);
            pk->has_win = 1;
            if (expect_int(p, 0, 65535, &pk->win, "expected a window"))
                return -1;
        } else if (is_word(t, "urg")) {
            next(p);
            pk->has_urg = 1;
            if (expect_int(p, 0, 65535, &pk->urg, "expected an urgent pointer"))
                return -1;
        } else if (is_char(t, '<')) {
            if (pk->optmode != PKT_OPTS_NONE)
                return fail(p, t, "two option lists");
            if (parse_options(p, pk))
                return -1;
        } else {
            return 0;
        }
    }
}

/* ------------------------------------------------------------------ expressions */

static struct pkt_expr *new_expr(struct parser *p, enum pkt_expr_kind kind, int line)
{
    struct pkt_expr *e = pkt_alloc(p->a, sizeof(*e));
    e->kind = kind;
    e->line = line;
    return e;
}

static int add_kid(struct parser *p, struct pkt_expr *e, struct pkt_expr *kid)
{
    /* Arena arrays grow by copying; expression lists are short. */
    struct pkt_expr **v = pkt_alloc(p->a, (size_t)(e->nkid + 1) * sizeof(*v));
    if (e->nkid)
        memcpy(v, e->kid, (size_t)e->nkid * sizeof(*v));
    v[e->nkid++] = kid;
    e->kid = v;
    return 0;
}

static struct pkt_expr *parse_expr(struct parser *p, int depth);

/* Items up to the closing character, separated by commas, into e's kids. */
static int parse_items(struct parser *p, struct pkt_expr *e, char close, int depth)
{
    if (is_char(peek(p), close)) {
        next(p);
        return 0;
    }
    for (;;) {
        struct pkt_expr *k = parse_expr(p, depth + 1);
        if (!k)
            return -1;
        add_kid(p, e, k);
        if (is_char(peek(p), ',')) {
            next(p);
            continue;
        }
        return expect_char(p, close);
    }
}

static struct pkt_expr *parse_primary(struct parser *p, int depth)
{
    const struct pkt_tok *t = peek(p);
    struct pkt_expr *e;
    if (depth > 32) {
        fail(p, t, "expression nested too deeply");
        return NULL;
    }
    switch (t->kind) {
    case PKT_TK_ELLIPSIS:
        next(p);
        return new_expr(p, PKT_E_ELLIPSIS, t->line);
    case PKT_TK_NUM:
        if (t->is_float) {
            fail(p, t, "expected an integer");
            return NULL;
        }
        next(p);
        e = new_expr(p, PKT_E_INT, t->line);
        e->num = t->num;
        return e;
    case PKT_TK_STRING:
        next(p);
        e = new_expr(p, PKT_E_STRING, t->line);
        e->text = t->text;
        if (peek(p)->kind == PKT_TK_ELLIPSIS)
            next(p);
        return e;
    case PKT_TK_WORD:
        next(p);
        if (is_char(peek(p), '(')) {
            next(p);
            e = new_expr(p, PKT_E_CALL, t->line);
            e->text = t->text;
            if (parse_items(p, e, ')', depth))
                return NULL;
        } else {
            e = new_expr(p, PKT_E_WORD, t->line);
            e->text = t->text;
        }
        if (is_char(peek(p), '=')) {
            next(p);
            struct pkt_expr *a = new_expr(p, PKT_E_ASSIGN, t->line);
            a->text = t->text;
            struct pkt_expr *v = parse_expr(p, depth + 1);
            if (!v)
                return NULL;
            add_kid(p, a, v);
            return a;
        }
        return e;
    case PKT_TK_CHAR:
        if (t->ch == '[' || t->ch == '{') {
            next(p);
            e = new_expr(p, t->ch == '[' ? PKT_E_LIST : PKT_E_STRUCT, t->line);
            if (parse_items(p, e, t->ch == '[' ? ']' : '}', depth))
                return NULL;
            return e;
        }
        break;
    default:
        break;
    }
    fail(p, t, "expected an expression");
    return NULL;
}

static struct pkt_expr *parse_expr(struct parser *p, int depth)
{
    struct pkt_expr *e = parse_primary(p, depth);
    while (e && is_char(peek(p), '|')) {
        const struct pkt_tok *t = next(p);
        struct pkt_expr *rhs = parse_primary(p, depth + 1);
        if (!rhs)
            return NULL;
        struct pkt_expr *o = new_expr(p, PKT_E_OR, t->line);
        add_kid(p, o, e);
        add_kid(p, o, rhs);
        e = o;
    }
    return e;
}

/* ------------------------------------------------------------------ calls */

static int parse_syscall(struct parser *p, struct pkt_syscall *c)
{
    const struct pkt_tok *name = next(p);
    c->name = name->text;
    struct pkt_expr args = {0};
    next(p); /* '(' */
    if (parse_items(p, &args, ')', 0))
        return -1;
    c->arg = args.kid;
    c->narg = args.nkid;
    if (expect_char(p, '='))
        return -1;
    c->ret = parse_expr(p, 0);
    if (!c->ret)
        return -1;
    if (c->ret->kind != PKT_E_INT && c->ret->kind != PKT_E_ELLIPSIS)
        return fail(p, peek(p), "expected a return value");
    const struct pkt_tok *t = peek(p);
    if (t->kind == PKT_TK_WORD && t->text[0] == 'E') {
        c->err_name = t->text;
        next(p);
    }
    if (is_char(peek(p), '(')) { /* a note, e.g. "(Connection refused)": skipped */
        int depth = 0, line = peek(p)->line;
        do {
            t = next(p);
            if (t->kind == PKT_TK_EOF || t->line != line)
                return fail(p, t, "unterminated note");
            if (is_char(t, '('))
                depth++;
            else if (is_char(t, ')'))
                depth--;
        } while (depth > 0);
    }
    return 0;
}

/* ------------------------------------------------------------------ events */

static int parse_event(struct parser *p, struct pkt_event *ev)
{
    const struct pkt_tok *t = peek(p);
    ev->line = t->line;
    if (t->kind == PKT_TK_BACKTICK || t->kind == PKT_TK_CODE) {
        ev->time.kind = PKT_T_REL; /* an untimed command (packetdrill's init command) */
    } else if (parse_time(p, &ev->time)) {
        return -1;
    }
    t = peek(p);
    if (t->kind == PKT_TK_ELLIPSIS) {
        next(p);
        ev->time.has_block_end = 1;
        if (ev->time.kind == PKT_T_ANY)
            return fail(p, t, "'...' after '*'");
        if (parse_time_value(p, &ev->time.block_end_us))
            return -1;
        t = peek(p);
        if (t->kind != PKT_TK_WORD || !is_char(peek2(p), '('))
            return fail(p, t, "'...end' must precede a system call");
    }
    if (is_char(t, '<') || is_char(t, '>')) {
        ev->kind = PKT_EV_PACKET;
        return parse_packet(p, &ev->pkt);
    }
    if (t->kind == PKT_TK_WORD && is_char(peek2(p), '(')) {
        ev->kind = PKT_EV_SYSCALL;
        return parse_syscall(p, &ev->call);
    }
    if (t->kind == PKT_TK_BACKTICK || t->kind == PKT_TK_CODE) {
        next(p);
        ev->kind = t->kind == PKT_TK_BACKTICK ? PKT_EV_COMMAND : PKT_EV_CODE;
        ev->text = t->text;
        return 0;
    }
    return fail(p, t, "expected a packet, a system call or a command");
}

int pkt_parse(const char *src, struct pkt_script *out, struct pkt_str *err, int *line)
{
    memset(out, 0, sizeof(*out));
    struct pkt_toks toks;
    *line = 0;
    if (pkt_lex(&out->arena, src, &toks, err, line)) {
        free(toks.v);
        return -1;
    }
    struct parser p = {&toks, 0, &out->arena, err, line};
    struct pkt_option **otail = &out->options;
    while (peek(&p)->kind == PKT_TK_OPTION) {
        const struct pkt_tok *t = next(&p);
        struct pkt_option *o = pkt_alloc(p.a, sizeof(*o));
        o->name = t->text;
        o->value = t->value;
        o->line = t->line;
        *otail = o;
        otail = &o->next;
    }
    struct pkt_event **etail = &out->events;
    int rc = 0;
    while (peek(&p)->kind != PKT_TK_EOF) {
        struct pkt_event *ev = pkt_alloc(p.a, sizeof(*ev));
        if (parse_event(&p, ev)) {
            rc = -1;
            break;
        }
        *etail = ev;
        etail = &ev->next;
    }
    free(toks.v);
    return rc;
}

void pkt_script_free(struct pkt_script *s) { pkt_arena_free(&s->arena); }
