/* pool.c: a fixed pool of equal-sized objects with a LIFO free list.
 * Read DESIGN.md principle 4 (bounded memory, no malloc per packet) before changing it. */
#include "core/pool.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN 16u
#define IN_USE UINT32_MAX /* next_free[i] of an object handed out */

int pool_init(struct pool *p, const char *name, size_t obj_size, uint32_t capacity)
{
    memset(p, 0, sizeof *p);
    if (obj_size > SIZE_MAX / 2)
        return -ENOMEM;
    p->name = name;
    p->obj_size = obj_size ? (obj_size + ALIGN - 1) / ALIGN * ALIGN : ALIGN;
    if (capacity == 0)
        return 0;
    /* One allocation: the objects (16-aligned), then the free-list links. */
    if (p->obj_size > (SIZE_MAX / 2) / capacity)
        return -ENOMEM;
    size_t objs = p->obj_size * capacity;
    size_t total = objs + ((size_t)capacity * sizeof(uint32_t) + ALIGN - 1) / ALIGN * ALIGN;
    p->mem = aligned_alloc(ALIGN, total);
    if (!p->mem)
        return -ENOMEM;
    p->next_free = (uint32_t *)(void *)(p->mem + objs);
    for (uint32_t i = 0; i < capacity; i++)
        p->next_free[i] = i + 1;
    p->capacity = capacity;
    return 0;
}

void pool_free(struct pool *p)
{
    free(p->mem);
    p->mem = NULL;
    p->next_free = NULL;
    p->capacity = p->in_use = 0;
    p->free_head = 0;
}

void *pool_get(struct pool *p)
{
    void *obj = pool_get_uninit(p);
    if (obj)
        memset(obj, 0, p->obj_size);
    return obj;
}

void *pool_get_uninit(struct pool *p)
{
    if (p->free_head == p->capacity) {
        p->refused++;
        return NULL;
    }
    uint32_t i = p->free_head;
    p->free_head = p->next_free[i];
    p->next_free[i] = IN_USE;
    if (++p->in_use > p->peak)
        p->peak = p->in_use;
    return pool_at(p, i);
}

void pool_put(struct pool *p, void *obj)
{
    uint32_t i = pool_index(p, obj);
    assert(p->next_free[i] == IN_USE && "pool_put of an object not in use");
    p->next_free[i] = p->free_head;
    p->free_head = i;
    p->in_use--;
}

uint32_t pool_index(const struct pool *p, const void *obj)
{
    uintptr_t off = (uintptr_t)obj - (uintptr_t)p->mem;
    assert((uintptr_t)obj >= (uintptr_t)p->mem && off % p->obj_size == 0 &&
           off / p->obj_size < p->capacity && "object not from this pool");
    return (uint32_t)(off / p->obj_size);
}

void *pool_at(const struct pool *p, uint32_t idx)
{
    assert(idx < p->capacity);
    return p->mem + (size_t)idx * p->obj_size;
}
