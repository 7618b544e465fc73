/* sessopen: what the reading subcommands (export, plot, diff) share — open the
 * database, find a session and its descendants, report a failure in one line. */
#ifndef MW_SESSOPEN_H
#define MW_SESSOPEN_H

#include <stddef.h>
#include <stdint.h>

#include "commands.h"
#include "store.h"

/* Opens the database for reading: db (the subcommand's --db), else g->db,
 * else the default location; path gets where it is. On failure prints one
 * line and returns the exit status (exitcodes.h); else MW_EXIT_OK with *st set. */
int sessopen_db(const char *db, const mw_globals *g, store **st, char *path, size_t pathlen);

/* Reads session id (0: the latest top-level one) into *ss. On failure prints
 * one line and returns the exit status; else MW_EXIT_OK (clear ss after). */
int sessopen_session(store *st, const char *path, int64_t id, store_session *ss);

/* Fills out with a copy of root and, when children is set, its descendants in
 * tree order (each child right after its parent). Returns 0 or -1. */
int sessopen_subtree(store *st, const store_session *root, int children, store_sessions *out);

/* Prints the store's last failure (or "out of memory") as one line; returns the exit status. */
int sessopen_fail(store *st);

#endif
