/* scr_compare: two sessions' growth per line side by side, largest difference first. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "draw.h"
#include "layout.h"
#include "match.h"
#include "term.h"
#include "units.h"

static cmp_in *inputs(const rtable *t)
{
    cmp_in *v = malloc((t->n ? t->n : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        v[i] = (cmp_in){ t->rows[i].file, t->rows[i].func, t->rows[i].text, t->rows[i].line, t->rows[i].growth,
                         t->rows[i].net };
    return v;
}

static int by_place(const void *x, const void *y)
{
    const cmp_row *a = x, *b = y;
    int c = strcmp(a->file, b->file);
    return c ? c : (a->line > b->line) - (a->line < b->line);
}

static void order_rows(app *a)
{
    compare_screen *c = &a->cmp;
    if (c->by_place)
        qsort(c->rows, (size_t)c->n, sizeof *c->rows, by_place);
    else {
        /* compare_join's order: join again */
        c->n = compare_join(c->ia, c->ra.n, c->ib, c->rb.n, c->rows);
        if (c->n < 0)
            c->n = 0;
    }
}

int compare_open(app *a, int64_t sa, int64_t sb)
{
    compare_screen *c = &a->cmp;
    compare_close(a);
    c->a = sa;
    c->b = sb;
    if (rtable_load(a->st, sa, STORE_LINES, 0, STORE_OPEN_END, STORE_BY_PLACE, 0, &c->ra) < 0 ||
        rtable_load(a->st, sb, STORE_LINES, 0, STORE_OPEN_END, STORE_BY_PLACE, 0, &c->rb) < 0) {
        compare_close(a);
        return -1;
    }
    c->ia = inputs(&c->ra);
    c->ib = inputs(&c->rb);
    c->rows = malloc((c->ra.n + c->rb.n + 1) * sizeof *c->rows);
    if (!c->ia || !c->ib || !c->rows) {
        compare_close(a);
        app_message(a, 1, "out of memory");
        return 0;
    }
    c->n = compare_join(c->ia, c->ra.n, c->ib, c->rb.n, c->rows);
    if (c->n < 0) {
        compare_close(a);
        app_message(a, 1, "out of memory");
        return 0;
    }
    app_push(a, SCR_COMPARE);
    return 0;
}

void compare_close(app *a)
{
    compare_screen *c = &a->cmp;
    rtable_free(&c->ra);
    rtable_free(&c->rb);
    free(c->ia);
    free(c->ib);
    free(c->rows);
    memset(c, 0, sizeof *c);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b && b[1] ? b + 1 : path;
}

void compare_draw(app *a)
{
    compare_screen *c = &a->cmp;
    list_layout lay;
    layout_list(COLS, LINES, &lay);
    app_draw_title(a, "Compare  A = session %lld  B = session %lld  growth per line, %s", (long long)c->a,
                   (long long)c->b, c->by_place ? "by file and line" : "largest difference first");
    char head[256];
    snprintf(head, sizeof head, " %10s %10s %11s  %s", "Growth A", "Growth B", "B - A", "Line");
    draw_fill(lay.header.y, 0, COLS, term_attr(PAIR_HEADER));
    draw_text(lay.header.y, 0, COLS, head, term_attr(PAIR_HEADER));
    if (c->n == 0)
        draw_text(lay.body.y + 1, 2, COLS - 4, "neither session has memory charged to a line", term_attr(PAIR_DIM));
    list_clamp(&c->pos, c->n, lay.body.h);
    for (int y = 0; y < lay.body.h && c->pos.top + y < c->n; y++) {
        long i = c->pos.top + y;
        const cmp_row *r = &c->rows[i];
        int sel = i == c->pos.sel;
        int base = sel ? term_attr(PAIR_SELECT) : (int)A_NORMAL;
        int yy = lay.body.y + y;
        draw_fill(yy, 0, COLS, base);
        char ga[32] = "-", gb[32] = "-", d[40], db[32], line[1024];
        if (r->in_a)
            units_format_bytes(r->a_growth, ga, sizeof ga);
        if (r->in_b)
            units_format_bytes(r->b_growth, gb, sizeof gb);
        int64_t diff = compare_diff(r);
        units_format_bytes(diff < 0 ? -diff : diff, db, sizeof db);
        snprintf(d, sizeof d, "%s%s", diff > 0 ? "+" : diff < 0 ? "-" : "", db);
        int x = draw_printf(yy, 0, COLS, base, " %10s %10s ", ga, gb);
        x += draw_printf(yy, x, COLS - x, sel ? base : term_attr(diff > 0 ? PAIR_GROW : PAIR_SHRINK) | (int)A_BOLD,
                         "%11s  ", d);
        if (r->line > 0) {
            const char *t = r->text ? r->text : "";
            while (*t == ' ' || *t == '\t')
                t++;
            snprintf(line, sizeof line, "%s:%d  %s", base_name(r->file), (int)r->line, t);
        } else {
            snprintf(line, sizeof line, "%s", r->func);
        }
        draw_text(yy, x, COLS - x, line, base);
    }
    app_draw_status(a, "? help  Esc back  q quit  Up/Down move  s sort  / find");
}

void compare_search(app *a, const char *text)
{
    compare_screen *c = &a->cmp;
    if (!*text || c->n == 0)
        return;
    for (long k = 1; k <= c->n; k++) {
        long i = (c->pos.sel + k) % c->n;
        if (match_contains(c->rows[i].file, text) || match_contains(c->rows[i].func, text) ||
            match_contains(c->rows[i].text, text)) {
            c->pos.sel = i;
            a->dirty = 1;
            return;
        }
    }
    app_message(a, 1, "\"%s\" is in neither session", text);
}

void compare_key(app *a, int act, int key)
{
    (void)key;
    compare_screen *c = &a->cmp;
    list_layout lay;
    layout_list(COLS, LINES, &lay);
    a->dirty = 1;
    if (list_move(&c->pos, act, c->n, layout_page(&lay.body)))
        return;
    if (act == ACT_SORT) {
        c->by_place = !c->by_place;
        order_rows(a);
    } else if (act == ACT_BACK) {
        app_pop(a);
    }
}
