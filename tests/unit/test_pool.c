/* test_pool.c: the fixed object pool: capacity, zeroing, LIFO reuse, counters.
 * Read src/core/pool.h and DESIGN.md principle 4 before changing it. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "core/pool.h"

int main(void)
{
    struct pool p;
    void *obj[10];

    /* Sizes round up to 16 and objects are 16-aligned and distinct. */
    CHECK_EQ(pool_init(&p, "test", 20, 10), 0);
    CHECK_EQ(p.obj_size, 32);
    CHECK_EQ(p.capacity, 10);
    CHECK_EQ(p.in_use, 0);
    for (int i = 0; i < 10; i++) {
        obj[i] = pool_get(&p);
        CHECK(obj[i] != NULL);
        CHECK_EQ((uintptr_t)obj[i] % 16, 0);
        CHECK_EQ(pool_index(&p, obj[i]), i);
        CHECK(pool_at(&p, (uint32_t)i) == obj[i]);
        memset(obj[i], 0xa5, 20);
    }
    CHECK_EQ(p.in_use, 10);
    CHECK_EQ(p.peak, 10);

    /* Exhausted: refused, counted, nothing else changes. */
    CHECK(pool_get(&p) == NULL);
    CHECK(pool_get(&p) == NULL);
    CHECK_EQ(p.refused, 2);
    CHECK_EQ(p.in_use, 10);

    /* LIFO reuse, and a reused object comes back zeroed. */
    pool_put(&p, obj[3]);
    pool_put(&p, obj[7]);
    CHECK_EQ(p.in_use, 8);
    void *a = pool_get(&p), *b = pool_get(&p);
    CHECK(a == obj[7]);
    CHECK(b == obj[3]);
    static const uint8_t zero[32];
    CHECK_MEM(a, zero, 32);
    CHECK_MEM(b, zero, 32);

    /* Peak stays at the high-water mark. */
    for (int i = 0; i < 10; i++)
        pool_put(&p, obj[i]);
    CHECK_EQ(p.in_use, 0);
    CHECK_EQ(p.peak, 10);
    a = pool_get(&p);
    CHECK_EQ(p.peak, 10);
    CHECK_EQ(p.in_use, 1);
    pool_put(&p, a);
    pool_free(&p);

    /* Capacity 0: every request is refused. */
    CHECK_EQ(pool_init(&p, "empty", 64, 0), 0);
    CHECK(pool_get(&p) == NULL);
    CHECK(pool_get(&p) == NULL);
    CHECK_EQ(p.refused, 2);
    CHECK_EQ(p.in_use, 0);
    CHECK_EQ(p.peak, 0);
    pool_free(&p);

    /* Exact multiples keep their size; tiny objects take 16 bytes. */
    CHECK_EQ(pool_init(&p, "exact", 48, 3), 0);
    CHECK_EQ(p.obj_size, 48);
    pool_free(&p);
    CHECK_EQ(pool_init(&p, "tiny", 1, 3), 0);
    CHECK_EQ(p.obj_size, 16);
    a = pool_get(&p);
    b = pool_get(&p);
    CHECK((uint8_t *)a + 16 == (uint8_t *)b);
    pool_free(&p);

    /* A large pool: fill, drain in a scrambled order, refill. */
    CHECK_EQ(pool_init(&p, "big", 100, 1000), 0);
    static void *objs[1000];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 1000; i++)
            objs[i] = pool_get(&p);
        CHECK(pool_get(&p) == NULL);
        for (int i = 0; i < 1000; i++)
            pool_put(&p, objs[(i * 617) % 1000]);
        CHECK_EQ(p.in_use, 0);
    }
    CHECK_EQ(p.refused, 3);
    CHECK_EQ(p.peak, 1000);
    pool_free(&p);

    /* Absurd sizes fail cleanly. */
    CHECK_EQ(pool_init(&p, "huge", SIZE_MAX / 4, 1000), -ENOMEM);
    CHECK(pool_get(&p) == NULL);

#ifndef NDEBUG
    /* Debug builds catch a double free: the child must die on the assertion. */
    pid_t pid = fork();
    if (pid == 0) {
        (void)!freopen("/dev/null", "w", stderr);
        pool_init(&p, "double", 16, 2);
        a = pool_get(&p);
        pool_put(&p, a);
        pool_put(&p, a);
        _exit(0);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
#endif
    return check_done();
}
