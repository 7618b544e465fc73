/* app: the state of memwatch-tui shared by its screens, and the screens' entry points. */
#ifndef MW_TUI_APP_H
#define MW_TUI_APP_H

#include <stdint.h>
#include <stdio.h>

#include "compare.h"
#include "data.h"
#include "keys.h"
#include "loader.h"
#include "plot.h"
#include "srcview.h"
#include "store.h"
#include "view.h"

#define APP_POLL_S 0.5         /* how often a live session is read again */
#define APP_INPUT_MAX 128
#define APP_REPORT_ROWS 500    /* rows kept per pane */
#define APP_STACK 8
#ifndef APP_RAW_MAX
#define APP_RAW_MAX 2000000    /* longer timelines are drawn from their minutes only (memory) */
#endif

/* A one-line prompt at the bottom: a search text or a y/n question. */
enum input_mode { INPUT_NONE = 0, INPUT_SEARCH, INPUT_CONFIRM };

typedef struct list_pos {
    long sel, top;
} list_pos;

typedef struct sessions_screen {
    sessions data;
    uint64_t stamp;
    size_t *order;
    int *depth;
    long nrows;
    list_pos pos;
    int sort;                  /* enum sl_sort */
    char filter[APP_INPUT_MAX];
    int64_t marked[2];         /* sessions marked for comparing, 0: none */
    int64_t del_id;            /* the session a y/n question is about */
    int *hidden;               /* per row: descendants a folded tree hides */
    int64_t *folded;           /* top-level sessions whose children are folded away */
    size_t nfolded;
} sessions_screen;

/* The plot as last rasterised, and what it showed. */
typedef struct plot_cache {
    plot_grid grid;
    int cols, rows, glyphs;
    double w0, w1, vmin, vmax, step;
    unsigned series;
    const double *t;           /* the timeline's rows and their count */
    size_t n;
} plot_cache;

typedef struct session_screen {
    int64_t id;
    store_session ss;
    timeline tl;               /* the samples, once read */
    timeline minutes;          /* the timeline folded per minute: drawn until the samples are in */
    int tl_complete;           /* the samples have been read once */
    view v;
    plot_cache cache;
    unsigned series;           /* bit i: series i shown */
    rtable pane[2];            /* lines, functions */
    sessions kids;             /* the child sessions, the third pane */
    list_pos pos[3];
    int focus;                 /* 0 lines, 1 functions, 2 child sessions */
    int64_t back[APP_STACK];   /* parents of a child opened from the third pane (Esc returns) */
    int nback;
    int order;                 /* enum store_order */
    double from, to;           /* the range the panes were loaded for */
    int marked;                /* the range is a marked one */
    int plot_cols;             /* width of the plot last drawn (cursor steps) */
    unsigned gen;              /* of the latest tables asked for */
    int loading_tl, loading_panes;   /* results still to come */
    double asked_tl, asked_panes;    /* when they were asked for (monotonic seconds) */
} session_screen;

typedef struct source_screen {
    char *file;
    src_line *lines;
    char **texts;              /* owned copies behind lines[].text */
    size_t n, ntexts;
    src_row *rows;
    size_t nrows;
    list_pos pos;
    int32_t target;
} source_screen;

typedef struct compare_screen {
    int64_t a, b;
    rtable ra, rb;
    cmp_in *ia, *ib;
    cmp_row *rows;
    long n;
    list_pos pos;
    int by_place;
} compare_screen;

typedef struct app {
    store *st;
    char path[4096];
    int stack[APP_STACK];      /* screens, stack[depth - 1] on top */
    int depth;
    int quit;
    int dirty;
    int input;                 /* enum input_mode */
    char inbuf[APP_INPUT_MAX];
    size_t inlen;
    char message[256];         /* shown on the status line until the next key */
    int message_error;
    double last_poll;
    FILE *timing;              /* --timing: per-key latency log */
    loader *ld;                /* reads the session screen's data off the key loop */
    sessions_screen sl;
    session_screen sv;
    source_screen src;
    compare_screen cmp;
} app;

/* The screen on top. */
int app_screen(const app *a);

/* Opens screen scr on top of the current one. */
void app_push(app *a, int scr);

/* Goes back one screen (quits from the first). */
void app_pop(app *a);

/* Sets the status-line message (error: shown as one). */
void app_message(app *a, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* 1 once SIGINT, SIGTERM or SIGHUP asked memwatch-tui to stop. */
int app_stop_requested(void);

/* Runs the key loop until quit. Returns 0, or -1 after a store error (a->message says it). */
int app_run(app *a);

/* Moves a list position by action act over n rows with page rows visible. Returns 1 if handled. */
int list_move(list_pos *p, int act, long n, int page);

/* Keeps the selection within [0, n) and visible in page rows. */
void list_clamp(list_pos *p, long n, int page);

/* Sessions screen. */
int sessions_reload(app *a);
void sessions_draw(app *a);
void sessions_key(app *a, int act, int key);
void sessions_search(app *a, const char *text);
void sessions_confirm(app *a, int yes);
void sessions_poll(app *a);

/* Session screen: opens session id (pushing the screen). Returns 0, 1 no such session, -1 error. */
int session_open(app *a, int64_t id);
void session_draw(app *a);
void session_key(app *a, int act, int key);
void session_search(app *a, const char *text);
void session_poll(app *a);
void session_close(app *a);
/* Takes what the loader read for the session screen; 1 if the screen changed. */
int session_results(app *a);

/* Source screen: file of the open session, scrolled to line. Returns 0 or -1. */
int source_open(app *a, const char *file, int32_t line);
void source_draw(app *a);
void source_key(app *a, int act, int key);
void source_search(app *a, const char *text);
void source_close(app *a);

/* Compare screen for sessions a and b. Returns 0 or -1. */
int compare_open(app *a, int64_t sa, int64_t sb);
void compare_draw(app *a);
void compare_key(app *a, int act, int key);
void compare_search(app *a, const char *text);
void compare_close(app *a);

/* Help screen: the keys of the screen under it. */
void help_draw(app *a);

/* Monotonic seconds, for timings. */
double app_clock(void);

/* The title and status lines every screen shares. */
void app_draw_title(app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_draw_status(app *a, const char *hints);

#endif
