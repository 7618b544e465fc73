/* store_daemon: watched sessions, retention (per-minute downsampling, pruning) and leak flags. */
#include "store_daemon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

/* Fails unless s can take a transaction of its own now. */
static int writable(struct store *s, const char *what)
{
    if (s->mode != STORE_WRITE)
        return store_failf(s, STORE_ERR_OPEN, "%s was opened read-only (%s)", s->path, what);
    if (s->batch_depth > 0)
        return store_failf(s, STORE_ERR_OTHER, "%s: %s inside a batch", s->path, what);
    return 0;
}

static int begin(struct store *s, const char *what)
{
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : store_fail(s, rc, what);
}

/* Commits, or rolls back after a failure rc (recorded). Returns 0 or -1. */
static int end(struct store *s, int rc, const char *what)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE)
        rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return 0;
    store_fail(s, rc, what);
    if (!sqlite3_get_autocommit(s->db))
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* Runs one statement binding ?1 (int64 or double) and ?2..; returns an SQLite code. */
static int step_once(struct store *s, const char *sql, int64_t *changes, const double *dargs, int nd,
                     const int64_t *iargs, int ni)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    int k = 1;
    for (int i = 0; i < ni; i++)
        sqlite3_bind_int64(st, k++, iargs[i]);
    for (int i = 0; i < nd; i++)
        sqlite3_bind_double(st, k++, dargs[i]);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE && changes)
        *changes += sqlite3_changes(s->db);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_mark_watched(store *s, int64_t session)
{
    if (writable(s, "marking a watched session") < 0)
        return -1;
    int rc = step_once(s, "UPDATE sessions SET watched = 1 WHERE id = ?1", NULL, NULL, 0, &session, 1);
    return rc == SQLITE_OK ? 0 : store_fail(s, rc, "marking a watched session");
}

int store_set_leak(store *s, int64_t session, double t, double bytes_per_min, const char *where,
                   const char *detail)
{
    if (writable(s, "flagging a leak") < 0 || begin(s, "flagging a leak") < 0)
        return -1;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "UPDATE sessions SET leak_t = ?2, leak_bytes_per_min = ?3, leak_where = ?4"
                                       " WHERE id = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, session);
        sqlite3_bind_double(st, 2, t);
        sqlite3_bind_double(st, 3, isfinite(bytes_per_min) ? bytes_per_min : 0);
        if (where)
            sqlite3_bind_text(st, 4, where, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 4);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, "INSERT INTO events (session, t, kind, detail) VALUES (?1, ?2, 'leak', ?3)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, session);
        sqlite3_bind_double(st, 2, t);
        sqlite3_bind_text(st, 3, detail ? detail : "", -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    return end(s, rc, "flagging a leak");
}

#define WATCHED "session IN (SELECT id FROM sessions WHERE watched = 1)"

/* min/max of two possibly NULL columns a (kept) and b (incoming) */
#define MERGE_MIN(c) c " = CASE WHEN " c " IS NULL OR excluded." c " < " c " THEN excluded." c " ELSE " c " END"
#define MERGE_MAX(c) c " = CASE WHEN " c " IS NULL OR excluded." c " > " c " THEN excluded." c " ELSE " c " END"
#define MERGE_MEAN(c) c " = CASE WHEN " c " IS NULL THEN excluded." c " WHEN excluded." c " IS NULL THEN " c \
    " ELSE (" c " * n + excluded." c " * excluded.n) / (n + excluded.n) END"

int64_t store_downsample(store *s, double older_than)
{
    if (writable(s, "downsampling") < 0)
        return -1;
    double cut = floor(older_than / 60.0) * 60.0;
    if (!isfinite(cut))
        return store_failf(s, STORE_ERR_OTHER, "downsampling: bad time");
    static const char *const sql[] = {
        "INSERT INTO samples_minute (session, t, n, rss_min, rss_max, rss_mean, uss_min, uss_max, uss_mean,"
        " pss_min, pss_max, pss_mean, swap_max, rss_peak, ticks)"
        " SELECT session, CAST(t / 60.0 AS INTEGER) * 60.0 AS m, count(*), min(rss), max(rss), avg(rss), min(uss), max(uss),"
        " avg(uss), min(pss), max(pss), avg(pss), max(swap), max(rss_peak), sum(ticks)"
        " FROM samples WHERE " WATCHED " AND t < ?1 GROUP BY session, m"
        " ON CONFLICT (session, t) DO UPDATE SET "
        MERGE_MIN("rss_min") ", " MERGE_MAX("rss_max") ", " MERGE_MEAN("rss_mean") ", "
        MERGE_MIN("uss_min") ", " MERGE_MAX("uss_max") ", " MERGE_MEAN("uss_mean") ", "
        MERGE_MIN("pss_min") ", " MERGE_MAX("pss_max") ", " MERGE_MEAN("pss_mean") ", "
        MERGE_MAX("swap_max") ", " MERGE_MAX("rss_peak") ", ticks = ticks + excluded.ticks, n = n + excluded.n",
        "INSERT INTO charges_minute (session, t, stack, via, growth, shrink, hits, peak_rss)"
        " SELECT session, CAST(t / 60.0 AS INTEGER) * 60.0 AS m, stack, via, sum(growth), sum(shrink), sum(hits), max(peak_rss)"
        " FROM charges WHERE " WATCHED " AND t < ?1 GROUP BY session, m, stack, via"
        " ON CONFLICT (session, t, stack, via) DO UPDATE SET growth = growth + excluded.growth,"
        " shrink = shrink + excluded.shrink, hits = hits + excluded.hits, " MERGE_MAX("peak_rss"),
        "DELETE FROM samples WHERE " WATCHED " AND t < ?1",
        "DELETE FROM charges WHERE " WATCHED " AND t < ?1",
    };
    if (begin(s, "downsampling") < 0)
        return -1;
    int64_t folded = 0;
    int rc = SQLITE_OK;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0] && rc == SQLITE_OK; i++)
        rc = step_once(s, sql[i], i >= 2 ? &folded : NULL, &cut, 1, NULL, 0);
    return end(s, rc, "downsampling") < 0 ? -1 : folded;
}

int64_t store_prune(store *s, double older_than)
{
    if (writable(s, "pruning") < 0)
        return -1;
    if (!isfinite(older_than))
        return store_failf(s, STORE_ERR_OTHER, "pruning: bad time");
    if (begin(s, "pruning") < 0)
        return -1;
    int64_t gone = 0;
    int rc = step_once(s, "DELETE FROM samples_minute WHERE " WATCHED " AND t < ?1", NULL, &older_than, 1, NULL, 0);
    if (rc == SQLITE_OK)
        rc = step_once(s, "DELETE FROM charges_minute WHERE " WATCHED " AND t < ?1", NULL, &older_than, 1, NULL, 0);
    /* what references a session goes with it (ON DELETE CASCADE; children's parent becomes NULL) */
    if (rc == SQLITE_OK)
        rc = step_once(s, "DELETE FROM sessions WHERE watched = 1 AND status <> 'live' AND end_t IS NOT NULL"
                          " AND end_t < ?1", &gone, &older_than, 1, NULL, 0);
    return end(s, rc, "pruning") < 0 ? -1 : gone;
}

int store_list_leaks(store *s, store_leaks *out)
{
    out->items = NULL;
    out->n = 0;
    if (s->empty)
        return 0;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "SELECT id, leak_t, leak_bytes_per_min, leak_where FROM sessions"
                                       " WHERE leak_t IS NOT NULL ORDER BY id", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_fail(s, rc, "listing leaks");
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            store_leak *ni = realloc(out->items, ncap * sizeof *ni);
            if (!ni)
                break;
            out->items = ni;
            cap = ncap;
        }
        store_leak *l = &out->items[out->n];
        const unsigned char *w = sqlite3_column_text(st, 3);
        l->session = sqlite3_column_int64(st, 0);
        l->t = sqlite3_column_double(st, 1);
        l->bytes_per_min = sqlite3_column_double(st, 2);
        l->where = w ? strdup((const char *)w) : NULL;
        if (w && !l->where)
            break;
        out->n++;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) {
        store_leaks_free(out);
        return store_failf(s, STORE_ERR_OTHER, "out of memory");
    }
    if (rc != SQLITE_DONE) {
        store_leaks_free(out);
        return store_fail(s, rc, "listing leaks");
    }
    return 0;
}

const store_leak *store_leaks_find(const store_leaks *l, int64_t session)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->items[mid].session == session)
            return &l->items[mid];
        if (l->items[mid].session < session)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void store_leaks_free(store_leaks *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].where);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
