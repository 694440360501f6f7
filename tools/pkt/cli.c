/* cli.c: `synack pkt`, the command: options (the same names work on the command line and
 * as "--name=value" lines at the top of a script), then one run per file, one PASS/FAIL
 * line each.  Read pkt.h and issue 3 ("Command") before changing it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt/pkt.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: synack pkt [--tolerance-usecs N] [--ip-version 4|6] [--loose-options]\n"
               "                  [--strict-segments] [--verbose] FILE...\n"
               "Runs packetdrill-syntax scripts against a fresh stack each, in virtual time;\n"
               "prints PASS or FAIL per file; exits 0 only when every file passed.\n");
}

enum opt_id { O_TOLERANCE, O_IP_VERSION, O_LOOSE, O_STRICT, O_VERBOSE, O_MTU, O_BIND, O_CONNECT };

static const struct {
    const char *name; /* '-' and '_' are the same */
    enum opt_id id;
    int has_value;
} options[] = {
    {"tolerance-usecs", O_TOLERANCE, 1}, {"ip-version", O_IP_VERSION, 1},
    {"loose-options", O_LOOSE, 0},       {"strict-segments", O_STRICT, 0},
    {"verbose", O_VERBOSE, 0},           {"mtu", O_MTU, 1},
    {"bind-port", O_BIND, 1},            {"connect-port", O_CONNECT, 1},
};

/* Names compare with '-' and '_' alike, up to '=' in name. */
static int same_name(const char *name, const char *want)
{
    for (; *name && *name != '=' && *want; name++, want++) {
        char a = *name == '_' ? '-' : *name;
        if (a != *want)
            return 0;
    }
    return (*name == '\0' || *name == '=') && *want == '\0';
}

static int find_option(const char *name)
{
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
        if (same_name(name, options[i].name))
            return (int)i;
    return -1;
}

static int number(const char *s, long lo, long hi, long *out)
{
    char *end;
    if (!s)
        return -1;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int pkt_config_option(struct pkt_config *cfg, const char *name, const char *value,
                      struct pkt_str *err)
{
    int i = find_option(name);
    long n = 0;
    if (i < 0) {
        pkt_str_add(err, "unsupported: option --%s", name);
        return -1;
    }
    if (!options[i].has_value != !value) {
        pkt_str_add(err, "option --%s %s", options[i].name,
                    value ? "takes no value" : "needs a value");
        return -1;
    }
    int bad = 0;
    switch (options[i].id) {
    case O_TOLERANCE:
        bad = number(value, 0, 60000000, &n);
        cfg->tolerance_us = n;
        break;
    case O_IP_VERSION:
        if (!strcmp(value, "ipv4") || !strcmp(value, "4"))
            cfg->ip_version = 4;
        else if (!strcmp(value, "ipv6") || !strcmp(value, "6"))
            cfg->ip_version = 6;
        else
            bad = 1;
        break;
    case O_LOOSE: cfg->loose_options = 1; break;
    case O_STRICT: cfg->strict_segments = 1; break;
    case O_VERBOSE: cfg->verbose = 1; break;
    case O_MTU:
        bad = number(value, 576, 65535, &n);
        cfg->mtu = (uint32_t)n;
        break;
    case O_BIND:
    case O_CONNECT:
        bad = number(value, 1, 65535, &n);
        if (options[i].id == O_BIND)
            cfg->bind_port = (uint16_t)n;
        else
            cfg->connect_port = (uint16_t)n;
        break;
    }
    if (bad) {
        pkt_str_add(err, "bad value for --%s: '%s'", options[i].name, value);
        return -1;
    }
    return 0;
}

int pkt_main(int argc, char **argv)
{
    struct pkt_config cfg = {4000, 4, 0, 0, 0, 1500, 8080, 8080};
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        const char *name = !strcmp(a, "-v") ? "verbose" : a + 2;
        const char *eq = strchr(name, '='), *value = eq ? eq + 1 : NULL;
        int k = strncmp(a, "--", 2) && strcmp(a, "-v") ? -1 : find_option(name);
        if (k >= 0 && options[k].has_value && !value && i + 1 < argc)
            value = argv[++i];
        struct pkt_str err;
        pkt_str_init(&err);
        char plain[64];
        snprintf(plain, sizeof(plain), "%.*s", (int)(eq ? (size_t)(eq - name) : strlen(name)), name);
        if (k < 0 || pkt_config_option(&cfg, plain, value, &err)) {
            if (k < 0) {
                fprintf(stderr, "synack pkt: unknown option %s\n", a);
                usage(stderr);
            } else {
                fprintf(stderr, "synack pkt: %s\n", err.s);
            }
            return 2;
        }
    }
    if (i == argc) {
        usage(stderr);
        return 2;
    }
    int failed = 0;
    for (; i < argc; i++)
        failed |= pkt_run_file(argv[i], &cfg);
    return failed ? 1 : 0;
}
