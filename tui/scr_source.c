/* scr_source: a file's saved lines with each line's figures beside it, memory_profiler style. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "match.h"
#include "axis.h"
#include "draw.h"
#include "layout.h"
#include "term.h"
#include "units.h"

typedef struct src_fill {
    source_screen *src;
    size_t cap;
    int oom;
} src_fill;

static src_line *room(src_fill *f)
{
    source_screen *src = f->src;
    if (src->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 256;
        src_line *nl = realloc(src->lines, cap * sizeof *nl);
        char **nt = realloc(src->texts, cap * sizeof *nt);
        if (nt)
            src->texts = nt;
        if (!nl || !nt) {
            if (nl)
                src->lines = nl;
            f->oom = 1;
            return NULL;
        }
        src->lines = nl;
        f->cap = cap;
    }
    src_line *l = &src->lines[src->n];
    memset(l, 0, sizeof *l);
    return l;
}

static int add_text(void *arg, int32_t line, const char *text)
{
    src_fill *f = arg;
    src_line *l = room(f);
    char *copy = l ? strdup(text) : NULL;
    if (!copy) {
        f->oom = 1;
        return 1;
    }
    f->src->texts[f->src->ntexts++] = copy;
    l->line = line;
    l->text = copy;
    f->src->n++;
    return 0;
}

int source_open(app *a, const char *file, int32_t line)
{
    source_screen *src = &a->src;
    source_close(a);
    src->file = strdup(file);
    if (!src->file)
        return -1;
    src_fill f = { src, 0, 0 };
    if (store_source_file(a->st, a->sv.id, file, add_text, &f) < 0) {
        source_close(a);
        return -1;
    }
    /* the figures of the session screen's range, every line of this file: the
     * lines pane has them all unless it was cut at APP_REPORT_ROWS */
    rtable t = { 0 };
    const rtable *from = &a->sv.pane[0];
    if (from->n >= APP_REPORT_ROWS || a->sv.loading_panes) {
        if (rtable_load(a->st, a->sv.id, STORE_LINES, a->sv.from, a->sv.to, STORE_BY_PLACE, 0, &t) < 0) {
            source_close(a);
            return -1;
        }
        from = &t;
    }
    for (size_t i = 0; i < from->n && !f.oom; i++) {
        const rrow *r = &from->rows[i];
        if (r->line <= 0 || strcmp(r->file, file) != 0)
            continue;
        src_line *l = room(&f);
        if (!l)
            break;
        *l = (src_line){ r->line, NULL, 1, r->growth, r->shrink, r->net, r->hits, r->peak };
        src->n++;
    }
    rtable_free(&t);
    if (!f.oom) {
        src->n = srcview_merge(src->lines, src->n);
        src->rows = malloc((2 * src->n + 1) * sizeof *src->rows);
    }
    if (f.oom || !src->rows) {
        source_close(a);
        app_message(a, 1, "out of memory");
        return 0;
    }
    src->nrows = srcview_rows(src->lines, src->n, src->rows);
    src->target = line;
    list_layout lay;
    layout_list(COLS, LINES, &lay);
    src->pos.sel = (long)srcview_find(src->lines, src->rows, src->nrows, line);
    src->pos.top = src->pos.sel - lay.body.h / 3;
    list_clamp(&src->pos, (long)src->nrows, lay.body.h);
    app_push(a, SCR_SOURCE);
    return 0;
}

void source_close(app *a)
{
    source_screen *src = &a->src;
    for (size_t i = 0; i < src->ntexts; i++)
        free(src->texts[i]);
    free(src->texts);
    free(src->lines);
    free(src->rows);
    free(src->file);
    memset(src, 0, sizeof *src);
}

void source_draw(app *a)
{
    source_screen *src = &a->src;
    list_layout lay;
    layout_list(COLS, LINES, &lay);
    char a1[16] = "", b1[16] = "";
    if (a->sv.marked) {
        axis_label_time(a->sv.from, a1, sizeof a1);
        axis_label_time(a->sv.to, b1, sizeof b1);
    }
    app_draw_title(a, "Source  %s  (session %lld, %s%s%s%s)", src->file, (long long)a->sv.id,
                   a->sv.marked ? "range " : "whole session", a1, a->sv.marked ? "-" : "", b1);
    int fw = COLS >= 100 ? 10 : 9;
    char head[256];
    snprintf(head, sizeof head, "%6s %*s %*s %*s %7s %*s  %s", "Line #", fw, "Growth", fw, "Shrink", fw, "Net",
             "Hits", fw, "Peak RSS", "Line Contents");
    draw_fill(lay.header.y, 0, COLS, term_attr(PAIR_HEADER));
    draw_text(lay.header.y, 0, COLS, head, term_attr(PAIR_HEADER));
    if (src->nrows == 0)
        draw_text(lay.body.y + 1, 2, COLS - 4, "no source saved for this file (the session may still be running)",
                  term_attr(PAIR_DIM));
    list_clamp(&src->pos, (long)src->nrows, lay.body.h);
    for (int y = 0; y < lay.body.h && src->pos.top + y < (long)src->nrows; y++) {
        long r = src->pos.top + y;
        const src_row *row = &src->rows[r];
        int sel = r == src->pos.sel;
        int base = sel ? term_attr(PAIR_SELECT) : (int)A_NORMAL;
        int yy = lay.body.y + y;
        draw_fill(yy, 0, COLS, base);
        if (row->gap) {
            draw_printf(yy, 0, COLS, sel ? base : term_attr(PAIR_DIM), "%6s", term_glyph("\xE2\x80\xA6", "..."));
            continue;
        }
        const src_line *l = &src->lines[row->idx];
        int x = draw_printf(yy, 0, COLS, base | (l->line == src->target ? (int)A_BOLD : 0), "%6d ", (int)l->line);
        if (l->has_figs) {
            char g[32], sh[32], n[32], pk[32];
            units_format_bytes(l->growth, g, sizeof g);
            units_format_bytes(l->shrink, sh, sizeof sh);
            units_format_bytes(l->net, n, sizeof n);
            draw_bytes(l->peak, pk, sizeof pk);
            x += draw_printf(yy, x, COLS - x, sel ? base : term_attr(PAIR_GROW) | (int)A_BOLD, "%*s ", fw, g);
            x += draw_printf(yy, x, COLS - x, sel ? base : term_attr(PAIR_SHRINK), "%*s ", fw, sh);
            x += draw_printf(yy, x, COLS - x, base, "%*s %7lld %*s  ", fw, n, (long long)l->hits, fw, pk);
        } else {
            x += draw_printf(yy, x, COLS - x, base, "%*s  ", 4 * (fw + 1) + 7, "");
        }
        /* tabs to spaces: textout would show them as '?' */
        char text[1024];
        size_t o = 0;
        for (const char *p = l->text ? l->text : ""; *p && o + 9 < sizeof text; p++) {
            if (*p == '\t') {
                do
                    text[o++] = ' ';
                while (o % 4);
            } else {
                text[o++] = *p;
            }
        }
        text[o] = '\0';
        draw_text(yy, x, COLS - x, l->text ? text : "(source not saved)", l->text ? base : base | (int)A_DIM);
    }
    app_draw_status(a, "? help  Esc back  q quit  Up/Down move  PgUp/PgDn page  / find");
}

void source_search(app *a, const char *text)
{
    source_screen *src = &a->src;
    if (!*text || src->nrows == 0)
        return;
    for (size_t k = 1; k <= src->nrows; k++) {
        size_t r = ((size_t)src->pos.sel + k) % src->nrows;
        if (!src->rows[r].gap && src->lines[src->rows[r].idx].text &&
            match_contains(src->lines[src->rows[r].idx].text, text)) {
            src->pos.sel = (long)r;
            a->dirty = 1;
            return;
        }
    }
    app_message(a, 1, "\"%s\" is not in the saved lines", text);
}

void source_key(app *a, int act, int key)
{
    (void)key;
    source_screen *src = &a->src;
    list_layout lay;
    layout_list(COLS, LINES, &lay);
    a->dirty = 1;
    if (list_move(&src->pos, act, (long)src->nrows, layout_page(&lay.body)))
        return;
    if (act == ACT_BACK || act == ACT_LEFT)
        app_pop(a);
}
