/* rootfile: a target's files, resolved inside the target's own root. */
#include "rootfile.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* openat2(2) (Linux 5.6+); glibc 2.36 has no wrapper. -1 with ENOSYS on older kernels. */
static int open_beneath(int dirfd, const char *rel, int in_root)
{
#ifdef SYS_openat2
    struct open_how how = {
        .flags = OPEN_FLAGS,
        .resolve = (in_root ? RESOLVE_IN_ROOT : RESOLVE_BENEATH) | RESOLVE_NO_MAGICLINKS,
    };
    return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof how);
#else
    (void)dirfd, (void)rel, (void)in_root;
    errno = ENOSYS;
    return -1;
#endif
}

int rootfile_open(pid_t pid, const char *path)
{
    if (pid <= 0 || !path || !path[0]) {
        errno = EINVAL;
        return -1;
    }
    int absolute = path[0] == '/';
    const char *rel = path;
    while (*rel == '/')
        rel++;
    if (!*rel) {
        errno = EINVAL;
        return -1;
    }
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/%s", (int)pid, absolute ? "root" : "cwd");
    int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    int fd = open_beneath(dfd, rel, absolute);
    if (fd < 0 && errno == ENOSYS)
        fd = openat(dfd, rel, OPEN_FLAGS);   /* an old kernel: through the /proc link as it resolves */
    int saved = errno;
    close(dfd);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
        saved = EINVAL;
    }
    errno = saved;
    return fd;
}
