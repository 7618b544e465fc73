/* launch: start a command held at the door until the profiler is ready. */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitcodes.h"

int launch_prepare(launch *l, char *const argv[], char *msg, size_t msglen)
{
    int go[2], err[2];
    if (pipe2(go, O_CLOEXEC) < 0) {
        snprintf(msg, msglen, "cannot start %s: %s", argv[0], strerror(errno));
        return -1;
    }
    if (pipe2(err, O_CLOEXEC) < 0) {
        snprintf(msg, msglen, "cannot start %s: %s", argv[0], strerror(errno));
        close(go[0]);
        close(go[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(msg, msglen, "cannot start %s: %s", argv[0], strerror(errno));
        close(go[0]); close(go[1]); close(err[0]); close(err[1]);
        return -1;
    }
    if (pid == 0) {
        close(go[1]);
        close(err[0]);
        char c;
        ssize_t r;
        do
            r = read(go[0], &c, 1);
        while (r < 0 && errno == EINTR);
        if (r != 1)
            _exit(MW_EXIT_ERROR);   /* the profiler went away before it was ready */
        /* the child starts with the signal dispositions a shell would give it */
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        int e = errno;
        if (write(err[1], &e, sizeof e) < 0) {
            /* nothing more to tell: the exit status says it */
        }
        _exit(e == ENOENT ? MW_EXIT_NOTFOUND : MW_EXIT_NOEXEC);
    }
    close(go[0]);
    close(err[1]);
    l->pid = pid;
    l->go_fd = go[1];
    l->err_fd = err[0];
    return 0;
}

int launch_go(launch *l, const char *cmd, char *msg, size_t msglen)
{
    char c = 'g';
    ssize_t w = write(l->go_fd, &c, 1);
    close(l->go_fd);
    l->go_fd = -1;
    int e = 0;
    ssize_t r;
    do
        r = read(l->err_fd, &e, sizeof e);
    while (r < 0 && errno == EINTR);
    close(l->err_fd);
    l->err_fd = -1;
    if (w == 1 && r == 0)
        return 0;
    int st;
    while (waitpid(l->pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (r != (ssize_t)sizeof e) {
        snprintf(msg, msglen, "cannot start %s", cmd);
        return MW_EXIT_ERROR;
    }
    if (e == ENOENT) {
        snprintf(msg, msglen, "%s: command not found", cmd);
        return MW_EXIT_NOTFOUND;
    }
    snprintf(msg, msglen, "%s: cannot execute: %s", cmd, strerror(e));
    return MW_EXIT_NOEXEC;
}
