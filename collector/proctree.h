/* proctree: the process list (libproc2) and the descendants of a process. */
#ifndef MW_PROCTREE_H
#define MW_PROCTREE_H

#include <stddef.h>
#include <sys/types.h>

typedef struct proc_entry {
    pid_t pid, ppid;
    unsigned long long start;   /* start time in clock ticks since boot (tells reused pids apart) */
} proc_entry;

typedef struct proctree {
    void *info;                 /* libproc2 handle */
    proc_entry *procs;
    size_t n, cap;
} proctree;

/* Reads every process of the system into t->procs. Returns the count or -1. */
int proctree_scan(proctree *t);

/* Writes to out (at most max) the descendants of root found in procs[0..n),
 * parents before their children; returns how many were written (pure). */
size_t proctree_descendants(const proc_entry *procs, size_t n, pid_t root, pid_t *out, size_t max);

/* The entry of pid in the last scan, or NULL. */
const proc_entry *proctree_find(const proctree *t, pid_t pid);

/* Frees what the scans took. */
void proctree_free(proctree *t);

#endif
