/* watcher: the daemon's work between the sampler's intervals. */
#include "watcher.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hook.h"
#include "httpserv.h"
#include "metrics.h"
#include "proclist.h"
#include "slope.h"
#include "store_daemon.h"
#include "target.h"
#include "units.h"

#define MAX_WATCHED 65536
#define MAX_SKIPPED 4096
#define LEAK_LINES 3
#define CMD_SHOWN 160

typedef struct pidkey {
    pid_t pid;
    unsigned long long start;
} pidkey;

/* One watched session's state beyond what the sampler keeps. */
typedef struct watched {
    int64_t session;
    pid_t pid;
    double first_t;
    char comm[64];
    int use_uss;               /* the window holds USS (else RSS) */
    slope_window win;
    double slope;              /* bytes per second, NaN until known */
    double above_since;        /* recorded time the slope went over the threshold, 0 if not */
    int flagged;
    unsigned gen;
} watched;

typedef struct skipped {
    pidkey k;
    unsigned gen;
} skipped;

struct watcher {
    watcher_cfg c;
    store *st;
    sampler *s;
    watched *w;                /* by session id */
    size_t nw, capw;
    unsigned gen, scan_gen;
    skipped *skip;
    size_t nskip, capskip;
    pidkey *listed;            /* listed pids as first seen (start 0: never seen) */
    int listed_checked;
    pidkey *wset;              /* scan: (pid, start) watched, sorted */
    size_t nwset, capwset;
    proclist pl;
    hooks hk;
    httpserv *http;
    double next_scan;          /* monotonic */
    double next_age;           /* recorded time */
    int scan_error_said;
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void say(watcher *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(watcher *w, const char *fmt, ...)
{
    if (!w->c.log)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("memwatch: ", w->c.log);
    vfprintf(w->c.log, fmt, ap);
    fputc('\n', w->c.log);
    fflush(w->c.log);
    va_end(ap);
}

static void metrics_body(void *arg, FILE *f);

watcher *watcher_new(const watcher_cfg *cfg, store *st)
{
    watcher *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->c = *cfg;
    w->st = st;
    if (cfg->npids && !(w->listed = calloc(cfg->npids, sizeof *w->listed))) {
        free(w);
        return NULL;
    }
    for (size_t i = 0; i < cfg->npids; i++)
        w->listed[i].pid = cfg->pids[i];
    return w;
}

int watcher_listen(watcher *w, const char *host, const char *port, char *err, size_t errlen)
{
    w->http = httpserv_open(host, port, metrics_body, w, err, errlen);
    return w->http ? 0 : -1;
}

const char *watcher_metrics_address(const watcher *w)
{
    return w->http ? httpserv_address(w->http) : NULL;
}

int watcher_fd(const watcher *w)
{
    return w->http ? httpserv_fd(w->http) : -1;
}

/* ---- the watched table ---- */

static watched *find_watched(watcher *w, int64_t session)
{
    size_t lo = 0, hi = w->nw;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->w[mid].session == session)
            return &w->w[mid];
        if (w->w[mid].session < session)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The name of a process: from the last scan when it is there, else the executable's base name. */
static void comm_of(watcher *w, const target *t, char *buf, size_t len)
{
    const proclist_entry *e = proclist_find(&w->pl, t->pid);
    const char *c = e && e->start == t->start_ticks ? proclist_comm(&w->pl, e) : "";
    if (!c[0]) {
        const char *slash = strrchr(t->exe, '/');
        c = slash ? slash + 1 : t->exe;
    }
    if (!c[0])
        c = "?";
    size_t n = strnlen(c, len - 1);
    memcpy(buf, c, n);
    buf[n] = '\0';
}

/* The entry of t's session, added (and the session marked watched) if new.
 * Returns it; NULL with *failed = 1 on a store error, NULL alone when full. */
static watched *entry_for(watcher *w, const target *t, double now, int *failed)
{
    watched *e = find_watched(w, t->session);
    if (e)
        return e;
    if (store_mark_watched(w->st, t->session) < 0) {
        *failed = 1;
        return NULL;
    }
    if (w->nw == w->capw) {
        size_t cap = w->capw ? w->capw * 2 : 64;
        watched *nw = cap <= MAX_WATCHED ? realloc(w->w, cap * sizeof *nw) : NULL;
        if (!nw)
            return NULL;
        w->w = nw;
        w->capw = cap;
    }
    size_t at = w->nw;
    while (at > 0 && w->w[at - 1].session > t->session)
        at--;
    memmove(&w->w[at + 1], &w->w[at], (w->nw - at) * sizeof *w->w);
    w->nw++;
    e = &w->w[at];
    memset(e, 0, sizeof *e);
    e->session = t->session;
    e->pid = t->pid;
    e->first_t = t->first_t > 0 ? t->first_t : now;
    e->slope = NAN;
    e->use_uss = t->rows > 0 && t->last.uss != MW_NOVAL;
    slope_window_init(&e->win, w->c.leak_window);
    comm_of(w, t, e->comm, sizeof e->comm);
    return e;
}

/* Forgets the sessions the sampler no longer watches. */
static void drop_stale(watcher *w)
{
    size_t keep = 0;
    for (size_t i = 0; i < w->nw; i++)
        if (w->w[i].gen == w->gen)
            w->w[keep++] = w->w[i];
    w->nw = keep;
}

/* ---- leaks ---- */

typedef struct leak_lines {
    char text[1024];
    size_t used;
    char where[600];
    int n;
} leak_lines;

static int leak_row(void *arg, const store_report_row *r)
{
    leak_lines *l = arg;
    if (r->line <= 0 || r->growth <= 0)
        return 0;   /* a pseudo frame, or a line that only shrank */
    char g[32];
    if (!l->n)
        snprintf(l->where, sizeof l->where, "%s:%d", r->file, r->line);
    if (l->used < sizeof l->text) {
        int k = snprintf(l->text + l->used, sizeof l->text - l->used, "%s%s:%d in %s() +%s", l->n ? "; " : "",
                         r->file, r->line, r->func, units_format_bytes(r->growth, g, sizeof g));
        if (k > 0)
            l->used += (size_t)k;
        if (l->used >= sizeof l->text)
            l->used = sizeof l->text - 1;
    }
    return ++l->n >= LEAK_LINES;
}

/* Records the flag of e, tells the log and starts the --on-leak command. Returns 0 or -1 (store). */
static int flag_leak(watcher *w, watched *e, double now)
{
    double per_min = e->slope * 60.0;
    leak_lines l = { .used = 0 };
    double from = now - w->c.leak_window - e->first_t;
    (void)store_report(w->st, e->session, STORE_LINES, from > 0 ? from : 0, STORE_OPEN_END, STORE_BY_GROWTH, 16,
                       leak_row, &l);
    char rate[32], span[32], detail[1400];
    units_format_bytes((int64_t)per_min, rate, sizeof rate);
    units_format_duration(w->c.leak_window, span, sizeof span);
    snprintf(detail, sizeof detail, "%s/min (%s, Theil-Sen slope over %s, %zu points); grew most: %s", rate,
             e->use_uss ? "USS" : "RSS", span, e->win.n, l.n ? l.text : "no Python line charged");
    if (store_set_leak(w->st, e->session, now, per_min, l.n ? l.where : NULL, detail) < 0)
        return -1;
    e->flagged = 1;
    say(w, "PID %d (%s, session %lld) leaks %s/min: %s", (int)e->pid, e->comm, (long long)e->session, rate,
        l.n ? l.text : "no Python line charged");
    if (w->c.on_leak) {
        char v_pid[32], v_ses[48], v_slope[64], v_where[640], v_db[4200], err[256];
        snprintf(v_pid, sizeof v_pid, "MEMWATCH_PID=%d", (int)e->pid);
        snprintf(v_ses, sizeof v_ses, "MEMWATCH_SESSION=%lld", (long long)e->session);
        snprintf(v_slope, sizeof v_slope, "MEMWATCH_SLOPE=%.0f", per_min);
        snprintf(v_where, sizeof v_where, "MEMWATCH_WHERE=%s", l.n ? l.where : "");
        snprintf(v_db, sizeof v_db, "MEMWATCH_DB=%s", w->c.db_path ? w->c.db_path : "");
        char *env[] = { v_pid, v_ses, v_slope, v_where, v_db, NULL };
        if (hook_start(&w->hk, w->c.on_leak, env, err, sizeof err) < 0)
            say(w, "--on-leak for PID %d not run: %s", (int)e->pid, err);
    }
    return 0;
}

/* Adds the interval's figure to e's window and flags a leak when the slope
 * stays over the threshold. Returns 0 or -1 (store). */
static int update_leak(watcher *w, watched *e, const target *t, double now)
{
    int64_t v = e->use_uss ? t->last.uss : t->last.rss;
    if (v == MW_NOVAL && e->use_uss) {
        e->use_uss = 0;   /* USS went missing: RSS from here on, a fresh window */
        slope_window_init(&e->win, w->c.leak_window);
        v = t->last.rss;
    }
    if (v == MW_NOVAL || !slope_window_add(&e->win, now, (double)v))
        return 0;
    double sl;
    if (slope_window_estimate(&e->win, &sl) == 0)
        e->slope = sl;
    if (e->flagged || !isfinite(e->slope))
        return 0;
    if (slope_window_fill(&e->win) >= 0.5 && e->slope * 60.0 > w->c.leak_threshold) {
        /* a step up sits in the middle of the window only briefly: a leak keeps the slope up */
        if (e->above_since == 0)
            e->above_since = now;
        if (now - e->above_since >= w->c.leak_window / 4)
            return flag_leak(w, e, now);
    } else {
        e->above_since = 0;
    }
    return 0;
}

/* ---- scanning for processes ---- */

static int cmp_key(const void *a, const void *b)
{
    const pidkey *x = a, *y = b;
    if (x->pid != y->pid)
        return (x->pid > y->pid) - (x->pid < y->pid);
    return (x->start > y->start) - (x->start < y->start);
}

static int wset_has(const watcher *w, pid_t pid, unsigned long long start)
{
    pidkey k = { pid, start };
    return w->nwset && bsearch(&k, w->wset, w->nwset, sizeof k, cmp_key) != NULL;
}

static int wset_add(watcher *w, pid_t pid, unsigned long long start)
{
    if (w->nwset == w->capwset) {
        size_t cap = w->capwset ? w->capwset * 2 : 256;
        pidkey *n = realloc(w->wset, cap * sizeof *n);
        if (!n)
            return -1;
        w->wset = n;
        w->capwset = cap;
    }
    pidkey k = { pid, start };
    size_t at = w->nwset;
    while (at > 0 && cmp_key(&w->wset[at - 1], &k) > 0)
        at--;
    memmove(&w->wset[at + 1], &w->wset[at], (w->nwset - at) * sizeof k);
    w->wset[at] = k;
    w->nwset++;
    return 0;
}

static skipped *find_skipped(watcher *w, const proclist_entry *e)
{
    for (size_t i = 0; i < w->nskip; i++)
        if (w->skip[i].k.pid == e->pid && w->skip[i].k.start == e->start)
            return &w->skip[i];
    return NULL;
}

static void add_skipped(watcher *w, const proclist_entry *e)
{
    if (w->nskip == w->capskip) {
        size_t cap = w->capskip ? w->capskip * 2 : 32;
        skipped *n = cap <= MAX_SKIPPED ? realloc(w->skip, cap * sizeof *n) : NULL;
        if (!n)
            return;   /* full: it may be told about again */
        w->skip = n;
        w->capskip = cap;
    }
    w->skip[w->nskip++] = (skipped){ { e->pid, e->start }, w->scan_gen };
}

/* 1 if a listed pid may be watched as the process e (not a later process reusing the pid). */
static int listed_ok(watcher *w, const proclist_entry *e)
{
    for (size_t i = 0; i < w->c.npids; i++) {
        if (w->listed[i].pid != e->pid)
            continue;
        if (!w->listed[i].start)
            w->listed[i].start = e->start;
        return w->listed[i].start == e->start;
    }
    return 1;
}

/* 1 if memwatch may read the process's memory (what reading its stacks needs). */
static int readable(pid_t pid, int *gone)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *gone = fd < 0 && errno == ENOENT;
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

static int by_start(const void *a, const void *b)
{
    const proclist_entry *x = *(const proclist_entry *const *)a, *y = *(const proclist_entry *const *)b;
    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    return (x->pid > y->pid) - (x->pid < y->pid);
}

/* 1 if an ancestor of e in the scan is watched. */
static int ancestor_watched(watcher *w, const proclist_entry *e)
{
    for (int depth = 0; depth < 256 && e->ppid > 0 && e->ppid != e->pid; depth++) {
        const proclist_entry *p = proclist_find(&w->pl, e->ppid);
        if (!p)
            return 0;
        if (wset_has(w, p->pid, p->start))
            return 1;
        e = p;
    }
    return 0;
}

/* 1 if pid is memwatch itself, one of its ancestors (a shell or sudo carrying
 * the same pattern) or one of its descendants (an --on-leak command). */
static int is_us(watcher *w, const proclist_entry *e, const pid_t *ours, size_t nours)
{
    for (size_t i = 0; i < nours; i++)
        if (ours[i] == e->pid)
            return 1;
    return proclist_descends(&w->pl, e, getpid());
}

int watcher_scan(watcher *w, sampler *s, double now)
{
    (void)now;
    w->s = s;
    w->scan_gen++;
    if (proclist_scan(&w->pl) < 0) {
        if (!w->scan_error_said)
            say(w, "cannot list processes: %s", strerror(errno));
        w->scan_error_said = 1;
        return (int)sampler_count(s);
    }
    /* memwatch and its ancestors */
    pid_t ours[64];
    size_t nours = 0;
    const proclist_entry *me = proclist_find(&w->pl, getpid());
    ours[nours++] = getpid();
    for (const proclist_entry *p = me; p && nours < 64 && p->ppid > 0 && p->ppid != p->pid;) {
        ours[nours++] = p->ppid;
        p = proclist_find(&w->pl, p->ppid);
    }
    w->nwset = 0;
    for (size_t i = 0; i < sampler_count(s); i++) {
        const target *t = sampler_target(s, i);
        if (t && !t->ended && wset_add(w, t->pid, t->start_ticks) < 0)
            return (int)sampler_count(s);
    }
    if (!w->listed_checked) {
        for (size_t i = 0; i < w->c.npids; i++)
            if (!proclist_find(&w->pl, w->listed[i].pid)) {
                say(w, "--pid %d: no such process", (int)w->listed[i].pid);
                w->listed[i].start = ~0ULL;   /* never a later process with that pid */
            }
        w->listed_checked = 1;
    }
    const proclist_entry **cand = malloc((w->pl.n ? w->pl.n : 1) * sizeof *cand);
    if (!cand)
        return (int)sampler_count(s);
    size_t nc = 0;
    for (size_t i = 0; i < w->pl.n; i++) {
        const proclist_entry *e = &w->pl.items[i];
        if (e->kthread || e->state == 'Z' || e->state == 'X')
            continue;
        if (!procmatch_test(w->c.rules, e->pid, e->uid, proclist_cmdline(&w->pl, e)))
            continue;
        if (is_us(w, e, ours, nours) || !listed_ok(w, e) || wset_has(w, e->pid, e->start))
            continue;
        cand[nc++] = e;
    }
    /* parents before their children, so that a child is left to the sampler */
    if (nc > 1)
        qsort(cand, nc, sizeof *cand, by_start);
    int rc = 0;
    for (size_t i = 0; i < nc; i++) {
        const proclist_entry *e = cand[i];
        if (w->c.children && ancestor_watched(w, e))
            continue;
        skipped *sk = find_skipped(w, e);
        if (sk) {
            sk->gen = w->scan_gen;
            continue;
        }
        char cmd[CMD_SHOWN + 4], msg[512];
        snprintf(cmd, sizeof cmd, "%.*s%s", CMD_SHOWN, proclist_cmdline(&w->pl, e),
                 strlen(proclist_cmdline(&w->pl, e)) > CMD_SHOWN ? "..." : "");
        int gone;
        if (!readable(e->pid, &gone)) {
            if (!gone) {
                say(w, "not allowed to read process %d (%s): skipped (run memwatch daemon as root or with "
                       "CAP_SYS_PTRACE)", (int)e->pid, cmd);
                add_skipped(w, e);
            }
            continue;
        }
        if (sampler_add_root(s, e->pid, msg, sizeof msg) < 0) {
            if (strstr(msg, "no such process"))
                continue;   /* it ended meanwhile */
            say(w, "cannot watch process %d (%s): %s", (int)e->pid, cmd, msg);
            add_skipped(w, e);
            continue;
        }
        (void)wset_add(w, e->pid, e->start);
        const target *t = sampler_target(s, sampler_count(s) - 1);
        int failed = 0;
        if (t && t->pid == e->pid && !entry_for(w, t, now, &failed) && failed) {
            rc = -1;
            break;
        }
        if (t && t->pid == e->pid) {
            watched *we = find_watched(w, t->session);
            if (we)
                we->gen = w->gen;
            say(w, "watching PID %d (session %lld): %s", (int)e->pid, (long long)t->session, cmd);
        }
    }
    free(cand);
    /* forget skipped processes that are gone */
    size_t keep = 0;
    for (size_t i = 0; i < w->nskip; i++)
        if (w->skip[i].gen == w->scan_gen || proclist_find(&w->pl, w->skip[i].k.pid))
            w->skip[keep++] = w->skip[i];
    w->nskip = keep;
    return rc < 0 ? -1 : (int)sampler_count(s);
}

/* ---- the interval hook ---- */

static int age_data(watcher *w, double now)
{
    int64_t folded = store_downsample(w->st, now - w->c.keep_detail);
    if (folded < 0)
        return -1;
    int64_t gone = store_prune(w->st, now - w->c.keep_summary);
    if (gone < 0)
        return -1;
    if (gone > 0) {
        char d[32];
        say(w, "retention: deleted %lld watched session%s ended more than %s ago", (long long)gone,
            gone == 1 ? "" : "s", units_format_duration(w->c.keep_summary, d, sizeof d));
    }
    double period = w->c.keep_detail / 10;
    w->next_age = now + (period < 1 ? 1 : period > 300 ? 300 : period);
    return 0;
}

int watcher_on_interval(void *arg, sampler *s, double now)
{
    watcher *w = arg;
    w->s = s;
    w->gen++;
    for (size_t i = 0; i < sampler_count(s); i++) {
        const target *t = sampler_target(s, i);
        if (!t || t->ended)
            continue;
        int failed = 0;
        watched *e = entry_for(w, t, now, &failed);
        if (failed)
            return -1;
        if (!e)
            continue;
        e->gen = w->gen;
        if (t->alive && t->rows > 0 && update_leak(w, e, t, now) < 0)
            return -1;
    }
    drop_stale(w);
    hook_reap(&w->hk);
    if (w->http)
        httpserv_serve(w->http);   /* also drops clients that take too long */
    double m = mono();
    if (m >= w->next_scan) {
        if (watcher_scan(w, s, now) < 0)
            return -1;
        w->next_scan = m + w->c.scan_period;
    }
    if (now >= w->next_age && age_data(w, now) < 0)
        return -1;
    return 0;
}

void watcher_on_fd(void *arg, sampler *s)
{
    watcher *w = arg;
    w->s = s;
    if (w->http)
        httpserv_serve(w->http);
}

static void metrics_body(void *arg, FILE *f)
{
    watcher *w = arg;
    size_t n = w->s ? sampler_count(w->s) : 0, k = 0;
    metrics_proc *p = calloc(n ? n : 1, sizeof *p);
    if (!p) {
        metrics_write(f, NULL, 0);
        return;
    }
    char (*names)[64] = calloc(n ? n : 1, sizeof *names);
    for (size_t i = 0; i < n && names; i++) {
        const target *t = sampler_target(w->s, i);
        if (!t || t->ended || !t->alive)
            continue;
        const watched *e = find_watched(w, t->session);
        if (e)
            snprintf(names[k], sizeof names[k], "%s", e->comm);
        else
            comm_of(w, t, names[k], sizeof names[k]);
        int known = t->rows > 0;
        p[k] = (metrics_proc){
            .pid = (int)t->pid, .session = t->session, .comm = names[k],
            .rss = known ? t->last.rss : MW_NOVAL, .uss = known ? t->last.uss : MW_NOVAL,
            .pss = known ? t->last.pss : MW_NOVAL, .swap = known ? t->last.swap : MW_NOVAL,
            .growth = e ? e->slope : NAN, .leak = e && e->flagged,
        };
        k++;
    }
    metrics_write(f, p, names ? k : 0);
    free(names);
    free(p);
}

void watcher_free(watcher *w)
{
    if (!w)
        return;
    hook_reap(&w->hk);
    httpserv_close(w->http);
    proclist_free(&w->pl);
    free(w->w);
    free(w->skip);
    free(w->listed);
    free(w->wset);
    free(w);
}
