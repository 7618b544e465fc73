/* proctree: the process list (libproc2) and the descendants of a process. */
#include "proctree.h"

#include <libproc2/pids.h>
#include <stdlib.h>

enum { I_PID, I_PPID, I_START };

int proctree_scan(proctree *t)
{
    struct pids_info *info = t->info;
    if (!info) {
        enum pids_item items[] = { PIDS_ID_PID, PIDS_ID_PPID, PIDS_TICS_BEGAN };
        if (procps_pids_new(&info, items, 3) < 0)
            return -1;
        t->info = info;
    }
    struct pids_fetch *f = procps_pids_reap(info, PIDS_FETCH_TASKS_ONLY);
    if (!f || !f->counts)
        return -1;
    size_t total = (size_t)f->counts->total;
    if (total > t->cap) {
        proc_entry *p = realloc(t->procs, total * sizeof *p);
        if (!p)
            return -1;
        t->procs = p;
        t->cap = total;
    }
    t->n = 0;
    for (size_t i = 0; i < total; i++) {
        struct pids_stack *st = f->stacks[i];
        if (!st)
            continue;
        proc_entry *e = &t->procs[t->n++];
        e->pid = PIDS_VAL(I_PID, s_int, st, info);
        e->ppid = PIDS_VAL(I_PPID, s_int, st, info);
        e->start = PIDS_VAL(I_START, ull_int, st, info);
    }
    return (int)t->n;
}

size_t proctree_descendants(const proc_entry *procs, size_t n, pid_t root, pid_t *out, size_t max)
{
    /* Breadth-first: every pass adds the children of what was found so far.
     * Each pid enters once, so it ends after at most n passes even if the
     * table (read while processes come and go) has a cycle. */
    size_t count = 0, head = 0;
    pid_t parent = root;
    for (;;) {
        for (size_t i = 0; i < n && count < max; i++) {
            if (procs[i].ppid != parent || procs[i].pid == root || procs[i].pid <= 0)
                continue;
            int seen = 0;
            for (size_t j = 0; j < count && !seen; j++)
                seen = out[j] == procs[i].pid;
            if (!seen)
                out[count++] = procs[i].pid;
        }
        if (head >= count)
            break;
        parent = out[head++];
    }
    return count;
}

const proc_entry *proctree_find(const proctree *t, pid_t pid)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->procs[i].pid == pid)
            return &t->procs[i];
    return NULL;
}

void proctree_free(proctree *t)
{
    if (t->info) {
        struct pids_info *info = t->info;
        procps_pids_unref(&info);
        t->info = NULL;
    }
    free(t->procs);
    t->procs = NULL;
    t->n = t->cap = 0;
}
