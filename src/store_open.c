/* store_open: open or create the database, recognise what it is, migrate it. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exitcodes.h"
#include "procinfo.h"
#include "schema.h"
#include "store_impl.h"

#define BUSY_TIMEOUT_MS 5000
#define SQLITE_MAGIC "SQLite format 3"   /* 16 bytes with its NUL */

int store_failf(struct store *s, int kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
    va_end(ap);
    s->errkind = kind;
    if (kind == STORE_ERR_FULL)
        s->disk_full = 1;
    return -1;
}

/* Writes "(directory D is not writable)" into buf when that explains a failure. */
static const char *dir_hint(const char *path, char *buf, size_t len)
{
    char *copy = strdup(path);
    buf[0] = '\0';
    if (!copy)
        return buf;
    const char *dir = dirname(copy);
    if (access(dir, W_OK | X_OK) != 0)
        snprintf(buf, len, " (directory %s is not writable)", dir);
    free(copy);
    return buf;
}

/* Sorts an SQLite result code into an enum store_errkind; err_no is errno
 * right after the failing call (SQLite does not always keep it). */
static int classify(sqlite3 *db, int rc, int err_no)
{
    int sys = db ? sqlite3_system_errno(db) : 0;
    if (!sys)
        sys = err_no;
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return STORE_ERR_FULL;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return STORE_ERR_CORRUPT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_ERR_BUSY;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return STORE_ERR_OPEN;
    case SQLITE_IOERR:
        /* EFBIG: the file may grow no more (a size limit), as good as a full disk */
        return sys == ENOSPC || sys == EDQUOT || sys == EFBIG ? STORE_ERR_FULL : STORE_ERR_OTHER;
    default:
        return STORE_ERR_OTHER;
    }
}

int store_fail(struct store *s, int rc, const char *what)
{
    return store_fail_errno(s, rc, errno, what);
}

int store_fail_errno(struct store *s, int rc, int err_no, const char *what)
{
    int kind = classify(s->db, rc, err_no);
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    char hint[300];
    switch (kind) {
    case STORE_ERR_FULL: {
        char when[64] = "";
        if (s->committed_t > 0) {
            time_t t = (time_t)s->committed_t;
            struct tm tm;
            localtime_r(&t, &tm);
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        }
        return store_failf(s, kind, "disk full: %s: everything up to %s is kept", s->path,
                           when[0] ? when : "the last committed interval");
    }
    case STORE_ERR_CORRUPT:
        return store_failf(s, kind, "database is corrupt: %s: %s", s->path, msg);
    case STORE_ERR_BUSY:
        return store_failf(s, kind, "%s is locked by another process (waited %d s while %s)", s->path,
                           BUSY_TIMEOUT_MS / 1000, what);
    case STORE_ERR_OPEN:
        return store_failf(s, kind, "cannot %s %s: %s%s",
                           s->mode == STORE_WRITE ? "write to" : "read", s->path, msg,
                           dir_hint(s->path, hint, sizeof hint));
    default:
        return store_failf(s, kind, "%s: %s: %s", s->path, what, msg);
    }
}

int store_exit_status(int kind)
{
    switch (kind) {
    case STORE_OK:
        return MW_EXIT_OK;
    case STORE_ERR_FULL:
        return MW_EXIT_DISKFULL;
    case STORE_ERR_NOFILE:
        return MW_EXIT_NOSESSION;
    default:
        return MW_EXIT_DB;
    }
}

int store_errkind(const store *s)
{
    return s->errkind;
}

const char *store_errmsg(const store *s)
{
    return s->errmsg[0] ? s->errmsg : "no error";
}

int store_disk_full(const store *s)
{
    return s && s->disk_full;
}

const char *store_path(const store *s)
{
    return s->path;
}

int store_collector_alive(int pid, unsigned long long start)
{
    if (pid <= 0)
        return 0;
    proc_stat st;
    if (procinfo_stat((pid_t)pid, &st) < 0)
        return errno == ESRCH ? 0 : 1;
    if (st.state == 'Z' || st.state == 'X')
        return 0;
    return start == 0 || st.start == start;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 1 if path-wal exists and is not empty. */
static int wal_present(const char *path)
{
    char wal[4200];
    struct stat sb;
    snprintf(wal, sizeof wal, "%s-wal", path);
    return stat(wal, &sb) == 0 && sb.st_size > 0;
}

/* Looks at the first bytes of an existing non-empty file before SQLite does,
 * to tell a text file from a truncated database. Returns 0 or -1 (recorded). */
static int check_header(struct store *s, off_t size)
{
    unsigned char h[100];
    int fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return store_failf(s, STORE_ERR_OPEN, "cannot read %s: %s", s->path, strerror(errno));
    ssize_t n = read(fd, h, sizeof h);
    int saved = errno;
    close(fd);
    if (n < 0)
        return store_failf(s, STORE_ERR_OPEN, "cannot read %s: %s", s->path, strerror(saved));
    size_t magic = sizeof SQLITE_MAGIC;   /* 16 */
    if ((size_t)n < magic) {
        if (memcmp(h, SQLITE_MAGIC, (size_t)n) == 0)
            return store_failf(s, STORE_ERR_CORRUPT, "database is corrupt: %s: truncated to %zd bytes",
                               s->path, n);
        return store_failf(s, STORE_ERR_NOTDB, "%s is not a memwatch database (not an SQLite file)", s->path);
    }
    if (memcmp(h, SQLITE_MAGIC, magic) != 0)
        return store_failf(s, STORE_ERR_NOTDB, "%s is not a memwatch database (not an SQLite file)", s->path);
    if (n < 100)
        return store_failf(s, STORE_ERR_CORRUPT, "database is corrupt: %s: truncated to %zd bytes", s->path, n);
    uint32_t page = (uint32_t)h[16] << 8 | h[17];
    if (page == 1)
        page = 65536;
    if (page < 512 || (page & (page - 1)) != 0)
        return store_failf(s, STORE_ERR_CORRUPT, "database is corrupt: %s: bad page size %u", s->path, page);
    /* the page count in the header is trusted when its version stamp matches */
    uint32_t pages = be32(h + 28), change = be32(h + 24), valid_for = be32(h + 92);
    if (pages && valid_for == change && !wal_present(s->path) && (uint64_t)size < (uint64_t)pages * page)
        return store_failf(s, STORE_ERR_CORRUPT,
                           "database is corrupt: %s: truncated (%lld of %llu bytes)", s->path,
                           (long long)size, (unsigned long long)pages * page);
    return 0;
}

/* Runs a one-integer query; returns 0 or -1 (recorded). */
static int query_int(struct store *s, const char *sql, int64_t *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_fail(s, rc, "reading the header");
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        *out = 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, rc, "reading the header");
    return 0;
}

static int exec(struct store *s, const char *sql, const char *what)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : store_fail(s, rc, what);
}

enum { DB_EMPTY = 0, DB_MEMWATCH = 1 };

/* Tells a memwatch database (or an empty file) from anything else.
 * Returns DB_EMPTY, DB_MEMWATCH with *version set, or -1 (recorded). */
static int recognise(struct store *s, int64_t *version)
{
    int64_t app, tables;
    if (query_int(s, "PRAGMA application_id", &app) < 0 || query_int(s, "PRAGMA user_version", version) < 0 ||
        query_int(s, "SELECT count(*) FROM sqlite_master", &tables) < 0)
        return -1;   /* SQLITE_NOTADB here means a damaged header: check_header saw the magic */
    if (app == 0 && *version == 0 && tables == 0)
        return DB_EMPTY;
    if (app != STORE_APPLICATION_ID)
        return store_failf(s, STORE_ERR_NOTDB, "%s is not a memwatch database (an SQLite database of another program)",
                           s->path);
    if (*version > schema_count)
        return store_failf(s, STORE_ERR_NEWER, "%s was written by a newer memwatch (schema %lld, this one knows %d)",
                           s->path, (long long)*version, schema_count);
    return DB_MEMWATCH;
}

/* Applies the migrations the database lacks, one transaction each. */
static int migrate(struct store *s)
{
    for (;;) {
        if (exec(s, "BEGIN IMMEDIATE", "starting a migration") < 0)
            return -1;
        int64_t v;
        int what = recognise(s, &v);   /* again: another writer may have migrated meanwhile */
        if (what < 0 || v >= schema_count) {
            int keep = s->errkind;
            (void)sqlite3_exec(s->db, what < 0 ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
            s->errkind = keep;
            return what < 0 ? -1 : 0;
        }
        const schema_migration *m = &schema_migrations[v];
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", m->version);
        int rc = sqlite3_exec(s->db, m->sql, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            char what_buf[128];
            snprintf(what_buf, sizeof what_buf, "applying schema migration %s", m->name);
            store_fail(s, rc, what_buf);
            if (!sqlite3_get_autocommit(s->db))
                (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
}

/* Marks 'live' sessions whose collector is gone as cut short at their last sample. */
static int mark_cut(struct store *s)
{
    if (exec(s, "BEGIN IMMEDIATE", "checking live sessions") < 0)
        return -1;
    sqlite3_stmt *q = NULL, *u = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT id, collector_pid, collector_start FROM sessions WHERE status = 'live'",
                                -1, &q, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, "UPDATE sessions SET status = 'cut', end_t = coalesce(last_t, start_t) "
                                       "WHERE id = ?1 AND status = 'live'", -1, &u, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (store_collector_alive(sqlite3_column_int(q, 1), (unsigned long long)sqlite3_column_int64(q, 2))) {
            rc = SQLITE_OK;
            continue;
        }
        sqlite3_bind_int64(u, 1, sqlite3_column_int64(q, 0));
        rc = sqlite3_step(u);
        sqlite3_reset(u);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_finalize(q);
    sqlite3_finalize(u);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        store_fail(s, rc, "marking sessions cut short");
        if (!sqlite3_get_autocommit(s->db))
            (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

/* Appends path to buf as a file: URI that opens it immutable (read-only dir, no WAL). */
static void immutable_uri(const char *path, char *buf, size_t len)
{
    size_t o = (size_t)snprintf(buf, len, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < len; p++) {
        if (*p == '?' || *p == '#' || *p == '%' || *p < 0x20 || *p >= 0x7f)
            o += (size_t)snprintf(buf + o, len - o, "%%%02X", *p);
        else
            buf[o++] = (char)*p;
    }
    buf[o < len ? o : len - 1] = '\0';
    snprintf(buf + strlen(buf), len - strlen(buf), "?immutable=1");
}

/* Writes path with its directory resolved (no symbolic link left above the file
 * itself, so that SQLITE_OPEN_NOFOLLOW refuses only a link at the file). Returns 0 or -1. */
static int resolve_dir(const char *path, char *out, size_t len)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else {
        errno = ENAMETOOLONG;
        return -1;
    }
    char *real = realpath(dir, NULL);
    if (!real)
        return -1;
    int n = snprintf(out, len, "%s/%s", strcmp(real, "/") == 0 ? "" : real, slash ? slash + 1 : path);
    free(real);
    if (n < 0 || (size_t)n >= len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* Opens the SQLite handle itself, never through a symbolic link at the file.
 * Returns 0 or -1 (recorded). */
static int open_handle(struct store *s, int immutable)
{
    int flags = (s->mode == STORE_WRITE ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOFOLLOW;
    char uri[8400], real[4200];
    if (resolve_dir(s->path, real, sizeof real) < 0)
        return store_failf(s, STORE_ERR_OPEN, "cannot open %s: %s", s->path, strerror(errno));
    const char *name = real;
    if (immutable) {
        immutable_uri(real, uri, sizeof uri);
        name = uri;
        flags |= SQLITE_OPEN_URI;
    }
    int rc = sqlite3_open_v2(name, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        store_fail(s, rc, "opening");
        sqlite3_close(s->db);
        s->db = NULL;
        return -1;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    return 0;
}

/* Refuses a database path that is a symbolic link. Returns 0 or -1 (recorded). */
static int refuse_link(struct store *s)
{
    struct stat lsb;
    if (lstat(s->path, &lsb) == 0 && S_ISLNK(lsb.st_mode))
        return store_failf(s, STORE_ERR_OPEN, "refusing to open %s: it is a symbolic link "
                           "(give the path of the database itself)", s->path);
    return 0;
}

/* Creates a missing database file with mode 0600 (a umask can only narrow it;
 * the -wal and -shm files SQLite makes take the same mode). Returns 0 or -1 (recorded). */
static int create_file(struct store *s)
{
    int fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST)
        return refuse_link(s);   /* made since the first look: fine unless it is a link */
    if (fd < 0) {
        char hint[300];
        int saved = errno;
        return store_failf(s, STORE_ERR_OPEN, "cannot create %s: %s%s", s->path, strerror(saved),
                           saved == EACCES || saved == EROFS ? dir_hint(s->path, hint, sizeof hint) : "");
    }
    close(fd);
    return 0;
}

/* Does the work of store_open_kind on a zeroed store. Returns 0 or -1 (recorded). */
static int open_store(struct store *s)
{
    struct stat sb;
    if (refuse_link(s) < 0)
        return -1;
    if (stat(s->path, &sb) < 0) {
        if (errno != ENOENT)
            return store_failf(s, STORE_ERR_OPEN, "cannot open %s: %s", s->path, strerror(errno));
        if (s->mode != STORE_WRITE)
            return store_failf(s, STORE_ERR_NOFILE, "no database at %s (nothing recorded yet)", s->path);
        if (create_file(s) < 0)
            return -1;
    } else if (S_ISDIR(sb.st_mode)) {
        return store_failf(s, STORE_ERR_OPEN, "cannot open %s: it is a directory", s->path);
    } else if (sb.st_size > 0 && check_header(s, sb.st_size) < 0) {
        return -1;
    }
    if (open_handle(s, 0) < 0)
        return -1;
    int64_t version = 0;
    int what = recognise(s, &version);
    if (what < 0 && s->mode == STORE_READ && s->errkind == STORE_ERR_OPEN && !wal_present(s->path)) {
        /* a WAL database in a directory we may not write: no writer can be at
         * work there, so the file can be read as it is */
        sqlite3_close(s->db);
        s->db = NULL;
        if (open_handle(s, 1) < 0)
            return -1;
        what = recognise(s, &version);
    }
    if (what < 0)
        return -1;
    if (s->mode == STORE_READ) {
        if (what == DB_EMPTY) {
            s->empty = 1;
            return 0;
        }
        if (version < schema_count) {
            /* an older schema: bring it up to date once, then read */
            char err[512];
            int kind;
            store *w = store_open_kind(s->path, STORE_WRITE, &kind, err, sizeof err);
            if (!w)
                return store_failf(s, kind, "%s has an older schema (%lld) that could not be upgraded: %s",
                                   s->path, (long long)version, err);
            store_close(w);
        }
        return exec(s, "PRAGMA query_only = 1", "opening");
    }
    /* journal_mode cannot change inside a transaction: set it before migrating */
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0)
            rc = SQLITE_CANTOPEN;
        else if (rc == SQLITE_ROW)
            rc = SQLITE_OK;
        sqlite3_finalize(st);
    }
    if (rc != SQLITE_OK)
        return store_fail(s, rc, "switching to WAL mode");
    if (exec(s, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", "setting up") < 0)
        return -1;
    if (migrate(s) < 0 || mark_cut(s) < 0)
        return -1;
    s->collector_pid = (int)getpid();
    proc_stat me;
    s->collector_start = procinfo_stat(getpid(), &me) == 0 ? me.start : 0;
    return store_prepare_writer(s);
}

store *store_open_kind(const char *path, int mode, int *kind, char *err, size_t errlen)
{
    struct store *s = calloc(1, sizeof *s);
    char *copy = path ? strdup(path) : NULL;
    if (!s || !copy) {
        free(s);
        free(copy);
        if (kind)
            *kind = STORE_ERR_OTHER;
        snprintf(err, errlen, "%s", path ? "out of memory" : "no database path");
        return NULL;
    }
    s->path = copy;
    s->mode = mode == STORE_WRITE ? STORE_WRITE : STORE_READ;
    if (open_store(s) < 0) {
        if (kind)
            *kind = s->errkind;
        snprintf(err, errlen, "%s", s->errmsg);
        store_close(s);
        return NULL;
    }
    if (kind)
        *kind = STORE_OK;
    return s;
}

store *store_open(const char *path, int mode, char *err, size_t errlen)
{
    return store_open_kind(path, mode, NULL, err, errlen);
}

void store_close(store *s)
{
    if (!s)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    if (s->db && s->batch_depth > 0 && !sqlite3_get_autocommit(s->db))
        (void)sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);   /* keep what was written */
    sqlite3_close(s->db);
    store_sink_release(s);
    free(s->path);
    free(s);
}
