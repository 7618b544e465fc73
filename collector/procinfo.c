/* procinfo: small facts about one process from /proc. */
#include "procinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int procinfo_parse_stat(const char *text, proc_stat *out)
{
    /* "pid (comm) S ppid ..." — comm may hold spaces and ')', so look for the last ')'. */
    const char *p = strrchr(text, ')');
    if (!p || p[1] != ' ' || !p[2])
        return -1;
    out->state = p[2];
    p += 3;
    /* fields after state: 4 ppid ... 9 flags ... 22 starttime */
    unsigned long long v[20];
    int field = 4;
    for (int i = 0; i < 19; i++, field++) {
        while (*p == ' ')
            p++;
        char *end;
        errno = 0;
        if (*p == '-') {
            (void)strtoll(p, &end, 10);
            v[i] = 0;
        } else {
            v[i] = strtoull(p, &end, 10);
        }
        if (end == p || errno)
            return -1;
        p = end;
    }
    out->ppid = (pid_t)v[0];        /* field 4 */
    out->flags = (unsigned long)v[5];  /* field 9 */
    out->start = v[18];             /* field 22 */
    return 0;
}

int procinfo_stat(pid_t pid, proc_stat *out)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            errno = ESRCH;
        return -1;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    int saved = errno;
    close(fd);
    if (n <= 0) {
        errno = n < 0 ? saved : ESRCH;
        return -1;
    }
    buf[n] = '\0';
    if (procinfo_parse_stat(buf, out) < 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

int procinfo_is_kthread(const proc_stat *st)
{
    return (st->flags & 0x00200000UL) != 0;
}

void procinfo_cmdline(pid_t pid, char *buf, size_t len)
{
    char path[64];
    if (len == 0)
        return;
    buf[0] = '\0';
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    if (n <= 0) {
        buf[0] = '\0';
        return;
    }
    while (n > 0 && buf[n - 1] == '\0')
        n--;
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[n] = '\0';
}

void procinfo_exe(pid_t pid, char *buf, size_t len)
{
    char path[64];
    if (len == 0)
        return;
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    ssize_t n = readlink(path, buf, len - 1);
    buf[n > 0 ? n : 0] = '\0';
}
