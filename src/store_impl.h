/* store_impl: what store_open.c, store_sink.c and store_query.c share (private). */
#ifndef MW_STORE_IMPL_H
#define MW_STORE_IMPL_H

#include <sqlite3.h>

#include "idcache.h"
#include "store.h"

/* The writer's prepared statements. */
enum store_stmt {
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
    ST_SESSION_INSERT, ST_SESSION_END, ST_SESSION_PYTHON,
    ST_SAMPLE_INSERT, ST_SESSION_SAMPLE,
    ST_STRING_FIND, ST_STRING_INSERT,
    ST_FRAME_FIND, ST_FRAME_INSERT,
    ST_STACK_FIND, ST_STACK_INSERT,
    ST_CHARGE_INSERT, ST_EVENT_INSERT, ST_SOURCE_INSERT,
    ST_COUNT
};

/* Collector stack ids of one sink, mapped to database stack ids. */
typedef struct store_nodemap {
    int64_t *db;               /* db[collector id], 0 = not announced */
    uint32_t cap;
    uint32_t *fresh;           /* ids mapped in the open batch (undone on rollback) */
    size_t nfresh, capfresh;
    int fresh_overflow;        /* too many to track: forget the whole map on rollback */
} store_nodemap;

typedef struct store_sinkctx {
    struct store *st;
    store_nodemap map;
    int broken;                /* allocation failed: every call fails */
    struct store_sinkctx *next;
} store_sinkctx;

struct store {
    sqlite3 *db;
    char *path;
    int mode;
    int empty;                 /* read: no schema yet, every query answers nothing */
    int errkind;
    char errmsg[512];
    int disk_full;
    sqlite3_stmt *stmt[ST_COUNT];
    int batch_depth;
    int batch_failed;
    double committed_t;        /* latest sample time committed, 0 if none */
    double pending_t;          /* latest sample time in the open batch */
    idcache strings, frames, stacks;
    store_sinkctx *sinks;
    store_sinkctx oom_sink;
    int collector_pid;
    unsigned long long collector_start;
};

/* Records a failure of SQLite call rc while doing what; returns -1. */
int store_fail(struct store *s, int rc, const char *what);

/* As store_fail, with errno as it was right after the failing call. */
int store_fail_errno(struct store *s, int rc, int err_no, const char *what);

/* Records a failure with a ready message of the given kind; returns -1. */
int store_failf(struct store *s, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* 1 if the collector (pid, start ticks) still runs; on doubt, 1. */
int store_collector_alive(int pid, unsigned long long start);

/* Prepares the writer's statements. Returns 0 or -1. */
int store_prepare_writer(struct store *s);

/* Frees sink contexts and caches. */
void store_sink_release(struct store *s);

#endif
