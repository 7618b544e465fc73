/* export_time: memory over time — memory_profiler's .dat and Chrome trace counters. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "jsonw.h"
#include "mw_config.h"
#include "textout.h"

#define TOP_LINES 5            /* lines whose growth is marked in a Chrome trace */

void export_range(const export_ctx *x, size_t i, double *from, double *to)
{
    double shift = x->sessions[i].start - x->sessions[0].start;
    *from = x->from - shift > 0 ? x->from - shift : 0;
    *to = x->to >= STORE_OPEN_END ? STORE_OPEN_END : x->to - shift;
    if (*to < *from)
        *to = *from - 1;   /* an empty range */
}

typedef struct mprof_out {
    FILE *f;
    int pid;                   /* 0: MEM lines (the profiled process) */
} mprof_out;

static int mprof_row(void *arg, const mw_sample *m)
{
    const mprof_out *o = arg;
    if (m->rss == MW_NOVAL)
        return 0;
    double mib = (double)m->rss / (1024.0 * 1024.0);
    if (o->pid)
        fprintf(o->f, "CHLD %d %.6f %.4f\n", o->pid, mib, m->t);
    else
        fprintf(o->f, "MEM %.6f %.4f\n", mib, m->t);
    return 0;
}

int export_mprof(const export_ctx *x, FILE *f)
{
    /* one line: mprof reads "CMDLINE <rest of the line>" */
    char cmd[4096];
    textout_clean(x->sessions[0].cmdline, cmd, sizeof cmd, 0);
    fprintf(f, "CMDLINE %s\n", cmd);
    for (size_t i = 0; i < x->n; i++) {
        double from, to;
        export_range(x, i, &from, &to);
        mprof_out o = { f, i ? x->sessions[i].pid : 0 };
        if (i && o.pid <= 0)
            o.pid = (int)x->sessions[i].id;
        if (store_timeline(x->st, x->sessions[i].id, from, to, mprof_row, &o) < 0)
            return -1;
    }
    return 0;
}

typedef struct chrome_out {
    FILE *f;
    double t0;                 /* the exported session's start */
    int pid;
    size_t n;                  /* events written */
} chrome_out;

/* Starts an event object (with its separator). */
static void chrome_begin(chrome_out *o, const char *name, const char *ph, double t)
{
    fputs(o->n++ ? ",\n  {" : "\n  {", o->f);
    jsonw_key(o->f, "name", 1);
    jsonw_string(o->f, name);
    jsonw_key(o->f, "ph", 0);
    jsonw_string(o->f, ph);
    jsonw_key(o->f, "ts", 0);
    jsonw_num(o->f, (t - o->t0) * 1e6, 1);
    jsonw_key(o->f, "pid", 0);
    jsonw_int(o->f, o->pid, 1);
    jsonw_key(o->f, "tid", 0);
    jsonw_int(o->f, o->pid, 1);
}

static int chrome_row(void *arg, const mw_sample *m)
{
    chrome_out *o = arg;
    const struct { const char *name; int64_t v; } figs[] = { { "RSS", m->rss }, { "USS", m->uss }, { "PSS", m->pss } };
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
        if (figs[i].v == MW_NOVAL)
            continue;
        chrome_begin(o, figs[i].name, "C", m->t);
        jsonw_key(o->f, "args", 0);
        fputc('{', o->f);
        jsonw_key(o->f, "bytes", 1);
        jsonw_int(o->f, figs[i].v, 1);
        fputs("}}", o->f);
    }
    return 0;
}

/* The top lines of one session by growth, copied. */
typedef struct top_lines {
    char *file[TOP_LINES], *func[TOP_LINES];
    int32_t line[TOP_LINES];
    size_t n;
    int oom;
} top_lines;

static int top_row(void *arg, const store_report_row *r)
{
    top_lines *t = arg;
    if (r->growth <= 0 || r->line <= 0 || t->n == TOP_LINES)
        return 0;
    t->file[t->n] = strdup(r->file);
    t->func[t->n] = strdup(r->func);
    t->line[t->n] = r->line;
    t->n++;
    if (!t->file[t->n - 1] || !t->func[t->n - 1])
        t->oom = 1;
    return t->oom;
}

static void top_free(top_lines *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->file[i]), free(t->func[i]);
}

typedef struct chrome_mark {
    chrome_out *o;
    double start;              /* the session's start (times come relative to it) */
    const char *name, *file, *func;
} chrome_mark;

static int chrome_grew(void *arg, double t, int64_t growth, int64_t shrink)
{
    const chrome_mark *m = arg;
    (void)shrink;
    if (growth <= 0)
        return 0;
    chrome_begin(m->o, m->name, "i", m->start + t);
    jsonw_key(m->o->f, "s", 0);
    jsonw_string(m->o->f, "p");
    jsonw_key(m->o->f, "args", 0);
    fputc('{', m->o->f);
    jsonw_key(m->o->f, "growth_bytes", 1);
    jsonw_int(m->o->f, growth, 1);
    jsonw_key(m->o->f, "function", 0);
    jsonw_string(m->o->f, m->func);
    jsonw_key(m->o->f, "file", 0);
    jsonw_string(m->o->f, m->file);
    fputs("}}", m->o->f);
    return 0;
}

/* Instant events where the session's top lines grew. Returns 0 or -1. */
static int chrome_marks(const export_ctx *x, size_t i, chrome_out *o, double from, double to)
{
    top_lines t = { 0 };
    int rc = store_report(x->st, x->sessions[i].id, STORE_LINES, from, to, STORE_BY_GROWTH, TOP_LINES * 4, top_row, &t);
    if (rc == 0 && t.oom)
        rc = -1;
    for (size_t k = 0; rc == 0 && k < t.n; k++) {
        const char *base = strrchr(t.file[k], '/');
        char name[600];
        snprintf(name, sizeof name, "grew: %s:%d", base && base[1] ? base + 1 : t.file[k], (int)t.line[k]);
        chrome_mark m = { o, x->sessions[i].start, name, t.file[k], t.func[k] };
        rc = store_line_times(x->st, x->sessions[i].id, from, to, t.file[k], t.line[k], chrome_grew, &m);
    }
    top_free(&t);
    return rc;
}

int export_chrome(const export_ctx *x, FILE *f)
{
    chrome_out o = { f, x->sessions[0].start, 0, 0 };
    fputs("{\"traceEvents\": [", f);
    for (size_t i = 0; i < x->n; i++) {
        const store_session *ss = &x->sessions[i];
        double from, to;
        export_range(x, i, &from, &to);
        o.pid = ss->pid > 0 ? ss->pid : (int)ss->id;
        /* name the process track after its command */
        char cmd[300], name[400];
        snprintf(name, sizeof name, "%s (session %lld)", textout_clean(ss->cmdline, cmd, sizeof cmd, 200),
                 (long long)ss->id);
        fputs(o.n++ ? ",\n  {" : "\n  {", f);
        jsonw_key(f, "name", 1);
        jsonw_string(f, "process_name");
        jsonw_key(f, "ph", 0);
        jsonw_string(f, "M");
        jsonw_key(f, "pid", 0);
        jsonw_int(f, o.pid, 1);
        jsonw_key(f, "tid", 0);
        jsonw_int(f, o.pid, 1);
        jsonw_key(f, "args", 0);
        fputc('{', f);
        jsonw_key(f, "name", 1);
        jsonw_string(f, name);
        fputs("}}", f);
        if (store_timeline(x->st, ss->id, from, to, chrome_row, &o) < 0 || chrome_marks(x, i, &o, from, to) < 0)
            return -1;
    }
    fputs("\n],\n\"displayTimeUnit\": \"ms\",\n\"otherData\": {", f);
    jsonw_key(f, "exporter", 1);
    jsonw_string(f, "memwatch " MW_VERSION);
    jsonw_key(f, "session", 0);
    jsonw_int(f, x->sessions[0].id, 1);
    jsonw_key(f, "start", 0);
    jsonw_num(f, x->sessions[0].start, 1);
    fputs("}}\n", f);
    return 0;
}
