/* sampler: the collector's clock — stack ticks, timeline intervals, children. */
#include "sampler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "procinfo.h"
#include "proctree.h"
#include "target.h"

#define MAX_TARGETS 1024
#define MAX_DESCENDANTS 4096

struct sampler {
    sampler_opts o;
    mw_sink sink;
    target_ctx ctx;
    target *targets;          /* targets[0] is the root */
    size_t n;
    proctree tree;
    double mono0, real0;      /* clocks at start: Unix time = real0 + (mono - mono0) */
    unsigned children;
};

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now_unix(const sampler *s)
{
    return s->real0 + (clock_s(CLOCK_MONOTONIC) - s->mono0);
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
    if (!s->targets || !s->ctx.strings || !s->ctx.stacks || !s->ctx.sources) {
        sampler_free(s);
        return NULL;
    }
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
    /* the first row at once, so even a process that lives a few ms has one */
    return target_interval(&s->ctx, &s->targets[0], now) < 0 ? -1 : 0;
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
    return 0;
}

static target *find_target(sampler *s, pid_t pid, unsigned long long start)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->targets[i].pid == pid && s->targets[i].start_ticks == start)
            return &s->targets[i];
    return NULL;
}

/* Begins a session for every descendant of the root not watched yet. */
static int scan_children(sampler *s, double now)
{
    static pid_t desc[MAX_DESCENDANTS];
    if (!s->targets[0].alive || proctree_scan(&s->tree) < 0)
        return 0;
    size_t nd = proctree_descendants(s->tree.procs, s->tree.n, s->targets[0].pid, desc, MAX_DESCENDANTS);
    for (size_t i = 0; i < nd && s->n < MAX_TARGETS; i++) {
        const proc_entry *e = proctree_find(&s->tree, desc[i]);
        if (!e || find_target(s, e->pid, e->start))
            continue;
        proc_stat st;
        if (procinfo_stat(e->pid, &st) < 0 || st.state == 'Z' || procinfo_is_kthread(&st))
            continue;
        int64_t parent = s->targets[0].session;
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
        char detail[64];
        snprintf(detail, sizeof detail, "child %d (session %lld)", (int)e->pid, (long long)t->session);
        if (s->sink.event(s->sink.ctx, parent, now, "child", detail) < 0)
            return -1;
        if (target_interval(&s->ctx, t, now) < 0)
            return -1;
    }
    return 0;
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
        if (rc == 1 && i > 0) {
            if (target_end(&s->ctx, t, now, MW_END_ENDED, 0, 0) < 0)
                return -1;
            target_free(t);
        }
    }
    return s->o.children ? scan_children(s, now) : 0;
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

int sampler_run(sampler *s, volatile sig_atomic_t *stop, sampler_result *res)
{
    memset(res, 0, sizeof *res);
    target *root = &s->targets[0];
    double m0 = clock_s(CLOCK_MONOTONIC);
    double tick_period = s->o.rate > 0 ? 1.0 / s->o.rate : 0;
    double next_tick = m0 + tick_period, next_iv = m0 + s->o.interval;
    double deadline = s->o.duration > 0 ? m0 + s->o.duration : 0;
    int exit_code = 0, has_exit = 0, rc = 0;
    res->ended_by = SAMPLER_EXITED;
    for (;;) {
        if (reap_root(s, &exit_code))
            has_exit = 1;
        if (!root->alive)
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
            double now = now_unix(s);
            for (size_t i = 0; i < s->n; i++)
                if (s->targets[i].alive)
                    (void)target_tick(&s->ctx, &s->targets[i], now);
            next_tick += tick_period;
            if (next_tick < m) {
                res->missed_ticks += (uint64_t)((m - next_tick) / tick_period) + 1;
                next_tick = m + tick_period;
            }
        }
        if (m >= next_iv) {
            if (reap_root(s, &exit_code))
                has_exit = 1;
            if (root->alive && batch(s, interval_fn, NULL) < 0) {
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
        /* SIGCHLD cuts the sleep short; the poll is a safety net should it be blocked */
        if (root->launched && wake > clock_s(CLOCK_MONOTONIC) + 0.05)
            wake = clock_s(CLOCK_MONOTONIC) + 0.05;
        sleep_until(wake);
    }
    /* the root's end can be seen (statm gone) a moment before it can be reaped */
    if (root->launched && !has_exit && res->ended_by == SAMPLER_EXITED) {
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
    if (root->reader) {
        const py_version *v = pyreader_version(root->reader);
        snprintf(res->python, sizeof res->python, "%d.%d.%d", v->major, v->minor, v->micro);
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
    stackids_free(s->ctx.stacks);
    srcfiles_free(s->ctx.sources);
    strtab_free(s->ctx.strings);
    free(s);
}
