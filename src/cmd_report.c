/* cmd_report: `memwatch report [SESSION] ...` — where memory grew, from the database. */
#include <stdio.h>

#include "commands.h"
#include "dbpath.h"
#include "exitcodes.h"
#include "qargs.h"
#include "report.h"
#include "store.h"

static void print_help(void)
{
    printf("usage: memwatch report [SESSION] [--lines|--functions|--timeline] [--from S] [--to S]\n"
           "                       [--top N] [--json] [--db FILE]\n"
           "Sums what a recorded session charged to each line (default), each function, or\n"
           "prints its memory timeline. SESSION defaults to the latest one (see memwatch list).\n"
           "  --lines       per source line, grouped per file (memory_profiler style)\n"
           "  --functions   per function\n"
           "  --timeline    RSS, USS, PSS and swap over time\n"
           "  --from S, --to S  only this part of the session, in seconds from its start (e.g. 10, 2m)\n"
           "  --top N       only the N lines or functions that grew most\n"
           "  --json        a JSON array, one object per line, function or timeline row\n"
           "  --db FILE     the database (default $MEMWATCH_DB, else the XDG state directory)\n"
           "The figures are sampled: growth is charged to the line a stack sample found running.\n");
}

int cmd_report(int argc, char **argv, const mw_globals *g)
{
    qargs_report o;
    char err[512], path[4096];
    if (qargs_parse_report(argc, argv, &o, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: %s (try memwatch report --help)\n", err);
        return MW_EXIT_USAGE;
    }
    if (o.help) {
        print_help();
        return MW_EXIT_OK;
    }
    if (dbpath_locate(o.db ? o.db : g->db, path, sizeof path, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: %s\n", err);
        return MW_EXIT_DB;
    }
    int kind;
    store *st = store_open_kind(path, STORE_READ, &kind, err, sizeof err);
    if (!st) {
        if (kind == STORE_ERR_NOFILE)
            fprintf(stderr, "memwatch: no sessions recorded yet (no database at %s)\n", path);
        else
            fprintf(stderr, "memwatch: %s\n", err);
        return store_exit_status(kind);
    }
    int rc = MW_EXIT_OK;
    int64_t id = o.session;
    store_session ss = { 0 };
    int r = id ? 0 : store_latest_session(st, &id);
    if (r == 1) {
        fprintf(stderr, "memwatch: no sessions recorded yet in %s; record one with: memwatch run -- python3 script.py\n",
                path);
        rc = MW_EXIT_NOSESSION;
        goto out;
    }
    if (r == 0)
        r = store_get_session(st, id, &ss);
    if (r == 1) {
        fprintf(stderr, "memwatch: no session %lld in %s (see memwatch list)\n", (long long)id, path);
        rc = MW_EXIT_NOSESSION;
        goto out;
    }
    report_opts ro = { .kind = o.kind, .from = o.from, .to = o.to, .top = o.top, .json = o.json };
    if (r < 0 || report_print(st, &ss, &ro, stdout) < 0) {
        int k = store_errkind(st);
        fprintf(stderr, "memwatch: %s\n", k == STORE_OK ? "out of memory" : store_errmsg(st));
        rc = k == STORE_OK ? MW_EXIT_ERROR : store_exit_status(k);
        goto out;
    }
    if (fflush(stdout) != 0) {
        perror("memwatch: writing the report");
        rc = MW_EXIT_ERROR;
    }
out:
    store_session_clear(&ss);
    store_close(st);
    return rc;
}
