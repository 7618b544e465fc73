/* report: line, function and timeline reports of a recorded session, as text or JSON. */
#ifndef MW_REPORT_H
#define MW_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

enum report_kind { REPORT_LINES = 0, REPORT_FUNCTIONS, REPORT_TIMELINE };

typedef struct report_opts {
    int kind;              /* enum report_kind */
    double from, to;       /* seconds from the session's start (to: STORE_OPEN_END for the end) */
    int top;               /* at most this many rows by growth; 0: all */
    int json;              /* a JSON array instead of a table */
} report_opts;

/* Prints the report of session ss to f. Returns 0, or -1 (store_errmsg says why). */
int report_print(store *st, const store_session *ss, const report_opts *o, FILE *f);

/* Prints the top n lines of a session by growth with their source text
 * (the summary after run/attach). Returns 0, or -1 (store_errmsg says why). */
int report_print_top(store *st, int64_t session, int n, FILE *f);

/* Writes one line or function row as a JSON object ({"file": ..., "line": ...,
 * "function", "growth_bytes", "shrink_bytes", "net_bytes", "hits",
 * "peak_rss_bytes"[, "text"]}), the keys scripts rely on. */
void report_json_row(FILE *f, const store_report_row *r, int with_text);

/* Writes a Unix time as local "YYYY-MM-DD HH:MM:SS" to buf. */
char *report_format_time(double t, char *buf, size_t len);

#endif
