/* cmd_export: `memwatch export [SESSION] --format F [-o FILE]` — a session in other tools' formats. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exargs.h"
#include "exitcodes.h"
#include "export.h"
#include "sessopen.h"
#include "store.h"

static void print_help(void)
{
    printf("usage: memwatch export [SESSION] --format FORMAT [-o FILE] [--from S] [--to S] [--children]\n"
           "                       [--what timeline|lines|functions] [--db FILE]\n"
           "Writes a recorded session (default: the latest) for other tools, to FILE or stdout.\n"
           "  --format, -f FORMAT\n"
           "      mprof       memory_profiler's .dat (mprof plot FILE.dat); RSS in MiB over time\n"
           "      speedscope  a speedscope profile of growth in bytes per stack\n"
           "      collapsed   collapsed stacks for flamegraph.pl: 'frame;frame;frame BYTES' per stack\n"
           "      chrome      Chrome trace events: RSS, USS and PSS counters (Perfetto, chrome://tracing)\n"
           "      csv         one table: the timeline (default), or --what lines or functions\n"
           "      json        the timeline, lines and functions in one object (--what picks)\n"
           "  -o, --output FILE   write there instead of stdout\n"
           "  --from S, --to S    only this part, in seconds from the session's start (e.g. 10, 2m)\n"
           "  --children          the child processes' sessions too\n"
           "  --what LIST         csv: timeline, lines or functions; json: any of them, comma separated\n"
           "  --db FILE           the database (default $MEMWATCH_DB, else the XDG state directory)\n"
           "Stack figures are sampled: growth is charged to the stack a sample found running.\n");
}

int cmd_export(int argc, char **argv, const mw_globals *g)
{
    exargs_export o;
    char err[512], path[4096];
    if (exargs_parse_export(argc, argv, &o, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: %s (try memwatch export --help)\n", err);
        return MW_EXIT_USAGE;
    }
    if (o.help) {
        print_help();
        return MW_EXIT_OK;
    }
    store *st;
    int rc = sessopen_db(o.db, g, &st, path, sizeof path);
    if (rc != MW_EXIT_OK)
        return rc;
    store_session root;
    store_sessions all = { 0 };
    FILE *f = NULL;
    int to_file = o.out && strcmp(o.out, "-") != 0;
    if ((rc = sessopen_session(st, path, o.session, &root)) != MW_EXIT_OK)
        goto out;
    if (sessopen_subtree(st, &root, o.children, &all) < 0) {
        rc = sessopen_fail(st);
        goto out;
    }
    f = to_file ? fopen(o.out, "w") : stdout;
    if (!f) {
        fprintf(stderr, "memwatch: cannot write %s: %s\n", o.out, strerror(errno));
        rc = MW_EXIT_ERROR;
        goto out;
    }
    export_ctx x = { st, all.items, all.n, o.from, o.to, o.what };
    int (*const writers[])(const export_ctx *, FILE *) = {
        [EXPORT_MPROF] = export_mprof, [EXPORT_SPEEDSCOPE] = export_speedscope,
        [EXPORT_COLLAPSED] = export_collapsed, [EXPORT_CHROME] = export_chrome,
        [EXPORT_CSV] = export_csv, [EXPORT_JSON] = export_json,
    };
    if (writers[o.format](&x, f) < 0) {
        rc = sessopen_fail(st);
        goto out;
    }
    if (fflush(f) != 0 || ferror(f)) {
        fprintf(stderr, "memwatch: writing %s: %s\n", to_file ? o.out : "the export", strerror(errno));
        rc = MW_EXIT_ERROR;
    }
out:
    if (f && to_file) {
        if (fclose(f) != 0 && rc == MW_EXIT_OK) {
            fprintf(stderr, "memwatch: writing %s: %s\n", o.out, strerror(errno));
            rc = MW_EXIT_ERROR;
        }
        if (rc != MW_EXIT_OK)
            unlink(o.out);   /* no half-written file left behind */
    }
    store_sessions_free(&all);
    store_session_clear(&root);
    store_close(st);
    return rc;
}
