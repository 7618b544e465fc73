/* daemon_opts: the options of `memwatch daemon`, from its config file and command line (pure). */
#ifndef MW_DAEMON_OPTS_H
#define MW_DAEMON_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DAEMON_DEFAULT_CONFIG "/etc/memwatch/daemon.conf"
#define DAEMON_DEFAULT_SCAN 2.0             /* s between two looks for new processes */
#define DAEMON_DEFAULT_INTERVAL 1.0         /* s */
#define DAEMON_DEFAULT_RATE 20.0            /* Hz */
#define DAEMON_DEFAULT_KEEP_DETAIL 86400.0  /* s: full resolution for a day */
#define DAEMON_DEFAULT_KEEP_SUMMARY (30 * 86400.0)   /* s: per-minute rows for a month */
#define DAEMON_DEFAULT_LEAK_WINDOW 600.0    /* s */
#define DAEMON_DEFAULT_LEAK_THRESHOLD (1024.0 * 1024.0)   /* bytes per minute */
#define DAEMON_METRICS_PORT "9464"

typedef struct strlist {
    char **items;
    size_t n;
} strlist;

typedef struct daemon_opts {
    strlist match, exclude, users, pids;   /* as given; users and pids resolved by the caller */
    char *config;              /* --config (command line only) */
    int foreground;            /* -1: not said (the default depends on systemd) */
    int children;              /* follow descendants of watched processes */
    int quiet;
    int help;
    double scan_period, interval, rate, keep_detail, keep_summary, leak_window;
    double leak_threshold;     /* bytes per minute */
    int sampling;              /* enum sampler_trigger */
    int64_t fault_period;
    char *on_leak;             /* shell command, NULL for none */
    char *metrics;             /* ADDR:PORT, NULL for none */
    char *db;
    double clock_speed;        /* hidden, for tests: recorded time runs faster */
    unsigned cli_lists;        /* lists the command line gave (they replace the config file's) */
} daemon_opts;

/* Sets every option to its default. */
void daemon_opts_init(daemon_opts *o);

/* Sets one option by its long name (without "--"; '_' may stand for '-');
 * value is NULL for a flag given without one. from_cli: a list option given
 * on the command line replaces what the config file listed. Returns 0, or -1
 * with a one-line reason in err. */
int daemon_opts_set(daemon_opts *o, const char *key, const char *value, int from_cli, char *err, size_t errlen);

/* Reads `key = value` lines (# comments, blank lines; a value may be quoted
 * with "" or ''; repeated keys add to lists) and applies each with
 * daemon_opts_set. Returns 0, or -1 with "LINE: reason" in err. */
int daemon_conf_parse(daemon_opts *o, const char *text, char *err, size_t errlen);

/* Finds --config FILE / --config=FILE in argv (argv[0] is the subcommand);
 * returns it or NULL. */
const char *daemon_opts_config_arg(int argc, char **argv);

/* Applies the command line (argv[0] is the subcommand; --opt VALUE or
 * --opt=VALUE). Returns 0, or -1 with a one-line reason in err. */
int daemon_opts_parse_argv(daemon_opts *o, int argc, char **argv, char *err, size_t errlen);

/* Checks the options hang together (something to watch, sane periods). Returns 0 or -1 (err). */
int daemon_opts_check(const daemon_opts *o, char *err, size_t errlen);

/* Parses a growth rate: "1M/min", "64k/s", "100MiB/h", or a size alone (per
 * minute). Returns 0 with *bytes_per_min set, or -1. */
int daemon_parse_growth(const char *s, double *bytes_per_min);

/* Splits "ADDR:PORT", "[V6ADDR]:PORT", ":PORT" or "PORT" (address defaults to
 * 127.0.0.1). Returns 0, or -1 if it is not like that. */
int daemon_parse_listen(const char *s, char *host, size_t hostlen, char *port, size_t portlen);

/* Frees the strings the options hold. */
void daemon_opts_free(daemon_opts *o);

#endif
