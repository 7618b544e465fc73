/* store_daemon: what `memwatch daemon` keeps in the store — watched sessions, retention, leak flags. */
#ifndef MW_STORE_DAEMON_H
#define MW_STORE_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Marks a session as recorded by the daemon, so that retention applies to it
 * (needs STORE_WRITE, outside a sink batch). Returns 0 or -1 (store_errmsg). */
int store_mark_watched(store *s, int64_t session);

/* Flags a session as leaking at time t: its slope (bytes per minute), the line
 * that grew most ("file:line", or NULL) and a 'leak' event with detail, in one
 * transaction. Returns 0 or -1. */
int store_set_leak(store *s, int64_t session, double t, double bytes_per_min, const char *where,
                   const char *detail);

/* Folds the timeline rows and charges of watched sessions older than the whole
 * minute holding older_than (Unix time) into per-minute rows (samples_minute:
 * min/max/mean of each figure; charges_minute: sums per stack), then deletes
 * them; one transaction. Returns the number of detail rows folded, or -1. */
int64_t store_downsample(store *s, double older_than);

/* Deletes the per-minute rows of watched sessions older than older_than, and
 * watched sessions that ended before it with everything recorded for them.
 * Returns the number of sessions deleted, or -1. */
int64_t store_prune(store *s, double older_than);

/* One flagged session. */
typedef struct store_leak {
    int64_t session;
    double t;                  /* when it was flagged */
    double bytes_per_min;
    char *where;               /* "file:line", NULL if no line was charged */
} store_leak;

typedef struct store_leaks {
    store_leak *items;         /* by session id */
    size_t n;
} store_leaks;

/* Lists every session flagged as leaking (any mode). Returns 0 or -1. */
int store_list_leaks(store *s, store_leaks *out);

/* The flag of session in a list, or NULL (binary search). */
const store_leak *store_leaks_find(const store_leaks *l, int64_t session);

/* Frees a list. */
void store_leaks_free(store_leaks *l);

#endif
