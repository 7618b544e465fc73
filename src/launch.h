/* launch: start a command held at the door until the profiler is ready. */
#ifndef MW_LAUNCH_H
#define MW_LAUNCH_H

#include <stddef.h>
#include <sys/types.h>

typedef struct launch {
    pid_t pid;
    int go_fd;      /* write end: one byte lets the child exec */
    int err_fd;     /* read end: the child's exec errno, or EOF once exec succeeded */
} launch;

/* Forks a child that waits, then execs argv[0] (searched in PATH) with argv.
 * Returns 0, or -1 with a one-line reason in msg. */
int launch_prepare(launch *l, char *const argv[], char *msg, size_t msglen);

/* Lets the child exec. Returns 0 once the exec succeeded; otherwise reaps the
 * child and returns the shell's status for it (127 not found, 126 not
 * executable) with a one-line reason in msg. */
int launch_go(launch *l, const char *cmd, char *msg, size_t msglen);

#endif
