/* store_query: what readers ask of the database — sessions, timeline, line and function sums. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

const char *store_status_name(int status)
{
    switch (status) {
    case MW_END_LIVE:
        return "live";
    case MW_END_ENDED:
        return "ended";
    case MW_END_DETACHED:
        return "detached";
    case MW_END_CUT:
        return "cut";
    default:
        return "?";
    }
}

static int status_from_name(const char *name)
{
    if (!name)
        return MW_END_CUT;
    if (!strcmp(name, "live"))
        return MW_END_LIVE;
    if (!strcmp(name, "ended"))
        return MW_END_ENDED;
    if (!strcmp(name, "detached"))
        return MW_END_DETACHED;
    return MW_END_CUT;
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? 0 : store_fail(s, rc, "querying");
}

/* Finishes a query loop: rc is the last step's result. Returns 0 or -1 (recorded). */
static int finish(struct store *s, sqlite3_stmt *st, int rc)
{
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_fail(s, rc, "querying");
    return 0;
}

static char *dup_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

static int64_t fig_col(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? MW_NOVAL : sqlite3_column_int64(st, i);
}

#define SESSION_COLS \
    "SELECT s.id, s.parent, s.pid, s.cmdline, s.exe, s.python, s.start_t, s.end_t, s.exit_code," \
    " s.interval_s, s.rate_hz, s.status, s.collector_pid, s.collector_start, s.samples, s.last_t," \
    " s.peak_rss, (SELECT count(*) FROM sessions c WHERE c.parent = s.id) FROM sessions s"

/* Fills out from a SESSION_COLS row. Returns 0, or -1 when out of memory. */
static int read_session(struct store *s, sqlite3_stmt *st, store_session *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    out->parent = sqlite3_column_int64(st, 1);
    out->pid = sqlite3_column_int(st, 2);
    out->cmdline = dup_col(st, 3);
    out->exe = dup_col(st, 4);
    out->python = dup_col(st, 5);
    out->start = sqlite3_column_double(st, 6);
    out->end = sqlite3_column_double(st, 7);
    out->has_exit = sqlite3_column_type(st, 8) != SQLITE_NULL;
    out->exit_code = sqlite3_column_int(st, 8);
    out->interval = sqlite3_column_double(st, 9);
    out->rate = sqlite3_column_double(st, 10);
    out->status = status_from_name((const char *)sqlite3_column_text(st, 11));
    out->samples = sqlite3_column_int64(st, 14);
    out->last_t = sqlite3_column_double(st, 15);
    out->peak_rss = fig_col(st, 16);
    out->children = sqlite3_column_int(st, 17);
    if (out->status == MW_END_LIVE &&
        !store_collector_alive(sqlite3_column_int(st, 12), (unsigned long long)sqlite3_column_int64(st, 13))) {
        /* its collector is gone without ending it: cut short at the last sample */
        out->status = MW_END_CUT;
        out->end = out->last_t > 0 ? out->last_t : out->start;
    }
    if (out->status == MW_END_LIVE)
        out->end = 0;
    if (!out->cmdline && !(out->cmdline = strdup(""))) {
        store_session_clear(out);
        return store_failf(s, STORE_ERR_OTHER, "out of memory");
    }
    return 0;
}

void store_session_clear(store_session *ss)
{
    free(ss->cmdline);
    free(ss->exe);
    free(ss->python);
    ss->cmdline = ss->exe = ss->python = NULL;
}

void store_sessions_free(store_sessions *l)
{
    for (size_t i = 0; i < l->n; i++)
        store_session_clear(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

int store_list_sessions(store *s, store_sessions *out)
{
    out->items = NULL;
    out->n = 0;
    if (s->empty)
        return 0;
    sqlite3_stmt *st;
    if (prepare(s, SESSION_COLS " ORDER BY s.id", &st) < 0)
        return -1;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            store_session *ni = realloc(out->items, ncap * sizeof *ni);
            if (!ni) {
                sqlite3_finalize(st);
                store_sessions_free(out);
                return store_failf(s, STORE_ERR_OTHER, "out of memory");
            }
            out->items = ni;
            cap = ncap;
        }
        if (read_session(s, st, &out->items[out->n]) < 0) {
            sqlite3_finalize(st);
            store_sessions_free(out);
            return -1;
        }
        out->n++;
    }
    if (finish(s, st, rc) < 0) {
        store_sessions_free(out);
        return -1;
    }
    return 0;
}

int store_get_session(store *s, int64_t id, store_session *out)
{
    memset(out, 0, sizeof *out);
    if (s->empty)
        return 1;
    sqlite3_stmt *st;
    if (prepare(s, SESSION_COLS " WHERE s.id = ?1", &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int r = read_session(s, st, out);
        sqlite3_finalize(st);
        return r;
    }
    return finish(s, st, rc) < 0 ? -1 : 1;
}

int store_latest_session(store *s, int64_t *id)
{
    if (s->empty)
        return 1;
    sqlite3_stmt *st;
    if (prepare(s, "SELECT max(id) FROM sessions WHERE parent IS NULL", &st) < 0)
        return -1;
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (found)
        *id = sqlite3_column_int64(st, 0);
    if (finish(s, st, rc) < 0)
        return -1;
    return found ? 0 : 1;
}

/* The start time of a session into *start. Returns 0, 1 if no such session, -1 on error. */
static int session_start(struct store *s, int64_t session, double *start)
{
    sqlite3_stmt *st;
    if (prepare(s, "SELECT start_t FROM sessions WHERE id = ?1", &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, session);
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW;
    if (found)
        *start = sqlite3_column_double(st, 0);
    if (finish(s, st, rc) < 0)
        return -1;
    return found ? 0 : 1;
}

int store_timeline(store *s, int64_t session, double from, double to,
                   int (*fn)(void *arg, const mw_sample *row), void *arg)
{
    double start;
    if (s->empty)
        return 0;
    int r = session_start(s, session, &start);
    if (r != 0)
        return r < 0 ? -1 : 0;
    sqlite3_stmt *st;
    if (prepare(s, "SELECT t, rss, uss, pss, swap, rss_peak, ticks FROM samples"
                   " WHERE session = ?1 AND t >= ?2 AND t <= ?3 ORDER BY t", &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_double(st, 2, start + from);
    sqlite3_bind_double(st, 3, start + to);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        mw_sample m = {
            .t = sqlite3_column_double(st, 0),
            .rss = fig_col(st, 1), .uss = fig_col(st, 2), .pss = fig_col(st, 3), .swap = fig_col(st, 4),
            .rss_peak = fig_col(st, 5), .ticks = (uint32_t)sqlite3_column_int64(st, 6),
        };
        if (fn(arg, &m))
            break;
    }
    return finish(s, st, rc);
}

/* The bucket of charges_10min (schema/004_rollup.sql) a charge at t adds to. */
#define BUCKET_S 600.0
#define BUCKET "CAST(t / 600.0 AS INTEGER) * 600.0"

int store_report(store *s, int64_t session, int group, double from, double to, int order,
                 int limit, int (*fn)(void *arg, const store_report_row *row), void *arg)
{
    double start;
    if (s->empty)
        return 0;
    int r = session_start(s, session, &start);
    if (r != 0)
        return r < 0 ? -1 : 0;
    int lines = group == STORE_LINES;
    const char *by;
    switch (order) {
    case STORE_BY_NET:
        by = "g - sh DESC, fs.s, ln";
        break;
    case STORE_BY_HITS:
        by = "h DESC, fs.s, ln";
        break;
    case STORE_BY_PLACE:
        by = "fs.s, ln, fname";
        break;
    default:
        by = "g DESC, fs.s, ln";
        break;
    }
    /* sum per stack first, then per line or function: the ten-minute buckets
     * lying whole inside the range come from charges_10min, the partial ones
     * at its edges from the raw charges (bucketed by the same expression) */
    char sql[2400];
    snprintf(sql, sizeof sql,
             "WITH per AS (SELECT stack, sum(g) AS g, sum(sh) AS sh, sum(h) AS h, max(pk) AS pk FROM ("
             "SELECT stack, growth AS g, shrink AS sh, hits AS h, peak_rss AS pk FROM charges_10min"
             " WHERE session = ?1 AND t >= ?5 AND t < ?6"
             " UNION ALL SELECT stack, growth, shrink, hits, peak_rss FROM charges WHERE session = ?1"
             " AND t >= ?2 AND t <= ?7 AND " BUCKET " < ?5"
             " UNION ALL SELECT stack, growth, shrink, hits, peak_rss FROM charges WHERE session = ?1"
             " AND t >= ?8 AND t <= ?3 AND " BUCKET " >= ?6"
             ") GROUP BY stack)"
             " SELECT fs.s, min(fn.s) AS fname, %s AS ln, sum(per.g) AS g, sum(per.sh) AS sh,"
             " sum(per.h) AS h, max(per.pk), %s"
             " FROM per JOIN stacks k ON k.id = per.stack JOIN frames f ON f.id = k.frame"
             " JOIN strings fs ON fs.id = f.file JOIN strings fn ON fn.id = f.func"
             " GROUP BY %s ORDER BY %s LIMIT ?4",
             lines ? "f.line" : "min(f.firstline)",
             lines ? "(SELECT text FROM source_lines sl WHERE sl.session = ?1 AND sl.file = f.file AND sl.line = f.line)"
                   : "NULL",
             /* pseudo frames ("[no Python frame]") all sit on line 0: keep them apart */
             lines ? "f.file, f.line, CASE WHEN f.line <= 0 THEN f.func END" : "f.file, f.func", by);
    sqlite3_stmt *st;
    if (prepare(s, sql, &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_double(st, 2, start + from);
    sqlite3_bind_double(st, 3, start + to);
    sqlite3_bind_int(st, 4, limit > 0 ? limit : -1);
    /* whole buckets: starting at or after the range's start, ending by its end */
    double b0 = ceil((start + from) / BUCKET_S) * BUCKET_S, b1 = floor((start + to) / BUCKET_S) * BUCKET_S;
    if (!(b1 >= b0))
        b1 = b0;   /* none whole: the raw charges answer all of it, once */
    sqlite3_bind_double(st, 5, b0);
    sqlite3_bind_double(st, 6, b1);
    /* one bound each for the edges, so that the (session, t) index is walked over the edge only */
    double a = start + from, b = start + to;
    sqlite3_bind_double(st, 7, b0 + 1 < b ? b0 + 1 : b);
    sqlite3_bind_double(st, 8, b1 - 1 > a ? b1 - 1 : a);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_report_row row = {
            .file = (const char *)sqlite3_column_text(st, 0),
            .func = (const char *)sqlite3_column_text(st, 1),
            .line = sqlite3_column_int(st, 2),
            .growth = sqlite3_column_int64(st, 3),
            .shrink = sqlite3_column_int64(st, 4),
            .hits = sqlite3_column_int64(st, 5),
            .peak_rss = fig_col(st, 6),
            .text = (const char *)sqlite3_column_text(st, 7),
        };
        row.net = row.growth - row.shrink;
        if (!row.file)
            row.file = "?";
        if (!row.func)
            row.func = "?";
        if (fn(arg, &row))
            break;
    }
    return finish(s, st, rc);
}

int store_source_line(store *s, int64_t session, const char *file, int32_t line, char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    if (s->empty)
        return 1;
    sqlite3_stmt *st;
    if (prepare(s, "SELECT sl.text FROM source_lines sl JOIN strings fs ON fs.id = sl.file"
                   " WHERE sl.session = ?1 AND fs.s = ?2 AND sl.line = ?3", &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_text(st, 2, file, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, line);
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW;
    if (found && len)
        snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
    if (finish(s, st, rc) < 0)
        return -1;
    return found ? 0 : 1;
}

int store_events(store *s, int64_t session,
                 int (*fn)(void *arg, double t, const char *kind, const char *detail), void *arg)
{
    if (s->empty)
        return 0;
    sqlite3_stmt *st;
    if (prepare(s, "SELECT t, kind, detail FROM events WHERE session = ?1 ORDER BY t, rowid", &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, session);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(arg, sqlite3_column_double(st, 0), (const char *)sqlite3_column_text(st, 1),
               (const char *)sqlite3_column_text(st, 2)))
            break;
    }
    return finish(s, st, rc);
}

/* The frames of the stack being gathered by store_stacks, with copies of their strings. */
typedef struct chain {
    store_frame frames[STORE_MAX_DEPTH];
    size_t off[STORE_MAX_DEPTH][2];    /* file, func offsets into text */
    size_t depth;
    char *text;
    size_t used, cap;
} chain;

/* Appends a copy of str to c->text; sets *off. Returns 0, or -1 when out of memory. */
static int chain_copy(chain *c, const char *str, size_t *off)
{
    size_t n = strlen(str) + 1;
    if (c->used + n > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->used + n)
            cap *= 2;
        char *t = realloc(c->text, cap);
        if (!t)
            return -1;
        c->text = t;
        c->cap = cap;
    }
    memcpy(c->text + c->used, str, n);
    *off = c->used;
    c->used += n;
    return 0;
}

/* Points the gathered frames at their strings and hands the stack to fn; returns what fn returns. */
static int chain_emit(chain *c, store_stack_row *row, int (*fn)(void *arg, const store_stack_row *row), void *arg)
{
    for (size_t i = 0; i < c->depth; i++) {
        c->frames[i].file = c->text + c->off[i][0];
        c->frames[i].func = c->text + c->off[i][1];
    }
    row->frames = c->frames;
    row->depth = c->depth;
    return fn(arg, row);
}

int store_stacks(store *s, int64_t session, double from, double to,
                 int (*fn)(void *arg, const store_stack_row *row), void *arg)
{
    double start;
    if (s->empty)
        return 0;
    int r = session_start(s, session, &start);
    if (r != 0)
        return r < 0 ? -1 : 0;
    /* per stack sums, then each stack's chain from its innermost frame out (depth 0),
     * bounded so that a damaged database with a cycle cannot loop */
    static const char sql[] =
        "WITH RECURSIVE per AS (SELECT stack, sum(growth) AS g, sum(shrink) AS sh, sum(hits) AS h"
        " FROM charges WHERE session = ?1 AND t >= ?2 AND t <= ?3 GROUP BY stack),"
        " chain(leaf, id, depth) AS (SELECT stack, stack, 0 FROM per"
        "  UNION ALL SELECT chain.leaf, k.parent, chain.depth + 1 FROM chain JOIN stacks k ON k.id = chain.id"
        "  WHERE k.parent != 0 AND chain.depth + 1 < ?4)"
        " SELECT per.stack, per.g, per.sh, per.h, chain.depth, k.parent, fs.s, fn.s, f.line"
        " FROM per JOIN chain ON chain.leaf = per.stack JOIN stacks k ON k.id = chain.id"
        " JOIN frames f ON f.id = k.frame JOIN strings fs ON fs.id = f.file JOIN strings fn ON fn.id = f.func"
        " ORDER BY per.g DESC, per.stack, chain.depth DESC";
    sqlite3_stmt *st;
    if (prepare(s, sql, &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_double(st, 2, start + from);
    sqlite3_bind_double(st, 3, start + to);
    sqlite3_bind_int(st, 4, STORE_MAX_DEPTH);
    chain *c = calloc(1, sizeof *c);
    if (!c) {
        sqlite3_finalize(st);
        return store_failf(s, STORE_ERR_OTHER, "out of memory");
    }
    store_stack_row row = { 0 };
    int rc, stopped = 0, oom = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t leaf = sqlite3_column_int64(st, 0);
        if (c->depth && leaf != row.stack) {
            if ((stopped = chain_emit(c, &row, fn, arg)) != 0)
                break;
            c->depth = 0;
            c->used = 0;
        }
        if (!c->depth) {
            row.stack = leaf;
            row.growth = sqlite3_column_int64(st, 1);
            row.shrink = sqlite3_column_int64(st, 2);
            row.hits = sqlite3_column_int64(st, 3);
            /* the first row of a chain is its outermost frame: a parent left means it was cut */
            row.truncated = sqlite3_column_int64(st, 5) != 0;
        }
        if (c->depth == STORE_MAX_DEPTH)
            continue;
        const char *file = (const char *)sqlite3_column_text(st, 6);
        const char *func = (const char *)sqlite3_column_text(st, 7);
        size_t d = c->depth;
        if (chain_copy(c, file ? file : "?", &c->off[d][0]) < 0 || chain_copy(c, func ? func : "?", &c->off[d][1]) < 0) {
            oom = 1;
            break;
        }
        c->frames[d].line = sqlite3_column_int(st, 8);
        c->depth++;
    }
    if (!oom && !stopped && c->depth && rc == SQLITE_DONE)
        chain_emit(c, &row, fn, arg);
    free(c->text);
    free(c);
    if (oom) {
        sqlite3_finalize(st);
        return store_failf(s, STORE_ERR_OTHER, "out of memory");
    }
    return finish(s, st, rc);
}

int store_line_times(store *s, int64_t session, double from, double to, const char *file, int32_t line,
                     int (*fn)(void *arg, double t, int64_t growth, int64_t shrink), void *arg)
{
    double start;
    if (s->empty)
        return 0;
    int r = session_start(s, session, &start);
    if (r != 0)
        return r < 0 ? -1 : 0;
    sqlite3_stmt *st;
    if (prepare(s, "SELECT c.t, sum(c.growth), sum(c.shrink) FROM charges c"
                   " JOIN stacks k ON k.id = c.stack JOIN frames f ON f.id = k.frame"
                   " WHERE c.session = ?1 AND c.t >= ?2 AND c.t <= ?3 AND f.line = ?5"
                   " AND f.file = (SELECT id FROM strings WHERE s = ?4)"
                   " GROUP BY c.t ORDER BY c.t", &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_double(st, 2, start + from);
    sqlite3_bind_double(st, 3, start + to);
    sqlite3_bind_text(st, 4, file, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, line);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(arg, sqlite3_column_double(st, 0) - start, sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2)))
            break;
    }
    return finish(s, st, rc);
}
