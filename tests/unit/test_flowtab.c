/* test_flowtab.c: the 4-tuple hash table: insert, lookup, remove, collisions, keying.
 * Read src/core/flowtab.h before changing it. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "core/flowtab.h"
#include "core/siphash.h"

#define N 3000

struct flow {
    int id;
    struct flow_node node;
};

static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Key i: v4 for even i, v6 for odd; every 10th a listener (raddr zero, rport 0),
 * every 30th a wildcard listener (laddr zero too).  All distinct. */
static void make_key(struct flow_key *k, int i, uint8_t fill)
{
    memset(k, fill, sizeof *k);
    uint8_t fam = (i & 1) ? SYNACK_AF_INET6 : SYNACK_AF_INET;
    k->laddr.family = k->raddr.family = fam;
    memset(k->laddr.bytes, 0, 16);
    memset(k->raddr.bytes, 0, 16);
    if (fam == SYNACK_AF_INET) {
        static const uint8_t l4[4] = {198, 18, 0, 1};
        memcpy(k->laddr.bytes, l4, 4);
        k->raddr.bytes[0] = 198, k->raddr.bytes[1] = 19;
        k->raddr.bytes[2] = (uint8_t)(i >> 8), k->raddr.bytes[3] = (uint8_t)i;
    } else {
        k->laddr.bytes[0] = 0x20, k->laddr.bytes[1] = 0x01, k->laddr.bytes[2] = 0x0d;
        k->laddr.bytes[3] = 0xb8, k->laddr.bytes[15] = 1;
        memcpy(k->raddr.bytes, k->laddr.bytes, 16);
        k->raddr.bytes[14] = (uint8_t)(i >> 8), k->raddr.bytes[15] = (uint8_t)i;
    }
    k->lport = (uint16_t)(80 + i % 7);
    k->rport = (uint16_t)(32768 + i);
    if (i % 10 == 0) {
        memset(k->raddr.bytes, 0, 16);
        k->rport = 0;
        k->lport = (uint16_t)(1000 + i);
        if (i % 30 == 0)
            memset(k->laddr.bytes, 0, 16);
    }
}

int main(void)
{
    static struct flow flows[N];
    struct flowtab t, t2;
    struct flow_key k;
    uint8_t secret[16], secret2[16];
    uint64_t rng = 1;

    for (int i = 0; i < 16; i++) {
        secret[i] = (uint8_t)(i * 7 + 3);
        secret2[i] = secret[i];
    }
    secret2[5] ^= 1;

    /* Bucket counts: powers of two, at least 16. */
    CHECK_EQ(flowtab_init(&t, 0, secret), 0);
    CHECK_EQ(t.mask, 15);
    flowtab_free(&t);
    CHECK_EQ(flowtab_init(&t, 17, secret), 0);
    CHECK_EQ(t.mask, 31);
    flowtab_free(&t);
    CHECK_EQ(flowtab_init(&t, 1024, secret), 0);
    CHECK_EQ(t.mask, 1023);

    /* Insert all, find all, absent keys are absent. */
    for (int i = 0; i < N; i++) {
        flows[i].id = i;
        make_key(&flows[i].node.key, i, 0);
        flowtab_insert(&t, &flows[i].node);
    }
    CHECK_EQ(t.count, N);
    int found = 0;
    for (int i = 0; i < N; i++) {
        make_key(&k, i, 0);
        struct flow_node *n = flowtab_lookup(&t, &k);
        found += n == &flows[i].node;
    }
    CHECK_EQ(found, N);
    make_key(&k, N + 1, 0);
    CHECK(flowtab_lookup(&t, &k) == NULL);
    make_key(&k, 3, 0);
    k.raddr.family = SYNACK_AF_INET; /* same bytes, other family */
    CHECK(flowtab_lookup(&t, &k) == NULL);
    make_key(&k, 3, 0);
    k.rport ^= 1;
    CHECK(flowtab_lookup(&t, &k) == NULL);

    /* Padding independence: keys filled differently around their fields. */
    struct flow_key ka, kb;
    make_key(&ka, 11, 0x00);
    make_key(&kb, 11, 0xff);
    CHECK(flowtab_hash(&t, &ka) == flowtab_hash(&t, &kb));
    CHECK(flow_key_equal(&ka, &kb));
    CHECK(flowtab_lookup(&t, &kb) == &flows[11].node);
    /* ... because the hash is SipHash of the fields alone: each family, its 16 address
     * bytes, then both ports in network order. */
    uint8_t ser[38];
    ser[0] = ka.laddr.family;
    memcpy(ser + 1, ka.laddr.bytes, 16);
    ser[17] = ka.raddr.family;
    memcpy(ser + 18, ka.raddr.bytes, 16);
    ser[34] = (uint8_t)(ka.lport >> 8), ser[35] = (uint8_t)ka.lport;
    ser[36] = (uint8_t)(ka.rport >> 8), ser[37] = (uint8_t)ka.rport;
    CHECK(flowtab_hash(&t, &ka) == siphash24(secret, ser, sizeof ser));

    /* Remove in random order, checking membership as we go. */
    static int order[N];
    for (int i = 0; i < N; i++)
        order[i] = i;
    for (int i = N - 1; i > 0; i--) {
        int j = (int)(next_rand(&rng) % (uint64_t)(i + 1)), tmp = order[i];
        order[i] = order[j], order[j] = tmp;
    }
    int ok = 1;
    for (int r = 0; r < N; r++) {
        int i = order[r];
        flowtab_remove(&t, &flows[i].node);
        make_key(&k, i, 0);
        ok &= flowtab_lookup(&t, &k) == NULL;
        if (r + 1 < N) {
            int other = order[r + 1];
            make_key(&k, other, 0);
            ok &= flowtab_lookup(&t, &k) == &flows[other].node;
        }
    }
    CHECK(ok);
    CHECK_EQ(t.count, 0);
    for (uint32_t b = 0; b <= t.mask; b++)
        ok &= t.buckets[b] == NULL;
    CHECK(ok);

    /* Collisions: 12 keys in one bucket of a 16-bucket table, removed from the head,
     * the middle and the tail of the chain. */
    int same[12], ns = 0;
    uint64_t want = 0;
    flowtab_free(&t);
    CHECK_EQ(flowtab_init(&t, 16, secret), 0);
    for (int i = 0; i < N && ns < 12; i++) {
        make_key(&k, i, 0);
        if (ns == 0)
            want = flowtab_hash(&t, &k) & t.mask;
        if ((flowtab_hash(&t, &k) & t.mask) == want)
            same[ns++] = i;
    }
    CHECK_EQ(ns, 12);
    for (int s = 0; s < ns; s++)
        flowtab_insert(&t, &flows[same[s]].node);
    int chain = 0;
    for (struct flow_node *n = t.buckets[want]; n; n = n->next)
        chain++;
    CHECK_EQ(chain, 12);
    static const int gone[] = {11, 0, 5}; /* head (last inserted), tail, middle */
    for (size_t g = 0; g < 3; g++)
        flowtab_remove(&t, &flows[same[gone[g]]].node);
    for (int s = 0; s < ns; s++) {
        make_key(&k, same[s], 0);
        int removed = s == 11 || s == 0 || s == 5;
        CHECK(flowtab_lookup(&t, &k) == (removed ? NULL : &flows[same[s]].node));
    }
    CHECK_EQ(t.count, 9);

    /* Different secrets, different hashes (and a different spread over buckets). */
    CHECK_EQ(flowtab_init(&t2, 16, secret2), 0);
    int differ = 0;
    for (int i = 0; i < 100; i++) {
        make_key(&k, i, 0);
        differ += flowtab_hash(&t, &k) != flowtab_hash(&t2, &k);
    }
    CHECK_EQ(differ, 100);
    flowtab_free(&t2);
    flowtab_free(&t);
    CHECK(t.buckets == NULL);
    return check_done();
}
