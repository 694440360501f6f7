/* synack_pcap.h: a pcap file writer any link can feed: LINKTYPE_RAW (101, packets start
 * with the IP header), nanosecond timestamps (magic 0xa1b23c4d), snaplen 65535.
 * Not part of the sans-I/O core: it writes a FILE. */
#ifndef SYNACK_PCAP_H
#define SYNACK_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Only the public API is exported from the shared library (built -fvisibility=hidden). */
#pragma GCC visibility push(default)

struct synack_pcap;

/* Creates (truncates) path and writes the file header.  Returns 0, or a negative errno
 * from fopen/fwrite. */
int synack_pcap_open(const char *path, struct synack_pcap **out);
/* Writes to an open stream (not closed by synack_pcap_close). */
int synack_pcap_open_stream(FILE *fp, struct synack_pcap **out);
/* Appends one packet captured at ts_ns (any epoch; virtual time starts at 0).  Packets
 * longer than 65535 are truncated to the snaplen with their original length recorded. */
int synack_pcap_write(struct synack_pcap *p, uint64_t ts_ns, const uint8_t *pkt, size_t len);
/* Flushes, closes (if opened by path) and frees.  Returns 0 or a negative errno. */
int synack_pcap_close(struct synack_pcap *p);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
