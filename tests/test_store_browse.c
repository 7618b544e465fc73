/* Unit tests: the store queries of the history browser (RSS at both ends of a
 * session, a file's saved source lines), deleting a session with its
 * children (refusing one still being recorded), and reports summed from the
 * ten-minute buckets of charges_10min matching sums over every raw charge,
 * for ranges cutting buckets anywhere, also after the migration backfills them. */
#include <sqlite3.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "store.h"

static char dir[256];

static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db;
    long long v = -999;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
    return v;
}

static int64_t begin(const mw_sink *k, int64_t parent, double start)
{
    mw_session_info i = { .pid = 100, .parent_session = parent, .cmdline = "python3 app.py",
                          .start = start, .interval = 0.2, .rate = 1000 };
    int64_t id = 0;
    CHECK(k->session_begin(k->ctx, &i, &id) == 0);
    return id;
}

static void add_sample(const mw_sink *k, int64_t session, double t, int64_t rss)
{
    mw_sample m = { .t = t, .rss = rss, .uss = MW_NOVAL, .pss = MW_NOVAL, .swap = MW_NOVAL, .rss_peak = rss };
    CHECK(k->sample(k->ctx, session, &m) == 0);
}

static void end(const mw_sink *k, int64_t session, double t)
{
    mw_session_end e = { .end = t, .status = MW_END_ENDED };
    CHECK(k->session_end(k->ctx, session, &e) == 0);
}

typedef struct lines {
    int n;
    int32_t line[8];
    char text[8][64];
} lines;

static int collect_line(void *arg, int32_t line, const char *text)
{
    lines *l = arg;
    if (l->n < 8) {
        l->line[l->n] = line;
        snprintf(l->text[l->n], sizeof l->text[0], "%s", text);
        l->n++;
    }
    return 0;
}

/* Sum of growth - shrink, hits and growth of one stack's line over [a, b] seconds from start, per report. */
typedef struct sums {
    int64_t growth, shrink, hits, peak;
    int rows;
} sums;

static int add_row(void *arg, const store_report_row *r)
{
    sums *s = arg;
    s->growth += r->growth;
    s->shrink += r->shrink;
    s->hits += r->hits;
    if (r->peak_rss != MW_NOVAL && r->peak_rss > s->peak)
        s->peak = r->peak_rss;
    s->rows++;
    return 0;
}

/* The same sums straight from the raw charges. */
static sums raw_sums(const char *path, int64_t session, double a, double b)
{
    sums out = { 0 };
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT coalesce(sum(growth), 0), coalesce(sum(shrink), 0), coalesce(sum(hits), 0),"
                               " coalesce(max(peak_rss), 0) FROM charges WHERE session = ?1 AND t >= ?2 AND t <= ?3",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, session);
        sqlite3_bind_double(st, 2, a);
        sqlite3_bind_double(st, 3, b);
        if (sqlite3_step(st) == SQLITE_ROW) {
            out.growth = sqlite3_column_int64(st, 0);
            out.shrink = sqlite3_column_int64(st, 1);
            out.hits = sqlite3_column_int64(st, 2);
            out.peak = sqlite3_column_int64(st, 3);
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
}

/* Reports over ranges that cut the ten-minute buckets anywhere equal the raw sums. */
static void check_ranges(store *s, const char *path, int64_t session, double start, const char *what)
{
    static const double ranges[][2] = {
        { 0, 1e300 }, { 0, 3 * 3600.0 }, { 1, 2 }, { 0, 600 }, { 599.9, 1200.1 }, { 600, 1200 },
        { 123.4, 7000.5 }, { 3599, 3601 }, { 1800, 1e300 }, { 5000, 5000 }, { 9000, 9999 }, { 10799.5, 1e300 },
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        for (int group = STORE_LINES; group <= STORE_FUNCTIONS; group++) {
            sums got = { 0 };
            CHECK(store_report(s, session, group, ranges[i][0], ranges[i][1], STORE_BY_GROWTH, 0, add_row, &got) == 0);
            sums want = raw_sums(path, session, start + ranges[i][0], ranges[i][1] > 1e299 ? 1e300 : start + ranges[i][1]);
            if (got.growth != want.growth || got.shrink != want.shrink || got.hits != want.hits ||
                (want.hits && got.peak != want.peak)) {
                bad++;
                fprintf(stderr, "%s: range %g..%g: growth %lld/%lld shrink %lld/%lld hits %lld/%lld peak %lld/%lld\n",
                        what, ranges[i][0], ranges[i][1], (long long)got.growth, (long long)want.growth,
                        (long long)got.shrink, (long long)want.shrink, (long long)got.hits, (long long)want.hits,
                        (long long)got.peak, (long long)want.peak);
            }
        }
    }
    CHECK(bad == 0);
}

typedef struct minutes {
    store_minute m[200];
    int n;
} minutes;

static int add_minute(void *arg, const store_minute *m)
{
    minutes *ms = arg;
    if (ms->n < 200)
        ms->m[ms->n++] = *m;
    return 0;
}

/* store_timeline_minutes against min/max per minute computed from the raw samples. */
static void check_minutes(store *s, const char *path, int64_t session, double start, const char *what)
{
    minutes *ms = calloc(1, sizeof *ms);
    if (!ms)
        return;
    CHECK(store_timeline_minutes(s, session, 0, STORE_OPEN_END, add_minute, ms) == 0);
    CHECK(ms->n == 181);   /* 3 hours starting 2 s into a minute: 180 minutes and a bit */
    sqlite3 *db;
    sqlite3_stmt *st;
    int bad = 0, rows = 0, unknown = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT CAST(t / 60.0 AS INTEGER) * 60.0 AS m, count(*), min(rss), max(rss),"
                               " min(uss), max(uss), min(pss), max(pss) FROM samples WHERE session = ?1"
                               " GROUP BY m ORDER BY m", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, session);
        while (sqlite3_step(st) == SQLITE_ROW && rows < ms->n) {
            const store_minute *m = &ms->m[rows++];
            bad += m->t != sqlite3_column_double(st, 0) || m->n != sqlite3_column_int64(st, 1);
            for (int k = 0; k < 3; k++) {
                int64_t lo = sqlite3_column_type(st, 2 + 2 * k) == SQLITE_NULL ? MW_NOVAL : sqlite3_column_int64(st, 2 + 2 * k);
                int64_t hi = sqlite3_column_type(st, 3 + 2 * k) == SQLITE_NULL ? MW_NOVAL : sqlite3_column_int64(st, 3 + 2 * k);
                bad += m->lo[k] != lo || m->hi[k] != hi;
                unknown += m->lo[k] == MW_NOVAL;
            }
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    if (bad)
        fprintf(stderr, "%s: %d minutes differ from the raw samples\n", what, bad);
    CHECK(bad == 0 && rows == ms->n);
    CHECK(unknown == 0);   /* a minute has known USS/PSS in most of its samples */
    /* a range: the minutes starting in it, and the one under its start */
    ms->n = 0;
    CHECK(store_timeline_minutes(s, session, 600, 1200, add_minute, ms) == 0);
    CHECK(ms->n == 11 && ms->m[0].t <= start + 600 && ms->m[0].t > start + 540 && ms->m[10].t <= start + 1200);
    free(ms);
}

static void test_rollup(void)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/rollup.db", dir);
    store *s = store_open(path, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    mw_sink k = store_sink(s);
    /* three hours at one interval a second, starting off a bucket boundary; a
     * few charges land exactly on boundaries */
    double start = 1700000123.0;
    CHECK(k.batch_begin(k.ctx) == 0);
    int64_t id = begin(&k, 0, start);
    const mw_stack_node nodes[] = { { 1, 0, "app.py", "main", 1, 5 }, { 2, 1, "app.py", "load", 10, 12 },
                                    { 3, 1, "lib.py", "parse", 20, 21 } };
    for (size_t i = 0; i < 3; i++)
        CHECK(k.stack_node(k.ctx, &nodes[i]) == 0);
    unsigned long long x = 12345;
    int failed = 0;
    for (int i = 1; i <= 3 * 3600; i++) {
        double t = start + i;
        if (i % 997 == 0)
            t = ceil(t / 600.0) * 600.0;   /* right on a bucket boundary */
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        mw_charge c = { .stack = (uint32_t)(1 + (x >> 33) % 3), .growth = (int64_t)((x >> 20) % 100000),
                        .shrink = (int64_t)((x >> 40) % 5000), .hits = (uint32_t)(1 + (x >> 50) % 9),
                        .peak_rss = (int64_t)(1000000 + (x >> 30) % 777777) };
        failed |= k.charge(k.ctx, id, t, &c) != 0;
        /* a sample a second; now and then USS and PSS unknown */
        int64_t rss = (int64_t)(50000000 + (x >> 24) % 9000000);
        mw_sample m = { .t = t, .rss = rss, .uss = i % 7 ? rss / 2 : MW_NOVAL, .pss = i % 7 ? rss / 2 + 5 : MW_NOVAL,
                        .swap = MW_NOVAL, .rss_peak = rss };
        failed |= k.sample(k.ctx, id, &m) != 0;
    }
    CHECK(!failed);
    end(&k, id, start + 3 * 3600 + 1);
    CHECK(k.batch_commit(k.ctx) == 0);
    CHECK(raw_int(path, "SELECT count(*) FROM charges_10min") > 18 * 2);
    CHECK(raw_int(path, "SELECT count(*) FROM charges_10min") < 20 * 3 + 1);
    check_ranges(s, path, id, start, "trigger");
    check_minutes(s, path, id, start, "trigger");
    store_close(s);

    /* a database from before schema 4: the migration fills the buckets in */
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "DROP TRIGGER charges_10min_add; DROP TRIGGER charges_10min_prune;"
                           " DROP TABLE charges_10min; DROP TRIGGER samples_1min_add; DROP TABLE samples_1min;"
                           " PRAGMA user_version = 3", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    s = store_open(path, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK(raw_int(path, "PRAGMA user_version") >= 4);
    check_ranges(s, path, id, start, "backfilled");
    check_minutes(s, path, id, start, "backfilled");
    store_close(s);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/mwbrowse.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/b.db", dir);
    store *s = store_open(path, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return check_done("test_store_browse");
    mw_sink k = store_sink(s);
    double t0 = 1700000000.0;
    CHECK(k.batch_begin(k.ctx) == 0);
    int64_t a = begin(&k, 0, t0);
    add_sample(&k, a, t0 + 0.2, 10 << 20);
    mw_sample none = { .t = t0 + 0.4, .rss = MW_NOVAL, .uss = MW_NOVAL, .pss = MW_NOVAL, .swap = MW_NOVAL,
                       .rss_peak = MW_NOVAL };
    CHECK(k.sample(k.ctx, a, &none) == 0);
    add_sample(&k, a, t0 + 60.2, 70 << 20);
    mw_sample last = none;
    last.t = t0 + 60.4;   /* the last sample has no RSS: the span ends before it */
    CHECK(k.sample(k.ctx, a, &last) == 0);
    int64_t child = begin(&k, a, t0 + 1);
    add_sample(&k, child, t0 + 1.2, 1 << 20);
    mw_stack_node node = { 1, 0, "app.py", "main", 1, 3 };
    CHECK(k.stack_node(k.ctx, &node) == 0);
    mw_charge c = { .stack = 1, .growth = 4096, .hits = 1, .peak_rss = 1 << 20 };
    CHECK(k.charge(k.ctx, child, t0 + 1.2, &c) == 0);
    CHECK(k.source_line(k.ctx, a, "app.py", 7, "y = 2") == 0);
    CHECK(k.source_line(k.ctx, a, "app.py", 3, "x = [0] * 10**7") == 0);
    CHECK(k.source_line(k.ctx, a, "lib.py", 1, "import os") == 0);
    CHECK(k.source_line(k.ctx, child, "app.py", 3, "x = [0] * 10**7") == 0);
    int64_t b = begin(&k, 0, t0 + 100);
    CHECK(k.batch_commit(k.ctx) == 0);

    /* RSS at both ends, skipping samples without RSS */
    double ta = 0, tb = 0;
    int64_t ra = 0, rb = 0;
    CHECK(store_rss_span(s, a, &ta, &ra, &tb, &rb) == 0);
    CHECK(ta == t0 + 0.2 && ra == 10 << 20 && tb == t0 + 60.2 && rb == 70 << 20);
    CHECK(store_rss_span(s, b, &ta, &ra, &tb, &rb) == 1);
    CHECK(store_rss_span(s, 999, &ta, &ra, &tb, &rb) == 1);

    /* one file's saved lines, in line order, of that session only */
    lines l = { 0 };
    CHECK(store_source_file(s, a, "app.py", collect_line, &l) == 0);
    CHECK(l.n == 2 && l.line[0] == 3 && l.line[1] == 7);
    CHECK_STR(l.text[0], "x = [0] * 10**7");
    CHECK_STR(l.text[1], "y = 2");
    l.n = 0;
    CHECK(store_source_file(s, a, "nope.py", collect_line, &l) == 0 && l.n == 0);

    /* b is still being recorded (this process is its collector): refused */
    CHECK(store_delete_session(s, b) == -1);
    CHECK(strstr(store_errmsg(s), "still being recorded") != NULL);
    CHECK(raw_int(path, "SELECT count(*) FROM sessions") == 3);
    end(&k, b, t0 + 101);

    /* deleting a takes its child and every row of both with it */
    end(&k, child, t0 + 2);
    end(&k, a, t0 + 61);
    CHECK(store_delete_session(s, a) == 0);
    CHECK(raw_int(path, "SELECT count(*) FROM sessions") == 1);
    CHECK(raw_int(path, "SELECT count(*) FROM samples") == 0);
    CHECK(raw_int(path, "SELECT count(*) FROM charges") == 0);
    CHECK(raw_int(path, "SELECT count(*) FROM source_lines") == 0);
    CHECK(store_delete_session(s, a) == 1);
    CHECK(raw_int(path, "SELECT (SELECT integrity_check FROM pragma_integrity_check) = 'ok'") == 1);
    store_close(s);

    /* a reader may not delete */
    s = store_open(path, STORE_READ, err, sizeof err);
    CHECK(s != NULL);
    if (s) {
        CHECK(store_delete_session(s, b) == -1);
        CHECK(strstr(store_errmsg(s), "read-only") != NULL);
        store_sessions l2 = { 0 };
        CHECK(store_list_sessions(s, &l2) == 0 && l2.n == 1 && l2.items[0].id == b);
        store_sessions_free(&l2);
        store_close(s);
    }
    test_rollup();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done("test_store_browse");
}
