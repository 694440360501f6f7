/* options.c: what a SYN's options settle for the connection.
 * Read RFC 9293 §3.7.1 (MSS; 536 when absent), RFC 7323 §2.2 and §3.2 (WS and TS only
 * when both SYNs carry them), RFC 2018 §2 (SACK-permitted) and RFC 8200 §5 (1220 for
 * IPv6) before changing. */
#include "tcp/tcp.h"

void tcp_parse_syn_options(struct synack_stack *st, const struct wire_tcp *th, uint8_t family,
                           bool *ws_ok, uint8_t *snd_wscale, bool *ts_ok, bool *sack_ok,
                           uint16_t *peer_mss)
{
    const struct wire_tcp_opts *o = &th->opts;
    *ws_ok = st->cfg.tcp_window_scaling && (o->has & OPT_WSCALE);
    *snd_wscale = *ws_ok ? o->wscale : 0;
    *ts_ok = st->cfg.tcp_timestamps && (o->has & OPT_TS);
    *sack_ok = st->cfg.tcp_sack && (o->has & OPT_SACK_PERM);
    uint16_t dflt = family == SYNACK_AF_INET ? 536 : 1220;
    *peer_mss = (o->has & OPT_MSS) && o->mss ? o->mss : dflt;
    /* Like Linux: an MSS below 88 (TCP_MIN_MSS) is raised to it. */
    if (*peer_mss < 88)
        *peer_mss = 88;
}
