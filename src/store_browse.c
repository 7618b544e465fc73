/* store_browse: what the history browser asks beyond reports — RSS at both ends,
 * the timeline folded per minute, a file's saved source lines — and deleting a session. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? 0 : store_fail(s, rc, "querying");
}

/* Finalizes st after a loop whose last step returned rc. Returns 0 or -1 (recorded). */
static int finish(struct store *s, sqlite3_stmt *st, int rc, const char *what)
{
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_fail(s, rc, what);
    return 0;
}

/* One sample with a known RSS at one end of a session (dir "ASC" or "DESC"). Returns 0, 1 if none, -1. */
static int rss_end(struct store *s, int64_t session, const char *sql, double *t, int64_t *rss)
{
    sqlite3_stmt *st;
    if (prepare(s, sql, &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, session);
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW;
    if (found) {
        *t = sqlite3_column_double(st, 0);
        *rss = sqlite3_column_int64(st, 1);
    }
    if (finish(s, st, rc, "querying") < 0)
        return -1;
    return found ? 0 : 1;
}

int store_rss_span(store *s, int64_t session, double *t0, int64_t *rss0, double *t1, int64_t *rss1)
{
    if (s->empty)
        return 1;
    /* (session, t) is indexed: each end is one index probe, skipping rows without RSS */
    int r = rss_end(s, session,
                    "SELECT t, rss FROM samples WHERE session = ?1 AND rss IS NOT NULL ORDER BY t LIMIT 1", t0, rss0);
    if (r != 0)
        return r;
    return rss_end(s, session,
                   "SELECT t, rss FROM samples WHERE session = ?1 AND rss IS NOT NULL ORDER BY t DESC LIMIT 1", t1,
                   rss1);
}

static int64_t fig(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? MW_NOVAL : sqlite3_column_int64(st, i);
}

int store_timeline_minutes(store *s, int64_t session, double from, double to,
                           int (*fn)(void *arg, const store_minute *m), void *arg)
{
    if (s->empty)
        return 0;
    sqlite3_stmt *st;
    if (prepare(s, "SELECT m.t, m.n, m.rss_min, m.rss_max, m.uss_min, m.uss_max, m.pss_min, m.pss_max"
                   " FROM samples_1min m JOIN sessions s ON s.id = m.session WHERE m.session = ?1"
                   " AND m.t >= s.start_t + ?2 - 60 AND m.t <= s.start_t + ?3 ORDER BY m.t", &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_double(st, 2, from);
    sqlite3_bind_double(st, 3, to);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_minute m = { .t = sqlite3_column_double(st, 0), .n = sqlite3_column_int64(st, 1) };
        for (int k = 0; k < 3; k++) {
            m.lo[k] = fig(st, 2 + 2 * k);
            m.hi[k] = fig(st, 3 + 2 * k);
        }
        if (fn(arg, &m))
            break;
    }
    return finish(s, st, rc, "querying");
}

int store_source_file(store *s, int64_t session, const char *file,
                      int (*fn)(void *arg, int32_t line, const char *text), void *arg)
{
    if (s->empty)
        return 0;
    sqlite3_stmt *st;
    if (prepare(s, "SELECT sl.line, sl.text FROM source_lines sl JOIN strings fs ON fs.id = sl.file"
                   " WHERE sl.session = ?1 AND fs.s = ?2 ORDER BY sl.line", &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_text(st, 2, file, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 1);
        if (fn(arg, sqlite3_column_int(st, 0), text ? text : ""))
            break;
    }
    return finish(s, st, rc, "querying");
}

/* The session and its descendants, bounded against a damaged parent chain. */
#define TREE_CTE \
    "WITH RECURSIVE tree(id, depth) AS (SELECT id, 0 FROM sessions WHERE id = ?1" \
    " UNION SELECT c.id, tree.depth + 1 FROM sessions c JOIN tree ON c.parent = tree.id WHERE tree.depth < 64) "

/* 1 if a session of the tree is still being recorded, 0 if none, -1 on error. */
static int tree_live(struct store *s, int64_t session)
{
    sqlite3_stmt *st;
    if (prepare(s, TREE_CTE "SELECT collector_pid, collector_start FROM sessions"
                            " WHERE id IN (SELECT id FROM tree) AND status = 'live'", &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, session);
    int rc, live = 0;
    while (!live && (rc = sqlite3_step(st)) == SQLITE_ROW)
        live = store_collector_alive(sqlite3_column_int(st, 0), (unsigned long long)sqlite3_column_int64(st, 1));
    if (live)
        rc = SQLITE_ROW;
    if (finish(s, st, rc, "checking live sessions") < 0)
        return -1;
    return live;
}

int store_delete_session(store *s, int64_t session)
{
    if (s->mode != STORE_WRITE)
        return store_failf(s, STORE_ERR_OPEN, "%s was opened read-only", s->path);
    if (s->batch_depth > 0)
        return store_failf(s, STORE_ERR_OTHER, "cannot delete a session while recording");
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store_fail(s, rc, "deleting a session");
    int live = tree_live(s, session);
    int result = -1;
    sqlite3_stmt *st = NULL;
    if (live > 0) {
        store_failf(s, STORE_ERR_OTHER, "session %lld is still being recorded", (long long)session);
        goto rollback;
    }
    if (live < 0 || prepare(s, TREE_CTE "DELETE FROM sessions WHERE id IN (SELECT id FROM tree)", &st) < 0)
        goto rollback;
    sqlite3_bind_int64(st, 1, session);
    rc = sqlite3_step(st);
    if (finish(s, st, rc, "deleting a session") < 0)
        goto rollback;
    result = sqlite3_changes(s->db) > 0 ? 0 : 1;
    rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        store_fail(s, rc, "deleting a session");
        goto rollback;
    }
    return result;
rollback:
    if (!sqlite3_get_autocommit(s->db)) {
        int keep = s->errkind;
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        s->errkind = keep;
    }
    return -1;
}
