/* demo.h: `synack demo`: the default transfer and the seed stories (scenarios). */
#ifndef SYNACK_TOOLS_DEMO_H
#define SYNACK_TOOLS_DEMO_H

#include <stdint.h>

#include "world.h"

int demo_main(int argc, char **argv);

/* A story: plays on a world built with its tune, returns 0 when every expectation held
 * (printing what it checked), non-zero otherwise. */
struct scenario {
    const char *name;
    const char *summary;
    void (*tune)(struct synack_settings *s, int side);
    int (*play)(struct world *w);
};
extern const struct scenario scenarios[];
extern const int scenario_count;

#endif
