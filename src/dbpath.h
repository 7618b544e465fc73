/* dbpath: where the database lives (--db, $MEMWATCH_DB, XDG state dir, ~/.local/state). */
#ifndef MW_DBPATH_H
#define MW_DBPATH_H

#include <stddef.h>

/* The location rule, pure: opt if set, else env_db, else xdg_state/memwatch/memwatch.db
 * (absolute xdg_state only), else home/.local/state/memwatch/memwatch.db. Empty
 * strings count as unset. Returns 0, or -1 with a one-line reason in err. */
int dbpath_choose(const char *opt, const char *env_db, const char *xdg_state, const char *home,
                  char *out, size_t len, char *err, size_t errlen);

/* The path for reading: the rule applied to this process's environment. Returns 0 or -1. */
int dbpath_locate(const char *opt, char *out, size_t len, char *err, size_t errlen);

/* The path for writing: as dbpath_locate, then dbpath_make_dirs.
 * Returns 0, or -1 with a one-line reason in err. */
int dbpath_resolve(const char *opt, char *out, size_t len, char *err, size_t errlen);

/* Creates the missing directories above path (mode 0700), refusing a symbolic
 * link on the way that belongs to neither this user nor root, and a database
 * directory that belongs to another user. Returns 0 or -1 (reason in err). */
int dbpath_make_dirs(const char *path, char *err, size_t errlen);

#endif
