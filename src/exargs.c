/* exargs: option parsing for `memwatch export`, `plot` and `diff`. */
#include "exargs.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "qargs.h"
#include "store.h"

static const char *const format_names[] = {
    [EXPORT_MPROF] = "mprof", [EXPORT_SPEEDSCOPE] = "speedscope", [EXPORT_COLLAPSED] = "collapsed",
    [EXPORT_CHROME] = "chrome", [EXPORT_CSV] = "csv", [EXPORT_JSON] = "json",
};

int exargs_format(const char *s)
{
    for (int f = EXPORT_MPROF; f <= EXPORT_JSON; f++)
        if (s && !strcmp(s, format_names[f]))
            return f;
    return EXPORT_NONE;
}

const char *exargs_format_name(int format)
{
    return format >= EXPORT_MPROF && format <= EXPORT_JSON ? format_names[format] : "?";
}

/* Parses a whole number in [min, max]. Returns 0 or -1. */
static int parse_int(const char *s, long long min, long long max, long long *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Parses "timeline", "lines", "functions" or a comma list of them into a set. Returns 0 or -1. */
static int parse_what(const char *s, int *what)
{
    static const struct { const char *name; int bit; } names[] = {
        { "timeline", EXPORT_TIMELINE }, { "lines", EXPORT_LINES }, { "functions", EXPORT_FUNCTIONS },
    };
    int set = 0;
    const char *p = s;
    while (p && *p) {
        size_t n = strcspn(p, ",");
        int bit = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == n && !strncmp(p, names[i].name, n))
                bit = names[i].bit;
        if (!bit)
            return -1;
        set |= bit;
        p += n;
        if (*p == ',' && *++p == '\0')
            return -1;
    }
    if (!set)
        return -1;
    *what = set;
    return 0;
}

/* Parses --from/--to into *v; on failure writes the message. Returns 0 or -1. */
static int parse_range(const char *cmd, int from, const char *arg, double *v, char *err, size_t errlen)
{
    if (qargs_parse_offset(arg, v) == 0)
        return 0;
    snprintf(err, errlen, "%s: %s: '%s' is not a number of seconds from the start (e.g. 0, 12.5, 2m)", cmd,
             from ? "--from" : "--to", arg);
    return -1;
}

/* Parses the optional SESSION operand left at argv[optind]. Returns 0 or -1. */
static int parse_session(const char *cmd, int argc, char **argv, int64_t *session, char *err, size_t errlen)
{
    long long n;
    if (optind < argc) {
        if (parse_int(argv[optind], 1, INT64_MAX, &n) < 0) {
            snprintf(err, errlen, "%s: '%s' is not a session id (see memwatch list)", cmd, argv[optind]);
            return -1;
        }
        *session = n;
        optind++;
    }
    if (optind < argc) {
        snprintf(err, errlen, "%s: unexpected argument '%s'", cmd, argv[optind]);
        return -1;
    }
    return 0;
}

/* The message for getopt's ':' and '?' answers. */
static void bad_option(const char *cmd, int c, char **argv, char *err, size_t errlen)
{
    if (c == ':')
        snprintf(err, errlen, "%s: %s needs a value", cmd, argv[optind - 1]);
    else
        snprintf(err, errlen, "%s: unknown option '%s'", cmd, argv[optind - 1]);
}

enum { O_DB = 256, O_FORMAT, O_FROM, O_TO, O_CHILDREN, O_WHAT, O_WIDTH, O_HEIGHT, O_TOP, O_JSON, O_FUNCS, O_LINES };

int exargs_parse_export(int argc, char **argv, exargs_export *o, char *err, size_t errlen)
{
    static const struct option longs[] = {
        { "format", required_argument, NULL, O_FORMAT },
        { "output", required_argument, NULL, 'o' },
        { "from", required_argument, NULL, O_FROM },
        { "to", required_argument, NULL, O_TO },
        { "children", no_argument, NULL, O_CHILDREN },
        { "what", required_argument, NULL, O_WHAT },
        { "db", required_argument, NULL, O_DB },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->to = STORE_OPEN_END;
    err[0] = '\0';
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":hf:o:", longs, NULL)) != -1) {
        switch (c) {
        case 'f':
        case O_FORMAT:
            if (!(o->format = exargs_format(optarg))) {
                snprintf(err, errlen,
                         "export: --format: '%s' is not one of mprof, speedscope, collapsed, chrome, csv, json", optarg);
                return -1;
            }
            break;
        case 'o': o->out = optarg; break;
        case O_FROM:
        case O_TO:
            if (parse_range("export", c == O_FROM, optarg, c == O_FROM ? &o->from : &o->to, err, errlen) < 0)
                return -1;
            break;
        case O_CHILDREN: o->children = 1; break;
        case O_WHAT:
            if (parse_what(optarg, &o->what) < 0) {
                snprintf(err, errlen, "export: --what: '%s' is not timeline, lines or functions", optarg);
                return -1;
            }
            break;
        case O_DB: o->db = optarg; break;
        case 'h': o->help = 1; return 0;
        default:
            bad_option("export", c, argv, err, errlen);
            return -1;
        }
    }
    if (parse_session("export", argc, argv, &o->session, err, errlen) < 0)
        return -1;
    if (!o->format) {
        snprintf(err, errlen, "export: choose a format: --format mprof|speedscope|collapsed|chrome|csv|json");
        return -1;
    }
    if (o->what && o->format != EXPORT_CSV && o->format != EXPORT_JSON) {
        snprintf(err, errlen, "export: --what applies to csv and json only");
        return -1;
    }
    if (o->format == EXPORT_CSV) {
        if (!o->what)
            o->what = EXPORT_TIMELINE;
        if (o->what & (o->what - 1)) {
            snprintf(err, errlen, "export: csv holds one table: --what timeline, lines or functions");
            return -1;
        }
    }
    if (o->format == EXPORT_JSON && !o->what)
        o->what = EXPORT_TIMELINE | EXPORT_LINES | EXPORT_FUNCTIONS;
    if (o->out && !*o->out) {
        snprintf(err, errlen, "export: -o needs a file name");
        return -1;
    }
    if (o->from > o->to) {
        snprintf(err, errlen, "export: --from is after --to");
        return -1;
    }
    return 0;
}

/* The plot type a file name asks for by its extension, or 0. */
static int plot_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/'))
        return 0;
    if (!strcasecmp(dot, ".png"))
        return PLOT_PNG;
    if (!strcasecmp(dot, ".svg"))
        return PLOT_SVG;
    return 0;
}

int exargs_parse_plot(int argc, char **argv, exargs_plot *o, char *err, size_t errlen)
{
    static const struct option longs[] = {
        { "output", required_argument, NULL, 'o' },
        { "width", required_argument, NULL, O_WIDTH },
        { "height", required_argument, NULL, O_HEIGHT },
        { "from", required_argument, NULL, O_FROM },
        { "to", required_argument, NULL, O_TO },
        { "children", no_argument, NULL, O_CHILDREN },
        { "top", required_argument, NULL, O_TOP },
        { "db", required_argument, NULL, O_DB },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->to = STORE_OPEN_END;
    o->width = 1200;
    o->height = 600;
    o->top = 5;
    err[0] = '\0';
    optind = 0;
    opterr = 0;
    int c;
    long long n;
    while ((c = getopt_long(argc, argv, ":ho:", longs, NULL)) != -1) {
        switch (c) {
        case 'o': o->out = optarg; break;
        case O_WIDTH:
        case O_HEIGHT:
            if (parse_int(optarg, PLOT_MIN_SIZE, PLOT_MAX_SIZE, &n) < 0) {
                snprintf(err, errlen, "plot: %s: '%s' is not a size from %d to %d", c == O_WIDTH ? "--width" : "--height",
                         optarg, PLOT_MIN_SIZE, PLOT_MAX_SIZE);
                return -1;
            }
            *(c == O_WIDTH ? &o->width : &o->height) = (int)n;
            break;
        case O_FROM:
        case O_TO:
            if (parse_range("plot", c == O_FROM, optarg, c == O_FROM ? &o->from : &o->to, err, errlen) < 0)
                return -1;
            break;
        case O_CHILDREN: o->children = 1; break;
        case O_TOP:
            if (parse_int(optarg, 0, 20, &n) < 0) {
                snprintf(err, errlen, "plot: --top: '%s' is not a number from 0 to 20", optarg);
                return -1;
            }
            o->top = (int)n;
            break;
        case O_DB: o->db = optarg; break;
        case 'h': o->help = 1; return 0;
        default:
            bad_option("plot", c, argv, err, errlen);
            return -1;
        }
    }
    if (parse_session("plot", argc, argv, &o->session, err, errlen) < 0)
        return -1;
    if (!o->out || !*o->out) {
        snprintf(err, errlen, "plot: name the image to write: -o FILE.png or -o FILE.svg");
        return -1;
    }
    if (!(o->type = plot_type(o->out))) {
        snprintf(err, errlen, "plot: '%s': the file name must end in .png or .svg", o->out);
        return -1;
    }
    if (o->from > o->to) {
        snprintf(err, errlen, "plot: --from is after --to");
        return -1;
    }
    return 0;
}

int exargs_parse_diff(int argc, char **argv, exargs_diff *o, char *err, size_t errlen)
{
    static const struct option longs[] = {
        { "functions", no_argument, NULL, O_FUNCS },
        { "lines", no_argument, NULL, O_LINES },
        { "json", no_argument, NULL, O_JSON },
        { "top", required_argument, NULL, O_TOP },
        { "db", required_argument, NULL, O_DB },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    err[0] = '\0';
    optind = 0;
    opterr = 0;
    int c, kinds = 0;
    long long n;
    while ((c = getopt_long(argc, argv, ":hn:", longs, NULL)) != -1) {
        switch (c) {
        case O_FUNCS: o->functions = 1; kinds |= 2; break;
        case O_LINES: o->functions = 0; kinds |= 1; break;
        case O_JSON: o->json = 1; break;
        case 'n':
        case O_TOP:
            if (parse_int(optarg, 1, 1000000000, &n) < 0) {
                snprintf(err, errlen, "diff: --top: '%s' is not a positive number", optarg);
                return -1;
            }
            o->top = (int)n;
            break;
        case O_DB: o->db = optarg; break;
        case 'h': o->help = 1; return 0;
        default:
            bad_option("diff", c, argv, err, errlen);
            return -1;
        }
    }
    if (kinds == 3) {
        snprintf(err, errlen, "diff: choose one of --lines, --functions");
        return -1;
    }
    int64_t *ids[2] = { &o->a, &o->b };
    for (int i = 0; i < 2; i++) {
        if (optind >= argc) {
            snprintf(err, errlen, "diff: name two sessions: memwatch diff SESSION_A SESSION_B (see memwatch list)");
            return -1;
        }
        if (parse_int(argv[optind], 1, INT64_MAX, &n) < 0) {
            snprintf(err, errlen, "diff: '%s' is not a session id (see memwatch list)", argv[optind]);
            return -1;
        }
        *ids[i] = n;
        optind++;
    }
    if (optind < argc) {
        snprintf(err, errlen, "diff: unexpected argument '%s'", argv[optind]);
        return -1;
    }
    return 0;
}
