/* memwatch: line-level memory profiler for Python programs — command dispatch. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "exitcodes.h"
#include "mw_config.h"

static void usage(FILE *f)
{
    fputs("usage: memwatch run [OPTIONS] -- CMD [ARGS...]   start CMD and profile it\n"
          "       memwatch --pid PID [OPTIONS]            attach to a running process\n"
          "       memwatch attach PID [OPTIONS]           the same\n"
          "       memwatch list [--json]                  recorded sessions\n"
          "       memwatch report [SESSION] [--lines|--functions|--timeline] [--from S] [--to S]\n"
          "                       [--top N] [--json]      where memory grew\n"
          "       memwatch daemon --match REGEX [OPTIONS]  watch processes continuously, flag leaks\n"
          "       memwatch export [SESSION] --format mprof|speedscope|collapsed|chrome|csv|json\n"
          "                       [-o FILE] [--from S] [--to S] [--children]   for other tools\n"
          "       memwatch plot [SESSION] -o FILE.png|FILE.svg [--width W] [--height H]\n"
          "                       [--children] [--top N]  memory over time, as an image\n"
          "       memwatch diff SESSION_A SESSION_B [--functions] [--json]   growth, B - A\n"
          "\n"
          "profiling options:\n"
          "  --interval DURATION  memory timeline period (default 0.2s; e.g. 200ms, 1)\n"
          "  --rate HZ            Python stack samples per second (default 1000)\n"
          "  --duration DURATION  stop recording after this long\n"
          "  --sampling MODE      timer, faults (sample where memory grows) or both (default)\n"
          "  --fault-period SIZE  memory faulted in between two fault samples (default 1M)\n"
          "  --no-children        do not follow child processes\n"
          "  --db FILE            database (default $MEMWATCH_DB, else\n"
          "                       $XDG_STATE_HOME/memwatch/memwatch.db, else\n"
          "                       ~/.local/state/memwatch/memwatch.db)\n"
          "  --quiet              no summary or notices on stderr\n"
          "  --help, --version\n"
          "\n"
          "Open a recorded session with memwatch-tui or memwatch report. See memwatch(1).\n",
          f);
}

int main(int argc, char **argv)
{
    mw_globals g = { 0 };
    if (argc < 2) {
        usage(stderr);
        return MW_EXIT_USAGE;
    }
    const char *first = argv[1];
    if (!strcmp(first, "--help") || !strcmp(first, "-h") || !strcmp(first, "help")) {
        usage(stdout);
        return MW_EXIT_OK;
    }
    if (!strcmp(first, "--version") || !strcmp(first, "-V")) {
        printf("memwatch %s\n", MW_VERSION);
        return MW_EXIT_OK;
    }
    static const struct { const char *name; int (*fn)(int, char **, const mw_globals *); } cmds[] = {
        { "run", cmd_run }, { "attach", cmd_attach }, { "list", cmd_list }, { "report", cmd_report },
        { "daemon", cmd_daemon },
        { "export", cmd_export }, { "plot", cmd_plot }, { "diff", cmd_diff },
    };
    /* memwatch [OPTIONS] SUBCOMMAND ...: options before the subcommand move after it */
    int sub = -1;
    for (int i = 1; i < argc && sub < 0; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (argv[i][0] == '-') {
            if (!strcmp(argv[i], "--db"))
                i++;   /* skip its value */
            continue;
        }
        for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++)
            if (!strcmp(argv[i], cmds[c].name))
                sub = i;
        if (sub < 0)
            break;
    }
    static char *args[4096];
    if (argc >= (int)(sizeof args / sizeof args[0])) {
        fprintf(stderr, "memwatch: too many arguments\n");
        return MW_EXIT_USAGE;
    }
    int n = 0;
    if (sub < 0) {
        /* no subcommand: `memwatch --pid PID ...` attaches */
        for (int i = 1; i < argc; i++)
            if (!strcmp(argv[i], "--pid") || !strcmp(argv[i], "-p") || !strncmp(argv[i], "--pid=", 6)) {
                args[n++] = "attach";
                for (int j = 1; j < argc; j++)
                    args[n++] = argv[j];
                args[n] = NULL;
                return cmd_attach(n, args, &g);
            }
        for (int i = 1; i < argc; i++) {
            if (!strcmp(argv[i], "--db")) {
                i++;
                continue;
            }
            if (argv[i][0] != '-') {
                fprintf(stderr, "memwatch: unknown subcommand '%s' (try memwatch --help)\n", argv[i]);
                return MW_EXIT_USAGE;
            }
        }
        fprintf(stderr, "memwatch: no subcommand given (try memwatch --help)\n");
        return MW_EXIT_USAGE;
    }
    args[n++] = argv[sub];
    for (int i = 1; i < argc; i++)
        if (i != sub)
            args[n++] = argv[i];
    args[n] = NULL;
    for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++)
        if (!strcmp(argv[sub], cmds[c].name))
            return cmds[c].fn(n, args, &g);
    return MW_EXIT_USAGE;
}
