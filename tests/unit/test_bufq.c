/* test_bufq.c: the chunked byte queue against a reference byte array, with chunk
 * accounting and pool exhaustion.  Read src/core/bufq.h before changing it. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "core/bufq.h"
#include "wire/checksum.h"

#define CH BUFQ_CHUNK_BYTES
#define POOL_CHUNKS 20
#define REF (2 * (POOL_CHUNKS + 1) * CH)

static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static size_t below(uint64_t *s, size_t n) { return (size_t)(next_rand(s) % n); }

/* A queue and its reference: bytes from byte 0 at data[base..], known[] marks bytes
 * actually written (holes made valid by extend are unspecified). */
struct model {
    struct bufq q;
    uint8_t data[REF], known[REF];
    size_t base, len, hi;
};

/* Chunks the queue should hold: those covering byte 0 up to the furthest write. */
static size_t want_chunks(const struct bufq *q)
{
    return q->hi ? (q->start + q->hi - 1) / CH + 1 : 0;
}

static void model_compact(struct model *m)
{
    if (m->base + m->hi + 2 * CH * 4 > REF) {
        memmove(m->data, m->data + m->base, m->hi);
        memmove(m->known, m->known + m->base, m->hi);
        memset(m->known + m->hi, 0, REF - m->hi);
        m->base = 0;
    }
}

static void model_write(struct model *m, size_t off, const uint8_t *src, size_t n)
{
    memcpy(m->data + m->base + off, src, n);
    memset(m->known + m->base + off, 0xff, n);
    if (n && off + n > m->hi)
        m->hi = off + n;
}

static void check_model(struct model *m, const struct pool *p, uint64_t *rng)
{
    static uint8_t out[REF];
    CHECK_EQ(m->q.len, m->len);
    CHECK_EQ(m->q.hi, m->hi);
    CHECK_EQ(m->q.nchunks, want_chunks(&m->q));
    CHECK(m->q.start < CH);
    if (m->len == 0 && m->hi == 0)
        CHECK(m->q.nchunks == 0 && m->q.start == 0);
    /* A random window (possibly running past the end), sometimes everything. */
    size_t off = below(rng, m->len + 2), n = below(rng, 3000);
    if (below(rng, 32) == 0)
        off = 0, n = m->len + 1;
    size_t got = bufq_peek(&m->q, p, off, out, n);
    size_t want = off >= m->len ? 0 : (n < m->len - off ? n : m->len - off);
    CHECK_EQ(got, want);
    const uint8_t *data = m->data + m->base + off, *known = m->known + m->base + off;
    unsigned diff = 0;
    for (size_t i = 0; i < got; i++)
        diff |= known[i] & (out[i] ^ data[i]);
    CHECK(diff == 0);
    /* The same window with its checksum taken while copying (RFC 1071 §2(3)): chunk
     * boundaries fall at any offset, odd ones included. */
    static uint8_t out2[REF];
    uint32_t sum;
    CHECK_EQ(bufq_peek_csum(&m->q, p, off, out2, n, &sum), got);
    CHECK_MEM(out2, out, got);
    CHECK_EQ(csum_fold(sum), csum(out, got));
}

static void random_run(uint64_t seed)
{
    static struct model ms[2];
    static uint8_t src[4 * CH];
    struct pool p;
    uint64_t rng = seed;
    CHECK_EQ(pool_init(&p, "buf_chunks", CH, POOL_CHUNKS), 0);
    for (int i = 0; i < 2; i++) {
        bufq_init(&ms[i].q);
        ms[i].base = ms[i].len = ms[i].hi = 0;
        memset(ms[i].known, 0, sizeof ms[i].known);
    }
    for (int op = 0; op < 300; op++) {
        struct model *m = &ms[below(&rng, 2)];
        size_t k = below(&rng, 100), n, off;
        size_t avail = (m->q.nchunks + p.capacity - p.in_use) * CH - m->q.start;
        for (size_t i = 0; i < 64; i++) {
            size_t at = below(&rng, sizeof src);
            src[at] = (uint8_t)next_rand(&rng);
        }
        model_compact(m);
        if (k < 40) { /* append: short only when the pool runs out */
            n = below(&rng, 10) ? below(&rng, 2 * CH) : below(&rng, 100);
            size_t got = bufq_append(&m->q, &p, src, n);
            size_t want = m->len >= avail ? 0 : (n < avail - m->len ? n : avail - m->len);
            CHECK_EQ(got, want);
            /* Appending over bytes written ahead replaces them, so hi moves only past. */
            model_write(m, m->len, src, got);
            m->len += got;
        } else if (k < 55) { /* write ahead of len (out-of-order data) */
            off = m->len + below(&rng, 3 * CH);
            n = below(&rng, CH);
            size_t got = bufq_write_at(&m->q, &p, off, src + 7, n);
            size_t want = off >= avail ? 0 : (n < avail - off ? n : avail - off);
            CHECK_EQ(got, want);
            model_write(m, off, src + 7, got);
        } else if (k < 65) { /* make written-ahead bytes valid */
            n = below(&rng, m->hi - m->len + 1);
            bufq_extend(&m->q, n);
            m->len += n;
        } else if (k < 92) { /* consume, often everything */
            n = below(&rng, 3) ? below(&rng, m->len + 1) : m->len;
            bufq_consume(&m->q, &p, n);
            m->base += n;
            m->len -= n;
            m->hi -= n;
        } else if (k < 95) {
            bufq_clear(&m->q, &p);
            memset(m->known, 0, sizeof m->known);
            m->base = m->len = m->hi = 0;
        }
        check_model(&ms[0], &p, &rng);
        check_model(&ms[1], &p, &rng);
        CHECK_EQ(p.in_use, ms[0].q.nchunks + ms[1].q.nchunks);
    }
    bufq_clear(&ms[0].q, &p);
    bufq_clear(&ms[1].q, &p);
    CHECK_EQ(p.in_use, 0);
    pool_free(&p);
}

static void directed(void)
{
    static uint8_t a[5 * CH], b[5 * CH];
    struct pool p;
    struct bufq q;
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = (uint8_t)(i * 131 + (i >> 8));

    /* Write past the end, fill the hole, extend over both. */
    CHECK_EQ(pool_init(&p, "buf_chunks", CH, 8), 0);
    bufq_init(&q);
    CHECK_EQ(bufq_append(&q, &p, a, 100), 100);
    CHECK_EQ(bufq_write_at(&q, &p, 50000, a + 50000, 3000), 3000);
    CHECK_EQ(q.len, 100);
    CHECK_EQ(p.in_use, 4); /* bytes 0..52999: chunks 0-3, the holes included */
    CHECK_EQ(bufq_peek(&q, &p, 0, b, sizeof b), 100);
    CHECK_EQ(bufq_write_at(&q, &p, 100, a + 100, 49900), 49900);
    bufq_extend(&q, 52900);
    CHECK_EQ(q.len, 53000);
    CHECK_EQ(bufq_peek(&q, &p, 0, b, sizeof b), 53000);
    CHECK_MEM(a, b, 53000);
    CHECK_EQ(bufq_peek(&q, &p, 16380, b, 10), 10); /* across a chunk boundary */
    CHECK_MEM(a + 16380, b, 10);

    /* Consuming all valid bytes keeps the data ahead; the chunks before it go. */
    CHECK_EQ(bufq_write_at(&q, &p, 60000, a, 10), 10);
    bufq_consume(&q, &p, 53000);
    CHECK_EQ(q.len, 0);
    CHECK_EQ(p.in_use, 1); /* the chunk holding bytes 53000..60009 */
    bufq_extend(&q, 7010);
    CHECK_EQ(bufq_peek(&q, &p, 7000, b, 100), 10);
    CHECK_MEM(a, b, 10);
    /* Consumed to empty with nothing ahead: no chunk held, start reset. */
    bufq_consume(&q, &p, 7010);
    CHECK_EQ(p.in_use, 0);
    CHECK_EQ(q.nchunks, 0);
    CHECK_EQ(q.start, 0);

    /* Exactly full chunks: no extra chunk, and all freed when consumed. */
    CHECK_EQ(bufq_append(&q, &p, a, 2 * CH), 2 * CH);
    CHECK_EQ(p.in_use, 2);
    bufq_consume(&q, &p, CH);
    CHECK_EQ(p.in_use, 1);
    bufq_consume(&q, &p, CH);
    CHECK_EQ(p.in_use, 0);

    /* Consumption that ends exactly on a chunk boundary, and a wrap of the ring. */
    for (unsigned r = 0; r < 3 * BUFQ_MAX_CHUNKS; r++) {
        CHECK_EQ(bufq_append(&q, &p, a, CH + 5), CH + 5);
        bufq_consume(&q, &p, CH);
    }
    CHECK_EQ(q.len, 3 * BUFQ_MAX_CHUNKS * 5);
    CHECK_EQ(bufq_peek(&q, &p, q.len - 5, b, 10), 5);
    CHECK_MEM(a + CH, b, 5);
    bufq_clear(&q, &p);
    CHECK_EQ(p.in_use, 0);

    /* Pool exhaustion: short counts, never a crash; freed chunks are usable again. */
    CHECK_EQ(bufq_append(&q, &p, a, 5 * CH), 5 * CH);
    struct bufq q2;
    bufq_init(&q2);
    CHECK_EQ(bufq_append(&q2, &p, a, 5 * CH), 3 * CH);
    CHECK_EQ(bufq_append(&q2, &p, a, 10), 0);
    CHECK(p.refused >= 2);
    CHECK_EQ(bufq_write_at(&q2, &p, 5 * CH, a, 10), 0); /* no hole chunks kept */
    CHECK_EQ(p.in_use, 8);
    bufq_consume(&q, &p, 2 * CH + 1);
    CHECK_EQ(p.in_use, 6);
    CHECK_EQ(bufq_append(&q2, &p, a, 5 * CH), 2 * CH);
    CHECK_EQ(bufq_peek(&q2, &p, 3 * CH - 3, b, 6), 6);
    CHECK_MEM(a + 3 * CH - 3, b, 3);
    CHECK_MEM(a, b + 3, 3);
    bufq_clear(&q, &p);
    bufq_clear(&q2, &p);
    CHECK_EQ(p.in_use, 0);
    pool_free(&p);

    /* An empty pool refuses everything. */
    CHECK_EQ(pool_init(&p, "none", CH, 0), 0);
    CHECK_EQ(bufq_append(&q, &p, a, 10), 0);
    CHECK_EQ(bufq_write_at(&q, &p, 100, a, 10), 0);
    CHECK_EQ(q.nchunks, 0);
    bufq_clear(&q, &p);
    pool_free(&p);
}

int main(void)
{
    directed();
    for (uint64_t seed = 1; seed <= 150; seed++)
        random_run(seed);
    return check_done();
}
