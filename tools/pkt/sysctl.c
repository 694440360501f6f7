/* sysctl.c: backtick commands.  Only sysctls that struct synack_settings mirrors are run
 * ("sysctl -q net.ipv4.tcp_sack=0", also "echo 0 > /proc/sys/net/ipv4/tcp_sack"); any
 * other command makes the script fail.  Read synack.h (struct synack_settings) first. */
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkt/pkt.h"

enum knob_kind { K_U8, K_U32, K_SEC_MS, K_US_MS, K_NOT_U8, K_PORT_RANGE, K_MEM };

/* A sysctl and the setting it changes. */
struct knob {
    const char *name;
    enum knob_kind kind;
    size_t off, off2; /* the field (K_PORT_RANGE, K_MEM: also the second one) */
};

#define F(x) offsetof(struct synack_settings, x)
static const struct knob knobs[] = {
    {"net.ipv4.tcp_syncookies", K_U8, F(tcp_syncookies), 0},
    {"net.ipv4.tcp_abort_on_overflow", K_U8, F(tcp_abort_on_overflow), 0},
    {"net.ipv4.tcp_syn_retries", K_U8, F(tcp_syn_retries), 0},
    {"net.ipv4.tcp_synack_retries", K_U8, F(tcp_synack_retries), 0},
    {"net.ipv4.tcp_retries1", K_U8, F(tcp_retries1), 0},
    {"net.ipv4.tcp_retries2", K_U8, F(tcp_retries2), 0},
    {"net.ipv4.tcp_orphan_retries", K_U8, F(tcp_orphan_retries), 0},
    {"net.ipv4.tcp_rfc1337", K_U8, F(tcp_rfc1337), 0},
    {"net.ipv4.tcp_fin_timeout", K_SEC_MS, F(tcp_fin_timeout_ms), 0},
    {"net.ipv4.tcp_keepalive_time", K_SEC_MS, F(tcp_keepalive_time_ms), 0},
    {"net.ipv4.tcp_keepalive_intvl", K_SEC_MS, F(tcp_keepalive_intvl_ms), 0},
    {"net.ipv4.tcp_keepalive_probes", K_U8, F(tcp_keepalive_probes), 0},
    {"net.ipv4.tcp_challenge_ack_limit", K_U32, F(tcp_challenge_ack_limit), 0},
    {"net.ipv4.tcp_timestamps", K_U8, F(tcp_timestamps), 0},
    {"net.ipv4.tcp_sack", K_U8, F(tcp_sack), 0},
    {"net.ipv4.tcp_window_scaling", K_U8, F(tcp_window_scaling), 0},
    {"net.ipv4.tcp_ecn", K_U8, F(tcp_ecn), 0},
    {"net.ipv4.tcp_early_retrans", K_U8, F(tcp_early_retrans), 0},
    {"net.ipv4.tcp_recovery", K_U8, F(tcp_recovery), 0},
    {"net.ipv4.tcp_max_syn_backlog", K_U32, F(tcp_max_syn_backlog), 0},
    {"net.core.somaxconn", K_U32, F(somaxconn), 0},
    {"net.ipv4.ip_default_ttl", K_U8, F(ip_default_ttl), 0},
    {"net.ipv4.icmp_echo_ignore_all", K_NOT_U8, F(icmp_echo_enable), 0},
    {"net.ipv4.ip_local_port_range", K_PORT_RANGE, F(ip_local_port_lo), F(ip_local_port_hi)},
    {"net.ipv4.tcp_rmem", K_MEM, F(tcp_rmem_default), F(tcp_rmem_max)},
    {"net.ipv4.tcp_wmem", K_MEM, F(tcp_wmem_default), F(tcp_wmem_max)},
    {"net.ipv4.tcp_rto_min_us", K_US_MS, F(rto_min_ms), 0},
    {"net.ipv4.tcp_rto_max_ms", K_U32, F(rto_max_ms), 0},
};
#undef F

static const struct knob *find_knob(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
        if (strlen(knobs[i].name) == len && !strncmp(knobs[i].name, name, len))
            return &knobs[i];
    return NULL;
}

/* Up to 3 unsigned numbers separated by blanks ("4096 131072 6291456"). */
static int numbers(const char *s, unsigned long long *v, int max)
{
    int n = 0;
    while (*s) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        if (n == max || !isdigit((unsigned char)*s))
            return -1;
        char *end;
        errno = 0;
        v[n++] = strtoull(s, &end, 10);
        if (errno || v[n - 1] > 0xffffffffULL)
            return -1;
        s = end;
    }
    return n;
}

static int set_knob(struct synack_settings *s, const struct knob *k, const char *value)
{
    unsigned long long v[3];
    int n = numbers(value, v, 3);
    unsigned char *base = (unsigned char *)s;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    switch (k->kind) {
    case K_U8:
    case K_NOT_U8:
        if (n != 1 || v[0] > 255)
            return -1;
        u8 = (uint8_t)(k->kind == K_NOT_U8 ? !v[0] : v[0]);
        memcpy(base + k->off, &u8, 1);
        return 0;
    case K_U32:
    case K_SEC_MS:
    case K_US_MS:
        if (n != 1 || (k->kind == K_SEC_MS && v[0] > 0xffffffffULL / 1000))
            return -1;
        u32 = (uint32_t)(k->kind == K_SEC_MS ? v[0] * 1000 : k->kind == K_US_MS ? v[0] / 1000 : v[0]);
        memcpy(base + k->off, &u32, 4);
        return 0;
    case K_PORT_RANGE:
        if (n != 2 || v[0] > 65535 || v[1] > 65535)
            return -1;
        u16 = (uint16_t)v[0];
        memcpy(base + k->off, &u16, 2);
        u16 = (uint16_t)v[1];
        memcpy(base + k->off2, &u16, 2);
        return 0;
    case K_MEM: /* "min default max": synack keeps the default and the max */
        if (n != 3)
            return -1;
        u32 = (uint32_t)v[1];
        memcpy(base + k->off, &u32, 4);
        u32 = (uint32_t)v[2];
        memcpy(base + k->off2, &u32, 4);
        return 0;
    }
    return -1;
}

/* One assignment: the sysctl's name and its value, copied into name/value. */
struct assign {
    char name[96], value[96];
};

/* Splits one command into sysctl assignments.  Accepts "sysctl [-q] [-w] [-e] n=v ..."
 * and "echo v > /proc/sys/net/...".  Returns the count, or -1 when it is something else. */
static int split_command(const char *cmd, size_t len, struct assign *out, int max)
{
    char buf[512];
    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, cmd, len);
    buf[len] = '\0';
    char *words[16];
    int nw = 0;
    for (char *p = buf; *p;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (nw == 16)
            return -1;
        char *w = p, *d = p;
        int quote = 0;
        while (*p && (quote || !isspace((unsigned char)*p))) { /* "a b" and 'a b' kept whole */
            if ((*p == '"' || *p == '\'') && (!quote || quote == *p))
                quote = quote ? 0 : *p;
            else
                *d++ = *p;
            p++;
        }
        if (*p)
            p++;
        *d = '\0';
        words[nw++] = w;
    }
    int n = 0;
    if (nw >= 2 && !strcmp(words[0], "sysctl")) {
        for (int i = 1; i < nw; i++) {
            if (!strcmp(words[i], "-q") || !strcmp(words[i], "-w") || !strcmp(words[i], "-e") ||
                !strcmp(words[i], "-qw"))
                continue;
            char *eq = strchr(words[i], '=');
            if (!eq || n == max || (size_t)(eq - words[i]) >= sizeof(out[n].name) ||
                strlen(eq + 1) >= sizeof(out[n].value))
                return -1;
            memcpy(out[n].name, words[i], (size_t)(eq - words[i]));
            out[n].name[eq - words[i]] = '\0';
            strcpy(out[n].value, eq + 1);
            for (char *c = out[n].name; *c; c++) /* net/ipv4/x is net.ipv4.x */
                if (*c == '/')
                    *c = '.';
            n++;
        }
        return n;
    }
    /* echo V [V ...] > /proc/sys/net/ipv4/name */
    static const char proc[] = "/proc/sys/";
    if (nw >= 4 && !strcmp(words[0], "echo") && !strcmp(words[nw - 2], ">") &&
        !strncmp(words[nw - 1], proc, sizeof(proc) - 1) && max > 0) {
        const char *path = words[nw - 1] + sizeof(proc) - 1;
        if (strlen(path) >= sizeof(out[0].name))
            return -1;
        strcpy(out[0].name, path);
        for (char *c = out[0].name; *c; c++)
            if (*c == '/')
                *c = '.';
        out[0].value[0] = '\0';
        for (int i = 1; i < nw - 2; i++) {
            if (strlen(out[0].value) + strlen(words[i]) + 2 >= sizeof(out[0].value))
                return -1;
            if (i > 1)
                strcat(out[0].value, " ");
            strcat(out[0].value, words[i]);
        }
        return 1;
    }
    return -1;
}

/* Runs (st != NULL) or only checks every ';'- or newline-separated part of cmd. */
static int each_part(const char *cmd, struct synack_settings *s, struct pkt_str *err)
{
    const char *p = cmd;
    while (*p) {
        size_t len = strcspn(p, ";\n");
        const char *q = p;
        while (q < p + len && isspace((unsigned char)*q))
            q++;
        if (q < p + len) {
            struct assign as[8];
            int n = split_command(p, len, as, 8);
            if (n <= 0) {
                pkt_str_add(err, "unsupported: command `%.*s`", (int)len, p);
                return -1;
            }
            for (int i = 0; i < n; i++) {
                const struct knob *k = find_knob(as[i].name, strlen(as[i].name));
                if (!k) {
                    pkt_str_add(err, "unsupported: sysctl %s", as[i].name);
                    return -1;
                }
                struct synack_settings scratch;
                memset(&scratch, 0, sizeof(scratch));
                if (set_knob(s ? s : &scratch, k, as[i].value)) {
                    pkt_str_add(err, "bad value for sysctl %s: '%s'", as[i].name, as[i].value);
                    return -1;
                }
            }
        }
        p += len;
        if (*p)
            p++;
    }
    return 0;
}

int pkt_command_check(const char *cmd, struct pkt_str *err) { return each_part(cmd, NULL, err); }

int pkt_command_run(struct pkt_run *r, const char *cmd, struct pkt_str *err)
{
    struct synack_settings s = *synack_stack_settings(r->st);
    if (each_part(cmd, &s, err))
        return -1;
    int rc = synack_stack_configure(r->st, &s);
    if (rc) {
        pkt_str_add(err, "the stack refused `%s`: %s", cmd, synack_strerror(rc));
        return -1;
    }
    pkt_flush(r);
    return 0;
}
