/* scr_sessions: every recorded session, newest first, children under their parent. */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "draw.h"
#include "layout.h"
#include "sesslist.h"
#include "term.h"
#include "units.h"

static int is_folded(const sessions_screen *l, int64_t id)
{
    for (size_t i = 0; i < l->nfolded; i++)
        if (l->folded[i] == id)
            return 1;
    return 0;
}

/* Folds (fold = 1) or unfolds the tree of session id. Returns 0, or -1 when out of memory. */
static int set_folded(sessions_screen *l, int64_t id, int fold)
{
    for (size_t i = 0; i < l->nfolded; i++)
        if (l->folded[i] == id) {
            if (!fold)
                l->folded[i] = l->folded[--l->nfolded];
            return 0;
        }
    if (!fold)
        return 0;
    int64_t *nf = realloc(l->folded, (l->nfolded + 1) * sizeof *nf);
    if (!nf)
        return -1;
    l->folded = nf;
    l->folded[l->nfolded++] = id;
    return 0;
}

/* Rebuilds the shown rows from the loaded sessions (sort, filter, folds). */
static int rebuild(app *a)
{
    sessions_screen *l = &a->sl;
    size_t n = l->data.list.n;
    free(l->order);
    free(l->depth);
    free(l->hidden);
    l->order = malloc((n ? n : 1) * sizeof *l->order);
    l->depth = malloc((n ? n : 1) * sizeof *l->depth);
    l->hidden = malloc((n ? n : 1) * sizeof *l->hidden);
    sl_entry *e = malloc((n ? n : 1) * sizeof *e);
    if (!l->order || !l->depth || !l->hidden || !e) {
        free(e);
        l->nrows = 0;
        return -1;
    }
    double now = data_now();
    for (size_t i = 0; i < n; i++) {
        const store_session *s = &l->data.list.items[i];
        e[i] = (sl_entry){ s->id, s->parent, s->cmdline, s->start, session_duration(s, now), s->peak_rss,
                           l->data.growth[i], is_folded(l, s->id) };
    }
    l->nrows = sesslist_order(e, n, l->sort, l->filter, l->order, l->depth, l->hidden);
    free(e);
    if (l->nrows < 0) {
        l->nrows = 0;
        return -1;
    }
    return 0;
}

/* The id of the selected row, 0 if none. */
static int64_t selected_id(const app *a)
{
    const sessions_screen *l = &a->sl;
    if (l->pos.sel < 0 || l->pos.sel >= l->nrows)
        return 0;
    return l->data.list.items[l->order[l->pos.sel]].id;
}

/* Puts the selection on session id if it is shown. */
static void select_id(app *a, int64_t id)
{
    sessions_screen *l = &a->sl;
    for (long r = 0; r < l->nrows; r++)
        if (l->data.list.items[l->order[r]].id == id) {
            l->pos.sel = r;
            return;
        }
}

int sessions_reload(app *a)
{
    sessions_screen *l = &a->sl;
    int64_t sel = selected_id(a);
    if (sessions_load(a->st, &l->data) < 0) {
        app_message(a, 1, "%s", store_errmsg(a->st));
        return -1;
    }
    l->stamp = sessions_stamp(&l->data.list);
    if (rebuild(a) < 0) {
        app_message(a, 1, "out of memory");
        return -1;
    }
    if (sel)
        select_id(a, sel);
    a->dirty = 1;
    return 0;
}

void sessions_poll(app *a)
{
    store_sessions now = { 0 };
    if (store_list_sessions(a->st, &now) < 0)
        return;
    uint64_t stamp = sessions_stamp(&now);
    int live = 0;
    for (size_t i = 0; i < now.n; i++)
        live |= now.items[i].status == MW_END_LIVE;
    store_sessions_free(&now);
    if (stamp != a->sl.stamp)
        sessions_reload(a);
    else if (live)
        a->dirty = 1;   /* durations of live sessions go on */
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

typedef struct cols {
    int pid, date_w;
} cols;

static void draw_header(const rect *r, const cols *c)
{
    int attr = term_attr(PAIR_HEADER);
    draw_fill(r->y, r->x, r->w, attr);
    char buf[256];
    if (c->pid)
        snprintf(buf, sizeof buf, "  %5s %7s %-*s %8s %10s %11s  %-9s  %s", "ID", "PID", c->date_w, "START", "DURATION",
                 "PEAK RSS", "GROWTH/MIN", "STATUS", "COMMAND");
    else
        snprintf(buf, sizeof buf, "  %5s %-*s %8s %10s %11s  %-9s  %s", "ID", c->date_w, "START", "DURATION",
                 "PEAK RSS", "GROWTH/MIN", "STATUS", "COMMAND");
    draw_text(r->y, r->x, r->w, buf, attr);
}

static void draw_row(app *a, const rect *r, int y, long row, const cols *c, double now)
{
    sessions_screen *l = &a->sl;
    size_t i = l->order[row];
    const store_session *s = &l->data.list.items[i];
    int sel = row == l->pos.sel;
    int base = sel ? term_attr(PAIR_SELECT) : (int)A_NORMAL;
    draw_fill(y, r->x, r->w, base);
    char start[32], dur[32], peak[32], growth[40], st[32], line[256];
    draw_time(s->start, start, sizeof start);
    const char *date = c->date_w >= 19 ? start : start + 5;   /* "MM-DD HH:MM" */
    if (c->date_w < 19)
        start[16] = '\0';
    units_format_duration(session_duration(s, now), dur, sizeof dur);
    draw_bytes(s->peak_rss, peak, sizeof peak);
    if (isnan(l->data.growth[i]))
        snprintf(growth, sizeof growth, "-");
    else {
        char b[32];
        double g = l->data.growth[i];
        units_format_bytes((int64_t)llround(g), b, sizeof b);
        snprintf(growth, sizeof growth, "%s%s", g > 0 ? "+" : "", b);
    }
    int marked = s->id == l->marked[0] || s->id == l->marked[1];
    if (c->pid)
        snprintf(line, sizeof line, "%c %5lld %7d %-*s %8s %10s %11s  ", marked ? '*' : ' ', (long long)s->id,
                     s->pid, c->date_w, date, dur, peak, growth);
    else
        snprintf(line, sizeof line, "%c %5lld %-*s %8s %10s %11s  ", marked ? '*' : ' ', (long long)s->id,
                     c->date_w, date, dur, peak, growth);
    int x = r->x + draw_text(y, r->x, r->w, line, base | (marked ? (int)A_BOLD : 0));
    const char *stt = status_text(s, st, sizeof st);
    int sattr = sel ? base : s->status == MW_END_LIVE ? term_attr(PAIR_LIVE) | (int)A_BOLD
                          : s->status == MW_END_CUT ? term_attr(PAIR_GROW) : (int)A_NORMAL;
    draw_printf(y, x, r->x + r->w - x, sattr, "%-9s  ", stt);
    x += 11;
    int d = l->depth[row] < 8 ? l->depth[row] : 8;
    if (d > 0) {
        x += 2 * (d - 1);
        x += draw_text(y, x, r->x + r->w - x, term_glyph("\xE2\x94\x94 ", "`-"), base);
    }
    if (l->hidden[row] > 0)
        x += draw_printf(y, x, r->x + r->w - x, base | (int)A_BOLD, "[+%d] ", l->hidden[row]);
    if (x < r->x + r->w) {
        char cmd[1024];
        draw_text(y, x, r->x + r->w - x, sesslist_short_command(s->cmdline, cmd, sizeof cmd), base);
    }
}

static void draw_empty(app *a, const rect *r)
{
    int y = r->y + r->h / 3;
    if (a->sl.data.list.n > 0) {
        draw_printf(y, 2, COLS - 4, (int)A_BOLD, "No session matches \"%s\".", a->sl.filter);
        draw_text(y + 2, 2, COLS - 4, "Press / and Esc to clear the filter.", (int)A_NORMAL);
        return;
    }
    draw_printf(y, 2, COLS - 4, (int)A_BOLD, "No sessions recorded yet in %s", a->path);
    draw_text(y + 2, 2, COLS - 4, "Record one with:", (int)A_NORMAL);
    draw_text(y + 4, 6, COLS - 8, "memwatch run -- python3 script.py", term_attr(PAIR_LIVE) | (int)A_BOLD);
    draw_text(y + 6, 2, COLS - 4, "or attach to a running program with: memwatch --pid PID", (int)A_NORMAL);
    draw_text(y + 8, 2, COLS - 4, "This screen shows new sessions as they start.", term_attr(PAIR_DIM));
}

void sessions_draw(app *a)
{
    sessions_screen *l = &a->sl;
    list_layout lay;
    layout_list(COLS, LINES, &lay);
    size_t live = 0;
    for (size_t i = 0; i < l->data.list.n; i++)
        live += l->data.list.items[i].status == MW_END_LIVE;
    char filt[APP_INPUT_MAX + 16] = "";
    if (l->filter[0])
        snprintf(filt, sizeof filt, ", filter \"%s\"", l->filter);
    char nlive[32] = "";
    if (live)
        snprintf(nlive, sizeof nlive, ", %zu live", live);
    app_draw_title(a, "memwatch: %zu session%s%s, sorted %s%s  %s", l->data.list.n, l->data.list.n == 1 ? "" : "s",
                   nlive, sesslist_sort_name(l->sort), filt, a->path);
    cols c = { COLS >= 100, COLS >= 120 ? 19 : 11 };
    draw_header(&lay.header, &c);
    if (l->nrows == 0)
        draw_empty(a, &lay.body);
    list_clamp(&l->pos, l->nrows, lay.body.h);
    double now = data_now();
    for (int y = 0; y < lay.body.h && l->pos.top + y < l->nrows; y++)
        draw_row(a, &lay.body, lay.body.y + y, l->pos.top + y, &c, now);
    app_draw_status(a, "? help  q quit  Enter open  / filter  s sort  <-/-> fold  Space mark  c compare  d delete  r refresh");
}

void sessions_search(app *a, const char *text)
{
    int64_t sel = selected_id(a);
    snprintf(a->sl.filter, sizeof a->sl.filter, "%s", text);
    rebuild(a);
    a->sl.pos.sel = 0;
    if (sel)
        select_id(a, sel);
    a->dirty = 1;
}

/* Marks (or unmarks) a session for comparing; a third mark replaces the oldest. */
static void toggle_mark(app *a, int64_t id)
{
    int64_t *m = a->sl.marked;
    if (m[0] == id || m[1] == id) {
        if (m[0] == id)
            m[0] = m[1];
        m[1] = 0;
        return;
    }
    if (!m[0])
        m[0] = id;
    else if (!m[1])
        m[1] = id;
    else {
        m[0] = m[1];
        m[1] = id;
    }
}

static void delete_session(app *a, int64_t id)
{
    char err[512];
    int kind;
    store *w = store_open_kind(a->path, STORE_WRITE, &kind, err, sizeof err);
    if (!w) {
        app_message(a, 1, "cannot delete: %s", err);
        return;
    }
    int r = store_delete_session(w, id);
    if (r < 0)
        app_message(a, 1, "cannot delete session %lld: %s", (long long)id, store_errmsg(w));
    else if (r > 0)
        app_message(a, 1, "session %lld is gone already", (long long)id);
    else
        app_message(a, 0, "deleted session %lld", (long long)id);
    store_close(w);
    if (a->sl.marked[0] == id || a->sl.marked[1] == id)
        toggle_mark(a, id);
    char keep[256];
    snprintf(keep, sizeof keep, "%s", a->message);
    int error = a->message_error;
    sessions_reload(a);
    if (!a->message_error)
        app_message(a, error, "%s", keep);
}

void sessions_confirm(app *a, int yes)
{
    int64_t id = a->sl.del_id;
    a->sl.del_id = 0;
    if (yes && id)
        delete_session(a, id);
    else
        app_message(a, 0, "nothing deleted");
}

void sessions_key(app *a, int act, int key)
{
    (void)key;
    sessions_screen *l = &a->sl;
    list_layout lay;
    layout_list(COLS, LINES, &lay);
    if (list_move(&l->pos, act, l->nrows, layout_page(&lay.body)))
        return;
    int64_t id = selected_id(a);
    switch (act) {
    case ACT_ENTER:
        if (id) {
            int r = session_open(a, id);
            if (r > 0)
                app_message(a, 1, "session %lld is gone (deleted?)", (long long)id);
            else if (r < 0)
                app_message(a, 1, "%s", store_errmsg(a->st));
        }
        break;
    case ACT_LEFT:
    case ACT_RIGHT:
        if (id) {
            /* the tree's root: the nearest top-level row at or above the selection */
            long r = l->pos.sel;
            while (r > 0 && l->depth[r] > 0)
                r--;
            int64_t root = l->data.list.items[l->order[r]].id;
            if (set_folded(l, root, act == ACT_LEFT) < 0)
                app_message(a, 1, "out of memory");
            rebuild(a);
            select_id(a, act == ACT_LEFT ? root : id);
        }
        break;
    case ACT_SORT:
        l->sort = (l->sort + 1) % SL_SORTS;
        rebuild(a);
        if (id)
            select_id(a, id);
        app_message(a, 0, "sorted: %s", sesslist_sort_name(l->sort));
        break;
    case ACT_REFRESH:
        if (sessions_reload(a) == 0)
            app_message(a, 0, "read %zu sessions from %s", l->data.list.n, a->path);
        break;
    case ACT_BACK:
        if (l->filter[0])
            sessions_search(a, "");
        break;
    case ACT_SELECT:
        if (id) {
            toggle_mark(a, id);
            list_move(&l->pos, ACT_DOWN, l->nrows, layout_page(&lay.body));
        }
        break;
    case ACT_COMPARE:
        if (!l->marked[0] || !l->marked[1]) {
            app_message(a, 1, "mark two sessions with Space first, then press c");
        } else {
            int64_t x = l->marked[0] < l->marked[1] ? l->marked[0] : l->marked[1];
            int64_t y = l->marked[0] < l->marked[1] ? l->marked[1] : l->marked[0];
            if (compare_open(a, x, y) < 0)
                app_message(a, 1, "%s", store_errmsg(a->st));
        }
        break;
    case ACT_DELETE:
        if (id) {
            const store_session *s = &l->data.list.items[l->order[l->pos.sel]];
            if (s->status == MW_END_LIVE) {
                app_message(a, 1, "session %lld is still being recorded: it cannot be deleted", (long long)id);
                break;
            }
            l->del_id = id;
            a->input = INPUT_CONFIRM;
            char cmd[64];
            snprintf(cmd, sizeof cmd, "%.60s", s->cmdline);
            app_message(a, 0, "Delete session %lld (%s)%s? y/n", (long long)id, cmd,
                        s->children ? " and its child sessions" : "");
        }
        break;
    default:
        break;
    }
    a->dirty = 1;
}
