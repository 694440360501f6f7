/* ranges.h: a bounded list of disjoint sequence ranges kept in order: the receiver's
 * out-of-order blocks and the sender's SACK scoreboard.  Read RFC 2018 §3-§4 and §8. */
#ifndef SYNACK_TCP_RANGES_H
#define SYNACK_TCP_RANGES_H

#include <stdbool.h>
#include <stdint.h>

struct seq_range {
    uint32_t start, end; /* [start, end) modulo 2^32 */
    uint32_t stamp;      /* when it last grew (the receiver orders SACK blocks by it) */
};

/* Adds [start, end), merged with every range it touches, stamped.  The list is bounded
 * (DESIGN.md principle 4): when it is full and nothing merged, the lower ranges are
 * kept: a range above all others is refused (-1), else the highest is dropped (RFC 2018
 * §8 lets a receiver renege; a sender only becomes more conservative).  Returns the
 * index of the range that holds [start, end), or -1. */
int ranges_insert(struct seq_range *r, uint8_t *n, unsigned max, uint32_t start, uint32_t end,
                  uint32_t stamp);
void ranges_remove(struct seq_range *r, uint8_t *n, unsigned i);
/* Whether a range holds seq; if so *end is that range's end. */
bool ranges_find(const struct seq_range *r, unsigned n, uint32_t seq, uint32_t *end);

#endif
