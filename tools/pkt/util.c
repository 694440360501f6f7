/* util.c: small helpers of the pkt interpreter: an arena for parsed scripts, bounded text
 * buffers, file reading.  Read pkt.h before changing it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt/pkt.h"

struct pkt_chunk {
    struct pkt_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char mem[];
};

#define CHUNK_BYTES 65536

void *pkt_alloc(struct pkt_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct pkt_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_BYTES ? n : CHUNK_BYTES;
        c = malloc(sizeof(*c) + cap);
        if (!c) {
            fprintf(stderr, "synack pkt: out of memory\n");
            exit(2);
        }
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = c->mem + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *pkt_strndup(struct pkt_arena *a, const char *s, size_t n)
{
    char *d = pkt_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void pkt_arena_free(struct pkt_arena *a)
{
    struct pkt_chunk *c = a->head;
    while (c) {
        struct pkt_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

void pkt_str_init(struct pkt_str *b)
{
    b->n = 0;
    b->s[0] = '\0';
}

void pkt_str_add(struct pkt_str *b, const char *fmt, ...)
{
    if (b->n >= sizeof(b->s) - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    b->n += (size_t)k;
    if (b->n > sizeof(b->s) - 1)
        b->n = sizeof(b->s) - 1;
}

void pkt_str_time(struct pkt_str *b, int64_t us)
{
    const char *sign = "";
    if (us < 0) {
        sign = "-";
        us = -us;
    }
    int64_t ms = (us + 500) / 1000;
    pkt_str_add(b, "%s%lld.%03lld", sign, (long long)(ms / 1000), (long long)(ms % 1000));
}

char *pkt_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            if (cap >= (64u << 20)) { /* scripts are small: refuse absurd files */
                free(buf);
                buf = NULL;
                errno = EFBIG;
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}
