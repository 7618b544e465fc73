/* hook: background shell commands through posix_spawn, reaped with WNOHANG. */
#include "hook.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

#define MAX_ENV 4096

int hook_start(hooks *h, const char *cmd, char *const *env, char *err, size_t errlen)
{
    int slot = -1;
    hook_reap(h);
    for (int i = 0; i < HOOK_MAX_RUNNING && slot < 0; i++)
        if (!h->running[i])
            slot = i;
    if (slot < 0) {
        snprintf(err, errlen, "%d earlier commands still run", HOOK_MAX_RUNNING);
        return -1;
    }
    size_t ne = 0, nx = 0;
    while (environ && environ[ne] && ne < MAX_ENV)
        ne++;
    while (env && env[nx])
        nx++;
    char **envp = calloc(ne + nx + 1, sizeof *envp);
    if (!envp) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < ne; i++) {
        /* the command's own values of the variables memwatch sets win over inherited ones */
        const char *eq = strchr(environ[i], '=');
        size_t nl = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
        int shadowed = 0;
        for (size_t j = 0; j < nx && !shadowed; j++)
            shadowed = !strncmp(environ[i], env[j], nl);
        if (!shadowed)
            envp[k++] = environ[i];
    }
    for (size_t j = 0; j < nx; j++)
        envp[k++] = env[j];
    envp[k] = NULL;

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    sigset_t none, dflt;
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGPIPE);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGTERM);
    sigaddset(&dflt, SIGHUP);
    sigaddset(&dflt, SIGCHLD);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dflt);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    char *argv[] = { "sh", "-c", (char *)cmd, NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    free(envp);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start /bin/sh: %s", strerror(rc));
        return -1;
    }
    h->running[slot] = pid;
    return 0;
}

int hook_reap(hooks *h)
{
    int left = 0;
    for (int i = 0; i < HOOK_MAX_RUNNING; i++) {
        if (!h->running[i])
            continue;
        int st;
        pid_t r = waitpid(h->running[i], &st, WNOHANG);
        if (r == h->running[i] || (r < 0 && errno == ECHILD))
            h->running[i] = 0;
        else
            left++;
    }
    return left;
}
