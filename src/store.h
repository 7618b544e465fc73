/* store: the SQLite database of sessions — open, record (as a collector sink), query. */
#ifndef MW_STORE_H
#define MW_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sink.h"

typedef struct store store;

enum store_mode { STORE_READ = 0, STORE_WRITE = 1 };

/* Why an open or a write failed. */
enum store_errkind {
    STORE_OK = 0,
    STORE_ERR_NOFILE,    /* read: there is no database at that path (nothing recorded yet) */
    STORE_ERR_OPEN,      /* cannot open, create or write the file or its directory */
    STORE_ERR_NOTDB,     /* not a memwatch database (a text file, another program's SQLite) */
    STORE_ERR_CORRUPT,   /* corrupt or truncated */
    STORE_ERR_NEWER,     /* written by a newer memwatch */
    STORE_ERR_FULL,      /* the disk is full (what was committed is kept) */
    STORE_ERR_BUSY,      /* another process held the database too long */
    STORE_ERR_OTHER,     /* anything else (out of memory, I/O error) */
};

/* The memwatch mark in the database header (PRAGMA application_id). */
#define STORE_APPLICATION_ID 1836540276   /* 'mwat' */

/* Opens (STORE_WRITE: creating it, mode 0600, and migrating it) the database
 * at path. Returns the store, or NULL with a one-line reason in err. */
store *store_open(const char *path, int mode, char *err, size_t errlen);

/* As store_open, and sets *kind (enum store_errkind) to why it failed. */
store *store_open_kind(const char *path, int mode, int *kind, char *err, size_t errlen);

/* Closes the database (a writer checkpoints its WAL). NULL is fine. */
void store_close(store *s);

/* The exit status (exitcodes.h) that fits an enum store_errkind. */
int store_exit_status(int kind);

/* Kind (enum store_errkind) and one-line message of the last failure. */
int store_errkind(const store *s);
const char *store_errmsg(const store *s);

/* 1 if a write failed because the disk (or quota) was full. */
int store_disk_full(const store *s);

/* The path the store was opened with. */
const char *store_path(const store *s);

/* A sink (collector/sink.h) writing into s; batch_begin/batch_commit make one
 * transaction, and a batch in which a write failed is rolled back whole by
 * batch_commit (which then returns -1). Each call maps its own collector
 * stack ids. Valid until store_close. */
mw_sink store_sink(store *s);

/* ---- queries (any mode) ---- */

/* One session as shown to a user. A 'live' session whose collector is gone
 * is reported as MW_END_CUT with end = its last sample. */
typedef struct store_session {
    int64_t id, parent;        /* parent 0: none */
    int pid;
    char *cmdline, *exe, *python;   /* exe/python NULL when unknown */
    double start, end;         /* Unix time; end 0 while live */
    int has_exit, exit_code;
    double interval, rate;
    int status;                /* enum mw_end_status */
    int64_t samples;
    double last_t;             /* time of the last sample, 0 if none */
    int64_t peak_rss;          /* MW_NOVAL if no sample */
    int children;              /* direct child sessions */
} store_session;

typedef struct store_sessions {
    store_session *items;
    size_t n;
} store_sessions;

/* Lists every session by id. Returns 0 or -1 (store_errmsg says why). */
int store_list_sessions(store *s, store_sessions *out);

/* Frees a list (its strings too). */
void store_sessions_free(store_sessions *l);

/* Reads one session. Returns 0, 1 if there is no such session, -1 on error. */
int store_get_session(store *s, int64_t id, store_session *out);

/* Frees the strings of one session. */
void store_session_clear(store_session *ss);

/* The most recent top-level session. Returns 0, 1 if there is none, -1 on error. */
int store_latest_session(store *s, int64_t *id);

/* A time range in seconds from the session's start; use STORE_OPEN_END for no bound. */
#define STORE_OPEN_END 1e300

/* Calls fn for each timeline row with from <= t - start <= to, in time order
 * (figures not known are MW_NOVAL). fn returns 0 to go on, non-zero to stop.
 * Returns 0 or -1. */
int store_timeline(store *s, int64_t session, double from, double to,
                   int (*fn)(void *arg, const mw_sample *row), void *arg);

/* One row of a line or function report: sums over the intervals in the range. */
typedef struct store_report_row {
    const char *file, *func;
    int32_t line;              /* line (function report: the def line) */
    int64_t growth, shrink, net, hits;
    int64_t peak_rss;          /* highest RSS while it ran, MW_NOVAL if unknown */
    const char *text;          /* source of that line, NULL if not saved */
} store_report_row;

enum store_order { STORE_BY_GROWTH = 0, STORE_BY_NET, STORE_BY_HITS, STORE_BY_PLACE };
enum store_group { STORE_LINES = 0, STORE_FUNCTIONS };

/* Sums the charges of intervals ending in [from, to] (seconds from start)
 * per line (file, line of the innermost frame) or per function (file,
 * function), ordered by order (STORE_BY_PLACE: file then line), at most limit
 * rows (0: all). Calls fn per row; the row's strings live until fn returns.
 * Returns 0 or -1. */
int store_report(store *s, int64_t session, int group, double from, double to, int order,
                 int limit, int (*fn)(void *arg, const store_report_row *row), void *arg);

/* Copies the saved source text of file:line into buf. Returns 0, 1 if not saved, -1 on error. */
int store_source_line(store *s, int64_t session, const char *file, int32_t line, char *buf, size_t len);

/* Calls fn for each event of a session, in time order. Returns 0 or -1. */
int store_events(store *s, int64_t session,
                 int (*fn)(void *arg, double t, const char *kind, const char *detail), void *arg);

/* One frame of a stack as stored. */
typedef struct store_frame {
    const char *file, *func;
    int32_t line;              /* 0 or less: a pseudo frame ("[no Python frame]") */
} store_frame;

/* The deepest stack store_stacks follows; deeper chains lose their outermost frames. */
#define STORE_MAX_DEPTH 512

/* One stack's sums over a range: its frames outermost first. */
typedef struct store_stack_row {
    int64_t stack;             /* the innermost stack id */
    const store_frame *frames; /* frames[0] outermost, frames[depth - 1] the charged line */
    size_t depth;
    int truncated;             /* 1 if outer frames were dropped (deeper than STORE_MAX_DEPTH) */
    int64_t growth, shrink, hits;
} store_stack_row;

/* Sums the charges of intervals ending in [from, to] (seconds from start) per
 * whole stack, ordered by growth (largest first) then stack id, and calls fn
 * per stack; the row and its strings live until fn returns (non-zero stops).
 * Returns 0 or -1. */
int store_stacks(store *s, int64_t session, double from, double to,
                 int (*fn)(void *arg, const store_stack_row *row), void *arg);

/* Calls fn, in time order, for each interval ending in [from, to] (seconds
 * from start) that charged file:line (as the innermost frame), with t in
 * seconds from the session's start and that interval's growth and shrink
 * there. Returns 0 or -1. */
int store_line_times(store *s, int64_t session, double from, double to, const char *file, int32_t line,
                     int (*fn)(void *arg, double t, int64_t growth, int64_t shrink), void *arg);

/* The first and last timeline samples with a known RSS: their times and RSS.
 * Returns 0, 1 if the session has none, -1 on error. */
int store_rss_span(store *s, int64_t session, double *t0, int64_t *rss0, double *t1, int64_t *rss1);

/* Calls fn for each saved source line of file in a session, by line number. Returns 0 or -1. */
int store_source_file(store *s, int64_t session, const char *file,
                      int (*fn)(void *arg, int32_t line, const char *text), void *arg);

/* One minute of a session's timeline folded: its samples' lowest and highest
 * RSS, USS and PSS (MW_NOVAL when never known). */
typedef struct store_minute {
    double t;                  /* the minute's start, Unix time */
    int64_t n;                 /* samples in it */
    int64_t lo[3], hi[3];      /* RSS, USS, PSS */
} store_minute;

/* Calls fn for each minute of the timeline starting in [from, to] (seconds
 * from the session's start, minus the minute under from), in time order.
 * fn returns 0 to go on, non-zero to stop. Returns 0 or -1. */
int store_timeline_minutes(store *s, int64_t session, double from, double to,
                           int (*fn)(void *arg, const store_minute *m), void *arg);

/* Deletes a session, its child sessions and everything recorded for them
 * (needs STORE_WRITE). Returns 0, 1 if there is no such session, -1 on error
 * (a session still being recorded is refused: store_errmsg says so). */
int store_delete_session(store *s, int64_t session);

/* Name of an enum mw_end_status as stored: "live", "ended", "detached", "cut". */
const char *store_status_name(int status);

#endif
