/* main.c: the `synack` command: one verb per job (DESIGN.md "The synack command"). */
#include <stdio.h>
#include <string.h>

#include "connect.h"
#include "bench.h"
#include "demo.h"
#include "pkt/pkt.h"
#include "serve.h"
#include "stat.h"
#include "synack.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: synack <command> [options]\n"
               "  demo [--scenario NAME|--list] [--loss P] [--delay MS] [--bytes N] [--seed N]\n"
               "       [--pcap FILE] [--ladder|--no-ladder|--full-ladder]\n"
               "  serve --tun IF --addr A/LEN [--host-addr A/LEN] --port P --app echo|discard|chargen|http\n"
               "  connect --tun IF --addr A/LEN [--host-addr A/LEN] HOST PORT\n"
               "  stat [--control PATH]   (serve/connect --help for all options)\n"
               "  pkt  [--tolerance-usecs N] [--ip-version 4|6] [--loose-options] [--verbose] FILE...\n"
               "  bench [--bytes N] [--connections N] [--idle N] [--lossy-only]\n"
               "        [--lossy-bytes N] [--seeds N] [--loss P]\n"
               "  version\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "demo"))
        return demo_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve"))
        return serve_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "connect"))
        return connect_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "stat"))
        return stat_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "pkt"))
        return pkt_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench"))
        return bench_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "version")) {
        printf("synack %s\n", SYNACK_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "synack: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
