/* sim_main.c: synack_sim: the seeded simulation's command line, the loop over seeds, and
 * the one-line verdict per failing seed with the command that replays it.
 * Read tests/sim/README.md before changing; ctest runs `synack_sim --seeds LO:HI`. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

/* A crash (assert, ASan, UBSan, a signal) ends the process: say which seed did it first.
 * The line is prepared before each seed; the handlers only write(2) it. */
static char crash_line[768];
static size_t crash_len;

void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void say_crash(void)
{
    if (crash_len) {
        ssize_t rc = write(STDOUT_FILENO, crash_line, crash_len);
        (void)rc;
    }
}

static void on_signal(int sig)
{
    say_crash();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_crash_report(void)
{
    if (__sanitizer_set_death_callback) {
        __sanitizer_set_death_callback(say_crash);
    } else {
        signal(SIGSEGV, on_signal);
        signal(SIGBUS, on_signal);
        signal(SIGFPE, on_signal);
    }
    signal(SIGABRT, on_signal); /* assert() */
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s [--seeds LO:HI] [--verbose] [--pcap FILE] [--no-sack]\n"
            "  Runs seeds LO..HI-1 (default 0:100): two synack stacks over a faulty memlink,\n"
            "  random applications, invariants checked.  --verbose prints each seed's plan,\n"
            "  the application events and state changes; --pcap writes the packets sent\n"
            "  (FILE, or FILE.N for each seed N when several run).  --no-sack turns SACK off\n"
            "  on both stacks (triage: the same seeds without SACK).\n",
            argv0);
}

static int parse_seeds(const char *arg, uint64_t *lo, uint64_t *hi)
{
    char *end;
    *lo = strtoull(arg, &end, 10);
    if (*end != ':')
        return -1;
    *hi = strtoull(end + 1, &end, 10);
    return *end || *hi < *lo ? -1 : 0;
}

int main(int argc, char **argv)
{
    uint64_t lo = 0, hi = 100;
    bool verbose = false, no_sack = false;
    const char *pcap = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seeds") && i + 1 < argc) {
            if (parse_seeds(argv[++i], &lo, &hi)) {
                usage(argv[0]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--verbose")) {
            verbose = true;
        } else if (!strcmp(argv[i], "--no-sack")) {
            no_sack = true;
        } else if (!strcmp(argv[i], "--pcap") && i + 1 < argc) {
            pcap = argv[++i];
        } else {
            usage(argv[0]);
            return 2;
        }
    }
    if (verbose)
        setvbuf(stdout, NULL, _IOLBF, 0);
    install_crash_report();
    uint64_t failed = 0, bytes = 0, steps = 0, max_steps = 0, max_seed = 0;
    char pcap_name[1024];
    for (uint64_t seed = lo; seed < hi; seed++) {
        struct sim *s = calloc(1, sizeof(*s));
        if (!s) {
            fprintf(stderr, "synack_sim: out of memory\n");
            return 2;
        }
        s->seed = seed;
        s->verbose = verbose;
        s->no_sack = no_sack;
        if (pcap) {
            if (hi - lo > 1)
                snprintf(pcap_name, sizeof(pcap_name), "%s.%" PRIu64, pcap, seed);
            else
                snprintf(pcap_name, sizeof(pcap_name), "%s", pcap);
            s->pcap_path = pcap_name;
        }
        int n = snprintf(crash_line, sizeof(crash_line),
                         "\nFAIL seed %" PRIu64 ": crashed (see the report above) -- replay: %s "
                         "--seeds %" PRIu64 ":%" PRIu64 "%s --verbose\n",
                         seed, argv[0], seed, seed + 1, no_sack ? " --no-sack" : "");
        crash_len = n > 0 && (size_t)n < sizeof(crash_line) ? (size_t)n : 0;
        sim_run_seed(s);
        crash_len = 0;
        bytes += s->bytes_moved;
        steps += s->steps;
        if (s->steps > max_steps) {
            max_steps = s->steps;
            max_seed = seed;
        }
        if (s->nfail) {
            failed++;
            printf("FAIL seed %" PRIu64 ": %s", seed, s->fail);
            if (s->nfail > 1)
                printf(" (+%d more)", s->nfail - 1);
            printf(" -- replay: %s --seeds %" PRIu64 ":%" PRIu64 "%s --verbose\n", argv[0], seed,
                   seed + 1, no_sack ? " --no-sack" : "");
        } else if (verbose) {
            printf("ok seed %" PRIu64 "\n", seed);
        }
        fflush(stdout);
        free(s);
    }
    printf("synack_sim: seeds %" PRIu64 ":%" PRIu64 ": %" PRIu64 " run, %" PRIu64
           " failed (%" PRIu64 " bytes delivered, %" PRIu64 " events, at most %" PRIu64
           " in seed %" PRIu64 ")\n",
           lo, hi, hi - lo, failed, bytes, steps, max_steps, max_seed);
    return failed ? 1 : 0;
}
