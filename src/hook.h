/* hook: runs a user's shell command (--on-leak) in the background, never waiting for it. */
#ifndef MW_HOOK_H
#define MW_HOOK_H

#include <stddef.h>
#include <sys/types.h>

#define HOOK_MAX_RUNNING 8

typedef struct hooks {
    pid_t running[HOOK_MAX_RUNNING];   /* 0: free slot */
} hooks;

/* Starts `/bin/sh -c cmd` with the environment plus the NAME=VALUE strings of
 * env (NULL-terminated), stdin from /dev/null, in its own process group.
 * Returns 0, or -1 with a one-line reason in err (too many still running,
 * spawn failed). */
int hook_start(hooks *h, const char *cmd, char *const *env, char *err, size_t errlen);

/* Reaps the commands that ended (never blocks). Returns how many still run. */
int hook_reap(hooks *h);

#endif
