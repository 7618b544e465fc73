/* store_sink: the collector's sink written into SQLite — one transaction per batch. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

#define MAX_NODE_ID (1u << 24)   /* collector ids beyond this are refused */

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SESSION_INSERT] =
        "INSERT INTO sessions (parent, pid, cmdline, exe, python, start_t, interval_s, rate_hz,"
        " status, collector_pid, collector_start) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'live', ?9, ?10)",
    [ST_SESSION_END] = "UPDATE sessions SET end_t = ?2, status = ?3, exit_code = ?4 WHERE id = ?1",
    [ST_SESSION_PYTHON] = "UPDATE sessions SET python = ?2 WHERE id = ?1",
    [ST_SAMPLE_INSERT] =
        "INSERT INTO samples (session, t, rss, uss, pss, swap, rss_peak, ticks)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_SESSION_SAMPLE] =
        "UPDATE sessions SET samples = samples + 1,"
        " last_t = CASE WHEN last_t IS NULL OR ?2 > last_t THEN ?2 ELSE last_t END,"
        " peak_rss = CASE WHEN ?3 IS NULL THEN peak_rss WHEN peak_rss IS NULL OR ?3 > peak_rss THEN ?3"
        " ELSE peak_rss END WHERE id = ?1",
    [ST_STRING_FIND] = "SELECT id FROM strings WHERE s = ?1",
    [ST_STRING_INSERT] = "INSERT INTO strings (s) VALUES (?1)",
    [ST_FRAME_FIND] = "SELECT id FROM frames WHERE file = ?1 AND func = ?2 AND firstline = ?3 AND line = ?4",
    [ST_FRAME_INSERT] = "INSERT INTO frames (file, func, firstline, line) VALUES (?1, ?2, ?3, ?4)",
    [ST_STACK_FIND] = "SELECT id FROM stacks WHERE parent = ?1 AND frame = ?2",
    [ST_STACK_INSERT] = "INSERT INTO stacks (parent, frame) VALUES (?1, ?2)",
    [ST_CHARGE_INSERT] =
        "INSERT INTO charges (session, t, stack, growth, shrink, hits, peak_rss, via)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_EVENT_INSERT] = "INSERT INTO events (session, t, kind, detail) VALUES (?1, ?2, ?3, ?4)",
    [ST_SOURCE_INSERT] = "INSERT OR REPLACE INTO source_lines (session, file, line, text) VALUES (?1, ?2, ?3, ?4)",
};

int store_prepare_writer(struct store *s)
{
    for (int i = 0; i < ST_COUNT; i++) {
        int rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL);
        if (rc != SQLITE_OK)
            return store_fail(s, rc, "preparing statements");
    }
    return 0;
}

/* Steps a statement that returns no row, then resets it. Returns 0 or -1 (recorded). */
static int run(struct store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st), err_no = errno;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        s->batch_failed = 1;
        return store_fail_errno(s, rc, err_no, what);
    }
    return 0;
}

/* Steps a lookup returning one id: sets *id (0 if no row). Returns 0 or -1. */
static int find(struct store *s, sqlite3_stmt *st, int64_t *id, const char *what)
{
    int rc = sqlite3_step(st), err_no = errno;
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        s->batch_failed = 1;
        return store_fail_errno(s, rc, err_no, what);
    }
    return 0;
}

static void bind_fig(sqlite3_stmt *st, int i, int64_t v)
{
    if (v == MW_NOVAL)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

static void bind_text(sqlite3_stmt *st, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* The store behind a sink context, or NULL (recorded) if it cannot be written. */
static struct store *writer(store_sinkctx *c)
{
    if (c->broken)
        return NULL;
    if (c->st->mode != STORE_WRITE) {
        store_failf(c->st, STORE_ERR_OPEN, "%s was opened read-only", c->st->path);
        return NULL;
    }
    return c->st;
}

/* Forgets every cached id: after a rollback some of them name rows that are gone. */
static void forget_batch(struct store *s)
{
    idcache_clear(&s->strings);
    idcache_clear(&s->frames);
    idcache_clear(&s->stacks);
    for (store_sinkctx *c = s->sinks; c; c = c->next) {
        store_nodemap *m = &c->map;
        if (m->fresh_overflow) {
            memset(m->db, 0, (size_t)m->cap * sizeof *m->db);
        } else {
            for (size_t i = 0; i < m->nfresh; i++)
                m->db[m->fresh[i]] = 0;
        }
        m->nfresh = 0;
        m->fresh_overflow = 0;
    }
    s->pending_t = 0;
}

/* The batch is final: its ids stay valid. */
static void keep_batch(struct store *s)
{
    for (store_sinkctx *c = s->sinks; c; c = c->next) {
        c->map.nfresh = 0;
        c->map.fresh_overflow = 0;
    }
    if (s->pending_t > s->committed_t)
        s->committed_t = s->pending_t;
    s->pending_t = 0;
}

static int sink_batch_begin(void *ctx)
{
    store_sinkctx *c = ctx;
    struct store *s = writer(c);
    if (!s)
        return -1;
    if (s->batch_depth++ > 0)
        return 0;
    s->batch_failed = 0;
    s->pending_t = 0;
    if (run(s, s->stmt[ST_BEGIN], "starting a transaction") < 0) {
        s->batch_depth = 0;
        return -1;
    }
    return 0;
}

static int sink_batch_commit(void *ctx)
{
    store_sinkctx *c = ctx;
    struct store *s = writer(c);
    if (!s)
        return -1;
    if (s->batch_depth <= 0)
        return 0;
    if (--s->batch_depth > 0)
        return 0;
    if (sqlite3_get_autocommit(s->db)) {
        /* SQLite already rolled the transaction back (a full disk can do that) */
        forget_batch(s);
        return -1;
    }
    if (s->batch_failed) {
        /* a write of this batch failed: the interval goes whole or not at all */
        (void)sqlite3_step(s->stmt[ST_ROLLBACK]);
        sqlite3_reset(s->stmt[ST_ROLLBACK]);
        forget_batch(s);
        return -1;
    }
    int rc = sqlite3_step(s->stmt[ST_COMMIT]), err_no = errno;
    sqlite3_reset(s->stmt[ST_COMMIT]);
    if (rc != SQLITE_DONE) {
        store_fail_errno(s, rc, err_no, "committing");
        if (!sqlite3_get_autocommit(s->db)) {
            (void)sqlite3_step(s->stmt[ST_ROLLBACK]);
            sqlite3_reset(s->stmt[ST_ROLLBACK]);
        }
        forget_batch(s);
        return -1;
    }
    keep_batch(s);
    return 0;
}

static int sink_session_begin(void *ctx, const mw_session_info *info, int64_t *session_id)
{
    store_sinkctx *c = ctx;
    struct store *s = writer(c);
    if (!s)
        return -1;
    sqlite3_stmt *st = s->stmt[ST_SESSION_INSERT];
    if (info->parent_session > 0)
        sqlite3_bind_int64(st, 1, info->parent_session);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, info->pid);
    bind_text(st, 3, info->cmdline ? info->cmdline : "");
    bind_text(st, 4, info->exe);
    bind_text(st, 5, info->python);
    sqlite3_bind_double(st, 6, info->start);
    sqlite3_bind_double(st, 7, info->interval);
    sqlite3_bind_double(st, 8, info->rate);
    sqlite3_bind_int64(st, 9, s->collector_pid);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)s->collector_start);
    if (run(s, st, "recording a session") < 0)
        return -1;
    *session_id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

/* Fails unless the last UPDATE touched a row. */
static int touched(struct store *s, int64_t session)
{
    if (sqlite3_changes(s->db) == 1)
        return 0;
    s->batch_failed = 1;
    return store_failf(s, STORE_ERR_OTHER, "%s: no session %lld", s->path, (long long)session);
}

static int sink_session_end(void *ctx, int64_t session, const mw_session_end *end)
{
    store_sinkctx *c = ctx;
    struct store *s = writer(c);
    if (!s)
        return -1;
    if (end->status <= MW_END_LIVE || end->status > MW_END_CUT)
        return store_failf(s, STORE_ERR_OTHER, "session %lld: bad end status %d", (long long)session, end->status);
    sqlite3_stmt *st = s->stmt[ST_SESSION_END];
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_double(st, 2, end->end);
    sqlite3_bind_text(st, 3, store_status_name(end->status), -1, SQLITE_STATIC);
    if (end->has_exit)
        sqlite3_bind_int(st, 4, end->exit_code);
    else
        sqlite3_bind_null(st, 4);
    if (run(s, st, "ending a session") < 0)
        return -1;
    return touched(s, session);
}

static int sink_sample(void *ctx, int64_t session, const mw_sample *m)
{
    store_sinkctx *c = ctx;
    struct store *s = writer(c);
    if (!s)
        return -1;
    sqlite3_stmt *st = s->stmt[ST_SAMPLE_INSERT];
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_double(st, 2, m->t);
    bind_fig(st, 3, m->rss);
    bind_fig(st, 4, m->uss);
    bind_fig(st, 5, m->pss);
    bind_fig(st, 6, m->swap);
    bind_fig(st, 7, m->rss_peak);
    sqlite3_bind_int64(st, 8, m->ticks);
    if (run(s, st, "recording a sample") < 0)
        return -1;
    int64_t peak = m->rss_peak != MW_NOVAL && (m->rss == MW_NOVAL || m->rss_peak > m->rss) ? m->rss_peak : m->rss;
    st = s->stmt[ST_SESSION_SAMPLE];
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_double(st, 2, m->t);
    bind_fig(st, 3, peak);
    if (run(s, st, "recording a sample") < 0 || touched(s, session) < 0)
        return -1;
    if (m->t > s->pending_t)
        s->pending_t = m->t;
    if (s->batch_depth == 0 && m->t > s->committed_t)
        s->committed_t = m->t;   /* outside a batch each statement commits */
    return 0;
}

/* The id of a string, inserted if new. Returns it, or 0 (recorded). */
static int64_t intern_string(struct store *s, const char *str)
{
    if (!str)
        str = "?";
    size_t len = strlen(str);
    int64_t id = idcache_get(&s->strings, str, len);
    if (id)
        return id;
    sqlite3_bind_text(s->stmt[ST_STRING_FIND], 1, str, (int)len, SQLITE_STATIC);
    if (find(s, s->stmt[ST_STRING_FIND], &id, "interning a string") < 0)
        return 0;
    if (!id) {
        sqlite3_bind_text(s->stmt[ST_STRING_INSERT], 1, str, (int)len, SQLITE_STATIC);
        if (run(s, s->stmt[ST_STRING_INSERT], "interning a string") < 0)
            return 0;
        id = sqlite3_last_insert_rowid(s->db);
    }
    if (idcache_put(&s->strings, str, len, id) < 0)
        idcache_clear(&s->strings);   /* out of memory: go on without the cache */
    return id;
}

/* The id of a row found or inserted with two statements binding the same int64 keys. */
static int64_t intern_ints(struct store *s, idcache *cache, int find_st, int insert_st, const int64_t *keys,
                           int nkeys, const char *what)
{
    int64_t id = idcache_get(cache, keys, (size_t)nkeys * sizeof *keys);
    if (id)
        return id;
    for (int i = 0; i < nkeys; i++)
        sqlite3_bind_int64(s->stmt[find_st], i + 1, keys[i]);
    if (find(s, s->stmt[find_st], &id, what) < 0)
        return 0;
    if (!id) {
        for (int i = 0; i < nkeys; i++)
            sqlite3_bind_int64(s->stmt[insert_st], i + 1, keys[i]);
        if (run(s, s->stmt[insert_st], what) < 0)
            return 0;
        id = sqlite3_last_insert_rowid(s->db);
    }
    if (idcache_put(cache, keys, (size_t)nkeys * sizeof *keys, id) < 0)
        idcache_clear(cache);
    return id;
}

/* Makes room for collector id in the map. Returns 0 or -1 when out of memory. */
static int map_reserve(store_nodemap *m, uint32_t id)
{
    if (id < m->cap)
        return 0;
    uint32_t cap = m->cap ? m->cap : 1024;
    while (cap <= id)
        cap *= 2;
    int64_t *nd = realloc(m->db, (size_t)cap * sizeof *nd);
    if (!nd)
        return -1;
    memset(nd + m->cap, 0, (size_t)(cap - m->cap) * sizeof *nd);
    m->db = nd;
    m->cap = cap;
    return 0;
}

/* Remembers that id was mapped in the open batch. */
static void map_note_fresh(store_nodemap *m, uint32_t id)
{
    if (m->fresh_overflow)
        return;
    if (m->nfresh == m->capfresh) {
        size_t cap = m->capfresh ? m->capfresh * 2 : 256;
        uint32_t *nf = cap <= (1u << 22) ? realloc(m->fresh, cap * sizeof *nf) : NULL;
        if (!nf) {
            m->fresh_overflow = 1;
            return;
        }
        m->fresh = nf;
        m->capfresh = cap;
    }
    m->fresh[m->nfresh++] = id;
}

static int sink_stack_node(void *ctx, const mw_stack_node *node)
{
    store_sinkctx *c = ctx;
    struct store *s = writer(c);
    if (!s)
        return -1;
    store_nodemap *m = &c->map;
    if (node->id == 0 || node->id >= MAX_NODE_ID)
        return store_failf(s, STORE_ERR_OTHER, "bad stack node %u (parent %u)", node->id, node->parent);
    if (map_reserve(m, node->id) < 0)
        return store_failf(s, STORE_ERR_OTHER, "out of memory");
    int64_t parent = 0;
    if (node->parent) {
        parent = m->db[node->parent];
        if (!parent)
            return store_failf(s, STORE_ERR_OTHER, "stack node %u: parent %u was never announced", node->id,
                               node->parent);
    }
    int64_t file = intern_string(s, node->file);
    int64_t func = file ? intern_string(s, node->func) : 0;
    if (!func)
        return -1;
    int64_t fkeys[4] = { file, func, node->firstline, node->line };
    int64_t frame = intern_ints(s, &s->frames, ST_FRAME_FIND, ST_FRAME_INSERT, fkeys, 4, "interning a frame");
    if (!frame)
        return -1;
    int64_t skeys[2] = { parent, frame };
    int64_t stack = intern_ints(s, &s->stacks, ST_STACK_FIND, ST_STACK_INSERT, skeys, 2, "interning a stack");
    if (!stack)
        return -1;
    m->db[node->id] = stack;
    if (s->batch_depth > 0)
        map_note_fresh(m, node->id);
    return 0;
}

static int sink_charge(void *ctx, int64_t session, double t, const mw_charge *ch)
{
    store_sinkctx *c = ctx;
    struct store *s = writer(c);
    if (!s)
        return -1;
    int64_t stack = ch->stack < c->map.cap ? c->map.db[ch->stack] : 0;
    if (!stack)
        return store_failf(s, STORE_ERR_OTHER, "charge to stack %u that was never announced", ch->stack);
    sqlite3_stmt *st = s->stmt[ST_CHARGE_INSERT];
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_double(st, 2, t);
    sqlite3_bind_int64(st, 3, stack);
    sqlite3_bind_int64(st, 4, ch->growth);
    sqlite3_bind_int64(st, 5, ch->shrink);
    sqlite3_bind_int64(st, 6, ch->hits);
    bind_fig(st, 7, ch->peak_rss);
    sqlite3_bind_int(st, 8, ch->trigger);
    return run(s, st, "recording a charge");
}

/* "Python 3.12.1 (how)" -> "3.12.1"; 0, or -1 if detail is not like that. */
static int python_version(const char *detail, char *buf, size_t len)
{
    if (!detail || strncmp(detail, "Python ", 7) != 0)
        return -1;
    const char *v = detail + 7;
    size_t n = strspn(v, "0123456789.abrcdevplus+");
    if (n == 0 || n >= len)
        return -1;
    memcpy(buf, v, n);
    buf[n] = '\0';
    return 0;
}

static int sink_event(void *ctx, int64_t session, double t, const char *kind, const char *detail)
{
    store_sinkctx *c = ctx;
    struct store *s = writer(c);
    if (!s)
        return -1;
    sqlite3_stmt *st = s->stmt[ST_EVENT_INSERT];
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_double(st, 2, t);
    bind_text(st, 3, kind ? kind : "?");
    bind_text(st, 4, detail);
    if (run(s, st, "recording an event") < 0)
        return -1;
    /* the interpreter is found after the session begins: the event names it */
    char ver[32];
    if (kind && strcmp(kind, "python") == 0 && python_version(detail, ver, sizeof ver) == 0) {
        st = s->stmt[ST_SESSION_PYTHON];
        sqlite3_bind_int64(st, 1, session);
        bind_text(st, 2, ver);
        return run(s, st, "recording the Python version");
    }
    return 0;
}

static int sink_source_line(void *ctx, int64_t session, const char *file, int32_t line, const char *text)
{
    store_sinkctx *c = ctx;
    struct store *s = writer(c);
    if (!s)
        return -1;
    int64_t fid = intern_string(s, file);
    if (!fid)
        return -1;
    sqlite3_stmt *st = s->stmt[ST_SOURCE_INSERT];
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_int64(st, 2, fid);
    sqlite3_bind_int(st, 3, line);
    bind_text(st, 4, text ? text : "");
    return run(s, st, "recording source text");
}

static const char *sink_errmsg(void *ctx)
{
    store_sinkctx *c = ctx;
    return c->broken ? "out of memory" : store_errmsg(c->st);
}

mw_sink store_sink(store *s)
{
    store_sinkctx *c = calloc(1, sizeof *c);
    if (c) {
        c->st = s;
        c->next = s->sinks;
        s->sinks = c;
    } else {
        c = &s->oom_sink;   /* every call fails with "out of memory" */
        c->st = s;
        c->broken = 1;
    }
    mw_sink k = {
        .ctx = c,
        .batch_begin = sink_batch_begin,
        .batch_commit = sink_batch_commit,
        .session_begin = sink_session_begin,
        .session_end = sink_session_end,
        .sample = sink_sample,
        .stack_node = sink_stack_node,
        .charge = sink_charge,
        .event = sink_event,
        .source_line = sink_source_line,
        .errmsg = sink_errmsg,
    };
    return k;
}

void store_sink_release(struct store *s)
{
    while (s->sinks) {
        store_sinkctx *c = s->sinks;
        s->sinks = c->next;
        free(c->map.db);
        free(c->map.fresh);
        free(c);
    }
    idcache_clear(&s->strings);
    idcache_clear(&s->frames);
    idcache_clear(&s->stacks);
}
