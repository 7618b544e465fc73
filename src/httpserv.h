/* httpserv: a tiny non-blocking HTTP/1.0 server for /metrics, driven by one pollable descriptor. */
#ifndef MW_HTTPSERV_H
#define MW_HTTPSERV_H

#include <stddef.h>
#include <stdio.h>

typedef struct httpserv httpserv;

/* Writes the metrics body to f (called once per GET /metrics). */
typedef void (*httpserv_body_fn)(void *arg, FILE *f);

/* Listens on host:port (port "0": any free port). Returns the server, or
 * NULL with a one-line reason in err. */
httpserv *httpserv_open(const char *host, const char *port, httpserv_body_fn body, void *arg,
                        char *err, size_t errlen);

/* The descriptor to poll for POLLIN: readable whenever a client needs
 * attention (an epoll descriptor). */
int httpserv_fd(const httpserv *h);

/* The address actually bound, as "ADDR:PORT" ("[ADDR]:PORT" for IPv6). */
const char *httpserv_address(const httpserv *h);

/* Accepts, reads, answers and closes what is ready; never blocks. Clients
 * idle for too long are dropped. */
void httpserv_serve(httpserv *h);

/* Closes every client and the listening socket. NULL is fine. */
void httpserv_close(httpserv *h);

#endif
