/* cli: option parsing for the profiling subcommands. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sampler.h"
#include "units.h"

int cli_parse_pid(const char *s, pid_t *pid)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno || v < 1 || v > INT_MAX)
        return -1;
    *pid = (pid_t)v;
    return 0;
}

enum { O_INTERVAL = 256, O_RATE, O_DURATION, O_NOCHILD, O_DB, O_PID, O_CHILD, O_SAMPLING, O_FPERIOD };

int cli_parse_profile(int argc, char **argv, int mode, cli_profile *o, char *err, size_t errlen)
{
    static const struct option longs[] = {
        { "interval", required_argument, NULL, O_INTERVAL },
        { "rate", required_argument, NULL, O_RATE },
        { "duration", required_argument, NULL, O_DURATION },
        { "no-children", no_argument, NULL, O_NOCHILD },
        { "children", no_argument, NULL, O_CHILD },
        { "db", required_argument, NULL, O_DB },
        { "pid", required_argument, NULL, O_PID },
        { "sampling", required_argument, NULL, O_SAMPLING },
        { "fault-period", required_argument, NULL, O_FPERIOD },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->interval = CLI_DEFAULT_INTERVAL;
    o->rate = CLI_DEFAULT_RATE;
    o->children = 1;
    o->sampling = SAMPLING_BOTH;
    o->fault_period = CLI_DEFAULT_FAULT_PERIOD;
    err[0] = '\0';
    optind = 0;      /* GNU: re-initialise, so the parser can run more than once */
    opterr = 0;
    int c;
    /* run stops at the command (its options are its own); attach takes options anywhere */
    const char *shorts = mode == CLI_RUN ? "+:qhp:i:r:d:" : ":qhp:i:r:d:";
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        switch (c) {
        case O_INTERVAL: case 'i':
            if (units_parse_duration(optarg, &o->interval) < 0) {
                snprintf(err, errlen, "--interval: '%s' is not a duration (e.g. 200ms, 0.2s, 1)", optarg);
                return -1;
            }
            if (o->interval < 0.001) {
                snprintf(err, errlen, "--interval: '%s' is shorter than 1ms", optarg);
                return -1;
            }
            break;
        case O_RATE: case 'r':
            if (units_parse_rate(optarg, &o->rate) < 0 || o->rate > 100000) {
                snprintf(err, errlen, "--rate: '%s' is not a rate in Hz between 0 and 100000 (e.g. 1000, 1k)", optarg);
                return -1;
            }
            break;
        case O_DURATION: case 'd':
            if (units_parse_duration(optarg, &o->duration) < 0) {
                snprintf(err, errlen, "--duration: '%s' is not a duration (e.g. 30s, 5m, 2h)", optarg);
                return -1;
            }
            break;
        case O_SAMPLING:
            if (!strcmp(optarg, "timer"))
                o->sampling = SAMPLING_TIMER;
            else if (!strcmp(optarg, "faults"))
                o->sampling = SAMPLING_FAULTS;
            else if (!strcmp(optarg, "both"))
                o->sampling = SAMPLING_BOTH;
            else {
                snprintf(err, errlen, "--sampling: '%s' is not one of timer, faults, both", optarg);
                return -1;
            }
            break;
        case O_FPERIOD:
            if (units_parse_bytes(optarg, &o->fault_period) < 0 || o->fault_period < 4096 ||
                o->fault_period > (1LL << 34)) {
                snprintf(err, errlen, "--fault-period: '%s' is not a size between 4k and 16G (e.g. 64k, 1M)", optarg);
                return -1;
            }
            break;
        case O_NOCHILD: o->children = 0; break;
        case O_CHILD: o->children = 1; break;
        case O_DB: o->db = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'h': o->help = 1; return 0;
        case O_PID: case 'p':
            if (mode != CLI_ATTACH) {
                snprintf(err, errlen, "--pid is for attaching; 'run' starts its own command");
                return -1;
            }
            if (cli_parse_pid(optarg, &o->pid) < 0) {
                snprintf(err, errlen, "--pid: '%s' is not a process id", optarg);
                return -1;
            }
            break;
        case ':':
            snprintf(err, errlen, "%s needs a value", argv[optind - 1]);
            return -1;
        default:
            snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
            return -1;
        }
    }
    if (mode == CLI_RUN) {
        if (optind >= argc) {
            snprintf(err, errlen, "run: no command given (memwatch run [OPTIONS] -- CMD ARGS...)");
            return -1;
        }
        o->cmd_index = optind;
        return 0;
    }
    if (optind < argc) {
        pid_t p;
        if (o->pid || optind + 1 < argc || cli_parse_pid(argv[optind], &p) < 0) {
            snprintf(err, errlen, "attach: unexpected argument '%s'", argv[optind]);
            return -1;
        }
        o->pid = p;
    }
    if (!o->pid) {
        snprintf(err, errlen, "attach: no process id given (memwatch --pid PID)");
        return -1;
    }
    return 0;
}
