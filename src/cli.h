/* cli: option parsing for the profiling subcommands (pure: no I/O beyond the given buffers). */
#ifndef MW_CLI_H
#define MW_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CLI_DEFAULT_INTERVAL 0.2     /* s, as memory_profiler */
#define CLI_DEFAULT_RATE 1000.0      /* stack ticks per second (see bench/overhead.py) */
#define CLI_DEFAULT_FAULT_PERIOD (1024 * 1024)   /* bytes between page-fault samples (see bench/accuracy.py) */

enum cli_mode { CLI_RUN = 1, CLI_ATTACH = 2 };

typedef struct cli_profile {
    double interval, rate, duration;
    int sampling;              /* enum sampler_trigger */
    int64_t fault_period;      /* bytes */
    int children;
    int quiet;
    int help;
    const char *db;
    pid_t pid;                 /* attach */
    int cmd_index;             /* run: index in argv of the command to start */
} cli_profile;

/* Parses `run [OPTS] [--] CMD...` or `attach [OPTS] PID` (argv[0] is the
 * subcommand). Returns 0, or -1 with a one-line message in err. */
int cli_parse_profile(int argc, char **argv, int mode, cli_profile *o, char *err, size_t errlen);

/* Parses a process id (1..INT_MAX). Returns 0 or -1. */
int cli_parse_pid(const char *s, pid_t *pid);

#endif
