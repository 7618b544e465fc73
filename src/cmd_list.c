/* cmd_list: `memwatch list [--json]` — the recorded sessions, children under their parent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "dbpath.h"
#include "exitcodes.h"
#include "jsonw.h"
#include "qargs.h"
#include "report.h"
#include "sesstree.h"
#include "store.h"
#include "store_daemon.h"
#include "textout.h"
#include "units.h"

#define CMD_COLS 60

static double now_unix(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Seconds the session lasted, or has lasted so far while live. */
static double duration(const store_session *ss, double now)
{
    double end = ss->status == MW_END_LIVE ? now : ss->end > 0 ? ss->end : ss->last_t;
    return end > ss->start ? end - ss->start : 0;
}

static void print_json(FILE *f, const store_sessions *l, const store_leaks *leaks, double now)
{
    fputc('[', f);
    for (size_t i = 0; i < l->n; i++) {
        const store_session *s = &l->items[i];
        fputs(i ? ",\n  {" : "\n  {", f);
        jsonw_key(f, "id", 1);
        jsonw_int(f, s->id, 1);
        jsonw_key(f, "parent", 0);
        jsonw_int(f, s->parent, s->parent > 0);
        jsonw_key(f, "pid", 0);
        jsonw_int(f, s->pid, 1);
        jsonw_key(f, "command", 0);
        jsonw_string(f, s->cmdline);
        jsonw_key(f, "exe", 0);
        jsonw_string(f, s->exe);
        jsonw_key(f, "python", 0);
        jsonw_string(f, s->python);
        jsonw_key(f, "start", 0);
        jsonw_num(f, s->start, 1);
        jsonw_key(f, "end", 0);
        jsonw_num(f, s->end, s->status != MW_END_LIVE);
        jsonw_key(f, "duration_s", 0);
        jsonw_num(f, duration(s, now), 1);
        jsonw_key(f, "exit_code", 0);
        jsonw_int(f, s->exit_code, s->has_exit);
        jsonw_key(f, "peak_rss_bytes", 0);
        jsonw_int(f, s->peak_rss, s->peak_rss != MW_NOVAL);
        jsonw_key(f, "status", 0);
        jsonw_string(f, store_status_name(s->status));
        jsonw_key(f, "interval_s", 0);
        jsonw_num(f, s->interval, 1);
        jsonw_key(f, "samples", 0);
        jsonw_int(f, s->samples, 1);
        /* set when memwatch daemon flagged the process: slope, when, the line that grew most */
        const store_leak *lk = store_leaks_find(leaks, s->id);
        jsonw_key(f, "leak", 0);
        if (lk) {
            fputc('{', f);
            jsonw_key(f, "bytes_per_min", 1);
            jsonw_num(f, lk->bytes_per_min, 1);
            jsonw_key(f, "t", 0);
            jsonw_num(f, lk->t, 1);
            jsonw_key(f, "where", 0);
            jsonw_string(f, lk->where);
            fputc('}', f);
        } else {
            fputs("null", f);
        }
        fputc('}', f);
    }
    fputs(l->n ? "\n]\n" : "]\n", f);
}

static const char *status_text(const store_session *s, char *buf, size_t len)
{
    if (s->status == MW_END_CUT)
        return "cut short";
    if (s->status == MW_END_ENDED && s->has_exit && s->exit_code != 0) {
        snprintf(buf, len, "exit %d", s->exit_code);
        return buf;
    }
    return store_status_name(s->status);
}

static int print_table(FILE *f, const store_sessions *l, const store_leaks *leaks, double now)
{
    size_t n = l->n;
    int64_t *ids = malloc(n * sizeof *ids), *parents = malloc(n * sizeof *parents);
    size_t *order = malloc(n * sizeof *order);
    int *depth = malloc(n * sizeof *depth);
    int rc = -1;
    if (!ids || !parents || !order || !depth)
        goto out;
    for (size_t i = 0; i < n; i++) {
        ids[i] = l->items[i].id;
        parents[i] = l->items[i].parent;
    }
    if (sesstree_order(ids, parents, n, order, depth) < 0)
        goto out;
    /* the LEAK column (growth per minute flagged by memwatch daemon) only when some session has one */
    int leak_col = leaks->n > 0;
    fprintf(f, "%5s %8s  %-19s %9s %10s  %-9s  %s%s\n", "ID", "PID", "START", "DURATION", "PEAK RSS", "STATUS",
            leak_col ? "     LEAK/MIN  " : "", "COMMAND");
    for (size_t k = 0; k < n; k++) {
        const store_session *s = &l->items[order[k]];
        char start[32], dur[32], peak[32], st[32], cmd[4 * CMD_COLS + 8];
        int d = depth[order[k]] < 8 ? depth[order[k]] : 8;
        char leak[40] = "";
        const store_leak *lk = leak_col ? store_leaks_find(leaks, s->id) : NULL;
        if (leak_col) {
            char b[32];
            snprintf(leak, sizeof leak, "%13s  ", lk ? units_format_bytes((int64_t)lk->bytes_per_min, b, sizeof b) : "-");
        }
        fprintf(f, "%5lld %8d  %-19s %9s %10s  %-9s  %s%*s%s%s\n", (long long)s->id, s->pid,
                report_format_time(s->start, start, sizeof start), units_format_duration(duration(s, now), dur, sizeof dur),
                s->peak_rss == MW_NOVAL ? "-" : units_format_bytes(s->peak_rss, peak, sizeof peak),
                status_text(s, st, sizeof st), leak, 2 * (d > 0 ? d - 1 : 0), "", d > 0 ? "└ " : "",
                textout_clean(s->cmdline, cmd, sizeof cmd, CMD_COLS - (size_t)(2 * d)));
    }
    rc = 0;
out:
    if (rc < 0)
        fprintf(stderr, "memwatch: out of memory\n");
    free(ids), free(parents), free(order), free(depth);
    return rc;
}

int cmd_list(int argc, char **argv, const mw_globals *g)
{
    qargs_list o;
    char err[512], path[4096];
    if (qargs_parse_list(argc, argv, &o, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: %s (try memwatch list --help)\n", err);
        return MW_EXIT_USAGE;
    }
    if (o.help) {
        printf("usage: memwatch list [--json] [--db FILE]\n"
               "Lists the recorded sessions, child processes under their parent.\n"
               "  --json     a JSON array, one object per session\n"
               "  --db FILE  the database (default $MEMWATCH_DB, else the XDG state directory)\n");
        return MW_EXIT_OK;
    }
    if (dbpath_locate(o.db ? o.db : g->db, path, sizeof path, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: %s\n", err);
        return MW_EXIT_DB;
    }
    int kind;
    store *st = store_open_kind(path, STORE_READ, &kind, err, sizeof err);
    if (!st && kind != STORE_ERR_NOFILE) {
        fprintf(stderr, "memwatch: %s\n", err);
        return store_exit_status(kind);
    }
    store_sessions l = { 0 };
    if (st && store_list_sessions(st, &l) < 0) {
        fprintf(stderr, "memwatch: %s\n", store_errmsg(st));
        int rc = store_exit_status(store_errkind(st));
        store_close(st);
        return rc;
    }
    store_leaks leaks = { 0 };
    if (st && store_list_leaks(st, &leaks) < 0) {
        fprintf(stderr, "memwatch: %s\n", store_errmsg(st));
        int rc = store_exit_status(store_errkind(st));
        store_sessions_free(&l);
        store_close(st);
        return rc;
    }
    double now = now_unix();
    int rc = MW_EXIT_OK;
    if (o.json)
        print_json(stdout, &l, &leaks, now);
    else if (l.n == 0)
        printf("no sessions recorded yet in %s\nrecord one with: memwatch run -- python3 script.py\n", path);
    else if (print_table(stdout, &l, &leaks, now) < 0)
        rc = MW_EXIT_ERROR;
    store_leaks_free(&leaks);
    store_sessions_free(&l);
    store_close(st);
    if (fflush(stdout) != 0) {
        perror("memwatch: writing the list");
        rc = MW_EXIT_ERROR;
    }
    return rc;
}
