/* stat.h: `synack stat`: an ss-like view of running serve/connect instances.
 * Read tools/node_stat.c (the records it reads) and ss(8) before changing. */
#ifndef SYNACK_TOOLS_STAT_H
#define SYNACK_TOOLS_STAT_H

int stat_main(int argc, char **argv);

#endif
