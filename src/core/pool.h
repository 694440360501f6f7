/* pool.h: a fixed pool of equal-sized objects, allocated once (DESIGN.md principle 4).
 * It reports capacity, in use, peak and refused requests. */
#ifndef SYNACK_CORE_POOL_H
#define SYNACK_CORE_POOL_H

#include <stddef.h>
#include <stdint.h>

struct pool {
    const char *name;
    uint8_t *mem;
    size_t obj_size;     /* rounded up to 16 */
    uint32_t capacity, in_use, peak;
    uint64_t refused;
    uint32_t free_head;  /* index of the first free object, capacity when none */
    uint32_t *next_free; /* free-list links */
};

/* Allocates capacity objects of obj_size bytes.  capacity 0 is allowed (every get is
 * refused).  Returns 0 or -ENOMEM. */
int pool_init(struct pool *p, const char *name, size_t obj_size, uint32_t capacity);
void pool_free(struct pool *p);
/* A zeroed object, or NULL (refused is counted). O(1). */
void *pool_get(struct pool *p);
/* The same without zeroing, for memory whose every byte is written before it is read
 * (buffer chunks: zeroing 16 KiB per chunk dominated small transfers). */
void *pool_get_uninit(struct pool *p);
/* Returns obj (from this pool, currently in use) to the pool. O(1). */
void pool_put(struct pool *p, void *obj);
uint32_t pool_index(const struct pool *p, const void *obj);
void *pool_at(const struct pool *p, uint32_t idx);

#endif
