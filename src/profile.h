/* profile: what `run` and `attach` share — open the store, record, summarise. */
#ifndef MW_PROFILE_H
#define MW_PROFILE_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "sampler.h"
#include "store.h"

typedef struct profile_store {
    store *st;
    char path[4096];
} profile_store;

/* Opens the database for recording (location from db_opt or the default rule).
 * Returns 0, or an exit status with a one-line reason in err. */
int profile_open_store(profile_store *ps, const char *db_opt, char *err, size_t errlen);

/* Records pid (launched: 1 if we forked it) until it ends or *stop is set,
 * then prints the summary on stderr unless quiet. Returns an exit status. */
int profile_record(profile_store *ps, const sampler_opts *so, pid_t pid, int launched,
                   volatile sig_atomic_t *stop, sampler_result *res, int quiet, const char *cmdline);

/* Closes the database. */
void profile_close_store(profile_store *ps);

#endif
