/* data: what the screens show, read from the store into memory (no curses). */
#ifndef MW_TUI_DATA_H
#define MW_TUI_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "plot.h"
#include "store.h"

/* A session's timeline, times in seconds from its start. */
typedef struct timeline {
    double *t;
    int64_t *v[PLOT_SERIES];   /* RSS, USS, PSS (folded minutes: the lowest) */
    int64_t *hi[PLOT_SERIES];  /* folded minutes: the highest; NULL for samples */
    size_t n, cap;
    double start;
    double last_abs;           /* Unix time of the last row loaded */
} timeline;

/* Reads the rows after those already loaded (all of them the first time).
 * Returns the number of rows added, or -1 (store_errmsg says why). */
long timeline_load(store *st, int64_t session, double start, timeline *tl);

/* Reads the rows after Unix time after_abs into an empty tl. Returns the
 * number of rows, or -1 (store_errmsg says why). */
long timeline_load_after(store *st, int64_t session, double start, double after_abs, timeline *tl);

/* Appends the rows of src later than dst's last row to dst. Returns the number added, or -1 (out of memory). */
long timeline_append(timeline *dst, const timeline *src);

/* Reads the timeline folded per minute (store_timeline_minutes) into an
 * empty tl: each minute at its middle, lowest in v, highest in hi. Returns
 * the number of minutes, or -1 (store_errmsg says why). */
long timeline_load_minutes(store *st, int64_t session, double start, timeline *tl);

/* Frees the rows. */
void timeline_free(timeline *tl);

/* The timeline as plot input. */
plot_data timeline_plot(const timeline *tl);

/* A report row with its own strings. */
typedef struct rrow {
    char *file, *func, *text;
    int32_t line;
    int64_t growth, shrink, net, hits, peak;
} rrow;

typedef struct rtable {
    rrow *rows;
    size_t n, cap;
} rtable;

/* Replaces t with store_report(session, group, from, to, order, limit). Returns 0 or -1. */
int rtable_load(store *st, int64_t session, int group, double from, double to, int order, int limit, rtable *t);

/* Frees the rows. */
void rtable_free(rtable *t);

/* The sessions with their growth per minute (NAN when unknown). */
typedef struct sessions {
    store_sessions list;
    double *growth;            /* bytes per minute, per item */
} sessions;

/* Replaces s with the database's sessions. Returns 0 or -1. */
int sessions_load(store *st, sessions *s);

/* Replaces s with the direct children of session parent. Returns 0 or -1. */
int sessions_children(store *st, int64_t parent, sessions *s);

/* Frees the list. */
void sessions_free(sessions *s);

/* A fingerprint of the list (count, ids, samples, statuses) to tell whether it changed. */
uint64_t sessions_stamp(const store_sessions *l);

/* Seconds the session has run: to its end, or to now while live. */
double session_duration(const store_session *ss, double now);

/* Seconds from the start to the last sample (the plotted length). */
double session_length(const store_session *ss);

/* The current Unix time. */
double data_now(void);

#endif
