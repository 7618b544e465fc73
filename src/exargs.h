/* exargs: option parsing for `memwatch export`, `plot` and `diff` (pure). */
#ifndef MW_EXARGS_H
#define MW_EXARGS_H

#include <stddef.h>
#include <stdint.h>

enum export_format {
    EXPORT_NONE = 0, EXPORT_MPROF, EXPORT_SPEEDSCOPE, EXPORT_COLLAPSED, EXPORT_CHROME, EXPORT_CSV, EXPORT_JSON
};

/* What csv and json exports hold (a set). */
enum export_what { EXPORT_TIMELINE = 1, EXPORT_LINES = 2, EXPORT_FUNCTIONS = 4 };

typedef struct exargs_export {
    int64_t session;           /* 0: the latest */
    int format;                /* enum export_format */
    int what;                  /* set of enum export_what (csv: exactly one) */
    const char *out;           /* -o FILE, NULL: stdout */
    double from, to;           /* seconds from the start; to: STORE_OPEN_END */
    int children;              /* include child sessions */
    int help;
    const char *db;
} exargs_export;

enum plot_type { PLOT_PNG = 1, PLOT_SVG };

#define PLOT_MIN_SIZE 200
#define PLOT_MAX_SIZE 8000

typedef struct exargs_plot {
    int64_t session;           /* 0: the latest */
    const char *out;           /* -o FILE.png|FILE.svg (required) */
    int type;                  /* enum plot_type, from the file name */
    int width, height;         /* pixels (PNG) or points (SVG) */
    double from, to;
    int children;              /* add the children's memory to the session's */
    int top;                   /* growth lines marked (0: none) */
    int help;
    const char *db;
} exargs_plot;

typedef struct exargs_diff {
    int64_t a, b;              /* the two sessions */
    int functions;             /* per function instead of per line */
    int json;
    int top;                   /* 0: all rows */
    int help;
    const char *db;
} exargs_diff;

/* The format named s ("mprof", "speedscope", ...), or EXPORT_NONE. */
int exargs_format(const char *s);

/* The name of an enum export_format. */
const char *exargs_format_name(int format);

/* Parses `export [SESSION] --format F [-o FILE] [--from S] [--to S] [--children]
 * [--what W[,W...]] [--db FILE]`. Returns 0, or -1 with a message in err. */
int exargs_parse_export(int argc, char **argv, exargs_export *o, char *err, size_t errlen);

/* Parses `plot [SESSION] -o FILE.svg|FILE.png [--width W] [--height H]
 * [--from S] [--to S] [--children] [--top N] [--db FILE]`. Returns 0, or -1 with a message in err. */
int exargs_parse_plot(int argc, char **argv, exargs_plot *o, char *err, size_t errlen);

/* Parses `diff SESSION_A SESSION_B [--functions] [--json] [--top N] [--db FILE]`.
 * Returns 0, or -1 with a message in err. */
int exargs_parse_diff(int argc, char **argv, exargs_diff *o, char *err, size_t errlen);

#endif
