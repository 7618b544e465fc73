/* faults: page-fault counters on a target's threads that wake the collector where memory grows. */
#ifndef MW_FAULTS_H
#define MW_FAULTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FAULTS_MAX_COUNTERS 256   /* threads counted at once, over every process */
#define FAULTS_MAX_PROCS 64       /* processes whose threads are counted */

typedef struct faults faults;

/* One overflow of a counter: the thread that had just faulted in `period` pages. */
typedef struct fault_hit {
    pid_t pid, tid;
    uint64_t time_ns;        /* CLOCK_MONOTONIC when the counter overflowed */
    /* The thread's user registers and the top of its user stack at the
     * overflow, as 64-bit words (the last overflow of each thread per drain
     * only; NULL elsewhere, or where the kernel will not copy them). Valid
     * until the next faults_drain. */
    const uint64_t *words;
    size_t nwords;
    int last;                /* 1 on the thread's last overflow of the drain */
} fault_hit;

#define FAULTS_STACK_BYTES 8192   /* user stack copied at each overflow */

/* Opens a counter of page faults on every thread of pid, overflowing every
 * period_pages faults. Returns NULL with a one-line reason in why when the
 * kernel refuses (or MEMWATCH_NO_PERF_EVENTS is set, for tests). */
faults *faults_open(pid_t pid, uint64_t period_pages, char *why, size_t whylen);

/* Counts the threads of another process too (a child). Returns 0 or -1. */
int faults_add_process(faults *f, pid_t pid);

/* Opens counters on threads started since the last call; cheap when nothing
 * changed (one stat per process), so it can run every tick. */
void faults_watch(faults *f);

/* As faults_watch, and also forgets processes and threads that ended. */
void faults_refresh(faults *f);

/* File descriptors to poll for POLLIN (overflows waiting); returns their count.
 * The array changes with faults_refresh. */
int faults_fds(const faults *f, const int **fds);

/* Moves every waiting overflow into out (at most max; more are dropped) and
 * returns how many; `lost` gains the overflows the kernel dropped. Never blocks. */
size_t faults_drain(faults *f, fault_hit *out, size_t max, uint64_t *lost);

/* 1 if the overflows carry the faulting thread's registers and stack. */
int faults_has_words(const faults *f);

/* 1 if faults taken in kernel mode (e.g. read() filling a new buffer) are counted. */
int faults_kernel_counted(const faults *f);

/* Closes every counter. NULL is fine. */
void faults_close(faults *f);

#endif
