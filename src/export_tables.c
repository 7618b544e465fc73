/* export_tables: the timeline and the per-line and per-function sums as CSV or JSON. */
#include <stdlib.h>
#include <string.h>

#include "csvw.h"
#include "exargs.h"
#include "export.h"
#include "jsonw.h"
#include "report.h"
#include "mw_config.h"

typedef struct table_out {
    FILE *f;
    const store_session *ss;
    double t0;                 /* t is counted from this (the session's own start) */
    size_t n;                  /* rows written (JSON separators) */
    int with_text;             /* lines: the source text column */
} table_out;

static int csv_timeline(void *arg, const mw_sample *m)
{
    table_out *o = arg;
    FILE *f = o->f;
    csvw_int(f, o->ss->id, 1, 1);
    csvw_int(f, o->ss->pid, 1, 0);
    csvw_num(f, m->t - o->t0, 1, 0);
    csvw_num(f, m->t, 1, 0);
    const int64_t figs[] = { m->rss, m->uss, m->pss, m->swap, m->rss_peak };
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++)
        csvw_int(f, figs[i], figs[i] != MW_NOVAL, 0);
    csvw_int(f, m->ticks, 1, 0);
    fputs("\r\n", f);
    return 0;
}

static int csv_row(void *arg, const store_report_row *r)
{
    table_out *o = arg;
    FILE *f = o->f;
    csvw_int(f, o->ss->id, 1, 1);
    csvw_int(f, o->ss->pid, 1, 0);
    csvw_field(f, r->file, 0);
    csvw_int(f, r->line, 1, 0);
    csvw_field(f, r->func, 0);
    csvw_int(f, r->growth, 1, 0);
    csvw_int(f, r->shrink, 1, 0);
    csvw_int(f, r->net, 1, 0);
    csvw_int(f, r->hits, 1, 0);
    csvw_int(f, r->peak_rss, r->peak_rss != MW_NOVAL, 0);
    if (o->with_text) {
        /* the saved line keeps no trailing newline in a cell */
        char buf[1024];
        const char *t = r->text;
        if (t) {
            snprintf(buf, sizeof buf, "%s", t);
            size_t len = strlen(buf);
            while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
                buf[--len] = '\0';
            t = buf;
        }
        csvw_field(f, t, 0);
    }
    fputs("\r\n", f);
    return 0;
}

int export_csv(const export_ctx *x, FILE *f)
{
    int timeline = x->what == EXPORT_TIMELINE, lines = x->what == EXPORT_LINES;
    if (timeline)
        fputs("session,pid,t,time,rss_bytes,uss_bytes,pss_bytes,swap_bytes,rss_peak_bytes,ticks\r\n", f);
    else
        fprintf(f, "session,pid,file,line,function,growth_bytes,shrink_bytes,net_bytes,hits,peak_rss_bytes%s\r\n",
                lines ? ",text" : "");
    for (size_t i = 0; i < x->n; i++) {
        double from, to;
        export_range(x, i, &from, &to);
        table_out o = { f, &x->sessions[i], x->sessions[i].start, 0, lines };
        int rc = timeline ? store_timeline(x->st, o.ss->id, from, to, csv_timeline, &o)
                          : store_report(x->st, o.ss->id, lines ? STORE_LINES : STORE_FUNCTIONS, from, to,
                                         STORE_BY_GROWTH, 0, csv_row, &o);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int json_timeline(void *arg, const mw_sample *m)
{
    table_out *o = arg;
    FILE *f = o->f;
    fputs(o->n++ ? ",\n    {" : "\n    {", f);
    jsonw_key(f, "t", 1);
    jsonw_num(f, m->t - o->t0, 1);
    jsonw_key(f, "time", 0);
    jsonw_num(f, m->t, 1);
    const struct { const char *k; int64_t v; } figs[] = {
        { "rss_bytes", m->rss }, { "uss_bytes", m->uss }, { "pss_bytes", m->pss },
        { "swap_bytes", m->swap }, { "rss_peak_bytes", m->rss_peak },
    };
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
        jsonw_key(f, figs[i].k, 0);
        jsonw_int(f, figs[i].v, figs[i].v != MW_NOVAL);
    }
    jsonw_key(f, "ticks", 0);
    jsonw_int(f, m->ticks, 1);
    fputc('}', f);
    return 0;
}

static int json_row(void *arg, const store_report_row *r)
{
    table_out *o = arg;
    fputs(o->n++ ? ",\n    " : "\n    ", o->f);
    report_json_row(o->f, r, o->with_text);
    return 0;
}

/* Writes one session's object (without children). Returns 0 or -1. */
static int json_session(const export_ctx *x, size_t i, FILE *f)
{
    const store_session *ss = &x->sessions[i];
    double from, to;
    export_range(x, i, &from, &to);
    fputs("{\"session\": {", f);
    jsonw_key(f, "id", 1);
    jsonw_int(f, ss->id, 1);
    jsonw_key(f, "parent", 0);
    jsonw_int(f, ss->parent, ss->parent > 0);
    jsonw_key(f, "pid", 0);
    jsonw_int(f, ss->pid, 1);
    jsonw_key(f, "command", 0);
    jsonw_string(f, ss->cmdline);
    jsonw_key(f, "python", 0);
    jsonw_string(f, ss->python);
    jsonw_key(f, "start", 0);
    jsonw_num(f, ss->start, 1);
    jsonw_key(f, "end", 0);
    jsonw_num(f, ss->end, ss->status != MW_END_LIVE);
    jsonw_key(f, "status", 0);
    jsonw_string(f, store_status_name(ss->status));
    jsonw_key(f, "exit_code", 0);
    jsonw_int(f, ss->exit_code, ss->has_exit);
    jsonw_key(f, "interval_s", 0);
    jsonw_num(f, ss->interval, 1);
    jsonw_key(f, "rate_hz", 0);
    jsonw_num(f, ss->rate, 1);
    jsonw_key(f, "peak_rss_bytes", 0);
    jsonw_int(f, ss->peak_rss, ss->peak_rss != MW_NOVAL);
    fputs("}", f);
    jsonw_key(f, "from_s", 0);
    jsonw_num(f, from, 1);
    jsonw_key(f, "to_s", 0);
    jsonw_num(f, to, to < STORE_OPEN_END);
    const struct { int bit; const char *key; int group; } parts[] = {
        { EXPORT_TIMELINE, "timeline", -1 }, { EXPORT_LINES, "lines", STORE_LINES },
        { EXPORT_FUNCTIONS, "functions", STORE_FUNCTIONS },
    };
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        if (!(x->what & parts[k].bit))
            continue;
        jsonw_key(f, parts[k].key, 0);
        fputc('[', f);
        /* t counts from this session's own start, as in memwatch report --json */
        table_out o = { f, ss, ss->start, 0, parts[k].group == STORE_LINES };
        int rc = parts[k].group < 0 ? store_timeline(x->st, ss->id, from, to, json_timeline, &o)
                                    : store_report(x->st, ss->id, parts[k].group, from, to, STORE_BY_GROWTH, 0,
                                                   json_row, &o);
        if (rc < 0)
            return -1;
        fputs(o.n ? "\n  ]" : "]", f);
    }
    return 0;
}

int export_json(const export_ctx *x, FILE *f)
{
    if (json_session(x, 0, f) < 0)
        return -1;
    jsonw_key(f, "exporter", 0);
    jsonw_string(f, "memwatch " MW_VERSION);
    jsonw_key(f, "children", 0);
    fputc('[', f);
    for (size_t i = 1; i < x->n; i++) {
        fputs(i > 1 ? ",\n" : "\n", f);
        if (json_session(x, i, f) < 0)
            return -1;
        fputc('}', f);
    }
    fputs(x->n > 1 ? "\n]}\n" : "]}\n", f);
    return 0;
}
