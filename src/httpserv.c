/* httpserv: non-blocking HTTP/1.0 for /metrics over epoll (one descriptor for the sampler to poll). */
#include "httpserv.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "metrics.h"

#define MAX_CLIENTS 16
#define MAX_REQUEST 4096        /* bytes of request header read at most */
#define CLIENT_TIMEOUT 5.0      /* s a client may take to send its request and read the answer */
#define MAX_ROUNDS 64           /* epoll rounds per call: bounded work */

typedef struct client {
    int fd;                     /* -1: free */
    double deadline;
    char in[MAX_REQUEST];
    size_t inlen;
    char *out;                  /* answer being sent */
    size_t outlen, outoff;
} client;

struct httpserv {
    int ep, lfd;
    client c[MAX_CLIENTS];
    httpserv_body_fn body;
    void *arg;
    char addr[128];
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

httpserv *httpserv_open(const char *host, const char *port, httpserv_body_fn body, void *arg,
                        char *err, size_t errlen)
{
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "--metrics: cannot resolve %s: %s", host, gai_strerror(rc));
        return NULL;
    }
    httpserv *h = calloc(1, sizeof *h);
    if (!h) {
        freeaddrinfo(ai);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->ep = h->lfd = -1;
    for (int i = 0; i < MAX_CLIENTS; i++)
        h->c[i].fd = -1;
    h->body = body;
    h->arg = arg;
    int saved = 0;
    for (struct addrinfo *a = ai; a && h->lfd < 0; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) < 0 || listen(fd, 16) < 0) {
            saved = errno;
            close(fd);
            continue;
        }
        h->lfd = fd;
    }
    freeaddrinfo(ai);
    if (h->lfd < 0) {
        snprintf(err, errlen, "--metrics: cannot listen on %s:%s: %s", host, port, strerror(saved));
        httpserv_close(h);
        return NULL;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char ip[INET6_ADDRSTRLEN] = "?";
    int bound = 0;
    if (getsockname(h->lfd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
            bound = ntohs(s6->sin6_port);
            snprintf(h->addr, sizeof h->addr, "[%s]:%d", ip, bound);
        } else {
            struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
            bound = ntohs(s4->sin_port);
            snprintf(h->addr, sizeof h->addr, "%s:%d", ip, bound);
        }
    }
    h->ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = MAX_CLIENTS };
    if (h->ep < 0 || epoll_ctl(h->ep, EPOLL_CTL_ADD, h->lfd, &ev) < 0) {
        snprintf(err, errlen, "--metrics: epoll: %s", strerror(errno));
        httpserv_close(h);
        return NULL;
    }
    return h;
}

int httpserv_fd(const httpserv *h)
{
    return h->ep;
}

const char *httpserv_address(const httpserv *h)
{
    return h->addr;
}

static void drop(httpserv *h, client *c)
{
    if (c->fd >= 0) {
        (void)epoll_ctl(h->ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    free(c->out);
    c->out = NULL;
    c->fd = -1;
    c->inlen = c->outlen = c->outoff = 0;
}

/* Sends what is left of the answer; drops the client when done or on error. */
static void flush_out(httpserv *h, client *c)
{
    while (c->outoff < c->outlen) {
        ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            c->outoff += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = (uint32_t)(c - h->c) };
            if (epoll_ctl(h->ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
                drop(h, c);
            return;
        }
        if (n < 0 && errno == EINTR)
            continue;
        break;
    }
    drop(h, c);
}

/* Builds the answer to a complete request and starts sending it. */
static void answer(httpserv *h, client *c, int req, int head)
{
    char *body = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&body, &blen);
    const char *status = "200 OK", *type = "text/plain; version=0.0.4; charset=utf-8";
    if (!f) {
        drop(h, c);
        return;
    }
    switch (req) {
    case REQ_METRICS:
        h->body(h->arg, f);
        break;
    case REQ_NOT_FOUND:
        status = "404 Not Found";
        type = "text/plain; charset=utf-8";
        fputs("not found: memwatch serves /metrics\n", f);
        break;
    case REQ_BAD_METHOD:
        status = "405 Method Not Allowed";
        type = "text/plain; charset=utf-8";
        fputs("only GET and HEAD\n", f);
        break;
    default:
        status = "400 Bad Request";
        type = "text/plain; charset=utf-8";
        fputs("bad request\n", f);
        break;
    }
    if (fclose(f) != 0 || !body) {
        free(body);
        drop(h, c);
        return;
    }
    char hdr[256];
    int hl = snprintf(hdr, sizeof hdr,
                      "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
                      status, type, blen, req == REQ_BAD_METHOD ? "Allow: GET, HEAD\r\n" : "");
    size_t send_body = head ? 0 : blen;
    c->out = malloc((size_t)hl + send_body);
    if (!c->out) {
        free(body);
        drop(h, c);
        return;
    }
    memcpy(c->out, hdr, (size_t)hl);
    memcpy(c->out + hl, body, send_body);
    free(body);
    c->outlen = (size_t)hl + send_body;
    c->outoff = 0;
    if (req == REQ_BAD) {
        /* unread bytes at close would make the kernel reset the connection
         * before the client reads the answer: take what already arrived */
        char sink[4096];
        for (int i = 0; i < 16 && recv(c->fd, sink, sizeof sink, MSG_DONTWAIT) > 0; i++)
            ;
    }
    flush_out(h, c);
}

/* Reads what the client sent; answers once the request is complete. */
static void on_readable(httpserv *h, client *c)
{
    for (int round = 0; round < 8; round++) {
        if (c->inlen >= sizeof c->in) {
            answer(h, c, REQ_BAD, 0);   /* a request header this long is not a scrape */
            return;
        }
        ssize_t n = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen, MSG_DONTWAIT);
        if (n > 0) {
            c->inlen += (size_t)n;
            int head;
            int req = metrics_request(c->in, c->inlen, &head);
            if (req != REQ_INCOMPLETE) {
                answer(h, c, req, head);
                return;
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        drop(h, c);   /* closed before a complete request, or an error */
        return;
    }
}

static void accept_clients(httpserv *h, double now)
{
    for (int round = 0; round < MAX_CLIENTS; round++) {
        int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        client *c = NULL;
        for (int i = 0; i < MAX_CLIENTS && !c; i++)
            if (h->c[i].fd < 0)
                c = &h->c[i];
        if (!c) {
            close(fd);   /* too many at once: the scraper will retry */
            continue;
        }
        c->fd = fd;
        c->deadline = now + CLIENT_TIMEOUT;
        c->inlen = c->outlen = c->outoff = 0;
        struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t)(c - h->c) };
        if (epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev) < 0)
            drop(h, c);
    }
}

void httpserv_serve(httpserv *h)
{
    double now = mono();
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (h->c[i].fd >= 0 && now > h->c[i].deadline)
            drop(h, &h->c[i]);
    for (int round = 0; round < MAX_ROUNDS; round++) {
        struct epoll_event evs[MAX_CLIENTS + 1];
        int n = epoll_wait(h->ep, evs, MAX_CLIENTS + 1, 0);
        if (n <= 0)
            return;
        for (int k = 0; k < n; k++) {
            uint32_t id = evs[k].data.u32;
            if (id == MAX_CLIENTS) {
                accept_clients(h, now);
                continue;
            }
            if (id > MAX_CLIENTS || h->c[id].fd < 0)
                continue;
            client *c = &h->c[id];
            if (c->out)
                flush_out(h, c);
            else
                on_readable(h, c);
        }
    }
}

void httpserv_close(httpserv *h)
{
    if (!h)
        return;
    for (int i = 0; i < MAX_CLIENTS; i++)
        drop(h, &h->c[i]);
    if (h->lfd >= 0)
        close(h->lfd);
    if (h->ep >= 0)
        close(h->ep);
    free(h);
}
