/* flowtab.c: the 4-tuple hash table: keyed SipHash over the serialised key, chained
 * buckets, fixed size.  Read DESIGN.md principle 5 and Crosby & Wallach, "Denial of Service
 * via Algorithmic Complexity Attacks" (USENIX Security 2003): the per-stack secret keeps
 * a peer from aiming every flow at one bucket. */
#include "core/flowtab.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/siphash.h"
#include "wire/bytes.h"

#define MIN_BUCKETS 16u
#define MAX_BUCKETS (1u << 31)

int flowtab_init(struct flowtab *t, uint32_t capacity_hint, const uint8_t secret[16])
{
    uint32_t n = MIN_BUCKETS;
    while (n < capacity_hint && n < MAX_BUCKETS)
        n <<= 1;
    t->buckets = calloc(n, sizeof *t->buckets);
    if (!t->buckets)
        return -ENOMEM;
    t->mask = n - 1;
    t->count = 0;
    memcpy(t->secret, secret, sizeof t->secret);
    return 0;
}

void flowtab_free(struct flowtab *t)
{
    free(t->buckets);
    t->buckets = NULL;
    t->mask = 0;
    t->count = 0;
}

/* Field by field, so struct padding and layout never reach the hash. */
static uint8_t *put_addr(uint8_t *p, const struct synack_addr *a)
{
    *p++ = a->family;
    memcpy(p, a->bytes, sizeof a->bytes);
    return p + sizeof a->bytes;
}

uint64_t flowtab_hash(const struct flowtab *t, const struct flow_key *k)
{
    uint8_t buf[2 * (1 + 16) + 2 + 2], *p = buf;
    p = put_addr(p, &k->laddr);
    p = put_addr(p, &k->raddr);
    wr16(p, k->lport);
    wr16(p + 2, k->rport);
    return siphash24(t->secret, buf, sizeof buf);
}

static bool addr_equal(const struct synack_addr *a, const struct synack_addr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

bool flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
    return a->lport == b->lport && a->rport == b->rport && addr_equal(&a->laddr, &b->laddr) &&
           addr_equal(&a->raddr, &b->raddr);
}

void flowtab_insert(struct flowtab *t, struct flow_node *n)
{
    struct flow_node **head;
    n->hash = flowtab_hash(t, &n->key);
    head = &t->buckets[n->hash & t->mask];
    n->next = *head;
    *head = n;
    t->count++;
}

void flowtab_remove(struct flowtab *t, struct flow_node *n)
{
    struct flow_node **pp = &t->buckets[n->hash & t->mask];
    while (*pp && *pp != n)
        pp = &(*pp)->next;
    assert(*pp && "flowtab_remove: node not in the table");
    if (!*pp)
        return; /* not in t: the caller broke the contract; leave t intact */
    *pp = n->next;
    n->next = NULL;
    t->count--;
}

struct flow_node *flowtab_lookup(const struct flowtab *t, const struct flow_key *k)
{
    uint64_t h = flowtab_hash(t, k);
    for (struct flow_node *n = t->buckets[h & t->mask]; n; n = n->next)
        if (n->hash == h && flow_key_equal(&n->key, k))
            return n;
    return NULL;
}
