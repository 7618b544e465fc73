/* report: line, function and timeline reports of a recorded session, as text or JSON. */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"
#include "textout.h"
#include "units.h"

#define TEXT_COLS 100      /* source text shown per line */
#define FUNC_COLS 60       /* function names shown */

char *report_format_time(double t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(buf, len, "?");
    return buf;
}

static const char *bytes(int64_t v, char *buf, size_t len)
{
    return v == MW_NOVAL ? "-" : units_format_bytes(v, buf, len);
}

/* A report row with its own copies of the strings. */
typedef struct row {
    store_report_row r;
    int rank;               /* file order: where the file first appears by growth */
} row;

typedef struct rows {
    row *items;
    size_t n, cap;
    int oom;
} rows;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int collect(void *arg, const store_report_row *r)
{
    rows *rs = arg;
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 128;
        row *ni = realloc(rs->items, cap * sizeof *ni);
        if (!ni) {
            rs->oom = 1;
            return 1;
        }
        rs->items = ni;
        rs->cap = cap;
    }
    row *w = &rs->items[rs->n];
    w->r = *r;
    w->r.file = strdup(r->file);
    w->r.func = strdup(r->func);
    w->r.text = dup_or_null(r->text);
    if (!w->r.file || !w->r.func || (r->text && !w->r.text)) {
        free((char *)w->r.file);
        free((char *)w->r.func);
        free((char *)w->r.text);
        rs->oom = 1;
        return 1;
    }
    rs->n++;
    return 0;
}

static void rows_free(rows *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free((char *)rs->items[i].r.file);
        free((char *)rs->items[i].r.func);
        free((char *)rs->items[i].r.text);
    }
    free(rs->items);
}

/* Orders rows by file (in the order the files first appear) then line; pseudo lines last. */
static int by_place(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    int32_t lx = x->r.line > 0 ? x->r.line : INT32_MAX, ly = y->r.line > 0 ? y->r.line : INT32_MAX;
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return strcmp(x->r.func, y->r.func);
}

static void rank_files(rows *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        rs->items[i].rank = (int)i;
        for (size_t j = 0; j < i; j++)
            if (strcmp(rs->items[j].r.file, rs->items[i].r.file) == 0) {
                rs->items[i].rank = rs->items[j].rank;
                break;
            }
    }
}

void report_json_row(FILE *f, const store_report_row *r, int with_text)
{
    fputc('{', f);
    jsonw_key(f, "file", 1);
    jsonw_string(f, r->file);
    jsonw_key(f, "line", 0);
    jsonw_int(f, r->line, 1);
    jsonw_key(f, "function", 0);
    jsonw_string(f, r->func);
    jsonw_key(f, "growth_bytes", 0);
    jsonw_int(f, r->growth, 1);
    jsonw_key(f, "shrink_bytes", 0);
    jsonw_int(f, r->shrink, 1);
    jsonw_key(f, "net_bytes", 0);
    jsonw_int(f, r->net, 1);
    jsonw_key(f, "hits", 0);
    jsonw_int(f, r->hits, 1);
    jsonw_key(f, "peak_rss_bytes", 0);
    jsonw_int(f, r->peak_rss, r->peak_rss != MW_NOVAL);
    if (with_text) {
        jsonw_key(f, "text", 0);
        jsonw_string(f, r->text);
    }
    fputc('}', f);
}

static void print_figures(FILE *f, const store_report_row *r)
{
    char a[32], b[32], c[32], d[32];
    fprintf(f, "%11s %11s %11s %11s %7lld", bytes(r->peak_rss, a, sizeof a), units_format_bytes(r->growth, b, sizeof b),
            units_format_bytes(r->shrink, c, sizeof c), units_format_bytes(r->net, d, sizeof d), (long long)r->hits);
}

static void print_lines(FILE *f, const rows *rs)
{
    char buf[4 * TEXT_COLS + 8];
    for (size_t i = 0; i < rs->n; i++) {
        const store_report_row *r = &rs->items[i].r;
        if (i == 0 || rs->items[i - 1].rank != rs->items[i].rank) {
            fprintf(f, "\nFile: %s\n\n", textout_clean(r->file, buf, sizeof buf, 0));
            fprintf(f, "%6s %11s %11s %11s %11s %7s  %s\n", "Line #", "Peak RSS", "Growth", "Shrink", "Net", "Hits",
                    "Line Contents");
            fprintf(f, "%.*s\n", 6 + 12 * 4 + 8 + 15, "==============================================="
                                                      "================================================");
        }
        if (r->line > 0)
            fprintf(f, "%6d ", (int)r->line);
        else
            fprintf(f, "%6s ", "-");
        print_figures(f, r);
        const char *text = r->line > 0 ? r->text : r->func;
        fprintf(f, "  %s\n", text ? textout_clean(text, buf, sizeof buf, TEXT_COLS) : "");
    }
}

static void print_functions(FILE *f, const rows *rs)
{
    char buf[4 * FUNC_COLS + 8], file[4096];
    fprintf(f, "\n%11s %11s %11s %11s %7s  %s\n", "Peak RSS", "Growth", "Shrink", "Net", "Hits", "Function (file:line)");
    fprintf(f, "%.*s\n", 12 * 4 + 8 + 22, "==============================================="
                                          "================================================");
    for (size_t i = 0; i < rs->n; i++) {
        const store_report_row *r = &rs->items[i].r;
        print_figures(f, r);
        fprintf(f, "  %s (%s:%d)\n", textout_clean(r->func, buf, sizeof buf, FUNC_COLS),
                textout_clean(r->file, file, sizeof file, 0), (int)r->line);
    }
}

typedef struct timeline_out {
    FILE *f;
    double start;
    int json;
    size_t n;
} timeline_out;

static int timeline_row(void *arg, const mw_sample *m)
{
    timeline_out *o = arg;
    FILE *f = o->f;
    if (o->json) {
        fputs(o->n ? ",\n  {" : "\n  {", f);
        jsonw_key(f, "t", 1);
        jsonw_num(f, m->t - o->start, 1);
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
    } else {
        char a[32], b[32], c[32], d[32], e[32];
        if (o->n == 0)
            fprintf(f, "\n%10s %11s %11s %11s %11s %11s %6s\n", "t (s)", "RSS", "USS", "PSS", "Swap", "Peak RSS", "Ticks");
        fprintf(f, "%10.3f %11s %11s %11s %11s %11s %6u\n", m->t - o->start, bytes(m->rss, a, sizeof a),
                bytes(m->uss, b, sizeof b), bytes(m->pss, c, sizeof c), bytes(m->swap, d, sizeof d),
                bytes(m->rss_peak, e, sizeof e), (unsigned)m->ticks);
    }
    o->n++;
    return 0;
}

/* The session's length so far: to its end, or its last sample while live. */
static double session_length(const store_session *ss)
{
    double end = ss->end > 0 ? ss->end : ss->last_t;
    return end > ss->start ? end - ss->start : 0;
}

static void print_header(FILE *f, const store_session *ss, const report_opts *o)
{
    char cmd[512], a[32], b[32], c[32];
    double len = session_length(ss);
    double to = o->to < len ? o->to : len;
    fprintf(f, "memwatch report: session %lld (pid %d): %s\n", (long long)ss->id, ss->pid,
            textout_clean(ss->cmdline, cmd, sizeof cmd, 120));
    if (o->from <= 0 && o->to >= len)
        fprintf(f, "whole session (%s)", units_format_duration(len, c, sizeof c));
    else
        fprintf(f, "from %s to %s of %s", o->from > 0 ? units_format_duration(o->from, a, sizeof a) : "the start",
                units_format_duration(to, b, sizeof b), units_format_duration(len, c, sizeof c));
    fprintf(f, ", %s%s", ss->status == MW_END_CUT ? "cut short" : store_status_name(ss->status),
            ss->python ? ", Python " : "");
    fprintf(f, "%s\n", ss->python ? textout_clean(ss->python, cmd, sizeof cmd, 32) : "");
    if (o->kind == REPORT_TIMELINE) {
        fprintf(f, "Memory sampled every %s.\n", units_format_duration(ss->interval, a, sizeof a));
        return;
    }
    fprintf(f, "Figures are sampled, not traced: each change of RSS is charged to the line a stack\n"
               "sample found running (%.0f samples/s); Growth and Shrink are summed apart, Net = Growth - Shrink,\n"
               "Hits = stack samples on the line, Peak RSS = the highest RSS seen while it ran.\n",
            ss->rate);
}

int report_print(store *st, const store_session *ss, const report_opts *o, FILE *f)
{
    if (o->kind == REPORT_TIMELINE) {
        timeline_out t = { f, ss->start, o->json, 0 };
        if (o->json)
            fputc('[', f);
        else
            print_header(f, ss, o);
        if (store_timeline(st, ss->id, o->from, o->to, timeline_row, &t) < 0)
            return -1;
        if (o->json)
            fputs(t.n ? "\n]\n" : "]\n", f);
        else if (!t.n)
            fprintf(f, "\nno timeline rows in this range\n");
        return 0;
    }
    rows rs = { 0 };
    int group = o->kind == REPORT_FUNCTIONS ? STORE_FUNCTIONS : STORE_LINES;
    if (store_report(st, ss->id, group, o->from, o->to, STORE_BY_GROWTH, o->top, collect, &rs) < 0) {
        rows_free(&rs);
        return -1;
    }
    if (rs.oom) {
        rows_free(&rs);
        return -1;
    }
    if (o->json) {
        fputc('[', f);
        for (size_t i = 0; i < rs.n; i++) {
            fputs(i ? ",\n" : "\n", f);
            fputs("  ", f);
            report_json_row(f, &rs.items[i].r, group == STORE_LINES);
        }
        fputs(rs.n ? "\n]\n" : "]\n", f);
    } else {
        print_header(f, ss, o);
        if (rs.n == 0) {
            fprintf(f, "\nno %s were charged in this range%s\n", group == STORE_LINES ? "lines" : "functions",
                    ss->python ? "" : " (no Python interpreter was read: memory only; see --timeline)");
        } else if (group == STORE_LINES) {
            rank_files(&rs);
            qsort(rs.items, rs.n, sizeof *rs.items, by_place);
            print_lines(f, &rs);
        } else {
            print_functions(f, &rs);
        }
    }
    rows_free(&rs);
    return 0;
}

int report_print_top(store *st, int64_t session, int n, FILE *f)
{
    rows rs = { 0 };
    if (store_report(st, session, STORE_LINES, 0, STORE_OPEN_END, STORE_BY_GROWTH, n, collect, &rs) < 0) {
        rows_free(&rs);
        return -1;
    }
    size_t shown = 0;
    char where[300], text[4 * TEXT_COLS + 8], a[32];
    for (size_t i = 0; i < rs.n; i++) {
        const store_report_row *r = &rs.items[i].r;
        if (r->growth <= 0)
            continue;
        if (!shown++)
            fprintf(f, "  top lines by growth (sampled):\n");
        const char *base = strrchr(r->file, '/');
        base = base && base[1] ? base + 1 : r->file;
        char line[16];
        snprintf(line, sizeof line, ":%d", (int)r->line);
        char file[256];
        snprintf(where, sizeof where, "%s%s", textout_clean(base, file, sizeof file, 40), r->line > 0 ? line : "");
        const char *t = r->line > 0 ? r->text : r->func;
        while (t && (*t == ' ' || *t == '\t'))
            t++;
        fprintf(f, "    %10s  %-24s %s\n", units_format_bytes(r->growth, a, sizeof a), where,
                t ? textout_clean(t, text, sizeof text, 60) : "");
    }
    if (!shown && !rs.oom)
        fprintf(f, "  no line was seen growing memory\n");
    int oom = rs.oom;
    rows_free(&rs);
    return oom ? -1 : 0;
}
