/* proclist: every process with its owner and command line (libproc2). */
#include "proclist.h"

#include <libproc2/pids.h>
#include <stdlib.h>
#include <string.h>

#define PF_KTHREAD 0x00200000UL
#define MAX_PROCS (1u << 22)

enum { I_PID, I_PPID, I_EUID, I_START, I_STATE, I_FLAGS, I_CMDLINE, I_COMM };

/* Appends s (bounded) with its NUL to the text; returns its offset, or (size_t)-1 when out of memory. */
static size_t add_text(proclist *l, const char *s)
{
    size_t len = s ? strnlen(s, PROCLIST_CMDLINE_MAX - 1) : 0;
    if (l->textlen + len + 1 > l->textcap) {
        size_t cap = l->textcap ? l->textcap : 65536;
        while (cap < l->textlen + len + 1)
            cap *= 2;
        char *t = realloc(l->text, cap);
        if (!t)
            return (size_t)-1;
        l->text = t;
        l->textcap = cap;
    }
    size_t off = l->textlen;
    if (len)
        memcpy(l->text + off, s, len);
    l->text[off + len] = '\0';
    l->textlen += len + 1;
    return off;
}

static int by_pid(const void *a, const void *b)
{
    const proclist_entry *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

int proclist_scan(proclist *l)
{
    struct pids_info *info = l->info;
    if (!info) {
        enum pids_item items[] = { PIDS_ID_PID, PIDS_ID_PPID, PIDS_ID_EUID, PIDS_TICS_BEGAN,
                                   PIDS_STATE, PIDS_FLAGS, PIDS_CMDLINE, PIDS_CMD };
        if (procps_pids_new(&info, items, (int)(sizeof items / sizeof items[0])) < 0)
            return -1;
        l->info = info;
    }
    struct pids_fetch *f = procps_pids_reap(info, PIDS_FETCH_TASKS_ONLY);
    if (!f || !f->counts || f->counts->total < 0)
        return -1;
    size_t total = (size_t)f->counts->total;
    if (total > MAX_PROCS)
        total = MAX_PROCS;
    if (total > l->cap) {
        proclist_entry *p = realloc(l->items, total * sizeof *p);
        if (!p)
            return -1;
        l->items = p;
        l->cap = total;
    }
    l->n = 0;
    l->textlen = 0;
    if (add_text(l, "") == (size_t)-1)   /* offset 0: the empty command line */
        return -1;
    for (size_t i = 0; i < total; i++) {
        struct pids_stack *st = f->stacks[i];
        if (!st)
            continue;
        proclist_entry *e = &l->items[l->n];
        e->pid = PIDS_VAL(I_PID, s_int, st, info);
        e->ppid = PIDS_VAL(I_PPID, s_int, st, info);
        e->uid = PIDS_VAL(I_EUID, u_int, st, info);
        e->start = PIDS_VAL(I_START, ull_int, st, info);
        e->state = PIDS_VAL(I_STATE, s_ch, st, info);
        e->kthread = (PIDS_VAL(I_FLAGS, ul_int, st, info) & PF_KTHREAD) != 0;
        e->cmdline = 0;
        e->comm = add_text(l, PIDS_VAL(I_COMM, str, st, info));
        if (e->comm == (size_t)-1)
            return -1;
        if (!e->kthread) {
            size_t off = add_text(l, PIDS_VAL(I_CMDLINE, str, st, info));
            if (off == (size_t)-1)
                return -1;
            e->cmdline = off;
        }
        if (e->pid > 0)
            l->n++;
    }
    if (l->n > 1)
        qsort(l->items, l->n, sizeof *l->items, by_pid);
    return (int)l->n;
}

const char *proclist_cmdline(const proclist *l, const proclist_entry *e)
{
    return l->text && e->cmdline < l->textlen ? l->text + e->cmdline : "";
}

const char *proclist_comm(const proclist *l, const proclist_entry *e)
{
    return l->text && e->comm < l->textlen ? l->text + e->comm : "";
}

const proclist_entry *proclist_find(const proclist *l, pid_t pid)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->items[mid].pid == pid)
            return &l->items[mid];
        if (l->items[mid].pid < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int proclist_descends(const proclist *l, const proclist_entry *e, pid_t ancestor)
{
    for (int depth = 0; e && depth < 256; depth++) {
        if (e->ppid == ancestor)
            return 1;
        if (e->ppid <= 0 || e->ppid == e->pid)
            return 0;
        e = proclist_find(l, e->ppid);
    }
    return 0;
}

void proclist_free(proclist *l)
{
    if (l->info) {
        struct pids_info *info = l->info;
        procps_pids_unref(&info);
        l->info = NULL;
    }
    free(l->items);
    free(l->text);
    memset(l, 0, sizeof *l);
}
