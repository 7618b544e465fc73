/* Unit tests: the curses-free logic of memwatch-tui — the braille/block/ASCII
 * plot rasteriser, axis ticks and labels, screen layouts from 80x24 to
 * 300x100, the time cursor/zoom/range, the sessions list order and filter,
 * the source view with gaps, the two-session comparison and the key table. */
#include <math.h>
#include <stdlib.h>

#include "axis.h"
#include "check.h"
#include "compare.h"
#include "keys.h"
#include "layout.h"
#include "plot.h"
#include "sesslist.h"
#include "srcview.h"
#include "view.h"

/* Dot rows (0 = top) set in dot column x of series s, as a bit set over the plot height. */
static unsigned long long column_dots(const plot_grid *g, int s, int x)
{
    unsigned long long bits = 0;
    int col = x / g->dx, xx = x % g->dx;
    for (int row = 0; row < g->rows; row++) {
        unsigned m = plot_dots(g, col, row, s);
        for (int yy = 0; yy < g->dy; yy++)
            if (m & (1u << (yy * g->dx + xx)))
                bits |= 1ull << (row * g->dy + yy);
    }
    return bits;
}

static void test_plot_braille(void)
{
    /* 40 samples, flat at 0 but one spike to 100 at sample 17 */
    double t[40];
    int64_t v[40];
    for (int i = 0; i < 40; i++) {
        t[i] = i;
        v[i] = i == 17 ? 100 : 0;
    }
    plot_data d = { t, { v, NULL, NULL }, 40 };
    plot_grid g;
    CHECK(plot_grid_init(&g, 5, 2, PLOT_BRAILLE) == 0);   /* 10 x 8 dots: 4 samples per dot column */
    CHECK(g.dx == 2 && g.dy == 4);
    plot_raster(&g, &d, 1, 0, 40, 0, 100);
    /* the spike's column (17 / 4 = 4) spans the whole height: min 0 .. max 100 */
    CHECK(column_dots(&g, 0, 4) == 0xFF);
    /* flat columns away from it: only the bottom dot */
    CHECK(column_dots(&g, 0, 0) == 0x80);
    CHECK(column_dots(&g, 0, 9) == 0x80);
    /* the column after joins back down from the spike's last value (0): bottom only */
    CHECK(column_dots(&g, 0, 5) == 0x80);
    char buf[8];
    /* cell 0, bottom row: both dot columns at the lowest dot = braille dots 7 and 8 */
    CHECK(plot_cell(&g, 0, 1, buf, sizeof buf) == 0);
    CHECK_STR(buf, "\xE2\xA3\x80");   /* U+28C0 */
    /* top row, cell 2 (dot columns 4, 5): column 4 has all four dots = 1,2,3,7 */
    CHECK(plot_cell(&g, 2, 0, buf, sizeof buf) == 0);
    CHECK_STR(buf, "\xE2\xA1\x87");   /* U+2847 */
    /* an empty cell */
    CHECK(plot_cell(&g, 0, 0, buf, sizeof buf) == -1);
    CHECK_STR(buf, " ");
    /* series not in the mask draw nothing */
    plot_raster(&g, &d, 2, 0, 40, 0, 100);
    CHECK(column_dots(&g, 0, 4) == 0);
    plot_grid_free(&g);
}

static void test_plot_series_and_gaps(void)
{
    /* a ramp, zoomed in far past the sample period: columns between samples interpolate */
    double t[3] = { 0, 10, 20 };
    int64_t rss[3] = { 0, 100, 100 }, uss[3] = { 50, INT64_MIN, 50 };
    plot_data d = { t, { rss, uss, NULL }, 3 };
    plot_grid g;
    CHECK(plot_grid_init(&g, 10, 5, PLOT_BRAILLE) == 0);   /* 20 x 20 dots */
    plot_raster(&g, &d, 3, 0, 10, 0, 100);
    int filled = 0, monotone = 1, prev_top = 99;
    for (int x = 0; x < 20; x++) {
        unsigned long long c = column_dots(&g, 0, x);
        filled += c != 0;
        /* rising: each column's highest dot (lowest row index) is at or above the one before */
        int top = c ? __builtin_ctzll(c) : 99;
        if (top > prev_top)
            monotone = 0;
        prev_top = top;
    }
    CHECK(filled == 20);
    CHECK(monotone);
    CHECK(column_dots(&g, 0, 19) & 1ull);               /* reaches the top at t = 10 */
    /* USS skips its unknown middle sample and interpolates 50 .. 50: a flat line mid-height */
    CHECK(column_dots(&g, 1, 10) != 0);
    CHECK((column_dots(&g, 1, 10) & ~(0x3ull << 9)) == 0);
    /* colour goes to the lowest series index with a dot in the cell */
    char buf[8];
    int owner = -1;
    for (int row = 0; row < 5; row++)
        for (int col = 0; col < 10; col++)
            if (plot_dots(&g, col, row, 0) && plot_dots(&g, col, row, 1))
                owner = plot_cell(&g, col, row, buf, sizeof buf);
    CHECK(owner == 0);
    int64_t lo = 0, hi = 0;
    CHECK(plot_value_range(&d, 3, 0, 20, &lo, &hi) == 0 && lo == 0 && hi == 100);
    CHECK(plot_value_range(&d, 2, 5, 15, &lo, &hi) == -1);   /* USS unknown in there */
    CHECK(plot_lower_bound(&d, 10) == 1 && plot_lower_bound(&d, 10.5) == 2 && plot_lower_bound(&d, 99) == 3);
    plot_grid_free(&g);
}

static void test_plot_folded(void)
{
    /* folded minutes: each point spans its lowest to its highest value */
    double t[3] = { 30, 90, 150 };
    int64_t lo[3] = { 0, 40, 0 }, hi[3] = { 10, 100, INT64_MIN };
    plot_data d = { t, { lo, NULL, NULL }, 3, { hi, NULL, NULL } };
    plot_grid g;
    CHECK(plot_grid_init(&g, 3, 2, PLOT_BRAILLE) == 0);   /* 6 x 8 dots, a minute per two dot columns */
    plot_raster(&g, &d, 1, 0, 180, 0, 100);
    /* the middle minute: 40..100 = the top five dot rows (y 0..4), joined down to the first minute's middle */
    CHECK((column_dots(&g, 0, 3) & 0x1F) == 0x1F);
    CHECK(column_dots(&g, 0, 3) & 0x1ull);               /* reaches the top */
    CHECK(!(column_dots(&g, 0, 3) & 0x80ull));            /* not the bottom */
    /* an unknown highest counts as the lowest: at the bottom, joined up to the column before (10) */
    CHECK((column_dots(&g, 0, 5) & 0x80) && !(column_dots(&g, 0, 5) & ~0xC0ull));
    int64_t a = 0, b = 0;
    CHECK(plot_value_range(&d, 1, 0, 200, &a, &b) == 0 && a == 0 && b == 100);
    plot_grid_free(&g);
}

static void test_plot_fallbacks(void)
{
    double t[4] = { 0, 1, 2, 3 };
    int64_t v[4] = { 0, 0, 100, 100 };
    plot_data d = { t, { NULL, NULL, v }, 4 };
    plot_grid g;
    char buf[8];
    CHECK(plot_grid_init(&g, 4, 1, PLOT_ASCII) == 0);
    CHECK(g.dx == 1 && g.dy == 2);
    plot_raster(&g, &d, 4, 0, 4, 0, 100);
    CHECK(plot_cell(&g, 0, 0, buf, sizeof buf) == 2);
    CHECK_STR(buf, ".");                                  /* low */
    plot_cell(&g, 2, 0, buf, sizeof buf);
    CHECK_STR(buf, ":");                                  /* the step: both dots */
    plot_cell(&g, 3, 0, buf, sizeof buf);
    CHECK_STR(buf, "'");                                  /* high */
    plot_grid_free(&g);
    CHECK(plot_grid_init(&g, 4, 1, PLOT_BLOCK) == 0);
    plot_raster(&g, &d, 4, 0, 4, 0, 100);
    plot_cell(&g, 0, 0, buf, sizeof buf);
    CHECK_STR(buf, "\xE2\x96\x84");                       /* lower half block */
    plot_cell(&g, 2, 0, buf, sizeof buf);
    CHECK_STR(buf, "\xE2\x96\x88");
    plot_cell(&g, 3, 0, buf, sizeof buf);
    CHECK_STR(buf, "\xE2\x96\x80");
    plot_grid_free(&g);
    /* degenerate input never crashes: empty data, empty window, flat values */
    CHECK(plot_grid_init(&g, 3, 3, PLOT_BRAILLE) == 0);
    plot_data none = { t, { v, NULL, NULL }, 0 };
    plot_raster(&g, &none, 1, 0, 4, 0, 100);
    plot_raster(&g, &d, 7, 4, 4, 0, 100);
    plot_raster(&g, &d, 4, 0, 4, 100, 100);
    plot_grid_free(&g);
    CHECK(plot_grid_init(&g, 0, 3, PLOT_BRAILLE) == -1);
}

static void test_axis(void)
{
    char buf[16];
    CHECK(axis_step_bytes(100.0 * 1048576, 5) == 20.0 * 1048576);
    CHECK(axis_step_bytes(1000, 4) == 250);
    CHECK(axis_step_bytes(3.0 * 1073741824, 6) == 512.0 * 1048576);
    CHECK(axis_step_bytes(1.5 * 1073741824, 6) == 256.0 * 1048576);
    CHECK(axis_step_bytes(10.0 * 1099511627776.0, 5) == 2.0 * 1099511627776.0);
    double lo, hi, st;
    axis_bytes_range(10.0 * 1048576, 95.0 * 1048576, 5, &lo, &hi, &st);
    CHECK(lo == 0 && hi == 100.0 * 1048576 && st == 20.0 * 1048576);
    /* a high flat band does not start at zero */
    axis_bytes_range(900.0 * 1048576, 950.0 * 1048576, 5, &lo, &hi, &st);
    CHECK(lo > 0 && lo <= 900.0 * 1048576 && hi >= 950.0 * 1048576 && (hi - lo) / st <= 5);
    axis_bytes_range(5, 5, 4, &lo, &hi, &st);
    CHECK(hi > lo);
    CHECK_STR(axis_label_bytes(0, buf, sizeof buf), "0");
    CHECK_STR(axis_label_bytes(512 * 1024, buf, sizeof buf), "512K");
    CHECK_STR(axis_label_bytes(1.5 * 1048576, buf, sizeof buf), "1.5M");
    CHECK_STR(axis_label_bytes(12.0 * 1073741824, buf, sizeof buf), "12G");
    CHECK_STR(axis_label_bytes(-2.0 * 1048576, buf, sizeof buf), "-2M");
    CHECK_STR(axis_label_bytes(1000, buf, sizeof buf), "1000B");
    CHECK(axis_step_time(60, 6) == 10);
    CHECK(axis_step_time(86400, 8) == 10800);
    CHECK(axis_step_time(2, 10) == 0.2);
    CHECK(axis_step_time(30 * 86400.0, 5) == 6 * 86400.0);
    CHECK_STR(axis_label_time(0, buf, sizeof buf), "0s");
    CHECK_STR(axis_label_time(-0.0, buf, sizeof buf), "0s");
    CHECK_STR(axis_label_time(1.5, buf, sizeof buf), "1.5s");
    CHECK_STR(axis_label_time(90, buf, sizeof buf), "1m30");
    CHECK_STR(axis_label_time(120, buf, sizeof buf), "2m");
    CHECK_STR(axis_label_time(7200, buf, sizeof buf), "2h");
    CHECK_STR(axis_label_time(5400, buf, sizeof buf), "1h30");
    CHECK_STR(axis_label_time(86400 * 3, buf, sizeof buf), "3d");
}

static int inside(const rect *r, int cols, int rows)
{
    return r->x >= 0 && r->y >= 0 && r->w >= 1 && r->h >= 1 && r->x + r->w <= cols && r->y + r->h <= rows;
}

static int overlap(const rect *a, const rect *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static void test_layout(void)
{
    static const int sizes[][2] = { { 80, 24 }, { 120, 40 }, { 200, 60 }, { 300, 100 }, { 40, 12 } };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int c = sizes[i][0], r = sizes[i][1];
        session_layout s;
        layout_session(c, r, &s);
        const rect *all[] = { &s.title, &s.yaxis, &s.plot, &s.xaxis, &s.info, &s.pane[0], &s.status };
        for (size_t a = 0; a < 7; a++) {
            CHECK(inside(all[a], c, r));
            for (size_t b = a + 1; b < 7; b++)
                CHECK(!overlap(all[a], all[b]));
        }
        CHECK(s.plot.h >= 4 || r < 20);
        CHECK(s.pane[0].h >= 4);                          /* a header and rows */
        CHECK(s.plot.w == c - LAYOUT_YAXIS_W - 1);        /* the plot fills the width */
        if (s.panes == 2) {
            CHECK(inside(&s.pane[1], c, r) && !overlap(&s.pane[0], &s.pane[1]));
            CHECK(s.pane[0].w >= 80 && s.pane[1].w >= 80);
        }
        list_layout l;
        layout_list(c, r, &l);
        CHECK(inside(&l.body, c, r) && l.body.h == r - 3 && l.status.y == r - 1);
    }
    session_layout s;
    layout_session(80, 24, &s);
    CHECK(s.panes == 1 && s.plot.h == 9);
    layout_session(300, 100, &s);
    CHECK(s.panes == 2 && s.plot.h == 40 && s.pane[0].h > 40);
    layout_session(10, 5, &s);                            /* too small: laid out at the minimum */
    CHECK(s.status.y == LAYOUT_MIN_ROWS - 1);
    rect one = { 0, 0, 10, 1 };
    CHECK(layout_page(&one) == 1);
}

static void test_view(void)
{
    view v;
    view_reset(&v, 100);
    CHECK(v.w0 == 0 && v.w1 == 100 && v.cursor == 100 && v.mark_a < 0);
    double from, to;
    CHECK(view_range(&v, &from, &to) == 0 && from == 0 && to >= 1e300);
    view_move(&v, -10, 100);                              /* 10 columns of 1 s */
    CHECK(fabs(v.cursor - 90) < 1e-9);
    view_mark(&v, 0);
    view_move(&v, -40, 100);
    view_mark(&v, 1);
    CHECK(view_range(&v, &from, &to) == 1 && fabs(from - 50) < 1e-9 && fabs(to - 90) < 1e-9);
    CHECK(view_clear_mark(&v) == 1 && view_clear_mark(&v) == 0);
    /* zoom in 4x around the cursor at 50: it stays in place on screen */
    view_zoom(&v, 0.25);
    CHECK(fabs((v.w1 - v.w0) - 25) < 1e-9 && v.cursor >= v.w0 && v.cursor <= v.w1);
    CHECK(fabs((v.cursor - v.w0) / (v.w1 - v.w0) - 0.5) < 1e-9);
    CHECK(view_col(&v, v.cursor, 80) == 40);
    CHECK(view_col(&v, v.w0 - 1, 80) == -1);
    CHECK(fabs(view_time(&v, 40, 80) - v.cursor) < 1e-9);
    /* moving past the right edge scrolls the window */
    view_move(&v, 200, 80);
    CHECK(v.cursor <= v.w1 && v.w1 > 62.5 && fabs((v.w1 - v.w0) - 25) < 1e-9);
    view_jump(&v, 1);
    CHECK(v.cursor == 100 && v.w1 == 100 && v.follow);
    view_jump(&v, -1);
    CHECK(v.cursor == 0 && v.w0 == 0 && !v.follow);
    /* zoom never goes under the minimum span nor past the session */
    for (int i = 0; i < 50; i++)
        view_zoom(&v, 0.5);
    CHECK(fabs((v.w1 - v.w0) - VIEW_MIN_SPAN) < 1e-9);
    for (int i = 0; i < 50; i++)
        view_zoom(&v, 2);
    CHECK(v.w0 == 0 && v.w1 == 100);
    /* live: a whole-session view stays whole, a zoomed one at the end follows */
    view_reset(&v, 10);
    view_set_len(&v, 20);
    CHECK(v.w0 == 0 && v.w1 == 20 && v.cursor == 20);
    view_zoom(&v, 0.5);
    view_set_len(&v, 30);
    CHECK(v.w1 == 30 && fabs(v.w0 - 20) < 1e-9 && v.cursor == 30);
    /* a mark start alone runs to the end */
    view_reset(&v, 10);
    view_move(&v, -5, 10);
    view_mark(&v, 0);
    CHECK(view_range(&v, &from, &to) == 1 && fabs(from - 5) < 1e-9 && to == 10);
    view_reset(&v, 0);                                    /* an empty session */
    CHECK(v.w1 > v.w0 && v.cursor == 0);
}

static void test_sesslist(void)
{
    sl_entry e[] = {
        { 1, 0, "python3 old.py", 1000, 60, 50 << 20, 1e6 },
        { 2, 1, "python3 worker.py", 1001, 30, 10 << 20, NAN },
        { 3, 0, "python3 big.py", 2000, 10, 900 << 20, 5e7 },
        { 4, 3, "python3 helper.py --x", 2001, 5, 5 << 20, 0 },
        { 5, 0, "python3 new.py", 3000, 1, INT64_MIN, NAN },
    };
    size_t order[5];
    int depth[5];
    CHECK(sesslist_order(e, 5, SL_NEWEST, NULL, order, depth, NULL) == 5);
    CHECK(order[0] == 4 && order[1] == 2 && order[2] == 3 && order[3] == 0 && order[4] == 1);
    CHECK(depth[0] == 0 && depth[2] == 1 && depth[4] == 1);
    CHECK(sesslist_order(e, 5, SL_OLDEST, "", order, depth, NULL) == 5);
    CHECK(order[0] == 0 && order[1] == 1 && order[4] == 4);
    CHECK(sesslist_order(e, 5, SL_PEAK, NULL, order, depth, NULL) == 5);
    CHECK(order[0] == 2 && order[2] == 0 && order[4] == 4);   /* unknown peak last */
    CHECK(sesslist_order(e, 5, SL_GROWTH, NULL, order, depth, NULL) == 5);
    CHECK(order[0] == 2 && order[2] == 0 && order[4] == 4);
    CHECK(sesslist_order(e, 5, SL_COMMAND, NULL, order, depth, NULL) == 5);
    CHECK(order[0] == 2 && order[2] == 4 && order[3] == 0);
    /* filter: a matching child brings its root along; a matching root brings all */
    CHECK(sesslist_order(e, 5, SL_NEWEST, "HELPER", order, depth, NULL) == 2);
    CHECK(order[0] == 2 && order[1] == 3);
    CHECK(sesslist_order(e, 5, SL_NEWEST, "old", order, depth, NULL) == 2);
    CHECK(order[0] == 0 && order[1] == 1);
    CHECK(sesslist_order(e, 5, SL_NEWEST, "5", order, depth, NULL) == 1 && order[0] == 4);
    CHECK(sesslist_order(e, 5, SL_NEWEST, "nothing-like-it", order, depth, NULL) == 0);
    CHECK(sesslist_order(e, 0, SL_NEWEST, NULL, order, depth, NULL) == 0);
    /* a folded tree shows its root only, saying how many it hides */
    int hidden[5];
    e[2].folded = 1;
    e[4].folded = 1;   /* no children: nothing to fold */
    CHECK(sesslist_order(e, 5, SL_NEWEST, NULL, order, depth, hidden) == 4);
    CHECK(order[0] == 4 && hidden[0] == 0 && order[1] == 2 && hidden[1] == 1 && order[2] == 0 && hidden[2] == 0);
    CHECK(order[3] == 1 && hidden[3] == 0);
    CHECK(sesslist_order(e, 5, SL_NEWEST, "helper", order, depth, hidden) == 1 && order[0] == 2 && hidden[0] == 1);
    CHECK_STR(sesslist_sort_name(SL_GROWTH), "growth/min");
    char buf[64];
    CHECK_STR(sesslist_short_command("/usr/bin/python3 /tmp/x/app.py -v  --out /o/", buf, sizeof buf),
              "python3 app.py -v  --out /o/");
    CHECK_STR(sesslist_short_command("python3 -c 'print(1)'", buf, sizeof buf), "python3 -c 'print(1)'");
    CHECK_STR(sesslist_short_command("/", buf, sizeof buf), "/");
    CHECK_STR(sesslist_short_command(NULL, buf, sizeof buf), "");
    CHECK_STR(sesslist_short_command("/usr/bin/python3 /very/long/path/script.py", buf, 12), "python3 scr");
}

static void test_srcview(void)
{
    src_line l[] = {
        { 12, NULL, 1, 100, 0, 100, 5, 1000 },
        { 3, "import os", 0, 0, 0, 0, 0, 0 },
        { 12, "x = [0] * n", 0, 0, 0, 0, 0, 0 },
        { 4, "import sys", 0, 0, 0, 0, 0, 0 },
        { 0, "[no Python frame]", 1, 1, 1, 0, 1, 0 },
        { 13, NULL, 1, 10, 5, 5, 2, 900 },
        { 13, NULL, 1, 1, 0, 1, 1, 1200 },
    };
    size_t n = srcview_merge(l, 7);
    CHECK(n == 4);
    CHECK(l[0].line == 3 && l[1].line == 4 && l[2].line == 12 && l[3].line == 13);
    CHECK(l[2].has_figs && l[2].growth == 100 && l[2].text && strcmp(l[2].text, "x = [0] * n") == 0);
    CHECK(l[3].growth == 11 && l[3].hits == 3 && l[3].peak == 1200 && !l[3].text);
    src_row rows[8];
    size_t nr = srcview_rows(l, n, rows);
    /* gap, 3, 4, gap, 12, 13 */
    CHECK(nr == 6);
    CHECK(rows[0].gap && !rows[1].gap && rows[1].idx == 0 && rows[3].gap && rows[4].idx == 2 && !rows[5].gap);
    CHECK(srcview_find(l, rows, nr, 12) == 4);
    CHECK(srcview_find(l, rows, nr, 5) == 4);
    CHECK(srcview_find(l, rows, nr, 99) == 5);
    src_line one[] = { { 1, "a", 0, 0, 0, 0, 0, 0 }, { 2, "b", 0, 0, 0, 0, 0, 0 } };
    CHECK(srcview_rows(one, 2, rows) == 2);
}

static void test_compare(void)
{
    cmp_in a[] = {
        { "app.py", "main", "x = 1", 10, 100, 100 },
        { "app.py", "load", "y = 2", 20, 1000, 900 },
        { "lib.py", "f", NULL, 5, 50, 50 },
    };
    cmp_in b[] = {
        { "app.py", "load", "y = 2", 20, 5000, 5000 },
        { "app.py", "main", "x = 1", 10, 100, 0 },
        { "new.py", "g", "z = 3", 1, 300, 300 },
        { "new.py", "h", "z = 3", 1, 10, 10 },           /* same line, other function: summed */
    };
    cmp_row out[7];
    long n = compare_join(a, 3, b, 4, out);
    CHECK(n == 4);
    CHECK(out[0].line == 20 && out[0].in_a && out[0].in_b && compare_diff(&out[0]) == 4000);
    CHECK(strcmp(out[1].file, "new.py") == 0 && !out[1].in_a && out[1].in_b && compare_diff(&out[1]) == 310);
    CHECK(strcmp(out[2].file, "lib.py") == 0 && out[2].in_a && !out[2].in_b && compare_diff(&out[2]) == -50);
    CHECK(out[3].line == 10 && compare_diff(&out[3]) == 0 && out[3].b_net == 0 && out[3].a_net == 100);
    CHECK(compare_join(a, 0, b, 0, out) == 0);
}

static void test_keys(void)
{
    CHECK(keys_action(SCR_SESSIONS, 'j') == ACT_DOWN && keys_action(SCR_SESSION, KEYC_DOWN) == ACT_DOWN);
    CHECK(keys_action(SCR_SESSION, 'h') == ACT_LEFT && keys_action(SCR_SESSION, KEYC_RIGHT) == ACT_RIGHT);
    CHECK(keys_action(SCR_SESSION, '+') == ACT_ZOOM_IN && keys_action(SCR_SESSION, '-') == ACT_ZOOM_OUT);
    CHECK(keys_action(SCR_SESSION, 'm') == ACT_MARK_START && keys_action(SCR_SESSION, ']') == ACT_MARK_END);
    CHECK(keys_action(SCR_SESSION, KEYC_TAB) == ACT_TAB && keys_action(SCR_SESSION, '2') == ACT_SERIES2);
    CHECK(keys_action(SCR_SESSIONS, 'd') == ACT_DELETE && keys_action(SCR_SESSION, 'd') == ACT_NONE);
    CHECK(keys_action(SCR_SESSIONS, ' ') == ACT_SELECT && keys_action(SCR_SESSIONS, 'c') == ACT_COMPARE);
    CHECK(keys_action(SCR_SOURCE, KEYC_ESC) == ACT_BACK && keys_action(SCR_HELP, KEYC_BACKSPACE) == ACT_BACK);
    CHECK(keys_action(SCR_COMPARE, 'q') == ACT_QUIT && keys_action(SCR_SESSIONS, '?') == ACT_HELP);
    CHECK(keys_action(SCR_SESSIONS, 's') == ACT_SORT && keys_action(SCR_SESSIONS, '/') == ACT_SEARCH);
    CHECK(keys_action(SCR_SESSIONS, 'g') == ACT_TOP && keys_action(SCR_SESSIONS, KEYC_END) == ACT_END);
    /* every screen has help, and the common keys are listed */
    for (int s = 0; s < SCR_COUNT; s++) {
        size_t n = 0;
        const key_help *h = keys_help(s, &n);
        CHECK(h != NULL && n > 0);
        for (size_t i = 0; i < n; i++)
            CHECK(h[i].keys && *h[i].keys && h[i].what && *h[i].what);
        CHECK(strcmp(keys_screen_name(s), "?") != 0);
    }
}

int main(void)
{
    test_plot_braille();
    test_plot_series_and_gaps();
    test_plot_folded();
    test_plot_fallbacks();
    test_axis();
    test_layout();
    test_view();
    test_sesslist();
    test_srcview();
    test_compare();
    test_keys();
    return check_done("test_tui_logic");
}
