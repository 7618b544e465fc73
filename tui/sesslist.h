/* sesslist: the rows of the sessions screen — sorted, filtered, children under parents (pure). */
#ifndef MW_TUI_SESSLIST_H
#define MW_TUI_SESSLIST_H

#include <stddef.h>
#include <stdint.h>

/* What a row needs of a session. */
typedef struct sl_entry {
    int64_t id, parent;        /* parent 0: none */
    const char *cmdline;
    double start, duration;    /* Unix time; seconds so far */
    int64_t peak;              /* bytes, INT64_MIN if unknown */
    double growth_per_min;     /* bytes per minute, NAN if unknown */
    int folded;                /* a top-level session whose descendants are hidden */
} sl_entry;

enum sl_sort { SL_NEWEST = 0, SL_OLDEST, SL_PEAK, SL_GROWTH, SL_DURATION, SL_COMMAND, SL_SORTS };

/* Name of a sort order as shown on screen ("newest first", ...). */
const char *sesslist_sort_name(int sort);

/* Given n entries sorted by id, fills order[] with the indexes to show and
 * depth[] (per shown row) with each row's depth under its root: top-level
 * sessions by sort, each followed by its descendants (by id) unless it is
 * folded; hidden[] (if not NULL, per shown row) gets how many descendants a
 * folded row hides. With a non-empty filter (case-insensitive, matched
 * against the command and the id), a tree is shown if any member matches:
 * its root, and the members that match (all of them if the root does).
 * Returns the number of rows, or -1 when out of memory. */
long sesslist_order(const sl_entry *e, size_t n, int sort, const char *filter, size_t *order, int *depth,
                    int *hidden);

/* The command for a narrow column into buf: the program and every absolute
 * path argument by their base names ("/usr/bin/python3 /a/b/app.py -v" ->
 * "python3 app.py -v"). Returns buf. */
char *sesslist_short_command(const char *cmd, char *buf, size_t len);

/* 1 if entry e matches filter (empty or NULL: everything matches). */
int sesslist_match(const sl_entry *e, const char *filter);

#endif
