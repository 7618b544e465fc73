/* target: one watched process — its figures, Python reader, charges and session. */
#ifndef MW_TARGET_H
#define MW_TARGET_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "attrib.h"
#include "memstat.h"
#include "pyreader.h"
#include "sink.h"
#include "srcfiles.h"
#include "stackids.h"

/* What every target of one collector shares. */
typedef struct target_ctx {
    const mw_sink *sink;
    strtab *strings;
    stackids *stacks;
    srcfiles *sources;
    uint32_t announced;          /* stack nodes [1..announced] were written to the sink */
    double interval, rate;
    FILE *log;                   /* one-line notices, NULL when quiet */
    py_stack scratch;            /* one stack buffer reused by every tick */
    int64_t fault_slack;         /* growth (bytes) a timer tick leaves to the fault samples; more
                                    than that, which they evidently missed, the tick charges */
    uint32_t pseudo_nopy, pseudo_torn, pseudo_full, pseudo_native;
} target_ctx;

typedef struct u32set {
    uint32_t *slots;             /* 0 = empty */
    size_t mask, n;
} u32set;

typedef struct target {
    pid_t pid;
    unsigned long long start_ticks; /* process start time, tells a reused pid apart */
    int64_t session;
    int64_t parent_session;
    int launched;                /* 1 if this collector started it (and reaps it) */
    int is_root;                 /* watched for itself, not as a descendant */
    int growth_by_faults;
    uint32_t fault_prev_stack;   /* stack read by the last fault sample, its thread and time */
    pid_t fault_prev_tid;
    uint64_t fault_prev_ns;        /* page-fault counters watch its threads: timer ticks charge no growth */
    int alive;
    int ended;                   /* its session end was written */
    char exe[512];
    memstat mem;
    pyreader *reader;
    int py_state;                /* 0 trying, 1 reading, 2 not Python / unsupported */
    double py_next_try, py_give_up;
    char py_msg[256];            /* why the last look for an interpreter failed */
    attrib charges;
    u32set charged;              /* innermost stack nodes charged over the session */
    int64_t last_rss, interval_peak;
    uint32_t interval_ticks;
    /* figures for the summary */
    uint64_t rows, ticks, torn, fault_samples;
    int64_t peak_rss, peak_uss, peak_pss, final_rss;
    mem_figures last;            /* the last interval's figures */
    double first_t, last_t;
} target;

/* Opens the figures of pid and begins its session (inside a sink batch);
 * cmdline, when not NULL, is recorded instead of /proc/PID/cmdline.
 * Returns 0, or -1 with a one-line reason in msg (errno ESRCH if gone). */
int target_begin(target_ctx *c, target *t, pid_t pid, int64_t parent_session, int launched,
                 const char *cmdline, double now, char *msg, size_t msglen);

/* What a page-fault sample knows of the overflows it stands for. */
typedef struct target_fault {
    pid_t tid;                   /* the thread that faulted */
    const uint64_t *times;       /* its overflow times (CLOCK_MONOTONIC ns) */
    size_t ntimes;
    const uint64_t *words;       /* its registers and stack at the last overflow, or NULL */
    size_t nwords;
    double share;                /* of the growth since the last sample, (0, 1]: several
                                    threads that overflowed together split it by their overflows */
} target_fault;

/* One sample: RSS now, the stack of the GIL holder (timer ticks: fault is
 * NULL) or of the thread that faulted, the change since the last sample
 * charged to it as taken by trigger (enum mw_trigger). Returns 0, or -1 if
 * the process is gone. */
int target_sample(target_ctx *c, target *t, double now, int trigger, const target_fault *fault);

/* Writes the interval's timeline row and charges (inside a sink batch).
 * Returns 0, -1 on a sink error, 1 if the process is gone (nothing written). */
int target_interval(target_ctx *c, target *t, double now);

/* Writes outstanding charges, source lines and the session's end (inside a batch). */
int target_end(target_ctx *c, target *t, double now, int status, int has_exit, int exit_code);

/* Writes stack nodes created since the last call (inside a batch). Returns 0 or -1. */
int target_announce(target_ctx *c);

/* Releases the target's resources (not its session). */
void target_free(target *t);

#endif
