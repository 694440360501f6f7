/* settings.c: the table of struct synack_settings fields `--sysctl` may set, by the
 * field's own name and in its own unit (_ms fields in milliseconds).
 * Read include/synack.h (struct synack_settings) before changing. */
#include "settings.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(name) {#name, offsetof(struct synack_settings, name), \
                     sizeof(((struct synack_settings *)0)->name)}

static const struct field {
    const char *name;
    size_t off, size;
} fields[] = {
    FIELD(max_sockets), FIELD(max_half_open), FIELD(max_tw_buckets), FIELD(buf_chunks),
    FIELD(ip_default_ttl), FIELD(icmp_echo_enable), FIELD(ip_local_port_lo),
    FIELD(ip_local_port_hi), FIELD(tcp_max_syn_backlog), FIELD(somaxconn),
    FIELD(tcp_syncookies), FIELD(tcp_abort_on_overflow), FIELD(tcp_syn_retries),
    FIELD(tcp_synack_retries), FIELD(tcp_retries1), FIELD(tcp_retries2),
    FIELD(tcp_orphan_retries), FIELD(tcp_rfc1337), FIELD(tcp_fin_timeout_ms), FIELD(msl_ms),
    FIELD(tcp_keepalive_time_ms), FIELD(tcp_keepalive_intvl_ms), FIELD(tcp_keepalive_probes),
    FIELD(tcp_challenge_ack_limit), FIELD(tcp_timestamps), FIELD(tcp_sack),
    FIELD(tcp_window_scaling), FIELD(tcp_ecn), FIELD(tcp_rmem_default), FIELD(tcp_wmem_default),
    FIELD(tcp_rmem_max), FIELD(tcp_wmem_max), FIELD(rto_min_ms), FIELD(rto_max_ms),
    FIELD(rto_initial_ms), FIELD(delack_min_ms), FIELD(delack_max_ms),
};

int settings_set(struct synack_settings *s, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment || !eq[1])
        return -EINVAL;
    size_t nlen = (size_t)(eq - assignment);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const struct field *f = &fields[i];
        if (strlen(f->name) != nlen || strncmp(f->name, assignment, nlen))
            continue;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(eq + 1, &end, 0);
        if (errno || *end || eq[1] == '-')
            return -EINVAL;
        uint8_t *p = (uint8_t *)s + f->off;
        if (f->size < 8 && v >> (8 * f->size))
            return -EINVAL;
        if (f->size == 1) {
            uint8_t x = (uint8_t)v;
            memcpy(p, &x, 1);
        } else if (f->size == 2) {
            uint16_t x = (uint16_t)v;
            memcpy(p, &x, 2);
        } else if (f->size == 4) {
            uint32_t x = (uint32_t)v;
            memcpy(p, &x, 4);
        } else {
            uint64_t x = v;
            memcpy(p, &x, 8);
        }
        return 0;
    }
    return -ENOENT;
}

int settings_get(const struct synack_settings *s, int i, const char **name,
                 unsigned long long *value)
{
    if (i < 0 || (size_t)i >= sizeof(fields) / sizeof(fields[0]))
        return -1;
    const uint8_t *p = (const uint8_t *)s + fields[i].off;
    uint64_t v = 0;
    if (fields[i].size == 1) {
        v = *p;
    } else if (fields[i].size == 2) {
        uint16_t x;
        memcpy(&x, p, 2);
        v = x;
    } else if (fields[i].size == 4) {
        uint32_t x;
        memcpy(&x, p, 4);
        v = x;
    } else {
        memcpy(&v, p, 8);
    }
    *name = fields[i].name;
    *value = v;
    return 0;
}

void settings_list(FILE *f, const struct synack_settings *s)
{
    const char *name;
    unsigned long long v;
    for (int i = 0; !settings_get(s, i, &name, &v); i++)
        fprintf(f, "%s=%llu\n", name, v);
}
