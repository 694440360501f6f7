/* pcap.c: a classic pcap writer (nanosecond magic, LINKTYPE_RAW), little-endian.
 * Read include/synack_pcap.h and the pcap format (draft-ietf-opsawg-pcap §4-5) before changing. */
#include "synack_pcap.h"

#include <errno.h>
#include <stdlib.h>

#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_SNAPLEN 65535u
#define PCAP_LINKTYPE_RAW 101u

struct synack_pcap {
    FILE *fp;
    int own; /* opened by path: closed by synack_pcap_close */
};

/* The file is little-endian whatever the host (libpcap on x86 writes the same). */
static void le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
    le16(p, (uint16_t)v);
    le16(p + 2, (uint16_t)(v >> 16));
}

static int io_err(void) { return errno ? -errno : -EIO; }

static int put(FILE *fp, const void *buf, size_t n)
{
    errno = 0;
    return n == 0 || fwrite(buf, 1, n, fp) == n ? 0 : io_err();
}

int synack_pcap_open_stream(FILE *fp, struct synack_pcap **out)
{
    if (!fp || !out)
        return -EINVAL;
    *out = NULL;
    uint8_t h[24];
    le32(h, PCAP_MAGIC_NS);
    le16(h + 4, 2); /* version 2.4 */
    le16(h + 6, 4);
    le32(h + 8, 0);  /* thiszone */
    le32(h + 12, 0); /* sigfigs */
    le32(h + 16, PCAP_SNAPLEN);
    le32(h + 20, PCAP_LINKTYPE_RAW);
    int err = put(fp, h, sizeof(h));
    if (err)
        return err;
    struct synack_pcap *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->fp = fp;
    *out = p;
    return 0;
}

int synack_pcap_open(const char *path, struct synack_pcap **out)
{
    if (!path || !out)
        return -EINVAL;
    *out = NULL;
    errno = 0;
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return io_err();
    int err = synack_pcap_open_stream(fp, out);
    if (err) {
        fclose(fp);
        return err;
    }
    (*out)->own = 1;
    return 0;
}

int synack_pcap_write(struct synack_pcap *p, uint64_t ts_ns, const uint8_t *pkt, size_t len)
{
    if (!p || (!pkt && len))
        return -EINVAL;
    size_t incl = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : len;
    uint8_t h[16];
    le32(h, (uint32_t)(ts_ns / 1000000000u));
    le32(h + 4, (uint32_t)(ts_ns % 1000000000u));
    le32(h + 8, (uint32_t)incl);
    le32(h + 12, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
    int err = put(p->fp, h, sizeof(h));
    return err ? err : put(p->fp, pkt, incl);
}

int synack_pcap_close(struct synack_pcap *p)
{
    if (!p)
        return 0;
    errno = 0;
    int err = fflush(p->fp) ? io_err() : 0;
    if (p->own && fclose(p->fp) && !err)
        err = io_err();
    free(p);
    return err;
}
