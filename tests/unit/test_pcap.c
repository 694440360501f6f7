/* test_pcap.c: the pcap writer, checked byte by byte against the file format.
 * Read include/synack_pcap.h and drivers/pcap.c before changing. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "synack_pcap.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Reads the whole file into a malloc'd buffer. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = buf ? fread(buf, 1, (size_t)n, fp) : 0;
    fclose(fp);
    return buf;
}

static void check_file_header(const uint8_t *h)
{
    CHECK_EQ(le32(h), 0xa1b23c4du);
    CHECK_EQ(le16(h + 4), 2);
    CHECK_EQ(le16(h + 6), 4);
    CHECK_EQ(le32(h + 8), 0);       /* thiszone */
    CHECK_EQ(le32(h + 12), 0);      /* sigfigs */
    CHECK_EQ(le32(h + 16), 65535);  /* snaplen */
    CHECK_EQ(le32(h + 20), 101);    /* LINKTYPE_RAW */
}

static void test_records(void)
{
    char path[] = "/tmp/synack_pcap_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);

    enum { BIG = 70000 };
    uint8_t *big = malloc(BIG);
    for (size_t i = 0; i < BIG; i++)
        big[i] = (uint8_t)(i * 7);
    const uint8_t small[3] = {0x45, 0x00, 0x01};

    struct synack_pcap *p = NULL;
    CHECK_EQ(synack_pcap_open(path, &p), 0);
    CHECK_EQ(synack_pcap_write(p, 0, small, sizeof(small)), 0);
    CHECK_EQ(synack_pcap_write(p, 1500000123u, big, 1500), 0);
    CHECK_EQ(synack_pcap_write(p, 4000000000999999999ull, big, BIG), 0);
    CHECK_EQ(synack_pcap_write(p, 999999999u, small, 0), 0);
    CHECK_EQ(synack_pcap_close(p), 0);

    size_t len = 0;
    uint8_t *f = slurp(path, &len);
    CHECK(f != NULL);
    CHECK_EQ(len, 24 + (16 + 3) + (16 + 1500) + (16 + 65535) + 16);
    if (f && len == 24 + 19 + 1516 + 65551 + 16) {
        check_file_header(f);
        const uint8_t *r = f + 24;
        CHECK_EQ(le32(r), 0);
        CHECK_EQ(le32(r + 4), 0);
        CHECK_EQ(le32(r + 8), 3);
        CHECK_EQ(le32(r + 12), 3);
        CHECK_MEM(r + 16, small, 3);
        r += 16 + 3;
        CHECK_EQ(le32(r), 1);
        CHECK_EQ(le32(r + 4), 500000123);
        CHECK_EQ(le32(r + 8), 1500);
        CHECK_EQ(le32(r + 12), 1500);
        CHECK_MEM(r + 16, big, 1500);
        r += 16 + 1500;
        CHECK_EQ(le32(r), 4000000000u); /* seconds still fit in 32 bits */
        CHECK_EQ(le32(r + 4), 999999999);
        CHECK_EQ(le32(r + 8), 65535);   /* truncated to the snaplen ... */
        CHECK_EQ(le32(r + 12), BIG);    /* ... with the original length kept */
        CHECK_MEM(r + 16, big, 65535);
        r += 16 + 65535;
        CHECK_EQ(le32(r), 0);
        CHECK_EQ(le32(r + 4), 999999999);
        CHECK_EQ(le32(r + 8), 0);
        CHECK_EQ(le32(r + 12), 0);
    }
    free(f);
    free(big);
    unlink(path);
}

static void test_stream(void)
{
    FILE *fp = tmpfile();
    CHECK(fp != NULL);
    struct synack_pcap *p = NULL;
    CHECK_EQ(synack_pcap_open_stream(fp, &p), 0);
    const uint8_t pkt[20] = {0x60};
    CHECK_EQ(synack_pcap_write(p, 42, pkt, sizeof(pkt)), 0);
    CHECK_EQ(synack_pcap_close(p), 0); /* the stream stays open */
    CHECK_EQ(fseek(fp, 0, SEEK_SET), 0);
    uint8_t f[64];
    CHECK_EQ(fread(f, 1, sizeof(f), fp), 24 + 16 + 20);
    check_file_header(f);
    CHECK_EQ(le32(f + 24), 0);
    CHECK_EQ(le32(f + 28), 42);
    CHECK_EQ(le32(f + 32), 20);
    CHECK_EQ(le32(f + 36), 20);
    CHECK_MEM(f + 40, pkt, 20);
    fclose(fp);
}

static void test_errors(void)
{
    struct synack_pcap *p = NULL;
    CHECK_EQ(synack_pcap_open("/nonexistent-dir/x.pcap", &p), -ENOENT);
    CHECK(p == NULL);
    CHECK_EQ(synack_pcap_open_stream(NULL, &p), -EINVAL);
    CHECK_EQ(synack_pcap_close(NULL), 0);
}

int main(void)
{
    test_records();
    test_stream();
    test_errors();
    return check_done();
}
