/* export: a recorded session in other tools' formats — memory_profiler's
 * mprof .dat, speedscope, collapsed stacks, Chrome trace events, CSV, JSON. */
#ifndef MW_EXPORT_H
#define MW_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "store.h"

typedef struct export_ctx {
    store *st;
    const store_session *sessions;   /* [0] the exported session, then its descendants (tree order) */
    size_t n;
    double from, to;                 /* seconds from sessions[0]'s start; to: STORE_OPEN_END */
    int what;                        /* csv, json: set of enum export_what (exargs.h) */
} export_ctx;

/* The range [*from, *to] of x->sessions[i] in seconds from its own start. */
void export_range(const export_ctx *x, size_t i, double *from, double *to);

/* Each writes the sessions to f in its format and returns 0, or -1
 * (store_errmsg says why; STORE_OK there means out of memory). */

/* memory_profiler's .dat: CMDLINE, then "MEM <MiB> <unix time>" per sample of
 * sessions[0] and "CHLD <pid> <MiB> <unix time>" per sample of the others. */
int export_mprof(const export_ctx *x, FILE *f);

/* Chrome trace event JSON: counters ("ph":"C") RSS, USS, PSS per process over time. */
int export_chrome(const export_ctx *x, FILE *f);

/* Collapsed stacks, one "frame;frame;... BYTES" line per stack that grew
 * (outermost first); with several sessions each stack starts with a
 * "[pid N] command" frame. */
int export_collapsed(const export_ctx *x, FILE *f);

/* A speedscope file: one "sampled" profile per session weighted by growth in bytes. */
int export_speedscope(const export_ctx *x, FILE *f);

/* CSV: one table (x->what: the timeline, the per-line or per-function sums). */
int export_csv(const export_ctx *x, FILE *f);

/* One JSON object: the session, its timeline, lines and functions (as x->what
 * asks), and its descendants in "children". */
int export_json(const export_ctx *x, FILE *f);

#endif
