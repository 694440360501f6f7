/* serve.h: `synack serve`: a server (echo, discard, chargen, http) on a TUN device.
 * Read DESIGN.md ("The synack command") before changing: tests rely on its contract. */
#ifndef SYNACK_TOOLS_SERVE_H
#define SYNACK_TOOLS_SERVE_H

int serve_main(int argc, char **argv);

#endif
