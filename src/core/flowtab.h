/* flowtab.h: the 4-tuple hash table: intrusive chains, fixed bucket array sized at
 * creation, keyed SipHash with a per-stack secret (DESIGN.md principle 5). */
#ifndef SYNACK_CORE_FLOWTAB_H
#define SYNACK_CORE_FLOWTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "synack.h"

/* A connection's identity.  A listener uses raddr all zero (family set) and rport 0;
 * a wildcard listener also has laddr all zero. */
struct flow_key {
    struct synack_addr laddr, raddr;
    uint16_t lport, rport;
};

/* Embed in the object stored. */
struct flow_node {
    struct flow_node *next;
    uint64_t hash;
    struct flow_key key;
};

struct flowtab {
    struct flow_node **buckets;
    uint32_t mask;   /* buckets - 1 (power of two) */
    uint32_t count;
    uint8_t secret[16];
};

/* Allocates the smallest power-of-two bucket array >= capacity_hint (min 16).
 * Returns 0 or -ENOMEM. */
int flowtab_init(struct flowtab *t, uint32_t capacity_hint, const uint8_t secret[16]);
void flowtab_free(struct flowtab *t);
/* The key's hash (SipHash-2-4 of its fields serialised, independent of struct padding). */
uint64_t flowtab_hash(const struct flowtab *t, const struct flow_key *k);
bool flow_key_equal(const struct flow_key *a, const struct flow_key *b);
/* Inserts n (n->key set by the caller; duplicates are the caller's business). */
void flowtab_insert(struct flowtab *t, struct flow_node *n);
/* Removes n, which must be in t. */
void flowtab_remove(struct flowtab *t, struct flow_node *n);
/* The node with an equal key, or NULL. */
struct flow_node *flowtab_lookup(const struct flowtab *t, const struct flow_key *k);

#endif
