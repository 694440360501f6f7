/* ranges.c: a bounded list of disjoint sequence ranges kept in order.
 * Read RFC 2018 §3-§4 and §8 (reneging) before changing. */
#include "tcp/ranges.h"

#include <string.h>

#include "wire/seq.h"

void ranges_remove(struct seq_range *r, uint8_t *n, unsigned i)
{
    memmove(&r[i], &r[i + 1], (*n - i - 1) * sizeof(r[0]));
    (*n)--;
}

int ranges_insert(struct seq_range *r, uint8_t *n, unsigned max, uint32_t start, uint32_t end,
                  uint32_t stamp)
{
    unsigned i = 0;
    while (i < *n) {
        if (seq_le(r[i].start, end) && seq_ge(r[i].end, start)) {
            start = seq_min(start, r[i].start);
            end = seq_max(end, r[i].end);
            ranges_remove(r, n, i);
        } else {
            i++;
        }
    }
    if (*n == max) {
        if (seq_gt(start, r[*n - 1].start))
            return -1;
        (*n)--;
    }
    unsigned at = 0;
    while (at < *n && seq_lt(r[at].start, start))
        at++;
    memmove(&r[at + 1], &r[at], (*n - at) * sizeof(r[0]));
    r[at].start = start;
    r[at].end = end;
    r[at].stamp = stamp;
    (*n)++;
    return (int)at;
}

bool ranges_find(const struct seq_range *r, unsigned n, uint32_t seq, uint32_t *end)
{
    for (unsigned i = 0; i < n; i++) {
        if (seq_in(seq, r[i].start, r[i].end)) {
            *end = r[i].end;
            return true;
        }
    }
    return false;
}
