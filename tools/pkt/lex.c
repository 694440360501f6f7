/* lex.c: the tokenizer of packetdrill scripts (numbers, words, strings, `commands`,
 * %{ code }%, --options, ..., punctuation; // and C comments skipped).  Read packetdrill's
 * lexical structure (Syntax.md) and pkt.h before changing it. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pkt/pkt.h"

static int push(struct pkt_toks *t, const struct pkt_tok *tok)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct pkt_tok *v = realloc(t->v, cap * sizeof(*v));
        if (!v)
            return -1;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = *tok;
    return 0;
}

static int is_word_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* Parses a number starting at s (optional '-', decimal digits with an optional fraction,
 * or 0x hex).  Fills tok; returns the length, or 0 if s is not a number. */
static size_t lex_number(const char *s, struct pkt_tok *tok)
{
    size_t i = 0;
    int neg = 0;
    if (s[i] == '-') {
        neg = 1;
        i++;
    }
    if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') && isxdigit((unsigned char)s[i + 2])) {
        i += 2;
        uint64_t v = 0;
        while (isxdigit((unsigned char)s[i])) {
            int d = isdigit((unsigned char)s[i]) ? s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10);
            v = v * 16 + (uint64_t)d;
            if (v > 0xffffffffffffULL)
                return 0;
            i++;
        }
        tok->num = neg ? -(int64_t)v : (int64_t)v;
        tok->usec = tok->num * 1000000;
        return i;
    }
    size_t start = i;
    uint64_t ip = 0;
    while (isdigit((unsigned char)s[i])) {
        ip = ip * 10 + (uint64_t)(s[i] - '0');
        if (ip > 1000000000000ULL)
            return 0;
        i++;
    }
    int64_t frac_us = 0;
    int is_float = 0;
    /* A fraction: '.' then a digit ("0.1", ".1"), but never the start of "...". */
    if (s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
        is_float = 1;
        i++;
        int64_t scale = 100000;
        while (isdigit((unsigned char)s[i])) {
            frac_us += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
    }
    if (i == start)
        return 0;
    if (isalpha((unsigned char)s[i]) || s[i] == '_')
        return 0; /* "1a" is not a number */
    int64_t v = (int64_t)ip;
    tok->num = neg ? -v : v;
    tok->usec = (v * 1000000 + frac_us) * (neg ? -1 : 1);
    tok->is_float = is_float;
    return i;
}

int pkt_lex(struct pkt_arena *a, const char *src, struct pkt_toks *out, struct pkt_str *err,
            int *line_out)
{
    int line = 1;
    const char *p = src;
    out->v = NULL;
    out->n = out->cap = 0;
    for (;;) {
        struct pkt_tok tok;
        memset(&tok, 0, sizeof(tok));
        /* whitespace and comments */
        if (*p == '\n') {
            line++;
            p++;
            continue;
        }
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (p[0] == '/' && p[1] == '*') {
            int start_line = line;
            p += 2;
            while (*p && !(p[0] == '*' && p[1] == '/')) {
                if (*p == '\n')
                    line++;
                p++;
            }
            if (!*p) {
                pkt_str_add(err, "unterminated /* comment");
                *line_out = start_line;
                return -1;
            }
            p += 2;
            continue;
        }
        tok.line = line;
        if (!*p) {
            tok.kind = PKT_TK_EOF;
            if (push(out, &tok))
                goto oom;
            return 0;
        }
        if (*p == '`' || *p == '"') {
            char q = *p;
            const char *s = ++p;
            while (*p && *p != q) {
                if (*p == '\\' && p[1])
                    p++;
                if (*p == '\n')
                    line++;
                p++;
            }
            if (!*p) {
                pkt_str_add(err, "unterminated %s", q == '`' ? "`command`" : "string");
                *line_out = tok.line;
                return -1;
            }
            tok.kind = q == '`' ? PKT_TK_BACKTICK : PKT_TK_STRING;
            tok.text = pkt_strndup(a, s, (size_t)(p - s));
            p++;
        } else if (p[0] == '%' && p[1] == '{') {
            const char *s = p;
            p += 2;
            while (*p && !(p[0] == '}' && p[1] == '%')) {
                if (*p == '\n')
                    line++;
                p++;
            }
            if (!*p) {
                pkt_str_add(err, "unterminated %%{ code block");
                *line_out = tok.line;
                return -1;
            }
            p += 2;
            tok.kind = PKT_TK_CODE;
            tok.text = pkt_strndup(a, s, (size_t)(p - s));
        } else if (p[0] == '.' && p[1] == '.' && p[2] == '.') {
            tok.kind = PKT_TK_ELLIPSIS;
            tok.text = "...";
            p += 3;
        } else if (p[0] == '-' && p[1] == '-' && isalpha((unsigned char)p[2])) {
            /* --name[=value]: the value runs to the end of the word (addresses, lists) */
            const char *s = p + 2;
            p = s;
            while (is_word_char(*p) || *p == '-')
                p++;
            tok.kind = PKT_TK_OPTION;
            tok.text = pkt_strndup(a, s, (size_t)(p - s));
            if (*p == '=') {
                const char *v = ++p;
                while (*p && !isspace((unsigned char)*p))
                    p++;
                tok.value = pkt_strndup(a, v, (size_t)(p - v));
            }
        } else if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1])) ||
                   (*p == '-' && (isdigit((unsigned char)p[1]) ||
                                  (p[1] == '.' && isdigit((unsigned char)p[2]))))) {
            size_t k = lex_number(p, &tok);
            if (k == 0) {
                pkt_str_add(err, "bad number near '%.12s'", p);
                *line_out = line;
                return -1;
            }
            tok.kind = PKT_TK_NUM;
            tok.text = pkt_strndup(a, p, k);
            p += k;
        } else if (is_word_char(*p)) {
            const char *s = p;
            while (is_word_char(*p))
                p++;
            tok.kind = PKT_TK_WORD;
            tok.text = pkt_strndup(a, s, (size_t)(p - s));
        } else {
            tok.kind = PKT_TK_CHAR;
            tok.ch = *p;
            tok.text = pkt_strndup(a, p, 1);
            p++;
        }
        if (push(out, &tok))
            goto oom;
    }
oom:
    pkt_str_add(err, "out of memory");
    *line_out = line;
    return -1;
}
