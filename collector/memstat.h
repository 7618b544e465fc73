/* memstat: a process's memory figures from /proc (statm on the hot path, smaps_rollup per interval). */
#ifndef MW_MEMSTAT_H
#define MW_MEMSTAT_H

#include <stdint.h>
#include <sys/types.h>

typedef struct memstat {
    pid_t pid;
    int statm_fd;            /* /proc/PID/statm, kept open and re-read with pread */
    long page_size;
    void *pids_info;         /* libproc2 handle (struct pids_info *) */
} memstat;

typedef struct mem_figures {
    int64_t rss, uss, pss, swap;   /* bytes; MW_NOVAL (sink.h) where the kernel will not say */
} mem_figures;

/* Parses the text of /proc/PID/statm; returns RSS in bytes or -1 (pure). */
int64_t memstat_parse_statm(const char *text, long page_size);

/* Opens the figures of pid. Returns 0, or -1 with errno set (ESRCH: no such process). */
int memstat_open(memstat *m, pid_t pid);

/* Current RSS in bytes from statm (a few µs), or -1 if the process is gone. */
int64_t memstat_rss(memstat *m);

/* RSS, USS (private clean + dirty), PSS and swap from smaps_rollup via libproc2;
 * a figure that cannot be read is MW_NOVAL. Returns 0, or -1 if the process is gone. */
int memstat_full(memstat *m, mem_figures *out);

/* Releases what memstat_open took. */
void memstat_close(memstat *m);

#endif
