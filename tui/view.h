/* view: the time window, cursor and marked range of the session screen (pure). */
#ifndef MW_TUI_VIEW_H
#define MW_TUI_VIEW_H

/* Times are seconds from the session's start. */
typedef struct view {
    double len;                /* the session's length so far */
    double w0, w1;             /* the visible window */
    double cursor;             /* within the window */
    double mark_a, mark_b;     /* the marked range; mark_a < 0: none */
    int follow;                /* the window stays on the end while the session grows */
} view;

#define VIEW_MIN_SPAN 0.5      /* zooming in stops at half a second across */

/* Shows the whole session of length len with the cursor at its end. */
void view_reset(view *v, double len);

/* The session grew (or shrank) to len; a window following the end moves along. */
void view_set_len(view *v, double len);

/* Moves the cursor by steps columns of a plot cols wide; past an edge the window scrolls. */
void view_move(view *v, int steps, int cols);

/* Puts the cursor at the start (where < 0) or the end (where > 0) of the session, scrolling there. */
void view_jump(view *v, int where);

/* Zooms by factor (< 1 in, > 1 out) around the cursor, within [0, len]. */
void view_zoom(view *v, double factor);

/* Marks the start (end = 0) or the end (end = 1) of the range at the cursor. */
void view_mark(view *v, int end);

/* Forgets the marked range. Returns 1 if there was one. */
int view_clear_mark(view *v);

/* The range the tables sum over: the marked one (ordered), else the whole session. 1 if marked. */
int view_range(const view *v, double *from, double *to);

/* Column (0..cols-1) of time t in the window, or -1 if outside. */
int view_col(const view *v, double t, int cols);

/* Time at the left edge of column col. */
double view_time(const view *v, int col, int cols);

#endif
