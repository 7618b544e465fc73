/* layout: where each part of a screen goes for a terminal size. */
#include "layout.h"

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void layout_session(int cols, int rows, session_layout *o)
{
    if (cols < LAYOUT_MIN_COLS)
        cols = LAYOUT_MIN_COLS;
    if (rows < LAYOUT_MIN_ROWS)
        rows = LAYOUT_MIN_ROWS;
    o->title = (rect){ 0, 0, cols, 1 };
    o->status = (rect){ 0, rows - 1, cols, 1 };
    int avail = rows - 2;                       /* between title and status */
    /* the plot takes about 45% (at least 4 rows, at most 40), the panes keep >= 4 */
    int plot_h = clamp(avail * 45 / 100, 4, 40);
    if (avail - plot_h - 2 < 4)
        plot_h = clamp(avail - 6, 2, plot_h);
    o->yaxis = (rect){ 0, 1, LAYOUT_YAXIS_W, plot_h };
    o->plot = (rect){ LAYOUT_YAXIS_W, 1, cols - LAYOUT_YAXIS_W - 1, plot_h };
    o->xaxis = (rect){ LAYOUT_YAXIS_W, 1 + plot_h, cols - LAYOUT_YAXIS_W - 1, 1 };
    o->info = (rect){ 0, 2 + plot_h, cols, 1 };
    int py = 3 + plot_h, ph = rows - 1 - py;
    if (ph < 1)
        ph = 1;
    if (cols >= 180) {
        int left = (cols - 1) / 2;
        o->panes = 2;
        o->pane[0] = (rect){ 0, py, left, ph };
        o->pane[1] = (rect){ left + 1, py, cols - left - 1, ph };
    } else {
        o->panes = 1;
        o->pane[0] = (rect){ 0, py, cols, ph };
        o->pane[1] = o->pane[0];
    }
}

void layout_list(int cols, int rows, list_layout *o)
{
    if (cols < LAYOUT_MIN_COLS)
        cols = LAYOUT_MIN_COLS;
    if (rows < LAYOUT_MIN_ROWS)
        rows = LAYOUT_MIN_ROWS;
    o->title = (rect){ 0, 0, cols, 1 };
    o->header = (rect){ 0, 1, cols, 1 };
    o->body = (rect){ 0, 2, cols, rows - 3 };
    o->status = (rect){ 0, rows - 1, cols, 1 };
}

int layout_page(const rect *body)
{
    return body->h > 2 ? body->h - 1 : 1;
}
