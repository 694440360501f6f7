/* connect.h: `synack connect`: netcat over synack on a TUN device.
 * Read DESIGN.md ("The synack command") before changing: tests rely on its exit statuses. */
#ifndef SYNACK_TOOLS_CONNECT_H
#define SYNACK_TOOLS_CONNECT_H

int connect_main(int argc, char **argv);

#endif
