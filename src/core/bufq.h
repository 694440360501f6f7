/* bufq.h: a byte queue made of fixed chunks from a shared pool: the send and receive
 * buffers.  Bounded (a per-queue limit and the pool), O(1) random access through a ring
 * of chunk indices, no allocation beyond the pool; an empty queue holds no chunk.
 * Writes past the end (for out-of-order data) are allowed and made valid by bufq_extend. */
#ifndef SYNACK_CORE_BUFQ_H
#define SYNACK_CORE_BUFQ_H

#include <stddef.h>
#include <stdint.h>

#include "core/pool.h"

#define BUFQ_CHUNK_BYTES 16384u
#define BUFQ_MAX_CHUNKS 400u /* 6.25 MiB: more than tcp_rmem_max */
#define BUFQ_MAX_POOL 65535u /* chunk indices are 16-bit: at most 1 GiB of buffers */

struct bufq {
    uint32_t start;  /* offset of byte 0 within chunk ring[first] */
    uint32_t len;    /* valid bytes from byte 0 */
    uint32_t hi;     /* end of the furthest write from byte 0 (>= len; > len: data ahead) */
    uint16_t first;  /* ring index of the chunk holding byte 0 */
    uint16_t nchunks;/* chunks held (covering bytes written past len too) */
    uint16_t ring[BUFQ_MAX_CHUNKS]; /* pool indices (a pool has at most BUFQ_MAX_POOL) */
};

void bufq_init(struct bufq *q);
/* Copies len bytes to offset off (off + len <= BUFQ_MAX_CHUNKS * BUFQ_CHUNK_BYTES - start),
 * allocating chunks as needed.  Does not change q->len.  Returns bytes written: fewer
 * than len only when the pool runs out. */
size_t bufq_write_at(struct bufq *q, struct pool *chunks, size_t off, const uint8_t *data,
                     size_t len);
/* Marks n more bytes (already written) valid: q->len += n. */
void bufq_extend(struct bufq *q, size_t n);
/* write_at(q->len) + extend: returns bytes appended. */
size_t bufq_append(struct bufq *q, struct pool *chunks, const uint8_t *data, size_t len);
/* Copies up to len bytes from offset off of the valid bytes; returns bytes copied. */
size_t bufq_peek(const struct bufq *q, const struct pool *chunks, size_t off, uint8_t *out,
                 size_t len);
/* bufq_peek that also sets *sum to the csum_add accumulator of the bytes copied, summed
 * in the same pass (RFC 1071 §2(3)): what the segment's checksum needs of its payload. */
size_t bufq_peek_csum(const struct bufq *q, const struct pool *chunks, size_t off,
                      uint8_t *out, size_t len, uint32_t *sum);
/* Drops n (<= len) bytes from the front; frees chunks left empty. */
void bufq_consume(struct bufq *q, struct pool *chunks, size_t n);
/* Frees every chunk. */
void bufq_clear(struct bufq *q, struct pool *chunks);

#endif
