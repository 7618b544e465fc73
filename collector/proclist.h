/* proclist: every process of the system with its owner and command line (libproc2), for the daemon. */
#ifndef MW_PROCLIST_H
#define MW_PROCLIST_H

#include <stddef.h>
#include <sys/types.h>

#define PROCLIST_CMDLINE_MAX 4096   /* bytes of a command line kept (with its NUL) */

typedef struct proclist_entry {
    pid_t pid, ppid;
    uid_t uid;                  /* effective uid */
    unsigned long long start;   /* clock ticks since boot (tells reused pids apart) */
    char state;                 /* R, S, D, Z, ... */
    int kthread;                /* a kernel thread: no memory of its own to watch */
    size_t cmdline;             /* offset of the command line in the list's text */
    size_t comm;                /* offset of the process name (stat's comm) */
} proclist_entry;

typedef struct proclist {
    void *info;                 /* libproc2 handle */
    proclist_entry *items;      /* sorted by pid */
    size_t n, cap;
    char *text;                 /* command lines, NUL-terminated, arguments joined by spaces */
    size_t textlen, textcap;
} proclist;

/* Reads every process (not threads) into l, sorted by pid. Returns the count or -1. */
int proclist_scan(proclist *l);

/* The command line of an entry ("" for none). */
const char *proclist_cmdline(const proclist *l, const proclist_entry *e);

/* The process name of an entry ("" if unknown). */
const char *proclist_comm(const proclist *l, const proclist_entry *e);

/* The entry of pid in the last scan, or NULL. */
const proclist_entry *proclist_find(const proclist *l, pid_t pid);

/* 1 if ancestor is e's parent, grandparent... in the last scan (at most 256 levels). */
int proclist_descends(const proclist *l, const proclist_entry *e, pid_t ancestor);

/* Frees what the scans took. */
void proclist_free(proclist *l);

#endif
