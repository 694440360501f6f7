/* http.c: the `serve --app http` app: static files from --root over HTTP/1.1 (GET and
 * HEAD, Content-Length, keep-alive and pipelining, 400/403/404/405/431), never a path
 * out of the root.  Read RFC 9112 §3 and §9.3 and openat2(2) (RESOLVE_BENEATH) first. */
#define _GNU_SOURCE /* memmem, strcasestr */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "apps.h"

#define HTTP_REQ_MAX 8192
#define HTTP_PATH_MAX 1024

struct http_conn {
    char req[HTTP_REQ_MAX + 1];
    size_t req_len;
    int file_fd;
    uint64_t body_left;
    off_t file_off;
    bool responding, close_after;
    uint32_t requests;
};

int http_conn_init(struct app_conn *c)
{
    c->http = calloc(1, sizeof(*c->http));
    if (!c->http)
        return -ENOMEM;
    c->http->file_fd = -1;
    return 0;
}

void http_conn_free(struct app_conn *c)
{
    if (c->http && c->http->file_fd >= 0)
        close(c->http->file_fd);
    free(c->http);
    c->http = NULL;
}

bool http_wants_input(const struct app_conn *c) { return !c->http->responding; }

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    default: return "Internal Server Error";
    }
}

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm")))
        return "text/html";
    if (dot && !strcmp(dot, ".txt"))
        return "text/plain";
    return "application/octet-stream";
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The target's path, percent-decoded and made relative: no "..", no "." or empty
 * segments.  Returns 0, or the HTTP status to answer. */
static int clean_path(const char *target, size_t tlen, char *out)
{
    if (!tlen || target[0] != '/')
        return 400;
    char dec[HTTP_PATH_MAX];
    size_t n = 0;
    for (size_t i = 0; i < tlen && target[i] != '?' && target[i] != '#'; i++) {
        char ch = target[i];
        if (ch == '%') {
            int hi = i + 2 < tlen ? hexval(target[i + 1]) : -1;
            int lo = i + 2 < tlen ? hexval(target[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return 400;
            ch = (char)(hi * 16 + lo);
            i += 2;
        }
        if (n + 1 >= sizeof(dec))
            return 400;
        dec[n++] = ch;
    }
    dec[n] = 0;
    size_t o = 0;
    for (char *save = NULL, *seg = strtok_r(dec, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
        if (!strcmp(seg, "."))
            continue;
        if (!strcmp(seg, ".."))
            return 403; /* never above the root, nor sideways through it */
        size_t sl = strlen(seg);
        if (o + sl + 2 >= HTTP_PATH_MAX)
            return 400;
        if (o)
            out[o++] = '/';
        memcpy(out + o, seg, sl);
        o += sl;
    }
    out[o] = 0;
    return o ? 0 : 403; /* "/" is the root directory itself */
}

/* Opens rel beneath rootfd; symlinks may not lead out of it.  Returns fd or -errno. */
static int open_beneath(int rootfd, const char *rel)
{
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
    if (fd < 0 && errno == ENOSYS) /* before Linux 5.6: no symlinks at all */
        fd = openat(rootfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
    return fd < 0 ? -errno : (int)fd;
}

static int resolve(struct app_conn *c, const char *target, size_t tlen, int *fd, uint64_t *size,
                   char *rel)
{
    int status = clean_path(target, tlen, rel);
    if (status)
        return status;
    int f = open_beneath(c->rootfd, rel);
    if (f < 0)
        return f == -ENOENT || f == -ENOTDIR ? 404 : 403;
    struct stat sb;
    if (fstat(f, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(f);
        return 403; /* directories (and devices, fifos) are refused */
    }
    *fd = f;
    *size = (uint64_t)sb.st_size;
    return 200;
}

__attribute__((format(printf, 2, 3))) static void put(struct app_conn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = APP_BUF - c->out_len;
    int w = vsnprintf((char *)c->out + c->out_len, room, fmt, ap);
    va_end(ap);
    if (w > 0 && (size_t)w < room)
        c->out_len += (size_t)w;
}

static void respond(struct app_conn *c, int status, bool head, int fd, uint64_t size,
                    const char *type)
{
    struct http_conn *h = c->http;
    char body[96] = "";
    if (status != 200) {
        snprintf(body, sizeof(body), "%d %s\n", status, reason(status));
        size = strlen(body);
        type = "text/plain";
    }
    put(c, "HTTP/1.1 %d %s\r\nServer: synack/%s\r\nContent-Length: %llu\r\n"
           "Content-Type: %s\r\n%sConnection: %s\r\n\r\n%s",
        status, reason(status), SYNACK_VERSION, (unsigned long long)size, type,
        status == 405 ? "Allow: GET, HEAD\r\n" : "", h->close_after ? "close" : "keep-alive",
        head ? "" : body);
    h->responding = true;
    h->file_fd = -1;
    h->body_left = 0;
    h->file_off = 0;
    if (fd >= 0 && !head) {
        h->file_fd = fd;
        h->body_left = size;
    } else if (fd >= 0) {
        close(fd);
    }
}

/* Whether a comma-separated header value list contains token (case-insensitive). */
static bool has_token(const char *v, size_t len, const char *token)
{
    size_t tl = strlen(token);
    for (size_t i = 0; i + tl <= len; i++)
        if (!strncasecmp(v + i, token, tl) && (i == 0 || v[i - 1] == ' ' || v[i - 1] == ','))
            return true;
    return false;
}

static void handle_request(struct app_conn *c, char *req, size_t len)
{
    struct http_conn *h = c->http;
    h->requests++;
    char *eol = memmem(req, len, "\r\n", 2);
    char *sp1 = memchr(req, ' ', (size_t)(eol - req));
    char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    bool v11 = sp2 && eol - sp2 - 1 == 8 && !memcmp(sp2 + 1, "HTTP/1.1", 8);
    bool v10 = sp2 && eol - sp2 - 1 == 8 && !memcmp(sp2 + 1, "HTTP/1.0", 8);
    bool conn_close = false, conn_keep = false, has_body = false;
    for (char *l = eol + 2; l < req + len - 2;) {
        char *e = memmem(l, (size_t)(req + len - l), "\r\n", 2);
        char *colon = memchr(l, ':', (size_t)(e - l));
        if (colon) {
            size_t nl = (size_t)(colon - l);
            char *v = colon + 1;
            size_t vl = (size_t)(e - v);
            if (nl == 10 && !strncasecmp(l, "Connection", 10)) {
                conn_close |= has_token(v, vl, "close");
                conn_keep |= has_token(v, vl, "keep-alive");
            } else if (nl == 17 && !strncasecmp(l, "Transfer-Encoding", 17)) {
                has_body = true;
            } else if (nl == 14 && !strncasecmp(l, "Content-Length", 14)) {
                has_body |= strtoull(v, NULL, 10) != 0;
            }
        }
        l = e + 2;
    }
    h->close_after = !(v11 || v10) || has_body || conn_close || (v10 && !conn_keep);
    if (!sp1 || !sp2 || !(v11 || v10) || has_body) {
        /* Malformed, or a body this server does not read: answer, then close. */
        respond(c, 400, false, -1, 0, NULL);
        return;
    }
    bool get = sp1 - req == 3 && !memcmp(req, "GET", 3);
    bool head = sp1 - req == 4 && !memcmp(req, "HEAD", 4);
    int fd = -1;
    uint64_t size = 0;
    char rel[HTTP_PATH_MAX] = "";
    int status = get || head ? resolve(c, sp1 + 1, (size_t)(sp2 - sp1 - 1), &fd, &size, rel) : 405;
    if (c->verbose)
        fprintf(stderr, "http: %.*s -> %d (%llu bytes)\n", (int)(eol - req), req, status,
                (unsigned long long)size);
    respond(c, status, head, fd, size, content_type(rel));
}

/* Appends the next piece of the body after what out already holds. */
static void fill_body(struct app_conn *c)
{
    struct http_conn *h = c->http;
    if (c->out_off) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    size_t room = APP_BUF - c->out_len;
    size_t want = h->body_left < room ? (size_t)h->body_left : room;
    ssize_t n = pread(h->file_fd, c->out + c->out_len, want, h->file_off);
    if (n <= 0) {
        c->err = n < 0 ? -errno : -EIO; /* the file shrank under us */
        return;
    }
    c->out_len += (size_t)n;
    h->body_left -= (uint64_t)n;
    h->file_off += n;
}

void http_run(struct app_conn *c)
{
    struct http_conn *h = c->http;
    for (int rounds = 0; rounds < 256 && !c->err; rounds++) {
        if (h->responding) {
            if (h->body_left && c->out_len < APP_BUF)
                fill_body(c);
            if (!app_flush(c) || c->err)
                return;
            if (h->body_left)
                continue;
            if (h->file_fd >= 0)
                close(h->file_fd);
            h->file_fd = -1;
            h->responding = false;
            if (h->close_after) {
                c->finished = true;
                return;
            }
        }
        char *end = memmem(h->req, h->req_len, "\r\n\r\n", 4);
        if (end) {
            size_t hlen = (size_t)(end + 4 - h->req);
            handle_request(c, h->req, hlen);
            memmove(h->req, h->req + hlen, h->req_len - hlen);
            h->req_len -= hlen;
            continue;
        }
        if (h->req_len >= HTTP_REQ_MAX) {
            h->close_after = true;
            respond(c, 431, false, -1, 0, NULL);
            continue;
        }
        if (c->peer_eof) {
            c->finished = true; /* the client is done (an unfinished request is dropped) */
            return;
        }
        ssize_t n = app_recv(c, h->req + h->req_len, HTTP_REQ_MAX - h->req_len);
        if (n < 0)
            return;
        h->req_len += (size_t)n;
    }
}
