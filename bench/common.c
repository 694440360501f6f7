/* common.c: the benchmark's clocks and the byte pattern every bulk run sends and checks.
 * Read bench/bench.h first. */
#include <string.h>
#include <time.h>

#include "bench.h"

double bench_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t pattern[2 * BENCH_PAT_PERIOD];
static int pattern_ready;

const uint8_t *bench_pattern(void)
{
    if (!pattern_ready) {
        uint32_t x = 0x12345678u; /* xorshift32: any fixed sequence will do */
        for (uint32_t i = 0; i < BENCH_PAT_PERIOD; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            pattern[i] = pattern[i + BENCH_PAT_PERIOD] = (uint8_t)x;
        }
        pattern_ready = 1;
    }
    return pattern;
}

bool bench_pattern_check(uint64_t off, const uint8_t *buf, size_t len)
{
    const uint8_t *p = bench_pattern();
    while (len) {
        size_t n = len < BENCH_PAT_PERIOD ? len : BENCH_PAT_PERIOD;
        if (memcmp(buf, p + off % BENCH_PAT_PERIOD, n))
            return false;
        buf += n;
        off += n;
        len -= n;
    }
    return true;
}
