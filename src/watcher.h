/* watcher: what `memwatch daemon` does around the sampler — find processes to
 * watch, flag leaks, age old detail, serve metrics. */
#ifndef MW_WATCHER_H
#define MW_WATCHER_H

#include <stdio.h>
#include <sys/types.h>

#include "procmatch.h"
#include "sampler.h"
#include "store.h"

typedef struct watcher_cfg {
    procmatch *rules;          /* borrowed */
    const pid_t *pids;         /* the pids listed (--pid), borrowed */
    size_t npids;
    int children;              /* the sampler follows descendants: do not watch them as roots too */
    double scan_period;        /* s of real time between two process scans */
    double keep_detail, keep_summary;   /* s of recorded time */
    double leak_window;        /* s */
    double leak_threshold;     /* bytes per minute */
    const char *on_leak;       /* shell command or NULL */
    const char *db_path;       /* for the hook's environment */
    FILE *log;                 /* one-line notices, NULL when quiet */
} watcher_cfg;

typedef struct watcher watcher;

/* Returns a watcher recording into st, or NULL when out of memory. */
watcher *watcher_new(const watcher_cfg *cfg, store *st);

/* Listens for metrics scrapes on host:port. Returns 0, or -1 with a reason in err. */
int watcher_listen(watcher *w, const char *host, const char *port, char *err, size_t errlen);

/* The metrics address bound ("ADDR:PORT"), or NULL when not serving. */
const char *watcher_metrics_address(const watcher *w);

/* The descriptor the sampler polls for metrics clients (-1: none). */
int watcher_fd(const watcher *w);

/* Looks for processes to watch now and begins their sessions. Returns how
 * many are watched, or -1 on a store failure (store_errmsg says why). */
int watcher_scan(watcher *w, sampler *s, double now);

/* Sampler hook after each committed interval (sampler_opts.on_interval): leak
 * windows, scans, retention. Returns 0, or -1 on a store failure. */
int watcher_on_interval(void *arg, sampler *s, double now);

/* Sampler hook when watcher_fd is readable (sampler_opts.on_fd). */
void watcher_on_fd(void *arg, sampler *s);

/* Frees the watcher (not the rules or the store). */
void watcher_free(watcher *w);

#endif
