/* memstat: RSS from statm every tick; USS/PSS/swap from smaps_rollup through libproc2. */
#include "memstat.h"

#include <errno.h>
#include <fcntl.h>
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sink.h"

int64_t memstat_parse_statm(const char *text, long page_size)
{
    /* statm: size resident shared text lib data dt (pages) */
    char *end;
    errno = 0;
    unsigned long long size = strtoull(text, &end, 10);
    if (end == text || *end != ' ' || errno)
        return -1;
    const char *p = end + 1;
    unsigned long long res = strtoull(p, &end, 10);
    if (end == p || errno || res > size)
        return -1;
    if (res > (unsigned long long)INT64_MAX / (unsigned long long)page_size)
        return -1;
    return (int64_t)res * page_size;
}

int memstat_open(memstat *m, pid_t pid)
{
    char path[64];
    m->pid = pid;
    m->pids_info = NULL;
    m->page_size = sysconf(_SC_PAGESIZE);
    snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
    m->statm_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (m->statm_fd < 0) {
        if (errno == ENOENT)
            errno = ESRCH;
        return -1;
    }
    return 0;
}

int64_t memstat_rss(memstat *m)
{
    char buf[256];
    ssize_t n = pread(m->statm_fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return memstat_parse_statm(buf, m->page_size);
}

enum { F_RSS, F_PRV, F_PSS, F_SWAP };

/* 1 if smaps_rollup of pid can be read (libproc2 reports 0 where it cannot).
 * The kernel checks access at open; reading even one byte would walk every
 * page table of the target, which is the expensive part, so only open it. */
static int rollup_readable(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

int memstat_full(memstat *m, mem_figures *out)
{
    int64_t rss = memstat_rss(m);
    if (rss < 0)
        return -1;
    out->rss = rss;
    out->uss = out->pss = out->swap = MW_NOVAL;
    if (!rollup_readable(m->pid))
        return 0;
    struct pids_info *info = m->pids_info;
    if (!info) {
        enum pids_item items[] = { PIDS_SMAP_RSS, PIDS_SMAP_PRV_TOTAL, PIDS_SMAP_PSS, PIDS_SMAP_SWAP };
        if (procps_pids_new(&info, items, 4) < 0)
            return 0;
        m->pids_info = info;
    }
    unsigned pid = (unsigned)m->pid;
    struct pids_fetch *f = procps_pids_select(info, &pid, 1, PIDS_SELECT_PID);
    if (!f || !f->counts || f->counts->total < 1 || !f->stacks || !f->stacks[0])
        return memstat_rss(m) < 0 ? -1 : 0;
    struct pids_stack *st = f->stacks[0];
    unsigned long rss_kb = PIDS_VAL(F_RSS, ul_int, st, info);
    /* A readable rollup of a live process always shows some RSS; zero means libproc2 could not read it. */
    if (rss_kb == 0)
        return 0;
    out->uss = (int64_t)PIDS_VAL(F_PRV, ul_int, st, info) * 1024;
    out->pss = (int64_t)PIDS_VAL(F_PSS, ul_int, st, info) * 1024;
    out->swap = (int64_t)PIDS_VAL(F_SWAP, ul_int, st, info) * 1024;
    return 0;
}

void memstat_close(memstat *m)
{
    if (m->statm_fd >= 0)
        close(m->statm_fd);
    m->statm_fd = -1;
    if (m->pids_info) {
        struct pids_info *info = m->pids_info;
        procps_pids_unref(&info);
        m->pids_info = NULL;
    }
}
