/* Unit tests: the daemon's part of the store — watched sessions, per-minute
 * downsampling (figures and charges kept in sum), pruning, leak flags. */
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "store.h"
#include "store_daemon.h"

static char dir[256];

static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db;
    long long v = -999;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
    return v;
}

static double raw_double(const char *path, const char *sql)
{
    sqlite3 *db;
    double v = -999;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_double(st, 0);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
    return v;
}

/* Records a session of n samples every `step` s from t0 (RSS 10 MiB + i KiB), charging
 * 1 KiB of growth per sample to line 7 and 10 shrink bytes to line 9. */
static int64_t record(const mw_sink *k, pid_t pid, double t0, int n, double step, int end)
{
    int64_t id = 0;
    mw_session_info info = { .pid = pid, .cmdline = "python3 svc.py", .start = t0, .interval = step, .rate = 20 };
    if (k->batch_begin(k->ctx) < 0 || k->session_begin(k->ctx, &info, &id) < 0)
        return 0;
    /* the same nodes again map to the same stacks */
    mw_stack_node a = { 1, 0, "svc.py", "<module>", 1, 7 }, b = { 2, 0, "svc.py", "<module>", 1, 9 };
    if (k->stack_node(k->ctx, &a) < 0 || k->stack_node(k->ctx, &b) < 0)
        return 0;
    for (int i = 0; i < n; i++) {
        double t = t0 + step * (i + 1);
        int64_t rss = (10 << 20) + (int64_t)i * 1024;
        mw_sample m = { .t = t, .rss = rss, .uss = rss / 2, .pss = rss / 2, .swap = i == 3 ? 4096 : 0,
                        .rss_peak = rss + 100, .ticks = 20 };
        mw_charge g = { .stack = 1, .growth = 1024, .shrink = 0, .hits = 3, .peak_rss = rss };
        mw_charge h = { .stack = 2, .growth = 0, .shrink = 10, .hits = 1, .peak_rss = rss };
        if (k->sample(k->ctx, id, &m) < 0 || k->charge(k->ctx, id, t, &g) < 0 || k->charge(k->ctx, id, t, &h) < 0)
            return 0;
    }
    if (end) {
        mw_session_end e = { .end = t0 + step * (n + 1), .status = MW_END_ENDED };
        if (k->session_end(k->ctx, id, &e) < 0)
            return 0;
    }
    return k->batch_commit(k->ctx) < 0 ? 0 : id;
}

struct sums { int64_t growth, shrink, hits; int rows; };

static int sum_row(void *arg, const store_report_row *r)
{
    struct sums *s = arg;
    s->growth += r->growth;
    s->shrink += r->shrink;
    s->hits += r->hits;
    s->rows++;
    return 0;
}

static void test_retention(void)
{
    char p[512], err[512], q[256];
    snprintf(p, sizeof p, "%s/ret.db", dir);
    store *s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    mw_sink k = store_sink(s);
    double t0 = 1700000040.0;   /* a whole minute */
    /* watched: 10 minutes at 1 s; not watched (a `memwatch run` session): same */
    int64_t a = record(&k, 100, t0, 600, 1.0, 0);
    int64_t b = record(&k, 101, t0, 600, 1.0, 1);
    CHECK(a > 0 && b > 0);
    CHECK(store_mark_watched(s, a) == 0);
    struct sums before = { 0 };
    CHECK(store_report(s, a, STORE_LINES, 0, STORE_OPEN_END, STORE_BY_GROWTH, 0, sum_row, &before) == 0);
    CHECK(before.growth == 600 * 1024 && before.shrink == 6000);

    /* detail older than t0 + 250.5 s: whole minutes before t0 + 240 are folded (rows at t0+1 .. t0+239) */
    int64_t folded = store_downsample(s, t0 + 250.5);
    CHECK(folded == 239 * 3);   /* samples + two charges each */
    snprintf(q, sizeof q, "SELECT count(*) FROM samples WHERE session = %lld", (long long)a);
    CHECK(raw_int(p, q) == 600 - 239);
    snprintf(q, sizeof q, "SELECT min(t) FROM samples WHERE session = %lld", (long long)a);
    CHECK(raw_int(p, q) == (long long)t0 + 240);
    snprintf(q, sizeof q, "SELECT count(*) FROM samples WHERE session = %lld", (long long)b);
    CHECK(raw_int(p, q) == 600);   /* not watched: untouched */
    snprintf(q, sizeof q, "SELECT count(*) FROM samples_minute WHERE session = %lld", (long long)a);
    CHECK(raw_int(p, q) == 4);
    /* the first minute: rows t0+1..t0+59 (59 rows), RSS 10 MiB + 0..58 KiB */
    snprintf(q, sizeof q, "SELECT n * 1000000 + (rss_max - rss_min) / 1024 FROM samples_minute"
                          " WHERE session = %lld AND t = %.0f", (long long)a, t0);
    CHECK(raw_int(p, q) == 59LL * 1000000 + 58);
    snprintf(q, sizeof q, "SELECT rss_mean FROM samples_minute WHERE session = %lld AND t = %.0f", (long long)a, t0);
    CHECK(raw_double(p, q) == (double)(10 << 20) + 29 * 1024.0);
    snprintf(q, sizeof q, "SELECT swap_max + ticks FROM samples_minute WHERE session = %lld AND t = %.0f",
             (long long)a, t0);
    CHECK(raw_int(p, q) == 4096 + 59 * 20);
    /* charges folded per stack and minute, sums unchanged: the report reads both */
    snprintf(q, sizeof q, "SELECT sum(growth) + sum(hits) FROM charges_minute WHERE session = %lld", (long long)a);
    CHECK(raw_int(p, q) == 239 * 1024 + 239 * 3 + 239);
    snprintf(q, sizeof q, "SELECT sum(growth) FROM charges WHERE session = %lld", (long long)a);
    CHECK(raw_int(p, q) == (600 - 239) * 1024);

    /* again with a later cut: merges into the rows of minutes already folded, adds new ones */
    CHECK(store_downsample(s, t0 + 250.5) == 0);
    CHECK(store_downsample(s, t0 + 600.0) > 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM samples_minute WHERE session = %lld", (long long)a);
    CHECK(raw_int(p, q) == 10);
    snprintf(q, sizeof q, "SELECT sum(n) FROM samples_minute WHERE session = %lld", (long long)a);
    CHECK(raw_int(p, q) == 599);
    snprintf(q, sizeof q, "SELECT sum(growth) FROM charges_minute WHERE session = %lld", (long long)a);
    CHECK(raw_int(p, q) == 599 * 1024);
    /* a later row in a minute already folded (a late write) merges into it */
    CHECK(store_downsample(s, t0 + 1e6) == 3);
    snprintf(q, sizeof q, "SELECT n FROM samples_minute WHERE session = %lld AND t = %.0f", (long long)a, t0 + 600);
    CHECK(raw_int(p, q) == 1);

    /* pruning: the minute rows go, the live session stays; an ended watched session goes whole */
    CHECK(store_mark_watched(s, b) == 0);
    CHECK(store_downsample(s, t0 + 1e6) > 0);
    CHECK(store_prune(s, t0 + 300) == 0);   /* b ended at t0 + 601 */
    snprintf(q, sizeof q, "SELECT count(*) FROM samples_minute WHERE session = %lld AND t < %.0f", (long long)a,
             t0 + 300);
    CHECK(raw_int(p, q) == 0);
    CHECK(store_prune(s, t0 + 1e6) == 1);
    snprintf(q, sizeof q, "SELECT count(*) FROM sessions WHERE id = %lld", (long long)b);
    CHECK(raw_int(p, q) == 0);
    snprintf(q, sizeof q, "SELECT (SELECT count(*) FROM charges_minute WHERE session = %lld) +"
                          " (SELECT count(*) FROM events WHERE session = %lld)", (long long)b, (long long)b);
    CHECK(raw_int(p, q) == 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM sessions WHERE id = %lld", (long long)a);
    CHECK(raw_int(p, q) == 1);

    /* inside a sink batch the daemon's transactions are refused, not nested */
    CHECK(k.batch_begin(k.ctx) == 0);
    CHECK(store_downsample(s, t0) < 0 && strstr(store_errmsg(s), "batch"));
    CHECK(k.batch_commit(k.ctx) == 0);
    store_close(s);
    CHECK(raw_int(p, "PRAGMA user_version") >= 3);
}

static void test_leaks(void)
{
    char p[512], err[512];
    snprintf(p, sizeof p, "%s/leak.db", dir);
    store *s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    mw_sink k = store_sink(s);
    int64_t a = record(&k, 200, 1700000000.0, 5, 1.0, 0);
    int64_t b = record(&k, 201, 1700000000.0, 5, 1.0, 0);
    int64_t c = record(&k, 202, 1700000000.0, 5, 1.0, 0);
    CHECK(store_set_leak(s, c, 1700000004.0, 3e6, "svc.py:7", "2.86 MiB/min; grew most: svc.py:7") == 0);
    CHECK(store_set_leak(s, a, 1700000003.0, 1.5e6, NULL, "1.43 MiB/min; no Python line") == 0);
    store_close(s);
    s = store_open(p, STORE_READ, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    store_leaks l;
    CHECK(store_list_leaks(s, &l) == 0 && l.n == 2);
    const store_leak *x = store_leaks_find(&l, c), *y = store_leaks_find(&l, a);
    CHECK(x && x->bytes_per_min == 3e6 && x->where && !strcmp(x->where, "svc.py:7") && x->t == 1700000004.0);
    CHECK(y && y->bytes_per_min == 1.5e6 && y->where == NULL);
    CHECK(store_leaks_find(&l, b) == NULL);
    store_leaks_free(&l);
    char q[128];
    snprintf(q, sizeof q, "SELECT count(*) FROM events WHERE session = %lld AND kind = 'leak'", (long long)c);
    CHECK(raw_int(p, q) == 1);
    /* a reader cannot flag */
    CHECK(store_set_leak(s, b, 1, 1, NULL, "x") < 0);
    store_close(s);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/mw-store-daemon-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_retention();
    test_leaks();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("test_store_daemon");
}
