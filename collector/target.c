/* target: one watched process — figures, Python reader, charges and session. */
#include "target.h"

#include <errno.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "procinfo.h"
#include "tidmap.h"

#define PY_RETRY_FIRST 0.005     /* s between attempts to find the interpreter right after start */
#define PY_RETRY_MAX 0.25
#define PY_GIVE_UP 3.0           /* s after which a process without an interpreter is memory-only */

/* Adds v to the set; 0 or -1 on OOM. */
static int u32set_add(u32set *s, uint32_t v)
{
    if (!s->slots || (s->n + 1) * 2 > s->mask) {
        size_t nmask = s->slots ? s->mask * 2 + 1 : 255;
        uint32_t *ns = calloc(nmask + 1, sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; s->slots && i <= s->mask; i++) {
            if (!s->slots[i])
                continue;
            size_t k = (s->slots[i] * 2654435761u) & nmask;
            while (ns[k])
                k = (k + 1) & nmask;
            ns[k] = s->slots[i];
        }
        free(s->slots);
        s->slots = ns;
        s->mask = nmask;
    }
    size_t k = (v * 2654435761u) & s->mask;
    while (s->slots[k] && s->slots[k] != v)
        k = (k + 1) & s->mask;
    if (!s->slots[k]) {
        s->slots[k] = v;
        s->n++;
    }
    return 0;
}

static void note(target_ctx *c, const char *fmt, const char *a, int pid)
{
    if (c->log) {
        fprintf(c->log, "memwatch: ");
        fprintf(c->log, fmt, pid, a);
        fputc('\n', c->log);
    }
}

int target_begin(target_ctx *c, target *t, pid_t pid, int64_t parent_session, int launched,
                 const char *cmdline, double now, char *msg, size_t msglen)
{
    memset(t, 0, sizeof *t);
    t->pid = pid;
    t->launched = launched;
    t->parent_session = parent_session;
    attrib_init(&t->charges);
    proc_stat st;
    if (memstat_open(&t->mem, pid) < 0) {
        snprintf(msg, msglen, "no such process: %d", (int)pid);
        errno = ESRCH;
        return -1;
    }
    if (procinfo_stat(pid, &st) < 0) {
        memstat_close(&t->mem);
        snprintf(msg, msglen, "no such process: %d", (int)pid);
        errno = ESRCH;
        return -1;
    }
    t->start_ticks = st.start;
    t->last_rss = memstat_rss(&t->mem);
    /* gone, or (found by a scan) exiting with its memory already released; a
     * command we started keeps its session even if it ended at once */
    if (t->last_rss < 0 || (t->last_rss == 0 && !launched)) {
        memstat_close(&t->mem);
        snprintf(msg, msglen, "no such process: %d", (int)pid);
        errno = ESRCH;
        return -1;
    }
    char cmd[4096];
    if (cmdline)
        snprintf(cmd, sizeof cmd, "%s", cmdline);
    else
        procinfo_cmdline(pid, cmd, sizeof cmd);
    procinfo_exe(pid, t->exe, sizeof t->exe);
    mw_session_info info = {
        .pid = pid, .parent_session = parent_session, .cmdline = cmd,
        .exe = t->exe[0] ? t->exe : NULL, .start = now, .interval = c->interval,
        .rate = c->rate, .python = NULL,
    };
    if (c->sink->session_begin(c->sink->ctx, &info, &t->session) < 0) {
        snprintf(msg, msglen, "%s", c->sink->errmsg(c->sink->ctx));
        memstat_close(&t->mem);
        errno = EIO;
        return -1;
    }
    t->alive = 1;
    t->first_t = t->last_t = now;
    t->py_next_try = now;
    t->py_give_up = now + PY_GIVE_UP;
    t->py_state = c->rate > 0 ? 0 : 2;
    t->interval_peak = t->peak_rss = t->final_rss = t->last_rss;
    return c->sink->event(c->sink->ctx, t->session, now, "start", cmd);
}

/* Tries to find the interpreter; on a final answer, records it as an event. */
static void try_python(target_ctx *c, target *t, double now)
{
    char msg[256];
    int not_python = 0;
    errno = 0;
    t->reader = pyreader_open(t->pid, c->strings, &not_python, msg, sizeof msg);
    int why = errno;
    if (t->reader) {
        const py_version *v = pyreader_version(t->reader);
        t->py_state = 1;
        snprintf(msg, sizeof msg, "Python %d.%d.%d (%s)", v->major, v->minor, v->micro, v->how);
        (void)c->sink->event(c->sink->ctx, t->session, now, "python", msg);
        return;
    }
    snprintf(t->py_msg, sizeof t->py_msg, "%s", msg);
    double wait = now - (t->py_give_up - PY_GIVE_UP);
    wait = wait < PY_RETRY_FIRST ? PY_RETRY_FIRST : wait > PY_RETRY_MAX ? PY_RETRY_MAX : wait;
    t->py_next_try = now + wait;
    /* right after exec the loader may not have mapped libpython yet (the
     * executable alone has no _PyRuntime): only a refusal is final at once */
    if (why == EPERM || now >= t->py_give_up) {
        t->py_state = 2;
        (void)c->sink->event(c->sink->ctx, t->session, now, "memory-only", msg);
        note(c, "PID %d: %s: profiling memory only", msg, (int)t->pid);
    }
}

/* An exec replaces the program: the old interpreter's addresses mean nothing
 * now, and the new program's interpreter is looked for at once. */
static void check_exec(target_ctx *c, target *t, double now)
{
    char exe[sizeof t->exe];
    procinfo_exe(t->pid, exe, sizeof exe);
    if (!exe[0] || strcmp(exe, t->exe) == 0)
        return;
    (void)c->sink->event(c->sink->ctx, t->session, now, "exec", exe);
    memcpy(t->exe, exe, sizeof exe);
    if (t->reader)
        pyreader_close(t->reader);
    t->reader = NULL;
    if (c->rate > 0) {
        t->py_state = 0;
        t->py_next_try = now;
        t->py_give_up = now + PY_GIVE_UP;
    }
}

/* The stack to charge now: that of the thread that faulted (fault, placed
 * where its registers say it was when memory grew) or, without a fault, of
 * the GIL holder, else the main thread; or a pseudo stack saying why there is none. */
static uint32_t current_stack(target_ctx *c, target *t, const target_fault *fault)
{
    int r = 1;
    pid_t tid = fault ? fault->tid : 0;
    if (tid) {
        pyreader_hint(t->reader, fault->words, fault->nwords);
        r = pyreader_sample_thread(t->reader, tid, 0, &c->scratch);
        if (r == 1 && pyreader_version(t->reader)->minor < 11) {
            /* no native TID in the thread state before 3.11: go through the pthread id */
            uint64_t ts = tidmap_tstate(t->reader, t->pid, tid);
            pyreader_hint(t->reader, fault->words, fault->nwords);
            if (ts)
                r = pyreader_sample_thread(t->reader, 0, ts, &c->scratch);
        }
    }
    /* a fault sample is about the faulting thread: charging another thread's
     * line would be wrong, so a thread with no Python frame gets a pseudo stack */
    if (tid && r >= 0 && (r != 0 || c->scratch.depth == 0)) {
        if (!c->pseudo_native)
            c->pseudo_native = stackids_pseudo(c->stacks, strtab_intern(c->strings, "[memwatch]", 10),
                                               strtab_intern(c->strings, "[thread without Python frames]", 30));
        return c->pseudo_native;
    }
    if (!tid)
        r = pyreader_sample(t->reader, 0, &c->scratch);
    if (r == 0 && c->scratch.depth > 0) {
        uint32_t id = stackids_intern(c->stacks, c->scratch.frames, c->scratch.depth);
        if (id)
            return id;
        if (!c->pseudo_full)
            c->pseudo_full = stackids_pseudo(c->stacks, strtab_intern(c->strings, "[memwatch]", 10),
                                             strtab_intern(c->strings, "[stack table full]", 18));
        return c->pseudo_full;
    }
    if (r < 0) {
        t->torn++;
        if (!c->pseudo_torn)
            c->pseudo_torn = stackids_pseudo(c->stacks, strtab_intern(c->strings, "[memwatch]", 10),
                                             strtab_intern(c->strings, "[unreadable stack]", 18));
        return c->pseudo_torn;
    }
    if (!c->pseudo_nopy)
        c->pseudo_nopy = stackids_pseudo(c->stacks, strtab_intern(c->strings, "[memwatch]", 10),
                                         strtab_intern(c->strings, "[no Python frame]", 17));
    return c->pseudo_nopy;
}

/* Monotonic clock in ns (the clock of the fault counters' timestamps). */
static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Charges a fault sample's growth. Overflows queued while the previous fault
 * sample of the same thread was read, and handled only now, belong nearer
 * to that sample than to this one: their share of the growth goes to the
 * previous stack, so an allocation that ended before the collector woke
 * again is not charged to the line that followed it. */
static void charge_fault(target *t, uint32_t id, pid_t tid, int64_t delta, int64_t rss,
                         const uint64_t *times, size_t ntimes, uint64_t read_ns)
{
    int64_t to_prev = 0;
    if (t->fault_prev_stack && t->fault_prev_tid == tid)
        to_prev = attrib_share_before(times, ntimes, t->fault_prev_ns, read_ns, delta);
    if (to_prev > 0)
        (void)attrib_add(&t->charges, t->fault_prev_stack, MW_TRIGGER_FAULT, to_prev, rss, 0);
    (void)attrib_add(&t->charges, id, MW_TRIGGER_FAULT, delta - to_prev, rss, 1);
    t->fault_prev_stack = id;
    t->fault_prev_tid = tid;
    t->fault_prev_ns = read_ns;
}

int target_sample(target_ctx *c, target *t, double now, int trigger, const target_fault *fault)
{
    pid_t tid = fault ? fault->tid : 0;
    uint64_t read_ns = trigger == MW_TRIGGER_FAULT ? mono_ns() : 0;
    int64_t rss = memstat_rss(&t->mem);
    if (rss <= 0) {   /* gone, or a zombie (a live process always has resident pages) */
        t->alive = 0;
        return -1;
    }
    if (t->py_state == 0) {
        check_exec(c, t, now);   /* while no interpreter is found, an exec is looked for every tick */
        if (now >= t->py_next_try)
            try_python(c, t, now);
    }
    if (t->reader) {
        uint32_t id = current_stack(c, t, fault);
        if (!id) {
            if (rss > t->interval_peak)
                t->interval_peak = rss;
            return 0;
        }
        int64_t delta = rss - t->last_rss;
        if (trigger == MW_TRIGGER_TIMER && t->growth_by_faults && delta > 0 &&
            (c->fault_slack <= 0 || delta <= c->fault_slack)) {
            /* growth is the fault samples' to charge, to the thread that faulted:
             * a tick only counts its hit and leaves the growth pending (unless it
             * is more than the overflows can stand for: records the kernel lost) */
            (void)attrib_charge(&t->charges, id, trigger, 0, rss);
        } else if (trigger == MW_TRIGGER_FAULT && fault) {
            if (delta > 0 && fault->share > 0 && fault->share < 1)
                delta = (int64_t)((double)delta * fault->share);
            charge_fault(t, id, tid, delta, rss, fault->times, fault->ntimes, read_ns);
            t->last_rss += delta;   /* what other threads' shares leave is theirs to charge */
        } else {
            (void)attrib_charge(&t->charges, id, trigger, delta, rss);
            t->last_rss = rss;
        }
    } else {
        t->last_rss = rss;
    }
    t->final_rss = rss;
    if (rss > t->interval_peak)
        t->interval_peak = rss;
    t->interval_ticks++;
    t->ticks++;
    if (trigger == MW_TRIGGER_FAULT)
        t->fault_samples++;
    t->last_t = now;
    return 0;
}

int target_announce(target_ctx *c)
{
    uint32_t count = stackids_count(c->stacks);
    for (uint32_t id = c->announced + 1; id <= count; id++) {
        if (c->sink->stack_node(c->sink->ctx, stackids_node(c->stacks, id)) < 0)
            return -1;
    }
    c->announced = count;
    return 0;
}

/* Writes the interval's charges and remembers what they touched. */
static int write_charges(target_ctx *c, target *t, double now)
{
    for (size_t i = 0; i < t->charges.n; i++) {
        const mw_charge *ch = &t->charges.items[i];
        if (c->sink->charge(c->sink->ctx, t->session, now, ch) < 0)
            return -1;
        (void)u32set_add(&t->charged, ch->stack);
        /* read the source of every frame of the stack while the target still lives */
        const mw_stack_node *n = stackids_node(c->stacks, ch->stack);
        for (int depth = 0; n && depth < PY_MAX_DEPTH; depth++) {
            srcfiles_load(c->sources, n->file, t->pid);
            n = stackids_node(c->stacks, n->parent);
        }
    }
    attrib_reset(&t->charges);
    return 0;
}

int target_interval(target_ctx *c, target *t, double now)
{
    mem_figures f;
    if (!t->alive || memstat_full(&t->mem, &f) < 0 || f.rss <= 0) {
        t->alive = 0;
        return 1;
    }
    check_exec(c, t, now);
    if (t->py_state == 0 && now >= t->py_next_try)
        try_python(c, t, now);
    if (f.rss > t->interval_peak)
        t->interval_peak = f.rss;
    mw_sample s = {
        .t = now, .rss = f.rss, .uss = f.uss, .pss = f.pss, .swap = f.swap,
        .rss_peak = t->interval_peak, .ticks = t->interval_ticks,
    };
    if (c->sink->sample(c->sink->ctx, t->session, &s) < 0)
        return -1;
    t->last = f;
    if (target_announce(c) < 0 || write_charges(c, t, now) < 0)
        return -1;
    t->rows++;
    if (f.rss > t->peak_rss)
        t->peak_rss = f.rss;
    if (t->interval_peak > t->peak_rss)
        t->peak_rss = t->interval_peak;
    if (f.uss != MW_NOVAL && f.uss > t->peak_uss)
        t->peak_uss = f.uss;
    if (f.pss != MW_NOVAL && f.pss > t->peak_pss)
        t->peak_pss = f.pss;
    t->final_rss = f.rss;
    t->last_t = now;
    t->interval_peak = f.rss;
    t->interval_ticks = 0;
    return 0;
}

/* Writes the text of every line on every stack charged in the session. */
static int write_sources(target_ctx *c, target *t)
{
    if (!t->charged.slots)
        return 0;
    u32set done = { 0 };
    int rc = 0;
    for (size_t i = 0; i <= t->charged.mask && rc == 0; i++) {
        const mw_stack_node *n = stackids_node(c->stacks, t->charged.slots[i]);
        for (int depth = 0; n && depth < PY_MAX_DEPTH && rc == 0; depth++) {
            size_t before = done.n;
            if (u32set_add(&done, n->id) == 0 && done.n > before) {
                const char *text = srcfiles_line(c->sources, n->file, n->line);
                if (text)
                    rc = c->sink->source_line(c->sink->ctx, t->session, n->file, n->line, text);
            }
            n = stackids_node(c->stacks, n->parent);
        }
    }
    free(done.slots);
    return rc;
}

int target_end(target_ctx *c, target *t, double now, int status, int has_exit, int exit_code)
{
    if (t->py_state == 0 && t->py_msg[0]) {
        /* it ended before the search for an interpreter gave up: say what was found */
        t->py_state = 2;
        if (c->sink->event(c->sink->ctx, t->session, now, "memory-only", t->py_msg) < 0)
            return -1;
        note(c, "PID %d: %s: profiled memory only", t->py_msg, (int)t->pid);
    }
    if (t->charges.n && (target_announce(c) < 0 || write_charges(c, t, t->last_t) < 0))
        return -1;
    if (write_sources(c, t) < 0)
        return -1;
    char detail[64];
    if (has_exit)
        snprintf(detail, sizeof detail, "exit status %d", exit_code);
    else
        snprintf(detail, sizeof detail, "%s", status == MW_END_DETACHED ? "detached" : "ended");
    if (c->sink->event(c->sink->ctx, t->session, now, status == MW_END_DETACHED ? "detach" : "exit",
                       detail) < 0)
        return -1;
    mw_session_end e = { .end = now, .status = status, .has_exit = has_exit, .exit_code = exit_code };
    if (c->sink->session_end(c->sink->ctx, t->session, &e) < 0)
        return -1;
    t->ended = 1;
    t->alive = 0;
    return 0;
}

void target_free(target *t)
{
    if (t->reader)
        pyreader_close(t->reader);
    t->reader = NULL;
    memstat_close(&t->mem);
    attrib_free(&t->charges);
    free(t->charged.slots);
    t->charged.slots = NULL;
}
