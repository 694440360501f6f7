/* stat.c: `synack stat`: asks running instances (over their control sockets) for their
 * connections and counters and lays them out as `ss -tan`/`nstat` would; --cmd sends
 * any control command (e.g. "impair both loss=1").  Read tools/node_stat.c (the
 * records it reads) before changing. */
#include "stat.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "synack.h"

/* Copies the value of " key=" in line into out; false if absent. */
static bool field(const char *line, const char *key, char *out, size_t n)
{
    size_t kl = strlen(key);
    for (const char *p = strchr(line, ' '); p; p = strchr(p + 1, ' ')) {
        if (strncmp(p + 1, key, kl) || p[1 + kl] != '=')
            continue;
        const char *v = p + 2 + kl;
        size_t len = strcspn(v, " \n");
        if (len >= n)
            len = n - 1;
        memcpy(out, v, len);
        out[len] = 0;
        return true;
    }
    return false;
}

static unsigned long long num(const char *line, const char *key)
{
    char v[32];
    return field(line, key, v, sizeof(v)) ? strtoull(v, NULL, 10) : 0;
}

static void peer_text(const char *v, char *out, size_t n)
{
    /* A listener's peer is the unspecified address and port 0: ss prints "*:*". */
    size_t len = strlen(v);
    if (len >= 2 && !strcmp(v + len - 2, ":0"))
        snprintf(out, n, "*:*");
    else
        snprintf(out, n, "%s", v);
}

static void conn_row(const char *line)
{
    char state[16] = "?", local[64] = "", peer[64] = "", peer_s[64], timer[16] = "";
    field(line, "state", state, sizeof(state));
    field(line, "local", local, sizeof(local));
    field(line, "peer", peer, sizeof(peer));
    peer_text(peer, peer_s, sizeof(peer_s));
    char tbuf[40] = "-";
    if (field(line, "timer", timer, sizeof(timer)))
        snprintf(tbuf, sizeof(tbuf), "%s,%.3fs", timer, (double)num(line, "timer_ms") / 1000.0);
    char extra[128] = "";
    char v[16];
    if (strcmp(state, "LISTEN") && field(line, "rto_ms", v, sizeof(v)))
        snprintf(extra, sizeof(extra), "%.3f/%.3f  %-5llu %-6llu %-5llu %llu",
                 (double)num(line, "rtt_us") / 1000.0, (double)num(line, "rttvar_us") / 1000.0,
                 num(line, "rto_ms"), num(line, "cwnd"), num(line, "mss"), num(line, "retrans"));
    printf("%-12s %-7llu %-7llu %-26s %-26s %-20s %s\n", state, num(line, "recvq"),
           num(line, "sendq"), local, peer_s, tbuf, extra);
}

static void show(const char *path, const char *reply)
{
    char *copy = strdup(reply);
    if (!copy)
        return;
    int counters = 0, drops = 0;
    char *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char rest[512];
        if (!strncmp(l, "instance ", 9)) {
            char pid[16] = "", prog[32] = "", tun[32] = "", addr[64] = "";
            field(l, "pid", pid, sizeof(pid));
            field(l, "tun", tun, sizeof(tun));
            field(l, "addr", addr, sizeof(addr));
            /* prog has a space ("synack serve"): take it up to " tun=". */
            const char *p = strstr(l, " prog="), *e = strstr(l, " tun=");
            if (p && e && e > p)
                snprintf(prog, sizeof(prog), "%.*s", (int)(e - p - 6), p + 6);
            printf("# %s pid %s on %s (%s), control %s\n", prog, pid, tun, addr, path);
            printf("%-12s %-7s %-7s %-26s %-26s %-20s %s\n", "State", "Recv-Q", "Send-Q",
                   "Local Address:Port", "Peer Address:Port", "Timer",
                   "rtt/var(ms)  rto   cwnd   mss   retrans");
        } else if (!strncmp(l, "conn ", 5)) {
            conn_row(l);
        } else if (!strncmp(l, "counter ", 8) && sscanf(l + 8, "%511s", rest) == 1) {
            char *eq = strchr(rest, '=');
            if (!eq)
                continue;
            *eq = 0;
            printf("%s%-26s %-12s", counters++ % 3 ? "" : counters > 1 ? "\n  " : "\nCounters:\n  ",
                   rest, eq + 1);
        } else if (!strncmp(l, "drop ", 5) && sscanf(l + 5, "%511s", rest) == 1) {
            char *eq = strchr(rest, '=');
            if (!eq || !strcmp(eq + 1, "0"))
                continue;
            *eq = 0;
            printf("%s%-26s %-12s", drops++ % 3 ? "" : drops > 1 ? "\n  " : "\nDrops:\n  ", rest,
                   eq + 1);
        } else if (!strncmp(l, "pool ", 5)) {
            char name[32] = "";
            field(l, "name", name, sizeof(name));
            printf("\nPool %-12s capacity %-8llu in use %-8llu peak %-8llu refused %llu", name,
                   num(l, "capacity"), num(l, "in_use"), num(l, "peak"), num(l, "refused"));
        } else if (!strncmp(l, "link ", 5)) {
            printf("\nLink: %s", l + 5);
        } else if (!strncmp(l, "mem ", 4)) {
            printf("\nMemory: rss %llu KiB, peak %llu KiB\n", num(l, "rss_kb"), num(l, "hwm_kb"));
        }
    }
    if (!drops)
        printf("\nDrops: none\n");
    free(copy);
}

static int query(const char *path, const char *cmd, bool raw, bool quiet_missing)
{
    struct outbuf reply = {0};
    int err = control_query(path, cmd ? cmd : "stat", &reply, 5000);
    if (err) {
        if (!quiet_missing)
            fprintf(stderr, "synack stat: %s: %s\n", path, synack_strerror(err));
        outbuf_free(&reply);
        return err;
    }
    if (raw || cmd)
        fwrite(reply.p, 1, reply.len, stdout);
    else
        show(path, reply.p ? reply.p : "");
    int rc = cmd && reply.len >= 5 && !strncmp(reply.p, "error", 5) ? -EINVAL : 0;
    outbuf_free(&reply);
    return rc;
}

int stat_main(int argc, char **argv)
{
    const char *path = NULL, *cmd = NULL;
    bool raw = false;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v && !strcmp(argv[i], "--control")) {
            path = v;
            i++;
        } else if (v && !strcmp(argv[i], "--cmd")) {
            cmd = v;
            i++;
        } else if (!strcmp(argv[i], "--raw")) {
            raw = true;
        } else {
            fprintf(stderr, "usage: synack stat [--control PATH] [--raw] [--cmd COMMAND]\n"
                            "  (without --control: every instance with a /tmp/synack-*.ctl)\n");
            return 2;
        }
    }
    if (path)
        return query(path, cmd, raw, false) ? 1 : 0;
    glob_t g;
    int found = 0;
    if (!glob("/tmp/synack-*.ctl", 0, NULL, &g)) {
        for (size_t i = 0; i < g.gl_pathc; i++)
            found += query(g.gl_pathv[i], cmd, raw, true) == 0;
        globfree(&g);
    }
    if (!found) {
        fprintf(stderr, "synack stat: no running instance answers (use --control PATH)\n");
        return 1;
    }
    return 0;
}
