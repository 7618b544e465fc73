/* sampler: the collector's clock — stack ticks, timeline intervals, children. */
#ifndef MW_SAMPLER_H
#define MW_SAMPLER_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sink.h"

typedef struct sampler sampler;

typedef struct sampler_opts {
    double interval;      /* timeline period, s (> 0) */
    double rate;          /* stack ticks per second; 0: memory only */
    double duration;      /* s; 0: until the root process exits */
    int children;         /* follow descendants */
    int sampling;         /* enum sampler_trigger: which triggers take stack samples */
    int64_t fault_period; /* bytes faulted in between two page-fault samples */
    FILE *log;            /* one-line notices; NULL when quiet */
    int keep_running;     /* watch mode: go on when roots end, until *stop (sampler_add_root adds more) */
    /* Called after every interval's batch is committed (watch mode: find new
     * processes, retention...). Returns 0, or -1 to stop with an error. */
    int (*on_interval)(void *arg, sampler *s, double now);
    /* Polled with the sampler's sleep; on_fd (if set) is called when it is readable. */
    int extra_fd;
    void (*on_fd)(void *arg, sampler *s);
    void *hook_arg;
    double clock_speed;   /* tests of retention: recorded time runs this many times faster; 0: real time */
} sampler_opts;

enum sampler_trigger { SAMPLING_TIMER = 1, SAMPLING_FAULTS = 2, SAMPLING_BOTH = 3 };

enum sampler_end { SAMPLER_EXITED = 1, SAMPLER_DURATION, SAMPLER_STOPPED, SAMPLER_SINK_ERROR };

typedef struct sampler_result {
    int64_t session;                 /* the root process's session */
    int ended_by;                    /* enum sampler_end */
    int has_exit, exit_code;         /* root's exit status (launched roots only) */
    double start, end;               /* Unix time */
    uint64_t rows, ticks, torn;      /* root's timeline rows, stack ticks, torn stacks */
    int64_t peak_rss, peak_uss, peak_pss, final_rss;  /* root's figures (0 if never read) */
    unsigned children;               /* descendant sessions recorded */
    uint64_t missed_ticks;           /* ticks skipped because the collector fell behind */
    uint64_t fault_samples;          /* root's samples taken by page-fault overflows */
    uint64_t fault_placed;           /* of those, stacks placed by the faulting thread's registers */
    uint64_t faults_lost;            /* overflows the kernel dropped (collector too slow) */
    int sampling;                    /* triggers actually used (enum sampler_trigger) */
    double cpu_seconds;              /* collector CPU time (user + system) */
    char python[96];                 /* interpreter found in the root, "" if none */
    char error[256];                 /* set when ended_by == SAMPLER_SINK_ERROR */
} sampler_result;

/* Returns a sampler writing to sink, or NULL when out of memory. */
sampler *sampler_new(const sampler_opts *o, const mw_sink *sink);

/* Begins the root process's session. launched=1 when the caller forked it
 * (the sampler then reaps it); cmdline (or NULL: read from /proc) is what
 * the session records. Returns 0, or -1 with a one-line reason in msg. */
int sampler_start(sampler *s, pid_t root, int launched, const char *cmdline, char *msg, size_t msglen);

/* Samples until the root exits, the duration passes or *stop becomes non-zero;
 * ends every session. Returns 0, or -1 if the sink failed (res->error says why). */
int sampler_run(sampler *s, volatile sig_atomic_t *stop, sampler_result *res);

/* Watch mode: begins a session for another process to watch, with its
 * children. Returns 0, or -1 with a one-line reason in msg. */
int sampler_add_root(sampler *s, pid_t pid, char *msg, size_t msglen);

/* Number of processes watched now, and the i-th (figures, session, pid). */
size_t sampler_count(const sampler *s);
const struct target *sampler_target(const sampler *s, size_t i);

/* Frees the sampler. */
void sampler_free(sampler *s);

#endif
