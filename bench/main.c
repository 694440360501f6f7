/* main.c: `synack_bench`: runs each workload on synack, Linux and (if built) lwIP, a few
 * times interleaved, and prints medians and synack/Linux ratios.  Read bench/README.md. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAX_RUNS 15
enum side { SIDE_SK = 0, SIDE_LINUX, SIDE_LWIP, SIDES };
static const char *side_name[SIDES] = {"synack", "Linux", "lwIP"};
static const char *kind_name[BENCH__KINDS] = {"bulk", "rr", "crr", "lossy"};

struct opts {
    struct bench_params p;
    uint64_t bytes, rr, crr, lossy_bytes;
    int runs, warmup, lossy_runs;
    const char *lossy_addr[2]; /* the Linux side's TUN path (run.sh as root), or NULL */
    bool kind_on[BENCH__KINDS], side_on[SIDES];
    const char *out, *linux_label;
    bool lwip_skipped;
};

/* Every run of one (kind, side). */
struct series {
    int n;
    struct bench_result r[MAX_RUNS];
    char fail[160];
    const char *skip; /* why this side does not run this workload */
};
static struct series results[BENCH__KINDS][SIDES];

static void usage(FILE *f)
{
    fprintf(f,
            "usage: synack_bench [--bytes N] [--rr N] [--crr N] [--runs N] [--warmup N]\n"
            "                    [--lossy-bytes N] [--lossy-runs N]\n"
            "                    [--limit SECONDS] [--only bulk,rr,crr,lossy]\n"
            "                    [--sides synack,linux,lwip]\n"
            "                    [--netns CLIENT,SERVER --addr CLIENT,SERVER]\n"
            "                    [--lossy-addr CLIENT,SERVER] [--out FILE]\n"
            "  Defaults: 1 GiB bulk, 100000 round trips, 10000 connections, 5 runs after\n"
            "  1 warm-up, 60 s per run; Linux over loopback (127.0.0.1).  lossy: 20000000\n"
            "  bytes, 3 runs (seeds 1..N) without warm-up; its Linux side needs --netns and\n"
            "  --lossy-addr (run.sh's TUN devices, as root), else it is skipped.\n");
}

static bool list_has(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *s = list; (s = strstr(s, word)) != NULL; s += n)
        if ((s == list || s[-1] == ',') && (s[n] == ',' || s[n] == 0))
            return true;
    return false;
}

static bool split2(char *arg, const char **a, const char **b)
{
    char *comma = strchr(arg, ',');
    if (!comma)
        return false;
    *comma = 0;
    *a = arg;
    *b = comma + 1;
    return true;
}

static int parse(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof(*o));
    o->bytes = 1ull << 30;
    o->rr = 100000;
    o->crr = 10000;
    o->lossy_bytes = 20000000;
    o->lossy_runs = 3;
    o->runs = 5;
    o->warmup = 1;
    o->p.limit_s = 60;
    o->p.addr[0] = o->p.addr[1] = "127.0.0.1";
    o->linux_label = "loopback";
    for (int k = 0; k < BENCH__KINDS; k++)
        o->kind_on[k] = true;
    for (int s = 0; s < SIDES; s++)
        o->side_on[s] = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        }
        if (!v) {
            usage(stderr);
            return -1;
        }
        i++;
        if (!strcmp(a, "--bytes"))
            o->bytes = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--rr"))
            o->rr = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--crr"))
            o->crr = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--runs"))
            o->runs = atoi(v);
        else if (!strcmp(a, "--warmup"))
            o->warmup = atoi(v);
        else if (!strcmp(a, "--lossy-bytes"))
            o->lossy_bytes = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--lossy-runs"))
            o->lossy_runs = atoi(v);
        else if (!strcmp(a, "--limit"))
            o->p.limit_s = atof(v);
        else if (!strcmp(a, "--out"))
            o->out = v;
        else if (!strcmp(a, "--only"))
            for (int k = 0; k < BENCH__KINDS; k++)
                o->kind_on[k] = list_has(v, kind_name[k]);
        else if (!strcmp(a, "--sides"))
            for (int s = 0; s < SIDES; s++)
                o->side_on[s] = list_has(v, s == SIDE_SK ? "synack" : s == SIDE_LINUX ? "linux"
                                                                                       : "lwip");
        else if (!strcmp(a, "--netns") && split2(v, &o->p.netns[0], &o->p.netns[1]))
            o->linux_label = "veth";
        else if (!strcmp(a, "--addr") && split2(v, &o->p.addr[0], &o->p.addr[1]))
            ;
        else if (!strcmp(a, "--lossy-addr") && split2(v, &o->lossy_addr[0], &o->lossy_addr[1]))
            ;
        else {
            usage(stderr);
            return -1;
        }
    }
    if (o->runs < 1 || o->runs > MAX_RUNS || o->warmup < 0 || o->warmup > 5 ||
        o->p.limit_s <= 0 || o->p.limit_s > 600 || o->bytes == 0 || o->bytes > (64ull << 30) ||
        o->rr == 0 || o->rr > 100000000 || o->crr == 0 || o->crr > 25000 ||
        o->lossy_runs < 1 || o->lossy_runs > MAX_RUNS || o->lossy_bytes == 0 ||
        o->lossy_bytes > (1ull << 30)) {
        fprintf(stderr, "synack_bench: a value is out of range (runs and lossy-runs 1-%d, "
                        "warmup 0-5, limit 1-600 s, bytes <= 64 GiB, rr <= 1e8, crr <= 25000, "
                        "lossy-bytes <= 1 GiB)\n",
                MAX_RUNS);
        return -1;
    }
    return 0;
}

static int run_one(enum side s, enum bench_kind k, const struct bench_params *p,
                   struct bench_result *r)
{
    switch (s) {
    case SIDE_SK:
        return sk_run(k, p, r);
    case SIDE_LINUX:
        return linux_run(k, p, r);
    default:
        return lwip_run(k, p, r);
    }
}

/* ------------------------------------------------------------------ statistics */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of one field over the runs of a series (field chosen by offset). */
static double median(const struct series *s, size_t offset)
{
    double v[MAX_RUNS];
    for (int i = 0; i < s->n; i++)
        v[i] = *(const double *)((const char *)&s->r[i] + offset);
    qsort(v, (size_t)s->n, sizeof(v[0]), cmp_double);
    return s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

static void minmax(const struct series *s, double *lo, double *hi)
{
    *lo = *hi = s->r[0].wall_s;
    for (int i = 1; i < s->n; i++) {
        if (s->r[i].wall_s < *lo)
            *lo = s->r[i].wall_s;
        if (s->r[i].wall_s > *hi)
            *hi = s->r[i].wall_s;
    }
}

/* The Mathis et al. bound on the lossy path for a segment payload, Mbit/s. */
static double mathis_mbps(double mss)
{
    double rtt = 2.0 * BENCH_LOSSY_DELAY_US / 1e6;
    return mss * 8 / rtt * 1.22 / sqrt(BENCH_LOSSY_LOSS) / 1e6;
}

/* One metric of a (kind, side), or a negative value when there is none. */
enum metric {
    M_GBPS, M_CPU_NS_BYTE, M_CPU_NS_SEG, M_SEG_BYTES, M_RATE, M_US_OP, M_CPU_US_OP, M_MBPS,
    M_MATHIS
};

static double metric(enum bench_kind k, enum side sd, enum metric m)
{
    const struct series *s = &results[k][sd];
    if (!s->n)
        return -1;
    double wall = median(s, offsetof(struct bench_result, wall_s));
    double cpu = median(s, offsetof(struct bench_result, cpu_s));
    double bytes = (double)s->r[0].bytes, ops = (double)s->r[0].ops;
    double segs = (double)s->r[0].segs;
    switch (m) {
    case M_GBPS:
        return wall > 0 ? bytes * 8 / wall / 1e9 : -1;
    case M_MBPS:
        return wall > 0 ? bytes * 8 / wall / 1e6 : -1;
    case M_MATHIS:
        return wall > 0 && s->r[0].mss ? bytes * 8 / wall / 1e6 / mathis_mbps(s->r[0].mss) : -1;
    case M_CPU_NS_BYTE:
        return bytes > 0 ? cpu * 1e9 / bytes : -1;
    case M_CPU_NS_SEG:
        return segs > 0 ? cpu * 1e9 / segs : -1;
    case M_SEG_BYTES:
        return segs > 0 ? bytes / segs : -1;
    case M_RATE:
        return wall > 0 ? ops / wall : -1;
    case M_US_OP:
        return ops > 0 ? wall * 1e6 / ops : -1;
    default:
        return ops > 0 ? cpu * 1e6 / ops : -1;
    }
}

/* ------------------------------------------------------------------ report */

struct row {
    enum bench_kind k;
    enum metric m;
    const char *name;
    const char *fmt;
    bool no_ratio;
};

static const struct row rows[] = {
    {BENCH_BULK, M_GBPS, "bulk: throughput, Gbit/s (higher is better)", "%.2f", false},
    {BENCH_BULK, M_CPU_NS_BYTE, "bulk: CPU ns per byte, both ends (lower is better)", "%.3f",
     false},
    {BENCH_BULK, M_CPU_NS_SEG, "bulk: CPU ns per data segment, both ends", "%.0f", false},
    {BENCH_BULK, M_SEG_BYTES, "bulk: bytes per segment the sender's TCP counted", "%.0f", true},
    {BENCH_RR, M_RATE, "rr: round trips per second (higher is better)", "%.0f", false},
    {BENCH_RR, M_US_OP, "rr: µs per round trip", "%.2f", false},
    {BENCH_RR, M_CPU_US_OP, "rr: CPU µs per round trip, both ends (lower is better)", "%.2f",
     false},
    {BENCH_CRR, M_RATE, "crr: connections per second (higher is better)", "%.0f", false},
    {BENCH_CRR, M_US_OP, "crr: µs per connection", "%.2f", false},
    {BENCH_CRR, M_CPU_US_OP, "crr: CPU µs per connection, both ends (lower is better)",
     "%.2f", false},
    {BENCH_LOSSY, M_MBPS, "lossy: goodput, Mbit/s (higher is better)", "%.2f", false},
    {BENCH_LOSSY, M_MATHIS, "lossy: ratio to the Mathis bound", "%.3f", false},
};

static void cell(char *buf, size_t len, const char *fmt, double v)
{
    if (v < 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, fmt, v);
}

static void ratio(char *buf, size_t len, double a, double b)
{
    if (a < 0 || b <= 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.2f", a / b);
}

static void table(FILE *f, const struct opts *o)
{
    bool lwip = o->side_on[SIDE_LWIP];
    fprintf(f, "| metric | synack | Linux (%s) | synack/Linux |%s\n", o->linux_label,
            lwip ? " lwIP | lwIP/Linux |" : "");
    fprintf(f, "|---|---:|---:|---:|%s\n", lwip ? "---:|---:|" : "");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *rw = &rows[i];
        if (!o->kind_on[rw->k])
            continue;
        double v[SIDES];
        char c[SIDES][32], r1[32], r2[32];
        for (int s = 0; s < SIDES; s++) {
            v[s] = metric(rw->k, (enum side)s, rw->m);
            if (results[rw->k][s].skip)
                snprintf(c[s], sizeof(c[s]), "skipped");
            else
                cell(c[s], sizeof(c[s]), rw->fmt, v[s]);
        }
        ratio(r1, sizeof(r1), rw->no_ratio ? -1 : v[SIDE_SK], v[SIDE_LINUX]);
        ratio(r2, sizeof(r2), rw->no_ratio ? -1 : v[SIDE_LWIP], v[SIDE_LINUX]);
        fprintf(f, "| %s | %s | %s | %s |", rw->name, c[SIDE_SK], c[SIDE_LINUX], r1);
        if (lwip)
            fprintf(f, " %s | %s |", c[SIDE_LWIP], r2);
        fprintf(f, "\n");
    }
}

/* lossy: each run's goodput, the loss the path applied and how the sender coped. */
static void raw_lossy(FILE *f, enum side sd, const struct series *se)
{
    for (int i = 0; i < se->n; i++) {
        const struct bench_result *r = &se->r[i];
        double mbps = (double)r->bytes * 8 / r->wall_s / 1e6;
        fprintf(f, "%s seed %d: %.2f Mbit/s (%.3f of the bound) in %.2f s, %.2f%% lost, %llu "
                   "resent",
                i ? ";" : "", i + 1, mbps, r->mss ? mbps / mathis_mbps(r->mss) : 0, r->wall_s,
                r->lost * 100, (unsigned long long)r->retrans);
        if (sd == SIDE_SK)
            fprintf(f, ", %llu fast recoveries, %llu timeouts",
                    (unsigned long long)r->recoveries, (unsigned long long)r->timeouts);
        else
            fprintf(f, ", relay late by %.0f µs mean, %.0f µs max", r->late_mean_us,
                    r->late_max_us);
    }
    fprintf(f, "; median %.2f Mbit/s; %llu bytes, MSS %u\n", metric(BENCH_LOSSY, sd, M_MBPS),
            (unsigned long long)se->r[0].bytes, se->r[0].mss);
}

static void raw(FILE *f, const struct opts *o)
{
    fprintf(f, "Raw figures (wall seconds of each timed run; CPU seconds of both ends; lossy: "
               "each seed's goodput, the loss the path applied and the sender's "
               "retransmissions):\n\n");
    for (int k = 0; k < BENCH__KINDS; k++) {
        if (!o->kind_on[k])
            continue;
        for (int s = 0; s < SIDES; s++) {
            const struct series *se = &results[k][s];
            if (!o->side_on[s])
                continue;
            fprintf(f, "- %s %s:", kind_name[k], side_name[s]);
            if (se->fail[0]) {
                fprintf(f, " FAILED (%s)\n", se->fail);
                continue;
            }
            if (se->skip) {
                fprintf(f, " skipped (%s)\n", se->skip);
                continue;
            }
            if (k == BENCH_LOSSY) {
                raw_lossy(f, (enum side)s, se);
                continue;
            }
            double lo, hi;
            minmax(se, &lo, &hi);
            fprintf(f, " wall");
            for (int i = 0; i < se->n; i++)
                fprintf(f, " %.4f", se->r[i].wall_s);
            fprintf(f, " (min %.4f, max %.4f); cpu", lo, hi);
            for (int i = 0; i < se->n; i++)
                fprintf(f, " %.4f", se->r[i].cpu_s);
            if (k == BENCH_BULK && se->r[0].segs)
                fprintf(f, "; %llu bytes, %llu segments", (unsigned long long)se->r[0].bytes,
                        (unsigned long long)se->r[0].segs);
            else if (k == BENCH_BULK)
                fprintf(f, "; %llu bytes, segments not counted",
                        (unsigned long long)se->r[0].bytes);
            else
                fprintf(f, "; %llu %s", (unsigned long long)se->r[0].ops,
                        k == BENCH_RR ? "round trips" : "connections");
            if (se->r[0].why[0])
                fprintf(f, " (%s)", se->r[0].why);
            fprintf(f, "\n");
        }
    }
}

static void read_line(const char *path, const char *key, char *out, size_t len)
{
    snprintf(out, len, "?");
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, key, strlen(key)))
            continue;
        char *v = strchr(line, ':');
        v = v ? v + 1 : line;
        while (*v == ' ' || *v == '\t')
            v++;
        size_t n = strcspn(v, "\n");
        n = n < len - 1 ? n : len - 1;
        memcpy(out, v, n);
        out[n] = 0;
        break;
    }
    fclose(f);
}

static void report(FILE *f, const struct opts *o)
{
    struct utsname u;
    uname(&u);
    char cpu[128], cc[64], load[64];
    read_line("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
    read_line("/proc/sys/net/ipv4/tcp_congestion_control", "", cc, sizeof(cc));
    read_line("/proc/loadavg", "", load, sizeof(load));
    char *sp = load;
    for (int i = 0; i < 3 && sp; i++)
        sp = strchr(sp + 1, ' ');
    if (sp)
        *sp = 0; /* the three averages only */
    time_t now = time(NULL);
    char date[32];
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
    fprintf(f, "# synack benchmark results\n\n");
    fprintf(f, "Generated by `make bench` (bench/run.sh) on %s: Linux %s, %s, %ld CPUs, "
               "load average %s at the end (other work on the machine slows wall-clock "
               "figures; CPU figures suffer less).  Medians of %d runs after %d warm-up; "
               "ratios are synack/Linux (and lwIP/Linux).\n\n",
            date, u.release, cpu, sysconf(_SC_NPROCESSORS_ONLN), load, o->runs, o->warmup);
    fprintf(f, "Workloads: bulk = one connection moving %llu MiB one way (%d-byte send/recv "
               "calls, data checked at the receiver); rr = %llu round trips of 1 byte each way "
               "on one connection (TCP_NODELAY); crr = %llu connections one after another "
               "(connect, %d bytes each way, the server closes first); lossy = one connection "
               "moving %llu bytes one way over a path with %d ms one-way delay each way, %.0f%% "
               "random loss on the data direction only, no rate limit, MTU 1500, CUBIC at both "
               "ends, goodput from the first byte sent to the last received, %d runs (seeds "
               "1-%d, no warm-up), compared with the Mathis et al. bound for Reno "
               "MSS/RTT*1.22/sqrt(p) = %.2f Mbit/s for MSS 1448.\n\n",
            (unsigned long long)(o->bytes >> 20), BENCH_IO_CHUNK, (unsigned long long)o->rr,
            (unsigned long long)o->crr, BENCH_CRR_BYTES, (unsigned long long)o->lossy_bytes,
            BENCH_LOSSY_DELAY_US / 1000, BENCH_LOSSY_LOSS * 100, o->lossy_runs, o->lossy_runs,
            mathis_mbps(1448));
    table(f, o);
    bool veth = !strcmp(o->linux_label, "veth");
    fprintf(f, "\n**Not like for like; read the figures with their set-ups.**\n\n"
               "- synack: both hosts in one process and one thread over a memlink (no delay, "
               "no loss, MTU 1500, checksums computed and checked).  Each packet costs a "
               "malloc, a memcpy and a heap push, never a system call: a TUN deployment pays "
               "a read() or write() per packet (or per batch) on top, and that is not "
               "measured here.\n"
               "- Linux: client and server in two processes over %s, congestion control %s.  "
               "Every send and receive crosses into the kernel, and in rr and crr each "
               "message wakes the other process: those ratios mostly measure system calls "
               "and wake-ups, not TCP.\n"
               "- Bulk throughput is wall-clock; \"CPU\" sums user and system time of every "
               "process or thread taking part (Linux can use both cores at once, synack and "
               "lwIP use one).\n",
            veth ? "a veth pair between two network namespaces (MTU 1500; GSO/GRO and "
                   "checksum offload let the kernel move ~64 KB chunks unchecksummed)"
                 : "loopback (MTU 65536: segments of up to ~64 KB, no checksums computed)",
            cc);
    if (o->kind_on[BENCH_LOSSY])
        fprintf(f, "- lossy: synack's goodput is virtual time over a memlink with perfect "
                   "timing (every packet exactly %d ms late, no CPU time counted); Linux's is "
                   "real time through a userspace relay between two TUN devices, one in each "
                   "namespace (the kernel has no netem), whose lateness past the delay is in "
                   "the raw figures; CUBIC is set on both sockets on both sides.\n",
                BENCH_LOSSY_DELAY_US / 1000);
    if (o->side_on[SIDE_LWIP])
        fprintf(f, "- lwIP: %s.\n", lwip_describe());
    else if (o->lwip_skipped)
        fprintf(f, "- lwIP: skipped (%s).\n", lwip_describe());
    fprintf(f, "\n");
    raw(f, o);
}

int main(int argc, char **argv)
{
    struct opts o;
    if (parse(argc, argv, &o))
        return 2;
    bench_pattern(); /* before any fork or thread */
    if (o.side_on[SIDE_LWIP] && !lwip_available()) {
        fprintf(stderr, "lwIP: %s\n", lwip_describe());
        o.side_on[SIDE_LWIP] = false;
        o.lwip_skipped = true;
    }
    for (int k = 0; k < BENCH__KINDS; k++) {
        if (!o.kind_on[k])
            continue;
        struct bench_params p = o.p;
        p.bytes = o.bytes;
        p.count = k == BENCH_RR ? o.rr : o.crr;
        int warmup = o.warmup, runs = o.runs;
        if (k == BENCH_LOSSY) { /* seeds 1..runs, each a different loss pattern */
            warmup = 0;
            runs = o.lossy_runs;
            p.bytes = o.lossy_bytes;
            p.addr[0] = o.lossy_addr[0];
            p.addr[1] = o.lossy_addr[1];
            results[k][SIDE_LWIP].skip = "its loopback path has no delay or loss";
            if (!o.lossy_addr[0] || !o.p.netns[0])
                results[k][SIDE_LINUX].skip = "needs the TUN path bench/run.sh makes as root";
        }
        for (int i = 0; i < warmup + runs; i++) {
            p.seed = (uint64_t)(i - warmup + 1);
            for (int s = 0; s < SIDES; s++) {
                struct series *se = &results[k][s];
                if (!o.side_on[s] || se->fail[0] || se->skip)
                    continue;
                struct bench_result r;
                if (run_one((enum side)s, (enum bench_kind)k, &p, &r) < 0) {
                    snprintf(se->fail, sizeof(se->fail), "%s", r.why);
                    se->n = 0;
                    fprintf(stderr, "%s %s: FAILED: %s\n", kind_name[k], side_name[s], r.why);
                    continue;
                }
                if (k == BENCH_LOSSY)
                    fprintf(stderr, "lossy %s seed %d: %.2f Mbit/s in %.2f s\n", side_name[s],
                            i + 1, (double)r.bytes * 8 / r.wall_s / 1e6, r.wall_s);
                else
                    fprintf(stderr, "%s %s run %d%s: %.4f s wall, %.4f s cpu\n", kind_name[k],
                            side_name[s], i + 1, i < warmup ? " (warm-up)" : "", r.wall_s,
                            r.cpu_s);
                if (i >= warmup)
                    se->r[se->n++] = r;
            }
        }
    }
    report(stdout, &o);
    if (o.out) {
        FILE *f = fopen(o.out, "w");
        if (!f) {
            fprintf(stderr, "synack_bench: %s: %s\n", o.out, strerror(errno));
            return 1;
        }
        report(f, &o);
        fclose(f);
    }
    for (int k = 0; k < BENCH__KINDS; k++)
        for (int s = 0; s < SIDES; s++)
            if (o.kind_on[k] && o.side_on[s] && results[k][s].fail[0])
                return 1;
    return 0;
}
