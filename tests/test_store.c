/* Unit tests: the store's sink round trip, interning, transactions and report
 * sums on temporary databases (files and errors: test_store_files.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "dbpath.h"
#include "exitcodes.h"
#include "schema.h"
#include "store.h"
#include "storetest.h"

/* ---- the sink ---- */

static void test_roundtrip(void)
{
    const char *p = storetest_path("rt.db");
    char err[512];
    store *s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    mw_sink k = store_sink(s);
    double t0 = 1700000000.0;
    int64_t root = 0, child = 0;
    CHECK(k.batch_begin(k.ctx) == 0);
    mw_session_info ri = storetest_info(4242, 0, t0);
    CHECK(k.session_begin(k.ctx, &ri, &root) == 0 && root > 0);
    CHECK(k.event(k.ctx, root, t0, "start", "python3 app.py") == 0);
    CHECK(k.event(k.ctx, root, t0 + 0.1, "python", "Python 3.11.7 (static, _PyRuntime)") == 0);
    mw_sample s0 = storetest_sample(t0, 10 << 20);
    CHECK(k.sample(k.ctx, root, &s0) == 0);
    CHECK(k.batch_commit(k.ctx) == 0);

    CHECK(k.batch_begin(k.ctx) == 0);
    mw_session_info ci = storetest_info(4243, root, t0 + 0.5);
    ci.exe = NULL;
    CHECK(k.session_begin(k.ctx, &ci, &child) == 0 && child > root);
    CHECK(storetest_announce(&k) == 0);
    /* a figure the kernel would not give is stored as NULL */
    mw_sample s1 = { .t = t0 + 1, .rss = 30 << 20, .uss = MW_NOVAL, .pss = MW_NOVAL, .swap = MW_NOVAL,
                     .rss_peak = 31 << 20, .ticks = 199 };
    CHECK(k.sample(k.ctx, root, &s1) == 0);
    CHECK(storetest_charge(&k, root, t0 + 1, 3, 15 << 20, 0, 150, 31 << 20) == 0);
    CHECK(storetest_charge(&k, root, t0 + 1, 4, 5 << 20, 1 << 20, 49, 29 << 20) == 0);
    mw_sample c1 = storetest_sample(t0 + 1, 5 << 20);
    CHECK(k.sample(k.ctx, child, &c1) == 0);
    CHECK(storetest_charge(&k, child, t0 + 1, 2, 1 << 20, 0, 10, 5 << 20) == 0);
    CHECK(k.batch_commit(k.ctx) == 0);

    CHECK(k.batch_begin(k.ctx) == 0);
    mw_sample s2 = storetest_sample(t0 + 2, 20 << 20);
    CHECK(k.sample(k.ctx, root, &s2) == 0);
    CHECK(storetest_charge(&k, root, t0 + 2, 3, 0, 12 << 20, 100, 30 << 20) == 0);
    CHECK(storetest_charge(&k, root, t0 + 2, 1, 2 << 20, 0, 100, 22 << 20) == 0);
    CHECK(k.source_line(k.ctx, root, "lib.py", 5, "    return json.loads(text)\n") == 0);
    CHECK(k.source_line(k.ctx, root, "app.py", 11, "    cache = build()") == 0);
    mw_session_end ce = { .end = t0 + 1.5, .status = MW_END_ENDED, .has_exit = 0 };
    CHECK(k.session_end(k.ctx, child, &ce) == 0);
    mw_session_end re = { .end = t0 + 2.5, .status = MW_END_ENDED, .has_exit = 1, .exit_code = 3 };
    CHECK(k.session_end(k.ctx, root, &re) == 0);
    CHECK(k.batch_commit(k.ctx) == 0);

    /* a charge to a stack never announced, or an unknown session, is refused with a reason */
    CHECK(storetest_charge(&k, root, t0 + 3, 99, 1, 0, 1, 1) == -1);
    CHECK(strstr(k.errmsg(k.ctx), "never announced") != NULL);
    mw_sample bad = storetest_sample(t0 + 3, 1);
    CHECK(k.sample(k.ctx, 9999, &bad) == -1);
    store_close(s);

    CHECK(storetest_int(p, "SELECT count(*) FROM samples WHERE uss IS NULL AND pss IS NULL AND swap IS NULL") == 1);
    CHECK(storetest_integrity_ok(p));
    CHECK(storetest_int(p, "SELECT count(*) FROM sessions WHERE python = '3.11.7'") == 1);

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
    const char *p = storetest_path("rt.db");   /* written by test_roundtrip */
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
    const char *p = storetest_path("rt.db");   /* written by test_roundtrip */
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
    const char *c = storetest_path("cycle.db");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", p, c);
    CHECK(system(cmd) == 0);
    CHECK(storetest_exec(c, "UPDATE stacks SET parent = (SELECT max(id) FROM stacks WHERE parent != 0)"
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
    return (int)storetest_int(p, "SELECT count(*) FROM strings");
}

/* Two collectors announcing the same stacks share the database rows. */
static void test_interning(void)
{
    const char *p = storetest_path("intern.db");
    char err[512];
    store *s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    mw_sink a = store_sink(s), b = store_sink(s);
    int64_t sa = 0, sb = 0;
    mw_session_info i1 = storetest_info(1, 0, 1000), i2 = storetest_info(2, 0, 2000);
    CHECK(a.batch_begin(a.ctx) == 0 && a.session_begin(a.ctx, &i1, &sa) == 0 && storetest_announce(&a) == 0);
    CHECK(storetest_charge(&a, sa, 1001, 3, 100, 0, 1, 1) == 0 && a.batch_commit(a.ctx) == 0);
    /* b's ids differ from a's: its node 1 is lib.py's frame alone */
    mw_stack_node nb[] = { { 1, 0, "lib.py", "parse", 3, 5 }, { 2, 0, "app.py", "main", 8, 10 },
                           { 3, 2, "app.py", "load", 18, 20 }, { 4, 3, "lib.py", "parse", 3, 5 } };
    CHECK(b.batch_begin(b.ctx) == 0 && b.session_begin(b.ctx, &i2, &sb) == 0);
    for (size_t i = 0; i < 4; i++)
        CHECK(b.stack_node(b.ctx, &nb[i]) == 0);
    CHECK(storetest_charge(&b, sb, 2001, 4, 200, 0, 1, 1) == 0 && storetest_charge(&b, sb, 2001, 1, 7, 0, 1, 1) == 0);
    CHECK(b.batch_commit(b.ctx) == 0);
    store_close(s);
    CHECK(count_strings(p) == 5);   /* app.py main load lib.py parse */
    CHECK(storetest_int(p, "SELECT count(*) FROM frames") == 4);
    CHECK(storetest_int(p, "SELECT count(*) FROM stacks") == 5);   /* 4 from a, b adds lib.py:5 alone */
    /* both full stacks are one row */
    CHECK(storetest_int(p, "SELECT count(DISTINCT stack) FROM charges WHERE growth IN (100, 200)") == 1);
    /* a new store (empty caches) finds the rows already there */
    s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    if (s) {
        mw_sink c = store_sink(s);
        int64_t sc;
        mw_session_info i3 = storetest_info(3, 0, 3000);
        CHECK(c.batch_begin(c.ctx) == 0 && c.session_begin(c.ctx, &i3, &sc) == 0 && storetest_announce(&c) == 0);
        CHECK(c.batch_commit(c.ctx) == 0);
        store_close(s);
    }
    CHECK(count_strings(p) == 5 && storetest_int(p, "SELECT count(*) FROM stacks") == 5);
}

/* A batch is one transaction: a reader sees none of it until the commit. */
static void test_transaction(void)
{
    const char *p = storetest_path("txn.db");
    char err[512];
    store *w = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(w != NULL);
    if (!w)
        return;
    mw_sink k = store_sink(w);
    int64_t id;
    mw_session_info i = storetest_info(7, 0, 500);
    CHECK(k.batch_begin(k.ctx) == 0 && k.session_begin(k.ctx, &i, &id) == 0 && k.batch_commit(k.ctx) == 0);
    store *r = store_open(p, STORE_READ, err, sizeof err);
    CHECK(r != NULL);
    if (!r) {
        store_close(w);
        return;
    }
    CHECK(k.batch_begin(k.ctx) == 0);
    CHECK(storetest_announce(&k) == 0);
    for (int n = 0; n < 5; n++) {
        mw_sample m = storetest_sample(501 + n, 1000 + n);
        CHECK(k.sample(k.ctx, id, &m) == 0);
        CHECK(storetest_charge(&k, id, 501 + n, 3, 10, 0, 1, 1000) == 0);
    }
    got g = { 0 };
    CHECK(store_timeline(r, id, 0, STORE_OPEN_END, got_row, &g) == 0 && g.n == 0);
    rep rr = { 0 };
    CHECK(store_report(r, id, STORE_LINES, 0, STORE_OPEN_END, STORE_BY_GROWTH, 0, rep_row, &rr) == 0 && rr.n == 0);
    CHECK(storetest_int(p, "SELECT count(*) FROM stacks") == 0);
    /* nested batches commit with the outermost */
    CHECK(k.batch_begin(k.ctx) == 0 && k.batch_commit(k.ctx) == 0);
    CHECK(storetest_int(p, "SELECT count(*) FROM samples") == 0);
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


int main(void)
{
    if (storetest_setup() < 0)
        return 1;
    test_roundtrip();
    test_queries();
    test_stacks();
    test_interning();
    test_transaction();
    storetest_cleanup();
    return check_done("test_store");
}
