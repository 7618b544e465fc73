/* loader: reads a session's timeline and tables on a thread of its own, so
 * that keys never wait for the database (no curses). */
#ifndef MW_TUI_LOADER_H
#define MW_TUI_LOADER_H

#include <stdint.h>

#include "data.h"

typedef struct loader loader;

/* What to read: the timeline folded per minute when minutes is set, both
 * tables over [from, to] when panes is set, then the timeline rows after
 * after_abs (Unix time; 0: all) when timeline is set. */
typedef struct load_req {
    int64_t session;
    double start;              /* the session's start (Unix time) */
    int minutes, timeline, panes;
    double after_abs;
    double from, to;
    int order;                 /* enum store_order */
    int limit;                 /* rows per table at most (0: all) */
    unsigned gen;              /* returned with the results; a newer request drops older tables */
} load_req;

/* What came back: folded minutes, a chunk of timeline rows, or the two tables. */
typedef struct load_result {
    int kind;                  /* LOAD_MINUTES, LOAD_TIMELINE or LOAD_PANES */
    int64_t session;
    unsigned gen;
    timeline rows;             /* LOAD_TIMELINE: the new rows; LOAD_MINUTES: the minutes (times from the start) */
    rtable lines, funcs;       /* LOAD_PANES */
    double seconds;            /* time the reading took */
    int failed;
    char err[256];
} load_result;

enum { LOAD_TIMELINE = 1, LOAD_PANES = 2, LOAD_MINUTES = 3 };

/* Starts the thread with its own read-only connection to path. NULL with a reason in err. */
loader *loader_start(const char *path, char *err, size_t errlen);

/* Stops the thread and frees everything (NULL is fine). */
void loader_stop(loader *l);

/* Queues a request; a waiting request for the same session's tables is replaced. */
void loader_submit(loader *l, const load_req *r);

/* Takes the next result if there is one (1), else 0. Free it with load_result_free. */
int loader_take(loader *l, load_result *out);

/* 1 while a request is waiting or being read. */
int loader_busy(loader *l);

/* Frees what a result holds. */
void load_result_free(load_result *r);

#endif
