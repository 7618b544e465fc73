/* metrics: the Prometheus text exposition of what the daemon watches, and the HTTP request it answers (pure). */
#ifndef MW_METRICS_H
#define MW_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One watched process as exported (figures MW_NOVAL when unknown). */
typedef struct metrics_proc {
    int pid;
    int64_t session;
    const char *comm;          /* process name, any bytes */
    int64_t rss, uss, pss, swap;
    double growth;             /* bytes per second; NaN when not known yet */
    int leak;                  /* 1 once flagged */
} metrics_proc;

/* Writes the exposition (text format 0.0.4) of n processes to f: one family
 * per gauge with # HELP and # TYPE, labels pid, comm, session, and
 * memwatch_processes_watched. */
void metrics_write(FILE *f, const metrics_proc *procs, size_t n);

/* Writes s as a label value (without quotes): \ " and newline escaped,
 * invalid UTF-8 replaced; at most max bytes of s are used. */
void metrics_write_label(FILE *f, const char *s, size_t max);

enum metrics_req { REQ_INCOMPLETE = 0, REQ_METRICS, REQ_NOT_FOUND, REQ_BAD_METHOD, REQ_BAD };

/* Looks at the bytes received so far of an HTTP request: REQ_INCOMPLETE until
 * the header's end (blank line) is there; then REQ_METRICS for GET or HEAD of
 * /metrics (a query string is ignored), REQ_NOT_FOUND for another path,
 * REQ_BAD_METHOD for another method, REQ_BAD for anything malformed.
 * *head is set to 1 for HEAD. */
int metrics_request(const char *buf, size_t len, int *head);

#endif
