/* storetest: temporary databases and fixtures shared by the store's unit tests. */
#ifndef MW_STORETEST_H
#define MW_STORETEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "store.h"

/* Creates the temporary directory the tests work in. Returns 0 or -1. */
int storetest_setup(void);

/* Removes it and everything in it. */
void storetest_cleanup(void);

/* The temporary directory. */
const char *storetest_dir(void);

/* name inside the temporary directory (one of 8 rotating buffers). */
const char *storetest_path(const char *name);

/* One integer query on a raw read-only connection to path; -1 for NULL, -999 on error. */
long long storetest_int(const char *path, const char *sql);

/* Runs sql on a raw connection to path; returns SQLite's result code. */
int storetest_exec(const char *path, const char *sql);

/* 1 if PRAGMA integrity_check on path says "ok". */
int storetest_integrity_ok(const char *path);

/* Writes len bytes of data to path (created or truncated). */
void storetest_write(const char *path, const void *data, size_t len);

/* A session description for pid under parent, started at start. */
mw_session_info storetest_info(pid_t pid, int64_t parent, double start);

/* A timeline row at t with RSS rss (USS, PSS and peak derived from it). */
mw_sample storetest_sample(double t, int64_t rss);

/* Announces the stacks main(app.py:10) > load(app.py:20) > parse(lib.py:5)
 * and main(app.py:11) as collector ids 1..4. Returns 0 or -1. */
int storetest_announce(const mw_sink *k);

/* Writes one charge of stack to session at t. Returns the sink's result. */
int storetest_charge(const mw_sink *k, int64_t session, double t, uint32_t stack, int64_t growth,
                     int64_t shrink, uint32_t hits, int64_t peak);

#endif
