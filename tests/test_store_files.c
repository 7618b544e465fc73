/* Unit tests: the store's files on temporary databases — creation and
 * migrations, cut-short sessions, and how a bad file, a newer schema, a
 * read-only directory or a full disk are told apart; database paths. */
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

/* ---- open, create, migrate ---- */

static void test_create(void)
{
    const char *p = storetest_path("new.db");
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
    CHECK(storetest_int(p, "PRAGMA user_version") == schema_count);
    CHECK(storetest_int(p, "PRAGMA application_id") == STORE_APPLICATION_ID);
    CHECK(storetest_int(p, "SELECT count(*) FROM sqlite_master WHERE name IN ('sessions','samples','strings',"
                     "'frames','stacks','charges','events','source_lines')") == 8);
    CHECK(storetest_int(p, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'charges_session_t'") == 1);
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
    CHECK(storetest_int(p, "PRAGMA user_version") == schema_count);
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
    const char *p = storetest_path("empty.db");
    storetest_write(p, "", 0);
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
    CHECK(storetest_int(p, "PRAGMA user_version") == schema_count);
}

/* An older memwatch database (schema 0 marked as memwatch's, e.g. a migration
 * interrupted before its commit) is migrated, each step a transaction. */
static void test_migrate_partial(void)
{
    const char *p = storetest_path("old.db");
    CHECK(storetest_exec(p, "PRAGMA application_id = 1836540276") == SQLITE_OK);
    char err[512];
    store *s = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(s != NULL);
    store_close(s);
    CHECK(storetest_int(p, "PRAGMA user_version") == schema_count);
    CHECK(storetest_int(p, "SELECT count(*) FROM sessions") == 0);
    /* migration text carries its own application id */
    CHECK(strstr(schema_migrations[0].sql, "application_id") != NULL);
}

/* ---- cut short ---- */

static void test_cut(void)
{
    const char *p = storetest_path("cut.db");
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
        mw_session_info i = storetest_info(77, 0, t0);
        mw_sample a = storetest_sample(t0 + 0.2, 100), b = storetest_sample(t0 + 0.4, 200);
        if (k.batch_begin(k.ctx) || k.session_begin(k.ctx, &i, &id) || k.sample(k.ctx, id, &a) ||
            k.batch_commit(k.ctx) || k.batch_begin(k.ctx) || k.sample(k.ctx, id, &b) || k.batch_commit(k.ctx))
            _exit(3);
        mw_sample c = storetest_sample(t0 + 0.6, 300);   /* this interval never commits */
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
    mw_session_info i = storetest_info(78, 0, t0 + 1);
    CHECK(k.batch_begin(k.ctx) == 0 && k.session_begin(k.ctx, &i, &mine) == 0 && k.batch_commit(k.ctx) == 0);
    store_close(w);
    storetest_exec(p, "UPDATE sessions SET status = 'live', end_t = NULL WHERE pid = 77");   /* undo the writer's marking */

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
    CHECK(storetest_int(p, "SELECT count(*) FROM sessions WHERE status = 'live'") == 2);
    /* a writer marks it for good; its own live session is left alone */
    w = store_open(p, STORE_WRITE, err, sizeof err);
    CHECK(w != NULL);
    store_close(w);
    CHECK(storetest_int(p, "SELECT count(*) FROM sessions WHERE status = 'cut' AND end_t = 1000.4 AND pid = 77") == 1);
    CHECK(storetest_int(p, "SELECT count(*) FROM sessions WHERE status = 'live' AND pid = 78") == 1);
    CHECK(storetest_int(p, "SELECT count(*) FROM samples") == 2);
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
    mw_session_info i = storetest_info(5, 0, 0);
    k.batch_begin(k.ctx);
    k.session_begin(k.ctx, &i, &id);
    for (int n = 0; n < 5000; n++) {
        mw_sample m = storetest_sample(n, n);
        k.sample(k.ctx, id, &m);
    }
    k.batch_commit(k.ctx);
    store_close(s);
}

static void test_errors(void)
{
    char err[512];
    const char *p = storetest_path("notes.txt");
    storetest_write(p, "shopping list\n- milk\n- bread\n", 29);
    CHECK(open_kind(p, STORE_READ, err, sizeof err) == STORE_ERR_NOTDB);
    CHECK(strstr(err, "not a memwatch database") != NULL);
    CHECK(open_kind(p, STORE_WRITE, err, sizeof err) == STORE_ERR_NOTDB);
    /* left untouched */
    struct stat sb;
    CHECK(stat(p, &sb) == 0 && sb.st_size == 29);
    CHECK(store_exit_status(STORE_ERR_NOTDB) == MW_EXIT_DB);

    p = storetest_path("foreign.db");
    CHECK(storetest_exec(p, "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup')") == SQLITE_OK);
    CHECK(open_kind(p, STORE_WRITE, err, sizeof err) == STORE_ERR_NOTDB);
    CHECK(strstr(err, "not a memwatch database") != NULL && strstr(err, "another program") != NULL);
    CHECK(storetest_int(p, "SELECT count(*) FROM sqlite_master") == 1);   /* left as it was */
    p = storetest_path("foreign2.db");
    CHECK(storetest_exec(p, "PRAGMA application_id = 42") == SQLITE_OK);
    CHECK(open_kind(p, STORE_READ, err, sizeof err) == STORE_ERR_NOTDB);

    p = storetest_path("newer.db");
    make_big(p);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", schema_count + 1);
    CHECK(storetest_exec(p, sql) == SQLITE_OK);
    CHECK(open_kind(p, STORE_READ, err, sizeof err) == STORE_ERR_NEWER);
    char want[128];
    snprintf(want, sizeof want, "was written by a newer memwatch (schema %d, this one knows %d)", schema_count + 1,
             schema_count);
    CHECK(strstr(err, want) != NULL);
    CHECK(open_kind(p, STORE_WRITE, err, sizeof err) == STORE_ERR_NEWER);
    CHECK(store_exit_status(STORE_ERR_NEWER) == MW_EXIT_DB);

    /* truncated: half the file, then only part of the header */
    p = storetest_path("trunc.db");
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
    p = storetest_path("mangled.db");
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

    p = storetest_path("missing.db");
    CHECK(open_kind(p, STORE_READ, err, sizeof err) == STORE_ERR_NOFILE);
    CHECK(access(p, F_OK) != 0);   /* a reader never creates it */
    CHECK(store_exit_status(STORE_ERR_NOFILE) == MW_EXIT_NOSESSION);
    CHECK(open_kind(storetest_dir(), STORE_WRITE, err, sizeof err) == STORE_ERR_OPEN);
    CHECK(strstr(err, "directory") != NULL);
    CHECK(open_kind(storetest_path("no/such/dir/x.db"), STORE_WRITE, err, sizeof err) == STORE_ERR_OPEN);
    CHECK(strstr(err, "cannot create") != NULL);
}

/* In a read-only directory: a writer fails with a clear reason, a reader still reads. */
static void test_readonly_dir(void)
{
    char ro[400];
    snprintf(ro, sizeof ro, "%s/ro", storetest_dir());
    CHECK(mkdir(ro, 0755) == 0);
    char db[600];
    snprintf(db, sizeof db, "%s/m.db", ro);
    make_big(db);
    chmod(db, 0644);
    chmod(storetest_dir(), 0755);
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
    const char *p = storetest_path("full.db");
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
        mw_session_info i = storetest_info(9, 0, 0);
        if (k.batch_begin(k.ctx) || k.session_begin(k.ctx, &i, &id) || k.batch_commit(k.ctx))
            _exit(7);
        double committed = 0;
        int failed = 0;
        for (int n = 1; n < 100000 && !failed; n++) {
            int rc = k.batch_begin(k.ctx);
            for (int j = 0; j < 20 && rc == 0; j++) {
                mw_sample m = storetest_sample(n + j * 0.01, n);
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
    CHECK(storetest_integrity_ok(p));
    long long max_t = storetest_int(p, "SELECT CAST(max(t) * 100 AS INTEGER) FROM samples");
    CHECK(max_t == (long long)(committed * 100 + 0.5));
    CHECK(storetest_int(p, "SELECT count(*) FROM samples") % 20 == 0);   /* whole intervals only */
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
    snprintf(path, sizeof path, "%s/state/a/b/memwatch.db", storetest_dir());
    CHECK(dbpath_make_dirs(path, err, sizeof err) == 0);
    struct stat sb;
    snprintf(path, sizeof path, "%s/state/a/b", storetest_dir());
    CHECK(stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 0777) == 0700);
    snprintf(path, sizeof path, "%s/state", storetest_dir());
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0700);
    snprintf(path, sizeof path, "%s/notes.txt/x.db", storetest_dir());
    CHECK(dbpath_make_dirs(path, err, sizeof err) == -1 && strstr(err, "not a directory") != NULL);
    /* the environment rule end to end */
    setenv("MEMWATCH_DB", "", 1);
    setenv("XDG_STATE_HOME", storetest_dir(), 1);
    CHECK(dbpath_resolve(NULL, out, sizeof out, err, sizeof err) == 0);
    snprintf(path, sizeof path, "%s/memwatch/memwatch.db", storetest_dir());
    CHECK_STR(out, path);
    snprintf(path, sizeof path, "%s/memwatch", storetest_dir());
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0700);
}

int main(void)
{
    if (storetest_setup() < 0)
        return 1;
    test_create();
    test_empty_file();
    test_migrate_partial();
    test_cut();
    test_errors();
    test_readonly_dir();
    test_disk_full();
    test_dbpath();
    storetest_cleanup();
    return check_done("test_store_files");
}
