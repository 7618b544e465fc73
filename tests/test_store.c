/* Unit tests: the store on temporary databases — migrations, the sink round
 * trip, interning, transactions, report sums, cut-short sessions, and how a
 * bad file, a newer schema, a read-only directory or a full disk are told apart. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "dbpath.h"
#include "exitcodes.h"
#include "schema.h"
#include "store.h"

static char dir[256];

static const char *tmp(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

/* Runs one integer query on a raw connection to path. */
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

static int raw_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* 1 if PRAGMA integrity_check says "ok". */
static int integrity_ok(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    int ok = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK) {
        ok = sqlite3_step(q) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(q, 0), "ok") == 0;
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return ok;
}

static void write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len)
        perror(path);
    if (fd >= 0)
        close(fd);
}

static mw_session_info info(pid_t pid, int64_t parent, double start)
{
    mw_session_info i = { .pid = pid, .parent_session = parent, .cmdline = "python3 app.py --big",
                          .exe = "/usr/bin/python3.11", .start = start, .interval = 0.2, .rate = 1000,
                          .python = NULL };
    return i;
}

static mw_sample sample(double t, int64_t rss)
{
    mw_sample s = { .t = t, .rss = rss, .uss = rss / 2, .pss = rss / 2 + 1, .swap = 0, .rss_peak = rss + 10,
                    .ticks = 200 };
    return s;
}

/* Announces the stacks  main(app.py:10) > load(app.py:20) > parse(lib.py:5)
 * and main(app.py:11) as collector ids 1..4. */
static int announce(const mw_sink *k)
{
    const mw_stack_node nodes[] = {
        { 1, 0, "app.py", "main", 8, 10 },
        { 2, 1, "app.py", "load", 18, 20 },
        { 3, 2, "lib.py", "parse", 3, 5 },
        { 4, 0, "app.py", "main", 8, 11 },
    };
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
        if (k->stack_node(k->ctx, &nodes[i]) < 0)
            return -1;
    return 0;
}

static int charge(const mw_sink *k, int64_t session, double t, uint32_t stack, int64_t growth, int64_t shrink,
                  uint32_t hits, int64_t peak)
{
    mw_charge c = { .stack = stack, .growth = growth, .shrink = shrink, .hits = hits, .peak_rss = peak };
    return k->charge(k->ctx, session, t, &c);
}

/* ---- open, create, migrate ---- */

static void test_create(void)
{
    const char *p = tmp("new.db");
    char err[512];
    store *s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    if (!s) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    store_close(s);
    struct stat sb;
    CHECK(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK(raw_int(p, "PRAGMA user_version") == schema_count);
    CHECK(raw_int(p, "PRAGMA application_id") == STORE_APPLICATION_ID);
    CHECK(raw_int(p, "SELECT count(*) FROM sqlite_master WHERE name IN ('sessions','samples','strings',"
                     "'frames','stacks','charges','events','source_lines')") == 8);
    CHECK(raw_int(p, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'charges_session_t'") == 1);
    /* WAL mode is a property of the file */
    sqlite3 *db;
    sqlite3_open(p, &db);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* opening again migrates nothing and keeps the version */
    s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    store_close(s);
    CHECK(raw_int(p, "PRAGMA user_version") == schema_count);
    /* a reader finds an empty list */
    s = store_open(p, STORE_READ, err, sizeof err);
    CHECK(s != NULL);
    if (s) {
        store_sessions l;
        CHECK(store_list_sessions(s, &l) == 0 && l.n == 0);
        store_sessions_free(&l);
        int64_t id;
        CHECK(store_latest_session(s, &id) == 1);
        store_close(s);
    }
}

static void test_empty_file(void)
{
    const char *p = tmp("empty.db");
    write_file(p, "", 0);
    char err[512];
    int kind = -1;
    /* a reader sees a 0-byte file as a database with nothing in it, and leaves it so */
    store *s = store_open_kind(p, STORE_READ, &kind, err, sizeof err);
    CHECK(s != NULL && kind == STORE_OK);
    if (s) {
        store_sessions l;
        CHECK(store_list_sessions(s, &l) == 0 && l.n == 0);
        store_sessions_free(&l);
        store_close(s);
    }
    struct stat sb;
    CHECK(stat(p, &sb) == 0 && sb.st_size == 0);
    /* a writer initialises it */
    s = store_open_kind(p, STORE_WRITE, &kind, err, sizeof err);
    CHECK(s != NULL && kind == STORE_OK);
    store_close(s);
    CHECK(raw_int(p, "PRAGMA user_version") == schema_count);
}

/* An older memwatch database (schema 0 marked as memwatch's, e.g. a migration
 * interrupted before its commit) is migrated, each step a transaction. */
static void test_migrate_partial(void)
{
    const char *p = tmp("old.db");
    CHECK(raw_exec(p, "PRAGMA application_id = 1836540276") == SQLITE_OK);
    char err[512];
    store *s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    store_close(s);
    CHECK(raw_int(p, "PRAGMA user_version") == schema_count);
    CHECK(raw_int(p, "SELECT count(*) FROM sessions") == 0);
    /* migration text carries its own application id */
    CHECK(strstr(schema_migrations[0].sql, "application_id") != NULL);
}

/* ---- the sink ---- */

static void test_roundtrip(void)
{
    const char *p = tmp("rt.db");
    char err[512];
    store *s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    mw_sink k = store_sink(s);
    double t0 = 1700000000.0;
    int64_t root = 0, child = 0;
    CHECK(k.batch_begin(k.ctx) == 0);
    mw_session_info ri = info(4242, 0, t0);
    CHECK(k.session_begin(k.ctx, &ri, &root) == 0 && root > 0);
    CHECK(k.event(k.ctx, root, t0, "start", "python3 app.py") == 0);
    CHECK(k.event(k.ctx, root, t0 + 0.1, "python", "Python 3.11.7 (static, _PyRuntime)") == 0);
    mw_sample s0 = sample(t0, 10 << 20);
    CHECK(k.sample(k.ctx, root, &s0) == 0);
    CHECK(k.batch_commit(k.ctx) == 0);

    CHECK(k.batch_begin(k.ctx) == 0);
    mw_session_info ci = info(4243, root, t0 + 0.5);
    ci.exe = NULL;
    CHECK(k.session_begin(k.ctx, &ci, &child) == 0 && child > root);
    CHECK(announce(&k) == 0);
    /* a figure the kernel would not give is stored as NULL */
    mw_sample s1 = { .t = t0 + 1, .rss = 30 << 20, .uss = MW_NOVAL, .pss = MW_NOVAL, .swap = MW_NOVAL,
                     .rss_peak = 31 << 20, .ticks = 199 };
    CHECK(k.sample(k.ctx, root, &s1) == 0);
    CHECK(charge(&k, root, t0 + 1, 3, 15 << 20, 0, 150, 31 << 20) == 0);
    CHECK(charge(&k, root, t0 + 1, 4, 5 << 20, 1 << 20, 49, 29 << 20) == 0);
    mw_sample c1 = sample(t0 + 1, 5 << 20);
    CHECK(k.sample(k.ctx, child, &c1) == 0);
    CHECK(charge(&k, child, t0 + 1, 2, 1 << 20, 0, 10, 5 << 20) == 0);
    CHECK(k.batch_commit(k.ctx) == 0);

    CHECK(k.batch_begin(k.ctx) == 0);
    mw_sample s2 = sample(t0 + 2, 20 << 20);
    CHECK(k.sample(k.ctx, root, &s2) == 0);
    CHECK(charge(&k, root, t0 + 2, 3, 0, 12 << 20, 100, 30 << 20) == 0);
    CHECK(charge(&k, root, t0 + 2, 1, 2 << 20, 0, 100, 22 << 20) == 0);
    CHECK(k.source_line(k.ctx, root, "lib.py", 5, "    return json.loads(text)\n") == 0);
    CHECK(k.source_line(k.ctx, root, "app.py", 11, "    cache = build()") == 0);
    mw_session_end ce = { .end = t0 + 1.5, .status = MW_END_ENDED, .has_exit = 0 };
    CHECK(k.session_end(k.ctx, child, &ce) == 0);
    mw_session_end re = { .end = t0 + 2.5, .status = MW_END_ENDED, .has_exit = 1, .exit_code = 3 };
    CHECK(k.session_end(k.ctx, root, &re) == 0);
    CHECK(k.batch_commit(k.ctx) == 0);

    /* a charge to a stack never announced, or an unknown session, is refused with a reason */
    CHECK(charge(&k, root, t0 + 3, 99, 1, 0, 1, 1) == -1);
    CHECK(strstr(k.errmsg(k.ctx), "never announced") != NULL);
    mw_sample bad = sample(t0 + 3, 1);
    CHECK(k.sample(k.ctx, 9999, &bad) == -1);
    store_close(s);

    CHECK(raw_int(p, "SELECT count(*) FROM samples WHERE uss IS NULL AND pss IS NULL AND swap IS NULL") == 1);
    CHECK(integrity_ok(p));
    CHECK(raw_int(p, "SELECT count(*) FROM sessions WHERE python = '3.11.7'") == 1);

    s = store_open(p, STORE_READ, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    store_sessions l;
    CHECK(store_list_sessions(s, &l) == 0 && l.n == 2);
    if (l.n == 2) {
        store_session *r = &l.items[0], *c = &l.items[1];
        CHECK(r->id == root && r->parent == 0 && r->pid == 4242 && r->children == 1);
        CHECK_STR(r->cmdline, "python3 app.py --big");
        CHECK_STR(r->exe, "/usr/bin/python3.11");
        CHECK_STR(r->python, "3.11.7");
        CHECK(r->status == MW_END_ENDED && r->has_exit && r->exit_code == 3);
        CHECK(r->start == t0 && r->end == t0 + 2.5 && r->samples == 3 && r->last_t == t0 + 2);
        CHECK(r->peak_rss == (31 << 20));
        CHECK(r->interval == 0.2 && r->rate == 1000);
        CHECK(c->id == child && c->parent == root && c->children == 0 && c->exe == NULL && c->python == NULL);
        CHECK(c->status == MW_END_ENDED && !c->has_exit && c->samples == 1);
    }
    store_sessions_free(&l);
    int64_t latest = 0;
    CHECK(store_latest_session(s, &latest) == 0 && latest == root);   /* children are not "latest" */
    store_session one;
    CHECK(store_get_session(s, child, &one) == 0 && one.parent == root);
    store_session_clear(&one);
    CHECK(store_get_session(s, 12345, &one) == 1);

    char text[128];
    CHECK(store_source_line(s, root, "lib.py", 5, text, sizeof text) == 0);
    CHECK_STR(text, "    return json.loads(text)\n");
    CHECK(store_source_line(s, root, "lib.py", 6, text, sizeof text) == 1);
    store_close(s);
}

typedef struct got {
    int n;
    mw_sample rows[8];
} got;

static int got_row(void *arg, const mw_sample *m)
{
    got *g = arg;
    if (g->n < 8)
        g->rows[g->n] = *m;
    g->n++;
    return 0;
}

typedef struct rep {
    int n;
    char file[8][32], func[8][32], text[8][64];
    store_report_row rows[8];
} rep;

static int rep_row(void *arg, const store_report_row *r)
{
    rep *g = arg;
    if (g->n < 8) {
        g->rows[g->n] = *r;
        snprintf(g->file[g->n], 32, "%s", r->file);
        snprintf(g->func[g->n], 32, "%s", r->func);
        snprintf(g->text[g->n], 64, "%s", r->text ? r->text : "(none)");
    }
    g->n++;
    return 0;
}

static void test_queries(void)
{
    const char *p = tmp("rt.db");   /* written by test_roundtrip */
    char err[512];
    store *s = store_open(p, STORE_READ, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    int64_t root;
    CHECK(store_latest_session(s, &root) == 0);

    got g = { 0 };
    CHECK(store_timeline(s, root, 0, STORE_OPEN_END, got_row, &g) == 0 && g.n == 3);
    CHECK(g.rows[1].rss == (30 << 20) && g.rows[1].uss == MW_NOVAL && g.rows[1].pss == MW_NOVAL &&
          g.rows[1].swap == MW_NOVAL && g.rows[1].rss_peak == (31 << 20) && g.rows[1].ticks == 199);
    CHECK(g.rows[0].uss == (5 << 20) && g.rows[0].swap == 0);
    g.n = 0;
    CHECK(store_timeline(s, root, 0.5, 1.5, got_row, &g) == 0 && g.n == 1 && g.rows[0].rss == (30 << 20));

    /* per line, whole session: lib.py:5 grew 15 MiB at t+1 and shrank 12 MiB at t+2 */
    rep r = { 0 };
    CHECK(store_report(s, root, STORE_LINES, 0, STORE_OPEN_END, STORE_BY_GROWTH, 0, rep_row, &r) == 0);
    CHECK(r.n == 3);
    CHECK_STR(r.file[0], "lib.py");
    CHECK(r.rows[0].line == 5 && r.rows[0].growth == (15 << 20) && r.rows[0].shrink == (12 << 20) &&
          r.rows[0].net == (3 << 20) && r.rows[0].hits == 250 && r.rows[0].peak_rss == (31 << 20));
    CHECK_STR(r.func[0], "parse");
    CHECK_STR(r.text[0], "    return json.loads(text)\n");
    CHECK(r.rows[1].line == 11 && r.rows[1].growth == (5 << 20) && r.rows[1].shrink == (1 << 20));
    CHECK_STR(r.text[1], "    cache = build()");
    CHECK(r.rows[2].line == 10 && r.rows[2].growth == (2 << 20) && r.rows[2].hits == 100);
    CHECK_STR(r.text[2], "(none)");

    /* the range picks intervals: only the one ending at t+2 */
    memset(&r, 0, sizeof r);
    CHECK(store_report(s, root, STORE_LINES, 1.5, 2.5, STORE_BY_GROWTH, 0, rep_row, &r) == 0 && r.n == 2);
    CHECK(r.rows[0].line == 10 && r.rows[0].growth == (2 << 20));
    CHECK(r.rows[1].line == 5 && r.rows[1].growth == 0 && r.rows[1].shrink == (12 << 20) && r.rows[1].hits == 100);
    memset(&r, 0, sizeof r);
    CHECK(store_report(s, root, STORE_LINES, 0, 1.0, STORE_BY_GROWTH, 0, rep_row, &r) == 0 && r.n == 2);
    CHECK(r.rows[0].line == 5 && r.rows[0].growth == (15 << 20) && r.rows[0].shrink == 0);
    memset(&r, 0, sizeof r);
    CHECK(store_report(s, root, STORE_LINES, 2.6, 9, STORE_BY_GROWTH, 0, rep_row, &r) == 0 && r.n == 0);

    /* order and limit */
    memset(&r, 0, sizeof r);
    CHECK(store_report(s, root, STORE_LINES, 0, STORE_OPEN_END, STORE_BY_PLACE, 0, rep_row, &r) == 0 && r.n == 3);
    CHECK(!strcmp(r.file[0], "app.py") && r.rows[0].line == 10 && r.rows[1].line == 11 && !strcmp(r.file[2], "lib.py"));
    memset(&r, 0, sizeof r);
    CHECK(store_report(s, root, STORE_LINES, 0, STORE_OPEN_END, STORE_BY_NET, 1, rep_row, &r) == 0 && r.n == 1);
    CHECK(r.rows[0].line == 11 && r.rows[0].net == (4 << 20));
    memset(&r, 0, sizeof r);
    CHECK(store_report(s, root, STORE_LINES, 0, STORE_OPEN_END, STORE_BY_HITS, 1, rep_row, &r) == 0 && r.n == 1);
    CHECK(r.rows[0].line == 5 && r.rows[0].hits == 250);

    /* per function: main's two lines add up */
    memset(&r, 0, sizeof r);
    CHECK(store_report(s, root, STORE_FUNCTIONS, 0, STORE_OPEN_END, STORE_BY_GROWTH, 0, rep_row, &r) == 0);
    CHECK(r.n == 2);
    CHECK(!strcmp(r.func[0], "parse") && r.rows[0].line == 3);
    CHECK(!strcmp(r.func[1], "main") && r.rows[1].line == 8 && r.rows[1].growth == (7 << 20) &&
          r.rows[1].shrink == (1 << 20) && r.rows[1].hits == 149 && r.rows[1].peak_rss == (29 << 20));

    /* the child's own lines are its own */
    store_sessions l;
    CHECK(store_list_sessions(s, &l) == 0 && l.n == 2);
    memset(&r, 0, sizeof r);
    CHECK(l.n == 2 && store_report(s, l.items[1].id, STORE_LINES, 0, STORE_OPEN_END, STORE_BY_GROWTH, 0, rep_row,
                                   &r) == 0 && r.n == 1 && r.rows[0].line == 20);
    store_sessions_free(&l);
    store_close(s);
}

/* What store_stacks and store_line_times hand back, copied. */
typedef struct stk {
    int n;
    char chain[8][160];
    size_t depth[8];
    int truncated[8];
    int64_t growth[8], shrink[8], hits[8];
    double t[8];
} stk;

static int stk_row(void *arg, const store_stack_row *r)
{
    stk *g = arg;
    if (g->n < 8) {
        char *o = g->chain[g->n];
        size_t used = 0;
        o[0] = '\0';
        for (size_t i = 0; i < r->depth && used < 160; i++)
            used += (size_t)snprintf(o + used, 160 - used, "%s%s:%s:%d", i ? ";" : "", r->frames[i].file,
                                     r->frames[i].func, (int)r->frames[i].line);
        g->depth[g->n] = r->depth;
        g->truncated[g->n] = r->truncated;
        g->growth[g->n] = r->growth;
        g->shrink[g->n] = r->shrink;
        g->hits[g->n] = r->hits;
    }
    g->n++;
    return 0;
}

static int time_row(void *arg, double t, int64_t growth, int64_t shrink)
{
    stk *g = arg;
    if (g->n < 8) {
        g->t[g->n] = t;
        g->growth[g->n] = growth;
        g->shrink[g->n] = shrink;
    }
    g->n++;
    return 0;
}

static int stop_first(void *arg, const store_stack_row *r)
{
    (void)r;
    ++*(int *)arg;
    return 1;
}

/* Per-stack sums with whole chains (outermost first), and when a line grew. */
static void test_stacks(void)
{
    const char *p = tmp("rt.db");   /* written by test_roundtrip */
    char err[512];
    store *s = store_open(p, STORE_READ, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    int64_t root;
    CHECK(store_latest_session(s, &root) == 0);
    stk g = { 0 };
    CHECK(store_stacks(s, root, 0, STORE_OPEN_END, stk_row, &g) == 0 && g.n == 3);
    CHECK_STR(g.chain[0], "app.py:main:10;app.py:load:20;lib.py:parse:5");
    CHECK(g.depth[0] == 3 && !g.truncated[0] && g.growth[0] == (15 << 20) && g.shrink[0] == (12 << 20) &&
          g.hits[0] == 250);
    CHECK_STR(g.chain[1], "app.py:main:11");
    CHECK(g.depth[1] == 1 && g.growth[1] == (5 << 20) && g.shrink[1] == (1 << 20) && g.hits[1] == 49);
    CHECK_STR(g.chain[2], "app.py:main:10");
    CHECK(g.growth[2] == (2 << 20) && g.hits[2] == 100);
    /* the range picks intervals, as for line reports */
    memset(&g, 0, sizeof g);
    CHECK(store_stacks(s, root, 1.5, 2.5, stk_row, &g) == 0 && g.n == 2);
    CHECK_STR(g.chain[0], "app.py:main:10");
    CHECK(g.growth[1] == 0 && g.shrink[1] == (12 << 20) && g.depth[1] == 3);
    memset(&g, 0, sizeof g);
    CHECK(store_stacks(s, root, 2.6, 9, stk_row, &g) == 0 && g.n == 0);
    /* a child's stacks are its own; fn can stop the walk */
    store_sessions l;
    CHECK(store_list_sessions(s, &l) == 0 && l.n == 2);
    if (l.n == 2) {
        memset(&g, 0, sizeof g);
        CHECK(store_stacks(s, l.items[1].id, 0, STORE_OPEN_END, stk_row, &g) == 0 && g.n == 1);
        CHECK_STR(g.chain[0], "app.py:main:10;app.py:load:20");
    }
    store_sessions_free(&l);
    int calls = 0;
    CHECK(store_stacks(s, root, 0, STORE_OPEN_END, stop_first, &calls) == 0 && calls == 1);
    /* no such session: nothing */
    memset(&g, 0, sizeof g);
    CHECK(store_stacks(s, 9999, 0, STORE_OPEN_END, stk_row, &g) == 0 && g.n == 0);

    /* when lib.py:5 grew and shrank, in seconds from the start */
    memset(&g, 0, sizeof g);
    CHECK(store_line_times(s, root, 0, STORE_OPEN_END, "lib.py", 5, time_row, &g) == 0 && g.n == 2);
    CHECK(g.t[0] == 1.0 && g.growth[0] == (15 << 20) && g.shrink[0] == 0);
    CHECK(g.t[1] == 2.0 && g.growth[1] == 0 && g.shrink[1] == (12 << 20));
    memset(&g, 0, sizeof g);
    CHECK(store_line_times(s, root, 1.5, STORE_OPEN_END, "lib.py", 5, time_row, &g) == 0 && g.n == 1);
    memset(&g, 0, sizeof g);
    CHECK(store_line_times(s, root, 0, STORE_OPEN_END, "lib.py", 6, time_row, &g) == 0 && g.n == 0);
    CHECK(store_line_times(s, root, 0, STORE_OPEN_END, "nope.py", 5, time_row, &g) == 0 && g.n == 0);
    store_close(s);

    /* a damaged database whose stacks form a cycle: the walk stops at STORE_MAX_DEPTH */
    const char *c = tmp("cycle.db");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", p, c);
    CHECK(system(cmd) == 0);
    CHECK(raw_exec(c, "UPDATE stacks SET parent = (SELECT max(id) FROM stacks WHERE parent != 0)"
                      " WHERE id = (SELECT min(id) FROM stacks)") == SQLITE_OK);
    s = store_open(c, STORE_READ, err, sizeof err);
    CHECK(s != NULL);
    if (s) {
        memset(&g, 0, sizeof g);
        CHECK(store_stacks(s, root, 0, STORE_OPEN_END, stk_row, &g) == 0 && g.n == 3);
        CHECK(g.depth[0] == STORE_MAX_DEPTH && g.truncated[0]);
        store_close(s);
    }
}

static int count_strings(const char *p)
{
    return (int)raw_int(p, "SELECT count(*) FROM strings");
}

/* Two collectors announcing the same stacks share the database rows. */
static void test_interning(void)
{
    const char *p = tmp("intern.db");
    char err[512];
    store *s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    mw_sink a = store_sink(s), b = store_sink(s);
    int64_t sa = 0, sb = 0;
    mw_session_info i1 = info(1, 0, 1000), i2 = info(2, 0, 2000);
    CHECK(a.batch_begin(a.ctx) == 0 && a.session_begin(a.ctx, &i1, &sa) == 0 && announce(&a) == 0);
    CHECK(charge(&a, sa, 1001, 3, 100, 0, 1, 1) == 0 && a.batch_commit(a.ctx) == 0);
    /* b's ids differ from a's: its node 1 is lib.py's frame alone */
    mw_stack_node nb[] = { { 1, 0, "lib.py", "parse", 3, 5 }, { 2, 0, "app.py", "main", 8, 10 },
                           { 3, 2, "app.py", "load", 18, 20 }, { 4, 3, "lib.py", "parse", 3, 5 } };
    CHECK(b.batch_begin(b.ctx) == 0 && b.session_begin(b.ctx, &i2, &sb) == 0);
    for (size_t i = 0; i < 4; i++)
        CHECK(b.stack_node(b.ctx, &nb[i]) == 0);
    CHECK(charge(&b, sb, 2001, 4, 200, 0, 1, 1) == 0 && charge(&b, sb, 2001, 1, 7, 0, 1, 1) == 0);
    CHECK(b.batch_commit(b.ctx) == 0);
    store_close(s);
    CHECK(count_strings(p) == 5);   /* app.py main load lib.py parse */
    CHECK(raw_int(p, "SELECT count(*) FROM frames") == 4);
    CHECK(raw_int(p, "SELECT count(*) FROM stacks") == 5);   /* 4 from a, b adds lib.py:5 alone */
    /* both full stacks are one row */
    CHECK(raw_int(p, "SELECT count(DISTINCT stack) FROM charges WHERE growth IN (100, 200)") == 1);
    /* a new store (empty caches) finds the rows already there */
    s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    if (s) {
        mw_sink c = store_sink(s);
        int64_t sc;
        mw_session_info i3 = info(3, 0, 3000);
        CHECK(c.batch_begin(c.ctx) == 0 && c.session_begin(c.ctx, &i3, &sc) == 0 && announce(&c) == 0);
        CHECK(c.batch_commit(c.ctx) == 0);
        store_close(s);
    }
    CHECK(count_strings(p) == 5 && raw_int(p, "SELECT count(*) FROM stacks") == 5);
}

/* A batch is one transaction: a reader sees none of it until the commit. */
static void test_transaction(void)
{
    const char *p = tmp("txn.db");
    char err[512];
    store *w = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(w != NULL);
    if (!w)
        return;
    mw_sink k = store_sink(w);
    int64_t id;
    mw_session_info i = info(7, 0, 500);
    CHECK(k.batch_begin(k.ctx) == 0 && k.session_begin(k.ctx, &i, &id) == 0 && k.batch_commit(k.ctx) == 0);
    store *r = store_open(p, STORE_READ, err, sizeof err);
    CHECK(r != NULL);
    if (!r) {
        store_close(w);
        return;
    }
    CHECK(k.batch_begin(k.ctx) == 0);
    CHECK(announce(&k) == 0);
    for (int n = 0; n < 5; n++) {
        mw_sample m = sample(501 + n, 1000 + n);
        CHECK(k.sample(k.ctx, id, &m) == 0);
        CHECK(charge(&k, id, 501 + n, 3, 10, 0, 1, 1000) == 0);
    }
    got g = { 0 };
    CHECK(store_timeline(r, id, 0, STORE_OPEN_END, got_row, &g) == 0 && g.n == 0);
    rep rr = { 0 };
    CHECK(store_report(r, id, STORE_LINES, 0, STORE_OPEN_END, STORE_BY_GROWTH, 0, rep_row, &rr) == 0 && rr.n == 0);
    CHECK(raw_int(p, "SELECT count(*) FROM stacks") == 0);
    /* nested batches commit with the outermost */
    CHECK(k.batch_begin(k.ctx) == 0 && k.batch_commit(k.ctx) == 0);
    CHECK(raw_int(p, "SELECT count(*) FROM samples") == 0);
    CHECK(k.batch_commit(k.ctx) == 0);
    g.n = 0;
    CHECK(store_timeline(r, id, 0, STORE_OPEN_END, got_row, &g) == 0 && g.n == 5);
    CHECK(store_report(r, id, STORE_LINES, 0, STORE_OPEN_END, STORE_BY_GROWTH, 0, rep_row, &rr) == 0 && rr.n == 1 &&
          rr.rows[0].growth == 50);
    /* a reader cannot write */
    mw_sink rk = store_sink(r);
    CHECK(rk.batch_begin(rk.ctx) == -1 && strstr(rk.errmsg(rk.ctx), "read-only") != NULL);
    store_close(r);
    store_close(w);
}

/* ---- cut short ---- */

static void test_cut(void)
{
    const char *p = tmp("cut.db");
    char err[512];
    double t0 = 1000;
    pid_t pid = fork();
    if (pid == 0) {
        /* a collector that dies after its second interval, without ending the session */
        store *s = store_open(p, STORE_WRITE, err, sizeof err);
        if (!s)
            _exit(2);
        mw_sink k = store_sink(s);
        int64_t id;
        mw_session_info i = info(77, 0, t0);
        mw_sample a = sample(t0 + 0.2, 100), b = sample(t0 + 0.4, 200);
        if (k.batch_begin(k.ctx) || k.session_begin(k.ctx, &i, &id) || k.sample(k.ctx, id, &a) ||
            k.batch_commit(k.ctx) || k.batch_begin(k.ctx) || k.sample(k.ctx, id, &b) || k.batch_commit(k.ctx))
            _exit(3);
        mw_sample c = sample(t0 + 0.6, 300);   /* this interval never commits */
        if (k.batch_begin(k.ctx) || k.sample(k.ctx, id, &c))
            _exit(4);
        _exit(0);   /* no COMMIT, no close: as if killed */
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* a session of this (live) process stays live */
    store *w = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(w != NULL);
    if (!w)
        return;
    int64_t mine;
    mw_sink k = store_sink(w);
    mw_session_info i = info(78, 0, t0 + 1);
    CHECK(k.batch_begin(k.ctx) == 0 && k.session_begin(k.ctx, &i, &mine) == 0 && k.batch_commit(k.ctx) == 0);
    store_close(w);
    raw_exec(p, "UPDATE sessions SET status = 'live', end_t = NULL WHERE pid = 77");   /* undo the writer's marking */

    /* a reader shows the dead collector's session as cut short, without writing */
    store *r = store_open(p, STORE_READ, err, sizeof err);
    CHECK(r != NULL);
    if (r) {
        store_sessions l;
        CHECK(store_list_sessions(r, &l) == 0 && l.n == 2);
        if (l.n == 2) {
            CHECK(l.items[0].status == MW_END_CUT && l.items[0].end == t0 + 0.4 && l.items[0].samples == 2);
            CHECK(l.items[1].status == MW_END_LIVE && l.items[1].end == 0);
        }
        store_sessions_free(&l);
        store_close(r);
    }
    CHECK(raw_int(p, "SELECT count(*) FROM sessions WHERE status = 'live'") == 2);
    /* a writer marks it for good; its own live session is left alone */
    w = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(w != NULL);
    store_close(w);
    CHECK(raw_int(p, "SELECT count(*) FROM sessions WHERE status = 'cut' AND end_t = 1000.4 AND pid = 77") == 1);
    CHECK(raw_int(p, "SELECT count(*) FROM sessions WHERE status = 'live' AND pid = 78") == 1);
    CHECK(raw_int(p, "SELECT count(*) FROM samples") == 2);
}

/* ---- errors ---- */

static int open_kind(const char *p, int mode, char *err, size_t len)
{
    int kind = -1;
    store *s = store_open_kind(p, mode, &kind, err, len);
    if (s) {
        store_close(s);
        return STORE_OK;
    }
    return kind;
}

/* Makes a memwatch database of a few hundred KiB. */
static void make_big(const char *p)
{
    char err[512];
    store *s = store_open(p, STORE_WRITE, err, sizeof err);
    if (!s)
        return;
    mw_sink k = store_sink(s);
    int64_t id;
    mw_session_info i = info(5, 0, 0);
    k.batch_begin(k.ctx);
    k.session_begin(k.ctx, &i, &id);
    for (int n = 0; n < 5000; n++) {
        mw_sample m = sample(n, n);
        k.sample(k.ctx, id, &m);
    }
    k.batch_commit(k.ctx);
    store_close(s);
}

static void test_errors(void)
{
    char err[512];
    const char *p = tmp("notes.txt");
    write_file(p, "shopping list\n- milk\n- bread\n", 29);
    CHECK(open_kind(p, STORE_READ, err, sizeof err) == STORE_ERR_NOTDB);
    CHECK(strstr(err, "not a memwatch database") != NULL);
    CHECK(open_kind(p, STORE_WRITE, err, sizeof err) == STORE_ERR_NOTDB);
    /* left untouched */
    struct stat sb;
    CHECK(stat(p, &sb) == 0 && sb.st_size == 29);
    CHECK(store_exit_status(STORE_ERR_NOTDB) == MW_EXIT_DB);

    p = tmp("foreign.db");
    CHECK(raw_exec(p, "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup')") == SQLITE_OK);
    CHECK(open_kind(p, STORE_WRITE, err, sizeof err) == STORE_ERR_NOTDB);
    CHECK(strstr(err, "not a memwatch database") != NULL && strstr(err, "another program") != NULL);
    CHECK(raw_int(p, "SELECT count(*) FROM sqlite_master") == 1);   /* left as it was */
    p = tmp("foreign2.db");
    CHECK(raw_exec(p, "PRAGMA application_id = 42") == SQLITE_OK);
    CHECK(open_kind(p, STORE_READ, err, sizeof err) == STORE_ERR_NOTDB);

    p = tmp("newer.db");
    make_big(p);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", schema_count + 1);
    CHECK(raw_exec(p, sql) == SQLITE_OK);
    CHECK(open_kind(p, STORE_READ, err, sizeof err) == STORE_ERR_NEWER);
    char want[128];
    snprintf(want, sizeof want, "was written by a newer memwatch (schema %d, this one knows %d)", schema_count + 1,
             schema_count);
    CHECK(strstr(err, want) != NULL);
    CHECK(open_kind(p, STORE_WRITE, err, sizeof err) == STORE_ERR_NEWER);
    CHECK(store_exit_status(STORE_ERR_NEWER) == MW_EXIT_DB);

    /* truncated: half the file, then only part of the header */
    p = tmp("trunc.db");
    make_big(p);
    CHECK(stat(p, &sb) == 0 && sb.st_size > 65536);
    CHECK(truncate(p, sb.st_size / 2) == 0);
    CHECK(open_kind(p, STORE_READ, err, sizeof err) == STORE_ERR_CORRUPT);
    CHECK(strstr(err, "database is corrupt") != NULL);
    CHECK(open_kind(p, STORE_WRITE, err, sizeof err) == STORE_ERR_CORRUPT);
    CHECK(truncate(p, 60) == 0);
    CHECK(open_kind(p, STORE_READ, err, sizeof err) == STORE_ERR_CORRUPT);
    CHECK(truncate(p, 10) == 0);
    CHECK(open_kind(p, STORE_READ, err, sizeof err) == STORE_ERR_CORRUPT);
    /* damaged in the middle: SQLite itself says corrupt */
    p = tmp("mangled.db");
    make_big(p);
    int fd = open(p, O_WRONLY);
    char junk[4096];
    memset(junk, 0xA5, sizeof junk);
    CHECK(fd >= 0 && pwrite(fd, junk, sizeof junk, 4096) == (ssize_t)sizeof junk);
    close(fd);
    store *m = store_open(p, STORE_READ, err, sizeof err);
    if (m) {
        /* the header is sound: the damage shows when the damaged page is read */
        store_sessions l;
        CHECK(store_list_sessions(m, &l) == -1);
        CHECK(store_errkind(m) == STORE_ERR_CORRUPT && strstr(store_errmsg(m), "database is corrupt") != NULL);
        store_close(m);
    } else {
        CHECK(strstr(err, "database is corrupt") != NULL);
    }

    p = tmp("missing.db");
    CHECK(open_kind(p, STORE_READ, err, sizeof err) == STORE_ERR_NOFILE);
    CHECK(access(p, F_OK) != 0);   /* a reader never creates it */
    CHECK(store_exit_status(STORE_ERR_NOFILE) == MW_EXIT_NOSESSION);
    CHECK(open_kind(dir, STORE_WRITE, err, sizeof err) == STORE_ERR_OPEN);
    CHECK(strstr(err, "directory") != NULL);
    CHECK(open_kind(tmp("no/such/dir/x.db"), STORE_WRITE, err, sizeof err) == STORE_ERR_OPEN);
    CHECK(strstr(err, "cannot create") != NULL);
}

/* In a read-only directory: a writer fails with a clear reason, a reader still reads. */
static void test_readonly_dir(void)
{
    char ro[400];
    snprintf(ro, sizeof ro, "%s/ro", dir);
    CHECK(mkdir(ro, 0755) == 0);
    char db[600];
    snprintf(db, sizeof db, "%s/m.db", ro);
    make_big(db);
    chmod(db, 0644);
    chmod(dir, 0755);
    CHECK(chmod(ro, 0555) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        /* root writes anywhere: look at it as an ordinary user */
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(10);
        char err[512], other[600];
        int rc = 0;
        snprintf(other, sizeof other, "%s/new.db", ro);
        int k = open_kind(other, STORE_WRITE, err, sizeof err);
        if (k != STORE_ERR_OPEN || !strstr(err, "cannot create") || !strstr(err, "not writable")) {
            fprintf(stderr, "  new db in read-only dir: kind %d: %s\n", k, err);
            rc |= 1;
        }
        k = open_kind(db, STORE_WRITE, err, sizeof err);
        if (k != STORE_ERR_OPEN) {
            fprintf(stderr, "  writing db in read-only dir: kind %d: %s\n", k, err);
            rc |= 2;
        }
        store *s = store_open(db, STORE_READ, err, sizeof err);
        store_sessions l = { 0 };
        if (!s || store_list_sessions(s, &l) < 0 || l.n != 1 || l.items[0].samples != 5000) {
            fprintf(stderr, "  reading db in read-only dir: %s\n", s ? store_errmsg(s) : err);
            rc |= 4;
        }
        store_sessions_free(&l);
        store_close(s);
        _exit(rc);
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st));
    if (WIFEXITED(st) && WEXITSTATUS(st) == 10)
        printf("test_store: read-only directory: cannot drop root to check it (SKIPPED)\n");
    else
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    chmod(ro, 0755);
}

/* The disk fills (a file size limit stands in for it) in the middle of recording. */
static void test_disk_full(void)
{
    const char *p = tmp("full.db");
    char err[512];
    store *s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    store_close(s);
    int pipefd[2];
    CHECK(pipe(pipefd) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = { 256 * 1024, 256 * 1024 };
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(9);
        store *w = store_open(p, STORE_WRITE, err, sizeof err);
        if (!w)
            _exit(8);
        mw_sink k = store_sink(w);
        int64_t id;
        mw_session_info i = info(9, 0, 0);
        if (k.batch_begin(k.ctx) || k.session_begin(k.ctx, &i, &id) || k.batch_commit(k.ctx))
            _exit(7);
        double committed = 0;
        int failed = 0;
        for (int n = 1; n < 100000 && !failed; n++) {
            int rc = k.batch_begin(k.ctx);
            for (int j = 0; j < 20 && rc == 0; j++) {
                mw_sample m = sample(n + j * 0.01, n);
                rc = k.sample(k.ctx, id, &m);
            }
            if (rc == 0 && k.batch_commit(k.ctx) == 0) {
                committed = n + 19 * 0.01;
                continue;
            }
            if (rc != 0)
                (void)k.batch_commit(k.ctx);
            failed = 1;
        }
        int full = store_disk_full(w) && store_errkind(w) == STORE_ERR_FULL &&
                   strstr(store_errmsg(w), "disk full") && strstr(store_errmsg(w), "is kept") &&
                   store_exit_status(store_errkind(w)) == MW_EXIT_DISKFULL;
        if (!full)
            fprintf(stderr, "  disk full: kind %d: %s\n", store_errkind(w), store_errmsg(w));
        if (write(pipefd[1], &committed, sizeof committed) != sizeof committed)
            _exit(6);
        store_close(w);
        _exit(failed && full ? 0 : 5);
    }
    close(pipefd[1]);
    double committed = -1;
    CHECK(read(pipefd[0], &committed, sizeof committed) == sizeof committed);
    close(pipefd[0]);
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* everything committed is there, and the file is sound */
    CHECK(committed > 0);
    CHECK(integrity_ok(p));
    long long max_t = raw_int(p, "SELECT CAST(max(t) * 100 AS INTEGER) FROM samples");
    CHECK(max_t == (long long)(committed * 100 + 0.5));
    CHECK(raw_int(p, "SELECT count(*) FROM samples") % 20 == 0);   /* whole intervals only */
}

static void test_dbpath(void)
{
    char out[256], err[256];
    CHECK(dbpath_choose("x.db", "/e.db", "/xdg", "/users/u", out, sizeof out, err, sizeof err) == 0);
    CHECK_STR(out, "x.db");
    CHECK(dbpath_choose(NULL, "/e.db", "/xdg", "/users/u", out, sizeof out, err, sizeof err) == 0);
    CHECK_STR(out, "/e.db");
    CHECK(dbpath_choose("", "", "/xdg", "/users/u", out, sizeof out, err, sizeof err) == 0);
    CHECK_STR(out, "/xdg/memwatch/memwatch.db");
    CHECK(dbpath_choose(NULL, NULL, "relative/xdg", "/users/u", out, sizeof out, err, sizeof err) == 0);
    CHECK_STR(out, "/users/u/.local/state/memwatch/memwatch.db");
    CHECK(dbpath_choose(NULL, NULL, NULL, NULL, out, sizeof out, err, sizeof err) == -1);
    CHECK(strstr(err, "--db") != NULL);
    CHECK(dbpath_choose(NULL, NULL, NULL, "/h", out, 10, err, sizeof err) == -1);

    char path[600];
    snprintf(path, sizeof path, "%s/state/a/b/memwatch.db", dir);
    CHECK(dbpath_make_dirs(path, err, sizeof err) == 0);
    struct stat sb;
    snprintf(path, sizeof path, "%s/state/a/b", dir);
    CHECK(stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 0777) == 0700);
    snprintf(path, sizeof path, "%s/state", dir);
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0700);
    snprintf(path, sizeof path, "%s/notes.txt/x.db", dir);
    CHECK(dbpath_make_dirs(path, err, sizeof err) == -1 && strstr(err, "not a directory") != NULL);
    /* the environment rule end to end */
    setenv("MEMWATCH_DB", "", 1);
    setenv("XDG_STATE_HOME", dir, 1);
    CHECK(dbpath_resolve(NULL, out, sizeof out, err, sizeof err) == 0);
    snprintf(path, sizeof path, "%s/memwatch/memwatch.db", dir);
    CHECK_STR(out, path);
    snprintf(path, sizeof path, "%s/memwatch", dir);
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0700);
}

static void cleanup(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/mwstore.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_create();
    test_empty_file();
    test_migrate_partial();
    test_roundtrip();
    test_queries();
    test_stacks();
    test_interning();
    test_transaction();
    test_cut();
    test_errors();
    test_readonly_dir();
    test_disk_full();
    test_dbpath();
    cleanup();
    return check_done("test_store");
}
