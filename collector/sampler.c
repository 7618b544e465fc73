/* sampler: the collector's clock — stack ticks, timeline intervals, children. */
#include "sampler.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "faults.h"
#include "procinfo.h"
#include "proctree.h"
#include "target.h"

#define MAX_TARGETS 1024
#define MAX_DESCENDANTS 4096
#define WATCH_PERIOD 0.002   /* s between looks for new threads to count faults of */
#define ENDED_KEPT 4096      /* ended processes remembered so an exiting one is not taken for new */

struct sampler {
    sampler_opts o;
    mw_sink sink;
    target_ctx ctx;
    target *targets;          /* targets[0] is the root */
    size_t n;
    proctree tree;
    double mono0, real0;      /* clocks at start: Unix time = real0 + (mono - mono0) */
    unsigned children;
    struct { pid_t pid; unsigned long long start; } gone[ENDED_KEPT];   /* ended, compacted away */
    size_t ngone;
    faults *fa;               /* page-fault counters on the root (inherited by its threads and children) */
    int sampling;             /* triggers in use */
    uint64_t faults_lost;
};

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now_unix(const sampler *s)
{
    double speed = s->o.clock_speed > 0 ? s->o.clock_speed : 1.0;
    return s->real0 + (clock_s(CLOCK_MONOTONIC) - s->mono0) * speed;
}

sampler *sampler_new(const sampler_opts *o, const mw_sink *sink)
{
    sampler *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->o = *o;
    s->sink = *sink;
    s->targets = calloc(MAX_TARGETS, sizeof *s->targets);
    s->ctx.sink = &s->sink;
    s->ctx.strings = strtab_new();
    s->ctx.stacks = stackids_new();
    s->ctx.sources = srcfiles_new();
    s->ctx.interval = o->interval;
    s->ctx.rate = o->rate;
    s->ctx.log = o->log;
    s->ctx.fault_slack = 4 * (o->fault_period > 0 ? o->fault_period : 1 << 20);
    if (!s->targets || !s->ctx.strings || !s->ctx.stacks || !s->ctx.sources) {
        sampler_free(s);
        return NULL;
    }
    s->sampling = o->rate > 0 ? o->sampling & SAMPLING_TIMER : 0;
    s->mono0 = clock_s(CLOCK_MONOTONIC);
    s->real0 = clock_s(CLOCK_REALTIME);
    return s;
}

/* Runs a sink batch around fn; returns fn's result, or -1 if the batch fails. */
static int batch(sampler *s, int (*fn)(sampler *, void *), void *arg)
{
    if (s->sink.batch_begin(s->sink.ctx) < 0)
        return -1;
    int rc = fn(s, arg);
    if (rc < 0) {
        (void)s->sink.batch_commit(s->sink.ctx);   /* the sink rolls back a batch whose write failed */
        return -1;
    }
    return s->sink.batch_commit(s->sink.ctx) < 0 ? -1 : rc;
}

struct start_args { pid_t pid; int launched; const char *cmdline; char *msg; size_t msglen; };

static int start_fn(sampler *s, void *arg)
{
    struct start_args *a = arg;
    double now = now_unix(s);
    if (target_begin(&s->ctx, &s->targets[0], a->pid, 0, a->launched, a->cmdline, now, a->msg, a->msglen) < 0)
        return -1;
    s->n = 1;
    s->targets[0].is_root = 1;
    /* the first row at once, so even a process that lives a few ms has one */
    return target_interval(&s->ctx, &s->targets[0], now) < 0 ? -1 : 0;
}

static int event_fn(sampler *s, void *arg)
{
    const char **kd = arg;
    return s->sink.event(s->sink.ctx, s->targets[0].session, now_unix(s), kd[0], kd[1]);
}

/* Opens the page-fault counters when asked; says in one line (and in the
 * session's events) which triggers take samples. Returns -1 on a sink error. */
static int open_faults(sampler *s, pid_t root)
{
    char why[160], detail[256];
    if (!(s->o.sampling & SAMPLING_FAULTS) || s->o.rate <= 0) {
        snprintf(detail, sizeof detail, "timer %.0f Hz", s->o.rate);
    } else {
        uint64_t pages = (uint64_t)s->o.fault_period / (uint64_t)sysconf(_SC_PAGESIZE);
        s->fa = faults_open(root, pages ? pages : 1, why, sizeof why);
        if (s->fa) {
            s->targets[0].growth_by_faults = 1;
            s->sampling |= SAMPLING_FAULTS;
            snprintf(detail, sizeof detail, "%spage faults every %lld KiB%s",
                     s->sampling & SAMPLING_TIMER ? "timer + " : "", (long long)(s->o.fault_period / 1024),
                     faults_kernel_counted(s->fa) ? "" : " (user-mode faults only)");
        } else {
            s->sampling = SAMPLING_TIMER;
            snprintf(detail, sizeof detail, "timer %.0f Hz only: page-fault sampling unavailable: %s",
                     s->o.rate, why);
            if (s->o.log)
                fprintf(s->o.log, "memwatch: page-fault sampling unavailable (%s); using timer ticks only\n", why);
        }
    }
    const char *kd[2] = { "sampling", detail };
    return batch(s, event_fn, kd) < 0 ? -1 : 0;
}

int sampler_start(sampler *s, pid_t root, int launched, const char *cmdline, char *msg, size_t msglen)
{
    struct start_args a = { root, launched, cmdline, msg, msglen };
    msg[0] = '\0';
    if (batch(s, start_fn, &a) < 0) {
        if (!msg[0])
            snprintf(msg, msglen, "%s", s->sink.errmsg(s->sink.ctx));
        return -1;
    }
    return open_faults(s, root) < 0 ? -1 : 0;
}

/* 1 if the process (pid, start) is watched now or was watched and ended. */
static int known_process(sampler *s, pid_t pid, unsigned long long start)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->targets[i].pid == pid && s->targets[i].start_ticks == start)
            return 1;
    size_t kept = s->ngone < ENDED_KEPT ? s->ngone : ENDED_KEPT;
    for (size_t i = 0; i < kept; i++)
        if (s->gone[i].pid == pid && s->gone[i].start == start)
            return 1;
    return 0;
}

/* Begins a session for every descendant of root r not watched yet. */
static int scan_children_of(sampler *s, const target *r, double now)
{
    static pid_t desc[MAX_DESCENDANTS];
    size_t nd = proctree_descendants(s->tree.procs, s->tree.n, r->pid, desc, MAX_DESCENDANTS);
    int64_t root_session = r->session;
    for (size_t i = 0; i < nd && s->n < MAX_TARGETS; i++) {
        const proc_entry *e = proctree_find(&s->tree, desc[i]);
        if (!e || known_process(s, e->pid, e->start))
            continue;
        proc_stat st;
        if (procinfo_stat(e->pid, &st) < 0 || st.state == 'Z' || procinfo_is_kthread(&st))
            continue;
        int64_t parent = root_session;
        for (size_t j = 0; j < s->n; j++)
            if (s->targets[j].pid == e->ppid && s->targets[j].alive)
                parent = s->targets[j].session;
        char msg[256];
        target *t = &s->targets[s->n];
        if (target_begin(&s->ctx, t, e->pid, parent, 0, NULL, now, msg, sizeof msg) < 0) {
            if (errno == EIO)
                return -1;
            continue;   /* it ended before it could be read */
        }
        s->n++;
        s->children++;
        if (s->fa)   /* past the limit a child has timer ticks only */
            t->growth_by_faults = faults_add_process(s->fa, e->pid) == 0;
        char detail[64];
        snprintf(detail, sizeof detail, "child %d (session %lld)", (int)e->pid, (long long)t->session);
        if (s->sink.event(s->sink.ctx, parent, now, "child", detail) < 0)
            return -1;
        if (target_interval(&s->ctx, t, now) < 0)
            return -1;
    }
    return 0;
}

/* Begins sessions for the new descendants of every root. */
static int scan_children(sampler *s, double now)
{
    if (proctree_scan(&s->tree) < 0)
        return 0;
    size_t roots = s->n;
    for (size_t i = 0; i < roots; i++) {
        if (s->targets[i].is_root && s->targets[i].alive && scan_children_of(s, &s->targets[i], now) < 0)
            return -1;
    }
    return 0;
}

/* Drops ended targets from the table (never the root of a run, which the
 * summary reads), so a long watch keeps room for new processes. */
static void compact(sampler *s)
{
    size_t keep = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->targets[i].ended && (i > 0 || s->o.keep_running)) {
            size_t slot = s->ngone++ % ENDED_KEPT;
            s->gone[slot].pid = s->targets[i].pid;
            s->gone[slot].start = s->targets[i].start_ticks;
            target_free(&s->targets[i]);
            continue;
        }
        if (keep != i)
            s->targets[keep] = s->targets[i];
        keep++;
    }
    s->n = keep;
}

static int interval_fn(sampler *s, void *arg)
{
    (void)arg;
    double now = now_unix(s);
    for (size_t i = 0; i < s->n; i++) {
        target *t = &s->targets[i];
        if (t->ended)
            continue;
        int rc = target_interval(&s->ctx, t, now);
        if (rc < 0)
            return -1;
        if (rc == 1 && (i > 0 || s->o.keep_running)) {
            if (target_end(&s->ctx, t, now, MW_END_ENDED, 0, 0) < 0)
                return -1;
            target_free(t);
        }
    }
    compact(s);
    int rc = s->o.children ? scan_children(s, now) : 0;
    if (s->fa)
        faults_refresh(s->fa);   /* counters for threads started since the last interval */
    return rc;
}

struct end_args { int root_status, has_exit, exit_code; };

static int end_fn(sampler *s, void *arg)
{
    struct end_args *a = arg;
    double now = now_unix(s);
    for (size_t i = 0; i < s->n; i++) {
        target *t = &s->targets[i];
        if (t->ended)
            continue;
        int status = i == 0 ? a->root_status : t->alive ? MW_END_DETACHED : MW_END_ENDED;
        if (target_end(&s->ctx, t, now, status, i == 0 && a->has_exit, a->exit_code) < 0)
            return -1;
    }
    return 0;
}

/* Reaps a launched root if it exited; returns 1 with *code set when it did. */
static int reap_root(sampler *s, int *code)
{
    target *r = &s->targets[0];
    if (!r->launched)
        return 0;
    int st;
    pid_t p = waitpid(r->pid, &st, WNOHANG);
    if (p != r->pid)
        return 0;
    *code = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
    r->alive = 0;
    return 1;
}

static void sleep_until(double mono_deadline)
{
    struct timespec ts;
    ts.tv_sec = (time_t)mono_deadline;
    ts.tv_nsec = (long)((mono_deadline - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_nsec = 999999999L;
    if (ts.tv_nsec < 0)
        ts.tv_nsec = 0;
    (void)clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);   /* EINTR: a signal to look at */
}

/* Takes a page-fault sample of every target whose counter overflowed. */
static void take_fault_samples(sampler *s)
{
    fault_hit hits[256];
    size_t n = faults_drain(s->fa, hits, 256, &s->faults_lost);
    if (!n)
        return;
    double now = now_unix(s);
    /* one stack read per thread that overflowed, at its last overflow (which
     * carries its registers); the process's growth since the last
     * sample is split between those threads by their overflows */
    uint64_t times[256];
    for (size_t i = 0; i < s->n; i++) {
        target *t = &s->targets[i];
        if (!t->alive)
            continue;
        size_t left = 0;
        for (size_t j = 0; j < n; j++)
            left += hits[j].pid == t->pid;
        for (size_t k = 0; k < n && left > 0; k++) {
            if (hits[k].pid != t->pid || !hits[k].last)
                continue;
            size_t nt = 0;
            for (size_t j = 0; j < n; j++)
                if (hits[j].pid == t->pid && hits[j].tid == hits[k].tid)
                    times[nt++] = hits[j].time_ns;
            target_fault tf = { hits[k].tid, times, nt, hits[k].words, hits[k].nwords, (double)nt / (double)left };
            left -= nt < left ? nt : left;
            if (target_sample(&s->ctx, t, now, MW_TRIGGER_FAULT, &tf) < 0)
                break;
        }
    }
}

/* Waits until mono_deadline, taking page-fault samples as counters overflow
 * and handing the caller's extra descriptor to its hook when readable. */
static void wait_until(sampler *s, double mono_deadline)
{
    int use_extra = s->o.on_fd && s->o.extra_fd >= 0;
    if (!s->fa && !use_extra) {
        sleep_until(mono_deadline);
        return;
    }
    struct pollfd pfd[FAULTS_MAX_COUNTERS + 1];
    int n = 0;
    if (s->fa) {
        const int *fds;
        n = faults_fds(s->fa, &fds);
        for (int i = 0; i < n; i++)
            pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
    }
    int extra = -1;
    if (use_extra) {
        extra = n;
        pfd[n++] = (struct pollfd){ .fd = s->o.extra_fd, .events = POLLIN };
    }
    for (int rounds = 0; rounds < 64; rounds++) {
        double left = mono_deadline - clock_s(CLOCK_MONOTONIC);
        if (left <= 0)
            return;
        struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
        int r = ppoll(pfd, (nfds_t)n, &ts, NULL);
        if (r <= 0)
            return;   /* timeout, or a signal to look at */
        if (extra >= 0 && (pfd[extra].revents & POLLIN) && s->o.on_fd)
            s->o.on_fd(s->o.hook_arg, s);
        if (s->fa)
            take_fault_samples(s);
    }
}

struct root_args { pid_t pid; char *msg; size_t msglen; };

static int add_root_fn(sampler *s, void *arg)
{
    struct root_args *a = arg;
    double now = now_unix(s);
    target *t = &s->targets[s->n];
    if (target_begin(&s->ctx, t, a->pid, 0, 0, NULL, now, a->msg, a->msglen) < 0)
        return errno == EIO ? -1 : -2;
    s->n++;
    t->is_root = 1;
    return target_interval(&s->ctx, t, now) < 0 ? -1 : 0;
}

int sampler_add_root(sampler *s, pid_t pid, char *msg, size_t msglen)
{
    msg[0] = '\0';
    compact(s);
    if (s->n >= MAX_TARGETS) {
        snprintf(msg, msglen, "already watching %d processes", MAX_TARGETS);
        return -1;
    }
    struct root_args a = { pid, msg, msglen };
    int rc = batch(s, add_root_fn, &a);
    if (rc < 0) {
        if (!msg[0])
            snprintf(msg, msglen, "%s", s->sink.errmsg(s->sink.ctx));
        return -1;
    }
    target *t = &s->targets[s->n - 1];
    if ((s->o.sampling & SAMPLING_FAULTS) && s->o.rate > 0) {
        if (!s->fa) {
            char why[160];
            uint64_t pages = (uint64_t)s->o.fault_period / (uint64_t)sysconf(_SC_PAGESIZE);
            s->fa = faults_open(pid, pages ? pages : 1, why, sizeof why);
            t->growth_by_faults = s->fa != NULL;
        } else {
            t->growth_by_faults = faults_add_process(s->fa, pid) == 0;
        }
    }
    return 0;
}

size_t sampler_count(const sampler *s)
{
    return s->n;
}

const struct target *sampler_target(const sampler *s, size_t i)
{
    return i < s->n ? &s->targets[i] : NULL;
}


int sampler_run(sampler *s, volatile sig_atomic_t *stop, sampler_result *res)
{
    memset(res, 0, sizeof *res);
    target *root = &s->targets[0];
    double m0 = clock_s(CLOCK_MONOTONIC);
    double tick_period = (s->sampling & SAMPLING_TIMER) && s->o.rate > 0 ? 1.0 / s->o.rate : 0;
    double next_tick = m0 + tick_period, next_iv = m0 + s->o.interval;
    double deadline = s->o.duration > 0 ? m0 + s->o.duration : 0;
    double next_watch = m0;
    int exit_code = 0, has_exit = 0, rc = 0;
    res->ended_by = SAMPLER_EXITED;
    for (;;) {
        if (reap_root(s, &exit_code))
            has_exit = 1;
        if (!s->o.keep_running && !root->alive)
            break;
        if (*stop) {
            res->ended_by = SAMPLER_STOPPED;
            break;
        }
        double m = clock_s(CLOCK_MONOTONIC);
        if (deadline && m >= deadline) {
            res->ended_by = SAMPLER_DURATION;
            break;
        }
        if (tick_period && m >= next_tick) {
            if (s->fa)
                take_fault_samples(s);   /* overflows first: the growth they stand for is theirs */
            double now = now_unix(s);
            for (size_t i = 0; i < s->n; i++)
                if (s->targets[i].alive)
                    (void)target_sample(&s->ctx, &s->targets[i], now, MW_TRIGGER_TIMER, NULL);
            next_tick += tick_period;
            if (next_tick < m) {
                res->missed_ticks += (uint64_t)((m - next_tick) / tick_period) + 1;
                next_tick = m + tick_period;
            }
        }
        if (s->fa && m >= next_watch) {
            faults_watch(s->fa);   /* a new thread gets its counter within a couple of ms */
            next_watch = m + WATCH_PERIOD;
        }
        if (m >= next_iv) {
            if (reap_root(s, &exit_code))
                has_exit = 1;
            if ((s->o.keep_running || root->alive) && batch(s, interval_fn, NULL) < 0) {
                res->ended_by = SAMPLER_SINK_ERROR;
                snprintf(res->error, sizeof res->error, "%s", s->sink.errmsg(s->sink.ctx));
                rc = -1;
                break;
            }
            if (s->o.on_interval && s->o.on_interval(s->o.hook_arg, s, now_unix(s)) < 0) {
                res->ended_by = SAMPLER_SINK_ERROR;
                snprintf(res->error, sizeof res->error, "%s", s->sink.errmsg(s->sink.ctx));
                rc = -1;
                break;
            }
            next_iv += s->o.interval;
            if (next_iv < m)
                next_iv = m + s->o.interval;
        }
        double wake = next_iv;
        if (tick_period && next_tick < wake)
            wake = next_tick;
        if (deadline && deadline < wake)
            wake = deadline;
        if (s->fa && next_watch < wake)
            wake = next_watch;
        /* SIGCHLD cuts the sleep short; the poll is a safety net should it be blocked */
        if (s->n && root->launched && wake > clock_s(CLOCK_MONOTONIC) + 0.05)
            wake = clock_s(CLOCK_MONOTONIC) + 0.05;
        wait_until(s, wake);
    }
    /* the root's end can be seen (statm gone) a moment before it can be reaped */
    if (s->n && root->launched && !has_exit && res->ended_by == SAMPLER_EXITED) {
        int st;
        pid_t p;
        do
            p = waitpid(root->pid, &st, 0);
        while (p < 0 && errno == EINTR);
        if (p == root->pid) {
            exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
            has_exit = 1;
        }
    }
    if (rc == 0) {
        struct end_args a = {
            .root_status = res->ended_by == SAMPLER_EXITED ? MW_END_ENDED : MW_END_DETACHED,
            .has_exit = has_exit, .exit_code = exit_code,
        };
        if (batch(s, end_fn, &a) < 0) {
            res->ended_by = SAMPLER_SINK_ERROR;
            snprintf(res->error, sizeof res->error, "%s", s->sink.errmsg(s->sink.ctx));
            rc = -1;
        }
    }
    if (!s->n)
        return rc;
    res->session = root->session;
    res->has_exit = has_exit;
    res->exit_code = exit_code;
    res->start = root->first_t;
    res->end = now_unix(s);
    res->rows = root->rows;
    res->ticks = root->ticks;
    res->torn = root->torn;
    res->peak_rss = root->peak_rss;
    res->peak_uss = root->peak_uss;
    res->peak_pss = root->peak_pss;
    res->final_rss = root->final_rss;
    res->children = s->children;
    res->fault_samples = root->fault_samples;
    res->faults_lost = s->faults_lost;
    res->sampling = s->sampling;
    if (root->reader) {
        const py_version *v = pyreader_version(root->reader);
        snprintf(res->python, sizeof res->python, "%d.%d.%d", v->major, v->minor, v->micro);
        res->fault_placed = pyreader_stats(root->reader)->hinted;
    }
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        res->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
                           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
    return rc;
}

void sampler_free(sampler *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->targets && i < s->n; i++)
        target_free(&s->targets[i]);
    free(s->targets);
    proctree_free(&s->tree);
    faults_close(s->fa);
    stackids_free(s->ctx.stacks);
    srcfiles_free(s->ctx.sources);
    strtab_free(s->ctx.strings);
    free(s);
}
