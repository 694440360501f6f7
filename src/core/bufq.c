/* bufq.c: a byte queue over a ring of 16 KiB chunks drawn from a shared pool.
 * Read bufq.h and DESIGN.md principle 4 (bounded memory; idle connections hold no
 * buffers) before changing it. */
#include "core/bufq.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include "wire/checksum.h"

#define CHUNK ((size_t)BUFQ_CHUNK_BYTES)
#define SPAN ((size_t)BUFQ_MAX_CHUNKS * CHUNK) /* bytes the ring can reach from its chunk 0 */

void bufq_init(struct bufq *q) { memset(q, 0, sizeof *q); }

/* The ring slot of the chunk i chunks after the first. */
static size_t ring_at(const struct bufq *q, size_t i)
{
    return (q->first + i) % BUFQ_MAX_CHUNKS;
}

/* Where byte off (from byte 0) lives, and the bytes from there to its chunk's end. */
static uint8_t *locate(const struct bufq *q, const struct pool *chunks, size_t off,
                       size_t *room)
{
    size_t abs = q->start + off;
    *room = CHUNK - abs % CHUNK;
    return (uint8_t *)pool_at(chunks, q->ring[ring_at(q, abs / CHUNK)]) + abs % CHUNK;
}

/* Holds at least n chunks; false when the pool runs out first. */
static bool grow(struct bufq *q, struct pool *chunks, size_t n)
{
    while (q->nchunks < n) {
        void *c = pool_get_uninit(chunks); /* only written bytes are ever read */
        if (!c)
            return false;
        q->ring[ring_at(q, q->nchunks)] = (uint16_t)pool_index(chunks, c);
        q->nchunks++;
    }
    return true;
}

/* Frees the chunks past the furthest write (left by a write the pool cut short); with
 * nothing valid and nothing ahead, that is every chunk, and byte 0 starts afresh. */
static void trim(struct bufq *q, struct pool *chunks)
{
    size_t need = q->hi ? (q->start + q->hi - 1) / CHUNK + 1 : 0;
    while (q->nchunks > need) {
        q->nchunks--;
        pool_put(chunks, pool_at(chunks, q->ring[ring_at(q, q->nchunks)]));
    }
    if (q->nchunks == 0) {
        q->start = 0;
        q->first = 0;
    }
}

size_t bufq_write_at(struct bufq *q, struct pool *chunks, size_t off, const uint8_t *data,
                     size_t len)
{
    size_t done = 0, room;
    /* Beyond the ring's reach nothing is written (the precondition in bufq.h). */
    if (off >= SPAN - q->start)
        return 0;
    if (len > SPAN - q->start - off)
        len = SPAN - q->start - off;
    while (done < len && grow(q, chunks, (q->start + off + done) / CHUNK + 1)) {
        uint8_t *dst = locate(q, chunks, off + done, &room);
        size_t n = len - done < room ? len - done : room;
        memcpy(dst, data + done, n);
        done += n;
    }
    if (done && off + done > q->hi)
        q->hi = (uint32_t)(off + done);
    trim(q, chunks);
    return done;
}

void bufq_extend(struct bufq *q, size_t n)
{
    assert(n <= q->hi - q->len && "bufq_extend past the bytes written");
    q->len += (uint32_t)n;
}

size_t bufq_append(struct bufq *q, struct pool *chunks, const uint8_t *data, size_t len)
{
    size_t n = bufq_write_at(q, chunks, q->len, data, len);
    bufq_extend(q, n);
    return n;
}

/* Copies up to len bytes from offset off of the valid bytes to out, a chunk at a time;
 * with sum not NULL, sets *sum to their checksum accumulator, taken while copying
 * (RFC 1071 §2(3)), each chunk's piece combined at its offset within out (§2(B)). */
static size_t peek(const struct bufq *q, const struct pool *chunks, size_t off, uint8_t *out,
                   size_t len, uint32_t *sum)
{
    size_t done = 0, room;
    if (sum)
        *sum = 0;
    if (off >= q->len)
        return 0;
    if (len > q->len - off)
        len = q->len - off;
    while (done < len) {
        const uint8_t *src = locate(q, chunks, off + done, &room);
        size_t n = len - done < room ? len - done : room;
        if (sum)
            *sum = csum_combine(*sum, csum_copy(0, out + done, src, n), done);
        else
            memcpy(out + done, src, n);
        done += n;
    }
    return done;
}

size_t bufq_peek(const struct bufq *q, const struct pool *chunks, size_t off, uint8_t *out,
                 size_t len)
{
    return peek(q, chunks, off, out, len, NULL);
}

size_t bufq_peek_csum(const struct bufq *q, const struct pool *chunks, size_t off,
                      uint8_t *out, size_t len, uint32_t *sum)
{
    return peek(q, chunks, off, out, len, sum);
}

void bufq_consume(struct bufq *q, struct pool *chunks, size_t n)
{
    assert(n <= q->len);
    q->len -= (uint32_t)n;
    q->hi -= (uint32_t)n;
    q->start += (uint32_t)n;
    /* The chunks wholly before byte 0 are empty now. */
    size_t drop = q->start / CHUNK;
    assert(drop <= q->nchunks);
    for (size_t i = 0; i < drop; i++)
        pool_put(chunks, pool_at(chunks, q->ring[ring_at(q, i)]));
    q->first = (uint16_t)ring_at(q, drop);
    q->nchunks = (uint16_t)(q->nchunks - drop);
    q->start %= (uint32_t)CHUNK;
    trim(q, chunks);
}

void bufq_clear(struct bufq *q, struct pool *chunks)
{
    q->len = 0;
    q->hi = 0;
    trim(q, chunks);
}
