/* sink: what the collector hands its measurements to (the store plugs in here). */
#ifndef MW_SINK_H
#define MW_SINK_H

#include <stdint.h>
#include <sys/types.h>

/* A memory figure the kernel would not give is MW_NOVAL (stored as NULL). */
#define MW_NOVAL INT64_MIN

typedef struct mw_session_info {
    pid_t pid;
    int64_t parent_session;     /* 0 for none */
    const char *cmdline;        /* arguments joined by spaces */
    const char *exe;            /* resolved executable, may be NULL */
    double start;               /* Unix time, seconds */
    double interval;            /* timeline period, seconds */
    double rate;                /* stack ticks per second (0: memory only) */
    const char *python;         /* e.g. "3.12.1", NULL if not Python */
} mw_session_info;

typedef struct mw_sample {
    double t;                   /* Unix time */
    int64_t rss, uss, pss, swap; /* bytes, or MW_NOVAL */
    int64_t rss_peak;           /* highest RSS seen by ticks in this interval */
    uint32_t ticks;             /* stack ticks in this interval */
} mw_sample;

/* A stack node: a frame on top of a parent node. Ids are the collector's own,
 * dense from 1; each is announced once before any charge refers to it. */
typedef struct mw_stack_node {
    uint32_t id, parent;        /* parent 0 = outermost frame */
    const char *file, *func;
    int32_t firstline, line;
} mw_stack_node;

/* What took the samples behind a charge. */
enum mw_trigger { MW_TRIGGER_TIMER = 0, MW_TRIGGER_FAULT = 1 };

typedef struct mw_charge {
    uint32_t stack;             /* innermost node of the stack charged */
    int trigger;                /* enum mw_trigger */
    int64_t growth, shrink;     /* bytes; both >= 0 */
    uint32_t hits;
    int64_t peak_rss;
} mw_charge;

enum mw_end_status { MW_END_LIVE = 0, MW_END_ENDED, MW_END_DETACHED, MW_END_CUT };

typedef struct mw_session_end {
    double end;
    int status;                 /* enum mw_end_status */
    int has_exit;               /* 1 if exit_code is known */
    int exit_code;              /* as a shell reports it: 128+signal if killed */
} mw_session_end;

typedef struct mw_sink mw_sink;
struct mw_sink {
    void *ctx;
    /* Each returns 0, or -1 after recording a one-line reason readable with errmsg. */
    int (*batch_begin)(void *ctx);
    int (*batch_commit)(void *ctx);
    int (*session_begin)(void *ctx, const mw_session_info *info, int64_t *session_id);
    int (*session_end)(void *ctx, int64_t session, const mw_session_end *end);
    int (*sample)(void *ctx, int64_t session, const mw_sample *s);
    int (*stack_node)(void *ctx, const mw_stack_node *node);
    int (*charge)(void *ctx, int64_t session, double t, const mw_charge *c);
    int (*event)(void *ctx, int64_t session, double t, const char *kind, const char *detail);
    int (*source_line)(void *ctx, int64_t session, const char *file, int32_t line, const char *text);
    const char *(*errmsg)(void *ctx);
};

#endif
