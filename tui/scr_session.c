/* scr_session: one session — memory over time with a cursor and a range, and
 * the top lines and functions of that range. */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "match.h"
#include "axis.h"
#include "draw.h"
#include "layout.h"
#include "plot.h"
#include "sesslist.h"
#include "term.h"
#include "units.h"

static const char *const series_name[PLOT_SERIES] = { "RSS", "USS", "PSS" };
static const int series_pair[PLOT_SERIES] = { PAIR_RSS, PAIR_USS, PAIR_PSS };

static const char *order_name(int order)
{
    switch (order) {
    case STORE_BY_NET:
        return "net";
    case STORE_BY_HITS:
        return "hits";
    case STORE_BY_PLACE:
        return "place";
    default:
        return "growth";
    }
}

/* Asks the loader for timeline rows after those loaded (timeline) and for
 * both tables over the current range (panes). */
static void ask(app *a, int want_tl, int panes)
{
    session_screen *s = &a->sv;
    /* past APP_RAW_MAX samples only the minutes are read (and read again while live) */
    int raw = s->ss.samples <= APP_RAW_MAX;
    load_req q = { .session = s->id, .start = s->ss.start, .minutes = want_tl && !s->tl_complete,
                   .timeline = want_tl && raw, .panes = panes,
                   .after_abs = s->tl.n ? s->tl.last_abs : 0, .order = s->order,
                   .limit = APP_REPORT_ROWS };
    if (panes) {
        s->marked = view_range(&s->v, &s->from, &s->to);
        q.from = s->from;
        q.to = s->to;
        q.gen = ++s->gen;
        s->loading_panes = 1;
        s->asked_panes = app_clock();
    }
    if (want_tl && raw) {
        s->loading_tl = 1;
        s->asked_tl = app_clock();
    }
    loader_submit(a->ld, &q);
    a->dirty = 1;
}

static void load_panes(app *a)
{
    ask(a, 0, 1);
}

/* The plotted length: the last sample loaded, or what the session row says. */
static double plotted_length(const session_screen *s)
{
    double len = session_length(&s->ss);
    if (s->tl.n && s->tl.t[s->tl.n - 1] > len)
        len = s->tl.t[s->tl.n - 1];
    return len;   /* (a folded minute sits at its middle: it may lie past the end) */
}

/* Shows session id on the session screen. Returns 0, 1 if there is no such session, -1 on error. */
static int session_load(app *a, int64_t id)
{
    session_screen *s = &a->sv;
    session_close(a);
    int r = store_get_session(a->st, id, &s->ss);
    if (r != 0)
        return r;
    s->id = id;
    if (s->ss.children && sessions_children(a->st, id, &s->kids) < 0)
        return -1;
    view_reset(&s->v, plotted_length(s));
    s->series = 7;
    s->focus = 0;
    s->order = STORE_BY_GROWTH;
    memset(s->pos, 0, sizeof s->pos);
    ask(a, 1, 1);
    return 0;
}

int session_open(app *a, int64_t id)
{
    a->sv.nback = 0;
    int r = session_load(a, id);
    if (r == 0)
        app_push(a, SCR_SESSION);
    return r;
}

void session_close(app *a)
{
    session_screen *s = &a->sv;
    store_session_clear(&s->ss);
    timeline_free(&s->tl);
    timeline_free(&s->minutes);
    plot_grid_free(&s->cache.grid);
    memset(&s->cache, 0, sizeof s->cache);
    s->tl_complete = 0;
    rtable_free(&s->pane[0]);
    rtable_free(&s->pane[1]);
    sessions_free(&s->kids);
    s->id = 0;
    s->loading_tl = s->loading_panes = 0;
}

/* Reads the session row again and, when it changed, asks for what is new. */
static void reread(app *a, int force)
{
    session_screen *s = &a->sv;
    store_session now;
    if (store_get_session(a->st, s->id, &now) != 0)
        return;
    int changed = now.samples != s->ss.samples || now.status != s->ss.status || now.last_t != s->ss.last_t;
    int kids_changed = now.children != s->ss.children;
    store_session_clear(&s->ss);
    s->ss = now;
    a->dirty = 1;   /* the duration goes on */
    if ((kids_changed || force || (s->kids.list.n && changed)) && sessions_children(a->st, s->id, &s->kids) < 0)
        app_message(a, 1, "%s", store_errmsg(a->st));
    if (changed || force)
        /* a range open to the end (none marked) takes the new intervals in */
        ask(a, 1, force || !s->marked);
}

void session_poll(app *a)
{
    session_screen *s = &a->sv;
    if (s->ss.status != MW_END_LIVE || s->loading_tl || s->loading_panes || loader_busy(a->ld))
        return;
    reread(a, 0);
}

int session_results(app *a)
{
    session_screen *s = &a->sv;
    load_result r;
    int changed = 0;
    while (loader_take(a->ld, &r)) {
        if (r.session != s->id || app_screen(a) == SCR_SESSIONS) {
            load_result_free(&r);
            continue;
        }
        double waited = (app_clock() - (r.kind == LOAD_PANES ? s->asked_panes : s->asked_tl)) * 1000.0;
        size_t nrows = r.kind == LOAD_PANES ? r.lines.n + r.funcs.n : r.rows.n;
        if (r.failed) {
            app_message(a, 1, "%s", r.err);
        } else if (r.kind == LOAD_MINUTES) {
            if (!s->tl_complete) {
                timeline_free(&s->minutes);
                s->minutes = r.rows;
                memset(&r.rows, 0, sizeof r.rows);
                s->cache.t = NULL;   /* new values, maybe at the same address and count */
                view_set_len(&s->v, plotted_length(s));
            }
        } else if (r.kind == LOAD_TIMELINE) {
            if (timeline_append(&s->tl, &r.rows) < 0)
                app_message(a, 1, "out of memory");
            s->tl_complete = 1;
            timeline_free(&s->minutes);
            s->cache.t = NULL;
            view_set_len(&s->v, plotted_length(s));
        } else if (r.gen == s->gen) {
            rtable_free(&s->pane[0]);
            rtable_free(&s->pane[1]);
            s->pane[0] = r.lines;
            s->pane[1] = r.funcs;
            memset(&r.lines, 0, sizeof r.lines);
            memset(&r.funcs, 0, sizeof r.funcs);
        }
        if (r.kind == LOAD_TIMELINE)
            s->loading_tl = 0;
        else if (r.gen == s->gen)
            s->loading_panes = 0;
        if (a->timing)
            fprintf(a->timing, "loaded %s %zu rows %.3f ms after asked (reading %.3f ms)\n",
                    r.kind == LOAD_TIMELINE ? "timeline" : r.kind == LOAD_MINUTES ? "minutes" : "tables", nrows,
                    waited, r.seconds * 1000.0);
        load_result_free(&r);
        changed = 1;
    }
    if (changed) {
        if (a->timing)
            fflush(a->timing);
        a->dirty = 1;
    }
    return changed;
}

/* ---- drawing ---- */

static void draw_title(app *a)
{
    session_screen *s = &a->sv;
    char dur[32], peak[32], st[40];
    units_format_duration(session_duration(&s->ss, data_now()), dur, sizeof dur);
    draw_bytes(s->ss.peak_rss, peak, sizeof peak);
    if (s->ss.status == MW_END_CUT)
        snprintf(st, sizeof st, "cut short");
    else if (s->ss.status == MW_END_ENDED && s->ss.has_exit)
        snprintf(st, sizeof st, "ended, exit %d", s->ss.exit_code);
    else
        snprintf(st, sizeof st, "%s", store_status_name(s->ss.status));
    char py[48] = "";
    if (s->ss.python)
        snprintf(py, sizeof py, "  Python %.16s", s->ss.python);
    char kin[64] = "";
    if (s->ss.parent)
        snprintf(kin, sizeof kin, " (child of %lld)", (long long)s->ss.parent);
    else if (s->ss.children)
        snprintf(kin, sizeof kin, " (%d child%s)", s->ss.children, s->ss.children == 1 ? "" : "ren");
    app_draw_title(a, "Session %lld%s  %s  pid %d  %s  %s  peak RSS %s%s", (long long)s->id, kin, st, s->ss.pid, dur,
                   s->ss.cmdline, peak, py);
}

/* Cell row of value v on a plot of h cells (dy dots each) scaled to [vmin, vmax]. */
static int value_row(double v, double vmin, double vmax, int h, int dy)
{
    int dots = h * dy;
    double f = vmax > vmin ? (v - vmin) / (vmax - vmin) : 0;
    int y = dots - 1 - (int)lround(f * (dots - 1));
    if (y < 0)
        y = 0;
    if (y >= dots)
        y = dots - 1;
    return y / dy;
}

/* What the plot shows: the samples once read, until then the folded minutes. */
static const timeline *shown(const session_screen *s)
{
    return s->tl_complete || s->minutes.n == 0 ? &s->tl : &s->minutes;
}

/* Rasterises the plot into s->raster unless what it shows is unchanged
 * since the last time (a cursor move, a redraw of the durations). Returns 0
 * or -1 (out of memory). */
static int raster(session_screen *s, const rect *pr, const plot_data *d)
{
    plot_cache *c = &s->cache;
    if (c->grid.mask && c->cols == pr->w && c->rows == pr->h && c->glyphs == term.glyphs && c->w0 == s->v.w0 &&
        c->w1 == s->v.w1 && c->series == s->series && c->t == d->t && c->n == d->n)
        return 0;
    int64_t lo = 0, hi = 0;
    if (plot_value_range(d, s->series, s->v.w0, s->v.w1, &lo, &hi) < 0)
        lo = 0, hi = 1;
    axis_bytes_range((double)lo, (double)hi, pr->h > 8 ? pr->h / 2 : pr->h > 3 ? pr->h - 1 : 2, &c->vmin, &c->vmax,
                     &c->step);
    plot_grid_free(&c->grid);
    c->n = 0;
    if (plot_grid_init(&c->grid, pr->w, pr->h, term.glyphs) < 0)
        return -1;
    plot_raster(&c->grid, d, s->series, s->v.w0, s->v.w1, c->vmin, c->vmax);
    c->cols = pr->w;
    c->rows = pr->h;
    c->glyphs = term.glyphs;
    c->w0 = s->v.w0;
    c->w1 = s->v.w1;
    c->series = s->series;
    c->t = d->t;
    c->n = d->n;
    return 0;
}

static void draw_plot(app *a, const session_layout *lay)
{
    session_screen *s = &a->sv;
    const rect *pr = &lay->plot;
    s->plot_cols = pr->w;
    plot_data d = timeline_plot(shown(s));
    if (raster(s, pr, &d) < 0) {
        draw_text(pr->y, pr->x, pr->w, "out of memory", term_attr(PAIR_ERROR));
        return;
    }
    const plot_grid g = s->cache.grid;
    double vmin = s->cache.vmin, vmax = s->cache.vmax, step = s->cache.step;
    if (d.n == 0)
        draw_text(pr->y + pr->h / 2, pr->x + (pr->w > 30 ? pr->w / 2 - 12 : 0), pr->w,
                  s->loading_tl ? "reading the timeline..." : "no samples recorded yet", term_attr(PAIR_DIM));
    int cur = view_col(&s->v, s->v.cursor, pr->w);
    int ra = -1, rb = -1;
    if (s->v.mark_a >= 0) {
        double from, to;
        view_range(&s->v, &from, &to);
        ra = from <= s->v.w0 ? 0 : view_col(&s->v, from, pr->w);
        rb = to >= s->v.w1 ? pr->w - 1 : view_col(&s->v, to, pr->w);
        if (from > s->v.w1 || to < s->v.w0)
            ra = rb = -1;
    }
    char cell[8];
    const char *bar = term_glyph("\xE2\x94\x82", "|");
    for (int row = 0; row < pr->h; row++)
        for (int col = 0; col < pr->w; col++) {
            int owner = plot_cell(&g, col, row, cell, sizeof cell);
            int attr = owner >= 0 ? term_attr(series_pair[owner]) : (int)A_NORMAL;
            if (col >= ra && col <= rb && ra >= 0)
                attr = owner >= 0 && term.colors ? (attr & ~(int)A_COLOR) | (int)COLOR_PAIR(PAIR_RANGE) | (int)A_BOLD
                                                 : term_attr(PAIR_RANGE) | (owner >= 0 ? (int)A_BOLD : 0);
            if (col == cur) {
                attr = term_attr(PAIR_CURSOR);
                if (owner < 0)
                    snprintf(cell, sizeof cell, "%s", bar);
            }
            if (owner < 0 && attr == (int)A_NORMAL)
                continue;
            attrset(attr);
            mvaddstr(pr->y + row, pr->x + col, cell);
        }
    attrset((int)A_NORMAL);
    /* y axis: labels at the ticks */
    const rect *yr = &lay->yaxis;
    const char *tick = term_glyph("\xE2\x94\xA4", "+"), *axis = term_glyph("\xE2\x94\x82", "|");
    for (int row = 0; row < yr->h; row++)
        draw_text(yr->y + row, yr->x + yr->w - 1, 1, axis, term_attr(PAIR_DIM));
    int last_row = -2;
    for (double v = vmax; v >= vmin - step * 0.5; v -= step) {
        int row = value_row(v, vmin, vmax, pr->h, g.dy);
        if (row == last_row)
            continue;
        last_row = row;
        char lab[16];
        axis_label_bytes(v, lab, sizeof lab);
        draw_text_right(yr->y + row, yr->x, yr->w - 1, lab, term_attr(PAIR_DIM));
        draw_text(yr->y + row, yr->x + yr->w - 1, 1, tick, term_attr(PAIR_DIM));
    }
    /* time axis: labels where they fit */
    const rect *xr = &lay->xaxis;
    double span = s->v.w1 - s->v.w0;
    double tstep = axis_step_time(span, xr->w / 9 > 1 ? xr->w / 9 : 1);
    int free_from = 0;
    for (double t = ceil(s->v.w0 / tstep - 1e-9) * tstep; t <= s->v.w1 + 1e-9; t += tstep) {
        int col = view_col(&s->v, t, xr->w);
        if (col < 0 || col < free_from)
            continue;
        char lab[16];
        axis_label_time(t, lab, sizeof lab);
        int w = (int)strlen(lab) + 1;
        if (col + w > xr->w)
            break;
        draw_text(xr->y, xr->x + col, 1, term_glyph("\xE2\x94\x94", "'"), term_attr(PAIR_DIM));
        draw_text(xr->y, xr->x + col + 1, w - 1, lab, term_attr(PAIR_DIM));
        free_from = col + w + 2;
    }
}

static void draw_info(app *a, const session_layout *lay)
{
    session_screen *s = &a->sv;
    const rect *r = &lay->info;
    int x = 0;
    char t[16], v[32];
    axis_label_time(s->v.cursor, t, sizeof t);
    x += draw_printf(r->y, x, r->w - x, (int)A_BOLD, " at %s ", t);
    plot_data d = timeline_plot(shown(s));
    size_t i = plot_lower_bound(&d, s->v.cursor);
    if (i >= d.n && d.n)
        i = d.n - 1;
    if (i > 0 && i < d.n && fabs(d.t[i - 1] - s->v.cursor) < fabs(d.t[i] - s->v.cursor))
        i--;
    for (int k = 0; k < PLOT_SERIES; k++) {
        int on = (s->series >> k) & 1;
        int64_t val = d.n ? (d.hi[k] && d.hi[k][i] != INT64_MIN ? d.hi[k][i] : d.v[k][i]) : INT64_MIN;
        draw_bytes(val, v, sizeof v);
        x += draw_printf(r->y, x, r->w - x, on ? term_attr(series_pair[k]) | (int)A_BOLD : term_attr(PAIR_DIM),
                         "[%d]%s %s  ", k + 1, series_name[k], on ? v : "off");
    }
    char a1[16], b1[16];
    if (s->marked) {
        axis_label_time(s->from, a1, sizeof a1);
        axis_label_time(s->to, b1, sizeof b1);
        x += draw_printf(r->y, x, r->w - x, term_attr(PAIR_LIVE) | (int)A_BOLD, "range %s-%s (Esc clears)  ", a1, b1);
    } else {
        x += draw_text(r->y, x, r->w - x, "range: whole session  ", term_attr(PAIR_DIM));
    }
    if (!s->tl_complete && s->minutes.n)
        x += draw_text(r->y, x, r->w - x, s->loading_tl ? "per minute, reading the samples...  " : "per minute  ",
                       term_attr(PAIR_DIM));
    double zoom = s->v.len > 0 && s->v.w1 > s->v.w0 ? s->v.len / (s->v.w1 - s->v.w0) : 1;
    if (zoom > 1.01)
        draw_printf(r->y, x, r->w - x, term_attr(PAIR_DIM), "zoom %.0fx", zoom);
}

/* "file.py:12" with the directory dropped. */
static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b && b[1] ? b + 1 : path;
}

static void draw_pane(app *a, int p, const rect *r, int focused)
{
    session_screen *s = &a->sv;
    rtable *t = &s->pane[p];
    int hattr = focused ? term_attr(PAIR_SELECT) | (int)A_BOLD : term_attr(PAIR_HEADER);
    draw_fill(r->y, r->x, r->w, hattr);
    char a1[16], b1[16];
    axis_label_time(s->from, a1, sizeof a1);
    if (s->marked)
        axis_label_time(s->to, b1, sizeof b1);
    draw_printf(r->y, r->x, r->w, hattr, " %s by %s, %s%s%s  (%zu%s)%s", p == 0 ? "Top lines" : "Top functions",
                order_name(s->order), s->marked ? a1 : "whole session", s->marked ? " to " : "", s->marked ? b1 : "",
                t->n, t->n >= APP_REPORT_ROWS ? "+" : "", s->loading_panes ? "  reading..." : "");
    int fig_w = r->w >= 100 ? 10 : 9;
    char head[256];
    snprintf(head, sizeof head, " %*s %*s %*s %7s %*s  %s", fig_w, "Growth", fig_w, "Shrink", fig_w, "Net", "Hits",
             fig_w, "Peak RSS", p == 0 ? "Line" : "Function");
    draw_fill(r->y + 1, r->x, r->w, term_attr(PAIR_HEADER));
    draw_text(r->y + 1, r->x, r->w, head, term_attr(PAIR_HEADER));
    int body = r->h - 2;
    list_clamp(&s->pos[p], (long)t->n, body);
    if (t->n == 0) {
        draw_text(r->y + 2, r->x + 2, r->w - 2,
                  s->loading_panes ? "reading the database..."
                  : s->tl.n       ? "no memory charged to Python code in this range"
                                  : "no samples recorded yet",
                  term_attr(PAIR_DIM));
        return;
    }
    for (int y = 0; y < body && s->pos[p].top + y < (long)t->n; y++) {
        long i = s->pos[p].top + y;
        const rrow *w = &t->rows[i];
        int sel = i == s->pos[p].sel && focused;
        int base = sel ? term_attr(PAIR_SELECT) : (int)A_NORMAL;
        draw_fill(r->y + 2 + y, r->x, r->w, base);
        char g[32], sh[32], n[32], pk[32], line[1024];
        units_format_bytes(w->growth, g, sizeof g);
        units_format_bytes(w->shrink, sh, sizeof sh);
        units_format_bytes(w->net, n, sizeof n);
        draw_bytes(w->peak, pk, sizeof pk);
        int x = r->x;
        x += draw_printf(r->y + 2 + y, x, r->w, sel ? base : term_attr(PAIR_GROW) | (int)A_BOLD, " %*s", fig_w, g);
        x += draw_printf(r->y + 2 + y, x, r->x + r->w - x, sel ? base : term_attr(PAIR_SHRINK), " %*s", fig_w, sh);
        x += draw_printf(r->y + 2 + y, x, r->x + r->w - x, base, " %*s %7lld %*s  ", fig_w, n, (long long)w->hits,
                         fig_w, pk);
        if (p == 0 && w->line > 0) {
            /* the source text without its indentation */
            const char *text = w->text ? w->text : "";
            while (*text == ' ' || *text == '\t')
                text++;
            snprintf(line, sizeof line, "%s:%d  %s", base_name(w->file), (int)w->line, text);
        } else if (p == 0) {
            snprintf(line, sizeof line, "%s", w->func);
        } else {
            snprintf(line, sizeof line, "%s  (%s:%d)", w->func, base_name(w->file), (int)w->line);
        }
        draw_text(r->y + 2 + y, x, r->x + r->w - x, line, base);
    }
}

static void draw_kids(app *a, const rect *r, int focused)
{
    session_screen *s = &a->sv;
    const store_sessions *l = &s->kids.list;
    int hattr = focused ? term_attr(PAIR_SELECT) | (int)A_BOLD : term_attr(PAIR_HEADER);
    draw_fill(r->y, r->x, r->w, hattr);
    draw_printf(r->y, r->x, r->w, hattr, " Child sessions  (%zu)  Enter opens one, Esc comes back", l->n);
    char head[256];
    snprintf(head, sizeof head, " %5s %7s %9s %10s %11s  %-9s  %s", "ID", "PID", "DURATION", "PEAK RSS", "GROWTH/MIN",
             "STATUS", "COMMAND");
    draw_fill(r->y + 1, r->x, r->w, term_attr(PAIR_HEADER));
    draw_text(r->y + 1, r->x, r->w, head, term_attr(PAIR_HEADER));
    int body = r->h - 2;
    list_clamp(&s->pos[2], (long)l->n, body);
    double now = data_now();
    for (int y = 0; y < body && s->pos[2].top + y < (long)l->n; y++) {
        long i = s->pos[2].top + y;
        const store_session *k = &l->items[i];
        int sel = i == s->pos[2].sel && focused;
        int base = sel ? term_attr(PAIR_SELECT) : (int)A_NORMAL;
        char dur[32], pk[32], g[40] = "-", b[32], cmd[1024];
        units_format_duration(session_duration(k, now), dur, sizeof dur);
        draw_bytes(k->peak_rss, pk, sizeof pk);
        if (!isnan(s->kids.growth[i])) {
            units_format_bytes((int64_t)llround(s->kids.growth[i]), b, sizeof b);
            snprintf(g, sizeof g, "%s%s", s->kids.growth[i] > 0 ? "+" : "", b);
        }
        draw_fill(r->y + 2 + y, r->x, r->w, base);
        draw_printf(r->y + 2 + y, r->x, r->w, base, " %5lld %7d %9s %10s %11s  %-9s  %s", (long long)k->id, k->pid,
                    dur, pk, g, k->status == MW_END_CUT ? "cut short" : store_status_name(k->status),
                    sesslist_short_command(k->cmdline, cmd, sizeof cmd));
    }
}

void session_draw(app *a)
{
    session_screen *s = &a->sv;
    session_layout lay;
    layout_session(COLS, LINES, &lay);
    draw_title(a);
    draw_plot(a, &lay);
    draw_info(a, &lay);
    if (lay.panes == 2) {
        draw_pane(a, 0, &lay.pane[0], s->focus == 0);
        if (s->focus == 2)
            draw_kids(a, &lay.pane[1], 1);
        else
            draw_pane(a, 1, &lay.pane[1], s->focus == 1);
    } else if (s->focus == 2) {
        draw_kids(a, &lay.pane[0], 1);
    } else {
        draw_pane(a, s->focus, &lay.pane[0], 1);
    }
    app_draw_status(a, "? help  Esc back  <-/-> cursor  m/M range  +/- zoom  1/2/3 series  Tab pane  Enter source"
                       "  s sort");
}

/* ---- keys ---- */

static int pane_page(void)
{
    session_layout lay;
    layout_session(COLS, LINES, &lay);
    return layout_page(&lay.pane[0]) > 2 ? layout_page(&lay.pane[0]) - 2 : 1;
}

void session_search(app *a, const char *text)
{
    session_screen *s = &a->sv;
    if (s->focus == 2) {
        const store_sessions *l = &s->kids.list;
        for (size_t k = 1; *text && k <= l->n; k++) {
            size_t i = ((size_t)s->pos[2].sel + k) % l->n;
            if (match_contains(l->items[i].cmdline, text)) {
                s->pos[2].sel = (long)i;
                a->dirty = 1;
                return;
            }
        }
        if (*text)
            app_message(a, 1, "\"%s\" is not among the child sessions", text);
        return;
    }
    rtable *t = &s->pane[s->focus];
    if (!*text || t->n == 0)
        return;
    for (size_t k = 1; k <= t->n; k++) {
        size_t i = ((size_t)s->pos[s->focus].sel + k) % t->n;
        const rrow *w = &t->rows[i];
        if (match_contains(w->file, text) || match_contains(w->func, text) || match_contains(w->text, text)) {
            s->pos[s->focus].sel = (long)i;
            list_clamp(&s->pos[s->focus], (long)t->n, pane_page());
            a->dirty = 1;
            return;
        }
    }
    app_message(a, 1, "\"%s\" is not in this pane", text);
}

void session_key(app *a, int act, int key)
{
    (void)key;
    session_screen *s = &a->sv;
    int cols = s->plot_cols > 0 ? s->plot_cols : 1;
    a->dirty = 1;
    long rows = s->focus == 2 ? (long)s->kids.list.n : (long)s->pane[s->focus].n;
    if (list_move(&s->pos[s->focus], act == ACT_HOME ? ACT_NONE : act == ACT_END ? ACT_NONE : act, rows,
                  pane_page()))
        return;
    switch (act) {
    case ACT_LEFT:
        view_move(&s->v, -1, cols);
        break;
    case ACT_RIGHT:
        view_move(&s->v, 1, cols);
        break;
    case ACT_HOME:
        view_jump(&s->v, -1);
        break;
    case ACT_END:
        view_jump(&s->v, 1);
        break;
    case ACT_ZOOM_IN:
        view_zoom(&s->v, 0.5);
        break;
    case ACT_ZOOM_OUT:
        view_zoom(&s->v, 2.0);
        break;
    case ACT_TAB:
        s->focus = (s->focus + 1) % (s->kids.list.n ? 3 : 2);
        break;
    case ACT_MARK_START:
    case ACT_MARK_END:
        view_mark(&s->v, act == ACT_MARK_END);
        load_panes(a);
        break;
    case ACT_SERIES1:
    case ACT_SERIES2:
    case ACT_SERIES3:
        s->series ^= 1u << (act - ACT_SERIES1);
        if (!s->series)
            app_message(a, 0, "every series is hidden: press 1, 2 or 3 to show one");
        break;
    case ACT_SORT:
        s->order = (s->order + 1) % 4;
        load_panes(a);
        app_message(a, 0, "panes sorted by %s", order_name(s->order));
        break;
    case ACT_REFRESH:
        reread(a, 1);
        break;
    case ACT_ENTER: {
        if (s->focus == 2) {
            long i = s->pos[2].sel;
            if (i < 0 || i >= (long)s->kids.list.n)
                break;
            int64_t parent = s->id, child = s->kids.list.items[i].id;
            int nback = s->nback;
            if (session_load(a, child) != 0) {
                app_message(a, 1, "session %lld is gone", (long long)child);
                if (session_load(a, parent) != 0)
                    app_pop(a);
                break;
            }
            if (nback < APP_STACK)
                s->back[nback++] = parent;
            s->nback = nback;
            break;
        }
        rtable *t = &s->pane[s->focus];
        long i = s->pos[s->focus].sel;
        if (i < 0 || i >= (long)t->n)
            break;
        if (t->rows[i].line <= 0) {
            app_message(a, 1, "%s has no source line", t->rows[i].func);
            break;
        }
        if (source_open(a, t->rows[i].file, t->rows[i].line) < 0)
            app_message(a, 1, "%s", store_errmsg(a->st));
        break;
    }
    case ACT_BACK:
        if (view_clear_mark(&s->v)) {
            load_panes(a);
        } else if (s->nback > 0) {
            /* back to the parent this child was opened from */
            int nback = s->nback - 1;
            int64_t parent = s->back[nback], child = s->id;
            if (session_load(a, parent) != 0) {
                app_pop(a);
                break;
            }
            s->nback = nback;
            s->focus = 2;
            for (size_t i = 0; i < s->kids.list.n; i++)
                if (s->kids.list.items[i].id == child)
                    s->pos[2].sel = (long)i;
        } else {
            app_pop(a);
        }
        break;
    default:
        break;
    }
}
