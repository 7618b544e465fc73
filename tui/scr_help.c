/* scr_help: every key of the screen below, and the common ones. */
#include <curses.h>

#include "app.h"
#include "draw.h"
#include "term.h"

static int draw_group(int y, const char *title, const key_help *h, size_t n)
{
    if (y >= LINES - 1)
        return y;
    draw_text(y++, 2, COLS - 4, title, (int)A_BOLD | (int)A_UNDERLINE);
    for (size_t i = 0; i < n && y < LINES - 1; i++, y++) {
        draw_text(y, 4, 22, h[i].keys, term_attr(PAIR_LIVE) | (int)A_BOLD);
        draw_text(y, 28, COLS - 30, h[i].what, (int)A_NORMAL);
    }
    return y + 1;
}

void help_draw(app *a)
{
    int under = a->depth >= 2 ? a->stack[a->depth - 2] : SCR_SESSIONS;
    app_draw_title(a, "Help: %s screen keys", keys_screen_name(under));
    size_t n;
    const key_help *h = keys_help(under, &n);
    int y = draw_group(2, keys_screen_name(under), h, n);
    h = keys_help(SCR_HELP, &n);
    y = draw_group(y, "Every screen", h, n);
    if (y < LINES - 2)
        draw_text(y, 2, COLS - 4,
                  "Figures are sampled: each change of RSS is charged to the line a stack sample found running.",
                  term_attr(PAIR_DIM));
    app_draw_status(a, "Esc or ? back  q quit");
}
