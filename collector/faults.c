/* faults: per-thread page-fault counters (perf_event_open) whose overflows wake the collector.
 *
 * The kernel refuses to mmap the ring buffer of an inherited per-task
 * counter, so each thread gets its own counter; new threads are found by
 * watching the link count of /proc/PID/task (threads + 2). */
#include "faults.h"

#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define RING_PAGES 2        /* data pages per counter (a power of two) */
#define RING_PAGES_WORDS 32 /* the same, when each overflow carries registers and stack */

#if defined(__x86_64__)
#include <asm/perf_regs.h>
/* the general-purpose registers (the segment registers are refused on x86-64) */
#define REGS_MASK (((1ULL << (PERF_REG_X86_IP + 1)) - 1) | \
                   (((1ULL << PERF_REG_X86_64_MAX) - 1) & ~((1ULL << PERF_REG_X86_R8) - 1)))
#else
#define REGS_MASK 0ULL      /* elsewhere: overflows carry no registers */
#endif
#define WORDS_MAX (64 + FAULTS_STACK_BYTES / 8)

typedef struct counter {
    pid_t pid, tid;
    void *map;              /* metadata page + ring data pages */
    uint64_t *words;        /* registers + stack of the last overflow drained (WORDS_MAX) */
} counter;

typedef struct watched {
    pid_t pid;
    nlink_t nlink;          /* of /proc/PID/task when last scanned */
} watched;

struct faults {
    counter c[FAULTS_MAX_COUNTERS];
    int fds[FAULTS_MAX_COUNTERS];
    int n;
    watched procs[FAULTS_MAX_PROCS];
    int nprocs;
    uint64_t period;
    int kernel;             /* kernel-mode faults counted too */
    int words;              /* overflows carry registers and stack */
    size_t page;
    size_t ring;            /* data pages per counter */
};

static int open_counter(pid_t tid, uint64_t period, int exclude_kernel, int words)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_PAGE_FAULTS;
    a.sample_period = period;
    a.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME;
    if (words) {
        a.sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
        a.sample_regs_user = REGS_MASK;
        a.sample_stack_user = FAULTS_STACK_BYTES;
    }
    a.use_clockid = 1;
    a.clockid = CLOCK_MONOTONIC;
    a.wakeup_events = 1;
    a.exclude_kernel = (unsigned)exclude_kernel;
    a.exclude_hv = 1;
    return (int)syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static int read_paranoid(void)
{
    FILE *fp = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
    int v = 2;
    if (fp) {
        if (fscanf(fp, "%d", &v) != 1)
            v = 2;
        fclose(fp);
    }
    return v;
}

static const char *reason(int e)
{
    switch (e) {
    case EACCES: case EPERM:
        return read_paranoid() > 2 ? "perf events are disabled (kernel.perf_event_paranoid > 2)"
                                   : "not allowed: needs root, CAP_PERFMON or kernel.perf_event_paranoid <= 1";
    case ENOSYS: return "this kernel has no perf events";
    case ENOENT: case EOPNOTSUPP: return "this kernel has no page-fault counter";
    case ESRCH: return "the process is gone";
    case EMFILE: case ENFILE: return "out of file descriptors";
    default: return strerror(e);
    }
}

static int has_counter(const faults *f, pid_t tid)
{
    for (int i = 0; i < f->n; i++)
        if (f->c[i].tid == tid)
            return 1;
    return 0;
}

/* Opens a counter on one thread. Returns 0, 1 if the thread is gone, or -1 with errno. */
static int add_thread(faults *f, pid_t pid, pid_t tid)
{
    if (f->n >= FAULTS_MAX_COUNTERS) {
        errno = EMFILE;
        return -1;
    }
    int fd = open_counter(tid, f->period, !f->kernel, f->words);
    if (fd < 0 && f->words && errno != ESRCH) {
        f->words = 0;    /* a kernel or an architecture that copies no registers: plain overflows */
        fd = open_counter(tid, f->period, !f->kernel, 0);
    }
    if (fd < 0 && f->kernel && (errno == EACCES || errno == EPERM)) {
        f->kernel = 0;   /* an unprivileged user may count user-mode faults only */
        fd = open_counter(tid, f->period, 1, f->words);
    }
    if (fd < 0)
        return errno == ESRCH ? 1 : -1;
    void *map = mmap(NULL, (1 + f->ring) * f->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    f->c[f->n] = (counter){ pid, tid, map, NULL };
    f->fds[f->n] = fd;
    f->n++;
    return 0;
}

static void drop_counter(faults *f, int i)
{
    munmap(f->c[i].map, (1 + f->ring) * f->page);
    free(f->c[i].words);
    close(f->fds[i]);
    f->n--;
    f->c[i] = f->c[f->n];
    f->fds[i] = f->fds[f->n];
}

/* Opens counters on threads of w not counted yet. Returns 0, or -1 with errno. */
static int scan_threads(faults *f, watched *w)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)w->pid);
    struct stat st;
    if (stat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (st.st_nlink == w->nlink)
        return 0;
    DIR *d = opendir(path);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    w->nlink = st.st_nlink;
    int rc = 0;
    struct dirent *de;
    for (int guard = 0; (de = readdir(d)) != NULL && guard < 100000; guard++) {
        char *end;
        long tid = strtol(de->d_name, &end, 10);
        if (*end || tid <= 0 || has_counter(f, (pid_t)tid))
            continue;
        if (add_thread(f, w->pid, (pid_t)tid) < 0) {
            rc = -1;
            break;
        }
    }
    int e = errno;
    closedir(d);
    errno = e;
    return rc;
}

faults *faults_open(pid_t pid, uint64_t period_pages, char *why, size_t whylen)
{
    if (getenv("MEMWATCH_NO_PERF_EVENTS")) {
        snprintf(why, whylen, "turned off by MEMWATCH_NO_PERF_EVENTS");
        return NULL;
    }
    faults *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    f->page = (size_t)sysconf(_SC_PAGESIZE);
    f->kernel = 1;
    f->words = REGS_MASK != 0 && !getenv("MEMWATCH_NO_FAULT_STACKS");
    f->ring = f->words ? RING_PAGES_WORDS : RING_PAGES;
    f->period = period_pages ? period_pages : 1;
    if (faults_add_process(f, pid) < 0 || f->n == 0) {
        snprintf(why, whylen, "%s", reason(f->n == 0 && errno == 0 ? ESRCH : errno));
        faults_close(f);
        return NULL;
    }
    return f;
}

int faults_add_process(faults *f, pid_t pid)
{
    for (int i = 0; i < f->nprocs; i++)
        if (f->procs[i].pid == pid)
            return 0;
    if (f->nprocs >= FAULTS_MAX_PROCS) {
        errno = EMFILE;
        return -1;
    }
    watched *w = &f->procs[f->nprocs++];
    w->pid = pid;
    w->nlink = 0;
    errno = 0;
    return scan_threads(f, w);
}

void faults_watch(faults *f)
{
    for (int i = 0; i < f->nprocs; i++)
        (void)scan_threads(f, &f->procs[i]);
}

void faults_refresh(faults *f)
{
    for (int i = 0; i < f->nprocs; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d", (int)f->procs[i].pid);
        if (access(path, F_OK) < 0) {
            f->procs[i--] = f->procs[--f->nprocs];
            continue;
        }
        (void)scan_threads(f, &f->procs[i]);
    }
    /* a counter on a thread that ended reads as hung up: close it */
    for (int i = 0; i < f->n; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/task/%d", (int)f->c[i].pid, (int)f->c[i].tid);
        if (access(path, F_OK) < 0)
            drop_counter(f, i--);
    }
}

int faults_fds(const faults *f, const int **fds)
{
    *fds = f->fds;
    return f->n;
}

int faults_has_words(const faults *f)
{
    return f->words;
}

int faults_kernel_counted(const faults *f)
{
    return f->kernel;
}

/* Copies len bytes at offset off of a ring of size bytes. */
static void ring_copy(const unsigned char *data, size_t size, uint64_t off, void *out, size_t len)
{
    size_t at = (size_t)(off % size), first = len < size - at ? len : size - at;
    memcpy(out, data + at, first);
    if (len > first)
        memcpy((unsigned char *)out + first, data, len - first < size ? len - first : size);
}

/* Copies the registers and user stack of the sample record at off (of
 * rec_size bytes, its TID and time read) into c->words; returns the word count. */
static size_t copy_words(counter *c, const unsigned char *data, size_t size, uint64_t off, size_t rec_size)
{
    size_t pos = sizeof(struct perf_event_header) + 16, n = 0;
    uint64_t abi, len;
    if (!c->words && !(c->words = malloc(WORDS_MAX * sizeof *c->words)))
        return 0;
    if (pos + 8 > rec_size)
        return 0;
    ring_copy(data, size, off + pos, &abi, 8);
    pos += 8;
    if (abi) {
        size_t nregs = (size_t)__builtin_popcountll(REGS_MASK);
        if (pos + 8 * nregs > rec_size || nregs > 64)
            return 0;
        ring_copy(data, size, off + pos, c->words, 8 * nregs);
        pos += 8 * nregs;
        n = nregs;
    }
    if (pos + 8 > rec_size)
        return n;
    ring_copy(data, size, off + pos, &len, 8);
    pos += 8;
    if (len == 0 || len > FAULTS_STACK_BYTES || pos + len + 8 > rec_size)
        return n;
    uint64_t dyn;
    ring_copy(data, size, off + pos + len, &dyn, 8);   /* bytes of the stack actually copied */
    if (dyn < len)
        len = dyn;
    ring_copy(data, size, off + pos, c->words + n, (size_t)(len / 8) * 8);
    return n + (size_t)(len / 8);
}

size_t faults_drain(faults *f, fault_hit *out, size_t max, uint64_t *lost)
{
    size_t got = 0;
    size_t size = f->ring * f->page;
    for (int i = 0; i < f->n; i++) {
        uint64_t last_off = 0;
        size_t last_hit = SIZE_MAX, last_size = 0;
        struct perf_event_mmap_page *meta = f->c[i].map;
        const unsigned char *data = (const unsigned char *)f->c[i].map + f->page;
        uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
        uint64_t tail = meta->data_tail;
        if (head - tail > size)   /* cannot happen with a sane kernel: drop everything */
            tail = head;
        while (tail + sizeof(struct perf_event_header) <= head) {
            struct perf_event_header h;
            ring_copy(data, size, tail, &h, sizeof h);
            if (h.size < sizeof h || tail + h.size > head)
                break;
            if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof h + 16) {
                uint32_t v[2];
                uint64_t when;
                ring_copy(data, size, tail + sizeof h, v, sizeof v);
                ring_copy(data, size, tail + sizeof h + 8, &when, sizeof when);
                if (got < max) {
                    last_hit = got;
                    last_off = tail;
                    last_size = h.size;
                    out[got++] = (fault_hit){ (pid_t)v[0], (pid_t)v[1], when, NULL, 0, 0 };
                }
            } else if (h.type == PERF_RECORD_LOST && h.size >= sizeof h + 16 && lost) {
                uint64_t v[2];
                ring_copy(data, size, tail + sizeof h, v, sizeof v);
                *lost += v[1];
            }
            tail += h.size;
        }
        if (last_hit != SIZE_MAX)
            out[last_hit].last = 1;
        if (f->words && last_hit != SIZE_MAX) {
            out[last_hit].nwords = copy_words(&f->c[i], data, size, last_off, last_size);
            out[last_hit].words = out[last_hit].nwords ? f->c[i].words : NULL;
        }
        __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
    }
    return got;
}

void faults_close(faults *f)
{
    if (!f)
        return;
    while (f->n > 0)
        drop_counter(f, f->n - 1);
    free(f);
}
