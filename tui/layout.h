/* layout: where each part of a screen goes for a terminal size (pure). */
#ifndef MW_TUI_LAYOUT_H
#define MW_TUI_LAYOUT_H

typedef struct rect {
    int x, y, w, h;
} rect;

#define LAYOUT_MIN_COLS 40
#define LAYOUT_MIN_ROWS 12
#define LAYOUT_YAXIS_W 7       /* "1023M ┤" */

/* The session screen: title line, plot (y labels at its left, time axis
 * under it), one info line, the lines and functions panes (side by side
 * when wide enough, else one at a time in pane[0]), and a status line. */
typedef struct session_layout {
    rect title, yaxis, plot, xaxis, info, pane[2], status;
    int panes;                 /* 2: both panes shown side by side; 1: only the focused one */
} session_layout;

/* Lays out the session screen for cols x rows (clamped up to the minimum). */
void layout_session(int cols, int rows, session_layout *out);

/* A list screen: title, a header row, the list body, a status line. */
typedef struct list_layout {
    rect title, header, body, status;
} list_layout;

/* Lays out a list screen for cols x rows (clamped up to the minimum). */
void layout_list(int cols, int rows, list_layout *out);

/* Rows of the body that a page key moves (at least 1). */
int layout_page(const rect *body);

#endif
