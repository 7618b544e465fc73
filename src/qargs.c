/* qargs: option parsing for `memwatch list` and `memwatch report`. */
#include "qargs.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "store.h"
#include "units.h"

int qargs_parse_offset(const char *s, double *seconds)
{
    if (!s || !*s)
        return -1;
    if (s[0] >= '0' && s[0] <= '9') {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (!*end && !errno && isfinite(v) && v >= 0 && v <= 1e9 && !strpbrk(s, "xXpP")) {
            *seconds = v;
            return 0;
        }
    }
    return units_parse_duration(s, seconds);
}

/* Parses a positive integer up to max. Returns 0 or -1. */
static int parse_count(const char *s, long long max, long long *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

enum { O_DB = 256, O_JSON, O_LINES, O_FUNCS, O_TIMELINE, O_FROM, O_TO, O_TOP };

int qargs_parse_list(int argc, char **argv, qargs_list *o, char *err, size_t errlen)
{
    static const struct option longs[] = {
        { "json", no_argument, NULL, O_JSON },
        { "db", required_argument, NULL, O_DB },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    err[0] = '\0';
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case O_JSON: o->json = 1; break;
        case O_DB: o->db = optarg; break;
        case 'h': o->help = 1; return 0;
        case ':':
            snprintf(err, errlen, "list: %s needs a value", argv[optind - 1]);
            return -1;
        default:
            snprintf(err, errlen, "list: unknown option '%s'", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        snprintf(err, errlen, "list: unexpected argument '%s'", argv[optind]);
        return -1;
    }
    return 0;
}

int qargs_parse_report(int argc, char **argv, qargs_report *o, char *err, size_t errlen)
{
    static const struct option longs[] = {
        { "lines", no_argument, NULL, O_LINES },
        { "functions", no_argument, NULL, O_FUNCS },
        { "timeline", no_argument, NULL, O_TIMELINE },
        { "from", required_argument, NULL, O_FROM },
        { "to", required_argument, NULL, O_TO },
        { "top", required_argument, NULL, O_TOP },
        { "json", no_argument, NULL, O_JSON },
        { "db", required_argument, NULL, O_DB },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->kind = REPORT_LINES;
    o->to = STORE_OPEN_END;
    err[0] = '\0';
    optind = 0;
    opterr = 0;
    int c, kinds = 0;
    long long n;
    while ((c = getopt_long(argc, argv, ":hn:", longs, NULL)) != -1) {
        switch (c) {
        case O_LINES: o->kind = REPORT_LINES; kinds |= 1; break;
        case O_FUNCS: o->kind = REPORT_FUNCTIONS; kinds |= 2; break;
        case O_TIMELINE: o->kind = REPORT_TIMELINE; kinds |= 4; break;
        case O_FROM:
        case O_TO:
            if (qargs_parse_offset(optarg, c == O_FROM ? &o->from : &o->to) < 0) {
                snprintf(err, errlen, "report: %s: '%s' is not a number of seconds from the start (e.g. 0, 12.5, 2m)",
                         c == O_FROM ? "--from" : "--to", optarg);
                return -1;
            }
            break;
        case O_TOP: case 'n':
            if (parse_count(optarg, INT_MAX, &n) < 0) {
                snprintf(err, errlen, "report: --top: '%s' is not a positive number", optarg);
                return -1;
            }
            o->top = (int)n;
            break;
        case O_JSON: o->json = 1; break;
        case O_DB: o->db = optarg; break;
        case 'h': o->help = 1; return 0;
        case ':':
            snprintf(err, errlen, "report: %s needs a value", argv[optind - 1]);
            return -1;
        default:
            snprintf(err, errlen, "report: unknown option '%s'", argv[optind - 1]);
            return -1;
        }
    }
    if (kinds & (kinds - 1)) {
        snprintf(err, errlen, "report: choose one of --lines, --functions, --timeline");
        return -1;
    }
    if (optind < argc) {
        if (parse_count(argv[optind], INT64_MAX, &n) < 0) {
            snprintf(err, errlen, "report: '%s' is not a session id (see memwatch list)", argv[optind]);
            return -1;
        }
        o->session = n;
        optind++;
    }
    if (optind < argc) {
        snprintf(err, errlen, "report: unexpected argument '%s'", argv[optind]);
        return -1;
    }
    if (o->from > o->to) {
        snprintf(err, errlen, "report: --from is after --to");
        return -1;
    }
    return 0;
}
