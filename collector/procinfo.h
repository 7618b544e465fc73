/* procinfo: small facts about one process from /proc (command line, executable, state). */
#ifndef MW_PROCINFO_H
#define MW_PROCINFO_H

#include <stddef.h>
#include <sys/types.h>

typedef struct proc_stat {
    char state;                 /* R, S, D, Z, T, ... */
    pid_t ppid;
    unsigned long long start;   /* clock ticks since boot */
    unsigned long flags;        /* PF_* (PF_KTHREAD = 0x00200000) */
} proc_stat;

/* Parses the text of /proc/PID/stat (pure). Returns 0 or -1. */
int procinfo_parse_stat(const char *text, proc_stat *out);

/* Reads /proc/PID/stat. Returns 0, or -1 with errno (ESRCH if gone). */
int procinfo_stat(pid_t pid, proc_stat *out);

/* 1 if st describes a kernel thread. */
int procinfo_is_kthread(const proc_stat *st);

/* Command line with arguments joined by spaces (bounded by len); "" if unreadable. */
void procinfo_cmdline(pid_t pid, char *buf, size_t len);

/* Target of /proc/PID/exe; "" if unreadable. */
void procinfo_exe(pid_t pid, char *buf, size_t len);

#endif
