/* memwatch-tui: browse recorded memwatch sessions in a terminal (reads only the database). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "dbpath.h"
#include "exitcodes.h"
#include "mw_config.h"
#include "plot.h"
#include "term.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: memwatch-tui [--db FILE] [--ascii] [--plot braille|block|ascii] [--no-color] [SESSION]\n"
               "Browses the sessions memwatch recorded: memory over time, the lines and functions\n"
               "that made it grow, their source. A session still being recorded is followed live.\n"
               "  --db FILE     the database (default $MEMWATCH_DB, else the XDG state directory)\n"
               "  --ascii       draw with ASCII only (also when the locale is not UTF-8)\n"
               "  --plot KIND   plot glyphs: braille (2x4 dots a cell), block (half blocks) or ascii\n"
               "  --no-color    no colours (also when NO_COLOR is set)\n"
               "  SESSION       open this session at once (Esc goes to the list)\n"
               "Press ? in the browser for every key; man memwatch-tui for more.\n");
}

typedef struct opts {
    const char *db, *timing;
    int64_t session;
    term_opts term;
} opts;

/* Parses the command line. Returns -1 to go on, else the exit status. */
static int parse(int argc, char **argv, opts *o)
{
    o->term.glyphs = -1;
    o->term.color = -1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            return MW_EXIT_OK;
        }
        if (!strcmp(arg, "--version")) {
            printf("memwatch-tui %s\n", MW_VERSION);
            return MW_EXIT_OK;
        }
        if (!strcmp(arg, "--ascii")) {
            o->term.glyphs = PLOT_ASCII;
            continue;
        }
        if (!strcmp(arg, "--no-color") || !strcmp(arg, "--no-colour")) {
            o->term.color = 0;
            continue;
        }
        if (!strncmp(arg, "--db=", 5) || !strncmp(arg, "--plot=", 7) || !strncmp(arg, "--timing=", 9)) {
            val = strchr(arg, '=') + 1;
        } else if (!strcmp(arg, "--db") || !strcmp(arg, "--plot") || !strcmp(arg, "--timing")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "memwatch-tui: %s needs a value (try memwatch-tui --help)\n", arg);
                return MW_EXIT_USAGE;
            }
            val = argv[++i];
        }
        if (val) {
            if (!strncmp(arg, "--db", 4)) {
                o->db = val;
            } else if (!strncmp(arg, "--timing", 8)) {
                o->timing = val;
            } else if (!strcmp(val, "braille")) {
                o->term.glyphs = PLOT_BRAILLE;
            } else if (!strcmp(val, "block")) {
                o->term.glyphs = PLOT_BLOCK;
            } else if (!strcmp(val, "ascii")) {
                o->term.glyphs = PLOT_ASCII;
            } else {
                fprintf(stderr, "memwatch-tui: --plot takes braille, block or ascii, not '%s'\n", val);
                return MW_EXIT_USAGE;
            }
            continue;
        }
        if (arg[0] == '-' && arg[1]) {
            fprintf(stderr, "memwatch-tui: unknown option %s (try memwatch-tui --help)\n", arg);
            return MW_EXIT_USAGE;
        }
        char *end;
        errno = 0;
        long long id = strtoll(arg, &end, 10);
        if (o->session || errno || *end || id <= 0) {
            fprintf(stderr, "memwatch-tui: '%s' is not a session id (see memwatch list)\n", arg);
            return MW_EXIT_USAGE;
        }
        o->session = id;
    }
    return -1;
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;   /* no SA_RESTART: the key wait returns at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int app_stop_requested(void)
{
    return stop_signal != 0;
}

static app the_app;

int main(int argc, char **argv)
{
    opts o = { 0 };
    int rc = parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    app *a = &the_app;
    char err[512];
    if (dbpath_locate(o.db, a->path, sizeof a->path, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch-tui: %s\n", err);
        return MW_EXIT_DB;
    }
    int kind;
    a->st = store_open_kind(a->path, STORE_READ, &kind, err, sizeof err);
    if (!a->st) {
        if (kind == STORE_ERR_NOFILE)
            fprintf(stderr, "memwatch-tui: %s; record a session with: memwatch run -- python3 script.py\n", err);
        else
            fprintf(stderr, "memwatch-tui: %s\n", err);
        return store_exit_status(kind);
    }
    a->ld = loader_start(a->path, err, sizeof err);
    if (!a->ld) {
        fprintf(stderr, "memwatch-tui: %s\n", err);
        store_close(a->st);
        return MW_EXIT_DB;
    }
    /* read what the first screen shows before taking the terminal, so that a
     * damaged database is reported on a normal terminal */
    a->stack[a->depth++] = SCR_SESSIONS;
    rc = MW_EXIT_OK;
    if (sessions_reload(a) < 0) {
        fprintf(stderr, "memwatch-tui: %s\n", store_errmsg(a->st));
        rc = store_exit_status(store_errkind(a->st));
        goto out;
    }
    if (o.session) {
        int r = session_open(a, o.session);
        if (r != 0) {
            if (r > 0)
                fprintf(stderr, "memwatch-tui: no session %lld in %s (see memwatch list)\n", (long long)o.session,
                        a->path);
            else
                fprintf(stderr, "memwatch-tui: %s\n", store_errmsg(a->st));
            rc = r > 0 ? MW_EXIT_NOSESSION : store_exit_status(store_errkind(a->st));
            goto out;
        }
    }
    if (o.timing && !(a->timing = fopen(o.timing, "w"))) {
        fprintf(stderr, "memwatch-tui: cannot write %s: %s\n", o.timing, strerror(errno));
        rc = MW_EXIT_USAGE;
        goto out;
    }
    catch_signals();
    if (term_start(&o.term) < 0) {
        fprintf(stderr, "memwatch-tui: cannot use this terminal (TERM=%s): it needs a terminal it can draw on\n",
                getenv("TERM") ? getenv("TERM") : "unset");
        rc = MW_EXIT_ERROR;
        goto out;
    }
    atexit(term_stop);
    app_run(a);
    term_stop();
    if (stop_signal)
        rc = 128 + stop_signal;
out:
    if (a->timing)
        fclose(a->timing);
    session_close(a);
    source_close(a);
    compare_close(a);
    loader_stop(a->ld);
    sessions_free(&a->sl.data);
    free(a->sl.order);
    free(a->sl.depth);
    free(a->sl.hidden);
    free(a->sl.folded);
    store_close(a->st);
    return rc;
}
