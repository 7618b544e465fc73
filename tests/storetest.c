/* storetest: temporary databases and fixtures shared by the store's unit tests. */
#include "storetest.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

const char *storetest_dir(void)
{
    return dir;
}

const char *storetest_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

/* Runs one integer query on a raw connection to path. */
long long storetest_int(const char *path, const char *sql)
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

int storetest_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* 1 if PRAGMA integrity_check says "ok". */
int storetest_integrity_ok(const char *path)
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

void storetest_write(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len)
        perror(path);
    if (fd >= 0)
        close(fd);
}

mw_session_info storetest_info(pid_t pid, int64_t parent, double start)
{
    mw_session_info i = { .pid = pid, .parent_session = parent, .cmdline = "python3 app.py --big",
                          .exe = "/usr/bin/python3.11", .start = start, .interval = 0.2, .rate = 1000,
                          .python = NULL };
    return i;
}

mw_sample storetest_sample(double t, int64_t rss)
{
    mw_sample s = { .t = t, .rss = rss, .uss = rss / 2, .pss = rss / 2 + 1, .swap = 0, .rss_peak = rss + 10,
                    .ticks = 200 };
    return s;
}

/* Announces the stacks  main(app.py:10) > load(app.py:20) > parse(lib.py:5)
 * and main(app.py:11) as collector ids 1..4. */
int storetest_announce(const mw_sink *k)
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

int storetest_charge(const mw_sink *k, int64_t session, double t, uint32_t stack, int64_t growth,
                     int64_t shrink, uint32_t hits, int64_t peak)
{
    mw_charge c = { .stack = stack, .growth = growth, .shrink = shrink, .hits = hits, .peak_rss = peak };
    return k->charge(k->ctx, session, t, &c);
}

int storetest_setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/mwstore.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

void storetest_cleanup(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}
