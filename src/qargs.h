/* qargs: option parsing for `memwatch list` and `memwatch report` (pure). */
#ifndef MW_QARGS_H
#define MW_QARGS_H

#include <stddef.h>
#include <stdint.h>

typedef struct qargs_list {
    int json, help;
    const char *db;
} qargs_list;

typedef struct qargs_report {
    int64_t session;           /* 0: the latest */
    int kind;                  /* enum report_kind */
    double from, to;           /* seconds from start; to: STORE_OPEN_END */
    int top;                   /* 0: all */
    int json, help;
    const char *db;
} qargs_report;

/* Parses a time offset in seconds from the start: "0", "12.5", "2m", "500ms".
 * Returns 0 or -1. */
int qargs_parse_offset(const char *s, double *seconds);

/* Parses `list [--json] [--db FILE]` (argv[0] is "list"). Returns 0, or -1 with a message in err. */
int qargs_parse_list(int argc, char **argv, qargs_list *o, char *err, size_t errlen);

/* Parses `report [SESSION] [--lines|--functions|--timeline] [--from S] [--to S]
 * [--top N] [--json] [--db FILE]`. Returns 0, or -1 with a message in err. */
int qargs_parse_report(int argc, char **argv, qargs_report *o, char *err, size_t errlen);

#endif
