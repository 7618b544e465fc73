/* cmd_plot: `memwatch plot [SESSION] -o FILE.png|FILE.svg` — memory over time with the lines that grew it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exargs.h"
#include "exitcodes.h"
#include "plotdata.h"
#include "plotdraw.h"
#include "sessopen.h"
#include "store.h"
#include "textout.h"
#include "units.h"

#define MARKS_PER_LINE 3

static void print_help(void)
{
    printf("usage: memwatch plot [SESSION] -o FILE.png|FILE.svg [--width W] [--height H] [--from S] [--to S]\n"
           "                     [--children] [--top N] [--db FILE]\n"
           "Draws a recorded session's memory over time (RSS, USS, PSS; default: the latest session)\n"
           "with dashed markers where its top lines grew, labelled file:line.\n"
           "  -o, --output FILE   the image: PNG or SVG, by its extension\n"
           "  --width W, --height H  its size in pixels (default 1200 x 600; %d to %d)\n"
           "  --from S, --to S    only this part, in seconds from the start (e.g. 10, 2m)\n"
           "  --children          add the child processes' memory to the session's\n"
           "  --top N             mark the N lines that grew most (default 5, 0 for none)\n"
           "  --db FILE           the database (default $MEMWATCH_DB, else the XDG state directory)\n",
           PLOT_MIN_SIZE, PLOT_MAX_SIZE);
}

typedef struct series_in {
    plot_series *s;
    double t0;                 /* times are counted from here */
    int oom;
} series_in;

static int series_row(void *arg, const mw_sample *m)
{
    series_in *in = arg;
    double fig[PLOT_NFIGS] = {
        [PLOT_RSS] = m->rss == MW_NOVAL ? NAN : (double)m->rss,
        [PLOT_USS] = m->uss == MW_NOVAL ? NAN : (double)m->uss,
        [PLOT_PSS] = m->pss == MW_NOVAL ? NAN : (double)m->pss,
    };
    if (plotdata_append(in->s, m->t - in->t0, fig) < 0) {
        in->oom = 1;
        return 1;
    }
    return 0;
}

/* A candidate line to mark: where, how much, in which session. */
typedef struct cand {
    char *file;
    int32_t line;
    int64_t growth;
    size_t session;
} cand;

typedef struct cands {
    cand *items;
    size_t n, cap;
    size_t session;
    int oom;
} cands;

static int cand_row(void *arg, const store_report_row *r)
{
    cands *c = arg;
    if (r->growth <= 0 || r->line <= 0)
        return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        cand *ni = realloc(c->items, cap * sizeof *ni);
        if (!ni) {
            c->oom = 1;
            return 1;
        }
        c->items = ni;
        c->cap = cap;
    }
    cand *k = &c->items[c->n];
    if (!(k->file = strdup(r->file))) {
        c->oom = 1;
        return 1;
    }
    k->line = r->line;
    k->growth = r->growth;
    k->session = c->session;
    c->n++;
    return 0;
}

static int by_growth(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    return x->growth != y->growth ? (x->growth > y->growth ? -1 : 1) : (x->session > y->session) - (x->session < y->session);
}

typedef struct times_in {
    double t[16384];
    int64_t growth[16384];
    size_t n;
} times_in;

static int time_row(void *arg, double t, int64_t growth, int64_t shrink)
{
    times_in *in = arg;
    (void)shrink;
    if (in->n == sizeof in->t / sizeof in->t[0])
        return 1;
    in->t[in->n] = t;
    in->growth[in->n++] = growth;
    return 0;
}

/* The range [*from, *to] of session s in its own seconds, for a range of the plotted session. */
static void own_range(const store_session *root, const store_session *s, double from, double to, double *f, double *t)
{
    double shift = s->start - root->start;
    *f = from - shift > 0 ? from - shift : 0;
    *t = to >= STORE_OPEN_END ? STORE_OPEN_END : to - shift;
}

typedef struct plot_job {
    store *st;
    const exargs_plot *o;
    const store_sessions *all;
    plot_series series;
    plot_line lines[20];
    size_t nlines;
    plot_mark marks[20 * MARKS_PER_LINE];
    size_t nmarks;
} plot_job;

/* Loads the memory series (children added). Returns 0 or -1. */
static int load_series(plot_job *j)
{
    const store_session *root = &j->all->items[0];
    series_in in = { &j->series, root->start, 0 };
    if (store_timeline(j->st, root->id, j->o->from, j->o->to, series_row, &in) < 0 || in.oom)
        return -1;
    for (size_t i = 1; i < j->all->n; i++) {
        plot_series c = { 0 };
        series_in ci = { &c, root->start, 0 };
        double f, t;
        own_range(root, &j->all->items[i], j->o->from, j->o->to, &f, &t);
        /* a little before the range too, so the first point has the child's value */
        double slack = 2 * j->all->items[i].interval;
        int rc = t < f ? 0 : store_timeline(j->st, j->all->items[i].id, f > slack ? f - slack : 0, t, series_row, &ci);
        if (rc == 0 && !ci.oom)
            plotdata_add_child(&j->series, &c, slack > 0 ? slack : 1);
        plotdata_free(&c);
        if (rc < 0 || ci.oom)
            return -1;
    }
    return 0;
}

/* Picks the top lines of every session and when they grew. Returns 0 or -1. */
static int load_marks(plot_job *j)
{
    const store_session *root = &j->all->items[0];
    cands c = { 0 };
    int rc = 0;
    for (size_t i = 0; i < j->all->n && rc == 0 && j->o->top > 0; i++) {
        double f, t;
        own_range(root, &j->all->items[i], j->o->from, j->o->to, &f, &t);
        c.session = i;
        if (t >= f)
            rc = store_report(j->st, j->all->items[i].id, STORE_LINES, f, t, STORE_BY_GROWTH, j->o->top * 2, cand_row,
                              &c);
        if (c.oom)
            rc = -1;
    }
    if (rc == 0 && c.n > 1)
        qsort(c.items, c.n, sizeof *c.items, by_growth);
    times_in *tin = rc == 0 ? malloc(sizeof *tin) : NULL;
    if (rc == 0 && !tin)
        rc = -1;
    for (size_t k = 0; rc == 0 && k < c.n && j->nlines < (size_t)j->o->top && j->nlines < 20; k++) {
        const store_session *s = &j->all->items[c.items[k].session];
        double f, t, shift = s->start - root->start;
        own_range(root, s, j->o->from, j->o->to, &f, &t);
        tin->n = 0;
        if ((rc = store_line_times(j->st, s->id, f, t, c.items[k].file, c.items[k].line, time_row, tin)) < 0)
            break;
        size_t pick[MARKS_PER_LINE];
        long best;
        size_t np = plotdata_pick(tin->growth, tin->n, MARKS_PER_LINE, pick, &best);
        if (!np)
            continue;
        plot_line *pl = &j->lines[j->nlines];
        const char *base = strrchr(c.items[k].file, '/');
        char clean[80];
        textout_clean(base && base[1] ? base + 1 : c.items[k].file, clean, sizeof clean, 40);
        snprintf(pl->label, sizeof pl->label, "%s:%d", clean, (int)c.items[k].line);
        pl->color = (int)j->nlines;
        for (size_t q = 0; q < np; q++)
            j->marks[j->nmarks++] = (plot_mark){ tin->t[pick[q]] + shift, j->nlines, (long)pick[q] == best };
        j->nlines++;
    }
    free(tin);
    for (size_t k = 0; k < c.n; k++)
        free(c.items[k].file);
    free(c.items);
    return rc;
}

int cmd_plot(int argc, char **argv, const mw_globals *g)
{
    exargs_plot o;
    char err[512], path[4096];
    if (exargs_parse_plot(argc, argv, &o, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: %s (try memwatch plot --help)\n", err);
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
    plot_job j = { .st = st, .o = &o, .all = &all };
    if ((rc = sessopen_session(st, path, o.session, &root)) != MW_EXIT_OK)
        goto out;
    if (sessopen_subtree(st, &root, o.children, &all) < 0 || load_series(&j) < 0 || load_marks(&j) < 0) {
        rc = sessopen_fail(st);
        goto out;
    }
    /* find out early, with the system's words, if the file cannot be written */
    FILE *probe = fopen(o.out, "w");
    if (!probe) {
        fprintf(stderr, "memwatch: cannot write %s: %s\n", o.out, strerror(errno));
        rc = MW_EXIT_ERROR;
        goto out;
    }
    fclose(probe);
    double end = root.end > 0 ? root.end : root.last_t;
    double len = end > root.start ? end - root.start : 0;
    double t1 = o.to < len ? o.to : len;
    if (j.series.n && j.series.t[j.series.n - 1] > t1)
        t1 = j.series.t[j.series.n - 1];
    char cmd[200], title[400], note[300], peak[32];
    snprintf(title, sizeof title, "memwatch: session %lld (pid %d) %s", (long long)root.id, root.pid,
             textout_clean(root.cmdline, cmd, sizeof cmd, 90));
    if (!j.series.n)
        snprintf(note, sizeof note, "no memory samples in this range");
    else
        snprintf(note, sizeof note, "peak %s%s%s",
                 units_format_bytes((int64_t)plotdata_max(&j.series), peak, sizeof peak),
                 all.n > 1 ? ", with its child processes summed" : "",
                 j.nlines ? "; dashed: where the top lines grew (sampled)" : "");
    plot_model m = { title, note, &j.series, o.from, t1 > o.from ? t1 : o.from + 1, j.lines, j.nlines, j.marks,
                     j.nmarks, o.width, o.height, o.type == PLOT_SVG };
    if (plotdraw_write(&m, o.out, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: %s\n", err);
        unlink(o.out);
        rc = MW_EXIT_ERROR;
    }
    plotdraw_release();
out:
    plotdata_free(&j.series);
    store_sessions_free(&all);
    store_session_clear(&root);
    store_close(st);
    return rc;
}
