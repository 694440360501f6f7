/* test_rng.c: the seeded generator: known answers, replay, bounds and rough uniformity.
 * Read src/core/rng.h, Blackman & Vigna 2018 and Lemire 2019 before changing it. */
#include <stdint.h>

#include "check.h"
#include "core/rng.h"

int main(void)
{
    struct rng a, b;

    /* Known answers: splitmix64 from 0 (seeding), xoshiro256** from the state {1,2,3,4}. */
    rng_seed(&a, 0);
    CHECK(a.s[0] == 0xe220a8397b1dcdafull && a.s[1] == 0x6e789e6aa1b965f4ull &&
          a.s[2] == 0x06c45d188009454full && a.s[3] == 0xf88bb8a8724c81ecull);
    static const uint64_t kat[6] = {11520ull, 0ull, 1509978240ull, 1215971899390074240ull,
                                    1216172134540287360ull, 607988272756665600ull};
    a.s[0] = 1, a.s[1] = 2, a.s[2] = 3, a.s[3] = 4;
    for (int i = 0; i < 6; i++)
        CHECK(rng_next(&a) == kat[i]);

    /* Same seed, same stream; different seeds, different streams. */
    for (uint64_t seed = 0; seed < 50; seed++) {
        int same = 1, diff = 0;
        rng_seed(&a, seed);
        rng_seed(&b, seed);
        for (int i = 0; i < 1000; i++)
            same &= rng_next(&a) == rng_next(&b);
        CHECK(same);
        rng_seed(&a, seed);
        rng_seed(&b, seed + 1);
        for (int i = 0; i < 100; i++)
            diff += rng_next(&a) != rng_next(&b);
        CHECK(diff >= 99);
    }

    /* rng_below: in range, and roughly uniform (chi-square over 10 cells, 100k draws:
     * 9 degrees of freedom, 99.99th percentile ~ 33.7). */
    rng_seed(&a, 42);
    CHECK_EQ(rng_below(&a, 1), 0);
    static const uint32_t bounds[] = {1, 2, 3, 7, 10, 1000,
                                      0x80000001u, 0xfffffffbu, UINT32_MAX};
    for (size_t k = 0; k < sizeof bounds / sizeof bounds[0]; k++) {
        int ok = 1;
        for (int i = 0; i < 10000; i++)
            ok &= rng_below(&a, bounds[k]) < bounds[k];
        CHECK(ok);
    }
    uint32_t cell[10] = {0};
    for (int i = 0; i < 100000; i++)
        cell[rng_below(&a, 10)]++;
    double chi = 0;
    for (int c = 0; c < 10; c++)
        chi += (cell[c] - 10000.0) * (cell[c] - 10000.0) / 10000.0;
    CHECK(chi < 33.7);
    /* A bound of 3 * 2^30: unbiased, 2/3 of draws fall below 2^31; a plain 32-bit
     * modulo would put 3/4 there. */
    uint32_t low = 0;
    for (int i = 0; i < 100000; i++)
        low += rng_below(&a, 0xc0000000u) < 0x80000000u;
    CHECK(low > 66667 - 1500 && low < 66667 + 1500);

    /* rng_unit: in [0, 1), mean near 1/2, and 53 bits of resolution get used. */
    double sum = 0;
    int ok = 1, fine = 0;
    for (int i = 0; i < 100000; i++) {
        double u = rng_unit(&a);
        ok &= u >= 0.0 && u < 1.0;
        sum += u;
        fine |= (u * 0x1.0p32) != (double)(uint64_t)(u * 0x1.0p32);
    }
    CHECK(ok);
    CHECK(sum / 100000 > 0.49 && sum / 100000 < 0.51);
    CHECK(fine);
    a.s[0] = 0, a.s[1] = 0, a.s[2] = 0, a.s[3] = 0; /* (degenerate state: output 0) */
    CHECK(rng_unit(&a) == 0.0);

    /* rng_bytes: the little-endian bytes of the stream, any length, every value. */
    uint8_t buf[37], seen[256] = {0};
    rng_seed(&a, 7);
    rng_seed(&b, 7);
    rng_bytes(&a, buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i += 8) {
        uint64_t v = rng_next(&b);
        for (size_t j = 0; j < 8 && i + j < sizeof buf; j++)
            CHECK_EQ(buf[i + j], (uint8_t)(v >> (8 * j)));
    }
    rng_bytes(&a, buf, 0);
    int all = 1;
    for (int i = 0; i < 200; i++) {
        rng_bytes(&a, buf, sizeof buf);
        for (size_t j = 0; j < sizeof buf; j++)
            seen[buf[j]] = 1;
    }
    for (int i = 0; i < 256; i++)
        all &= seen[i];
    CHECK(all);
    return check_done();
}
