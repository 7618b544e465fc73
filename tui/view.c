/* view: the time window, cursor and marked range of the session screen. */
#include "view.h"

#include <math.h>

static double span_of(const view *v)
{
    return v->w1 - v->w0;
}

static void clamp_window(view *v)
{
    double span = span_of(v);
    double len = v->len > VIEW_MIN_SPAN ? v->len : VIEW_MIN_SPAN;
    if (!(span > 0) || span > len)
        span = len;
    if (span < VIEW_MIN_SPAN)
        span = VIEW_MIN_SPAN;
    if (v->w0 < 0)
        v->w0 = 0;
    if (v->w0 + span > len)
        v->w0 = len - span;
    if (v->w0 < 0)
        v->w0 = 0;
    v->w1 = v->w0 + span;
    if (v->cursor < v->w0)
        v->cursor = v->w0;
    if (v->cursor > v->w1)
        v->cursor = v->w1;
    if (v->cursor > v->len)
        v->cursor = v->len > 0 ? v->len : 0;
}

void view_reset(view *v, double len)
{
    v->len = len > 0 && isfinite(len) ? len : 0;
    v->w0 = 0;
    v->w1 = v->len > VIEW_MIN_SPAN ? v->len : VIEW_MIN_SPAN;
    v->cursor = v->len;
    v->mark_a = v->mark_b = -1;
    v->follow = 1;
    clamp_window(v);
}

void view_set_len(view *v, double len)
{
    if (!(len >= 0) || !isfinite(len))
        return;
    int at_end = v->cursor >= v->len - 1e-9;
    double old = v->len;
    v->len = len;
    if (v->follow) {
        if (v->w0 <= 0 && v->w1 >= old - 1e-9)
            v->w1 = len > VIEW_MIN_SPAN ? len : VIEW_MIN_SPAN;   /* whole session shown: keep it whole */
        else {
            double span = span_of(v);
            v->w1 = len;
            v->w0 = len - span;
        }
    }
    if (at_end)
        v->cursor = len;
    clamp_window(v);
}

void view_move(view *v, int steps, int cols)
{
    if (cols < 1)
        cols = 1;
    double per = span_of(v) / cols;
    v->cursor += steps * per;
    if (v->cursor < 0)
        v->cursor = 0;
    if (v->cursor > v->len)
        v->cursor = v->len;
    double span = span_of(v);
    if (v->cursor < v->w0) {
        v->w0 = v->cursor;
        v->w1 = v->w0 + span;
    } else if (v->cursor > v->w1) {
        v->w1 = v->cursor;
        v->w0 = v->w1 - span;
    }
    v->follow = v->w1 >= v->len - 1e-9;
    clamp_window(v);
}

void view_jump(view *v, int where)
{
    double span = span_of(v);
    if (where < 0) {
        v->cursor = 0;
        v->w0 = 0;
    } else {
        v->cursor = v->len;
        v->w0 = v->len - span;
    }
    v->w1 = v->w0 + span;
    v->follow = where > 0;
    clamp_window(v);
}

void view_zoom(view *v, double factor)
{
    if (!(factor > 0))
        return;
    double span = span_of(v), ns = span * factor;
    double len = v->len > VIEW_MIN_SPAN ? v->len : VIEW_MIN_SPAN;
    if (ns < VIEW_MIN_SPAN)
        ns = VIEW_MIN_SPAN;
    if (ns > len)
        ns = len;
    /* keep the cursor at the same place on screen */
    double f = span > 0 ? (v->cursor - v->w0) / span : 0.5;
    v->w0 = v->cursor - f * ns;
    v->w1 = v->w0 + ns;
    clamp_window(v);
    v->follow = v->w1 >= v->len - 1e-9;
}

void view_mark(view *v, int end)
{
    if (end) {
        if (v->mark_a < 0)
            v->mark_a = 0;
        v->mark_b = v->cursor;
    } else {
        v->mark_a = v->cursor;
        if (v->mark_b < 0)
            v->mark_b = v->len;
    }
}

int view_clear_mark(view *v)
{
    int had = v->mark_a >= 0;
    v->mark_a = v->mark_b = -1;
    return had;
}

int view_range(const view *v, double *from, double *to)
{
    if (v->mark_a < 0) {
        *from = 0;
        *to = 1e300;
        return 0;
    }
    *from = v->mark_a < v->mark_b ? v->mark_a : v->mark_b;
    *to = v->mark_a < v->mark_b ? v->mark_b : v->mark_a;
    return 1;
}

int view_col(const view *v, double t, int cols)
{
    double span = span_of(v);
    if (cols < 1 || !(span > 0) || t < v->w0 || t > v->w1)
        return -1;
    int c = (int)((t - v->w0) / span * cols);
    return c >= cols ? cols - 1 : c;
}

double view_time(const view *v, int col, int cols)
{
    if (cols < 1)
        cols = 1;
    return v->w0 + span_of(v) * col / cols;
}
