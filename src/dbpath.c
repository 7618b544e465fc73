/* dbpath: where the database lives. */
#include "dbpath.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int set(const char *s)
{
    return s && *s;
}

int dbpath_choose(const char *opt, const char *env_db, const char *xdg_state, const char *home,
                  char *out, size_t len, char *err, size_t errlen)
{
    int n;
    if (set(opt))
        n = snprintf(out, len, "%s", opt);
    else if (set(env_db))
        n = snprintf(out, len, "%s", env_db);
    else if (set(xdg_state) && xdg_state[0] == '/')   /* the XDG spec ignores relative paths */
        n = snprintf(out, len, "%s/memwatch/memwatch.db", xdg_state);
    else if (set(home))
        n = snprintf(out, len, "%s/.local/state/memwatch/memwatch.db", home);
    else {
        snprintf(err, errlen, "no place for the database: HOME is not set (use --db FILE or MEMWATCH_DB)");
        return -1;
    }
    if (n < 0 || (size_t)n >= len) {
        snprintf(err, errlen, "database path is too long");
        return -1;
    }
    return 0;
}

int dbpath_locate(const char *opt, char *out, size_t len, char *err, size_t errlen)
{
    const char *home = getenv("HOME");
    if (!set(home)) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    return dbpath_choose(opt, getenv("MEMWATCH_DB"), getenv("XDG_STATE_HOME"), home, out, len, err, errlen);
}

/* Directories and links on the way to the database may be trusted when they
 * belong to the user running memwatch or to root. */
static int trusted(uid_t owner)
{
    return owner == geteuid() || owner == 0;
}

/* Refuses a symbolic link owned by another user (one could point it anywhere).
 * Returns 0, or -1 with the reason in err. */
static int check_link(const char *dir, char *err, size_t errlen)
{
    struct stat lsb;
    if (lstat(dir, &lsb) == 0 && S_ISLNK(lsb.st_mode) && !trusted(lsb.st_uid)) {
        snprintf(err, errlen, "refusing to use %s for the database: it is a symbolic link owned by "
                 "another user (uid %u)", dir, (unsigned)lsb.st_uid);
        return -1;
    }
    return 0;
}

/* Refuses a database directory that belongs to another user (who could swap the
 * files in it). Returns 0, or -1 with the reason in err. */
static int check_owner(const char *dir, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(dir, &sb) == 0 && !trusted(sb.st_uid)) {
        snprintf(err, errlen, "refusing to keep the database in %s: the directory belongs to another "
                 "user (uid %u)", dir, (unsigned)sb.st_uid);
        return -1;
    }
    return 0;
}

int dbpath_make_dirs(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
        snprintf(err, errlen, "database path is too long");
        return -1;
    }
    char *slash = strrchr(dir, '/');
    if (!slash)
        return check_owner(".", err, errlen);
    if (slash == dir)
        return 0;   /* directly under / */
    *slash = '\0';
    /* create each missing component from the top down */
    for (char *p = dir + 1;; p++) {
        int last = *p == '\0';
        if (*p != '/' && !last)
            continue;
        char saved = *p;
        *p = '\0';
        struct stat sb;
        if (check_link(dir, err, errlen) < 0)
            return -1;
        if (stat(dir, &sb) < 0) {
            if (errno != ENOENT || (mkdir(dir, 0700) < 0 && errno != EEXIST)) {
                snprintf(err, errlen, "cannot create directory %s for the database: %s", dir, strerror(errno));
                return -1;
            }
        } else if (!S_ISDIR(sb.st_mode)) {
            snprintf(err, errlen, "cannot create the database in %s: not a directory", dir);
            return -1;
        }
        *p = saved;
        if (last)
            break;
    }
    return check_owner(dir, err, errlen);
}

int dbpath_resolve(const char *opt, char *out, size_t len, char *err, size_t errlen)
{
    if (dbpath_locate(opt, out, len, err, errlen) < 0)
        return -1;
    return dbpath_make_dirs(out, err, errlen);
}
