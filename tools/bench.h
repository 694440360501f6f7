/* bench.h: `synack bench` (bench.c). */
#ifndef SYNACK_TOOLS_BENCH_H
#define SYNACK_TOOLS_BENCH_H

int bench_main(int argc, char **argv);

#endif
