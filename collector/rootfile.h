/* rootfile: opens a file of another process as that process sees it. */
#ifndef MW_ROOTFILE_H
#define MW_ROOTFILE_H

#include <sys/types.h>

/* Opens the regular file `path` read-only as process pid sees it: an absolute
 * path inside /proc/PID/root, a relative one inside /proc/PID/cwd. Symbolic
 * links are resolved inside that root (an absolute link never leads out to
 * this machine's files; a relative path may not climb out of the cwd) and no
 * /proc magic link is followed. Returns an fd (O_CLOEXEC), or -1 with errno
 * set (ENOENT also when the process is gone, EACCES/EPERM when not allowed,
 * EINVAL when it is not a regular file). */
int rootfile_open(pid_t pid, const char *path);

#endif
