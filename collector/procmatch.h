/* procmatch: which processes the daemon watches — command-line patterns, users, pids, exclusions (pure). */
#ifndef MW_PROCMATCH_H
#define MW_PROCMATCH_H

#include <stddef.h>
#include <sys/types.h>

typedef struct procmatch procmatch;

/* Returns an empty rule set (matches nothing), or NULL when out of memory. */
procmatch *procmatch_new(void);

/* Adds a POSIX extended regular expression searched in the command line.
 * Returns 0, or -1 with a one-line reason in err (bad pattern, out of memory). */
int procmatch_add_match(procmatch *m, const char *regex, char *err, size_t errlen);

/* Adds a pattern that excludes a process whatever else selects it. Returns 0 or -1 (reason in err). */
int procmatch_add_exclude(procmatch *m, const char *regex, char *err, size_t errlen);

/* Adds a user (effective uid) whose processes are selected. Returns 0 or -1 (out of memory). */
int procmatch_add_user(procmatch *m, uid_t uid);

/* Adds a process id selected explicitly. Returns 0 or -1 (out of memory). */
int procmatch_add_pid(procmatch *m, pid_t pid);

/* 1 if the rules select a process: its pid is listed, or it matches every kind
 * of criterion given (any --match pattern; any --user) — and no exclusion
 * pattern matches its command line. An empty command line (kernel thread)
 * never matches a pattern. */
int procmatch_test(const procmatch *m, pid_t pid, uid_t uid, const char *cmdline);

/* 1 if pid was listed explicitly. */
int procmatch_lists_pid(const procmatch *m, pid_t pid);

/* Number of criteria that select processes (patterns, users, pids); 0: nothing is selected. */
size_t procmatch_count(const procmatch *m);

/* Frees the rules. NULL is fine. */
void procmatch_free(procmatch *m);

#endif
